"""Creating and running the compiler service.

``create_server`` builds a started gRPC server and returns it with the address
it listens on, so tests can run the real service in-process. ``serve`` is the
command-line entry point (``python -m service``).
"""

from __future__ import annotations

import argparse
import ctypes
import hmac
import os
import secrets
import shutil
import signal
import sys
import tempfile
import threading
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1.health import HealthServicer

from service.proto import compiler_env_pb2_grpc as pb_grpc
from service.sandbox import SandboxLimits
from service.servicer import CompilerServicer, SessionLimits

__all__ = ["RunningService", "create_server", "main"]

SERVICE_NAME = "compiler_env.CompilerService"
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
    token: str | None = None  # what clients must send (generated for TCP unless given)

    def stop(self, grace: float | None = 1.0) -> None:
        """Stops serving, ends every worker and removes the private directory."""
        self.server.stop(grace).wait()
        self.servicer.close()
        shutil.rmtree(self.directory, ignore_errors=True)


class _TokenCheck(grpc.ServerInterceptor):
    """Refuses every call whose ``authorization`` metadata is not ``Bearer <token>``."""

    def __init__(self, token: str) -> None:
        self._expected = f"Bearer {token}".encode()

        def refuse(request: Any, context: grpc.ServicerContext) -> Any:
            context.abort(
                grpc.StatusCode.UNAUTHENTICATED,
                "this service requires a token: pass token=... to compiler_env.make()",
            )

        self._refusal = grpc.unary_unary_rpc_method_handler(refuse)

    def intercept_service(self, continuation: Any, details: grpc.HandlerCallDetails) -> Any:
        if details.method.startswith("/grpc.health.v1.Health/"):
            return continuation(details)  # probes need no token: they learn only "serving"
        for key, value in details.invocation_metadata or ():
            if key == "authorization" and hmac.compare_digest(value.encode(), self._expected):
                return continuation(details)
        return self._refusal


_PR_SET_CHILD_SUBREAPER = 36


def _adopt_orphans() -> None:
    """Makes this process adopt its orphaned descendants (Linux), such as forked workers,
    so that it can collect how they ended."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def create_server(
    address: str | None = None,
    *,
    pool_size: int = 1,
    max_workers: int = 16,
    limits: SandboxLimits | None = None,
    sessions: SessionLimits | None = None,
    token: str | None = None,
    allow_anonymous: bool = False,
    tls: tuple[bytes, bytes] | None = None,
    fault_injection: bool = False,
) -> RunningService:
    """Starts a service.

    Args:
        address: ``unix:PATH`` or ``HOST:PORT`` (port 0 picks a free one). The
            default is a unix socket in a new private directory, readable only
            by its owner. Use ``127.0.0.1:PORT`` for TCP on loopback.
        pool_size: how many warm workers to keep ready.
        max_workers: the gRPC thread pool size (concurrent requests).
        limits: the sandbox limits of every worker.
        sessions: how many sessions the service holds, and their lease.
        token: every call must carry ``authorization: Bearer <token>``. A TCP
            service without one generates one (``RunningService.token``): any
            local user can reach a loopback port.
        allow_anonymous: serve TCP without a token (warned on stderr).
        tls: ``(private_key_pem, certificate_chain_pem)`` to serve TCP over TLS.
        fault_injection: for tests only: lets clients make workers crash, hang
            or allocate without bound on a chosen step.
    """
    _adopt_orphans()
    directory = Path(tempfile.mkdtemp(prefix="compiler_env-"))
    os.chmod(directory, 0o700)
    if address is None:
        address = f"unix:{directory / 'service.sock'}"
    local = address.startswith("unix:")
    if not local and token is None:
        if allow_anonymous:
            print(
                f"warning: the compiler service at {address} requires no token: every user "
                "who can reach it (any local user, on loopback) can run the compiler as you",
                file=sys.stderr,
            )
        else:
            token = secrets.token_urlsafe(32)
    servicer = CompilerServicer(
        directory,
        direct_workers=local,
        pool_size=pool_size,
        limits=limits,
        sessions=sessions,
        fault_injection=fault_injection,
    )
    interceptors = [_TokenCheck(token)] if token else []
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers),
        options=GRPC_OPTIONS,
        interceptors=interceptors,
    )
    pb_grpc.add_CompilerServiceServicer_to_server(servicer, server)
    health = HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    try:
        if tls is not None:
            port = server.add_secure_port(address, grpc.ssl_server_credentials([tls]))
        else:
            port = server.add_insecure_port(address)
    except RuntimeError:
        servicer.close()
        shutil.rmtree(directory, ignore_errors=True)
        raise
    if not local:
        host = address.rsplit(":", 1)[0]
        address = f"{host}:{port}"
    server.start()
    servicer.pool.fill()
    for name in ("", SERVICE_NAME):  # the standard gRPC health service
        health.set(name, health_pb2.HealthCheckResponse.SERVING)
    return RunningService(server, servicer, address, directory, token)


def _detach_stdout() -> None:
    """Points stdout at /dev/null, so a reader that stopped reading can never block us."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _watch_parent(parent: int, done: threading.Event) -> None:
    while not done.wait(1.0):
        if os.getppid() != parent:
            done.set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service", description="The compiler service.")
    parser.add_argument("--address", help="unix:PATH or HOST:PORT (default: a private unix socket)")
    parser.add_argument(
        "--tcp", type=int, metavar="PORT", help="serve TCP on PORT (0: any free port) instead"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="with --tcp: the interface (default: loopback only)"
    )
    parser.add_argument(
        "--token-file",
        help="require the token in this file on every call (default for TCP: "
        "$COMPILER_ENV_TOKEN, or a new token printed on stderr)",
    )
    parser.add_argument(
        "--no-token", action="store_true", help="serve TCP without a token (anyone can use it)"
    )
    parser.add_argument(
        "--allow-root", action="store_true", help="serve TCP although running as root"
    )
    parser.add_argument("--tls-cert", help="with --tcp: serve TLS with this certificate (PEM)")
    parser.add_argument("--tls-key", help="with --tcp: the certificate's private key (PEM)")
    parser.add_argument("--pool-size", type=int, default=1, help="warm workers kept ready")
    SandboxLimits.add_arguments(parser)
    SessionLimits.add_arguments(parser)
    parser.add_argument(
        "--exit-with-parent", action="store_true", help="stop when the parent process exits"
    )
    args = parser.parse_args(argv)
    address = args.address
    if args.tcp is not None:
        address = f"{args.host}:{args.tcp}"
    token = Path(args.token_file).read_text().strip() if args.token_file else None
    tcp = address is not None and not address.startswith("unix:")
    if tcp and token is None and not args.no_token:
        token = os.environ.get("COMPILER_ENV_TOKEN") or None
    if tcp and os.geteuid() == 0 and not args.allow_root:
        parser.error(
            "refusing to serve TCP as root: a program sent by a client would run as root; "
            "run the service as an unprivileged user (docs/service.md, Operating a "
            "service), or pass --allow-root"
        )
    tls = None
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("TLS needs both --tls-cert and --tls-key")
    if args.tls_cert and args.tls_key:
        tls = (Path(args.tls_key).read_bytes(), Path(args.tls_cert).read_bytes())
    running = create_server(
        address,
        pool_size=args.pool_size,
        limits=SandboxLimits.from_args(args),
        sessions=SessionLimits.from_args(args),
        token=token,
        allow_anonymous=args.no_token,
        tls=tls,
    )
    print(running.address, flush=True)  # the client reads the address from here
    if tcp and running.token and token is None:
        print(
            f"compiler service: token {running.token} (clients: compiler_env.make(..., "
            "token=TOKEN), or COMPILER_ENV_TOKEN=TOKEN)",
            file=sys.stderr,
            flush=True,
        )
    _detach_stdout()
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
