"""The on-disk cache of compiled benchmarks, generated programs and downloads.

Every file is written atomically (to a temporary name, then renamed), so a
reader sees a whole file or none, and processes may share one cache.

What is rebuilt on demand (``EVICTABLE``: received programs, bitcode,
generated programs, baselines) is capped at ``COMPILER_ENV_CACHE_MIB``
(default 4096) MiB: after each write, the least recently used files go first.
Downloaded archives are not evicted (they are fetched once, by hand or by a
dataset's first use); ``compiler-env cache`` reports what the cache holds.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["EVICTABLE", "cache_dir", "cache_limit", "cached", "evict", "usage", "write_atomic"]

#: The cache's folders whose files are rebuilt when missing, so may be evicted.
EVICTABLE = ("inline", "bitcode", "generated", "baselines", "runtime")
DEFAULT_CACHE_MIB = 4096


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
    if path.is_relative_to(cache_dir()):
        evict(cache_limit())


def cached(path: Path, build: Callable[[], bytes]) -> bytes:
    """The bytes at ``path``, built and stored there on first use."""
    try:
        data = path.read_bytes()
        os.utime(path)  # used now: the last to be evicted
        return data
    except FileNotFoundError:
        pass
    data = build()
    write_atomic(path, data)
    return data


def cache_limit() -> int:
    """The cap, in bytes, of the evictable part of the cache (``COMPILER_ENV_CACHE_MIB``)."""
    text = os.environ.get("COMPILER_ENV_CACHE_MIB", "")
    try:
        mib = float(text) if text else DEFAULT_CACHE_MIB
    except ValueError:
        mib = DEFAULT_CACHE_MIB
    return int(mib * 1024 * 1024)


def _evictable_files() -> list[tuple[float, int, Path]]:
    """(last use, size, path) of every evictable file."""
    found = []
    for folder in EVICTABLE:
        for path in (cache_dir() / folder).rglob("*"):
            try:
                info = path.stat()
            except OSError:  # removed meanwhile
                continue
            if path.is_file() and not path.name.endswith(".tmp"):
                found.append((info.st_mtime, info.st_size, path))
    return found


def evict(limit: int) -> int:
    """Removes the least recently used evictable files until they fit in ``limit``
    bytes; returns how many bytes were freed."""
    files = _evictable_files()
    total = sum(size for _, size, _ in files)
    freed = 0
    for _, size, path in sorted(files):
        if total - freed <= limit:
            break
        path.unlink(missing_ok=True)
        freed += size
    return freed


def usage() -> dict[str, tuple[int, int]]:
    """(files, bytes) in each top-level folder of the cache."""
    report = {}
    for folder in sorted(p for p in cache_dir().iterdir() if p.is_dir()):
        sizes = []
        for path in folder.rglob("*"):
            try:
                if path.is_file():
                    sizes.append(path.stat().st_size)
            except OSError:  # removed meanwhile
                continue
        report[folder.name] = (len(sizes), sum(sizes))
    return report
