"""The errors of the wire contract: one class per failure, each with its gRPC status.

The service raises these; the servicer turns them into a status code plus the
class name (in the ``error-type`` trailing metadata, or a worker frame's
``error_type``), and the client turns them back through the same table, so both
sides always agree. ``compiler_env.errors`` re-exports every class.
"""

from __future__ import annotations

from typing import Any

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

# gRPC status codes by number (numbers fixed by gRPC's protocol). This module
# does not import grpc, so that worker processes need not load it.
UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND = 2, 3, 4, 5
RESOURCE_EXHAUSTED, FAILED_PRECONDITION, ABORTED, INTERNAL, UNAVAILABLE = 8, 9, 10, 13, 14
UNAUTHENTICATED = 16


class CompilerEnvError(Exception):
    """The base of every error this library raises."""

    status: int = UNKNOWN

    @property
    def code(self) -> Any:
        """The ``grpc.StatusCode`` of this error."""
        import grpc

        return next(code for code in grpc.StatusCode if code.value[0] == self.status)


class InvalidArgument(CompilerEnvError, ValueError):
    """A request was malformed."""

    status = INVALID_ARGUMENT


class BenchmarkNotFound(CompilerEnvError, LookupError):
    """No benchmark or dataset has the given URI."""

    status = NOT_FOUND


class BenchmarkInitError(InvalidArgument):
    """A benchmark exists but cannot be turned into a valid LLVM module."""


class InvalidAction(InvalidArgument):
    """An action index or name outside the action space."""


class UnknownSpace(InvalidArgument, LookupError):
    """An observation or reward space name that does not exist."""


class ProgramTooLarge(CompilerEnvError):
    """A program over the service's size limit."""

    status = RESOURCE_EXHAUSTED


class SessionNotFound(CompilerEnvError):
    """The service holds no session with that id (it may have been restarted)."""

    status = NOT_FOUND


class CompilerCrashed(CompilerEnvError):
    """The worker running the compiler died while serving a request."""

    status = ABORTED


class DeadlineExceeded(CompilerEnvError):
    """A request ran past its deadline."""

    status = DEADLINE_EXCEEDED


class LlvmError(CompilerEnvError):
    """LLVM reported an error (its message is included)."""

    status = INTERNAL


class CompilerNotFound(CompilerEnvError):
    """No supported LLVM installation was found."""

    status = FAILED_PRECONDITION


class ResetRequired(CompilerEnvError):
    """The env has no episode yet: call ``reset()`` first."""

    status = FAILED_PRECONDITION


class EnvClosed(CompilerEnvError):
    """The env was closed; make a new one."""

    status = FAILED_PRECONDITION


class ServiceUnavailable(CompilerEnvError):
    """The compiler service cannot be reached."""

    status = UNAVAILABLE


class Unauthenticated(CompilerEnvError):
    """The service requires a token that was missing or wrong."""

    status = UNAUTHENTICATED


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
_BY_STATUS: dict[int, type[CompilerEnvError]] = {
    INVALID_ARGUMENT: InvalidArgument,
    NOT_FOUND: BenchmarkNotFound,
    RESOURCE_EXHAUSTED: ProgramTooLarge,
    ABORTED: CompilerCrashed,
    DEADLINE_EXCEEDED: DeadlineExceeded,
    INTERNAL: LlvmError,
    FAILED_PRECONDITION: CompilerEnvError,
    UNAVAILABLE: ServiceUnavailable,
    UNAUTHENTICATED: Unauthenticated,
}


def error_from_status(status: Any, error_type: str, message: str) -> CompilerEnvError:
    """The exception for a status (a number or a ``grpc.StatusCode``) from the service."""
    number = status if isinstance(status, int) else status.value[0]
    cls = _BY_NAME.get(error_type) or _BY_STATUS.get(number, CompilerEnvError)
    return cls(message)
