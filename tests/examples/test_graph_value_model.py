"""The graph network over ProgramlArrays: batches keep graphs apart, and it learns."""

from __future__ import annotations

import numpy as np
import torch
from graph_value_model import FLOWS, GraphValueModel, Vocabulary, batch, batches_of, collect, train


def test_batches_keep_graphs_apart_and_the_loss_falls(make_env) -> None:
    env = make_env("llvm-v0")
    states = collect(env, env.datasets["csmith-v0"].split("train")[:3], states=2, seed=0)
    assert len(states) == 6 and all(np.isfinite(s.target) for s in states)
    assert states[1].target < states[0].target  # passes brought the program nearer -Oz
    vocabulary = Vocabulary(states)
    both = batch(states[:2], vocabulary)
    nodes = [len(s.arrays["node_type"]) for s in states[:2]]
    edges = sum(s.arrays["edge_index"].shape[1] for s in states[:2])
    assert len(both.text) == sum(nodes) and len(both.source) == 2 * edges
    assert int(both.relation.max()) < 2 * FLOWS and bool((both.text > 0).all())
    # Edges stay within their own graph, so a graph's prediction is the same alone or batched.
    assert bool((both.graph[both.source] == both.graph[both.target]).all())
    torch.manual_seed(0)
    model = GraphValueModel(len(vocabulary))
    with torch.no_grad():
        together = model(both)
        alone = torch.cat([model(batch([s], vocabulary)) for s in states[:2]])
    assert torch.allclose(together, alone, atol=1e-5)
    losses = train(model, batches_of(states, vocabulary, 3, seed=0), epochs=10)
    assert losses[-1] < losses[0] / 2
