"""The worker's command line: ``python -m service.worker --control-fd N --listen PATH``."""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sys
from pathlib import Path

from service.proto import compiler_env_pb2 as pb
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
    listener.bind(args.listen)
    listener.listen(4)
    try:
        kind = FaultyWorker if args.allow_faults else Worker
        worker = kind(cpu_seconds=limits.cpu_seconds, max_program_bytes=limits.max_program_bytes)
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
