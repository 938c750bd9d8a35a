"""One worker process as the service sees it: start it, talk to it, watch it, stop it.

The other end of the socket is ``service.worker``.
"""

from __future__ import annotations

import itertools
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from service.proto import compiler_env_pb2 as pb
from service.proto.constants import STEP_BUDGET_EXIT
from service.proto.errors import (
    CompilerCrashed,
    DeadlineExceeded,
    from_status,
)
from service.proto.frames import ConnectionClosed, recv_frame, send_frame
from service.sandbox import EXIT_OUT_OF_MEMORY, BusyStamp, SandboxLimits, scrubbed_env

__all__ = ["WorkerHandle", "deadline_message", "describe_exit", "reap_strays"]

_ids = itertools.count(1)
UNKNOWN_EXIT = -1000  # the exit status of a process that could not be waited for


#: The process groups of every worker started here: each worker leads its own,
#: and what it starts (clang, generators, programs) runs in it.
_GROUPS: set[int] = set()


def _kill_group(pgid: int) -> None:
    """SIGKILLs a worker's process group: the worker and everything it started."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def reap_strays() -> int:
    """Collects the exit of processes that a dead worker left behind.

    This process is a child subreaper, so a compiler whose worker was killed
    becomes its child; once it ends it is a zombie until collected here. Only
    zombies in a worker's process group that are not workers themselves are
    collected (a worker's exit belongs to its handle). Returns how many.
    """
    reaped = 0
    for pid in _children():
        if pid in _GROUPS:
            continue
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, pgid = fields[0], int(fields[2])
        if state == "Z" and pgid in _GROUPS:
            try:
                os.waitpid(pid, os.WNOHANG)
                reaped += 1
            except ChildProcessError:
                pass
    return reaped


def _children() -> list[int]:
    pids: list[int] = []
    for task in Path("/proc/self/task").iterdir():
        try:
            pids.extend(int(p) for p in (task / "children").read_text().split())
        except OSError:
            continue
    return pids


def describe_exit(code: int | None, limits: SandboxLimits) -> str:
    """Why a worker process ended, in words."""
    if code is None:
        return "it stopped answering"
    if code == UNKNOWN_EXIT:
        return "it ended (its exit status could not be collected)"
    if code == EXIT_OUT_OF_MEMORY:
        return f"it ran out of memory (limit {limits.address_space_mib} MiB)"
    if code < 0:
        name = signal.Signals(-code).name
        if -code == signal.SIGALRM:
            return STEP_BUDGET_EXIT
        if -code == signal.SIGXCPU:
            return f"it exceeded its CPU time limit of {limits.cpu_seconds} s ({name})"
        return f"it was killed by {name}"
    return f"it exited with status {code}"


def deadline_message(timeout: float) -> str:
    return (
        f"the worker did not answer within its deadline of {timeout:g} s and was killed; "
        "a pass may loop forever on this program (the deadline is the service's "
        "SandboxLimits.request_timeout, or an env's shorter make(..., deadline=...))"
    )


class AdoptedProcess:
    """A worker forked from another worker, adopted by the service (a child subreaper).

    It has the small part of ``subprocess.Popen``'s interface that workers need.
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                done, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # not adopted (yet): it exists or is gone
                if not Path(f"/proc/{self.pid}").exists():
                    self.returncode = UNKNOWN_EXIT
                return self.returncode
            if done:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout or 0.0)
            time.sleep(0.01)
        return code

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class WorkerHandle:
    """One worker process and the service's control connection to it."""

    def __init__(
        self,
        socket_dir: Path,
        limits: SandboxLimits,
        *,
        allow_faults: bool = False,
        env: dict[str, str] | None = None,
        parent: WorkerHandle | None = None,
    ) -> None:
        """Starts a worker, or, with ``parent``, forks that worker's process."""
        self.id = next(_ids)
        self.limits = limits
        self.address = str(socket_dir / f"worker-{self.id}.sock")
        self.workdir = tempfile.mkdtemp(prefix=f"worker-{self.id}-", dir=socket_dir)
        self._lock = threading.Lock()
        stamp_path = str(Path(self.workdir) / "busy")
        self.stamp = BusyStamp(stamp_path, create=True)
        self.ended_because = ""  # set when the service ends the worker itself
        self.killed_at_deadline = False
        self.touched = time.monotonic()  # the last request the service passed on
        self.deadline = limits.request_timeout  # of each request; a session may ask for less
        self._ready = False
        self.process: subprocess.Popen[bytes] | AdoptedProcess
        if parent is not None:
            self._fork(parent, stamp_path)
            return
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        command = [
            sys.executable, "-m", "service.worker", "--control-fd", str(theirs.fileno()),
            "--listen", self.address, "--workdir", self.workdir, "--busy-stamp", stamp_path,
            *limits.to_args(),
        ]  # fmt: skip
        if allow_faults:
            command.append("--allow-faults")
        self.process = subprocess.Popen(
            command,
            pass_fds=[theirs.fileno()],
            cwd=self.workdir,
            env=scrubbed_env(self.workdir, env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, killed with it
        )
        _GROUPS.add(self.process.pid)
        theirs.close()
        self.control = ours

    def _fork(self, parent: WorkerHandle, stamp_path: str) -> None:
        rendezvous = str(Path(self.workdir) / "control.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(rendezvous)
            listener.listen(1)
            listener.settimeout(self.limits.request_timeout)
            request = pb.ForkWorkerRequest(
                control=rendezvous,
                listen=self.address,
                workdir=self.workdir,
                busy_stamp=stamp_path,
                service_pid=os.getpid(),
            )
            reply = parent.call(pb.WorkerRequest(fork_worker=request))
            self.process = AdoptedProcess(reply.forked.pid)
            _GROUPS.add(reply.forked.pid)  # a fork leads a group of its own too
            try:
                self.control, _ = listener.accept()
            except TimeoutError as error:
                self.process.kill()
                raise CompilerCrashed("the forked worker never called back") from error
        except BaseException:
            self.stamp.close()
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise
        finally:
            listener.close()
            Path(rendezvous).unlink(missing_ok=True)
        self._ready = True

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_ready(self) -> None:
        """Blocks until the worker has loaded LLVM and is listening."""
        if not self._ready:
            with self._lock:
                reply = self._receive(self.limits.request_timeout)
            if reply.code:  # it could not start, and said why
                raise from_status(reply.code, reply.error_type, reply.message)
            self._ready = True

    def _receive(self, timeout: float) -> pb.WorkerReply:
        self.control.settimeout(timeout)
        try:
            return recv_frame(self.control, pb.WorkerReply)
        except TimeoutError as error:
            self.kill(deadline_message(timeout), deadline=True)
            raise DeadlineExceeded(self.ended_because) from error
        except (ConnectionClosed, ConnectionResetError, OSError) as error:
            try:
                code = self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                code = None
            raise CompilerCrashed(
                "the worker process died while serving the request: "
                f"{self.ended_because or describe_exit(code, self.limits)}"
            ) from error

    def call(self, request: pb.WorkerRequest, timeout: float | None = None) -> pb.WorkerReply:
        """Sends one request and returns the worker's reply, raising its error."""
        self.wait_ready()
        with self._lock:
            try:
                send_frame(self.control, request)
            except OSError:
                pass  # the reply read below reports the death
            reply = self._receive(timeout or self.deadline)
        if reply.code:
            raise from_status(reply.code, reply.error_type, reply.message)
        return reply

    def kill(self, because: str = "", *, deadline: bool = False) -> None:
        """Ends the worker at once (SIGKILL), noting why."""
        if self.alive():
            self.killed_at_deadline = self.killed_at_deadline or deadline
            self.ended_because = self.ended_because or because
            _kill_group(self.pid)
            self.process.kill()
        self.process.wait()

    def overdue(self) -> bool:
        """Whether the current request has run past the deadline."""
        try:
            return self.stamp.busy_for() > self.deadline
        except ValueError:  # stopped meanwhile: its stamp is closed
            return False

    def stopped(self) -> bool:
        """Whether the worker process is stopped (SIGSTOP, SIGTSTP, a tracer)."""
        try:
            state = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return state in ("T", "t")

    def touch(self) -> None:
        """Notes a use of the session (its lease starts again)."""
        self.touched = time.monotonic()

    def idle_for(self) -> float:
        """Seconds since the session was last used, through the service or directly
        (0.0 while a request runs)."""
        try:
            if self.stamp.busy_for():
                return 0.0
            return time.monotonic() - max(self.touched, self.stamp.last_ended())
        except ValueError:  # stopped meanwhile: its stamp is closed
            return 0.0

    def death(self) -> str:
        """Why the worker ended, or "" while it runs."""
        if self.ended_because:  # the service killed it (poll() may race with that kill)
            return self.ended_because
        code = self.process.poll()
        if code is None and self._hung_up():
            try:  # its socket is closed: it is dying, its status comes in a moment
                code = self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                return ""
        return "" if code is None else describe_exit(code, self.limits)

    def _hung_up(self) -> bool:
        """Whether the worker's end of the control socket is closed."""
        if self.control.fileno() < 0 or not self._lock.acquire(blocking=False):
            return False  # closed, or a call is using the socket (it will see the death)
        try:
            return bool(select.select([self.control], [], [], 0)[0]) and (
                self.control.recv(1, socket.MSG_PEEK) == b""
            )
        except OSError:
            return True
        finally:
            self._lock.release()

    def stop(self) -> None:
        """Ends the worker and removes its files."""
        self.control.close()
        try:
            self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            self.kill()
        _kill_group(self.pid)  # whatever it started and left running
        self.stamp.close()
        Path(self.address).unlink(missing_ok=True)
        shutil.rmtree(self.workdir, ignore_errors=True)
