"""Regenerate datasets/kernels-v0/manifest.json from the programs in that folder.

Each program is a ``<name>.c`` file, or a ``<name>/`` folder of ``.c`` files
linked into one module; its description is the ``// kernels-v0: ...`` first
line of the file holding ``main``. Each entry also records what clang itself
makes of the program at ``-Oz`` and ``-O3`` (``clang``: the instruction count of
``-emit-llvm`` and the ``.text`` bytes of ``-c``, summed over the files of a
program), which the env's baselines are tested against; the LLVM version that
measured them is ``clang_version``.

Usage:
    python tools/gen_manifest.py          # rewrite the manifest
    python tools/gen_manifest.py --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.datasets.compile import CLANG_FLAGS, DATASET_STD  # noqa: E402
from service.llvm import features  # noqa: E402
from service.llvm.module import Context  # noqa: E402
from service.llvm.toolchain import find_toolchain  # noqa: E402

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


#: The levels clang's own figures are recorded at.
LEVELS = ("Oz", "O3")


def clang_figures(sources: list[Path], level: str) -> dict[str, int]:
    """What ``clang -<level>`` makes of the sources, each compiled on its own.

    The language flags are the benchmarks' own (``CLANG_FLAGS`` less the level
    and output ones).
    """
    clang = str(find_toolchain().tool("clang"))
    language = [DATASET_STD, *(f for f in CLANG_FLAGS if f == "-w")]
    figures = {"instructions": 0, "text_bytes": 0}
    with tempfile.TemporaryDirectory() as tmp:
        for source in sources:
            bitcode, objects = Path(tmp) / "out.bc", Path(tmp) / "out.o"
            base = [clang, "--no-default-config", f"-{level}", *language, "-c", str(source)]
            subprocess.run([*base, "-emit-llvm", "-o", str(bitcode)], check=True)
            subprocess.run([*base, "-o", str(objects)], check=True)
            with Context() as context, context.parse(bitcode.read_bytes()) as module:
                figures["instructions"] += features.instruction_count(module)
            figures["text_bytes"] += text_bytes(objects)
    return figures


def text_bytes(path: Path) -> int:
    """The bytes of the ``.text`` sections of an object file (``llvm-size -A``)."""
    size = find_toolchain().tool("llvm-size")
    listing = subprocess.run([str(size), "-A", str(path)], check=True, capture_output=True)
    rows = (line.split() for line in listing.stdout.decode().splitlines())
    return sum(int(row[1]) for row in rows if row and row[0].startswith(".text"))


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
                "clang": {level: clang_figures(sources, level) for level in LEVELS},
            }
        )
    return entries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    header = {**HEADER, "clang_version": find_toolchain().version}
    text = json.dumps({**header, "benchmarks": programs()}, indent=2) + "\n"
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
