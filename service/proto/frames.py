"""Length-prefixed protobuf frames on a stream socket: the worker's wire format.

A frame is a 4-byte little-endian length followed by one serialized message.
Both the service and, on the local step path, the client speak it to workers.
"""

from __future__ import annotations

import socket
import struct
from typing import TypeVar

from google.protobuf.message import Message

__all__ = ["ConnectionClosed", "recv_frame", "send_frame"]

_HEADER = struct.Struct("<I")
M = TypeVar("M", bound=Message)


class ConnectionClosed(ConnectionError):
    """The peer closed the socket (for a worker: it most likely died)."""


def send_frame(sock: socket.socket, message: Message) -> None:
    """Sends one message as a frame."""
    payload = message.SerializeToString()
    sock.sendall(_HEADER.pack(len(payload)) + payload)


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        n = sock.recv_into(view[got:], size - got)
        if n == 0:
            raise ConnectionClosed("the peer closed the connection")
        got += n
    return bytes(buffer)


_FIRST_READ = 64 * 1024
#: The largest frame accepted: a larger length is a corrupt or hostile peer.
MAX_FRAME = 1024 * 1024 * 1024


def recv_frame(sock: socket.socket, message_type: type[M]) -> M:
    """Receives one frame and parses it as ``message_type``.

    The peer sends one frame and waits for the answer, so the first read may
    take everything available: most frames arrive in one system call.
    """
    data = sock.recv(_FIRST_READ)
    if not data:
        raise ConnectionClosed("the peer closed the connection")
    if len(data) < _HEADER.size:
        data += _recv_exactly(sock, _HEADER.size - len(data))
    (size,) = _HEADER.unpack_from(data)
    if size > MAX_FRAME:
        raise ConnectionClosed(f"a frame of {size} bytes is over the limit of {MAX_FRAME}")
    body = data[_HEADER.size :]
    if len(body) < size:
        body += _recv_exactly(sock, size - len(body))
    message = message_type()
    message.ParseFromString(body)
    return message
