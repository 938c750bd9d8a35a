"""Datasets described by manifests: ``datasets/<name>/manifest.json``.

One generic ``Dataset`` reads every kind of manifest. Its keys:

- ``name``, ``description``, ``license``: shown by ``env.datasets``.
- ``benchmarks``: a list of programs, each ``{"name", "sources", "cflags"?}``,
  sources relative to the dataset's folder (``benchmark://<name>/<program>``).
- ``url`` and ``sha256`` (optional): the programs live in an archive that is
  downloaded on first use (see ``service.datasets.archives``); ``sources`` are
  then relative to the unpacked archive (or to its ``archive_root`` folder).
- ``generator`` (instead of ``benchmarks``): ``{"tool", "args"}`` (and
  ``max_seed`` when the tool's programs repeat past a seed), an unbounded
  dataset of programs made from a seed (``generator://<name>/<seed>``, see
  ``service.datasets.generators``).

Manifests are read from ``COMPILER_ENV_DATASETS`` (one folder, or several
separated by ``os.pathsep``) or else from the ``datasets/`` folder of the source
tree (or of the installation).
"""

from __future__ import annotations

import functools
import json
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.proto.constants import MAX_SEED
from service.proto.errors import CompilerEnvError, InvalidArgument

__all__ = ["Dataset", "datasets", "datasets_roots"]

#: The largest seed of a generator: seeds are 32-bit unsigned integers.
#: The most URIs of a generator listed at once.
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Dataset:
    """A dataset described by a manifest: a name, a licence and its programs.

    Attributes:
        name: e.g. ``kernels-v0``.
        description: one line for people.
        license: the licence of the programs.
        root: the folder holding the manifest.
        programs: the manifest's ``benchmarks`` entries, by name (empty for a generator).
        generator: the manifest's ``generator`` entry, or None.
        url: where an archive dataset is downloaded from, or "".
        sha256: the archive's checksum, or "".
        archive_root: the folder inside the archive that program sources are relative to.
        runnable: whether its programs are meant to be run (``"runnable": false``
            for programs without a ``main``, such as llvm-stress's).
    """

    name: str
    description: str
    license: str
    root: Path
    programs: dict[str, dict[str, Any]] = field(repr=False)
    generator: dict[str, Any] | None = None
    url: str = ""
    sha256: str = ""
    archive_root: str = ""
    runnable: bool = True

    @property
    def unbounded(self) -> bool:
        """Whether this is a generator: one program per 32-bit seed."""
        return self.generator is not None

    @property
    def max_seed(self) -> int:
        """A generator's largest seed: its manifest's ``max_seed`` (a tool whose
        programs repeat past a seed), else 2**32-1."""
        return int((self.generator or {}).get("max_seed", MAX_SEED))

    @property
    def size(self) -> float:
        """The number of benchmarks (``math.inf`` for a generator)."""
        return math.inf if self.unbounded else len(self.programs)

    @property
    def uri_prefix(self) -> str:
        """What every benchmark URI of the dataset starts with."""
        scheme = "generator" if self.unbounded else "benchmark"
        return f"{scheme}://{self.name}/"

    def uris(self, offset: int = 0, count: int | None = None) -> list[str]:
        """Benchmark URIs, ``count`` of them from index ``offset`` (a generator's are seeds).

        A generator has no end, so ``count`` is required for one.
        """
        if offset < 0 or (count is not None and count < 0):
            raise InvalidArgument(f"offset and count must be >= 0 (got {offset}, {count})")
        if self.unbounded:
            if count is None:
                raise InvalidArgument(
                    f"{self.name} is unbounded (one program per seed); ask for a count of URIs"
                )
            if count > MAX_PAGE:
                raise InvalidArgument(f"at most {MAX_PAGE} URIs of a generator at a time")
            end = min(offset + count, self.max_seed + 1)
            return [f"{self.uri_prefix}{seed}" for seed in range(offset, end)]
        names = list(self.programs)[offset:]
        if count is not None:
            names = names[:count]
        return [f"{self.uri_prefix}{name}" for name in names]


def datasets_roots() -> list[Path]:
    """The folders of dataset manifests (``COMPILER_ENV_DATASETS`` overrides them)."""
    explicit = os.environ.get("COMPILER_ENV_DATASETS")
    if explicit:
        return [Path(p) for p in explicit.split(os.pathsep) if p]
    in_tree = Path(__file__).resolve().parents[2] / "datasets"
    if in_tree.is_dir():
        return [in_tree]
    return [Path(sys.prefix) / "share" / "compiler_env" / "datasets"]


def datasets() -> dict[str, Dataset]:
    """Every dataset with a manifest, by name."""
    return _load(tuple(datasets_roots()))


@functools.cache
def _load(roots: tuple[Path, ...]) -> dict[str, Dataset]:
    found: dict[str, Dataset] = {}
    for root in roots:
        for manifest in sorted(root.glob("*/manifest.json")):
            dataset = _read(manifest)
            found.setdefault(dataset.name, dataset)
    return found


def _read(manifest: Path) -> Dataset:
    try:
        data = json.loads(manifest.read_text())
        generator = data.get("generator")
        if data.get("url") and not data.get("sha256"):
            raise ValueError("an archive dataset (with a url) needs the archive's sha256")
        programs = {} if generator else {p["name"]: p for p in data["benchmarks"]}
        return Dataset(
            name=data["name"],
            description=data["description"],
            license=data["license"],
            root=manifest.parent,
            programs=programs,
            generator=generator,
            url=data.get("url", ""),
            sha256=data.get("sha256", "").lower(),
            archive_root=data.get("archive_root", ""),
            runnable=bool(data.get("runnable", True)),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise CompilerEnvError(
            f"the dataset manifest {manifest} is malformed ({type(error).__name__}: {error}); "
            "it needs name, description, license and benchmarks (or generator)"
        ) from None
