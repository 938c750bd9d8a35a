"""Regenerate docs/actions.md from the action tables in service/llvm/actions/.

Each ``service/llvm/actions/llvm-<major>.json`` file holds the action space for one
LLVM major version. This script renders every table as one Markdown section, newest
LLVM first.

Usage:
    python tools/gen_actions_doc.py          # rewrite docs/actions.md
    python tools/gen_actions_doc.py --check  # exit 1 if docs/actions.md is out of date
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ACTIONS_DIR = ROOT / "service" / "llvm" / "actions"
OUTPUT = ROOT / "docs" / "actions.md"
ACTION_KEYS = ("name", "pipeline", "description", "legacy")

HEADER = """\
# Action spaces

<!-- Generated from service/llvm/actions/*.json by tools/gen_actions_doc.py; do not edit. -->

Each action is one element of an LLVM new pass manager pipeline, with the adaptor it
needs (module passes bare, `cgscc(...)`, `function(...)`, `function(loop(...))` or
`function(loop-mssa(...))`), so it can be given to `opt -passes=...` as it is. The
index of an action is its integer value in the environment's action space. The
legacy column names the equivalent flag of CompilerGym's LLVM 10 action space, or a
dash when the action has no counterpart there.
"""


def load_table(path: Path) -> dict[str, Any]:
    """Reads one action table and checks its shape.

    Args:
        path: A ``llvm-<major>.json`` file.

    Returns:
        The decoded table, with keys ``llvm_major``, ``version`` and ``actions``.

    Raises:
        ValueError: If a key is missing, an action lacks a field, or two actions
            share a name or a pipeline element.
    """
    table = json.loads(path.read_text(encoding="utf-8"))
    for key in ("llvm_major", "version", "actions"):
        if key not in table:
            raise ValueError(f"{path.name}: missing top-level key {key!r}")
    names: set[str] = set()
    pipelines: set[str] = set()
    for index, action in enumerate(table["actions"]):
        missing = [key for key in ACTION_KEYS if key not in action]
        if missing:
            raise ValueError(f"{path.name}: action {index} lacks {', '.join(missing)}")
        if action["name"] in names:
            raise ValueError(f"{path.name}: action name {action['name']!r} appears twice")
        if action["pipeline"] in pipelines:
            raise ValueError(f"{path.name}: pipeline {action['pipeline']!r} appears twice")
        names.add(action["name"])
        pipelines.add(action["pipeline"])
    return table


def cell(text: str) -> str:
    """Escapes text for use inside a Markdown table cell.

    Args:
        text: Raw cell text.

    Returns:
        The text with pipe characters escaped.
    """
    return text.replace("|", "\\|")


def code(text: str) -> str:
    """Formats text as an inline code span inside a table cell.

    Args:
        text: Raw text without backticks.

    Returns:
        The text wrapped in backticks, with pipe characters escaped.
    """
    return f"`{cell(text)}`"


def render_table(table: dict[str, Any]) -> str:
    """Renders one action table as a Markdown section.

    Args:
        table: A table as returned by :func:`load_table`.

    Returns:
        The Markdown text of the section, ending with a newline.
    """
    actions = table["actions"]
    legacy = sum(1 for action in actions if action["legacy"])
    lines = [
        f"## LLVM {table['llvm_major']}",
        "",
        f"Table version {table['version']}: {len(actions)} actions, "
        f"{legacy} of them with a legacy equivalent.",
        "",
        "| Index | Name | Pipeline element | Legacy | Description |",
        "| ---: | --- | --- | --- | --- |",
    ]
    for index, action in enumerate(actions):
        legacy_flag = code(action["legacy"]) if action["legacy"] else "-"
        lines.append(
            f"| {index} | {code(action['name'])} | {code(action['pipeline'])} "
            f"| {legacy_flag} | {cell(action['description'])} |"
        )
    return "\n".join(lines) + "\n"


AUDIT_DIR = ROOT / "service" / "llvm" / "audit"

#: What the perf harness measured of the passes left out (``python -m perf``'s
#: per-pass table; ``perf/README.md``): evidence beside the audit's.
COST_EVIDENCE = {
    "attributor": "3.1 s of the 22.8 s that 500 seeded random steps over every pass took on the "
    "shared large program (`../shared/perf-programs/large.c`), one step 1.8 s: the second "
    "slowest pass",
    "attributor-cgscc": "18.1 s of the same 22.8 s, one step 4.3 s: the slowest pass by far",
}


def render_default_space(major: int, audit_dir: Path = AUDIT_DIR) -> str:
    """The section on what the default action space leaves out, and the evidence.

    Args:
        major: The LLVM major version of the table.
        audit_dir: Where the pass audit's results are (``llvm-<major>.json``).

    Returns:
        Markdown, ending with a newline; empty when the version has no audit.
    """
    path = audit_dir / f"llvm-{major}.json"
    if not path.exists():
        return ""
    audit = json.loads(path.read_text(encoding="utf-8"))
    lines = [
        "",
        "### The default action space",
        "",
        "`compiler_env.make(...)` gives this table without the passes below "
        '(`action_space="full"` gives every pass, with its own indices). These are left out '
        "on the evidence of the pass audit "
        f"([llvm-{major}-pass-audit.md](llvm-{major}-pass-audit.md): {audit['episodes']} "
        f"random episodes on {len(audit['benchmarks'])} runnable benchmarks), with what the "
        "perf harness measured of its cost:",
        "",
    ]
    for name in audit["unsafe"]:
        kinds = sorted(audit["per_pass"][name].items())
        found = ", ".join(f"{kind} {count}" for kind, count in kinds)
        cost = f"; {COST_EVIDENCE[name]}" if name in COST_EVIDENCE else ""
        lines.append(f"- `{name}`: audit findings {found}{cost}.")
    lines += _slow_passes(audit_dir / f"llvm-{major}-costs.json")
    lines += [
        "",
        "Passes that crash LLVM on some programs (`loop-bound-split` on LLVM 19) stay in: a "
        "crash ends only that episode (`truncated`, the cause in `info`), and the program "
        "before the step is kept. A pass that runs long on one program is bounded by "
        "`make(..., step_budget=seconds)`.",
        "",
    ]
    return "\n".join(lines)


def _slow_passes(path: Path) -> list[str]:
    """Lines on the passes left out for their cost (``llvm-<major>-costs.json``)."""
    if not path.exists():
        return []
    costs = json.loads(path.read_text(encoding="utf-8"))
    lines = ["", f"Left out for their cost, measured by {costs['measured_by']}:", ""]
    for name, programs in costs["slow"].items():
        figures = "; ".join(
            f"{program}: median {c['median_ms']:g} ms (max {c['max_ms']:g} ms) against a median "
            f"step of {c['median_step_ms']:g} ms, {100 * c['share_of_step_time']:.0f}% of all step "
            f"time from {c['steps']} steps"
            for program, c in programs.items()
        )
        lines.append(f"- `{name}`: {figures}.")
    lines += ["", '`action_space="safe"` has these (it leaves out only what the audit found).']
    return lines


def render(actions_dir: Path) -> str:
    """Renders the whole document from every table in a directory.

    Args:
        actions_dir: The directory holding the ``llvm-*.json`` tables.

    Returns:
        The Markdown text of ``docs/actions.md``.

    Raises:
        ValueError: If the directory holds no tables, or a table is malformed.
    """
    tables = [load_table(path) for path in sorted(actions_dir.glob("llvm-*.json"))]
    if not tables:
        raise ValueError(f"no llvm-*.json action tables in {actions_dir}")
    tables.sort(key=lambda table: int(table["llvm_major"]), reverse=True)
    sections = [render_table(t) + render_default_space(int(t["llvm_major"])) for t in tables]
    return "\n".join([HEADER, *sections])


def main(argv: list[str] | None = None) -> int:
    """Writes or checks docs/actions.md.

    Args:
        argv: Command-line arguments; ``sys.argv[1:]`` when None.

    Returns:
        The process exit status: 0 on success, 1 if ``--check`` found the
        document out of date.
    """
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only check that docs/actions.md is in sync"
    )
    args = parser.parse_args(argv)
    fresh = render(ACTIONS_DIR)
    current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else None
    if current == fresh:
        return 0
    if args.check:
        print(
            f"out of date: {OUTPUT.relative_to(ROOT)}; run python tools/gen_actions_doc.py",
            file=sys.stderr,
        )
        return 1
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
