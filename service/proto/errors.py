"""The errors of the wire contract: one class per failure, each with its gRPC status.

The service raises these; the servicer turns them into a status code plus the
class name (in the ``error-type`` trailing metadata, or a worker frame's
``error_type``), and the client turns them back through the same table, so both
sides always agree. ``compiler_env.errors`` re-exports every class.
"""

from __future__ import annotations

import grpc

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
    "ProgramTooLarge",
    "ResetRequired",
    "ServiceUnavailable",
    "SessionNotFound",
    "Unauthenticated",
    "UnknownSpace",
    "error_from_status",
]


class CompilerEnvError(Exception):
    """The base of every error this library raises."""

    code: grpc.StatusCode = grpc.StatusCode.UNKNOWN


class InvalidArgument(CompilerEnvError, ValueError):
    """A request was malformed."""

    code = grpc.StatusCode.INVALID_ARGUMENT


class BenchmarkNotFound(CompilerEnvError, LookupError):
    """No benchmark or dataset has the given URI."""

    code = grpc.StatusCode.NOT_FOUND


class BenchmarkInitError(InvalidArgument):
    """A benchmark exists but cannot be turned into a valid LLVM module."""


class InvalidAction(InvalidArgument):
    """An action index or name outside the action space."""


class UnknownSpace(InvalidArgument, LookupError):
    """An observation or reward space name that does not exist."""


class ProgramTooLarge(CompilerEnvError):
    """A program over the service's size limit."""

    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class SessionNotFound(CompilerEnvError):
    """The service holds no session with that id (it may have been restarted)."""

    code = grpc.StatusCode.NOT_FOUND


class CompilerCrashed(CompilerEnvError):
    """The worker running the compiler died while serving a request."""

    code = grpc.StatusCode.ABORTED


class DeadlineExceeded(CompilerEnvError):
    """A request ran past its deadline."""

    code = grpc.StatusCode.DEADLINE_EXCEEDED


class LlvmError(CompilerEnvError):
    """LLVM reported an error (its message is included)."""

    code = grpc.StatusCode.INTERNAL


class CompilerNotFound(CompilerEnvError):
    """No supported LLVM installation was found."""

    code = grpc.StatusCode.FAILED_PRECONDITION


class ResetRequired(CompilerEnvError):
    """The env has no episode yet: call ``reset()`` first."""

    code = grpc.StatusCode.FAILED_PRECONDITION


class EnvClosed(CompilerEnvError):
    """The env was closed; make a new one."""

    code = grpc.StatusCode.FAILED_PRECONDITION


class ServiceUnavailable(CompilerEnvError):
    """The compiler service cannot be reached."""

    code = grpc.StatusCode.UNAVAILABLE


class Unauthenticated(CompilerEnvError):
    """The service requires a token that was missing or wrong."""

    code = grpc.StatusCode.UNAUTHENTICATED


_BY_NAME: dict[str, type[CompilerEnvError]] = {
    cls.__name__: cls
    for cls in (
        CompilerEnvError,
        InvalidArgument,
        BenchmarkNotFound,
        BenchmarkInitError,
        InvalidAction,
        UnknownSpace,
        ProgramTooLarge,
        SessionNotFound,
        CompilerCrashed,
        DeadlineExceeded,
        LlvmError,
        CompilerNotFound,
        ResetRequired,
        EnvClosed,
        ServiceUnavailable,
        Unauthenticated,
    )
}
_BY_CODE: dict[grpc.StatusCode, type[CompilerEnvError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.NOT_FOUND: BenchmarkNotFound,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ProgramTooLarge,
    grpc.StatusCode.ABORTED: CompilerCrashed,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceeded,
    grpc.StatusCode.INTERNAL: LlvmError,
    grpc.StatusCode.FAILED_PRECONDITION: CompilerEnvError,
    grpc.StatusCode.UNAVAILABLE: ServiceUnavailable,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
}


def error_from_status(code: grpc.StatusCode, error_type: str, message: str) -> CompilerEnvError:
    """The exception for a status received from the service."""
    cls = _BY_NAME.get(error_type) or _BY_CODE.get(code, CompilerEnvError)
    return cls(message)
