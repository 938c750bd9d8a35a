"""``RetryPolicy``: what an env does when it loses its worker or its service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from service.proto.errors import (
    CompilerCrashed,
    DeadlineExceeded,
    ServiceUnavailable,
    SessionNotFound,
)

__all__ = ["RECOVERABLE", "RetryPolicy"]

#: Errors after which the env restarts what was lost and replays the episode.
RECOVERABLE = (CompilerCrashed, DeadlineExceeded, ServiceUnavailable, SessionNotFound)


@dataclass(frozen=True)
class RetryPolicy:
    """How an env recovers from lost workers and services.

    When a request fails because its worker died, hung past its deadline, or
    the service went away, the env starts a new session (restarting a local
    service if needed), replays the episode's actions, and tries again.

    Attributes:
        attempts: how many times one request is tried in all.
        backoff: seconds to wait before the second try; doubled each time.
        max_backoff: the longest wait between tries.
        on_error: what a step that fails every try does: ``"truncate"`` ends
            the episode (``truncated=True``, the cause in ``info["error"]``),
            ``"raise"`` raises the error. Either way the episode stays at its
            last good step.

    >>> RetryPolicy(attempts=2).delays()
    [0.1]
    """

    attempts: int = 3
    backoff: float = 0.1
    max_backoff: float = 5.0
    on_error: Literal["truncate", "raise"] = "truncate"

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("RetryPolicy.attempts must be at least 1")
        if self.on_error not in ("truncate", "raise"):
            raise ValueError("RetryPolicy.on_error is 'truncate' or 'raise'")

    def delays(self) -> list[float]:
        """The waits before the second, third, ... tries."""
        return [min(self.backoff * 2**i, self.max_backoff) for i in range(self.attempts - 1)]
