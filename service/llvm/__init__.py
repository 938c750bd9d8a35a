"""The LLVM engine: a ctypes binding over libLLVM's C API, actions and features."""
