"""The llvmlite example: a function built with llvmlite's IR builder, optimized in the env."""

from __future__ import annotations

import sys
from pathlib import Path

import llvmlite.binding

import compiler_env

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))

from llvmlite_optimize import optimize, sum_of_squares  # noqa: E402


def test_a_function_built_with_llvmlite_is_optimized(make_env, capsys) -> None:
    env = make_env("llvm-ic-v0")
    module = sum_of_squares()
    kept = optimize(env, module, passes=("mem2reg", "instcombine"))
    assert kept[:1] == ["mem2reg"]
    assert env.episode_reward > 0  # smaller than where it started
    assert "mem2reg" in capsys.readouterr().out
    # The module, its text and llvmlite's parsed module are one benchmark.
    benchmark = compiler_env.benchmark_from_ir(module)
    assert benchmark == compiler_env.benchmark_from_ir(str(module))
    parsed = llvmlite.binding.parse_assembly(str(module))
    env.reset(options={"benchmark": compiler_env.benchmark_from_ir(parsed)})
    assert env.observation["IrInstructionCount"] == 23
    assert "unknown-unknown-unknown" not in env.observation["Ir"]  # the service's own target
