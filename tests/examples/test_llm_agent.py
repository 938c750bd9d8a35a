"""The scripted agent of examples/llm_agent.py reaches a positive reward on crc32."""

from __future__ import annotations

import json

from llm_agent import run


def test_the_scripted_agent_reaches_a_positive_reward(make_env) -> None:
    env = make_env("llvm-text-v0", benchmark="benchmark://kernels-v0/crc32")
    env.reset()
    messages: list[dict[str, object]] = []
    reward = run(env, messages)
    assert reward > 0
    results = [json.loads(str(m["content"])) for m in messages if m["role"] == "tool"]
    assert all("error" not in result for result in results)
    undone = [m for m in messages if m["role"] == "assistant"
              and m["tool_calls"][0]["function"]["name"] == "undo"]  # type: ignore[index]  # fmt: skip
    assert undone  # reg2mem grows the program: the agent takes it back
    assert results[-1]["episode_reward"] == reward
