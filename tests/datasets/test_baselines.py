"""Starting programs and baselines as clang makes them, on kernels-v0.

The manifest records clang's own figures (``tools/gen_manifest.py``, checked in
CI against a fresh clang run); here the env's baselines are compared with them,
and a sample of them with clang run now.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from compiler_env.errors import BenchmarkNotFound

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = json.loads((ROOT / "datasets" / "kernels-v0" / "manifest.json").read_text())
PROGRAMS = {p["name"]: p for p in MANIFEST["benchmarks"]}
#: Programs whose baselines cannot equal clang's figures, and why.
EXCEPTIONS = {
    "minilang": "several files: the env optimizes them linked into one module (so "
    "functions are inlined across files), clang compiles each file on its own",
}
SPACES = {"IrInstructionCount": "instructions", "ObjectTextSize": "text_bytes"}


def _gen_manifest():
    spec = importlib.util.spec_from_file_location("gen_manifest", ROOT / "tools/gen_manifest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_exceptions_are_the_programs_of_several_files() -> None:
    several = {name for name, p in PROGRAMS.items() if len(p["sources"]) > 1}
    assert several == set(EXCEPTIONS)


def test_the_figures_are_clangs_own(toolchain) -> None:
    assert MANIFEST["clang_version"] == toolchain.version
    gen = _gen_manifest()
    for name in ("crc32", "binary_search", "nbody"):  # binary_search: headers differ per level
        sources = [ROOT / "datasets" / "kernels-v0" / s for s in PROGRAMS[name]["sources"]]
        for level in gen.LEVELS:
            assert gen.clang_figures(sources, level) == PROGRAMS[name]["clang"][level], name


@pytest.mark.parametrize("name", sorted(set(PROGRAMS) - set(EXCEPTIONS)))
def test_baselines_equal_clang(make_env, name: str) -> None:
    env = make_env("llvm-v0", benchmark=f"benchmark://kernels-v0/{name}")
    env.reset()
    got = {
        (level, key): int(env.observation[f"{space}{level}"])
        for space, key in SPACES.items()
        for level in ("Oz", "O3")
    }
    want = {(level, key): PROGRAMS[name]["clang"][level][key] for level, key in got}
    assert got == want


def test_the_exception_is_close_to_clang(make_env) -> None:
    """Linked, minilang's baselines differ from clang's per-file figures, but not by much."""
    env = make_env("llvm-v0", benchmark="benchmark://kernels-v0/minilang")
    env.reset()
    clang = PROGRAMS["minilang"]["clang"]
    for level in ("Oz", "O3"):
        ratio = int(env.observation[f"IrInstructionCount{level}"]) / clang[level]["instructions"]
        assert 0.7 < ratio < 1.3


@pytest.mark.parametrize("action", ["inline", "function-attrs", "ipsccp", "globalopt"])
def test_ipo_actions_change_most_kernels(make_env, action: str) -> None:
    """The starting programs are clang's -Oz frontend output: no ``noinline`` or
    ``optnone`` on every function, so interprocedural passes have work to do."""
    env = make_env("llvm-v0")
    changed = 0
    for name in sorted(PROGRAMS):
        env.reset(options={"benchmark": f"benchmark://kernels-v0/{name}"})
        before = env.observation["IrSha1"]
        env.step(env.action_space.index(action))
        changed += env.observation["IrSha1"] != before
    assert changed >= 0.9 * len(PROGRAMS)


def test_a_uri_chooses_the_starting_level_and_baselines_stay_clangs(make_env) -> None:
    """binary_search's headers differ per level (glibc's inline bsearch at -O3)."""
    env = make_env("llvm-v0")
    counts = {}
    for level in ("", "?level=Oz", "?level=O3", "?level=O0"):
        uri = f"benchmark://kernels-v0/binary_search{level}"
        env.reset(options={"benchmark": uri})
        assert env.state.benchmark == uri
        counts[level] = int(env.observation["IrInstructionCount"])
        clang = PROGRAMS["binary_search"]["clang"]
        assert int(env.observation["IrInstructionCountOz"]) == clang["Oz"]["instructions"]
        assert int(env.observation["IrInstructionCountO3"]) == clang["O3"]["instructions"]
        assert int(env.observation["ObjectTextSizeO3"]) == clang["O3"]["text_bytes"]
    assert counts[""] == counts["?level=Oz"]
    assert len({counts[""], counts["?level=O3"], counts["?level=O0"]}) == 3


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("benchmark://kernels-v0/crc32?level=O7", "use one of O0, O1, O2, O3, Os, Oz"),
        ("benchmark://kernels-v0/crc32?lvl=O3", "unknown URI parameter 'lvl'"),
        ("generator://llvm-stress-v0/1?level=O3", "a generator URI takes no parameters"),
    ],
)
def test_a_bad_level_says_what_to_use(make_env, uri: str, message: str) -> None:
    env = make_env("llvm-v0", benchmark="benchmark://kernels-v0/crc32")
    env.reset()
    before = env.observation["IrSha1"]
    with pytest.raises(BenchmarkNotFound, match=re.escape(message)):
        env.reset(options={"benchmark": uri})
    assert env.observation["IrSha1"] == before  # the episode is kept


def test_ir_files_take_no_level(make_env, tmp_path: Path) -> None:
    path = tmp_path / "f.ll"
    path.write_text("define i32 @f() {\n  ret i32 0\n}\n")
    env = make_env("llvm-v0")
    with pytest.raises(BenchmarkNotFound, match="taken as given"):
        env.reset(options={"benchmark": f"file://{path}?level=O3"})
