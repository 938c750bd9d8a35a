"""IrTokens: ids that decode to the normalized IR, over a vocabulary that does not drift."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest

from compiler_env import spaces, tokens
from service.llvm import features
from service.llvm.module import Context
from service.proto.errors import InvalidArgument

# The vocabulary of version 1. A change here is a new VOCABULARY_VERSION, not an edit.
VOCABULARY_SIZE = 2674
VOCABULARY_SHA256 = "c2ad12c3ebf902c9308baa6dbf82d1994e79bf6824c1a81ac520c644ae86df2b"


@pytest.fixture(scope="module")
def env(service):
    import compiler_env

    with compiler_env.make("llvm-v0", service=service.address) as made:
        yield made


def check_tokens(ids: np.ndarray, ir: str, where: str) -> None:
    assert ids.dtype == np.int32 and ids.ndim == 1 and ids.size > 0, where
    assert 0 <= ids.min() and ids.max() < len(tokens.vocabulary()), where
    assert tokens.decode(ids) == tokens.normalize(ir), where


def test_vocabulary_is_version_one() -> None:
    words = tokens.vocabulary()
    assert tokens.VOCABULARY_VERSION == 1
    assert len(words) == VOCABULARY_SIZE == len(set(words))
    assert hashlib.sha256("\x00".join(words).encode()).hexdigest() == VOCABULARY_SHA256
    assert words[0] == "<pad>"


def test_every_kernel_decodes_to_its_normalized_ir(env) -> None:
    uris = env.datasets["kernels-v0"].benchmark_uris()
    assert len(uris) > 10
    for uri in uris:
        env.reset(options={"benchmark": uri})
        check_tokens(env.observation["IrTokens"], env.observation["Ir"], uri)


def test_csmith_programs_decode_to_their_normalized_ir(env) -> None:
    passes = [env.action_space.index(name) for name in ("sroa", "simplifycfg", "instcombine")]
    for seed in range(20):
        uri = f"generator://csmith-v0/{seed}"
        env.reset(options={"benchmark": uri})
        if seed % 4 == 0:  # phis, selects and merged blocks on some
            env.multistep(passes)
        check_tokens(env.observation["IrTokens"], env.observation["Ir"], uri)


def test_space_describes_the_ids(env) -> None:
    env.reset(options={"benchmark": "benchmark://kernels-v0/crc32"})
    space = env.observation.spaces["IrTokens"]
    assert isinstance(space, spaces.TokenIds)
    assert space.high == len(tokens.vocabulary()) - 1
    ids = env.observation["IrTokens"]
    assert space.contains(ids)
    assert np.array_equal(tokens.encode(env.observation["Ir"]), ids)  # the client's own encoding
    assert space.contains(space.sample())
    assert not space.contains(np.array([len(tokens.vocabulary())]))


def _renamed(ir: str) -> str:
    """``ir`` with every numbered local value and block given a name."""
    ir = re.sub(r"%([0-9]+)\b", r"%val.\1", ir)
    return re.sub(r"^([0-9]+):", r"val.\1:", ir, flags=re.MULTILINE)


def test_local_names_do_not_change_the_ids(env, context: Context) -> None:
    env.reset(options={"benchmark": "benchmark://kernels-v0/crc32"})
    ir = env.observation["Ir"]
    renamed = _renamed(ir)
    with context.parse(renamed.encode(), "renamed") as module:  # still a valid module
        assert features.instruction_count(module) == env.observation["IrInstructionCount"]
        reprinted = features.ir_text(module)
    assert "%val.12" in reprinted and reprinted != ir
    assert np.array_equal(tokens.encode(reprinted), env.observation["IrTokens"])


def test_normalization_rules() -> None:
    text = (
        "%struct.S = type { i32, ptr }\n"
        "@counter = internal global i32 70000, align 4\n"
        '@.str = private constant [4 x i8] c"a b\\0A\\00"\n'
        "declare i32 @printf(ptr, ...)\n"
        "declare void @my_external(i64)\n"
        "; a comment\n"
        "define i32 @main(i32 %argc) #0 {\n"
        "entry:\n"
        "  %x = load i32, ptr @counter, align 4, !tbaa !3\n"
        "  %y = add nsw i32 %x, -5\n"
        "  call void @my_external(i64 123456789)\n"
        "  br label %exit\n"
        "exit:                        ; preds = %entry\n"
        "  ret i32 %y\n"
        "}\n"
        'attributes #0 = { nounwind "target-cpu"="x86-64" }\n'
        "!3 = !{!4, !4, i64 0}\n"
    )
    assert tokens.normalize(text) == (
        "%t0 = type { i32, ptr }\n"
        "@g0 = internal global i32 70000, align 4\n"
        '@g1 = private constant [4 x i8] c"a b\\0A\\00"\n'
        "declare i32 @printf (ptr, ...)\n"
        "declare void @my_external (i64)\n"
        "define i32 @g2 (i32 %v0) #0 {\n"
        "%b0:\n"
        "%v1 = load i32, ptr @g0, align 4\n"
        "%v2 = add nsw i32 %v1, -5\n"
        "call void @my_external (i64 123456789)\n"
        "br label %b1\n"
        "%b1:\n"
        "ret i32 %v2\n"
        "}\n"
        "attributes #0 = { nounwind }\n"
    )
    words = tokens.vocabulary()
    spelled = [words[i] for i in tokens.encode("@x = global i32 70000")]
    assert spelled[-6:] == ["7", "##0", "##0", "##0", "##0", "\n"]


def test_ids_outside_the_vocabulary_are_refused() -> None:
    with pytest.raises(InvalidArgument, match="outside IrTokens' vocabulary"):
        tokens.decode([1, len(tokens.vocabulary())])
