"""IrHash: equal IR gives equal hashes anywhere; any change to the IR changes it."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from service.llvm import features
from service.llvm.actions import load_actions
from service.llvm.module import Context
from service.llvm.toolchain import find_toolchain
from tests.helpers import KERNELS, kernel_module

BASE = """
%struct.pair = type { i32, ptr }

@counter = internal global i32 7, align 4
@table = constant [3 x i16] [i16 1, i16 2, i16 3]

declare i32 @external(i32) nounwind

define i32 @f(i32 %n, ptr %p) #0 {
entry:
  %a = add nsw i32 %n, 1
  %c = icmp slt i32 %a, 10
  br i1 %c, label %then, label %done

then:
  %v = load i32, ptr %p, align 4, !tbaa !1
  %w = call i32 @external(i32 %v)
  br label %done

done:
  %r = phi i32 [ %a, %entry ], [ %w, %then ]
  %g = getelementptr inbounds %struct.pair, ptr %p, i64 0, i32 1
  store i32 %r, ptr @counter, align 4
  ret i32 %r
}

attributes #0 = { noinline nounwind "frame-pointer"="none" }

!1 = !{!2, !2, i64 0}
!2 = !{!"int", !3, i64 0}
!3 = !{!"omnipotent char", !4, i64 0}
!4 = !{!"Simple C/C++ TBAA"}
"""

#: Each edit changes one thing the textual IR shows.
EDITS = {
    "constant": ("add nsw i32 %n, 1", "add nsw i32 %n, 2"),
    "flag": ("add nsw i32 %n, 1", "add nuw i32 %n, 1"),
    "predicate": ("icmp slt", "icmp sle"),
    "operand order": ("phi i32 [ %a, %entry ], [ %w, %then ]",
                      "phi i32 [ %w, %then ], [ %a, %entry ]"),
    "alignment": ("load i32, ptr %p, align 4", "load i32, ptr %p, align 8"),
    "volatile": ("load i32, ptr %p", "load volatile i32, ptr %p"),
    "metadata": ('!{!"int", !3, i64 0}', '!{!"long", !3, i64 0}'),
    "initializer": ("global i32 7", "global i32 8"),
    "constant array": ("i16 3]", "i16 4]"),
    "linkage": ("@counter = internal global", "@counter = private global"),
    "function attribute": ('"frame-pointer"="none"', '"frame-pointer"="all"'),
    "declaration attribute": ("declare i32 @external(i32) nounwind",
                              "declare i32 @external(i32)"),
    "gep flag": ("getelementptr inbounds %struct.pair", "getelementptr %struct.pair"),
    "gep index": ("i64 0, i32 1", "i64 1, i32 1"),
    "value name": ("%g = getelementptr", "%h = getelementptr"),
    "global name": ("@table = constant", "@tables = constant"),
    "tail call": ("%w = call i32", "%w = tail call i32"),
    "branch target": ("br i1 %c, label %then, label %done",
                      "br i1 %c, label %done, label %then"),
}  # fmt: skip


def _hash(text: str) -> str:
    with Context() as context, context.parse(text.encode()) as module:
        return features.ir_hash(module)


def test_equal_ir_gives_equal_hashes_in_any_context() -> None:
    first = _hash(BASE)
    assert len(first) == 32 and int(first, 16) >= 0
    assert _hash(BASE) == first  # another context: other addresses
    with Context() as context, context.parse(BASE.encode()) as module:
        printed = module.to_text()
        module.clone().close()  # a clone's values elsewhere in memory change nothing
        assert features.ir_hash(module) == first
    assert _hash(printed) == first  # the IR read back from its own text


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_changed_instruction_global_or_metadata_changes_the_hash(edit: str) -> None:
    old, new = EDITS[edit]
    assert BASE.count(old) == 1
    assert _hash(BASE.replace(old, new)) != _hash(BASE)


@pytest.mark.parametrize("uri", KERNELS[::6])
def test_hash_equality_is_text_equality_along_random_episodes(context: Context, uri: str) -> None:
    """Over every state of random episodes, two states have equal IrHash exactly when
    their textual IR is equal."""
    table = load_actions(find_toolchain().major)
    allowed = [i for i, a in enumerate(table.actions) if a.name != "loop-bound-split"]
    rng = np.random.default_rng(len(uri))
    by_hash: dict[str, str] = {}
    by_text: dict[str, str] = {}
    with kernel_module(context, uri) as module:
        for action in rng.choice(allowed, size=25):
            module.run_passes(table[int(action)].pipeline)
            text = hashlib.sha1(module.to_text().encode()).hexdigest()
            state = features.ir_hash(module)
            assert by_hash.setdefault(state, text) == text
            assert by_text.setdefault(text, state) == state
    assert len(by_hash) > 3  # the episodes changed the program several times


def test_the_env_serves_the_same_hash(make_env) -> None:  # type: ignore[no-untyped-def]
    env = make_env(benchmark=KERNELS[0], observation_space="IrHash")
    served, _ = env.reset()
    with Context() as context, context.parse(env.observation["Bitcode"]) as module:
        assert features.ir_hash(module) == served
    stepped, *_ = env.step(env.action_space.index("mem2reg"))
    assert stepped != served
    assert env.fork().observation["IrHash"] == stepped
