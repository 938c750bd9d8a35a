"""The worker process: serves one session's program, one request at a time.

A worker is started by the service (``python -m service.worker``) with a
connected control socket, and listens on a unix socket of its own so that a
local client can send steps to it directly. It is a plain command loop: read a
``WorkerRequest`` frame, run it, send a ``WorkerReply`` frame. It exits when the
service closes the control socket. An LLVM crash ends this process only.
"""

from __future__ import annotations

import argparse
import ctypes
import mmap
import os
import selectors
import shutil
import socket
import sys
import threading
import time
import traceback
from pathlib import Path

from google.protobuf.message import DecodeError

from service import benchmarks, observations
from service.episode import Episode
from service.llvm.actions import load_actions
from service.llvm.binding import lib
from service.llvm.toolchain import find_toolchain
from service.proto import compiler_env_pb2 as pb
from service.proto.constants import MAX_PROGRAM_BYTES
from service.proto.errors import (
    CompilerEnvError,
    InvalidArgument,
    ProgramTooLarge,
    ResetRequired,
)
from service.proto.frames import ConnectionClosed, recv_frame, send_frame
from service.sandbox import BusyStamp, SandboxLimits, arm_cpu_budget

__all__ = ["EXIT_OUT_OF_MEMORY", "Worker", "main"]

#: The exit status of a worker that ran out of memory.
EXIT_OUT_OF_MEMORY = 86


def _release_free_memory() -> None:
    """Gives the heap's free pages back to the system (glibc), so that a worker
    serving episode after episode does not keep its peak size."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


try:
    _LIBC: ctypes.CDLL | None = ctypes.CDLL("libc.so.6")
except OSError:  # not glibc
    _LIBC = None


class Worker:
    """The state of a worker: at most one episode."""

    def __init__(
        self,
        *,
        cpu_seconds: int = 0,
        max_program_bytes: int = MAX_PROGRAM_BYTES,
        allow_faults: bool = False,
    ) -> None:
        lib()
        self.table = load_actions(find_toolchain().major)
        self.episode: Episode | None = None
        self.cpu_seconds = cpu_seconds
        self.max_program_bytes = max_program_bytes
        self.allow_faults = allow_faults
        self._fault: pb.FaultRequest | None = None
        self._cpu_limit = 0.0  # the soft CPU limit in force, in seconds of process time

    def handle(self, request: pb.WorkerRequest) -> pb.WorkerReply:
        """Runs one request; errors become a reply with their status."""
        if self.cpu_seconds and time.process_time() + self.cpu_seconds / 2 > self._cpu_limit:
            # Every request gets between half and all of the budget; re-arming is rare.
            self._cpu_limit = arm_cpu_budget(self.cpu_seconds)
        try:
            kind = request.WhichOneof("kind")
            if kind == "step":
                self._maybe_fail()
                return pb.WorkerReply(step=self.step(request.step))
            if kind == "fault":
                self.arm_fault(request.fault)
                return pb.WorkerReply()
            if kind == "start":
                return pb.WorkerReply(start=self.start(request.start))
            raise InvalidArgument(f"unknown worker request {kind!r}")
        except CompilerEnvError as error:
            return pb.WorkerReply(
                code=error.status, error_type=type(error).__name__, message=str(error)
            )
        except MemoryError:
            raise  # the worker's state is unknown: die, and let the client replay elsewhere
        except Exception as error:  # a bug: report it rather than die
            return pb.WorkerReply(
                code=2,
                error_type="CompilerEnvError",
                message=f"internal error in the worker (a bug, please report it): {error!r}",
            )

    def arm_fault(self, fault: pb.FaultRequest) -> None:
        """Test-only: plans a fault; refused unless the service enabled fault injection."""
        if not self.allow_faults:
            raise InvalidArgument(
                "fault injection is disabled; it exists only for tests and is enabled by "
                "create_server(fault_injection=True)"
            )
        if fault.kind not in ("crash", "hang", "allocate") or fault.at_step < 1:
            raise InvalidArgument(f"bad fault request {fault}")
        self._fault = pb.FaultRequest(kind=fault.kind, at_step=fault.at_step)

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

    def _replace(self, episode: Episode) -> None:
        if self.episode is not None:
            self.episode.close()
            _release_free_memory()
        self.episode = episode

    def start(self, request: pb.StartSessionRequest) -> pb.StartSessionReply:
        benchmark = benchmarks.resolve(request.benchmark)
        if len(benchmark.bitcode) > self.max_program_bytes:
            raise ProgramTooLarge(
                f"{request.benchmark} is {len(benchmark.bitcode)} bytes of IR; this service "
                f"accepts at most {self.max_program_bytes} bytes (SandboxLimits.max_program_bytes)"
            )
        episode = Episode(benchmark, self.table)
        try:
            episode.apply(list(request.actions))
            values = episode.observe(list(request.observation_spaces))
        except BaseException:
            episode.close()
            raise
        self._replace(episode)
        return pb.StartSessionReply(
            benchmark=benchmark.uri,
            observations=[observations.to_proto(v) for v in values],
            worker_pid=os.getpid(),
        )

    def _current(self) -> Episode:
        if self.episode is None:
            raise ResetRequired("this session has no benchmark yet; call reset() first")
        return self.episode

    def step(self, request: pb.StepRequest) -> pb.StepReply:
        episode = self._current()
        names = list(request.observation_spaces)
        observations.check(names)  # before any action
        before = list(episode.actions)
        try:
            episode.apply(list(request.actions))
            values = episode.observe(names)
        except CompilerEnvError:
            if episode.actions != before:  # the actions ran, then something failed
                self._rewind(episode, before)
            raise
        return pb.StepReply(observations=[observations.to_proto(v) for v in values])

    def _rewind(self, episode: Episode, actions: list[int]) -> None:
        """Puts the episode back to ``actions`` (a step failed after changing it)."""
        self.start(pb.StartSessionRequest(benchmark=episode.benchmark.uri, actions=actions))


class Spinner:
    """Waits briefly, awake, for a direct client's next request after each reply.

    A training loop asks again within microseconds; a process that sleeps in
    the meantime pays a wake-up of tens of microseconds on every step. A miss
    (the client took longer) makes the worker skip spinning for a while, so a
    slow or idle client costs almost nothing.
    """

    def __init__(self, window: float = 200e-6, max_skip: int = 256) -> None:
        self.window = window
        self.max_skip = max_skip
        self.skip = 0
        self._penalty = 0

    def wait(self, sock: socket.socket) -> None:
        if self.skip:
            self.skip -= 1
            return
        deadline = time.perf_counter() + self.window
        sock.setblocking(False)
        try:
            while time.perf_counter() < deadline:
                try:
                    sock.recv(1, socket.MSG_PEEK)
                except BlockingIOError:
                    continue
                self._penalty = 0  # it came (or the peer left): keep spinning
                return
        finally:
            sock.setblocking(True)
        self._penalty = min(self._penalty * 2 or 1, self.max_skip)
        self.skip = self._penalty


def serve(
    worker: Worker,
    control: socket.socket,
    listener: socket.socket,
    stamp: BusyStamp | None = None,
    spinner: Spinner | None = None,
) -> None:
    """Answers frames from the control socket and from direct clients until the service leaves."""
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ)
    selector.register(listener, selectors.EVENT_READ)
    while True:
        for key, _ in selector.select():
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            if sock is listener:
                client, _ = listener.accept()
                selector.register(client, selectors.EVENT_READ)
                continue
            try:
                request = recv_frame(sock, pb.WorkerRequest)
                if request.WhichOneof("kind") == "fork_worker":
                    sockets = [k.fileobj for k in selector.get_map().values()]
                    reply = fork_worker(worker, request.fork_worker, sockets)
                else:
                    if stamp is not None:
                        stamp.begin()
                    reply = worker.handle(request)
                    if stamp is not None:
                        stamp.end()
                send_frame(sock, reply)
                if spinner is not None and sock is not control:
                    spinner.wait(sock)
            except (ConnectionClosed, ConnectionResetError, BrokenPipeError, DecodeError):
                # A client gone, or one that left half a frame (an interrupted call):
                # drop its connection; the service's control socket ends the worker.
                selector.unregister(sock)
                sock.close()
                if sock is control:
                    return


def fork_worker(worker: Worker, request: pb.ForkWorkerRequest, sockets: list) -> pb.WorkerReply:
    """Forks this process into a new worker holding the same episode; returns its pid.

    The copy is a grandchild, so that it does not depend on this worker: its
    parent exits at once and the service (a child subreaper) adopts it.
    """
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the intermediate process
        os.close(read_end)
        grandchild = os.fork()
        if grandchild == 0:
            os.close(write_end)
            _become_fork(worker, request, sockets, intermediate=os.getppid())
        os.write(write_end, grandchild.to_bytes(4, "little"))
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        pid = int.from_bytes(pipe.read(4), "little")
    os.waitpid(child, 0)
    if not pid:
        raise CompilerEnvError("forking the worker failed")
    return pb.WorkerReply(forked=pb.ForkWorkerReply(pid=pid))


def _become_fork(
    worker: Worker, request: pb.ForkWorkerRequest, sockets: list, *, intermediate: int
) -> None:
    """The new worker's life: new sockets and directory, the same Worker object."""
    status = 0
    try:
        for sock in sockets:
            sock.close()  # the original's: closing our copies leaves them open there
        os.chdir(request.workdir)
        _exit_when_orphaned({request.service_pid, intermediate})
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(request.listen)
        listener.listen(4)  # before calling back: clients may connect as soon as we do
        control = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        control.connect(request.control)
        serve(worker, control, listener, BusyStamp(request.busy_stamp), Spinner())
    except MemoryError:
        status = EXIT_OUT_OF_MEMORY
    except BaseException:
        traceback.print_exc()
        status = 1
    finally:
        Path(request.listen).unlink(missing_ok=True)
        shutil.rmtree(request.workdir, ignore_errors=True)
        os._exit(status)


def _exit_when_orphaned(parents: set[int] | None = None) -> None:
    """Ends this worker when its service dies, even in the middle of a long pass.

    ``parents``: the processes whose child this worker may be (default: its parent now).
    """
    allowed = parents or {os.getppid()}

    def watch() -> None:
        while os.getppid() in allowed:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="orphan-watch").start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A compiler_env worker process.")
    parser.add_argument("--control-fd", type=int, required=True)
    parser.add_argument("--listen", required=True, help="unix socket path for direct clients")
    parser.add_argument("--workdir", help="a private directory to remove at exit")
    parser.add_argument("--busy-stamp", help="a file where the start of each request is noted")
    parser.add_argument("--allow-faults", action="store_true", help=argparse.SUPPRESS)
    SandboxLimits.add_arguments(parser)
    args = parser.parse_args(argv)
    limits = SandboxLimits.from_args(args)
    limits.apply()  # before LLVM is loaded: every allocation counts
    _exit_when_orphaned()
    control = socket.socket(fileno=args.control_fd)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(args.listen)
    listener.listen(4)
    try:
        worker = Worker(
            cpu_seconds=limits.cpu_seconds,
            max_program_bytes=limits.max_program_bytes,
            allow_faults=args.allow_faults,
        )
        try:
            send_frame(control, pb.WorkerReply())  # ready
        except BrokenPipeError:
            return 0  # the service left before this worker was needed
        stamp = BusyStamp(args.busy_stamp) if args.busy_stamp else None
        serve(worker, control, listener, stamp, Spinner())
    except MemoryError:
        print(
            f"worker {os.getpid()}: out of memory (limit {limits.address_space_mib} MiB)",
            file=sys.stderr,
        )
        os._exit(EXIT_OUT_OF_MEMORY)
    finally:
        listener.close()
        Path(args.listen).unlink(missing_ok=True)
        if args.workdir:
            shutil.rmtree(args.workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.pop("PYTHONSTARTUP", None)
    sys.exit(main())
