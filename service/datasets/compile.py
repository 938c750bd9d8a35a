"""Turning C sources and IR files into one module of unoptimized LLVM bitcode.

C is compiled with the clang of the LLVM installation in use (never the first
``clang`` on ``PATH``) where clang's optimizer starts: its frontend output at
``-Oz`` with LLVM's passes disabled (``-Xclang -disable-llvm-passes``), so that
functions carry what clang's ``-Oz`` gives them (``minsize optsize``, no
``noinline``, lifetime markers, type-based alias metadata); several inputs
are linked into one module with ``llvm-link``. Each compiler runs in the
folder of the program with relative file names, so the bitcode does not depend
on where the program is stored.

No clang run reads a configuration file (``--no-default-config``), input file
names are passed after ``--`` so that none is taken as an option, and a C file
whose name begins with ``@`` is refused (clang would read it as a response file).
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat as stat_module
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from service.datasets.cache import cache_dir, cached
from service.datasets.cflags import is_system_folder
from service.llvm.toolchain import find_toolchain
from service.proto.bundle import IR_SUFFIXES
from service.proto.constants import MAX_PROGRAM_BYTES
from service.proto.errors import BenchmarkInitError, InvalidArgument
from service.sandbox import dies_with_parent

__all__ = [
    "CLANG_FLAGS",
    "DATASET_STD",
    "DEFAULT_STD",
    "FRONTEND_LEVELS",
    "COMPILE_TIMEOUT",
    "INCLUDABLE_SUFFIXES",
    "IR_SUFFIXES",
    "MAX_ERROR_BYTES",
    "MAX_FINGERPRINT_ENTRIES",
    "NO_CONFIG_FLAG",
    "START_LEVEL",
    "build_module",
    "compile_c",
    "frontend_flags",
    "run_tool",
]

#: The level whose frontend output an episode starts from, unless a benchmark
#: URI says another (``?level=O3``).
START_LEVEL = "Oz"
#: The levels of clang's frontend a C benchmark may start from.
FRONTEND_LEVELS = ("O0", "O1", "O2", "O3", "Os", "Oz")


#: The C dialect of programs that do not name one: clang's own default for C.
DEFAULT_STD = "-std=gnu17"
#: The dialect of the programs of this project's datasets (kernels-v0, csmith-v0),
#: fixed so that their bitcode does not change.
DATASET_STD = "-std=c11"


def frontend_flags(level: str = START_LEVEL) -> tuple[str, ...]:
    """Flags for clang's frontend output at ``-<level>``, before any LLVM pass runs.

    The dialect is ``DEFAULT_STD`` (clang's default for C); a ``-std=`` among a
    program's own flags, which come after these, wins.

    The level changes more than attributes: headers see other macros (glibc's
    ``bsearch`` is an inline function when ``__OPTIMIZE__`` is set and
    ``__OPTIMIZE_SIZE__`` is not), so each level is compiled on its own. At
    ``O0``, ``optnone`` is left out, so that passes still apply.
    """
    # At -O0 the frontend marks every function optnone, which passes respect.
    keep = ("-Xclang", "-disable-O0-optnone") if level == "O0" else ()
    return (
        f"-{level}",
        "-Xclang",
        "-disable-llvm-passes",
        *keep,
        "-emit-llvm",
        "-c",
        DEFAULT_STD,
        "-w",
    )


#: Flags for the starting programs: clang's frontend output at -Oz.
CLANG_FLAGS = frontend_flags()
#: Seconds one compiler or linker run may take.
COMPILE_TIMEOUT = 300.0
#: Inputs taken as LLVM IR (text or bitcode) rather than compiled.
#: Given to every clang run (by ``run_tool``): read no configuration file.
NO_CONFIG_FLAG = "--no-default-config"
#: The most bytes of a tool's stderr put in an error message (the rest is cut).
MAX_ERROR_BYTES = 4096
#: Files of a program's folders that ``#include "..."`` may reach, which the
#: cache key of compiled sources covers.
INCLUDABLE_SUFFIXES = (".c", ".h", ".inc", ".def", ".inl", ".hh", ".hpp", ".hxx")
#: The most folder entries looked at to make that key; sources in a larger
#: folder tree (e.g. a home folder) are compiled every time instead of cached.
MAX_FINGERPRINT_ENTRIES = 20_000
#: Folders never looked into for that key (they hold no headers).
_SKIPPED_FOLDERS = frozenset({".git", ".hg", ".svn", "__pycache__"})
#: Flags whose value is an include folder, for that key.
_INCLUDE_DIR_FLAGS = ("-I", "-iquote", "-isystem", "-idirafter")


def run_tool(
    command: Sequence[str], *, what: str, cwd: Path | None = None, timeout: float = COMPILE_TIMEOUT
) -> subprocess.CompletedProcess[bytes]:
    """Runs a compiler tool; a failure or timeout raises ``BenchmarkInitError``.

    A clang run is given ``--no-default-config`` (right after the program), so
    that it reads no configuration file. The error message of a failure holds
    at most the first ``MAX_ERROR_BYTES`` bytes of the tool's stderr.

    Args:
        command: the program and its arguments.
        what: what is being done, for error messages (e.g. ``"compilation"``).
        cwd: the folder to run in.
        timeout: seconds before the tool is killed.
    """
    command = list(command)
    if Path(command[0]).name.startswith("clang") and NO_CONFIG_FLAG not in command:
        command.insert(1, NO_CONFIG_FLAG)
    try:
        result = subprocess.run(
            dies_with_parent(command),
            cwd=cwd,
            capture_output=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise BenchmarkInitError(
            f"{what} did not finish within {timeout:.0f} s and was stopped "
            f"(command: {' '.join(command)})"
        ) from None
    if result.returncode != 0:
        raise BenchmarkInitError(
            f"{what} failed:\n{_messages(result.stderr)}{_hints(result.stderr, command)}"
            f"\n(command: {' '.join(command)})"
        )
    return result


def _messages(stderr: bytes) -> str:
    """A tool's messages, at most ``MAX_ERROR_BYTES`` of them, cut after a whole line."""
    if len(stderr) <= MAX_ERROR_BYTES:
        return stderr.decode(errors="replace").strip()
    kept = stderr[:MAX_ERROR_BYTES]
    if b"\n" in kept:
        kept = kept[: kept.rindex(b"\n")]
    shown = kept.decode(errors="replace").strip()
    return f"{shown}\n[... {len(stderr) - len(kept)} more bytes of messages not shown]"


#: What clang says of C that only the dialects before C99 allow: implicit int,
#: calls to undeclared functions, K&R definitions.
_LEGACY_DIAGNOSTICS = (
    b"type specifier missing, defaults to 'int'",
    b"call to undeclared function",
    b"call to undeclared library function",
    b"a function definition without a prototype",
    b"parameter list without types",
    b"a parameter list without types is only allowed in a function definition",
)


def _hints(stderr: bytes, command: Sequence[str]) -> str:
    """What to try, when the tool's messages say a known thing is wrong."""
    if b"multiply defined" in stderr:
        return (
            "\nTwo of the files define the same symbol (often: several programs' main, or "
            "variants of one file): choose the files of one program, e.g. "
            "benchmark_from_dir(..., exclude=['*_large.c']) or "
            "benchmark_from_compile_commands(..., files=[...])"
        )
    return _legacy_hint(stderr, command)


def _legacy_hint(stderr: bytes, command: Sequence[str]) -> str:
    """A hint to compile pre-C99 code as such, when clang's messages say it is."""
    if not any(diagnostic in stderr for diagnostic in _LEGACY_DIAGNOSTICS):
        return ""
    dialects = [flag for flag in command if flag.startswith("-std=")]
    if dialects[-1:] and dialects[-1] in ("-std=gnu89", "-std=c89", "-std=gnu90", "-std=c90"):
        return ""
    if dialects[-1:] and dialects[-1].startswith("-std=c"):
        return (
            f"\nThe program is compiled as strict ISO C ({dialects[-1]}), whose headers "
            "declare no POSIX or GNU functions: leave -std= out (clang's default, gnu17) or "
            "define the feature macro the function needs (e.g. -D_POSIX_C_SOURCE=200809L); C "
            "written before C99 (implicit int, K&R definitions) needs -std=gnu89"
        )
    return (
        "\nThis looks like C written before C99 (implicit int, undeclared functions or K&R "
        "definitions, errors in every later dialect): compile it with the flag -std=gnu89 "
        '(e.g. cflags=["-std=gnu89"])'
    )


def build_module(
    root: Path,
    inputs: Sequence[str],
    cflags: Sequence[str] = (),
    *,
    confined: bool = False,
    level: str = START_LEVEL,
    file_cflags: Mapping[str, Sequence[str]] | None = None,
) -> bytes:
    """Compiles and links files of ``root`` into one module (not cached).

    Args:
        root: the folder the tools run in; ``inputs`` and relative ``-I`` flags
            are relative to it.
        inputs: ``.c`` files to compile and ``.ll``/``.bc`` files to link in.
        cflags: extra clang flags, e.g. ``["-DN=10", "-Iinclude"]``.
        confined: the files may ``#include`` or ``#embed`` only files under
            ``root`` and the system headers (a program from a remote client);
            checked by a preprocessing pass that lists them, before compiling.
        level: the optimization level of clang's frontend (``frontend_flags``).
        file_cflags: more flags for some inputs, by name, given after ``cflags``.

    Returns:
        The bitcode, or the bytes of the only input when it is a single IR file.
    """
    if not inputs:
        raise BenchmarkInitError("the program has no .c, .ll or .bc file")
    if len(inputs) == 1 and inputs[0].endswith(IR_SUFFIXES):
        return (root / inputs[0]).read_bytes()
    toolchain = find_toolchain()
    with tempfile.TemporaryDirectory(prefix="compiler_env-cc-") as tmp:
        modules = []
        for i, name in enumerate(inputs):
            if name.endswith(IR_SUFFIXES):
                modules.append(str(root / name))
                continue
            if Path(name).name.startswith("@"):
                # clang passes the file's name on to its compiler stage, which
                # would read an "@name" argument as a file of options.
                raise BenchmarkInitError(
                    f"{name}: a file whose name begins with '@' cannot be compiled; rename it"
                )
            out = Path(tmp) / f"{i}.bc"
            # After "--" every argument is an input; "./" also keeps a name
            # beginning with "-" an input for the compiler stage.
            source = f"./{name}" if name.startswith("-") else name
            flags = [*cflags, *(file_cflags or {}).get(name, ())]
            if confined:
                _check_reads(root, name, source, flags)
            command = [
                str(toolchain.tool("clang")), NO_CONFIG_FLAG, *frontend_flags(level), *flags,
                "-o", str(out), "--", source,
            ]  # fmt: skip
            run_tool(command, what="compilation", cwd=root)
            if not out.is_file():
                raise BenchmarkInitError(
                    f"compilation of {name} produced no bitcode (flags: {' '.join(flags)})"
                )
            modules.append(str(out))
        if len(modules) == 1:
            return Path(modules[0]).read_bytes()
        linked = Path(tmp) / "linked.bc"
        command = [str(toolchain.tool("llvm-link")), *modules, "-o", str(linked)]
        run_tool(command, what="linking", cwd=root)
        return linked.read_bytes()


@functools.cache
def _system_header_folders() -> list[Path]:
    toolchain = find_toolchain()
    resource = run_tool([str(toolchain.tool("clang")), "-print-resource-dir"], what="clang")
    folders = [Path(resource.stdout.decode().strip()) / "include"]
    return [*folders, Path("/usr/include"), Path("/usr/local/include")]


def _check_reads(root: Path, name: str, source: str, cflags: Sequence[str]) -> None:
    """Refuses a file that would read a file outside ``root`` and the system headers.

    The preprocessor lists every file an ``#include`` or ``#embed`` reaches
    (``-M``), resolved through links; nothing of their content is shown.
    """
    command = [
        str(find_toolchain().tool("clang")), NO_CONFIG_FLAG, *CLANG_FLAGS, *cflags,
        "-M", "-MG", "-fno-caret-diagnostics", "--", source,
    ]  # fmt: skip
    try:
        listing = run_tool(command, what="preprocessing", cwd=root).stdout.decode(errors="replace")
    except BenchmarkInitError as error:
        raise BenchmarkInitError(str(error).split(" (command:")[0]) from None
    allowed = [root.resolve(), *(f.resolve() for f in _system_header_folders())]
    words = listing.replace("\\\n", " ").replace("\\ ", "\0").split()
    for word in words[1:]:  # the first is the make target
        read = (root / word.replace("\0", " ")).resolve()
        if not any(read.is_relative_to(folder) for folder in allowed):
            raise InvalidArgument(
                f"{name} reads {word.replace(chr(0), ' ')!r}, which is not a file of the "
                "program: a program sent to a remote service may #include or #embed only its "
                "own files and the system headers"
            )


def compile_c(
    sources: Sequence[Path],
    cflags: Sequence[str] = (),
    *,
    root: Path | None = None,
    tree_id: str | None = None,
    level: str = START_LEVEL,
) -> bytes:
    """Compiles C sources into one module of unoptimized bitcode (cached on disk).

    The cache key covers the compiler version and flags, the sources, and every
    file that ``#include "..."`` may reach in the folder tree of ``root`` and in
    the include folders outside it but the system headers' (files ending in
    ``INCLUDABLE_SUFFIXES``, by content). When that tree has over
    ``MAX_FINGERPRINT_ENTRIES`` entries, the sources are compiled without the cache.

    Args:
        sources: the ``.c`` files (``.ll``/``.bc`` files are linked in as they are).
        cflags: extra clang flags; relative paths in them are relative to ``root``.
        root: the folder the compiler runs in; by default the one holding all sources.
        tree_id: names the content of ``root``'s folder tree when it cannot
            change (e.g. an unpacked archive's sha256); it then replaces the
            look at the tree's files in the key.
        level: the optimization level of clang's frontend (``frontend_flags``).
    """
    sources = [Path(s).resolve() for s in sources]
    if root is None:
        root = Path(os.path.commonpath([s.parent for s in sources])) if sources else Path.cwd()
    root = root.resolve()
    names = [os.path.relpath(s, root) for s in sources]
    key = hashlib.sha256(find_toolchain().version.encode() + b"\0")
    for flag in (*frontend_flags(level), "\0", *cflags):
        key.update(flag.encode() + b"\0")
    for name, source in zip(names, sources):
        key.update(os.fsencode(name) + b"\0" + source.read_bytes() + b"\0")
    if tree_id is not None:
        key.update(b"tree\0" + tree_id.encode() + b"\0")
    else:
        tree = _fingerprint(root, _include_folders(root, cflags))
        if tree is None:
            return build_module(root, names, cflags, level=level)
        key.update(b"files\0" + tree)
    path = cache_dir() / "bitcode" / f"{key.hexdigest()}.bc"
    return cached(path, lambda: build_module(root, names, cflags, level=level))


def _include_folders(root: Path, cflags: Sequence[str]) -> list[Path]:
    """``root`` and the include folders of ``cflags`` outside it (but the system headers)."""
    folders = [root]
    values = []
    for i, flag in enumerate(cflags):
        for option in _INCLUDE_DIR_FLAGS:
            if flag == option and i + 1 < len(cflags):
                values.append(cflags[i + 1])
            elif flag.startswith(option) and flag != option:
                values.append(flag[len(option) :])
    for value in values:
        if value and not is_system_folder(value):  # the system headers are the toolchain's
            folder = (root / value).resolve()
            if not any(folder.is_relative_to(f) for f in folders) and folder.is_dir():
                folders.append(folder)
    return folders


def _fingerprint(root: Path, folders: Sequence[Path]) -> bytes | None:
    """The digest of the includable files under ``folders`` (names relative to
    ``root``), or None when the folders hold too many entries to look at."""
    digest = hashlib.sha256()
    entries = 0
    for folder in folders:
        for parent, subfolders, files in os.walk(folder):
            subfolders[:] = sorted(d for d in subfolders if d not in _SKIPPED_FOLDERS)
            entries += len(subfolders) + len(files)
            if entries > MAX_FINGERPRINT_ENTRIES:
                return None
            for name in sorted(files):
                if not name.endswith(INCLUDABLE_SUFFIXES):
                    continue
                path = os.path.join(parent, name)
                content = _file_digest(path)
                if content is not None:
                    relative = os.fsencode(os.path.relpath(path, root))
                    digest.update(relative + b"\0" + content)
    return digest.digest()


#: Digests of files by path and stat signature, so that a file is read once
#: per process while it does not change.
_FILE_DIGESTS: dict[tuple[str, int, int, int, int, int], bytes] = {}
#: A file changed less than this long ago (ns) is read every time: file times
#: are coarse, so two writes in a row may leave the same signature.
_SETTLED_NS = 2_000_000_000


def _file_digest(path: str) -> bytes | None:
    """The sha256 of a regular file's content (of its size and times when it is
    over ``MAX_PROGRAM_BYTES``), or None if it is not a regular file or cannot be read."""
    try:
        stat = os.stat(path)
        if not stat_module.S_ISREG(stat.st_mode):
            return None
        signature = (path, stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns,
                     stat.st_ctime_ns)  # fmt: skip
        if stat.st_size > MAX_PROGRAM_BYTES:
            return hashlib.sha256(repr(signature[3:]).encode()).digest()
        known = _FILE_DIGESTS.get(signature)
        if known is None:
            hasher = hashlib.sha256()
            with open(path, "rb") as f:
                while chunk := f.read(1 << 20):
                    hasher.update(chunk)
            known = hasher.digest()
            if time.time_ns() - max(stat.st_mtime_ns, stat.st_ctime_ns) > _SETTLED_NS:
                if len(_FILE_DIGESTS) >= 100_000:
                    _FILE_DIGESTS.clear()
                _FILE_DIGESTS[signature] = known
        return known
    except OSError:
        return None
