"""IR text within a size budget, for agents that read text (``compiler_env.text_env``).

A module that fits the budget is shown whole. A larger one is shown per
function: the functions, ranked by instruction count (largest first), are shown
in full while they fit, and every other function is summarized by its signature
and instruction count. The module's other lines (globals, declarations,
metadata) are shown after the functions when they fit, else counted in one line.
"""

from __future__ import annotations

import string
from typing import NamedTuple

__all__ = ["CHARSET", "MIN_BUDGET", "Function", "ir_view", "split_functions", "summary"]

#: The characters of an observation: printable ASCII; any other is shown as ``?``.
CHARSET = frozenset(string.printable)
SUMMARIZED = "; summarized (signature ; instruction count):"
#: The smallest budget, in characters: room for the header and a few summaries.
MIN_BUDGET = 256


class Function(NamedTuple):
    """One function definition of a module's IR."""

    name: str
    signature: str  # the ``define`` line without its opening brace
    text: str  # the whole definition, ``define`` to ``}``
    instructions: int


def split_functions(ir: str) -> tuple[list[Function], list[str]]:
    """The function definitions of IR text, and its other lines (in order)."""
    functions: list[Function] = []
    other: list[str] = []
    body: list[str] | None = None
    for line in ir.splitlines():
        if body is None:
            if line.startswith("define "):
                body = [line]
            else:
                other.append(line)
            continue
        body.append(line)
        if line.startswith("}"):
            functions.append(_function(body))
            body = None
    if body is not None:  # an unterminated definition: keep its text as other lines
        other.extend(body)
    return functions, other


def _function(lines: list[str]) -> Function:
    signature = lines[0].rstrip().removesuffix("{").rstrip()
    at = signature.find("@")
    name = signature[at + 1 : signature.find("(", at)] if at >= 0 else "?"
    instructions = sum(
        1 for line in lines[1:-1] if line.startswith((" ", "\t")) and line.strip()
        and not line.lstrip().startswith(";")
    )  # fmt: skip
    return Function(name, signature, "\n".join(lines), instructions)


def _summary_line(function: Function) -> str:
    return f"; {function.signature}  ; {function.instructions} instructions"


def summary(ir: str) -> str:
    """Every function's signature and instruction count, one a line, and the totals."""
    functions, other = split_functions(ir)
    total = sum(f.instructions for f in functions)
    lines = [f"; {len(functions)} functions, {total} instructions"]
    lines += [_summary_line(f) for f in functions]
    return "\n".join(lines)


def _printable(text: str) -> str:
    if text.isascii() and text.isprintable() or all(c in CHARSET for c in text):
        return text
    return "".join(c if c in CHARSET else "?" for c in text)


def ir_view(ir: str, budget: int) -> str:
    """The IR within ``budget`` characters (see the module's docstring).

    Args:
        ir: the module's IR text.
        budget: the most characters the view may have (at least ``MIN_BUDGET``).

    Returns:
        The whole module when it fits, else the per-function view; never longer
        than ``budget``, and only characters of ``CHARSET``.
    """
    ir = _printable(ir)
    if len(ir) <= budget:
        return ir
    functions, other = split_functions(ir)
    total = sum(f.instructions for f in functions)
    ranked = sorted(range(len(functions)), key=lambda i: -functions[i].instructions)
    summaries = [_summary_line(f) for f in functions]
    other_text = "\n".join(other).strip("\n")
    other_note = f"; {len(other)} lines of globals, declarations and metadata left out"

    def header(shown: int) -> str:
        return (
            f"; the module is {len(ir)} characters, over the budget of {budget}: "
            f"{shown} of {len(functions)} functions ({total} instructions) in full, "
            "largest first; the rest summarized"
        )

    # Everything summarized first; then each function, largest first, replaces
    # its summary with its text when the view stays within the budget.
    shown: set[int] = set()
    used = len(header(len(functions))) + 1 + len(other_note) + 1
    used += sum(len(s) + 1 for s in summaries) + len(SUMMARIZED) + 1
    for i in ranked:
        grow = len(functions[i].text) - len(summaries[i])
        if used + grow <= budget:
            shown.add(i)
            used += grow
    lines = [header(len(shown))]
    lines += [functions[i].text for i in range(len(functions)) if i in shown]
    listed = [summaries[i] for i in range(len(functions)) if i not in shown]
    if listed:
        lines.append(SUMMARIZED)
    if other_text and used - len(other_note) + len(other_text) <= budget:
        tail = other_text
    else:
        tail = other_note
    lines += listed
    lines.append(tail)
    view = "\n".join(lines)
    if len(view) > budget:  # even the summaries do not fit: cut whole lines
        return _cut(view, budget)
    return view


def _cut(view: str, budget: int) -> str:
    """The first lines of a view that fit the budget, with a note of what is left out."""
    lines = view.split("\n")
    kept: list[str] = []
    size = 0
    for count, line in enumerate(lines):
        note = f"; ... {len(lines) - count} more lines left out (raise the budget to see them)"
        if size + len(line) + 1 + len(note) > budget:
            return "\n".join([*kept, note])[:budget]
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept)[:budget]
