"""The compiler service: gRPC server, sandboxed workers and the LLVM engine."""
