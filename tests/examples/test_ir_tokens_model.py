"""The IrTokens sequence model learns: its loss falls over a short training."""

from __future__ import annotations

from ir_tokens_model import load_programs, train


def test_loss_decreases(make_env) -> None:
    env = make_env("llvm-v0")
    ids, targets = load_programs(env, count=3, max_tokens=2048)
    assert ids.shape[0] == 3 and not ids.dtype.is_floating_point
    _, losses = train(ids, targets, steps=20)
    assert losses[-1] < losses[0] / 2
