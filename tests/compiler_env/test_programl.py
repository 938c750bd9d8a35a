"""The Programl observations: graph structure checked against the IR, and the three
forms agreeing.

The expected graph is computed from the module itself through LLVM's C API
(instructions numbered in module order from 1, node 0 the external root), so
each check compares the native builder with an independent walk.
"""

from __future__ import annotations

import ctypes
import json
from collections import Counter
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pytest

from compiler_env import graphs
from service.llvm import binding, features
from service.llvm.module import Context, Module
from service.proto.errors import ServiceVersionMismatch

_VOID_TYPE_KIND = 0
_METADATA_TYPE_KIND = 14  # LLVMMetadataTypeKind
_RET = 1
_CALLS = {5, 45, 67}  # LLVMInvoke, LLVMCall, LLVMCallBr
_P = ctypes.c_void_p


@pytest.fixture(scope="module")
def capi() -> ctypes.CDLL:
    """libLLVM with the few C API functions the walk needs (its own handle's signatures)."""
    llvm = ctypes.CDLL(binding.lib()._name)
    for name in ("LLVMGetFirstFunction", "LLVMGetNextFunction", "LLVMGetFirstBasicBlock",
                 "LLVMGetNextBasicBlock", "LLVMGetFirstInstruction", "LLVMGetNextInstruction",
                 "LLVMGetOperand", "LLVMIsAFunction",
                 "LLVMGetCalledValue", "LLVMGetSuccessor", "LLVMIsATerminatorInst",
                 "LLVMGetFirstUse", "LLVMTypeOf"):  # fmt: skip
        getattr(llvm, name).restype = _P
        getattr(llvm, name).argtypes = [_P, ctypes.c_uint] if name in (
            "LLVMGetOperand", "LLVMGetSuccessor") else [_P]  # fmt: skip
    for name in ("LLVMIsDeclaration", "LLVMGetInstructionOpcode", "LLVMGetNumOperands",
                 "LLVMValueIsBasicBlock", "LLVMGetNumSuccessors", "LLVMGetTypeKind"):  # fmt: skip
        getattr(llvm, name).restype = ctypes.c_int
        getattr(llvm, name).argtypes = [_P]
    return llvm


@dataclass
class Expected:
    """The graph's instruction nodes and edges as the IR defines them."""

    instructions: int = 0
    control: list[tuple[int, int, int]] = field(default_factory=list)
    call: list[tuple[int, int, int]] = field(default_factory=list)
    #: (user, operand index) of every operand that is a data edge.
    operands: list[tuple[int, int]] = field(default_factory=list)
    #: Instructions whose result has uses.
    producers: list[int] = field(default_factory=list)


def _chain(first: object, step: object, start: object) -> list[int]:
    values = []
    value = first(start)  # type: ignore[operator]
    while value:
        values.append(value)
        value = step(value)  # type: ignore[operator]
    return values


def expected_graph(llvm: ctypes.CDLL, module: Module) -> Expected:
    """The walk: node ids by module order, then each edge rule of docs/programl.md."""
    handle = ctypes.cast(module.handle, _P).value
    functions = _chain(llvm.LLVMGetFirstFunction, llvm.LLVMGetNextFunction, handle)
    defined = [f for f in functions if not llvm.LLVMIsDeclaration(f)]
    ids: dict[int, int] = {}
    blocks: dict[int, list[int]] = {}
    for f in defined:
        for bb in _chain(llvm.LLVMGetFirstBasicBlock, llvm.LLVMGetNextBasicBlock, f):
            blocks[bb] = _chain(llvm.LLVMGetFirstInstruction, llvm.LLVMGetNextInstruction, bb)
            for instruction in blocks[bb]:
                ids[instruction] = len(ids) + 1
    entry = {f: ids[blocks[llvm.LLVMGetFirstBasicBlock(f)][0]] for f in defined}
    returns = {
        f: [ids[i] for bb in _chain(llvm.LLVMGetFirstBasicBlock, llvm.LLVMGetNextBasicBlock, f)
            for i in blocks[bb] if llvm.LLVMGetInstructionOpcode(i) == _RET]
        for f in defined
    }  # fmt: skip
    graph = Expected(instructions=len(ids))
    for f in defined:
        graph.call.append((0, entry[f], 0))
        graph.call += [(r, 0, 0) for r in returns[f]]
    for block in blocks.values():
        graph.control += [(ids[a], ids[b], 0) for a, b in zip(block, block[1:])]
        terminator = block[-1]
        for k in range(llvm.LLVMGetNumSuccessors(terminator)):
            first = blocks[llvm.LLVMGetSuccessor(terminator, k)][0]
            graph.control.append((ids[terminator], ids[first], k))
        for instruction in block:
            _instruction(llvm, graph, ids, entry, returns, instruction)
    return graph


def _instruction(
    llvm: ctypes.CDLL,
    graph: Expected,
    ids: dict[int, int],
    entry: dict[int, int],
    returns: dict[int, list[int]],
    instruction: int,
) -> None:
    me = ids[instruction]
    n = llvm.LLVMGetNumOperands(instruction)
    is_call = llvm.LLVMGetInstructionOpcode(instruction) in _CALLS
    for k in range(n):
        operand = llvm.LLVMGetOperand(instruction, k)
        metadata = llvm.LLVMGetTypeKind(llvm.LLVMTypeOf(operand)) == _METADATA_TYPE_KIND
        if llvm.LLVMValueIsBasicBlock(operand) or metadata:
            continue
        if is_call and k == n - 1 and llvm.LLVMIsAFunction(operand):
            continue
        graph.operands.append((me, k))
    kind = llvm.LLVMGetTypeKind(llvm.LLVMTypeOf(instruction))
    if kind != _VOID_TYPE_KIND and llvm.LLVMGetFirstUse(instruction):
        graph.producers.append(me)
    if is_call:
        callee = llvm.LLVMGetCalledValue(instruction)
        if callee in entry:
            graph.call.append((me, entry[callee], 0))
            graph.call += [(r, me, 0) for r in returns[callee]]
        else:
            graph.call += [(me, 0, 0), (0, me, 0)]


def _edges(arrays: dict, flow: int) -> list[tuple[int, int, int]]:
    chosen = arrays["edge_flow"] == flow
    sources, targets = arrays["edge_index"][:, chosen]
    return list(zip(sources.tolist(), targets.tolist(), arrays["edge_position"][chosen].tolist()))


def check_structure(arrays: dict, expected: Expected, uri: str) -> None:
    types = arrays["node_type"]
    assert int((types == 0).sum()) == expected.instructions + 1, uri  # and the root
    assert sorted(_edges(arrays, 0)) == sorted(expected.control), uri
    assert sorted(_edges(arrays, 2)) == sorted(expected.call), uri
    data = _edges(arrays, 1)
    uses = [(v, p) for u, v, p in data if types[v] == 0]
    assert sorted(uses) == sorted(expected.operands), uri
    produced = [u for u, v, p in data if types[u] == 0]
    assert sorted(produced) == sorted(expected.producers), uri
    # Every data edge links a value node and an instruction, one each way.
    for u, v, _ in data:
        assert (types[u] == 0) != (types[v] == 0), uri
    # A variable made from a result has exactly one producer; constants have none.
    assert all(types[v] == 1 for u, v, p in data if types[u] == 0), uri
    assert arrays["edge_index"].dtype == np.int32 and arrays["edge_index"].shape[0] == 2


@pytest.fixture(scope="module")
def env(service):
    import compiler_env

    with compiler_env.make("llvm-v0", service=service.address) as made:
        yield made


def test_every_kernel_graph_matches_its_ir(env, capi: ctypes.CDLL) -> None:
    uris = env.datasets["kernels-v0"].benchmark_uris()
    assert len(uris) > 10
    with Context() as context:
        for uri in uris:
            env.reset(options={"benchmark": uri})
            arrays = env.observation["ProgramlArrays"]
            with context.parse(env.observation["Bitcode"], uri) as module:
                expected = expected_graph(capi, module)
            assert expected.instructions == env.observation["IrInstructionCount"]
            check_structure(arrays, expected, uri)


def test_graph_after_steps_matches_its_ir(env, capi: ctypes.CDLL) -> None:
    env.reset(options={"benchmark": "benchmark://kernels-v0/dijkstra"})
    env.multistep([env.action_space.index(name) for name in ("sroa", "simplifycfg", "inline")])
    with Context() as context, context.parse(env.observation["Bitcode"]) as module:
        check_structure(env.observation["ProgramlArrays"], expected_graph(capi, module), "dijkstra")


@pytest.mark.parametrize("uri", ["generator://llvm-stress-v0/7", "generator://csmith-v0/3"])
def test_generated_graph_matches_its_ir(env, capi: ctypes.CDLL, uri: str) -> None:
    env.reset(options={"benchmark": uri})
    with Context() as context, context.parse(env.observation["Bitcode"]) as module:
        check_structure(env.observation["ProgramlArrays"], expected_graph(capi, module), uri)


def test_the_three_forms_agree(env) -> None:
    env.reset(options={"benchmark": "benchmark://kernels-v0/crc32"})
    arrays = env.observation["ProgramlArrays"]
    text = env.observation["ProgramlJson"]
    graph = env.observation["Programl"]
    data = json.loads(text)
    assert data["directed"] and data["multigraph"]
    n, e = len(arrays["node_type"]), arrays["edge_index"].shape[1]
    assert len(data["nodes"]) == n and len(data["links"]) == e
    vocabulary = arrays["node_texts"][arrays["node_text_id"]].tolist()
    assert [node["text"] for node in data["nodes"]] == vocabulary
    assert [node["type"] for node in data["nodes"]] == arrays["node_type"].tolist()
    assert [node["block"] for node in data["nodes"]] == arrays["node_block"].tolist()
    links = [(link["source"], link["target"], link["flow"], link["position"])
             for link in data["links"]]  # fmt: skip
    flows, positions = arrays["edge_flow"].tolist(), arrays["edge_position"].tolist()
    assert links == list(zip(*arrays["edge_index"].tolist(), flows, positions))

    assert isinstance(graph, nx.MultiDiGraph)
    assert graph.number_of_nodes() == n and graph.number_of_edges() == e
    assert [graph.nodes[i]["text"] for i in range(n)] == vocabulary
    assert [graph.nodes[i]["full_text"] for i in range(n)] == [
        node["full_text"] for node in data["nodes"]
    ]
    assert Counter(f for _, _, f in graph.edges(data="flow")) == Counter(flows)
    # networkx's own reader, the client's faster one, and the graph of the packed form.
    reference = nx.node_link_graph(data, edges="links")
    assert nx.utils.graphs_equal(reference, graphs.from_json(text))
    assert nx.utils.graphs_equal(reference, graph)
    assert nx.utils.graphs_equal(reference, graphs.to_networkx(graphs.unpack(raw_full(env))))


def raw_full(env) -> bytes:
    """The packed graph with full texts, as the service sends ``Programl``, built here
    from the module's bitcode."""
    with Context() as context, context.parse(env.observation["Bitcode"]) as module:
        return features.programl(module, full_text=True)


def test_nodes_carry_their_ir(env) -> None:
    env.reset(options={"benchmark": "benchmark://kernels-v0/crc32"})
    graph = env.observation["Programl"]
    ir = env.observation["Ir"]
    root = graph.nodes[0]
    assert (root["type"], root["text"], root["function"]) == (0, "[external]", -1)
    for _, node in graph.nodes(data=True):
        if node["type"] == 0 and node["function"] >= 0:
            assert node["full_text"] in ir
            assert node["full_text"].partition(" = ")[2 if " = " in node["full_text"] else 0]
            opcode = node["full_text"].partition(" = ")[2] or node["full_text"]
            assert opcode.startswith(node["text"]), node
        elif node["type"] == 2:
            assert node["full_text"].startswith(node["text"] + " "), node
            assert (node["function"], node["block"]) == (-1, -1)
    functions = {node["function"] for _, node in graph.nodes(data=True)} - {-1}
    assert len(functions) == ir.count("\ndefine ")


def test_what_is_not_a_packed_graph_is_refused() -> None:
    with pytest.raises(ServiceVersionMismatch, match="cannot read"):
        graphs.unpack(b"not a graph at all")


def test_space_decodes_and_samples(env) -> None:
    arrays_space = env.observation.spaces["ProgramlArrays"]
    sample = arrays_space.sample()
    assert arrays_space.contains(sample) and sample["node_texts"].tolist() == ["[external]"]
    graph_space = env.observation.spaces["Programl"]
    assert graph_space.contains(graph_space.sample())


def test_graph_is_the_one_add_edges_from_makes(env) -> None:
    """Nodes, edges, keys and attributes in the order networkx's own calls give them,
    parallel edges included, and one attribute dict per edge."""
    env.reset(options={"benchmark": "generator://llvm-stress-v0/7"})
    arrays = graphs.unpack(raw_full(env))
    sources, targets = arrays["edge_index"].tolist()
    pairs = Counter(zip(sources, targets))
    assert max(pairs.values()) > 1  # the program has parallel edges
    reference = nx.MultiDiGraph()
    texts = arrays["node_texts"][arrays["node_text_id"]].tolist()
    columns = zip(arrays["node_type"].tolist(), texts, arrays["node_function"].tolist(),
                  arrays["node_block"].tolist(), arrays["node_full_text"].tolist())  # fmt: skip
    reference.add_nodes_from(
        (i, {"type": t, "text": w, "function": f, "block": b, "full_text": x})
        for i, (t, w, f, b, x) in enumerate(columns)
    )
    flows, positions = arrays["edge_flow"].tolist(), arrays["edge_position"].tolist()
    reference.add_edges_from(
        (u, v, {"flow": f, "position": p}) for u, v, f, p in zip(sources, targets, flows, positions)
    )
    made = graphs.to_networkx(arrays)
    assert list(made.nodes(data=True)) == list(reference.nodes(data=True))
    assert list(made.edges(keys=True, data=True)) == list(reference.edges(keys=True, data=True))
    assert [list(p) for p in made.pred.values()] == [list(p) for p in reference.pred.values()]
    assert len({id(d) for *_, d in made.edges(keys=True, data=True)}) == len(sources)
    made.edges[sources[0], targets[0], 0]["flow"] = 9  # one edge's attributes are its own
    assert [d["flow"] for *_, d in made.edges(keys=True, data=True)].count(9) == 1
