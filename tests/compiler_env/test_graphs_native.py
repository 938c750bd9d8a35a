"""The client's C extension for Programl (compiler_env/native/graph.c): the same
networkx graph as the Python path, in the same order, refusal of buffers that are
not packed graphs, and adjacency dicts the cycle collector does not walk.

CI builds the extension: a missing one fails here instead of skipping.
"""

from __future__ import annotations

import gc
import struct
import weakref

import networkx as nx
import numpy as np
import pytest

from compiler_env import _graph, graphs
from service.llvm import features
from service.llvm.module import Context
from service.proto.errors import ServiceVersionMismatch


def packed(env, uri: str) -> bytes:
    """The packed graph with full texts of ``uri``'s program, as the worker sends it."""
    env.reset(options={"benchmark": uri})
    with Context() as context, context.parse(env.observation["Bitcode"]) as module:
        return features.programl(module, full_text=True)


def layout(graph: nx.MultiDiGraph) -> tuple[list, list, list, list]:
    """Everything about a graph that order can change: nodes with their attributes in
    key order, each node's successors and predecessors in order, and every edge's key
    and attributes in key order."""
    nodes = [(n, list(d.items())) for n, d in graph.nodes(data=True)]
    succ = [(n, list(adjacent)) for n, adjacent in graph.succ.items()]
    pred = [(n, list(adjacent)) for n, adjacent in graph.pred.items()]
    edges = [(u, v, k, list(d.items())) for u, v, k, d in graph.edges(keys=True, data=True)]
    return nodes, succ, pred, edges


@pytest.fixture(scope="module")
def env(service):
    import compiler_env

    with compiler_env.make("llvm-v0", service=service.address) as made:
        yield made


@pytest.fixture(scope="module")
def stress(env) -> bytes:
    """A generated program with parallel edges (an instruction using one value twice)."""
    return packed(env, "generator://llvm-stress-v0/7")


def test_native_graph_is_the_python_graph_on_every_kernel(env, stress: bytes) -> None:
    uris = [*env.datasets["kernels-v0"].benchmark_uris(), "generator://llvm-stress-v0/7"]
    assert len(uris) > 10
    for uri in uris:
        data = stress if uri.startswith("generator:") else packed(env, uri)
        made = graphs.graph(data)
        reference = graphs.to_networkx(graphs._unpack(data, texts_as_lists=True))
        assert layout(made) == layout(reference), uri
        edges = list(made.edges(keys=True, data=True))
        assert len({id(d) for *_, d in edges}) == len(edges), uri  # a dict per edge
    assert max(k for _, _, k in made.edges(keys=True)) > 0  # parallel edges were met


def test_without_the_extension_the_graph_is_the_same(stress: bytes, monkeypatch) -> None:
    made = layout(graphs.graph(stress))
    monkeypatch.setattr(graphs, "_graph", None)
    assert layout(graphs.graph(stress)) == made


def test_edges_and_nodes_are_their_own(stress: bytes) -> None:
    made = graphs.graph(stress)
    u, v, k = next((u, v, k) for u, v, k in made.edges(keys=True) if k > 0)
    made.edges[u, v, k]["flow"] = 9
    assert [d["flow"] for *_, d in made.edges(keys=True, data=True)].count(9) == 1
    assert made._succ[u][v] is made._pred[v][u]  # one key dict per pair, as networkx keeps
    made.nodes[u]["type"] = 7
    assert [d["type"] for _, d in made.nodes(data=True)].count(7) == 1


def test_adjacency_is_left_to_reference_counting_until_changed(stress: bytes) -> None:
    made = graphs.graph(stress)
    u, v = next(iter(made.edges()))
    assert not gc.is_tracked(made._succ[u]) and not gc.is_tracked(made._succ[u][v])
    assert not gc.is_tracked(made._pred[v])
    made.add_edge(u, v, flow=0, position=0)  # CPython tracks a dict given a container
    assert gc.is_tracked(made._succ[u][v]) and len(made._succ[u][v]) >= 2
    made.add_edge(u, "a new node")
    assert gc.is_tracked(made._succ[u])
    # Freed by reference counting alone, with the collector off.
    held = graphs.graph(stress)
    gone = weakref.ref(held)
    paused = gc.isenabled()
    gc.disable()
    try:
        del held
        assert gone() is None
    finally:
        if paused:
            gc.enable()


def _words(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<i4", count=len(data) // 4).copy()


@pytest.mark.parametrize(
    "column, value, reason",
    [
        (lambda n, e: 8 + n, 10**6, "text id is out of range"),  # first node's text id
        (lambda n, e: 8 + 4 * n, -1, "edge's node is out of range"),  # first edge's source
        (lambda n, e: 8 + 4 * n + e, 10**6, "edge's node is out of range"),  # its target
        (lambda n, e: 8 + 4 * n + 4 * e + 1, -5, "offsets are out of order"),  # a text's end
    ],
)
def test_corrupt_buffers_are_refused(stress: bytes, column, value: int, reason: str) -> None:
    words = _words(stress)
    words[column(int(words[2]), int(words[3]))] = value
    with pytest.raises(ServiceVersionMismatch, match=reason):
        graphs.graph(words.tobytes())


def test_cut_buffers_are_refused_or_whole(stress: bytes) -> None:
    whole = layout(graphs.graph(stress))
    for length in [*range(0, 64), *range(64, len(stress), 997), len(stress) - 1]:
        try:
            made = graphs.graph(stress[:length])
        except ServiceVersionMismatch as error:
            assert "cannot read" in str(error)
        else:  # only the last word's padding was cut
            assert length > len(stress) - 4 and layout(made) == whole
    header = struct.pack("<8i", 0x4C475250, 2, 1, 0, 1, 0, 0, 0)
    with pytest.raises(ServiceVersionMismatch, match="header"):
        graphs.graph(header)
    with pytest.raises(TypeError):
        _graph.fill_graph(stress, {}, {}, [])
