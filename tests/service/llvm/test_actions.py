"""The action space: its contents, its exclusions, and every action on every kernel."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from service.llvm.actions import load_actions
from service.llvm.module import Context, host_target_machine
from tests.helpers import KERNELS, kernel_module

TABLE = load_actions(19)
# The 124 pass flags of the LLVM 10 (legacy pass manager) action space researchers know.
LEGACY = Path(__file__).resolve().parent / "data" / "legacy-llvm10-passes.txt"

# Pass families that must never be actions: printers, analyses, verifiers,
# instrumentation, GC, coroutine lowering and debugging aids.
FORBIDDEN = re.compile(
    r"print|verify|verifier|analysis|aa-eval|instrument|instrprof|pgo|profile|sancov|"
    r"sanitizer|asan|msan|tsan|hwasan|memprof|coverage|ee-instrument|cross-dso-cfi|"
    r"statepoint|safepoint|gc|debugify|strip(?!-dead-prototypes)|add-discriminators|coro-|dot-|view-|"
    r"no-op|invalidate|require<|barrier|structurizecfg"
)


def test_the_table_is_large_unique_and_versioned() -> None:
    names = [a.name for a in TABLE.actions]
    assert len(names) >= 100
    assert len(set(names)) == len(names)
    assert TABLE.name == f"llvm-19-v{TABLE.version}"
    for action in TABLE.actions:
        assert re.fullmatch(r"[a-z0-9][a-zA-Z0-9-]*", action.name), action.name
        assert action.description, action.name


def test_no_forbidden_pass_is_an_action() -> None:
    for action in TABLE.actions:
        passes = re.sub(r"<[^>]*>", "", action.pipeline)  # names only, not parameters
        assert not FORBIDDEN.search(passes), action
        assert not FORBIDDEN.search(action.name), action


def test_pipelines_carry_their_adaptor() -> None:
    for action in TABLE.actions:
        p = action.pipeline
        if p.startswith(("function(loop(", "function(loop-mssa(")):
            assert re.fullmatch(r"function\(loop(-mssa)?\([^()]+\)\)", p), p
        elif p.startswith(("function(", "cgscc(")):
            assert p.endswith(")") and p.count("(") == 1, p
        else:
            assert "(" not in p, p  # a module pass


def test_most_legacy_passes_have_an_equivalent() -> None:
    legacy = {line.strip() for line in LEGACY.read_text().splitlines() if line.startswith("-")}
    covered = {a.legacy for a in TABLE.actions if a.legacy}
    assert covered <= legacy
    assert len(covered) >= 90, sorted(legacy - covered)


def test_every_action_runs_on_every_kernel(context: Context) -> None:
    """Each action alone on each unoptimized kernel, and the result verifies."""
    for uri in KERNELS:
        with kernel_module(context, uri) as original:
            machine = host_target_machine(original.triple)
            for action in TABLE.actions:
                with original.clone() as module:
                    module.run_passes(action.pipeline, machine)
                    module.verify()


def test_the_docs_table_is_in_sync() -> None:
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, str(root / "tools" / "gen_actions_doc.py"), "--check"], cwd=root
    )
    assert result.returncode == 0, "run python tools/gen_actions_doc.py"


@pytest.mark.parametrize("index", [-1, len(TABLE)])
def test_out_of_range_actions_are_rejected(index: int) -> None:
    from service.proto.errors import InvalidAction

    with pytest.raises(InvalidAction, match="outside the action space"):
        TABLE[index]
