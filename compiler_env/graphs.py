"""Program graphs: the ``Programl`` observations as numpy arrays and networkx graphs.

The service sends a program graph packed by its native builder (little-endian
int32 columns, then the node texts; docs/programl.md). ``unpack`` turns it into
the arrays of ``ProgramlArrays``, with no Python loop over nodes or edges;
``graph``, ``to_networkx`` and ``from_json`` make the ``networkx.MultiDiGraph``
of ``Programl``; ``graph`` fills it with the client's C extension
(``compiler_env/native/graph.c``) where it was built, else as ``to_networkx`` does.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from service.proto.errors import ServiceVersionMismatch

try:
    from compiler_env import _graph
except ImportError:  # installed without a C compiler: the same graph, made in Python
    _graph = None  # type: ignore[assignment]

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["EDGE_FLOWS", "NODE_TYPES", "from_json", "graph", "root_only", "to_networkx", "unpack"]

#: Node kinds by their ``node_type`` value.
NODE_TYPES: tuple[str, ...] = ("instruction", "variable", "constant")
#: Edge flows by their ``edge_flow`` value.
EDGE_FLOWS: tuple[str, ...] = ("control", "data", "call")

_MAGIC = 0x4C475250
_VERSION = 1
_HEADER = 8
_ROOT = "[external]"


def _strings(words: NDArray[np.int32], data: bytes, at: int, count: int) -> tuple[list[str], int]:
    """``count`` strings stored as offsets then bytes from word ``at``, and the word after."""
    offsets = words[at : at + count + 1].tolist()
    start = (at + count + 1) * 4
    blob = data[start : start + offsets[-1]].decode("utf-8", "replace")
    if blob.isascii():
        values = [blob[a:b] for a, b in zip(offsets, offsets[1:])]
    else:  # offsets count bytes
        raw = data[start : start + offsets[-1]]
        values = [raw[a:b].decode("utf-8", "replace") for a, b in zip(offsets, offsets[1:])]
    return values, at + count + 1 + (offsets[-1] + 3) // 4


def unpack(data: bytes) -> dict[str, Any]:
    """The arrays of a packed program graph (``ProgramlArrays``).

    Returns:
        ``node_type`` (int8: 0 instruction, 1 variable, 2 constant),
        ``node_text_id`` (int32, an index into ``node_texts``), ``node_texts``
        (the graph's vocabulary, a numpy array of str), ``node_function`` and
        ``node_block`` (int32, -1 where none), ``edge_index`` (int32, shape
        ``(2, E)``: sources, then targets), ``edge_flow`` (int8: 0 control,
        1 data, 2 call) and ``edge_position`` (int32); with full texts also
        ``node_full_text`` (a numpy array of str).

    Raises:
        ServiceVersionMismatch: the data is not a packed program graph of this version.
    """
    return _unpack(data, texts_as_lists=False)


def _unreadable(why: str = "") -> ServiceVersionMismatch:
    return ServiceVersionMismatch(
        f"the service sent a program graph this client cannot read{why} (another "
        "version); use a client and service from the same release"
    )


def _unpack(data: bytes, texts_as_lists: bool) -> dict[str, Any]:
    words = np.frombuffer(data, dtype="<i4", count=len(data) // 4)
    if len(words) < _HEADER or words[0] != _MAGIC or words[1] != _VERSION:
        raise _unreadable()
    nodes, edges, texts, full_text = (int(value) for value in words[2:6])
    at = _HEADER

    def column(length: int) -> NDArray[np.int32]:
        nonlocal at
        values = words[at : at + length]
        at += length
        return values

    node_type, text_id, function, block = (column(nodes) for _ in range(4))
    source, target, flow, position = (column(edges) for _ in range(4))
    vocabulary, at = _strings(words, data, at, texts)
    arrays: dict[str, Any] = {
        "node_type": node_type.astype(np.int8),
        "node_text_id": text_id.astype(np.int32),
        "node_texts": vocabulary if texts_as_lists else np.array(vocabulary, dtype=str),
        "node_function": function.astype(np.int32),
        "node_block": block.astype(np.int32),
        "edge_index": np.stack([source, target]).astype(np.int32),
        "edge_flow": flow.astype(np.int8),
        "edge_position": position.astype(np.int32),
    }
    if full_text:
        full, at = _strings(words, data, at, nodes)
        arrays["node_full_text"] = full if texts_as_lists else np.array(full, dtype=str)
    return arrays


def root_only() -> dict[str, Any]:
    """The arrays of the graph of a module without function bodies: the root alone."""
    header = [_MAGIC, _VERSION, 1, 0, 1, 1, 0, 0]
    words = [*header, 0, 0, -1, -1, 0, len(_ROOT), 0, len(_ROOT)]
    root = _ROOT.encode().ljust(-(-len(_ROOT) // 4) * 4, b"\0")
    return unpack(np.array(words[:14], dtype="<i4").tobytes() + root
                  + np.array(words[14:], dtype="<i4").tobytes() + root)  # fmt: skip


def graph(data: bytes) -> nx.MultiDiGraph:
    """The ``networkx.MultiDiGraph`` of a packed program graph (``Programl``):
    ``to_networkx(unpack(data))``'s graph, made by the C extension where there is one."""
    if _graph is None:
        return to_networkx(_unpack(data, texts_as_lists=True))
    import networkx as nx

    made = nx.MultiDiGraph()
    try:
        _graph.fill_graph(data, made._node, made._succ, made._pred)
    except ValueError as error:
        raise _unreadable(f" ({error})") from None
    return made


def _list(values: Any) -> list[Any]:
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


def to_networkx(arrays: dict[str, Any]) -> nx.MultiDiGraph:
    """The ``networkx.MultiDiGraph`` of a program graph's arrays (``unpack``'s).

    Nodes carry ``type``, ``text``, ``function``, ``block`` (and ``full_text``
    when the arrays have it); edges ``flow`` and ``position``, keyed 0, 1, ...
    among the edges of one pair of nodes, as ``add_edge`` would key them.
    """
    import networkx as nx

    texts = _list(arrays["node_texts"])
    words = [texts[i] for i in arrays["node_text_id"].tolist()]
    columns = zip(arrays["node_type"].tolist(), words, arrays["node_function"].tolist(),
                  arrays["node_block"].tolist())  # fmt: skip
    n = len(words)
    sources, targets = arrays["edge_index"]
    keys = _edge_keys(sources, targets, n)
    first = keys == 0  # the first edge of its pair of nodes
    graph = nx.MultiDiGraph()
    # The graph's own dicts are filled directly (each node's attributes, its successors'
    # and predecessors' key dicts, one shared per pair of nodes): the graph add_nodes_from
    # and add_edges_from make, without their checks per element, which cost ten times
    # more. The collector is paused meanwhile: the new dicts hold no cycles, and its
    # passes over them would double the cost.
    nodes, succ, pred = graph._node, graph._succ, graph._pred
    with _collector_paused():
        if "node_full_text" in arrays:
            full = _list(arrays["node_full_text"])
            attributes = [{"type": t, "text": w, "function": f, "block": b, "full_text": x}
                          for (t, w, f, b), x in zip(columns, full)]  # fmt: skip
        else:
            attributes = [{"type": t, "text": w, "function": f, "block": b}
                          for t, w, f, b in columns]  # fmt: skip
        nodes.update(zip(range(n), attributes))
        succ.update(zip(range(n), [{} for _ in range(n)]))
        pred.update(zip(range(n), [{} for _ in range(n)]))
        flows, positions = arrays["edge_flow"].tolist(), arrays["edge_position"].tolist()
        data = [{"flow": f, "position": p} for f, p in zip(flows, positions)]
        # A pair's key dict is made with its first edge, in edge order, so each node's
        # successors and predecessors come in the order their first edges do; the
        # pair's later (parallel) edges are added to it after.
        pairs = [{0: data[i]} for i in np.flatnonzero(first).tolist()]
        for u, v, keyed in zip(sources[first].tolist(), targets[first].tolist(), pairs):
            succ[u][v] = pred[v][u] = keyed
        for i in np.flatnonzero(~first).tolist():
            succ[int(sources[i])][int(targets[i])][int(keys[i])] = data[i]
    return graph


def _edge_keys(sources: NDArray[np.int32], targets: NDArray[np.int32], n: int) -> NDArray[Any]:
    """Each edge's key: how many edges between the same two nodes come before it."""
    pairs = sources.astype(np.int64) * max(n, 1) + targets
    order = np.argsort(pairs, kind="stable")  # each pair's edges together, in edge order
    ordered = pairs[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    runs = np.diff(np.r_[starts, len(pairs)])
    keys = np.empty(len(pairs), dtype=np.int64)
    keys[order] = np.arange(len(pairs)) - np.repeat(starts, runs)
    return keys


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pauses Python's cyclic garbage collector (when it runs) for the block."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def from_json(text: str) -> nx.MultiDiGraph:
    """The ``networkx.MultiDiGraph`` of ``ProgramlJson``'s node-link text: the graph
    ``networkx.node_link_graph(json.loads(text), edges="links")`` gives, in a fraction
    of its time."""
    import networkx as nx

    data = json.loads(text)
    made = nx.MultiDiGraph()
    nodes, succ, pred = made._node, made._succ, made._pred
    with _collector_paused():
        for node in data["nodes"]:
            i = node.pop("id")
            nodes[i], succ[i], pred[i] = node, {}, {}
        for link in data["links"]:
            u, v, key = link.pop("source"), link.pop("target"), link.pop("key")
            keys = succ[u].get(v)
            if keys is None:
                keys = succ[u][v] = pred[v][u] = {}
            keys[key] = link
    return made
