"""Benchmark URIs, resolved to unoptimized LLVM bitcode.

Supported URIs:

- ``benchmark://<dataset>/<name>``: a program of a dataset under ``datasets/``,
  described by the dataset's ``manifest.json``.
- ``file:///abs/path/prog.c`` (also ``.ll`` and ``.bc``): a user's program.

C sources are compiled with the clang of the LLVM installation in use, at
``-O0`` with ``optnone`` disabled so that passes apply, and linked into one
module with ``llvm-link``. Compiled bitcode is cached on disk, keyed by the
sources and the compiler version.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from service.llvm.toolchain import find_toolchain
from service.proto.errors import BenchmarkInitError, BenchmarkNotFound, ProgramTooLarge

__all__ = [
    "Benchmark",
    "Dataset",
    "cache_dir",
    "compile_c",
    "datasets",
    "datasets_root",
    "resolve",
]

#: Flags for unoptimized IR that optimization passes may still transform.
CLANG_FLAGS = ("-O0", "-Xclang", "-disable-O0-optnone", "-emit-llvm", "-c", "-std=c11", "-w")
MAX_PROGRAM_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Benchmark:
    """A program: its URI and its unoptimized bitcode."""

    uri: str
    bitcode: bytes = field(repr=False)

    @property
    def sha1(self) -> str:
        return hashlib.sha1(self.bitcode).hexdigest()


@dataclass(frozen=True)
class Dataset:
    """A dataset described by a manifest: a name, a licence and its programs."""

    name: str
    description: str
    license: str
    root: Path
    programs: dict[str, dict] = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.programs)

    def uris(self) -> list[str]:
        return [f"benchmark://{self.name}/{name}" for name in self.programs]


def datasets_root() -> Path:
    """The folder of dataset manifests (``COMPILER_ENV_DATASETS`` overrides it)."""
    explicit = os.environ.get("COMPILER_ENV_DATASETS")
    if explicit:
        return Path(explicit)
    in_tree = Path(__file__).resolve().parent.parent / "datasets"
    if in_tree.is_dir():
        return in_tree
    return Path(sys.prefix) / "share" / "compiler_env" / "datasets"


def cache_dir() -> Path:
    """Where compiled benchmarks and baselines are cached (``COMPILER_ENV_CACHE``)."""
    explicit = os.environ.get("COMPILER_ENV_CACHE")
    base = Path(explicit) if explicit else Path.home() / ".cache" / "compiler_env"
    base.mkdir(parents=True, exist_ok=True)
    return base


@functools.cache
def datasets() -> dict[str, Dataset]:
    """Every dataset with a manifest, by name."""
    found = {}
    root = datasets_root()
    for manifest in sorted(root.glob("*/manifest.json")):
        data = json.loads(manifest.read_text())
        found[data["name"]] = Dataset(
            name=data["name"],
            description=data["description"],
            license=data["license"],
            root=manifest.parent,
            programs={p["name"]: p for p in data["benchmarks"]},
        )
    return found


def resolve(uri: str) -> Benchmark:
    """The benchmark a URI names, compiled if needed."""
    parsed = urlparse(uri)
    if parsed.scheme == "benchmark":
        return _dataset_benchmark(parsed.netloc, parsed.path.lstrip("/"), uri)
    if parsed.scheme == "file":
        return _file_benchmark(Path(unquote(parsed.path)), uri)
    raise BenchmarkNotFound(
        f"unknown benchmark URI {uri!r}: expected benchmark://<dataset>/<name> or "
        "file:///absolute/path.{c,ll,bc}"
    )


def _dataset_benchmark(dataset_name: str, name: str, uri: str) -> Benchmark:
    known = datasets()
    if dataset_name not in known:
        raise BenchmarkNotFound(
            f"unknown dataset {dataset_name!r} in {uri!r}; known datasets: {', '.join(known)}"
        )
    dataset = known[dataset_name]
    program = dataset.programs.get(name)
    if program is None:
        raise BenchmarkNotFound(
            f"{dataset_name} has no benchmark {name!r}; list them with "
            f"env.datasets[{dataset_name!r}].benchmark_uris()"
        )
    sources = [dataset.root / source for source in program["sources"]]
    return Benchmark(uri, compile_c(sources, program.get("cflags", [])))


def _file_benchmark(path: Path, uri: str) -> Benchmark:
    if not path.is_file():
        raise BenchmarkNotFound(f"{uri!r}: no such file {path}")
    if path.stat().st_size > MAX_PROGRAM_BYTES:
        raise ProgramTooLarge(
            f"{path} is {path.stat().st_size} bytes; the limit is {MAX_PROGRAM_BYTES} bytes"
        )
    if path.suffix == ".c":
        return Benchmark(uri, compile_c([path], []))
    if path.suffix in (".ll", ".bc"):
        return Benchmark(uri, path.read_bytes())
    raise BenchmarkNotFound(f"{uri!r}: expected a .c, .ll or .bc file")


def compile_c(sources: list[Path], cflags: list[str]) -> bytes:
    """Compiles C sources into one module of unoptimized bitcode (cached)."""
    toolchain = find_toolchain()
    key = hashlib.sha256(toolchain.version.encode())
    for flag in cflags:
        key.update(flag.encode() + b"\0")
    for source in sources:
        key.update(source.name.encode() + b"\0" + source.read_bytes())
    cached = cache_dir() / "bitcode" / f"{key.hexdigest()}.bc"
    if cached.exists():
        return cached.read_bytes()
    with tempfile.TemporaryDirectory(prefix="compiler_env-cc-") as tmp:
        objects = []
        for i, source in enumerate(sources):
            out = Path(tmp) / f"{i}.bc"
            _run([str(toolchain.tool("clang")), *CLANG_FLAGS, *cflags, str(source), "-o", str(out)])
            objects.append(str(out))
        if len(objects) > 1:
            linked = Path(tmp) / "linked.bc"
            _run([str(toolchain.tool("llvm-link")), *objects, "-o", str(linked)])
        else:
            linked = Path(objects[0])
        bitcode = linked.read_bytes()
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(bitcode)
    partial.replace(cached)  # atomic: readers see the whole file or none
    return bitcode


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise BenchmarkInitError(
            f"compilation failed ({' '.join(command)}):\n{result.stderr.strip()}"
        )
