"""Generated gRPC code (scripts/gen-protos from message_specs/protos); never edited by hand."""
