"""User programs that travel inside their URI: ``inline://<sha256>?data=<payload>``.

A client turns a user's program (C files with headers and flags, or IR) into a
*bundle* (its format and codec: ``service.proto.bundle``), and names it by the
bundle's sha256.

The inputs (the bundle's ``inputs``, or else every ``.c``, ``.ll`` and ``.bc``
file) are compiled (with the flags, then a file's own, in a folder holding all
the files, so ``#include "x.h"`` and relative ``-I`` flags work) or taken as
IR, and linked into one module in the order of their paths; a single IR file
is used as it is. Other files (headers) are there to be included.

The service checks that it hashes to the URI's sha256, keeps the bundle in its
cache, and replies with the short URI ``inline://<sha256>``, which it can then
resolve by itself (e.g. to fork the session). Because the full URI carries the
program, it works with a local or a remote service alike, survives a service
restart, and replays anywhere from a saved ``CompilerEnvState``.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from service.datasets.cache import cache_dir, cached, write_atomic
from service.datasets.cflags import check_cflags, path_problem
from service.datasets.compile import build_module
from service.llvm.toolchain import find_toolchain
from service.proto import bundle
from service.proto.errors import BenchmarkNotFound, InvalidArgument

__all__ = ["resolve_inline"]

_DIGEST = re.compile(r"[0-9a-f]{64}")


def resolve_inline(uri: str, *, confined: bool = False) -> tuple[str, bytes]:
    """The short URI and the bitcode of an ``inline://`` URI (compiled and cached).

    ``confined``: the program came from a remote client, and may read no file
    of this machine but its own and the system headers.

    Raises:
        BenchmarkNotFound: a short URI whose program this service has not seen.
        InvalidArgument: a malformed URI or bundle, or a payload whose sha256
            differs from the URI's.
        BenchmarkInitError: the program does not compile; the compiler's message
            is included.
    """
    rest = uri[len("inline://") :]
    digest, _, query = rest.partition("?")
    digest = digest.rstrip("/")
    if not _DIGEST.fullmatch(digest):
        raise InvalidArgument(
            f"{uri[:90]!r}: expected inline://<sha256 in lowercase hex>[?data=<payload>]"
        )
    stored = cache_dir() / "inline" / f"{digest}.json"
    received = bool(query)
    if received:
        bundle_bytes = bundle.unpack(query, digest)
    elif stored.exists():
        bundle_bytes = stored.read_bytes()
    else:
        raise BenchmarkNotFound(
            f"inline://{digest} names a program this service has not received; pass the "
            "Benchmark object from compiler_env.benchmark_from_*() (its URI carries the program)"
        )
    short = f"inline://{digest}"
    path = cache_dir() / "bitcode" / f"inline-{digest}-llvm{find_toolchain().version}.bc"
    bitcode = cached(path, lambda: _build(_parse(bundle_bytes), confined))
    if received and not stored.exists():  # kept only once it is known to build
        write_atomic(stored, bundle_bytes)
    return short, bitcode


def _parse(bundle_bytes: bytes) -> dict[str, Any]:
    files, cflags, file_cflags, inputs = bundle.decode(bundle_bytes)
    _check_names(list(files))
    return {
        "files": files,
        "inputs": inputs,
        "cflags": check_cflags(cflags),
        "file_cflags": {name: check_cflags(flags) for name, flags in file_cflags.items()},
    }


def _check_names(names: list[str]) -> None:
    """Refuses file names that are not plain relative paths, or that clash.

    Raises:
        InvalidArgument: the message names the file and says what is wrong.
    """
    for name in names:
        problem = path_problem(name)
        if problem is not None:
            shown = name if len(name) <= 100 else f"{name[:60]}...{name[-30:]}"
            raise InvalidArgument(f"the inline program's file name {shown!r} {problem}")
    folders = {str(parent) for name in names for parent in PurePosixPath(name).parents}
    for name in sorted(folders.intersection(names)):
        raise InvalidArgument(
            f"the inline program has a file {name!r} and files under {name + '/'!r}: "
            "a name cannot be both a file and a folder"
        )


def _build(program: dict[str, Any], confined: bool) -> bytes:
    files: dict[str, bytes] = program["files"]
    inputs: list[str] = program["inputs"]
    with tempfile.TemporaryDirectory(prefix="compiler_env-inline-") as tmp:
        root = Path(tmp)
        for name, content in files.items():
            try:
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                (root / name).write_bytes(content)
            except OSError as error:  # e.g. a name too long for the file system
                raise InvalidArgument(
                    f"the inline program's file {name!r} cannot be written: "
                    f"{error.strerror or error}"
                ) from None
        return build_module(
            root, inputs, program["cflags"], confined=confined, file_cflags=program["file_cflags"]
        )
