"""Build a function with llvmlite, then optimize it in the env, pass by pass.

llvmlite's IR builder writes the naive code a young frontend writes: every
variable in a stack slot, loads and stores everywhere. The env takes the
``llvmlite.ir.Module`` as it is; each step applies one LLVM pass, and the
instruction count shows what it did.

    python examples/llvmlite_optimize.py
"""

from __future__ import annotations

import argparse

import llvmlite.ir as ll

import compiler_env

I64 = ll.IntType(64)
#: The passes tried, in order; a step that does not shrink the function is undone.
PASSES = ("mem2reg", "instcombine", "simplifycfg", "loop-rotate", "licm", "indvars",
          "loop-deletion", "instcombine", "simplifycfg", "early-cse", "dce")  # fmt: skip


def sum_of_squares() -> ll.Module:
    """``long sum_of_squares(long n)``: the sum of i*i for i below n, with every
    variable in a stack slot, as a naive frontend writes it."""
    module = ll.Module("sum_of_squares")
    function = ll.Function(module, ll.FunctionType(I64, [I64]), "sum_of_squares")
    entry, test, body, done = (
        function.append_basic_block(name) for name in ("entry", "test", "body", "done")
    )
    builder = ll.IRBuilder(entry)
    n, i, total = (builder.alloca(I64, name=name) for name in ("n", "i", "total"))
    builder.store(function.args[0], n)
    builder.store(I64(0), i)
    builder.store(I64(0), total)
    builder.branch(test)
    builder.position_at_end(test)
    builder.cbranch(builder.icmp_signed("<", builder.load(i), builder.load(n)), body, done)
    builder.position_at_end(body)
    square = builder.mul(builder.load(i), builder.load(i))
    builder.store(builder.add(builder.load(total), square), total)
    builder.store(builder.add(builder.load(i), I64(1)), i)
    builder.branch(test)
    builder.position_at_end(done)
    builder.ret(builder.load(total))
    return module


def optimize(env: compiler_env.CompilerEnv, module: ll.Module, passes=PASSES) -> list[str]:
    """Tries ``passes`` in order on the module, keeping each that shrinks it (tried
    first on a fork of the episode); returns the passes kept."""
    env.reset(options={"benchmark": compiler_env.benchmark_from_ir(module)})
    kept = []
    for name in passes:
        action = env.action_space.index(name)
        before = env.observation["IrInstructionCount"]
        with env.fork() as trial:
            trial.step(action)
            after = trial.observation["IrInstructionCount"]
        if after < before:
            env.step(action)
            kept.append(name)
            print(f"  {name:<14} {before:>3} -> {after:>3} instructions")
    return kept


def main() -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    module = sum_of_squares()
    with compiler_env.make("llvm-ic-v0") as env:
        kept = optimize(env, module)
        print(f"kept {' '.join(kept)}; the function now reads:")
        print("define" + env.observation["Ir"].split("define", 1)[1])
        print(f"IrInstructionCountOz reward of the episode: {env.episode_reward:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
