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
    "from_status",
]

# gRPC status codes by number (numbers fixed by gRPC's protocol). This module
# does not import grpc, so that worker processes need not load it.
UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND = 2, 3, 4, 5
RESOURCE_EXHAUSTED, FAILED_PRECONDITION, ABORTED, INTERNAL, UNAVAILABLE = 8, 9, 10, 13, 14
UNAUTHENTICATED = 16


class CompilerEnvError(Exception):
    """The base of every error this library raises.

    Every subclass is entered in the table that ``from_status`` reads as it is
    defined. A class defined with ``default_for_status=True`` is also what its
    status decodes to when no class name comes with it; a status without one
    decodes to this base class.
    """

    status: int = UNKNOWN

    def __init_subclass__(cls, *, default_for_status: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _BY_NAME[cls.__name__] = cls
        if default_for_status:
            assert cls.status not in _BY_STATUS, f"two defaults for status {cls.status}"
            _BY_STATUS[cls.status] = cls

    @property
    def code(self) -> Any:
        """The ``grpc.StatusCode`` of this error."""
        import grpc

        return next(code for code in grpc.StatusCode if code.value[0] == self.status)


_BY_NAME: dict[str, type[CompilerEnvError]] = {"CompilerEnvError": CompilerEnvError}
_BY_STATUS: dict[int, type[CompilerEnvError]] = {}


class InvalidArgument(CompilerEnvError, ValueError, default_for_status=True):
    """A request was malformed."""

    status = INVALID_ARGUMENT


class BenchmarkNotFound(CompilerEnvError, LookupError, default_for_status=True):
    """No benchmark or dataset has the given URI."""

    status = NOT_FOUND


class BenchmarkInitError(InvalidArgument):
    """A benchmark exists but cannot be turned into a valid LLVM module."""


class InvalidAction(InvalidArgument):
    """An action index or name outside the action space."""


class UnknownSpace(InvalidArgument, LookupError):
    """An observation or reward space name that does not exist."""


class ProgramTooLarge(CompilerEnvError, default_for_status=True):
    """A program over the service's size limit."""

    status = RESOURCE_EXHAUSTED


class TooManySessions(CompilerEnvError):
    """The service (or this client's share of it) holds as many sessions as it allows."""

    status = RESOURCE_EXHAUSTED  # a bare RESOURCE_EXHAUSTED is ProgramTooLarge


class SessionNotFound(CompilerEnvError):
    """The service holds no session with that id (it may have been restarted)."""

    status = NOT_FOUND  # a bare NOT_FOUND is BenchmarkNotFound; this one comes by name


class CompilerCrashed(CompilerEnvError, default_for_status=True):
    """The worker running the compiler died while serving a request."""

    status = ABORTED


class DeadlineExceeded(CompilerEnvError, default_for_status=True):
    """A request ran past its deadline."""

    status = DEADLINE_EXCEEDED


class StepBudgetExceeded(CompilerEnvError):
    """A step's actions ran past the budget the env set (``make(..., step_budget=)``);
    the episode is back where it was before them."""

    status = DEADLINE_EXCEEDED  # a bare DEADLINE_EXCEEDED is DeadlineExceeded


class LlvmError(CompilerEnvError, default_for_status=True):
    """LLVM reported an error (its message is included)."""

    status = INTERNAL


class ProgramFailed(CompilerEnvError):
    """The benchmark's program cannot be built or run, or runs but does not
    behave as the unoptimized program does (a miscompile); the message says how."""

    status = FAILED_PRECONDITION


class CompilerNotFound(CompilerEnvError):
    """No supported LLVM installation was found."""

    status = FAILED_PRECONDITION


class ResetRequired(CompilerEnvError):
    """The env has no episode yet: call ``reset()`` first."""

    status = FAILED_PRECONDITION


class ServiceVersionMismatch(CompilerEnvError):
    """The service speaks another version of the wire contract than this client."""

    status = FAILED_PRECONDITION


class EnvClosed(CompilerEnvError):
    """The env was closed; make a new one."""

    status = FAILED_PRECONDITION


class ServiceUnavailable(CompilerEnvError, default_for_status=True):
    """The compiler service cannot be reached."""

    status = UNAVAILABLE


class Unauthenticated(CompilerEnvError, default_for_status=True):
    """The service requires a token that was missing or wrong."""

    status = UNAUTHENTICATED


def from_status(status: Any, error_type: str, message: str) -> CompilerEnvError:
    """The exception for a status (a number or a ``grpc.StatusCode``) and a class name.

    The class name wins; without one (or with one this side does not know), the
    status decides, and a status no class declares gives the base class.
    """
    number = status if isinstance(status, int) else status.value[0]
    cls = _BY_NAME.get(error_type) or _BY_STATUS.get(number, CompilerEnvError)
    return cls(message)
