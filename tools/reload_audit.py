"""What reloading an episode's ``Bitcode`` changes, now and in the steps that follow.

For each kernels-v0 program, a few episodes of random actions from the default
action space; each episode's ``Bitcode`` is loaded as a new benchmark
(``benchmark_from_ir``) and compared with the episode (``Ir``, ``IrSha1``,
``IrHash``, ``IrCanonicalHash``); then both take the same further random
actions, and their IR is compared with local names, comments and attribute
group numbers normalized. The same is done for a reload of the episode's
``Ir`` text, which keeps no use-list order, for comparison (docs/identity.md).

    python tools/reload_audit.py [--episodes 2] [--steps 15]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter

import numpy as np

import compiler_env

_LABEL = re.compile(r"^([-a-zA-Z$._0-9]+):")
_LOCAL = re.compile(r"%[-a-zA-Z$._0-9]+")
_GROUP = re.compile(r"#\d+")


def normalized(ir: str) -> str:
    """The IR with local names numbered by first use, and comments and attribute groups left out."""
    lines: list[str] = []
    names: dict[str, str] = {}

    def number(match: re.Match[str]) -> str:
        return names.setdefault(match.group(0), f"%v{len(names)}")

    for line in ir.splitlines():
        if line.startswith("define"):
            names.clear()
        line = line.split(";", 1)[0].rstrip()
        if not line or line.startswith(("attributes", "source_filename")):
            continue
        line = _LABEL.sub(r"%\1", _GROUP.sub("#", line))
        line = _LOCAL.sub(number, line)
        lines.append(line)
    return "\n".join(lines)


def audit(episodes: int, steps: int, seed: int = 0) -> Counter[str]:
    counts: Counter[str] = Counter()
    rng = np.random.default_rng(seed)
    with (
        compiler_env.make("llvm-v0") as env,
        compiler_env.make("llvm-v0") as from_bitcode,
        compiler_env.make("llvm-v0") as from_text,
    ):
        for uri in env.datasets["kernels-v0"].benchmark_uris():
            for _ in range(episodes):
                env.reset(options={"benchmark": uri})
                env.multistep([int(a) for a in rng.integers(env.action_space.n, size=steps)])
                bitcode, text = env.observation["Bitcode"], env.observation["Ir"]
                from_bitcode.reset(options={"benchmark": compiler_env.benchmark_from_ir(bitcode)})
                from_text.reset(options={"benchmark": compiler_env.benchmark_from_ir(text)})
                counts["episodes"] += 1
                for space in ("Ir", "IrSha1", "IrHash", "IrCanonicalHash"):
                    counts[f"{space} differs"] += (
                        from_bitcode.observation[space] != env.observation[space]
                    )
                then = [int(a) for a in rng.integers(env.action_space.n, size=steps)]
                for each in (env, from_bitcode, from_text):
                    each.multistep(then)
                after = normalized(env.observation["Ir"])
                for label, other in (("Bitcode", from_bitcode), ("Ir text", from_text)):
                    counts[f"then differs, {label}"] += normalized(other.observation["Ir"]) != after
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=2, help="episodes per program")
    parser.add_argument("--steps", type=int, default=15, help="random actions before and after")
    args = parser.parse_args()
    for what, count in audit(args.episodes, args.steps).items():
        print(f"{what:<28} {count}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
