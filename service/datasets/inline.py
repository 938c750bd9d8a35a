"""User programs that travel inside their URI: ``inline://<sha256>?data=<payload>``.

A client turns a user's program (C files with headers and flags, or IR) into a
*bundle* (its format and codec: ``service.proto.bundle``), and names it by the
bundle's sha256.

Every ``.c`` file is compiled (with the flags, in a folder holding all the
files, so ``#include "x.h"`` and relative ``-I`` flags work), every ``.ll`` and
``.bc`` file is taken as IR, and all of them are linked into one module in the
order of their paths; a single IR file is used as it is. Other files (headers)
are there to be included.

The service checks that it hashes to the URI's sha256, keeps the bundle in its
cache, and replies with the short URI ``inline://<sha256>``, which it can then
resolve by itself (e.g. to fork the session). Because the full URI carries the
program, it works with a local or a remote service alike, survives a service
restart, and replays anywhere from a saved ``CompilerEnvState``.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from service.datasets.cache import cache_dir, cached, write_atomic
from service.datasets.compile import build_module
from service.llvm.toolchain import find_toolchain
from service.proto import bundle
from service.proto.errors import BenchmarkNotFound, InvalidArgument

__all__ = ["check_cflags", "resolve_inline"]

#: The longest file name, and the deepest folder, of a program (as file systems allow).
_MAX_NAME = 1024
_MAX_DEPTH = 64
_DIGEST = re.compile(r"[0-9a-f]{64}")
#: Options whose value names a file or folder, joined (``-Iinclude``) or
#: separate (``-I include``); the value must be a relative path in the program.
_PATH_OPTIONS = ("-isystem", "-iquote", "-idirafter", "-include", "-imacros", "-I")
#: Options whose value is text (a macro), joined or separate.
_TEXT_OPTIONS = ("-D", "-U")
_EXACT = ("-w", "-ansi", "-pedantic", "-pedantic-errors")
#: Prefixes of option families accepted unless refused below.
_FAMILIES = ("-std=", "-f", "-m", "-W")
#: Refused in those families: plugins, flags passed on to other tools, and
#: options that read or write files or stop before the bitcode is written.
_REFUSED = ("-fplugin", "-fpass-plugin", "-mllvm", "-mmlir", "-Wl,", "-Wa,", "-Wp,",
            "-fsyntax-only", "-fdriver-only")  # fmt: skip
_REFUSED_EXACT = ("-Wl", "-Wa", "-Wp")
_REFUSED_WORDS = ("plugin", "load", "file", "path", "dir=", "directory", "list", "module",
                  "profile", "optimization-record", "time-trace", "stat-report", "session",
                  "embed", "crash", "xray", "index", "bitcode")  # fmt: skip
_ACCEPTED_TEXT = (
    "accepted are -D, -U, -I, -isystem, -iquote, -idirafter, -include and -imacros "
    "with relative paths inside the program, -std=, and -f/-m/-W options that name no file"
)


def check_cflags(cflags: list[str]) -> list[str]:
    """The flags, if the service accepts all of them for a user's program.

    Accepted: defines and undefines; include folders and files (``-I``,
    ``-isystem``, ``-iquote``, ``-idirafter``, ``-include``, ``-imacros``) that
    are relative paths inside the program; ``-std=``; and ``-f``/``-m``/``-W``
    options that name no file. Refused: everything else, among it absolute or
    ``..`` paths, ``--sysroot``/``-isysroot``/``-B``, plugins, ``-Xclang``,
    ``-mllvm``, flags passed on to other tools (``-Wl,``), output files, and
    any flag holding ``@`` (a response file: clang may pass a joined value on
    as an argument of its own, ``-D@f`` as ``-D @f``) or a NUL.

    Raises:
        InvalidArgument: a flag is refused; the message names it.
    """
    checked: list[str] = []
    pending: str | None = None  # the option whose value comes next
    for flag in cflags:
        _check_characters(flag)
        if pending is not None:
            _check_value(pending, flag)
            pending = None
        else:
            pending = _check_option(flag)
        checked.append(flag)
    if pending is not None:
        raise InvalidArgument(f"the compiler flag {cflags[-1]!r} needs a value after it")
    return checked


def _check_characters(flag: object) -> None:
    if not isinstance(flag, str):
        raise InvalidArgument(f"compiler flags must be strings; got {flag!r}")
    if "\0" in flag:
        raise InvalidArgument(f"the compiler flag {flag!r} holds a NUL character")
    if "@" in flag:  # the driver may pass a joined value on alone: -D@f -> -D @f
        raise InvalidArgument(
            f"the compiler flag {flag!r} is not accepted for a user's program: it holds "
            "'@', and clang reads an argument beginning with '@' as a response file"
        )


def _check_value(option: str, value: str) -> None:
    """Checks the value given after an option that takes one."""
    if value.startswith("-"):
        raise InvalidArgument(f"the compiler flag {option!r} needs a value after it, not {value!r}")
    if option in _PATH_OPTIONS:
        _check_flag_path(option, value, f"{option} {value}")


def _check_option(flag: str) -> str | None:
    """Checks a flag that is not a value; returns it if its value comes next."""
    path_option = next((o for o in _PATH_OPTIONS if flag.startswith(o)), None)
    if path_option is not None:
        if flag == path_option:
            return flag
        _check_flag_path(path_option, flag[len(path_option) :], flag)
        return None
    if flag in _TEXT_OPTIONS:
        return flag
    if not (flag.startswith(_TEXT_OPTIONS) or _family_flag_accepted(flag)):
        raise InvalidArgument(
            f"the compiler flag {flag!r} is not accepted for a user's program; {_ACCEPTED_TEXT}"
        )
    return None


def _family_flag_accepted(flag: str) -> bool:
    if flag in _EXACT:
        return True
    if not flag.startswith(_FAMILIES) or flag.startswith(_REFUSED) or flag in _REFUSED_EXACT:
        return False
    if "/" in flag or "\\" in flag or ".." in flag:  # names a file
        return False
    if flag.startswith(("-std=", "-W")):  # a standard, or diagnostics
        return True
    lowered = flag.lower()
    return not any(word in lowered for word in _REFUSED_WORDS)


def _check_flag_path(option: str, value: str, flag: str) -> None:
    """Refuses a flag's path that is not a relative path inside the program."""
    problem = _path_problem(value, for_flag=True)
    if problem is not None:
        raise InvalidArgument(
            f"the compiler flag {flag!r} is not accepted for a user's program: its path "
            f"{value!r} {problem}; {option} takes a relative path inside the program, so "
            "that no file of the service's machine is read"
        )


#: Why a name is not a plain relative path inside a program, with how to tell.
_PATH_PROBLEMS: tuple[tuple[Callable[[str, tuple[str, ...]], bool], str], ...] = (
    (lambda name, parts: not name, "is empty"),
    (lambda name, parts: any(ord(c) < 32 or ord(c) == 127 for c in name),
     "holds a NUL or control character"),
    (lambda name, parts: "\\" in name, "holds a backslash"),
    (lambda name, parts: name.startswith("/"), "is not a relative path (it is absolute)"),
    (lambda name, parts: ".." in parts,
     "is not a relative path inside the program (it has a '..' component)"),
    (lambda name, parts: name.startswith("-"),
     "begins with '-' (clang would read it as an option)"),
    (lambda name, parts: name.startswith("@"),
     "begins with '@' (clang would read it as a response file)"),
    (lambda name, parts: any(part.startswith(("-", "@")) for part in parts),
     "has a part beginning with '-' or '@' (clang could read it as an option)"),
)  # fmt: skip


def _path_problem(name: str, *, for_flag: bool = False) -> str | None:
    """Why ``name`` is not a relative path inside a program, or None if it is.

    A file name must also be plain (``src/a.c``); a flag's path may be
    ``.`` or end with ``/``, but may not begin with ``=`` or ``$``.
    """
    if len(name) > _MAX_NAME or name.count("/") > _MAX_DEPTH:
        return f"is too long (at most {_MAX_NAME} characters and {_MAX_DEPTH} folders deep)"
    parts = PurePosixPath(name).parts
    for test, problem in _PATH_PROBLEMS:
        if test(name, parts):
            return problem
    if for_flag and name.startswith(("=", "$")):
        return "begins with '=' or '$' (clang would take it relative to the sysroot)"
    if not for_flag and (PurePosixPath(name).as_posix() != name or name == "."):
        return "is not in plain form (write 'src/a.c', not './src/a.c', 'src//a.c' or 'src/')"
    return None


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
    files, cflags = bundle.decode(bundle_bytes)
    _check_names(list(files))
    return {"files": files, "cflags": check_cflags(cflags)}


def _check_names(names: list[str]) -> None:
    """Refuses file names that are not plain relative paths, or that clash.

    Raises:
        InvalidArgument: the message names the file and says what is wrong.
    """
    for name in names:
        problem = _path_problem(name)
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
    inputs = sorted(name for name in files if name.endswith(bundle.INPUT_SUFFIXES))
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
        return build_module(root, inputs, program["cflags"], confined=confined)
