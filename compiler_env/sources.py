"""Gathering a C program from the user's machine: its files, the headers they
include, and its flags, laid out under one folder so that it compiles anywhere.

A ``Gathering`` collects the program's inputs with their flags (paths in flags
are taken relative to a base folder, as a compiler run there would take them),
follows the ``#include`` lines of every file it holds to the headers they
reach (in the includer's folder, then in the flags' include folders), and lays
everything out relative to the deepest folder that holds all of it, so that
``#include "../common/x.h"`` and ``-I`` folders outside the sources' folder
work and messages show the user's own relative paths.

Headers of the system (``/usr/include`` and below) are not sent: the service
compiles against its own. A flag's folder that does not exist is left out, as
clang itself ignores it, and said so.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from service.datasets.cflags import (
    FOLDER_OPTIONS,
    PATH_OPTIONS,
    is_system_folder,
    split_cflags,
)
from service.proto import bundle
from service.proto.constants import MAX_PROGRAM_BYTES
from service.proto.errors import BenchmarkNotFound, InvalidArgument, ProgramTooLarge

__all__ = ["Gathering", "Notice", "normal_path"]

#: An ``#include``/``#include_next``/``#import`` line, its delimiter and its name.
_INCLUDE = re.compile(
    rb'^[ \t]*#[ \t]*(?:include|include_next|import)[ \t]*([<"])([^">\n]+)[">]', re.M
)
#: The most files a program gathers (headers included), as a guard against a
#: folder of the whole machine.
MAX_FILES = 20_000


@dataclass
class Notice:
    """What was left out of a program's flags, to be said once."""

    dropped: list[str] = field(default_factory=list)
    missing_folders: list[str] = field(default_factory=list)

    def text(self) -> str | None:
        parts = []
        if self.dropped:
            parts.append(
                f"left out the compiler flags {' '.join(self.dropped)}: they only choose the "
                "optimization level, debug information, linking or output files, and an "
                "episode starts from clang's frontend output at its own level"
            )
        if self.missing_folders:
            parts.append(
                f"left out the include folders {', '.join(self.missing_folders)}, which do "
                "not exist (clang ignores them too)"
            )
        return "; ".join(parts) or None


#: A flag whose path is on the user's machine: (option, absolute path, joined).
_PathFlag = tuple[str, Path, bool]


@dataclass
class _Unit:
    """One input: its path, and its own flags (paths made absolute)."""

    path: Path
    flags: list[str | _PathFlag]


class Gathering:
    """The files and flags of one program, gathered from the user's machine."""

    def __init__(self) -> None:
        self.units: list[_Unit] = []
        #: Files sent along to be included, by absolute path.
        self.headers: set[Path] = set()
        #: Folders (absolute) whose headers are all sent along.
        self.folders: list[Path] = []
        self.notice = Notice()
        #: Files given as content rather than read (``benchmark_from_source``).
        self.given: dict[Path, bytes] = {}

    def add_input(
        self, path: Path, flags: Sequence[str], base: Path, content: bytes | None = None
    ) -> None:
        """Adds a file to compile (``.c``) or link (``.ll``, ``.bc``) with these flags;
        relative paths in the flags are relative to ``base``. With ``content``, the
        file is that text, wherever ``path`` is."""
        if content is not None:
            self.given[normal_path(path)] = content
        self.units.append(_Unit(normal_path(path), self._absolute_flags(flags, base)))

    def add_header(self, path: Path, content: bytes) -> None:
        """Adds a header given as content, includable at ``path``."""
        self.given[normal_path(path)] = content
        self.headers.add(normal_path(path))

    def add_folder(self, folder: Path, *, as_include: bool) -> None:
        """Sends every header under ``folder`` along (``as_include``: also as ``-I``)."""
        folder = normal_path(folder)
        if not folder.is_dir():
            raise BenchmarkNotFound(f"no such include folder {folder}")
        self.folders.append(folder)
        if as_include:
            for unit in self.units:
                unit.flags.append(("-I", folder, True))

    def add_neighbours(self) -> None:
        """Sends the headers in the folders of the inputs along."""
        for folder in {unit.path.parent for unit in self.units}:
            for file in folder.iterdir():
                if file.name.endswith(bundle.HEADER_SUFFIXES) and file.is_file():
                    self.headers.add(file)

    def uri(self) -> str:
        """The ``inline://`` URI carrying the program (``service.proto.bundle``)."""
        self._follow_includes()
        for folder in self.folders:
            self.headers.update(
                file for file in sorted(folder.rglob("*"))
                if file.name.endswith(bundle.HEADER_SUFFIXES) and file.is_file()
            )  # fmt: skip
        inputs = [unit.path for unit in self.units]
        everything = {*inputs, *self.headers}
        if len(everything) > MAX_FILES:
            raise ProgramTooLarge(f"the program has over {MAX_FILES} files; choose fewer")
        root = self._root(everything)
        files = {_relative(path, root): self._read(path) for path in sorted(everything)}
        total = sum(len(content) for content in files.values())
        if total > MAX_PROGRAM_BYTES:
            raise ProgramTooLarge(
                f"the program is {total} bytes; a benchmark may carry at most {MAX_PROGRAM_BYTES}"
            )
        flags = {
            _relative(unit.path, root): [_flag_text(flag, root) for flag in unit.flags]
            for unit in self.units
            if unit.path.name.endswith(".c")
        }
        shared = _shared(list(flags.values()))
        own = {name: f[len(shared) :] for name, f in flags.items() if f[len(shared) :]}
        return bundle.encode(files, shared, own, [_relative(p, root) for p in inputs])

    # -- flags ------------------------------------------------------------------------

    def _absolute_flags(self, flags: Sequence[str], base: Path) -> list[str | _PathFlag]:
        kept, dropped = split_cflags(flags)
        self.notice.dropped.extend(f for f in dropped if f not in self.notice.dropped)
        result: list[str | _PathFlag] = []
        i = 0
        while i < len(kept):
            flag = kept[i]
            option = next((o for o in PATH_OPTIONS if flag.startswith(o)), None)
            joined = option is not None and flag != option
            if option is None or (not joined and i + 1 >= len(kept)):
                result.append(flag)
                i += 1
                continue
            value = flag[len(option) :] if joined else kept[i + 1]
            i += 1 if joined else 2
            result.extend(self._path_flag(option, value, base, joined))
        return result

    def _path_flag(
        self, option: str, value: str, base: Path, joined: bool
    ) -> list[str | _PathFlag]:
        """The flag with its path on the user's machine, or as given where it is not one
        (a folder of the system headers, or a path the service will refuse)."""
        if value.startswith(("=", "$", "-", "@")) or (
            option in FOLDER_OPTIONS and is_system_folder(value)
        ):
            return [f"{option}{value}"] if joined else [option, value]
        path = normal_path(base / value)
        if option in FOLDER_OPTIONS:
            if not (path.is_dir() or any(path in given.parents for given in self.given)):
                self.notice.missing_folders.append(
                    value if value == str(path) else f"{value} ({path})"
                )
                return []
        elif not self._is_file(path):
            raise BenchmarkNotFound(f"{option} {value}: no such file {path}")
        else:
            self.headers.add(path)
        return [(option, path, joined)]

    # -- includes ---------------------------------------------------------------------

    def _follow_includes(self) -> None:
        """Adds the files that the inputs and headers ``#include``, transitively."""
        for unit in self.units:
            if not unit.path.name.endswith(".c"):
                continue
            paths = _path_flags(unit.flags)
            quoted = [path for option, path, _ in paths if option == "-iquote"]
            angled = [
                path for option, path, _ in paths if option in ("-I", "-isystem", "-idirafter")
            ]
            todo = [
                unit.path,
                *(path for option, path, _ in paths if option in ("-include", "-imacros")),
            ]
            seen: set[Path] = set()
            while todo:
                file = todo.pop()
                if file in seen or len(seen) > MAX_FILES:
                    continue
                seen.add(file)
                for found in self._includes(file, quoted, angled):
                    self.headers.add(found)
                    todo.append(found)

    def _includes(self, file: Path, quoted: list[Path], angled: list[Path]) -> list[Path]:
        """The files that ``file``'s include lines reach (of the user's machine, or given).

        A given file's own folder holds only given files."""
        try:
            text = self._read(file)
        except OSError:
            return []
        found = []
        for delimiter, raw in _INCLUDE.findall(text):
            name = raw.decode(errors="replace").strip()
            if os.path.isabs(name):
                continue
            folders = [file.parent, *quoted, *angled] if delimiter == b'"' else angled
            for i, folder in enumerate(folders):
                candidate = normal_path(folder / name)
                given_only = i == 0 and delimiter == b'"' and file in self.given
                if candidate in self.given or (not given_only and candidate.is_file()):
                    if not is_system_folder(str(candidate)):
                        found.append(candidate)
                    break
        return found

    def _is_file(self, path: Path) -> bool:
        return path in self.given or path.is_file()

    def _read(self, path: Path) -> bytes:
        return self.given[path] if path in self.given else path.read_bytes()

    def _root(self, files: Iterable[Path]) -> Path:
        folders = [path.parent for path in files]
        for unit in self.units:
            for option, path, _ in _path_flags(unit.flags):
                folders.append(path if option in FOLDER_OPTIONS else path.parent)
        return Path(os.path.commonpath(folders))


def _path_flags(flags: Iterable[str | _PathFlag]) -> list[_PathFlag]:
    return [flag for flag in flags if isinstance(flag, tuple)]


def _flag_text(flag: str | _PathFlag, root: Path) -> str:
    if isinstance(flag, str):
        return flag
    option, path, _ = flag
    return f"{option}{_relative(path, root, folder=True)}"


def _shared(flag_lists: list[list[str]]) -> list[str]:
    """The longest run of flags that every list begins with."""
    if not flag_lists:
        return []
    shared = flag_lists[0]
    for flags in flag_lists[1:]:
        n = 0
        while n < min(len(shared), len(flags)) and shared[n] == flags[n]:
            n += 1
        shared = shared[:n]
    return list(shared)


def normal_path(path: Path) -> Path:
    """An absolute path with ``.`` and ``..`` parts resolved as names, not through links."""
    return Path(os.path.normpath(Path(path).absolute()))


def _relative(path: Path, root: Path, *, folder: bool = False) -> str:
    relative = Path(os.path.relpath(path, root)).as_posix()
    if relative == "." and not folder:
        raise InvalidArgument(f"{path} is a folder, not a file of the program")
    return relative
