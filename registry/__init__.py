"""Schema registry: formats, compatibility, storage, REST and gRPC APIs, client."""
