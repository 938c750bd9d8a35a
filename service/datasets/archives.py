"""Archive datasets: downloaded once, verified by sha256, unpacked atomically.

A manifest with a ``url`` and a ``sha256`` names an archive (``.tar.gz`` or any
tar compression, or ``.zip``) holding the dataset's programs. The first
benchmark of the dataset to be resolved downloads it into
``<cache>/archives/<name>-<sha256 prefix>/``:

1. the archive is downloaded to a temporary file next to that folder, showing
   progress when it takes more than a moment;
2. its sha256 is checked against the manifest;
3. it is unpacked into a temporary folder, which is then renamed into place.

A failed, corrupted or interrupted download leaves nothing in the cache, so the
next attempt starts afresh. Processes that resolve the same dataset at once wait
for one download (a lock file), rather than each fetching it.

Run ``python -m service.datasets.archives <name>...`` on the service's machine
to download datasets ahead of time.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import http.client
import shutil
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from service.datasets.cache import cache_dir
from service.datasets.manifests import Dataset, datasets
from service.proto.errors import BenchmarkInitError, BenchmarkNotFound

__all__ = ["Progress", "StderrProgress", "archive_folder", "download", "main"]

#: Called with the bytes received so far and the total (None when unknown).
Progress = Callable[[int, "int | None"], None]

_CHUNK = 256 * 1024
#: Seconds a stalled connection may stay silent before the download fails.
SOCKET_TIMEOUT = 60.0


class StderrProgress:
    """Prints a download's progress to stderr once it has taken ``delay`` seconds.

    Args:
        label: what is downloaded, e.g. ``"dataset foo-v0"``.
        delay: seconds before the first line (quick downloads print nothing).
        interval: seconds between lines (on a terminal, one line is rewritten).
        stream: where to print; stderr by default.
    """

    def __init__(
        self,
        label: str,
        *,
        delay: float = 1.0,
        interval: float = 2.0,
        stream: IO[str] | None = None,
    ) -> None:
        self.label = label
        self.delay = delay
        self.interval = interval
        self.stream = stream or sys.stderr
        self._start = time.monotonic()
        self._last = 0.0
        self._printed = False

    def __call__(self, received: int, total: int | None) -> None:
        now = time.monotonic()
        done = total is not None and received >= total
        if now - self._start < self.delay and not (done and self._printed):
            return
        if not done and now - self._last < self.interval:
            return
        self._last = now
        mib = received / 2**20
        if total:
            text = f"{100 * received // total:3d}% ({mib:.1f} of {total / 2**20:.1f} MiB)"
        else:
            text = f"{mib:.1f} MiB"
        line = f"downloading {self.label}: {text}"
        if self.stream.isatty():  # rewrite one line
            print("\r" + line, end="\n" if done else "", file=self.stream)
        else:
            print(line, file=self.stream)
        self.stream.flush()
        self._printed = True


def download(url: str, destination: Path, progress: Progress | None = None) -> str:
    """Downloads ``url`` into the file ``destination``; returns its sha256.

    Raises:
        BenchmarkInitError: the server could not be reached or answered with an
            error, or the connection ended before the whole body arrived.
    """
    digest = hashlib.sha256()
    received = 0
    total: int | None = None
    try:
        with urllib.request.urlopen(url, timeout=SOCKET_TIMEOUT) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            with open(destination, "wb") as out:
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    if progress:
                        progress(received, total)
    except urllib.error.HTTPError as error:
        raise BenchmarkInitError(
            f"downloading {url} failed: the server answered {error.code} {error.reason}"
        ) from None
    except http.client.IncompleteRead:
        raise _interrupted(url, received, total) from None
    except (OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", error)
        raise BenchmarkInitError(
            f"downloading {url} failed after {received} bytes: {reason}; check the URL and "
            "the network, then try again"
        ) from None
    if total is not None and received != total:
        raise _interrupted(url, received, total)
    if progress and total is None:
        progress(received, received)
    return digest.hexdigest()


def _interrupted(url: str, received: int, total: int | None) -> BenchmarkInitError:
    of = f" of {total}" if total is not None else ""
    return BenchmarkInitError(
        f"the download of {url} was interrupted after {received}{of} bytes (the connection "
        "closed early); nothing was cached: try again"
    )


def archive_folder(dataset: Dataset, progress: Progress | None = None) -> Path:
    """The folder of an archive dataset's programs, downloaded on first use.

    Args:
        dataset: a dataset whose manifest has a ``url`` and a ``sha256``.
        progress: called as the download proceeds; by default progress is
            printed to stderr when the download takes more than a second.

    Raises:
        BenchmarkInitError: the download failed, was interrupted, or its sha256
            differs from the manifest's; the cache is left as it was.
    """
    parent = cache_dir() / "archives"
    target = parent / f"{dataset.name}-{dataset.sha256[:16]}"
    if not target.is_dir():
        parent.mkdir(parents=True, exist_ok=True)
        with _locked(parent / f".{dataset.name}.lock"):
            if not target.is_dir():  # another process may have finished meanwhile
                _fetch(dataset, target, progress or StderrProgress(f"dataset {dataset.name}"))
    folder = target / dataset.archive_root
    if not folder.is_dir():
        raise BenchmarkNotFound(
            f"the archive of {dataset.name} has no folder {dataset.archive_root!r} "
            f"(the manifest's archive_root); it was unpacked into {target}"
        )
    return folder


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _fetch(dataset: Dataset, target: Path, progress: Progress) -> None:
    prefix = f".download-{dataset.name}-"
    for stale in target.parent.glob(f"{prefix}*"):  # left by a killed process; we hold the lock
        shutil.rmtree(stale, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix=prefix, dir=target.parent) as tmp:
        archive = Path(tmp) / "archive"
        try:
            actual = download(dataset.url, archive, progress)
        except BenchmarkInitError as error:
            raise BenchmarkInitError(f"dataset {dataset.name}: {error}") from None
        if actual != dataset.sha256:
            raise BenchmarkInitError(
                f"dataset {dataset.name}: the archive downloaded from {dataset.url} has sha256 "
                f"{actual}, but the manifest ({dataset.root / 'manifest.json'}) expects "
                f"{dataset.sha256}. The download is corrupted or the archive changed; nothing "
                "was cached. Try again, and if it persists, check the url and sha256 of the "
                "manifest."
            )
        unpacked = Path(tmp) / "unpacked"
        unpacked.mkdir()
        _extract(archive, unpacked, dataset)
        unpacked.rename(target)  # atomic: the folder appears whole or not at all


def _extract(archive: Path, destination: Path, dataset: Dataset) -> None:
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zipped:
            for name in zipped.namelist():
                _check_member(name, dataset)
            zipped.extractall(destination)
        return
    try:
        with tarfile.open(archive, "r:*") as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(destination, filter="data")
            else:  # Python without extraction filters: refuse unsafe members ourselves
                for member in tar.getmembers():
                    _check_member(member.name, dataset)
                    if not (member.isfile() or member.isdir()):
                        raise BenchmarkInitError(
                            f"dataset {dataset.name}: the archive member {member.name!r} "
                            "is not a plain file or folder"
                        )
                tar.extractall(destination)
    except (tarfile.TarError, OSError) as error:
        raise BenchmarkInitError(
            f"dataset {dataset.name}: cannot unpack the archive from {dataset.url} "
            f"(expected a tar or zip archive): {error}"
        ) from None


def _check_member(name: str, dataset: Dataset) -> None:
    parts = Path(name).parts
    if Path(name).is_absolute() or ".." in parts:
        raise BenchmarkInitError(
            f"dataset {dataset.name}: the archive member {name!r} would be unpacked outside "
            "its folder; refusing the archive"
        )


def main(argv: list[str] | None = None) -> int:
    """Downloads archive datasets ahead of time: ``python -m service.datasets.archives NAME``."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("names", nargs="*", help="datasets to download (default: every archive)")
    args = parser.parse_args(argv)
    known = datasets()
    archives = [d for d in known.values() if d.url]
    chosen = [known[n] for n in args.names if n in known] if args.names else archives
    unknown = [n for n in args.names if n not in known or not known[n].url]
    if unknown:
        print(f"not archive datasets: {', '.join(unknown)}", file=sys.stderr)
        return 2
    for dataset in chosen:
        print(f"{dataset.name}: {archive_folder(dataset)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
