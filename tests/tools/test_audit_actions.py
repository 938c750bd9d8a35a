"""A fast slice of the pass audit (tools/audit_actions.py): episodes, reduction,
the recorded findings' opt reproducers, and the safe action space built on them."""

from __future__ import annotations

import importlib.util
import json
import shlex
import subprocess
import tempfile
from pathlib import Path

import pytest

import compiler_env
from compiler_env.errors import InvalidArgument
from service.llvm.toolchain import find_toolchain

ROOT = Path(__file__).resolve().parent.parent.parent
_spec = importlib.util.spec_from_file_location("audit_actions", ROOT / "tools/audit_actions.py")
assert _spec is not None and _spec.loader is not None
audit = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(audit)


@pytest.fixture(scope="module")
def auditor():
    made = audit.Auditor()
    yield made
    made.close()


@pytest.fixture(scope="module")
def results() -> dict:
    path = audit.data_path(find_toolchain().major)
    assert path.exists(), "run python tools/audit_actions.py (the audit's results are data)"
    return json.loads(path.read_text())


def test_episodes_are_seeded_and_recorded(auditor) -> None:
    uri = "benchmark://kernels-v0/crc32"
    assert audit.actions_of(uri, 3, 100) == audit.actions_of(uri, 3, 100)
    assert audit.actions_of(uri, 3, 100) != audit.actions_of(uri, 4, 100)
    record = auditor.episode(uri, 0)
    assert record["benchmark"] == uri and "error" not in record and record["seconds"] > 0


def test_a_miscompile_reduces_to_its_trigger(auditor, results) -> None:
    """The episode that found a miscompile, reduced again, gives the recorded sequence."""
    miscompiles = [f for f in results["findings"] if f["kind"] == "miscompile"]
    finding = min(miscompiles, key=lambda f: len(f["episode_actions"]))
    names = auditor.names
    episode = [names.index(n) for n in finding["episode_actions"]]
    reduced = auditor.reduce("miscompile", finding["benchmark"], episode)
    assert reduced is not None and len(reduced) < len(episode)
    assert [names[i] for i in reduced] == finding["actions"]


def test_the_audit_found_enough_and_wrote_what_the_doc_shows(results) -> None:
    assert results["episodes"] >= 2000
    assert results["compiler_version"].startswith(f"LLVM {find_toolchain().major}")
    major = find_toolchain().major
    doc = audit.doc_path(major).read_text()
    assert doc == audit.markdown(results, major), "run python tools/audit_actions.py --report"
    for finding in results["findings"]:
        assert finding["reproducer"]["opt"].startswith(f"opt-{find_toolchain().major} ")
        assert finding["trigger"] in finding["actions"]
        if finding["kind"] != "nondeterminism":
            assert finding["trigger"] == finding["actions"][-1]


def test_a_recorded_miscompile_reproduces_with_opt_alone(results) -> None:
    """The reproducer's commands, run as they are written (LLVM's tools, no env)."""
    finding = next(
        f for f in results["findings"]
        if f["kind"] == "miscompile" and f["benchmark"].startswith("benchmark://kernels-v0/")
        and "?" not in f["benchmark"] and "minilang" not in f["benchmark"]
    )  # fmt: skip
    bindir = find_toolchain().bindir
    with tempfile.TemporaryDirectory() as scratch:
        def sh(command: str, timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
            words = shlex.split(command.replace("input.bc", f"{scratch}/input.bc")
                                .replace("output.bc", f"{scratch}/output.bc"))  # fmt: skip
            tool = words[0].rsplit("-", 1)[0]
            return subprocess.run([str(bindir / tool), *words[1:]], cwd=ROOT, capture_output=True,
                                  timeout=timeout)  # fmt: skip
        assert sh(finding["reproducer"]["input"]).returncode == 0
        assert sh(finding["reproducer"]["opt"]).returncode == 0
        for name in ("input", "output"):
            built = subprocess.run([str(bindir / "clang"), f"{scratch}/{name}.bc", "-lm", "-o",
                                    f"{scratch}/{name}"], capture_output=True)  # fmt: skip
            assert built.returncode == 0, built.stderr
        reference = subprocess.run([f"{scratch}/input"], capture_output=True, timeout=60)
        try:
            optimized = subprocess.run([f"{scratch}/output"], capture_output=True, timeout=10)
            behaviour = (optimized.returncode, optimized.stdout)
            assert behaviour != (reference.returncode, reference.stdout)
        except subprocess.TimeoutExpired:
            assert "hangs" in finding["why"]


def test_the_default_space_leaves_out_what_the_audit_found(make_env, results) -> None:
    full = make_env(action_space="full")
    safe = make_env(action_space="safe")
    default = make_env()
    slow = set(default.action_table.names) - set(default.action_space.names) - {*results["unsafe"]}
    assert slow == {"iroutliner"}  # left out for its cost (audit/llvm-19-costs.json)
    assert set(default.action_space.names) == set(safe.action_space.names) - slow
    assert default.action_space.name.endswith("-default")
    assert results["unsafe"], "the audit found passes to leave out"
    assert set(safe.action_space.names) == set(full.action_space.names) - set(results["unsafe"])
    assert safe.action_space.name == f"{full.action_space.name}-safe"
    assert len(full.action_space.names) == len(full.action_table.names)
    assert not set(results["unsafe"]) & set(safe.action_space.names)
    for env in (full, safe):
        env.reset(options={"benchmark": "benchmark://kernels-v0/crc32"})
        env.multistep([env.action_space.index(n) for n in ("sroa", "gvn")])
    assert safe.commandline() == full.commandline()
    assert [safe.action_space.names[a] for a in safe.actions] == ["sroa", "gvn"]
    copy = safe.fork()
    assert copy.action_space.names == safe.action_space.names and copy.actions == safe.actions
    copy.close()
    with pytest.raises(InvalidArgument, match="'default', 'safe' or 'full'"):
        compiler_env.make("llvm-v0", action_space="unsafe")
