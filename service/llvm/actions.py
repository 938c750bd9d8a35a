"""The action space: a versioned table of passes per LLVM major version.

Each table is data, ``service/llvm/actions/llvm-<major>.json``: for every action
a stable name, its new-pass-manager pipeline element (with its module, cgscc,
function or loop adaptor), a one-line description and the legacy flag it
replaces. ``docs/actions.md`` is generated from the tables by
``tools/gen_actions_doc.py``. Beside each table, ``audit/llvm-<major>.json`` holds
what ``tools/audit_actions.py`` found, among it the passes that the ``safe``
action space leaves out.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from service.proto.errors import CompilerNotFound, InvalidAction

__all__ = ["Action", "ActionTable", "load_actions"]

TABLES = Path(__file__).parent / "actions"
#: The results of ``tools/audit_actions.py`` per LLVM major version.
AUDITS = Path(__file__).parent / "audit"


@dataclass(frozen=True)
class Action:
    """One pass the agent can apply."""

    name: str
    pipeline: str
    description: str
    legacy: str | None = None


@dataclass(frozen=True)
class ActionTable:
    """The actions for one LLVM major version."""

    llvm_major: int
    version: int
    actions: tuple[Action, ...]
    #: Names of the actions the pass audit found miscompiling or nondeterministic.
    unsafe: frozenset[str] = frozenset()
    #: Names of the actions the perf harness found far slower than any other
    #: (``audit/llvm-<major>-costs.json``): the default action space leaves them out too.
    slow: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        """The versioned name of the space, e.g. ``llvm-19-v1``."""
        return f"llvm-{self.llvm_major}-v{self.version}"

    def __len__(self) -> int:
        return len(self.actions)

    def pipeline(self, indices: list[int]) -> str:
        """The pipeline string applying the actions in order."""
        return ",".join(self[i].pipeline for i in indices)

    def __getitem__(self, index: int) -> Action:
        if not 0 <= index < len(self.actions):
            raise InvalidAction(
                f"action {index} is outside the action space {self.name} "
                f"(0..{len(self.actions) - 1}); see env.action_space.names"
            )
        return self.actions[index]


@functools.cache
def load_actions(llvm_major: int) -> ActionTable:
    """Reads the action table of an LLVM major version."""
    path = TABLES / f"llvm-{llvm_major}.json"
    if not path.exists():
        raise CompilerNotFound(f"no action table for LLVM {llvm_major} ({path} is missing)")
    data = json.loads(path.read_text())
    actions = tuple(
        Action(a["name"], a["pipeline"], a.get("description", ""), a.get("legacy"))
        for a in data["actions"]
    )
    audit = AUDITS / f"llvm-{llvm_major}.json"
    unsafe = frozenset(json.loads(audit.read_text())["unsafe"]) if audit.exists() else frozenset()
    costs = AUDITS / f"llvm-{llvm_major}-costs.json"
    slow = frozenset(json.loads(costs.read_text())["slow"]) if costs.exists() else frozenset()
    return ActionTable(int(data["llvm_major"]), int(data["version"]), actions, unsafe, slow)
