"""What the parts of a ``Programl`` observation cost, in one process.

On each shared program (``../shared/perf-programs/``, as the service starts its
episode), the packed graph the worker sends is built once by the native builder
(``service/llvm/native/programl.cpp``, with full texts) and then made into a
``networkx.MultiDiGraph`` and freed again, by the client's C extension
(``compiler_env/native/graph.c``) and by the Python fill it falls back to,
alternately, so that both see the same moments of a machine whose speed
varies.

``python -m perf.graphs [REPS]`` prints the medians.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import compiler_env
from compiler_env import graphs
from perf.shared import shared_benchmark

__all__ = ["graph_costs", "summary"]


def _ms(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1e3


def graph_costs(
    labels: tuple[str, ...] = ("small", "medium", "large"), reps: int = 15
) -> dict[str, Any]:
    """Median ms per program: the native builder, and making and freeing the graph
    by the C extension and by the Python fill (``None`` where the extension was
    not built)."""
    from service.llvm import features
    from service.llvm.module import Context

    context, figures = Context(), {}
    for label in labels:
        with compiler_env.make("llvm-v0", benchmark=shared_benchmark(label)) as env:
            env.reset()
            bitcode = env.observation["Bitcode"]
        module = context.parse(bitcode)
        data = features.programl(module, True)
        native = [_ms(lambda m=module: features.programl(m, True)) for _ in range(reps)]
        made: dict[str, list[float]] = {"c": [], "python": []}
        extension = graphs._graph
        try:
            for _ in range(reps):
                for way in made if extension is not None else ("python",):
                    graphs._graph = extension if way == "c" else None
                    made[way].append(_ms(lambda d=data: graphs.graph(d)))  # made, then freed
        finally:
            graphs._graph = extension
        arrays = graphs.unpack(data)
        figures[label] = {
            "nodes": len(arrays["node_type"]),
            "edges": int(arrays["edge_index"].shape[1]),
            "native_ms": statistics.median(native),
            "c_ms": statistics.median(made["c"]) if made["c"] else None,
            "python_ms": statistics.median(made["python"]),
        }
    return figures


def summary(figures: dict[str, Any]) -> str:
    """The figures as a Markdown table."""
    lines = [
        "| program | nodes / edges | native builder (ms) | graph made and freed, C (ms) "
        "| ... Python (ms) | Python / C |",
        "|---|---|---|---|---|---|",
    ]
    for label, row in figures.items():
        c = row["c_ms"]
        lines.append(
            f"| {label} | {row['nodes']:,} / {row['edges']:,} | {row['native_ms']:.2f} | "
            + (f"{c:.2f}" if c is not None else "not built")
            + f" | {row['python_ms']:.2f} | "
            + (f"{row['python_ms'] / c:.2f}" if c else "")
            + " |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m perf.graphs",
        description="What the parts of a Programl observation cost, in one process.",
    )
    parser.add_argument("reps", nargs="?", type=int, default=15, help="timings of each part")
    print(summary(graph_costs(reps=parser.parse_args().reps)))
