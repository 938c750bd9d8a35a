"""A worker that also obeys planned faults: a real crash, hang or allocation.

Only a service created with ``create_server(fault_injection=True)`` starts its
workers with ``--allow-faults``; the fault tier of the tests uses it to prove
that the service survives what LLVM can do to a worker.
"""

from __future__ import annotations

import ctypes
import mmap
import time

from service.proto import compiler_env_pb2 as pb
from service.proto.errors import InvalidArgument
from service.worker.session import Worker

__all__ = ["FaultyWorker"]

FAULTS = ("crash", "hang", "allocate")


class FaultyWorker(Worker):
    """A ``Worker`` that fails on purpose at the step a test planned."""

    def __init__(self, **kwargs: int) -> None:
        super().__init__(**kwargs)
        self._fault: pb.FaultRequest | None = None

    def arm_fault(self, fault: pb.FaultRequest) -> None:
        if fault.kind not in FAULTS or fault.at_step < 1:
            raise InvalidArgument(f"bad fault request {fault}")
        self._fault = pb.FaultRequest(kind=fault.kind, at_step=fault.at_step)

    def step(self, request: pb.StepRequest) -> pb.StepReply:
        self._maybe_fail()
        return super().step(request)

    def _maybe_fail(self) -> None:
        if self._fault is None:
            return
        self._fault.at_step -= 1
        if self._fault.at_step > 0:
            return
        kind, self._fault = self._fault.kind, None
        if kind == "crash":
            ctypes.string_at(0)  # a real SIGSEGV
        elif kind == "hang":
            while True:
                time.sleep(3600)
        else:
            hoard = []
            try:
                while True:  # until the address-space limit makes an allocation fail
                    hoard.append(mmap.mmap(-1, 64 * 1024 * 1024))
            except OSError as error:
                raise MemoryError(str(error)) from error
