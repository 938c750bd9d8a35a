"""Renewing the leases of idle sessions, so that a live client keeps them.

A service ends a session nobody used for its lease (``lease_seconds`` in its
version reply), so that the workers of clients that died do not pile up. A
client that is merely idle (a notebook between cells, a search thinking)
should not lose its sessions that way: one daemon thread per process sends a
cheap ``KeepAlive`` for every session of that process, per connection, three
times per lease. Were a session reaped all the same (the thread starved, the
network down), the next request finds it gone and restores it by replay.
"""

from __future__ import annotations

import os
import threading
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from compiler_env.session import Session

__all__ = ["KEEPER"]

_IDLE_PERIOD = 30.0  # seconds between looks while no session has a lease


class KeepAlive:
    """The sessions of this process, and the thread that keeps them alive."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: weakref.WeakSet[Session] = weakref.WeakSet()
        self._pid = 0  # the process whose thread is running
        self._wake = threading.Event()

    def add(self, session: Session) -> None:
        """Keeps ``session`` alive from now on, for as long as it exists."""
        with self._lock:
            if self._pid != os.getpid():  # first use, or a forked child: no thread here yet
                self._pid = os.getpid()
                self._sessions = weakref.WeakSet()
                self._wake = threading.Event()
                threading.Thread(target=self._run, daemon=True, name="session-keepalive").start()
            self._sessions.add(session)
        self._wake.set()  # a new lease may be shorter than the period slept on

    def renew(self) -> float:
        """Renews every session's lease now; returns the period until the next renewal."""
        pid = os.getpid()
        with self._lock:
            sessions = [s for s in self._sessions if s.owner == pid]
        groups: dict[tuple[int, str], list[Session]] = {}
        for session in sessions:
            if session.id is not None:
                groups.setdefault((id(session.connection), session.boot_id), []).append(session)
        period = _IDLE_PERIOD
        for (_, boot_id), group in groups.items():
            connection = group[0].connection
            try:
                lease = connection.version.lease_seconds
                if lease:
                    period = min(period, max(lease / 3, 0.2))
                    connection.keep_alive([s.id for s in group if s.id is not None], boot_id)
            except Exception:  # a service gone or busy: the next request recovers by replay
                continue
        return period

    def _run(self) -> None:
        period = _IDLE_PERIOD
        while True:
            self._wake.wait(period)
            self._wake.clear()
            period = self.renew()


#: This process's keeper.
KEEPER = KeepAlive()
