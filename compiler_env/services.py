"""Where an env's service is: this process's shared local service, or an address.

``LocalService`` owns a service process that this process started; the
process's ``LOCAL`` registry shares one among its envs and stops it with its
last user. A process forked from another never touches its parent's service:
the registry notices the new pid and starts afresh.
"""

from __future__ import annotations

import atexit
import os
import select
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from compiler_env.connection import Connection
from service.proto.errors import ServiceUnavailable
from service.sandbox import SandboxLimits

__all__ = ["LOCAL", "LocalService", "LocalServices", "ServiceRef"]

START_TIMEOUT = 120.0
#: Objects inherited from a parent process (gRPC channels): never used or freed here.
_INHERITED: list[object] = []


def keep_inherited(thing: object) -> None:
    """Keeps an object inherited through ``fork()`` alive and untouched in this process."""
    _INHERITED.append(thing)


class LocalService:
    """A service process started by this process (``python -m service``)."""

    def __init__(self, args: tuple[str, ...] = ()) -> None:
        self.owner = os.getpid()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service", "--exit-with-parent", *args],
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], START_TIMEOUT)
        address = self.process.stdout.readline().strip() if ready else ""
        if not address:
            self.process.kill()
            code = self.process.wait()
            raise ServiceUnavailable(
                f"the local compiler service did not start within {START_TIMEOUT:.0f} s "
                f"(exit status {code}); run `python -m service` to see why"
            )
        self.process.stdout.close()  # the service prints nothing more
        self.connection = Connection(address)
        self.connection.check_version()
        atexit.register(self._at_exit)

    @property
    def directory(self) -> Path:
        """The service's private directory (its socket and its workers' files)."""
        return Path(self.connection.address.removeprefix("unix:")).parent

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, *, wait: bool = True) -> None:
        """Stops the service; without ``wait``, only asks it to stop (never blocks)."""
        atexit.unregister(self._at_exit)
        if os.getpid() != self.owner:
            return
        self.process.terminate()
        if not wait:
            return
        self.connection.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.remove_leftovers()

    def _at_exit(self) -> None:
        if os.getpid() == self.owner:  # atexit handlers survive fork(): not the child's
            self.stop()

    def remove_leftovers(self) -> None:
        """Removes the private directory of a service that could not do it itself."""
        if self.directory.name.startswith("compiler_env-"):
            shutil.rmtree(self.directory, ignore_errors=True)


class LocalServices:
    """This process's shared local service: started by its first user, stopped with its last.

    ``args``: flags of ``python -m service`` (e.g. sandbox limits) for a service
    shared by the envs that asked for the same ones.
    """

    def __init__(self, args: tuple[str, ...] = ()) -> None:
        self.args = args
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._service: LocalService | None = None
        self._users = 0
        self._late_releases: list[Connection] = []

    def _forget_if_forked(self) -> None:
        """In a forked child: the parent's service (and lock) are not this process's."""
        if self._pid != os.getpid():
            if self._service is not None:
                keep_inherited(self._service)
            self._pid, self._lock = os.getpid(), threading.Lock()
            self._service, self._users, self._late_releases = None, 0, []

    @property
    def current(self) -> LocalService | None:
        """The running local service of this process, if any."""
        self._forget_if_forked()
        return self._service

    def acquire(self) -> Connection:
        """A connection to the local service, starting it if needed."""
        self._forget_if_forked()
        with self._lock:
            self._release_late()
            service = self._service
            if service is not None and not service.alive():
                service.connection.close()
                service.remove_leftovers()  # it died: clean up after it
                self._service = service = None  # its users move on as they reconnect
                self._users = 0
            if service is None:
                self._service = service = LocalService(self.args)
            self._users += 1
            return service.connection

    def release(self, connection: Connection, *, blocking: bool = True) -> None:
        """One user less; the last stops the service.

        Without ``blocking`` (from ``__del__``) nothing waits: when the lock is
        taken, the release is done by the next user of the registry.
        """
        if self._pid != os.getpid():
            return  # the parent's
        if not self._lock.acquire(blocking=blocking):
            self._late_releases.append(connection)
            return
        try:
            self._release(connection, wait=blocking)
        finally:
            self._lock.release()

    def _release_late(self) -> None:
        while self._late_releases:
            self._release(self._late_releases.pop(), wait=True)

    def _release(self, connection: Connection, *, wait: bool) -> None:
        service = self._service
        if service is None or service.connection is not connection:
            return
        self._users -= 1
        if self._users <= 0:
            self._service, self._users = None, 0
            service.stop(wait=wait)


LOCAL = LocalServices()
_LIMITED: dict[tuple[str, ...], LocalServices] = {}  # local services with other limits


def local_services(limits: SandboxLimits | None) -> LocalServices:
    """The registry of this process's local service with these sandbox limits."""
    if limits is None or limits == SandboxLimits():
        return LOCAL
    args = tuple(limits.to_args())
    return _LIMITED.setdefault(args, LocalServices(args))


@dataclass
class ServiceRef:
    """Where an env's service is: the process's shared local one, or an address.

    ``connect()`` gives a connection; after the service is lost, ``reconnect()``
    restarts the local service (or waits for a remote one) and gives a new one.
    """

    address: str | None = None
    token: str | None = None
    root_certificates: bytes | None = None
    connect_timeout: float = 60.0
    limits: SandboxLimits | None = None  # of a local service

    def __post_init__(self) -> None:
        self.connection: Connection | None = None
        if self.address is not None and self.token is None:
            self.token = os.environ.get("COMPILER_ENV_TOKEN") or None

    @property
    def local(self) -> bool:
        return self.address is None

    @property
    def registry(self) -> LocalServices:
        """The local services this env shares (by its sandbox limits)."""
        return local_services(self.limits)

    def connect(self) -> Connection:
        if self.connection is None:
            if self.local:
                self.connection = self.registry.acquire()
            else:
                assert self.address is not None
                connection = Connection(
                    self.address, token=self.token, root_certificates=self.root_certificates
                )
                try:
                    connection.wait_ready(self.connect_timeout)
                    connection.check_version()
                except BaseException:
                    connection.close()
                    raise
                self.connection = connection
        return self.connection

    def reconnect(self) -> Connection:
        """A connection to a service that answers (restarting the local one if it died)."""
        if self.local:
            current = self.registry.current
            if current is not None and self.connection is current.connection and current.alive():
                return self.connection
            old, self.connection = self.connection, None
            connection = self.connect()
            if old is not None and old is not connection:
                self.registry.release(old)
            return connection
        connection = self.connect()
        connection.wait_ready(self.connect_timeout)
        connection.check_version()  # a restarted service has a new boot id
        return connection

    def copy(self) -> ServiceRef:
        """Another user of the same service (for a forked env)."""
        other = ServiceRef(
            self.address, self.token, self.root_certificates, self.connect_timeout, self.limits
        )
        if self.local:
            other.connection = self.registry.acquire()
        elif self.connection is not None:
            other.connection = self.connection.copy()
        return other

    def release(self, *, blocking: bool = True) -> None:
        """This user is done: a remote channel is closed, a local service released.

        Without ``blocking`` (from ``__del__``), a remote channel is left for
        whoever ended the session with it to close.
        """
        connection, self.connection = self.connection, None
        if connection is None:
            return
        if self.local:
            self.registry.release(connection, blocking=blocking)
        elif blocking:
            connection.close()

    def forget(self) -> None:
        """Drops a connection inherited from a parent process without touching it."""
        if self.connection is not None:
            keep_inherited(self.connection)
        self.connection = None
