"""A scripted language-model agent on llvm-text-v0, through the JSON tool schema.

No model and no network: a fixed rule stands in for the model. It reads the
tools (``compiler_env.text_env.tool_schema()``), looks at the program, applies
a plan (``mem2reg instcombine simplifycfg``), then tries a few more passes and
undoes each one that does not lower the instruction count. Every call and
result is printed as a JSON chat message, the shape a function-calling model
exchanges with its tools.

    python3 examples/llm_agent.py [benchmark]
"""

from __future__ import annotations

import json
import sys
from typing import Any

import compiler_env
from compiler_env.text_env import TextEnv, tool_schema

PLAN = "mem2reg instcombine simplifycfg"
TRIES = ("function(sroa,early-cse)", "gvn", "reg2mem", "function(instcombine,simplifycfg)")


def run(env: TextEnv, messages: list[dict[str, Any]]) -> float:
    """Runs the scripted conversation on a reset env; returns the episode's reward."""
    names = [tool["function"]["name"] for tool in tool_schema()]
    messages.append({"role": "system", "content": f"tools: {', '.join(names)}"})

    def call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        messages.append({"role": "assistant", "tool_calls": [
            {"type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}
        ]})  # fmt: skip
        result = env.call_tool(name, json.dumps(arguments))
        messages.append({"role": "tool", "name": name, "content": result})
        return dict(json.loads(result))

    count = call("observe", {"what": "instruction_count"})["instruction_count"]
    call("observe", {"what": "summary"})
    count = call("apply_passes", {"passes": PLAN})["instruction_count"]
    for passes in TRIES:
        result = call("apply_passes", {"passes": passes})
        if "error" in result:
            continue
        if result["instruction_count"] < count:
            count = result["instruction_count"]
        else:
            call("undo", {})
    return float(call("reward", {})["episode_reward"])


def main() -> None:
    benchmark = sys.argv[1] if len(sys.argv) > 1 else "benchmark://kernels-v0/crc32"
    messages: list[dict[str, Any]] = []
    with compiler_env.make("llvm-text-v0", benchmark=benchmark) as env:
        env.reset()
        reward = run(env, messages)
        for message in messages:
            print(json.dumps(message))
        print(f"episode reward {reward:.3f} ({env.commandline()})")


if __name__ == "__main__":
    main()
