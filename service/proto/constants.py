"""Facts both sides of the wire rely on, defined once."""

from __future__ import annotations

__all__ = [
    "MAX_PROGRAM_BYTES",
    "MAX_SEED",
    "OPT_TARGET_FLAGS",
    "PROTOCOL_VERSION",
    "STEP_BUDGET_EXIT",
    "VERSION",
]

#: The version of this distribution (client and service alike).
VERSION = "0.1.0"
#: The version of the wire contract; a client refuses a service that speaks another.
PROTOCOL_VERSION = 5
#: The largest program (all its files together, or its IR) a benchmark may carry.
MAX_PROGRAM_BYTES = 64 * 1024 * 1024
#: The largest seed of a generator dataset.
MAX_SEED = 2**32 - 1
#: The ``opt`` flags that configure its target machine as the service's (clang's):
#: position-independent code, which changes what some passes do (inlining costs).
OPT_TARGET_FLAGS = ("-relocation-model=pic",)
#: How the service describes a worker that ended itself when a step ran past
#: its ``budget_seconds`` (killed by its own SIGALRM); the client recognises it.
STEP_BUDGET_EXIT = "it ran past the step's time budget (SIGALRM)"
