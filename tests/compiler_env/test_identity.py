"""A program's identity: the same IR however the program reached the env, and
``same_program`` across a bitcode round trip."""

from __future__ import annotations

import importlib.util
import shlex
from pathlib import Path

import pytest

from compiler_env import program_hash, same_program
from compiler_env.errors import InvalidArgument
from compiler_env.programs import benchmark_from_file, benchmark_from_ir
from service import benchmarks
from tests.helpers import BENCHMARK, IR, opt

REPO = Path(__file__).resolve().parents[2]
IDENTITY = ("Ir", "IrSha1", "IrHash")


def _identity(env, benchmark: object) -> tuple[str, ...]:
    env.reset(options={"benchmark": benchmark})
    return tuple(str(env.observation[name]) for name in IDENTITY)


def _copies(tmp_path: Path, name: str, data: bytes) -> list[Path]:
    """``data`` as a file ``name`` in two folders."""
    paths = []
    for folder in ("one", "two/deeper"):
        path = tmp_path / folder / name
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
        paths.append(path)
    return paths


def test_bitcode_has_one_identity_however_it_arrives(make_env, tmp_path: Path) -> None:
    bitcode = benchmarks.resolve(BENCHMARK).bitcode
    first, second = _copies(tmp_path, "crc32.bc", bitcode)
    env = make_env()
    seen = {
        "benchmark_from_file": _identity(env, benchmark_from_file(first)),
        "benchmark_from_ir": _identity(env, benchmark_from_ir(bitcode)),
        "file:// one": _identity(env, f"file://{first}"),
        "file:// two": _identity(env, f"file://{second}"),
        BENCHMARK: _identity(env, BENCHMARK),
    }
    assert len(set(seen.values())) == 1, {k: v[1] for k, v in seen.items()}
    ir = seen[BENCHMARK][0]
    assert str(tmp_path) not in ir and "inline://" not in ir and "benchmark://" not in ir
    assert 'source_filename = "crc32.c"' in ir  # the name clang recorded


def test_c_program_has_one_identity_wherever_it_is_stored(make_env, tmp_path: Path) -> None:
    source = (REPO / "datasets" / "kernels-v0" / "crc32.c").read_bytes()
    first, second = _copies(tmp_path, "crc32.c", source)
    env = make_env()
    seen = {
        "file:// one": _identity(env, f"file://{first}"),
        "file:// two": _identity(env, f"file://{second}"),
        "benchmark_from_file": _identity(env, benchmark_from_file(second)),
    }
    assert len(set(seen.values())) == 1, {k: v[1] for k, v in seen.items()}
    assert str(tmp_path) not in seen["file:// one"][0]


def test_ir_text_without_a_source_name_has_one_identity(make_env, tmp_path: Path) -> None:
    first, second = _copies(tmp_path, "square.ll", IR.encode())
    env = make_env()
    seen = {
        "benchmark_from_ir": _identity(env, benchmark_from_ir(IR)),
        "benchmark_from_file": _identity(env, benchmark_from_file(first)),
        "file:// one": _identity(env, f"file://{first}"),
        "file:// two": _identity(env, f"file://{second}"),
    }
    assert len(set(seen.values())) == 1, {k: v[1] for k, v in seen.items()}
    ir = seen["file:// one"][0]
    assert ir.startswith("; ModuleID = 'module'\n") and "source_filename" not in ir


def test_a_reloaded_episode_is_the_same_program(make_env, toolchain, tmp_path: Path) -> None:
    env = make_env(benchmark=BENCHMARK)
    env.reset()
    (tmp_path / "input.bc").write_bytes(env.observation["Bitcode"])
    # inferattrs adds mustprogress to intrinsic declarations, which reading resets.
    env.multistep([env.action_space.index(name) for name in ("inferattrs", "simplifycfg")])
    reloaded = make_env(benchmark=benchmark_from_ir(env.observation["Bitcode"]))
    reloaded.reset()
    assert reloaded.observation["IrSha1"] != env.observation["IrSha1"]
    assert reloaded.observation["IrHash"] != env.observation["IrHash"]
    assert same_program(env, reloaded)

    opt(toolchain, shlex.split(env.commandline())[1:], tmp_path)  # writes output.bc
    from_opt = make_env(benchmark=f"file://{tmp_path / 'output.bc'}")
    from_opt.reset()
    assert same_program(from_opt, env) and same_program(from_opt, program_hash(reloaded))

    start = make_env(benchmark=BENCHMARK)
    start.reset()
    assert not same_program(start, env)  # the same benchmark, another program
    other = make_env(benchmark="benchmark://kernels-v0/fft")
    other.reset()
    assert not same_program(other, start)


@pytest.mark.parametrize("bad", ["", "not a hash", "A" * 32, 42])
def test_same_program_refuses_what_is_not_a_program(bad: object) -> None:
    with pytest.raises(InvalidArgument, match="IrCanonicalHash"):
        same_program(bad, "0" * 32)  # type: ignore[arg-type]


_AUDIT = importlib.util.spec_from_file_location(
    "reload_audit", Path(__file__).resolve().parents[2] / "tools" / "reload_audit.py"
)


def test_a_reloaded_bitcode_episode_goes_on_as_the_episode(make_env) -> None:
    # Reloaded from bitcode without use-list order (as from the Ir text), the licm and
    # gvn-no-pre of `then` visit predecessors in another order and give another program.
    assert _AUDIT is not None and _AUDIT.loader is not None
    audit = importlib.util.module_from_spec(_AUDIT)
    _AUDIT.loader.exec_module(audit)
    first = ["indvars", "partially-inline-libcalls", "reassociate", "gvn-hoist",
             "loop-deletion", "inline"]  # fmt: skip
    then = ["lower-atomic", "scalarizer", "licm", "loop-sink", "gvn-no-pre", "div-rem-pairs"]
    env = make_env(benchmark="benchmark://kernels-v0/avl_tree")
    env.reset()
    env.multistep([env.action_space.index(name) for name in first])
    from_bitcode = make_env(benchmark=benchmark_from_ir(env.observation["Bitcode"]))
    from_text = make_env(benchmark=benchmark_from_ir(env.observation["Ir"]))
    from_bitcode.reset()
    from_text.reset()
    for each in (env, from_bitcode, from_text):
        each.multistep([env.action_space.index(name) for name in then])
    after = audit.normalized(env.observation["Ir"])
    assert audit.normalized(from_bitcode.observation["Ir"]) == after
    assert audit.normalized(from_text.observation["Ir"]) != after
