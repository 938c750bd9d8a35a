"""Regenerate datasets/kernels-v0/manifest.json from the programs in that folder.

Each program is a ``<name>.c`` file, or a ``<name>/`` folder of ``.c`` files
linked into one module; its description is the ``// kernels-v0: ...`` first
line of the file holding ``main``.

Usage:
    python tools/gen_manifest.py          # rewrite the manifest
    python tools/gen_manifest.py --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "datasets" / "kernels-v0"
TAG = "// kernels-v0:"
HEADER = {
    "name": "kernels-v0",
    "description": "Self-checking C programs written for compiler_env: hashes, sorting, "
    "graphs, numerics, strings, compression, ciphers, interpreters, data structures, "
    "combinatorial search",
    "license": "MIT",
}


def describe(sources: list[Path]) -> str:
    """The description line of the source that carries it."""
    for source in sources:
        first = source.read_text().splitlines()[0]
        if first.startswith(TAG):
            return first[len(TAG) :].strip()
    raise SystemExit(f"{sources[0]}: no '{TAG} <description>' first line")


def programs() -> list[dict]:
    """One manifest entry per program, sorted by name."""
    entries = []
    for path in sorted(ROOT.iterdir()):
        if path.suffix == ".c":
            sources = [path]
        elif path.is_dir():
            sources = sorted(path.glob("*.c"))
        else:
            continue
        text = "".join(s.read_text() for s in sources)
        entries.append(
            {
                "name": path.stem if path.is_file() else path.name,
                "description": describe(sources),
                "sources": [str(s.relative_to(ROOT)) for s in sources],
                "link_flags": ["-lm"] if "<math.h>" in text else [],
            }
        )
    return entries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = json.dumps({**HEADER, "benchmarks": programs()}, indent=2) + "\n"
    target = ROOT / "manifest.json"
    if args.check:
        if not target.exists() or target.read_text() != text:
            print(f"{target} is out of date: run python tools/gen_manifest.py", file=sys.stderr)
            return 1
        return 0
    target.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
