"""Generated gRPC code for nsw.registry.v1 (scripts/gen-protos; committed, checked by a test)."""
