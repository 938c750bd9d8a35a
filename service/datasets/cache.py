"""The on-disk cache of compiled benchmarks, generated programs and downloads.

Every file is written atomically (to a temporary name, then renamed), so a
reader sees a whole file or none, and processes may share one cache.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["cache_dir", "cached", "write_atomic"]


def cache_dir() -> Path:
    """Where compiled benchmarks and baselines are cached (``COMPILER_ENV_CACHE``).

    The default is ``~/.cache/compiler_env``.
    """
    explicit = os.environ.get("COMPILER_ENV_CACHE")
    base = Path(explicit) if explicit else Path.home() / ".cache" / "compiler_env"
    base.mkdir(parents=True, exist_ok=True)
    return base


def write_atomic(path: Path, data: bytes) -> None:
    """Writes ``data`` to ``path`` so that readers never see part of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def cached(path: Path, build: Callable[[], bytes]) -> bytes:
    """The bytes at ``path``, built and stored there on first use."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data = build()
    write_atomic(path, data)
    return data
