"""The inline program bundle, encoded by the client and decoded by the service.

A user's program (C files with headers and flags, or IR) travels inside its
URI, ``inline://<sha256>?data=<payload>``. The bundle is a UTF-8 JSON object
(keys sorted, no spaces)::

    {"cflags": ["-DN=10", ...], "files": {"<relative path>": "<base64>", ...}, "format": 1}

A program whose C files have flags of their own (from a ``compile_commands.json``)
also has ``"file_cflags": {"<relative path>": ["-DX", ...], ...}``, given after
``cflags`` when that file is compiled; one whose inputs are not all its ``.c``,
``.ll`` and ``.bc`` files (a ``.c`` file may be there to be included) has
``"inputs": ["<relative path>", ...]``. The sha256 is the bundle's; the payload
is the bundle compressed with zlib, then base64url without padding. Files whose
names end in ``INPUT_SUFFIXES`` are compiled or linked; the others are there to
be included.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zlib
from typing import Any

from service.proto.constants import MAX_PROGRAM_BYTES
from service.proto.errors import InvalidArgument, ProgramTooLarge

__all__ = [
    "BUNDLE_FORMAT",
    "HEADER_SUFFIXES",
    "INPUT_SUFFIXES",
    "IR_SUFFIXES",
    "MAX_BUNDLE_BYTES",
    "decode",
    "default_inputs",
    "encode",
    "unpack",
]

BUNDLE_FORMAT = 1
#: Files taken as IR (text or bitcode).
IR_SUFFIXES = (".ll", ".bc")
#: Files compiled (C) or linked (IR) into the benchmark's module.
INPUT_SUFFIXES = (".c", *IR_SUFFIXES)
#: Files a client gathers from an include folder.
HEADER_SUFFIXES = (".h", ".inc", ".def")
#: The largest bundle accepted (its files are base64 in JSON, so it is larger than they are).
MAX_BUNDLE_BYTES = 2 * MAX_PROGRAM_BYTES


def encode(
    files: dict[str, bytes],
    cflags: list[str],
    file_cflags: dict[str, list[str]] | None = None,
    inputs: list[str] | None = None,
) -> str:
    """The ``inline://<sha256>?data=<payload>`` URI carrying these files and flags
    (``file_cflags``: more flags for some of the C files, by name; ``inputs``:
    the files compiled or linked, when not all of ``INPUT_SUFFIXES``)."""
    fields: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "files": {name: base64.b64encode(content).decode() for name, content in files.items()},
        "cflags": cflags,
    }
    if file_cflags:
        fields["file_cflags"] = file_cflags
    if inputs is not None and sorted(inputs) != default_inputs(files):
        fields["inputs"] = sorted(inputs)
    bundle = json.dumps(
        fields,
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
    digest = hashlib.sha256(bundle).hexdigest()
    payload = base64.urlsafe_b64encode(zlib.compress(bundle, 9)).decode().rstrip("=")
    return f"inline://{digest}?data={payload}"


def unpack(query: str, digest: str) -> bytes:
    """The bundle carried by an inline URI's query (``data=<payload>``), checked against its sha256.

    Raises:
        InvalidArgument: a malformed, corrupted or changed payload.
        ProgramTooLarge: the bundle is over ``MAX_BUNDLE_BYTES`` once unpacked.
    """
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


def default_inputs(files: dict[str, Any]) -> list[str]:
    """The files of a program compiled or linked when its bundle does not list them."""
    return sorted(name for name in files if name.endswith(INPUT_SUFFIXES))


def decode(
    bundle_bytes: bytes,
) -> tuple[dict[str, bytes], list[Any], dict[str, list[Any]], list[str]]:
    """The files, flags, flags by file and inputs of a bundle (names and flags not yet checked).

    Raises:
        InvalidArgument: not a bundle of this format.
    """
    try:
        bundle = json.loads(bundle_bytes)
        if bundle.get("format") != BUNDLE_FORMAT:
            raise ValueError(f"format {bundle.get('format')!r}, expected {BUNDLE_FORMAT}")
        files, cflags = bundle["files"], bundle.get("cflags", [])
        if not isinstance(files, dict):
            raise ValueError(
                f'"files" is a {type(files).__name__}, expected an object of name: base64'
            )
        if not isinstance(cflags, list) or not all(isinstance(f, str) for f in cflags):
            raise ValueError(f'"cflags" is {cflags!r}, expected a list of strings')
        file_cflags = bundle.get("file_cflags", {})
        if not isinstance(file_cflags, dict) or not all(
            name in files and isinstance(flags, list) and all(isinstance(f, str) for f in flags)
            for name, flags in file_cflags.items()
        ):
            raise ValueError('"file_cflags" must map names of its files to lists of strings')
        inputs = bundle.get("inputs", default_inputs(files))
        if not isinstance(inputs, list) or not all(
            name in files and name.endswith(INPUT_SUFFIXES) for name in inputs
        ):
            raise ValueError('"inputs" must list .c, .ll and .bc files of its files')
        files = {name: base64.b64decode(content, validate=True) for name, content in files.items()}
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as error:
        raise InvalidArgument(f"malformed inline program bundle: {error}") from None
    return files, cflags, file_cflags, sorted(inputs)
