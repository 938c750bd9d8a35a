"""Which compiler flags a user's program may carry, and which are left out.

A program's flags come from where its author keeps them: a Makefile's
``CFLAGS``, a ``compile_commands.json``, a command line. Three kinds are told
apart:

- **accepted**: defines and undefines (``-D``, ``-U``); include folders and
  files (``-I``, ``-isystem``, ``-iquote``, ``-idirafter``, ``-include``,
  ``-imacros``) that are relative paths inside the program, or (the folders)
  absolute folders of the system headers such as ``/usr/include/tirpc``;
  ``-std=`` for a C dialect; ``-w``, ``-ansi``, ``-pedantic``, ``-pthread``; and
  ``-f``/``-m``/``-W`` options that name no file.
- **left out** (``DROPPED``): flags that only choose the optimization level,
  debug information, linking, the output or dependency files, or say the
  input is C. An episode starts from clang's frontend output at its own level
  and writes no files, so leaving them out changes nothing the env shows.
- **refused**: flags that would read or write files of the service's machine,
  load code into the compiler, or pass options on to other tools; the message
  names the flag and what to do instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import PurePosixPath

from service.proto.errors import InvalidArgument

__all__ = [
    "DROPPED",
    "SYSTEM_INCLUDE_ROOTS",
    "FOLDER_OPTIONS",
    "PATH_OPTIONS",
    "check_cflags",
    "dropped_kind",
    "is_system_folder",
    "path_problem",
    "split_cflags",
]

#: The longest file name, and the deepest folder, of a program (as file systems allow).
_MAX_NAME = 1024
_MAX_DEPTH = 64
#: Options whose value names a file or folder, joined (``-Iinclude``) or
#: separate (``-I include``); the value must be a relative path in the program.
PATH_OPTIONS = ("-isystem", "-iquote", "-idirafter", "-include", "-imacros", "-I")
#: Those whose value is a folder, which may also be one of the system headers.
FOLDER_OPTIONS = ("-isystem", "-iquote", "-idirafter", "-I")
#: Folders of system headers that a folder option may name as an absolute path.
SYSTEM_INCLUDE_ROOTS = ("/usr/include", "/usr/local/include")
#: Options whose value is text (a macro), joined or separate.
_TEXT_OPTIONS = ("-D", "-U")
_EXACT = ("-w", "-ansi", "-pedantic", "-pedantic-errors", "-pthread")
#: Prefixes of option families accepted unless refused below.
_FAMILIES = ("-std=", "-f", "-m", "-W")
#: Refused in those families: plugins, flags passed on to other tools, and
#: options that read or write files or stop before the bitcode is written.
_REFUSED = ("-fplugin", "-fpass-plugin", "-mllvm", "-mmlir", "-Wp,", "-fsyntax-only",
            "-fdriver-only")  # fmt: skip
_REFUSED_EXACT = ("-Wl", "-Wa", "-Wp")
_REFUSED_WORDS = ("plugin", "load", "file", "path", "dir=", "directory", "list", "module",
                  "profile", "optimization-record", "time-trace", "stat-report", "session",
                  "embed", "crash", "xray", "index", "bitcode")  # fmt: skip
_ACCEPTED_TEXT = (
    "accepted are -D, -U, -I, -isystem, -iquote, -idirafter, -include and -imacros "
    "with relative paths inside the program, -std=, and -f/-m/-W options that name no file"
)
#: What a left-out flag only affects, by the pattern it matches (``DROPPED``).
_DROPPED_KINDS: tuple[tuple[str, str], ...] = (
    (r"-O([0-4sgz]|fast)?", "the optimization level"),
    (r"-g.*|-fdebug-.*|-fno-debug-.*|-fstandalone-debug|-fno-standalone-debug",
     "debug information"),
    (r"-static.*|-shared|-rdynamic|-pie|-no-pie|-l.*|-L.*|-Wl,.*|-Xlinker|-fuse-ld=.*"
     r"|-flto.*|-fno-lto|-nostdlib|-nodefaultlibs|-nostartfiles|-s", "linking"),
    (r"-c|-pipe|-o.+|-o|-MD|-MMD|-MP|-MF.*|-MT.*|-MQ.*|-M|-MM|-Wa,.*|-Xassembler"
     r"|-save-temps.*|-v|-x|-xc", "what is written, and where"),
)  # fmt: skip
#: Flags left out, each with what it only affects.
DROPPED = tuple((re.compile(pattern), kind) for pattern, kind in _DROPPED_KINDS)
#: Options (accepted or refused) whose value is the next argument, whatever it looks like.
_PAIRED = ("-mllvm", "-Xclang", "-Xpreprocessor", "-Xanalyzer", "-isysroot", "--sysroot",
           "-iprefix", "-iwithprefix", "-iwithprefixbefore", "-ivfsoverlay", "-cxx-isystem",
           "-include-pch", "-target", "-arch", "-B", "-F")  # fmt: skip
#: Left-out options whose value comes as the next argument.
_DROPPED_WITH_VALUE = ("-o", "-MF", "-MT", "-MQ", "-l", "-L", "-Xlinker", "-Xassembler", "-x")


def dropped_kind(flag: str) -> str | None:
    """What a flag that is left out only affects, or None if it is not left out."""
    return next((kind for pattern, kind in DROPPED if pattern.fullmatch(flag)), None)


def split_cflags(cflags: Sequence[str]) -> tuple[list[str], list[str]]:
    """The flags to keep, and those left out (``DROPPED``), in their order.

    A left-out option that takes a value (``-o out.o``, ``-MF deps.d``, ``-x c``)
    is left out with it; ``-x`` with any language but C is refused.

    Raises:
        InvalidArgument: ``-x`` names a language other than C.
    """
    kept: list[str] = []
    dropped: list[str] = []
    flags = list(cflags)
    i = 0
    while i < len(flags):
        flag = flags[i]
        language = flag[2:] if flag.startswith("-x") and flag != "-x" else None
        if flag == "-x" and i + 1 < len(flags):
            language = flags[i + 1]
        if language is not None and language != "c":
            raise InvalidArgument(
                f"the compiler flag -x {language} says the input is not C; compiler_env "
                "compiles C (and takes LLVM IR as .ll or .bc files)"
            )
        if flag in _TEXT_OPTIONS or flag in PATH_OPTIONS or flag in _PAIRED:  # value as it is
            kept.extend(flags[i : i + 2])
            i += 2
            continue
        if isinstance(flag, str) and dropped_kind(flag) is not None:
            takes_value = flag in _DROPPED_WITH_VALUE and i + 1 < len(flags)
            dropped.extend(flags[i : i + 1 + takes_value])
            i += 1 + takes_value
            continue
        kept.append(flag)
        i += 1
    return kept, dropped


def check_cflags(cflags: Sequence[str], *, local: bool = False) -> list[str]:
    """The flags the service compiles a user's program with: those accepted,
    without those left out (``split_cflags``).

    ``local``: the program is a file of the service's own machine (a ``file://``
    URI), whose paths may be any of that machine.

    Refused: absolute paths (but folders of the system headers) and ``..``
    paths, ``--sysroot``/``-isysroot``/``-B``, plugins, ``-Xclang``, ``-mllvm``,
    ``-Wp,``, and any flag holding ``@`` (a response file: clang may pass a
    joined value on as an argument of its own, ``-D@f`` as ``-D @f``) or a NUL.

    Raises:
        InvalidArgument: a flag is refused; the message names it and says what to do.
    """
    for flag in cflags:
        _check_characters(flag)
    kept, _ = split_cflags(cflags)
    pending: str | None = None  # the option whose value comes next
    for flag in kept:
        if pending is not None:
            _check_value(pending, flag, local)
            pending = None
        else:
            pending = _check_option(flag, local)
    if pending is not None:
        raise InvalidArgument(f"the compiler flag {pending!r} needs a value after it")
    return kept


def _check_characters(flag: object) -> None:
    if not isinstance(flag, str):
        raise InvalidArgument(f"compiler flags must be strings; got {flag!r}")
    if "\0" in flag:
        raise InvalidArgument(f"the compiler flag {flag!r} holds a NUL character")
    if "@" in flag:  # the driver may pass a joined value on alone: -D@f -> -D @f
        raise InvalidArgument(
            f"the compiler flag {flag!r} is not accepted for a user's program: it holds "
            "'@', and clang reads an argument beginning with '@' as a response file; "
            "write the flags themselves"
        )


def _check_value(option: str, value: str, local: bool) -> None:
    """Checks the value given after an option that takes one."""
    if value.startswith("-"):
        raise InvalidArgument(f"the compiler flag {option!r} needs a value after it, not {value!r}")
    if option in PATH_OPTIONS and not local:
        _check_flag_path(option, value, f"{option} {value}")


def _check_option(flag: str, local: bool) -> str | None:
    """Checks a flag that is not a value; returns it if its value comes next."""
    path_option = next((o for o in PATH_OPTIONS if flag.startswith(o)), None)
    if path_option is not None:
        if flag == path_option:
            return flag
        if not local:
            _check_flag_path(path_option, flag[len(path_option) :], flag)
        return None
    if flag in _TEXT_OPTIONS:
        return flag
    if not (flag.startswith(_TEXT_OPTIONS) or _family_flag_accepted(flag)):
        raise InvalidArgument(
            f"the compiler flag {flag!r} is not accepted for a user's program; {_ACCEPTED_TEXT}"
            f"{_alternative(flag)}"
        )
    return None


def _alternative(flag: str) -> str:
    """What to do instead of a refused flag, where there is something."""
    if flag in ("-Xclang", "-mllvm") or flag.startswith(("-fplugin", "-fpass-plugin", "-mllvm")):
        return (
            "; the env's episodes choose LLVM's passes as actions, and the compiler runs "
            "no code but its own"
        )
    if flag.startswith(("--sysroot", "-isysroot", "-B")):
        return "; the service compiles against its own system headers"
    return ""


def _family_flag_accepted(flag: str) -> bool:
    if flag in _EXACT:
        return True
    if not flag.startswith(_FAMILIES) or flag.startswith(_REFUSED) or flag in _REFUSED_EXACT:
        return False
    if "/" in flag or "\\" in flag or ".." in flag:  # names a file
        return False
    if flag.startswith("-std=c++") or flag.startswith("-std=gnu++"):
        return False
    if flag.startswith(("-std=", "-W")):  # a standard, or diagnostics
        return True
    lowered = flag.lower()
    return not any(word in lowered for word in _REFUSED_WORDS)


def is_system_folder(value: str) -> bool:
    """Whether an absolute folder is one of the system headers (``SYSTEM_INCLUDE_ROOTS``)."""
    path = PurePosixPath(value)
    return (
        path.is_absolute()
        and ".." not in path.parts
        and any(path == PurePosixPath(root) or PurePosixPath(root) in path.parents
                for root in SYSTEM_INCLUDE_ROOTS)
    )  # fmt: skip


def _check_flag_path(option: str, value: str, flag: str) -> None:
    """Refuses a flag's path that is not a relative path inside the program
    (or, for a folder option, a folder of the system headers)."""
    if option in FOLDER_OPTIONS and is_system_folder(value):
        return
    problem = path_problem(value, for_flag=True)
    if problem is not None:
        raise InvalidArgument(
            f"the compiler flag {flag!r} is not accepted for a user's program: its path "
            f"{value!r} {problem}; {option} takes a relative path inside the program (or a "
            f"folder under {' or '.join(SYSTEM_INCLUDE_ROOTS)}), so that no other file of "
            "the service's machine is read. To send a folder of your machine along, give "
            "it as include_dirs=[...] to compiler_env.benchmark_from_*() (an absolute -I "
            "given to those functions is sent along the same way)"
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


def path_problem(name: str, *, for_flag: bool = False) -> str | None:
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
        return "is not in plain form (write 'src/a.c', not './src/a.c', 'src/a.c/' or 'src//a.c')"
    return None
