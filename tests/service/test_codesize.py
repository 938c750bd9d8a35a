"""ObjectTextSizeBytes by compiling only what changed equals the whole-module compile.

The reference is ``Module.text_size`` (the module cloned and compiled whole).
The default run takes a few random steps on every kernels-v0 program and on
20 Csmith programs; a longer audit is one environment variable away:

    COMPILER_ENV_CODESIZE_AUDIT=40,200 pytest tests/service/test_codesize.py -k every

takes 40 steps per kernel and per seed, on Csmith seeds 0..199; a third number
is the first seed (docs/codesize.md).
"""

from __future__ import annotations

import ctypes
import os

import numpy as np
import pytest

from perf.codesize import safe_actions
from service import benchmarks
from service.episode import Episode
from service.llvm import features
from service.llvm.actions import load_actions
from service.llvm.binding import lib
from service.llvm.module import Context, host_target_machine
from service.proto.errors import BenchmarkInitError

TABLE = load_actions(19)
SAFE = safe_actions(TABLE)
_AUDIT = [int(n) for n in os.environ.get("COMPILER_ENV_CODESIZE_AUDIT", "").split(",") if n]
#: Steps per program, how many Csmith seeds, and the first seed.
STEPS, SEEDS, FIRST_SEED = (_AUDIT + [5, 20, 0][len(_AUDIT) :])[:3]
KERNELS = sorted(benchmarks.datasets()["kernels-v0"].programs)


def _check_episode(uri: str, steps: int, seed: int) -> int:
    """Random steps on ``uri``, the two sizes compared after each; returns the
    number of comparisons."""
    rng = np.random.default_rng(seed)
    with_cache = Episode(benchmarks.resolve(uri), TABLE)
    try:
        assert with_cache.text_size() == with_cache.module.text_size(with_cache.machine), uri
        for _ in range(steps):
            with_cache.apply([int(rng.choice(SAFE))])
            incremental = with_cache.text_size()
            whole = with_cache.module.text_size(with_cache.machine)
            names = [TABLE[a].name for a in with_cache.actions]
            assert incremental == whole, (uri, names, with_cache.text_size_stats())
        return steps + 1
    finally:
        with_cache.close()


@pytest.mark.parametrize("name", KERNELS)
def test_every_kernel_along_random_steps(name: str) -> None:
    assert _check_episode(f"benchmark://kernels-v0/{name}", STEPS, seed=len(name)) == STEPS + 1


def test_every_csmith_seed_along_random_steps() -> None:
    """Seeds whose program the generator refuses (it runs too long) are left out."""
    checked = 0
    for seed in range(FIRST_SEED, FIRST_SEED + SEEDS):
        try:
            _check_episode(f"generator://csmith-v0/{seed}", max(STEPS - 1, 1), seed=seed)
        except BenchmarkInitError:
            continue
        checked += 1
    assert checked >= SEEDS * 3 // 4


def _function(module_handle: object, name: str) -> object:
    llvm = lib()
    llvm.LLVMGetNamedFunction.restype = ctypes.c_void_p
    llvm.LLVMGetNamedFunction.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    function = llvm.LLVMGetNamedFunction(ctypes.cast(module_handle, ctypes.c_void_p), name.encode())
    assert function, name
    return function


def _add_attribute(function: object, key: str, value: str) -> None:
    llvm = lib()
    llvm.LLVMAddTargetDependentFunctionAttr.restype = None
    llvm.LLVMAddTargetDependentFunctionAttr.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_char_p,
    ]
    llvm.LLVMAddTargetDependentFunctionAttr(function, key.encode(), value.encode())


def test_changing_one_function_recompiles_only_that_function() -> None:
    episode = Episode(benchmarks.resolve("benchmark://kernels-v0/json_query"), TABLE)
    try:
        episode.apply([TABLE.actions.index(next(a for a in TABLE.actions if a.name == "sroa"))])
        episode.text_size()
        functions = episode.text_size_stats().last_compiled
        assert functions > 10
        assert episode.text_size() == episode.module.text_size(episode.machine)
        assert episode.text_size_stats().last_compiled == 0  # nothing changed
        # main is called by no function: a frame pointer changes its code alone.
        _add_attribute(_function(episode.module.handle, "main"), "frame-pointer", "all")
        changed = episode.text_size()
        stats = episode.text_size_stats()
        assert stats.last_compiled == 1 and stats.last_reason == "none", stats
        assert changed == episode.module.text_size(episode.machine)
    finally:
        episode.close()


def _sizes(ir: str) -> tuple[int, features.TextSizeStats, int]:
    with Context() as context, context.parse(ir.encode()) as module:
        machine = host_target_machine(module.triple)
        with features.TextSizeCache() as cache:
            size = cache.text_size(module, machine)
            return size, cache.stats(), module.text_size(machine)


_TRIPLE = 'target triple = "x86_64-pc-linux-gnu"\n'
#: f tail-calls g close by: the assembler shortens that jmp in a whole-module compile.
TAIL_CALL = (
    _TRIPLE
    + """
define internal i32 @g(i32 %x) minsize optsize {
  %r = mul i32 %x, 7
  ret i32 %r
}
define i32 @f(i32 %x) minsize optsize {
  %c = icmp eq i32 %x, 0
  br i1 %c, label %a, label %b
a:
  %r = tail call i32 @g(i32 %x)
  ret i32 %r
b:
  %s = tail call i32 @g(i32 3)
  ret i32 %s
}
"""
)


def test_a_jump_the_assembler_may_shorten_is_compiled_with_its_target() -> None:
    size, stats, whole = _sizes(TAIL_CALL)
    assert size == whole
    assert stats.spans == 1 and stats.last_reason == "none", stats


def test_a_module_with_aliases_is_measured_by_the_whole_module() -> None:
    size, stats, whole = _sizes(TAIL_CALL + "@alias = alias i32 (i32), ptr @f\n")
    assert size == whole
    assert stats.whole_module == 1 and stats.last_reason == "alias", stats


def test_a_loop_in_a_function_aligned_to_one_byte() -> None:
    """An optsize function starts at any byte; were its loop aligned (to more than
    its start), its padding would depend on where it starts: the cache then
    compiles the whole module ("position"). LLVM 19 does not align it on x86."""
    looped = (
        _TRIPLE
        + """
define void @h(ptr %p, i32 %n) optsize {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %j, %loop ]
  store volatile i32 %i, ptr %p
  %j = add i32 %i, 1
  %c = icmp slt i32 %j, %n
  br i1 %c, label %loop, label %done
done:
  ret void
}
"""
    )
    size, stats, whole = _sizes(TAIL_CALL + looped.split("\n", 1)[1])
    assert size == whole
    assert stats.last_reason in ("none", "position"), stats


def test_the_env_observation_is_the_whole_module_size(make_env) -> None:
    uri = "benchmark://kernels-v0/bytecode_vm"
    env = make_env("llvm-v0", benchmark=uri)
    env.reset()
    rng = np.random.default_rng(5)
    actions = [int(a) for a in rng.choice(SAFE, size=6)]
    reference = Episode(benchmarks.resolve(uri), TABLE)
    try:
        assert env.observation["ObjectTextSizeBytes"] == reference.module.text_size(
            reference.machine
        )
        for action in actions:
            env.step(env.action_space.index(TABLE[action].name))
            reference.apply([action])
            assert env.observation["ObjectTextSizeBytes"] == reference.module.text_size(
                reference.machine
            ), [TABLE[a].name for a in reference.actions]
        fork = env.fork()
        try:
            fork.step(env.action_space.index(TABLE[actions[0]].name))
            reference.apply([actions[0]])
            assert fork.observation["ObjectTextSizeBytes"] == reference.module.text_size(
                reference.machine
            )
        finally:
            fork.close()
    finally:
        reference.close()


INLINE_ASM = """
define i32 @main() {
  call void asm sideeffect "nop\\0Anop", ""()
  ret i32 0
}
"""


def test_inline_assembly_compiles(make_env) -> None:  # type: ignore[no-untyped-def]
    """Code generation parses inline assembly (the engine initialises the assembly
    parser); the incremental size falls back to the whole module for it."""
    from compiler_env import benchmark_from_ir

    env = make_env(benchmark=benchmark_from_ir(INLINE_ASM), observation_space="ObjectTextSizeBytes")
    size, _ = env.reset()
    assert size >= 2 and env.observation["IsBuildable"] == 1
