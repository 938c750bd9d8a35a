"""Every exception the library raises.

Each class knows its gRPC status code; the service and the client translate
through the same table (``service/proto/errors.py``), so an error raised in a
worker reaches the user as the same class.
"""

from service.proto.errors import (
    BenchmarkInitError,
    BenchmarkNotFound,
    CompilerCrashed,
    CompilerEnvError,
    CompilerNotFound,
    DeadlineExceeded,
    EnvClosed,
    InvalidAction,
    InvalidArgument,
    LlvmError,
    ProgramFailed,
    ProgramTooLarge,
    ResetRequired,
    ServiceUnavailable,
    ServiceVersionMismatch,
    SessionNotFound,
    StepBudgetExceeded,
    TooManySessions,
    Unauthenticated,
    UnknownSpace,
)

__all__ = [
    "BenchmarkInitError",
    "BenchmarkNotFound",
    "CompilerCrashed",
    "CompilerEnvError",
    "CompilerNotFound",
    "DeadlineExceeded",
    "EnvClosed",
    "InvalidAction",
    "InvalidArgument",
    "LlvmError",
    "ProgramFailed",
    "ProgramTooLarge",
    "ResetRequired",
    "ServiceUnavailable",
    "ServiceVersionMismatch",
    "SessionNotFound",
    "StepBudgetExceeded",
    "TooManySessions",
    "Unauthenticated",
    "UnknownSpace",
]
