"""The wire contract: protobuf messages, gRPC stubs, worker frames and errors."""
