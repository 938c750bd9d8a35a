"""Finding the LLVM installation: ``llvm-config`` of a supported version.

The installation is never found by whatever ``opt`` or ``clang`` comes first on
``PATH``: an older LLVM there would silently change every count. The search
order is:

1. ``COMPILER_ENV_LLVM_CONFIG``: the path of an ``llvm-config`` to use.
2. ``llvm-config-<N>`` on ``PATH`` and ``/usr/lib/llvm-<N>/bin/llvm-config`` for each
   supported major version ``N``, newest first.
3. A plain ``llvm-config`` on ``PATH``, if its version is supported.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from service.proto.errors import CompilerNotFound

__all__ = ["SUPPORTED_MAJOR_VERSIONS", "Toolchain", "find_toolchain"]

#: LLVM major versions with an action table in ``service/llvm/actions/``.
SUPPORTED_MAJOR_VERSIONS: tuple[int, ...] = (19,)
LLVM_CONFIG_ENV = "COMPILER_ENV_LLVM_CONFIG"


@dataclass(frozen=True)
class Toolchain:
    """One LLVM installation: its version, library and tools."""

    llvm_config: Path
    version: str
    bindir: Path
    libdir: Path
    includedir: Path

    @property
    def major(self) -> int:
        """The major version, e.g. 19."""
        return int(self.version.split(".")[0])

    @property
    def library(self) -> Path:
        """The shared libLLVM of this installation."""
        for name in (f"libLLVM.so.{self.major}.1", f"libLLVM-{self.major}.so", "libLLVM.so"):
            if (self.libdir / name).exists():
                return self.libdir / name
        raise CompilerNotFound(
            f"LLVM {self.version} at {self.libdir} has no shared libLLVM; "
            "install the distribution's shared LLVM library (Debian: llvm-19)"
        )

    def tool(self, name: str) -> Path:
        """The path of an LLVM or clang tool of this installation, e.g. ``opt``."""
        path = self.bindir / name
        if not path.exists():
            package = "clang-19" if name.startswith("clang") else "llvm-19"
            raise CompilerNotFound(
                f"{name} is missing from {self.bindir}; install it (Debian: {package})"
            )
        return path


def _read(llvm_config: Path) -> Toolchain:
    def ask(flag: str) -> str:
        return subprocess.run(
            [str(llvm_config), flag], check=True, capture_output=True, text=True
        ).stdout.strip()

    return Toolchain(
        llvm_config=llvm_config,
        version=ask("--version"),
        bindir=Path(ask("--bindir")),
        libdir=Path(ask("--libdir")),
        includedir=Path(ask("--includedir")),
    )


def _candidates() -> list[Path]:
    found: list[Path] = []
    for major in sorted(SUPPORTED_MAJOR_VERSIONS, reverse=True):
        on_path = shutil.which(f"llvm-config-{major}")
        if on_path:
            found.append(Path(on_path))
        found.append(Path(f"/usr/lib/llvm-{major}/bin/llvm-config"))
    plain = shutil.which("llvm-config")
    if plain:
        found.append(Path(plain))
    return found


@functools.cache
def find_toolchain() -> Toolchain:
    """Returns the LLVM installation to use, or raises ``CompilerNotFound``."""
    explicit = os.environ.get(LLVM_CONFIG_ENV)
    if explicit:
        toolchain = _read(Path(explicit))
        if toolchain.major not in SUPPORTED_MAJOR_VERSIONS:
            raise CompilerNotFound(
                f"{LLVM_CONFIG_ENV}={explicit} is LLVM {toolchain.version}; supported major "
                f"versions are {SUPPORTED_MAJOR_VERSIONS}"
            )
        return toolchain
    seen = []
    for candidate in _candidates():
        if not candidate.exists():
            continue
        toolchain = _read(candidate)
        seen.append(f"{candidate} ({toolchain.version})")
        if toolchain.major in SUPPORTED_MAJOR_VERSIONS:
            return toolchain
    raise CompilerNotFound(
        f"no supported LLVM found (supported major versions: {SUPPORTED_MAJOR_VERSIONS}; "
        f"seen: {', '.join(seen) or 'none'}). Install it (Debian: apt-get install clang-19 "
        f"llvm-19) or set {LLVM_CONFIG_ENV} to its llvm-config"
    )
