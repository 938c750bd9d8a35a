"""The worker side of the socket: a process that serves one session's program.

A worker is started by the service (``python -m service.worker``) with a
connected control socket, and listens on a unix socket of its own so that a
local client can send steps to it directly. It answers one ``WorkerRequest``
frame at a time and exits when the service closes the control socket. An LLVM
crash ends this process only.

- ``session``: the state (at most one episode) and the one dispatcher;
- ``loop``: the command loop over the control and direct sockets;
- ``forking``: copying a worker into a new process, and orphan handling;
- ``faults``: a worker that also obeys planned faults, for tests;
- ``__main__``: the command line.

The service's side of the same socket is ``service.worker_handle`` (one
worker) and ``service.worker_pool`` (workers started ahead of need).
"""

from service.worker.session import Worker

__all__ = ["Worker"]
