"""The pipelines of clang's optimization levels, as data per LLVM major version.

``service/llvm/pipelines/llvm-<major>.json`` (written by ``tools/gen_pipelines.py``,
whose docstring says why each level is written as it is) holds, per level, a
pipeline string that gives the module clang's own ``-Oz`` / ``-O3`` gives, when it
runs on clang's frontend output at that level with a target machine configured
as clang's (``TargetMachine``).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from service.llvm.toolchain import find_toolchain
from service.proto.errors import CompilerNotFound

__all__ = ["LEVELS", "clang_pipeline"]

#: The levels that have baselines, and their code generation levels.
LEVELS = {"Oz": 2, "O3": 3}


@functools.cache
def _table() -> dict[str, str]:
    major = find_toolchain().version.split(".")[0]
    path = Path(__file__).parent / "pipelines" / f"llvm-{major}.json"
    try:
        return dict(json.loads(path.read_text())["pipelines"])
    except OSError:
        raise CompilerNotFound(
            f"no pipeline table for LLVM {major} ({path}); run tools/gen_pipelines.py"
        ) from None


def clang_pipeline(level: str) -> str:
    """The pipeline that clang runs at ``-<level>`` (``Oz`` or ``O3``)."""
    return _table()[level]
