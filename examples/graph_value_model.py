"""A graph network over ProgramlArrays learns how far a program is from -Oz.

The value model reads the program graph of a state (``ProgramlArrays``) and
predicts ``log(IrInstructionCount / IrInstructionCountOz)``: how much smaller
clang's ``-Oz`` makes the program than it is now, the room left for an agent
that shrinks code. Its states are Csmith programs of csmith-v0's train split,
each seen at its start and after a few seeded random passes; it is tested on
the same kind of states of kernels-v0, the test set, which it never saw, next
to the best constant guess (the mean of the training targets).

The network is plain PyTorch, no graph library: node embeddings of the node's
text (opcode or type name) and kind; a few rounds of messages along control,
data and call edges, in both directions, each relation with its own weights and
each edge with its operand position, normalized after each round; mean and max
pooling; a small head.
``--short`` trains on a handful of states for a few seconds (what the tests
run). docs/programl.md describes the graph; with PyTorch Geometric installed,
``edge_index`` is already its layout.

    python3 examples/graph_value_model.py            # 48 train programs, all of kernels-v0
    python3 examples/graph_value_model.py --short    # a smoke test
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

import compiler_env

__all__ = ["Batch", "GraphValueModel", "State", "Vocabulary", "batch", "collect", "train"]

#: The passes of the random steps between recorded states.
PASSES = ("sroa", "mem2reg", "instcombine", "simplifycfg", "early-cse", "gvn", "dse", "adce",
          "sccp", "licm", "loop-rotate", "inline", "globaldce")  # fmt: skip
FLOWS = 3  # control, data, call
POSITIONS = 8  # operand and successor positions above 7 share the last embedding


@dataclass(frozen=True)
class State:
    """One program graph and its target."""

    benchmark: str
    arrays: dict[str, Any]
    target: float


def collect(
    env: compiler_env.CompilerEnv, uris: Sequence[str], states: int, seed: int
) -> list[State]:
    """``states`` states of each benchmark: its start, then after 1-3 random passes each."""
    rng = np.random.default_rng(seed)
    passes = [env.action_space.index(name) for name in PASSES]
    collected = []
    for uri in uris:
        env.reset(options={"benchmark": uri})
        oz = env.observation["IrInstructionCountOz"]
        for index in range(states):
            if index:
                env.multistep([int(a) for a in rng.choice(passes, size=rng.integers(1, 4))])
            count = env.observation["IrInstructionCount"]
            target = math.log(max(count, 1) / max(oz, 1))
            collected.append(State(uri, env.observation["ProgramlArrays"], target))
    return collected


class Vocabulary:
    """Node texts seen in training, each an id from 1; 0 stands for any other text."""

    def __init__(self, states: Sequence[State]) -> None:
        texts = {str(t) for s in states for t in s.arrays["node_texts"]}
        self.ids = {text: index + 1 for index, text in enumerate(sorted(texts))}

    def __len__(self) -> int:
        return len(self.ids) + 1

    def node_ids(self, arrays: dict[str, Any]) -> np.ndarray:
        """Each node's id: its graph's texts mapped once, then indexed per node."""
        per_text = np.array([self.ids.get(str(t), 0) for t in arrays["node_texts"]], np.int64)
        return per_text[arrays["node_text_id"]]


@dataclass(frozen=True)
class Batch:
    """Graphs side by side as one disconnected graph, each edge in both directions."""

    text: torch.Tensor  # (N,) node text ids
    kind: torch.Tensor  # (N,) node types
    source: torch.Tensor  # (2E,)
    target: torch.Tensor  # (2E,)
    relation: torch.Tensor  # (2E,) flow, or flow + FLOWS for the reverse direction
    position: torch.Tensor  # (2E,)
    graph: torch.Tensor  # (N,) the graph each node belongs to
    graphs: int


def batch(states: Sequence[State], vocabulary: Vocabulary) -> Batch:
    """One ``Batch`` of the states' graphs (node numbers offset graph by graph)."""
    sizes = [len(s.arrays["node_type"]) for s in states]
    offsets = np.cumsum([0, *sizes[:-1]])
    edges = np.concatenate([s.arrays["edge_index"] + o for s, o in zip(states, offsets)], axis=1)
    flow = np.concatenate([s.arrays["edge_flow"] for s in states]).astype(np.int64)
    position = np.concatenate([s.arrays["edge_position"] for s in states])
    position = np.minimum(position, POSITIONS - 1).astype(np.int64)

    def tensor(values: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(values, dtype=np.int64))

    return Batch(
        text=tensor(np.concatenate([vocabulary.node_ids(s.arrays) for s in states])),
        kind=tensor(np.concatenate([s.arrays["node_type"] for s in states])),
        source=tensor(np.concatenate([edges[0], edges[1]])),
        target=tensor(np.concatenate([edges[1], edges[0]])),
        relation=tensor(np.concatenate([flow, flow + FLOWS])),
        position=tensor(np.concatenate([position, position])),
        graph=tensor(np.repeat(np.arange(len(states)), sizes)),
        graphs=len(states),
    )


class GraphValueModel(torch.nn.Module):
    """Message passing over the six relations, then pooling and a regression head."""

    def __init__(self, vocabulary_size: int, width: int = 32, rounds: int = 3) -> None:
        super().__init__()
        self.width = width
        self.text = torch.nn.Embedding(vocabulary_size, width)
        self.kind = torch.nn.Embedding(3, width)
        self.position = torch.nn.Embedding(POSITIONS, width)
        self.messages = torch.nn.ModuleList(
            torch.nn.Linear(width, 2 * FLOWS * width) for _ in range(rounds)
        )
        self.updates = torch.nn.ModuleList(torch.nn.Linear(2 * width, width) for _ in range(rounds))
        self.norms = torch.nn.ModuleList(torch.nn.LayerNorm(width) for _ in range(rounds))
        self.head = torch.nn.Sequential(
            torch.nn.Linear(2 * width, width), torch.nn.ReLU(), torch.nn.Linear(width, 1)
        )

    def forward(self, b: Batch) -> torch.Tensor:
        h = self.text(b.text) + self.kind(b.kind)
        nodes = h.shape[0]
        degree = torch.zeros(nodes).index_add_(0, b.target, torch.ones(len(b.target)))
        degree = degree.clamp(min=1).unsqueeze(1)
        for message, update, norm in zip(self.messages, self.updates, self.norms):
            per_relation = message(h).view(nodes, 2 * FLOWS, self.width)
            sent = per_relation[b.source, b.relation] + self.position(b.position)
            received = torch.zeros_like(h).index_add_(0, b.target, sent) / degree
            h = norm(h + torch.relu(update(torch.cat([h, received], dim=1))))
        sizes = torch.zeros(b.graphs).index_add_(0, b.graph, torch.ones(nodes)).unsqueeze(1)
        mean = torch.zeros(b.graphs, self.width).index_add_(0, b.graph, h) / sizes
        index = b.graph.unsqueeze(1).expand(-1, self.width)
        top = torch.full((b.graphs, self.width), -math.inf).scatter_reduce(0, index, h, "amax")
        return self.head(torch.cat([mean, top], dim=1)).squeeze(1)


def train(
    model: GraphValueModel, batches: Sequence[tuple[Batch, torch.Tensor]], epochs: int
) -> list[float]:
    """Adam over the batches, ``epochs`` times; the mean loss of each epoch."""
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for graphs, targets in batches:
            loss = torch.nn.functional.mse_loss(model(graphs), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
        losses.append(total / len(batches))
    return losses


def batches_of(
    states: Sequence[State], vocabulary: Vocabulary, size: int, seed: int
) -> list[tuple[Batch, torch.Tensor]]:
    """The states shuffled once (seeded) and cut into batches with their targets."""
    order = np.random.default_rng(seed).permutation(len(states))
    chunks = [[states[i] for i in order[at : at + size]] for at in range(0, len(states), size)]
    return [(batch(c, vocabulary), torch.tensor([s.target for s in c])) for c in chunks]


def mse(predicted: torch.Tensor, targets: torch.Tensor) -> float:
    return float(((predicted - targets) ** 2).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="3 programs, a few seconds")
    parser.add_argument("--seed", type=int, default=0, help="(0)")
    args = parser.parse_args()
    short = (3, 1, 2, 15)
    train_programs, test_programs, states, epochs = short if args.short else (48, None, 4, 60)
    torch.manual_seed(args.seed)
    started = time.perf_counter()
    with compiler_env.make("llvm-v0") as env:
        train_uris = env.datasets["csmith-v0"].split("train")[:train_programs]
        test_uris = env.datasets["kernels-v0"].split("test")[:test_programs]
        train_states = collect(env, train_uris, states, seed=args.seed)
        test_states = collect(env, test_uris, states, seed=args.seed + 1)
    collected = time.perf_counter() - started
    vocabulary = Vocabulary(train_states)
    model = GraphValueModel(len(vocabulary))
    losses = train(model, batches_of(train_states, vocabulary, 16, args.seed), epochs)
    with torch.no_grad():
        predicted = model(batch(test_states, vocabulary))
    targets = torch.tensor([s.target for s in test_states])
    guess = float(np.mean([s.target for s in train_states]))
    nodes = sum(len(s.arrays["node_type"]) for s in train_states)
    trained = time.perf_counter() - started - collected
    print(
        f"{len(train_states)} training states ({nodes} nodes), {len(test_states)} test states; "
        f"collected in {collected:.1f} s, trained in {trained:.1f} s"
    )
    print(f"training loss: first epoch {losses[0]:.4f}, last epoch {losses[-1]:.4f}")
    print(
        f"held-out mean squared error: the model {mse(predicted, targets):.4f}, "
        f"the training mean as a guess {mse(torch.full_like(targets, guess), targets):.4f}"
    )


if __name__ == "__main__":
    main()
