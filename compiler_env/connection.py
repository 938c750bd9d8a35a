"""A gRPC connection to a compiler service; every call raises this library's errors."""

from __future__ import annotations

import ipaddress
from typing import Any

import grpc

from service.proto import compiler_env_pb2 as pb
from service.proto import compiler_env_pb2_grpc as pb_grpc
from service.proto.constants import PROTOCOL_VERSION
from service.proto.errors import (
    CompilerEnvError,
    DeadlineExceeded,
    ServiceUnavailable,
    ServiceVersionMismatch,
    from_status,
)

__all__ = ["Connection", "HeldPrograms"]

_MESSAGE_LIMIT = 512 * 1024 * 1024
_OPTIONS = [
    ("grpc.max_send_message_length", _MESSAGE_LIMIT),
    ("grpc.max_receive_message_length", _MESSAGE_LIMIT),
]


class HeldPrograms:
    """The programs carried by ``inline://`` URIs that one run of a service holds, as
    far as a connection to it learnt: such a program is sent whole once, then named
    by its short URI.

    A run of a service is known by its boot id; a service that restarted (a new boot
    id) holds nothing this client knows of. What is known here is only a guess the
    service checks: it refuses a short URI whose program it has not kept
    (``BenchmarkNotFound``) and a request meant for another run of it
    (``SessionNotFound``), so a wrong guess costs one small request, never a wrong
    program (a short URI names its program by sha256).

    >>> held = HeldPrograms()
    >>> uri = "inline://" + "0" * 64 + "?data=eJw"
    >>> held.received(uri, "boot-1")
    >>> held.short_uri(uri, "boot-1") == uri.split("?")[0], held.short_uri(uri, "boot-2")
    (True, None)
    """

    def __init__(self) -> None:
        self.boot_id = ""
        #: Short URI -> whether the service holds its program (False: it said it did not).
        self._known: dict[str, bool] = {}

    def answered(self, boot_id: str) -> None:
        """The service answered with this boot id: a new one holds nothing known."""
        if boot_id and boot_id != self.boot_id:
            self._known = {}  # replaced, not cleared: another thread may be reading it
            self.boot_id = boot_id

    def short_uri(self, uri: str, boot_id: str) -> str | None:
        """``inline://<sha256>`` if the run ``boot_id`` holds the program of ``uri``, else None."""
        short = _short_form(uri)
        if short is None or not boot_id or boot_id != self.boot_id:
            return None
        return short if self._known.get(short) else None

    def received(self, uri: str, boot_id: str) -> None:
        """The run ``boot_id`` started an episode of ``uri``, sent whole: it keeps its program."""
        short = _short_form(uri)
        if short is None:
            return
        self.answered(boot_id)
        if boot_id == self.boot_id:
            self._known.setdefault(short, True)

    def refused(self, uri: str) -> None:
        """The service did not have the program of ``uri``'s short form: its run is
        sent it whole from now on (e.g. its cache was cleared while it ran)."""
        short = _short_form(uri)
        if short is not None:
            self._known[short] = False


def _short_form(uri: str) -> str | None:
    """The short form of an ``inline://`` URI that carries its program, else None."""
    if not uri.startswith("inline://"):
        return None
    short, carried, _ = uri.partition("?")
    return short if carried else None


class Connection:
    """A gRPC connection to a service; every call raises this library's errors.

    Args:
        address: ``unix:PATH`` or ``HOST:PORT``.
        token: sent as ``authorization: Bearer <token>`` on every call.
        root_certificates: PEM certificates to trust: connect with TLS.
        timeout: the deadline of a call, in seconds.
    """

    def __init__(
        self,
        address: str,
        *,
        token: str | None = None,
        root_certificates: bytes | None = None,
        timeout: float = 600.0,
    ) -> None:
        self.address = address
        self.timeout = timeout
        if root_certificates is not None:
            credentials = grpc.ssl_channel_credentials(root_certificates=root_certificates)
            self.channel = grpc.secure_channel(address, credentials, options=_OPTIONS)
        else:
            self.channel = grpc.insecure_channel(address, options=_OPTIONS)
        self.stub = pb_grpc.CompilerServiceStub(self.channel)
        self._metadata = (("authorization", f"Bearer {token}"),) if token else ()
        self._spaces: pb.GetSpacesReply | None = None
        self._version: pb.GetVersionReply | None = None
        self._token = token
        self._root_certificates = root_certificates
        self._ended_later: list[pb.EndSessionRequest] = []
        #: The inline programs the service holds (shared by this connection's copies).
        self.programs = HeldPrograms()

    def copy(self) -> Connection:
        """Another connection to the same service (gRPC shares the transport)."""
        other = Connection(
            self.address,
            token=self._token,
            root_certificates=self._root_certificates,
            timeout=self.timeout,
        )
        other._spaces, other._version = self._spaces, self._version
        other.programs = self.programs  # the same service
        return other

    def call(self, method: str, request: Any, *, timeout: float | None = None) -> Any:
        """Calls an RPC by name, e.g. ``call("Step", request)``."""
        while self._ended_later:  # sessions of envs collected as garbage
            try:
                ended = self._ended_later.pop()
            except IndexError:  # another thread (a vector env's) took the last one
                break
            try:
                self._call("EndSession", ended, timeout)
            except CompilerEnvError:
                pass
        return self._call(method, request, timeout)

    def end_later(self, request: pb.EndSessionRequest) -> None:
        """Ends a session with the next call: safe where no call may be made (``__del__``)."""
        self._ended_later.append(request)  # list.append is atomic: no lock to take

    def end_and_close(self, request: pb.EndSessionRequest) -> None:
        """Ends a session, then closes the channel, without waiting for either."""
        try:
            future = self.stub.EndSession.future(request, timeout=10.0, metadata=self._metadata)
            future.add_done_callback(lambda _: self.channel.close())
        except Exception:  # the channel is closed already, or the process is ending
            pass

    def _call(self, method: str, request: Any, timeout: float | None) -> Any:
        try:
            return getattr(self.stub, method)(
                request, timeout=timeout or self.timeout, metadata=self._metadata
            )
        except grpc.RpcError as error:
            raise _translate(error, self.address) from error
        except ValueError as error:  # "Cannot invoke RPC on closed channel!"
            raise ServiceUnavailable(
                f"the connection to the compiler service at {self.address} was closed ({error})"
            ) from None

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Blocks until the service answers (with its version, checked).

        A call that waits for the channel, rather than a connectivity watcher,
        so that no gRPC thread outlives the wait and races ``close()``.
        """
        try:
            self.stub.GetVersion(
                pb.GetVersionRequest(),
                timeout=timeout,
                metadata=self._metadata,
                wait_for_ready=True,
            )
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.DEADLINE_EXCEEDED:  # type: ignore[attr-defined]
                raise _translate(error, self.address) from error
            raise ServiceUnavailable(
                f"no compiler service answered at {self.address} within {timeout:.0f} s; "
                f"{self._why_unanswered()}"
            ) from None

    def _why_unanswered(self) -> str:
        """What one more try, without waiting, says about the transport."""
        try:
            self.stub.GetVersion(pb.GetVersionRequest(), timeout=2.0, metadata=self._metadata)
        except grpc.RpcError as error:
            details = (error.details() or "").lower()  # type: ignore[attr-defined]
            if "ssl" in details or "handshake" in details or "tls" in details:
                tls = self._root_certificates is not None
                return "the TLS handshake failed: " + (
                    "the service may not serve TLS (drop tls_root_certificates), or its "
                    "certificate is not one these roots trust"
                    if tls
                    else "the service serves TLS; pass tls_root_certificates=<PEM>"
                )
            if "socket closed" in details and self._root_certificates is None:
                return (
                    "it closed the connection at once, as a TLS service does to a plain "
                    "client: pass tls_root_certificates=<PEM> if it serves TLS"
                )
            host = self.address.rsplit(":", 1)[0].strip("[]")
            if "connection refused" in details and _is_ip(host):  # a name may have several
                return (
                    "nothing listens there; is it running? "
                    "(start one with: python -m service --tcp PORT)"
                )
            return f"is it running? (start one with: python -m service --tcp PORT; {details})"
        return "is it running? (start one with: python -m service --tcp PORT)"

    @property
    def spaces(self) -> pb.GetSpacesReply:
        if self._spaces is None:
            self._spaces = self.call("GetSpaces", pb.GetSpacesRequest())
        return self._spaces

    @property
    def version(self) -> pb.GetVersionReply:
        """The service's version reply (cached; ``check_version`` asks again)."""
        if self._version is None:
            self.check_version()
        assert self._version is not None
        return self._version

    def check_version(self) -> pb.GetVersionReply:
        """Asks the service for its version now; refuses one that speaks another protocol.

        Raises:
            ServiceVersionMismatch: the service's wire contract is not this client's.
        """
        version = self.call("GetVersion", pb.GetVersionRequest())
        if version.protocol_version != PROTOCOL_VERSION:
            raise ServiceVersionMismatch(
                f"the compiler service at {self.address} speaks protocol version "
                f"{version.protocol_version} (compiler_env {version.service_version or '?'}), "
                f"this client speaks {PROTOCOL_VERSION}: install the same compiler_env "
                "version on both sides"
            )
        self._version = version
        self.programs.answered(version.boot_id)
        return version

    def keep_alive(self, session_ids: list[str], boot_id: str) -> pb.KeepAliveReply:
        """Renews the leases of these sessions (safe from another thread)."""
        request = pb.KeepAliveRequest(session_ids=session_ids, boot_id=boot_id)
        reply: pb.KeepAliveReply = self._call("KeepAlive", request, 10.0)
        return reply

    def close(self) -> None:
        """Ends the sessions left to end, then closes the channel."""
        if self._ended_later:
            try:
                self.call("GetVersion", pb.GetVersionRequest(), timeout=5.0)
            except CompilerEnvError:
                pass
        self.channel.close()


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _translate(error: grpc.RpcError, address: str) -> CompilerEnvError:
    code = error.code()  # type: ignore[attr-defined]
    details = error.details() or ""  # type: ignore[attr-defined]
    error_type = ""
    for key, value in error.trailing_metadata() or ():  # type: ignore[attr-defined]
        if key == "error-type":
            error_type = value
    if code == grpc.StatusCode.UNAVAILABLE and not error_type:
        return ServiceUnavailable(
            f"the compiler service at {address} is unavailable ({details}); check that it "
            "is running and reachable"
        )
    if code == grpc.StatusCode.DEADLINE_EXCEEDED and not error_type:
        return DeadlineExceeded(f"the compiler service at {address} did not answer in time")
    return from_status(code, error_type, details)
