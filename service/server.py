"""Creating and running the compiler service.

``create_server`` builds a started gRPC server and returns it with the address
it listens on, so tests can run the real service in-process. ``serve`` is the
command-line entry point (``python -m service``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import threading
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path

import grpc

from service.proto import compiler_env_pb2_grpc as pb_grpc
from service.servicer import CompilerServicer

__all__ = ["RunningService", "create_server", "main"]

_MESSAGE_LIMIT = 512 * 1024 * 1024
GRPC_OPTIONS = [
    ("grpc.max_send_message_length", _MESSAGE_LIMIT),
    ("grpc.max_receive_message_length", _MESSAGE_LIMIT),
]


@dataclass
class RunningService:
    """A started service: its gRPC server, servicer, address and private directory."""

    server: grpc.Server
    servicer: CompilerServicer
    address: str
    directory: Path

    def stop(self, grace: float | None = 1.0) -> None:
        """Stops serving, ends every worker and removes the private directory."""
        self.server.stop(grace).wait()
        self.servicer.close()
        shutil.rmtree(self.directory, ignore_errors=True)


def create_server(
    address: str | None = None, *, pool_size: int = 1, max_workers: int = 16
) -> RunningService:
    """Starts a service.

    Args:
        address: ``unix:PATH`` or ``HOST:PORT`` (port 0 picks a free one). The
            default is a unix socket in a new private directory.
        pool_size: how many warm workers to keep ready.
        max_workers: the gRPC thread pool size (concurrent requests).
    """
    directory = Path(tempfile.mkdtemp(prefix="compiler_env-"))
    os.chmod(directory, 0o700)
    if address is None:
        address = f"unix:{directory / 'service.sock'}"
    local = address.startswith("unix:")
    servicer = CompilerServicer(directory, direct_workers=local, pool_size=pool_size)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=max_workers), options=GRPC_OPTIONS)
    pb_grpc.add_CompilerServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port(address)
    if not local:
        host = address.rsplit(":", 1)[0]
        address = f"{host}:{port}"
    server.start()
    servicer.pool.fill()
    return RunningService(server, servicer, address, directory)


def _watch_parent(parent: int, done: threading.Event) -> None:
    while not done.wait(1.0):
        if os.getppid() != parent:
            done.set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service", description="The compiler service.")
    parser.add_argument("--address", help="unix:PATH or HOST:PORT (default: a private unix socket)")
    parser.add_argument("--pool-size", type=int, default=1, help="warm workers kept ready")
    parser.add_argument(
        "--exit-with-parent", action="store_true", help="stop when the parent process exits"
    )
    args = parser.parse_args(argv)
    running = create_server(args.address, pool_size=args.pool_size)
    print(running.address, flush=True)  # the client reads the address from here
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    if args.exit_with_parent:
        threading.Thread(target=_watch_parent, args=(os.getppid(), done), daemon=True).start()
    while not done.wait(0.5):
        pass
    running.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
