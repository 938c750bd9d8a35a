"""What ``reset()`` costs on a large user program (``benchmark_from_dir`` of 30 C files).

Such a program travels inside its ``inline://`` URI. The client sends it whole to
a service the first time, and its short URI ``inline://<sha256>`` afterwards;
this measures both, and a reset that sends it whole each time (what every reset
did before the short form) in the same session, so the difference is the
program's bytes alone.

``python -m perf.resets [RESETS]`` prints the figures.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import compiler_env

__all__ = ["large_program_resets", "summary", "write_program"]

#: The episode before each later reset, so that the reset has a changed module to undo.
STEPS = ("sroa", "instcombine")


def write_program(root: Path, files: int = 30, functions: int = 12, seed: int = 0) -> None:
    """A C program of ``files`` files under ``root``: ``files - 1`` of ``functions``
    functions each (seeded, so that the sources differ as real ones do), and a main
    that calls them all."""
    rng = random.Random(seed)
    names = []
    for i in range(files - 1):
        lines = ['#include "parts.h"']
        for j in range(functions):
            name = f"part{i}_step{j}"
            names.append(name)
            size, shift = rng.randint(8, 40), rng.randint(1, 31)
            lines += [
                f"long {name}(long n) {{",
                f"    long values[{size}];",
                f"    long sum = {rng.randint(0, 10**6)};",
                f"    for (int k = 0; k < {size}; k++)",
                f"        values[k] = (n * {rng.randint(3, 997)} + k) ^ {rng.getrandbits(20)};",
                f"    for (int k = 0; k < {size}; k++) {{",
                f"        if (values[k] % {shift + 1} == {rng.randint(0, shift)})",
                f"            sum += values[k] >> {shift % 7};",
                f"        else sum -= (long)(values[k] * {rng.random():.6f});",
                "    }",
                f"    return sum % {rng.randint(1000, 10**5)};",
                "}",
            ]
        (root / f"part{i:02d}.c").write_text("\n".join(lines) + "\n")
    (root / "parts.h").write_text("".join(f"long {name}(long n);\n" for name in names))
    calls = "".join(f"    total += {name}(total % 101);\n" for name in names)
    (root / "main.c").write_text(
        '#include <stdio.h>\n#include "parts.h"\n'
        f"int main(void) {{\n    long total = 1;\n{calls}"
        '    printf("%ld\\n", total);\n    return 0;\n}\n'
    )


def _timed_reset(env: compiler_env.CompilerEnv, steps: int = 0) -> float:
    """Ms of a reset after an episode of ``steps`` one-pass steps (not timed)."""
    for name in STEPS[:steps]:
        env.step(env.action_space.index(name))
    started = time.perf_counter()
    env.reset()
    return (time.perf_counter() - started) * 1e3


def large_program_resets(resets: int = 20, files: int = 30) -> dict[str, Any]:
    """Median ms of resets of a ``files``-file program on this process's local service.

    The service compiles the program at an untimed first reset; then one env resets
    ``resets`` times naming it by its short URI (``later_reset_ms``), and as many
    times sending it whole (``whole_reset_ms``), each after a two-step episode; and
    a few new envs each time their first reset, a new session sent the whole
    program (``first_reset_ms``).

    Returns:
        the three medians, ``uri_bytes`` (the whole URI) and ``source_bytes``
        (the files), ``files`` and ``resets``.
    """
    with tempfile.TemporaryDirectory(prefix="perf-resets-") as tmp:
        write_program(Path(tmp), files)
        program = compiler_env.benchmark_from_dir(tmp)
        source_bytes = sum(p.stat().st_size for p in Path(tmp).iterdir())
    with compiler_env.make("llvm-v0", benchmark=program) as env:
        env.reset()  # compiled (or its bitcode taken from the cache): not timed
        later = [_timed_reset(env, len(STEPS)) for _ in range(resets)]
        # From here on the service is sent the program whole, as if it had lost it.
        env._session.connection.programs.refused(program.uri)
        whole = [_timed_reset(env, len(STEPS)) for _ in range(resets)]
        firsts = []
        for _ in range(max(resets // 4, 3)):
            with compiler_env.make("llvm-v0", benchmark=program) as other:
                firsts.append(_timed_reset(other))
    return {
        "files": files,
        "resets": resets,
        "uri_bytes": len(program.uri),
        "source_bytes": source_bytes,
        "first_reset_ms": statistics.median(firsts),
        "later_reset_ms": statistics.median(later),
        "whole_reset_ms": statistics.median(whole),
    }


def summary(figures: dict[str, Any]) -> str:
    """One line of the figures."""
    return (
        f"reset of a {figures['files']}-file program ({figures['source_bytes'] // 1024} KiB of "
        f"C, a {figures['uri_bytes'] // 1024} KiB URI), median ms: first (a new session sent "
        f"the program) {figures['first_reset_ms']:.1f}, later (its short URI) "
        f"{figures['later_reset_ms']:.1f}, later sending it whole {figures['whole_reset_ms']:.1f}"
    )


def main(argv: list[str]) -> None:
    print(summary(large_program_resets(int(argv[0]) if argv else 20)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
