"""The text action grammar of ``compiler_env.text_env``: pass lists and pipelines.

An action is either a list of action names separated by spaces or commas
(``mem2reg instcombine, simplifycfg``), or a pipeline string in ``opt``'s style
(``function(sroa,instcombine),globaldce``) whose passes are all actions of the
table. In a pipeline, the adaptors ``module()``, ``cgscc()``, ``function()``
and ``loop()`` may wrap table passes of that kind (a function pass in
``function()``, a loop pass in ``loop()`` or ``function(loop())``); a pass may
also stand bare, as ``opt`` allows. A pass is named by its action name or by
the element of its table pipeline (``sroa`` or ``sroa<preserve-cfg>``).

Either way the text means a sequence of table actions, applied in order, each
as its own pipeline of the table (what ``env.commandline()`` records).
"""

from __future__ import annotations

import difflib
import re

from compiler_env.spaces import ActionSpace
from service.proto.errors import InvalidAction

__all__ = ["ADAPTORS", "parse_actions"]

#: The adaptors a pipeline may use, and the table's adaptor each stands for.
ADAPTORS = {"module": "module", "cgscc": "cgscc", "function": "function",
            "loop": "loop", "loop-mssa": "loop"}  # fmt: skip
_NAME = re.compile(r"[A-Za-z0-9_.<>;=-]+")


def _table_path(pipeline: str) -> tuple[list[str], str]:
    """The adaptors of a table pipeline (``loop-mssa`` as ``loop``) and its pass."""
    path: list[str] = []
    while True:
        match = re.match(r"([a-z-]+)\((.*)\)$", pipeline)
        if match is None or match.group(1) not in ADAPTORS:
            return path, pipeline
        path.append(ADAPTORS[match.group(1)])
        pipeline = match.group(2)


class _Table:
    """The actions of a space by every name a text may give them."""

    def __init__(self, space: ActionSpace, table: ActionSpace) -> None:
        self.space = space
        self.table = table
        self.by_name: dict[str, int] = {}
        self.paths: dict[int, list[str]] = {}
        for index, (name, pipeline) in enumerate(zip(table.names, table.pipelines)):
            path, element = _table_path(pipeline)
            self.paths[index] = path
            self.by_name.setdefault(name, index)
            self.by_name.setdefault(element, index)

    def lookup(self, name: str) -> int:
        """The table index of a pass name, or InvalidAction saying what is wrong."""
        if name not in self.by_name:
            close = difflib.get_close_matches(name, self.space.names, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise InvalidAction(
                f"{name[:80]!r} is not an action of {self.space.name}{hint} (the actions "
                "are the table's pass names: observe the env's action_space.names)"
            )
        index = self.by_name[name]
        if index not in self.space.table:
            raise InvalidAction(
                f"{name!r} is left out of {self.space.name} (docs/actions.md); make the env "
                'with action_space="full" to use it'
            )
        return index

    def check_place(self, name: str, index: int, path: list[str]) -> None:
        """Refuses a pass inside an adaptor of another kind (``function(globaldce)``)."""
        given = [p for p in path if p != "module"]
        if given[:1] == ["loop"]:  # loop(...) at the top: opt runs it in each function
            given = ["function", *given]
        expected = self.paths[index]
        if given != expected[: len(given)]:
            kind = expected[-1] if expected else "module"
            where = f"{kind}(...)" if expected else "the top level or module(...)"
            raise InvalidAction(
                f"{name!r} is a {kind} pass: it goes in {where}, not inside {'('.join(path)}(...)"
            )


def parse_actions(text: str, space: ActionSpace, table: ActionSpace) -> list[int]:
    """The table indices of the actions a text names (the grammar: module docstring).

    Args:
        text: a pass list or a pipeline string.
        space: the env's action space (what may be used).
        table: the service's whole action table (to name what is left out).

    Raises:
        InvalidAction: the text is empty, malformed, or names a pass that is no
            action of the space or that stands in the wrong adaptor.
    """
    if not isinstance(text, str):
        raise InvalidAction(
            f"an action is a string of pass names, not {type(text).__name__} {text!r:.80}"
        )
    text = text.strip()
    if not text:
        raise InvalidAction("no passes given: name one or more, e.g. 'mem2reg instcombine'")
    actions = _Table(space, table)
    if "(" not in text and ")" not in text:
        names = [n for n in re.split(r"[\s,]+", text) if n]
        return [actions.lookup(n) for n in names]
    parser = _Parser(re.sub(r"\s+", "", text), actions)
    return parser.parse()


class _Parser:
    """A recursive-descent parser of a pipeline string over the action table."""

    def __init__(self, text: str, actions: _Table) -> None:
        self.text = text
        self.at = 0
        self.actions = actions
        self.out: list[int] = []

    def parse(self) -> list[int]:
        self._sequence([])
        if self.at != len(self.text):
            self._fail(f"unexpected {self.text[self.at]!r}")
        return self.out

    def _fail(self, what: str) -> None:
        shown = f"{self.text[: self.at]}<here>{self.text[self.at :]}"
        raise InvalidAction(
            f"malformed pipeline at character {self.at}: {what} in {shown[:200]!r}; write "
            "e.g. 'function(sroa,instcombine),globaldce'"
        )

    def _sequence(self, path: list[str]) -> None:
        while True:
            self._element(path)
            if self.at < len(self.text) and self.text[self.at] == ",":
                self.at += 1
                continue
            return

    def _element(self, path: list[str]) -> None:
        match = _NAME.match(self.text, self.at)
        if match is None:
            self._fail("a pass name expected")
            return
        name = match.group(0)
        self.at = match.end()
        if self.at < len(self.text) and self.text[self.at] == "(":
            if name not in ADAPTORS:
                raise InvalidAction(
                    f"{name!r} is no adaptor: only {', '.join(ADAPTORS)} may wrap passes"
                )
            self.at += 1
            self._sequence([*path, ADAPTORS[name]])
            if self.at >= len(self.text) or self.text[self.at] != ")":
                self._fail("')' expected")
            self.at += 1
            return
        index = self.actions.lookup(name)
        self.actions.check_place(name, index, path)
        self.out.append(index)
