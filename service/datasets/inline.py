"""User programs that travel inside their URI: ``inline://<sha256>?data=<payload>``.

A client turns a user's program (C files with headers and flags, or IR) into a
*bundle*, and names it by the bundle's sha256. The bundle is a UTF-8 JSON
object::

    {"format": 1,
     "files": {"<relative path>": "<base64 of the file's bytes>", ...},
     "cflags": ["-DN=10", "-Iinclude", ...]}

Every ``.c`` file is compiled (with the flags, in a folder holding all the
files, so ``#include "x.h"`` and relative ``-I`` flags work), every ``.ll`` and
``.bc`` file is taken as IR, and all of them are linked into one module in the
order of their paths; a single IR file is used as it is. Other files (headers)
are there to be included.

The payload is the bundle compressed with zlib, then base64url without padding.
The service checks that it hashes to the URI's sha256, keeps the bundle in its
cache, and replies with the short URI ``inline://<sha256>``, which it can then
resolve by itself (e.g. to fork the session). Because the full URI carries the
program, it works with a local or a remote service alike, survives a service
restart, and replays anywhere from a saved ``CompilerEnvState``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import tempfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

from service.datasets.cache import cache_dir, cached, write_atomic
from service.datasets.compile import IR_SUFFIXES, MAX_PROGRAM_BYTES, build_module
from service.llvm.toolchain import find_toolchain
from service.proto.errors import BenchmarkNotFound, InvalidArgument, ProgramTooLarge

__all__ = ["BUNDLE_FORMAT", "check_cflags", "resolve_inline"]

BUNDLE_FORMAT = 1
#: The largest bundle accepted (its files are base64 in JSON, so it is larger than they are).
MAX_BUNDLE_BYTES = 2 * MAX_PROGRAM_BYTES
_DIGEST = re.compile(r"[0-9a-f]{64}")
#: Flags a user's program may pass to clang (by prefix), and those refused among them.
_ACCEPTED = ("-D", "-U", "-I", "-isystem", "-iquote", "-idirafter", "-include", "-std=",
             "-f", "-m", "-W", "-w", "-ansi", "-pedantic")  # fmt: skip
_REFUSED = ("-fplugin", "-fpass-plugin", "-Wl,", "-Wa,", "-Wp,", "-mllvm")
_WITH_VALUE = ("-D", "-U", "-I", "-isystem", "-iquote", "-idirafter", "-include")
_PATHS_ALLOWED = ("-I", "-isystem", "-iquote", "-idirafter", "-include")


def check_cflags(cflags: list[str]) -> list[str]:
    """The flags, if the service accepts all of them for a user's program.

    Accepted: defines and undefines, include folders and files, ``-std=``,
    and ``-f``/``-m``/``-W`` options that do not name files; refused: plugins,
    flags passed to other tools, output files.

    Raises:
        InvalidArgument: a flag is refused; the message names it.
    """
    checked: list[str] = []
    pending_value = False
    for flag in cflags:
        if not isinstance(flag, str):
            raise InvalidArgument(f"compiler flags must be strings; got {flag!r}")
        if pending_value:
            checked.append(flag)
            pending_value = False
            continue
        accepted = flag.startswith(_ACCEPTED) and not flag.startswith(_REFUSED)
        names_path = "/" in flag and not flag.startswith(_PATHS_ALLOWED)
        if not accepted or names_path or "-load" in flag:
            raise InvalidArgument(
                f"the compiler flag {flag!r} is not accepted for a user's program; accepted "
                "are -D, -U, -I, -isystem, -iquote, -include, -std=, and -f/-m/-W options "
                "that name no file"
            )
        checked.append(flag)
        pending_value = flag in _WITH_VALUE
    if pending_value:
        raise InvalidArgument(f"the compiler flag {cflags[-1]!r} needs a value after it")
    return checked


def resolve_inline(uri: str) -> tuple[str, bytes]:
    """The short URI and the bitcode of an ``inline://`` URI (compiled and cached).

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
    if query:
        bundle_bytes = _decode(query, digest)
        if not stored.exists():
            write_atomic(stored, bundle_bytes)
    elif stored.exists():
        bundle_bytes = stored.read_bytes()
    else:
        raise BenchmarkNotFound(
            f"inline://{digest} names a program this service has not received; pass the "
            "Benchmark object from compiler_env.benchmark_from_*() (its URI carries the program)"
        )
    short = f"inline://{digest}"
    path = cache_dir() / "bitcode" / f"inline-{digest}-llvm{find_toolchain().version}.bc"
    return short, cached(path, lambda: _build(_parse(bundle_bytes)))


def _decode(query: str, digest: str) -> bytes:
    if not query.startswith("data="):
        raise InvalidArgument("an inline:// URI carries its program as ?data=<payload>")
    payload = query[len("data=") :]
    try:
        compressed = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        inflater = zlib.decompressobj()
        bundle = inflater.decompress(compressed, MAX_BUNDLE_BYTES)
    except (binascii.Error, ValueError, zlib.error) as error:
        raise InvalidArgument(f"the payload of inline://{digest} is corrupted: {error}") from None
    if inflater.unconsumed_tail:
        raise ProgramTooLarge(
            f"the program of inline://{digest} is over {MAX_BUNDLE_BYTES} bytes once unpacked"
        )
    if not inflater.eof:
        raise InvalidArgument(
            f"the payload of inline://{digest} is corrupted: it ends early (truncated URI?)"
        )
    actual = hashlib.sha256(bundle).hexdigest()
    if actual != digest:
        raise InvalidArgument(
            f"the payload of inline://{digest} has sha256 {actual}: it was changed or "
            "truncated on the way; make the benchmark again with compiler_env.benchmark_from_*()"
        )
    return bundle


def _parse(bundle_bytes: bytes) -> dict[str, Any]:
    try:
        bundle = json.loads(bundle_bytes)
        if bundle.get("format") != BUNDLE_FORMAT:
            raise ValueError(f"format {bundle.get('format')!r}, expected {BUNDLE_FORMAT}")
        files = {
            name: base64.b64decode(content, validate=True)
            for name, content in bundle["files"].items()
        }
        cflags = list(bundle.get("cflags", []))
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as error:
        raise InvalidArgument(f"malformed inline program bundle: {error}") from None
    for name in files:
        path = PurePosixPath(name)
        if not name or path.is_absolute() or ".." in path.parts or "\\" in name:
            raise InvalidArgument(f"the inline program's file name {name!r} is not a relative path")
    return {"files": files, "cflags": check_cflags(cflags)}


def _build(bundle: dict[str, Any]) -> bytes:
    files: dict[str, bytes] = bundle["files"]
    inputs = sorted(name for name in files if name.endswith((".c", *IR_SUFFIXES)))
    with tempfile.TemporaryDirectory(prefix="compiler_env-inline-") as tmp:
        root = Path(tmp)
        for name, content in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(content)
        return build_module(root, inputs, bundle["cflags"])
