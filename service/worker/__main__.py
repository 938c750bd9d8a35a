"""The worker's command line: ``python -m service.worker --control-fd N --listen PATH``."""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sys
from pathlib import Path

from service.proto import compiler_env_pb2 as pb
from service.proto.errors import CompilerEnvError
from service.proto.frames import send_frame
from service.sandbox import EXIT_OUT_OF_MEMORY, BusyStamp, SandboxLimits
from service.worker.faults import FaultyWorker
from service.worker.forking import exit_when_orphaned
from service.worker.loop import Spinner, serve
from service.worker.session import Worker


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
    exit_when_orphaned()
    control = socket.socket(fileno=args.control_fd)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(args.listen)
    except OSError:
        if not Path(args.listen).parent.is_dir():
            return 0  # the service died and took its directory: nobody needs this worker
        raise
    listener.listen(4)
    try:
        kind = FaultyWorker if args.allow_faults else Worker
        try:
            worker = kind(
                cpu_seconds=limits.cpu_seconds, max_program_bytes=limits.max_program_bytes
            )
        except (Exception, MemoryError) as error:  # e.g. no LLVM: the service reports why
            _report_start_failure(control, error, limits)
            return 1
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


def _report_start_failure(
    control: socket.socket, error: BaseException, limits: SandboxLimits
) -> None:
    message = f"a worker process could not start: {error}"
    if isinstance(error, MemoryError) or "map segment" in message:
        message += (
            f" (workers run under {limits.address_space_mib} MiB of address space: "
            "raise SandboxLimits.address_space_mib / --address-space-mib)"
        )
    known = isinstance(error, CompilerEnvError)
    reply = pb.WorkerReply(
        code=error.status if isinstance(error, CompilerEnvError) else CompilerEnvError.status,
        error_type=type(error).__name__ if known else "CompilerEnvError",
        message=message,
    )
    try:
        send_frame(control, reply)
    except OSError:
        pass  # the service left


if __name__ == "__main__":
    os.environ.pop("PYTHONSTARTUP", None)
    try:
        sys.exit(main())
    except (KeyboardInterrupt, BrokenPipeError, ConnectionError):
        sys.exit(1)  # the service or its user ended it: nothing to say on their terminal
    except Exception as error:  # one line, never a traceback on the user's terminal
        print(
            f"compiler_env worker {os.getpid()}: {type(error).__name__}: {error}", file=sys.stderr
        )
        sys.exit(1)
