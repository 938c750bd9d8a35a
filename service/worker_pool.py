"""Workers started ahead of need, so that a new session does not wait for one."""

from __future__ import annotations

import threading
from pathlib import Path

from service.proto.errors import ServiceUnavailable
from service.sandbox import SandboxLimits
from service.worker_handle import WorkerHandle

__all__ = ["WorkerPool"]


class WorkerPool:
    """Keeps ``size`` started workers ready, so that a new session starts fast."""

    def __init__(
        self,
        socket_dir: Path,
        limits: SandboxLimits,
        size: int = 1,
        allow_faults: bool = False,
        env: dict[str, str] | None = None,
    ) -> None:
        self.socket_dir = socket_dir
        self.limits = limits
        self.size = size
        self.allow_faults = allow_faults
        self.env = env or {}
        self._idle: list[WorkerHandle] = []
        self._lock = threading.Lock()
        self._closed = False
        self._filling = False

    @property
    def filling(self) -> bool:
        """Whether workers are being started in the background."""
        return self._filling

    def new_worker(self) -> WorkerHandle:
        return WorkerHandle(
            self.socket_dir, self.limits, allow_faults=self.allow_faults, env=self.env
        )

    def take(self) -> WorkerHandle:
        """A started worker; the pool refills in the background."""
        with self._lock:
            if self._closed:
                raise ServiceUnavailable("the compiler service is shutting down")
            worker = None
            while self._idle and worker is None:
                candidate = self._idle.pop()
                if candidate.alive():
                    worker = candidate
                else:
                    candidate.stop()
        if worker is None:
            worker = self.new_worker()
        if self.size:
            threading.Thread(target=self.fill, daemon=True).start()
        return worker

    def put(self, worker: WorkerHandle) -> None:
        """Takes back an unused worker (or stops it, if the pool is full or closed)."""
        with self._lock:
            if not self._closed and worker.alive() and len(self._idle) < self.size:
                self._idle.append(worker)
                return
        worker.stop()

    def fill(self) -> None:
        """Starts workers until ``size`` are idle (one filler at a time)."""
        with self._lock:
            if self._filling:
                return
            self._filling = True
        try:
            while True:
                with self._lock:
                    if self._closed or len(self._idle) >= self.size:
                        return
                worker = self.new_worker()
                with self._lock:
                    if not self._closed:
                        self._idle.append(worker)
                        continue
                worker.stop()
                return
        finally:
            with self._lock:
                self._filling = False

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()
