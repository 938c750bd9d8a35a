"""TextEnv (llvm-text-v0): IR text within a budget, pass lists as actions, the tools."""

from __future__ import annotations

import json

import gymnasium
import pytest
from gymnasium.utils.env_checker import check_env

from compiler_env.text_env import TextEnv, tool_schema
from compiler_env.text_view import MIN_BUDGET, ir_view, split_functions
from service.proto.errors import InvalidArgument

CRC32 = "benchmark://kernels-v0/crc32"
PLAN = ("mem2reg", "instcombine", "simplifycfg")


@pytest.fixture
def text_env(make_env) -> TextEnv:
    env = make_env("llvm-text-v0", benchmark=CRC32)
    env.reset()
    return env


def test_the_env_passes_gymnasiums_checker(make_env) -> None:
    env = make_env("llvm-text-v0", benchmark=CRC32, undo_depth=0)
    check_env(env, skip_render_check=True)
    sampled = env.action_space.sample()  # random text: an error observation, not a crash
    observation, reward, _, truncated, info = env.step(sampled)
    assert "error" in info and reward == 0.0 and not truncated
    assert env.observation_space.contains(observation)


def test_gymnasium_make_reaches_the_tools(service) -> None:
    env = gymnasium.make("compiler_env/llvm-text-v0", benchmark=CRC32, service=service.address)
    try:
        env.reset()
        assert isinstance(env.unwrapped, TextEnv)
        assert json.loads(env.unwrapped.call_tool("observe", {"what": "instruction_count"})) == {
            "instruction_count": 442
        }
    finally:
        env.close()


def test_a_module_within_the_budget_is_shown_whole(make_env) -> None:
    env = make_env("llvm-text-v0", benchmark=CRC32, budget=100_000)
    observation, _ = env.reset()
    assert observation == env.compiler.observation["Ir"]


@pytest.mark.parametrize("budget", [MIN_BUDGET, 1_000, 6_000, 12_000])
def test_a_larger_module_is_shown_per_function_within_the_budget(make_env, budget) -> None:
    env = make_env("llvm-text-v0", benchmark=CRC32, budget=budget)
    observation, _ = env.reset()
    ir = env.compiler.observation["Ir"]
    assert len(ir) > budget >= len(observation)
    assert env.observation_space.contains(observation)
    if budget < 1_000:
        return  # the smallest budget holds the header and what summaries fit
    functions, _ = split_functions(ir)
    shown = [f for f in functions if f.text in observation]
    summarized = [f for f in functions if f"; {f.signature}  ; {f.instructions} instructions"
                  in observation]  # fmt: skip
    assert len(shown) + len(summarized) == len(functions) == 7
    assert "; summarized" in observation
    if budget >= 6_000:  # the largest functions that fit are in full
        assert shown and all(f.text in ir for f in shown)
        fitting = [f for f in functions if len(f.text) < budget // 2]
        assert max(f.instructions for f in shown) >= min(f.instructions for f in fitting)


def test_the_view_never_passes_the_budget_even_with_many_functions() -> None:
    ir = "\n".join(
        f"define i32 @f{i}(i32 %x) {{\n  %y = add i32 %x, {i}\n  ret i32 %y\n}}" for i in range(200)
    )
    view = ir_view(ir, 1_000)
    assert len(view) <= 1_000 and "more lines left out" in view
    assert "define i32 @f0(i32 %x)" in view


def test_pass_names_and_pipelines_equal_the_same_actions_of_compiler_env(make_env) -> None:
    reference = make_env("llvm-ic-v0", benchmark=CRC32)
    reference.reset()
    _, expected_reward, _, _, _ = reference.multistep(
        [reference.action_space.index(n) for n in PLAN]
    )
    expected_ir = reference.observation["Ir"]
    env = make_env("llvm-text-v0", benchmark=CRC32, budget=100_000)
    texts = (
        "mem2reg instcombine simplifycfg",
        "mem2reg, instcombine,simplifycfg",
        "function(mem2reg,instcombine),simplifycfg",
        "module(function(mem2reg),function(instcombine<no-verify-fixpoint>,simplifycfg))",
    )
    for text in texts:
        env.reset()
        observation, reward, terminated, truncated, info = env.step(text)
        assert "error" not in info and info["passes"] == list(PLAN)
        assert observation == expected_ir
        assert reward == pytest.approx(expected_reward) and reward > 0
        assert env.commandline() == reference.commandline()
        assert not terminated and not truncated


def test_loop_passes_go_in_loop_adaptors(text_env) -> None:
    _, _, _, _, info = text_env.step("function(loop(licm),loop(indvars)),loop(licm)")
    assert info["passes"] == ["licm", "indvars", "licm"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mem2reg nosuchpass", "'nosuchpass' is not an action"),
        ("instcombin", "did you mean instcombine"),
        ("function(globaldce)", "'globaldce' is a module pass"),
        ("cgscc(sroa)", "'sroa' is a function pass: it goes in function(...)"),
        ("function(sroa", "')' expected"),
        ("function(sroa))", "unexpected ')'"),
        ("frobnicate(sroa)", "'frobnicate' is no adaptor"),
        ("function(print<domtree>)", "not an action"),
        ("   ", "no passes given"),
        (7, "not int"),
        ("sroa " * 1_000, "over 4000 characters"),
    ],
)
def test_an_invalid_action_keeps_the_state_and_says_why(text_env, text, message) -> None:
    ir = text_env.compiler.observation["Ir"]
    observation, reward, terminated, truncated, info = text_env.step(text)
    assert message in info["error"]
    assert reward == 0.0 and not terminated and not truncated
    assert observation.startswith("; error: ") and message in observation
    assert len(observation) <= text_env.budget
    assert text_env.compiler.observation["Ir"] == ir and text_env.compiler.actions == []


def test_a_pass_left_out_of_the_default_space_names_the_full_space(text_env) -> None:
    left_out = sorted(set(text_env.compiler.action_table.names)
                      - set(text_env.compiler.action_space.names))  # fmt: skip
    assert left_out
    _, _, _, _, info = text_env.step(left_out[0])
    assert 'action_space="full"' in info["error"]


def test_the_budget_is_checked(make_env) -> None:
    with pytest.raises(InvalidArgument, match="budget is a number of characters"):
        make_env("llvm-text-v0", budget=10)


def test_the_tool_schema_is_function_calling_json() -> None:
    tools = json.loads(json.dumps(tool_schema()))
    assert [t["function"]["name"] for t in tools] == ["observe", "apply_passes", "undo", "reward"]
    for tool in tools:
        assert tool["type"] == "function" and tool["function"]["description"]
        assert tool["function"]["parameters"]["type"] == "object"
    assert tools[0]["function"]["parameters"]["required"] == ["what"]


@pytest.mark.parametrize("as_json", [False, True])
def test_every_tool_works_through_call_tool(text_env, as_json) -> None:
    def call(name: str, arguments: dict[str, object]) -> dict[str, object]:
        result = text_env.call_tool(name, json.dumps(arguments) if as_json else arguments)
        return json.loads(result)

    assert call("observe", {"what": "instruction_count"}) == {"instruction_count": 442}
    assert call("observe", {"what": "ir"})["ir"] == text_env.render()
    assert "@crc32_update(" in call("observe", {"what": "summary"})["summary"]
    applied = call("apply_passes", {"passes": "mem2reg instcombine simplifycfg"})
    assert applied["applied"] == list(PLAN) and applied["reward"] > 0
    assert applied["instruction_count"] < 442
    assert "function(mem2reg)" in call("observe", {"what": "commandline"})["commandline"]
    assert call("observe", {"what": "reward"}) == {"episode_reward": applied["episode_reward"]}
    reward = call("reward", {})
    assert reward["reward_space"] == "IrInstructionCountOz"
    assert reward["episode_reward"] == pytest.approx(reward["vs_oz"])
    assert reward["oz_instruction_count"] < reward["instruction_count"] < 442
    more = call("apply_passes", {"passes": "function(gvn),globaldce"})
    undone = call("undo", {})
    assert undone["instruction_count"] == applied["instruction_count"] != more["instruction_count"]
    assert text_env.compiler.actions == [text_env.compiler.action_space.index(n) for n in PLAN]
    call("undo", {})
    assert call("observe", {"what": "instruction_count"}) == {"instruction_count": 442}
    assert "nothing to undo" in call("undo", {})["error"]


@pytest.mark.parametrize(
    ("name", "arguments", "message"),
    [
        ("compile", {}, "unknown tool 'compile'"),
        ("observe", {}, "missing: what"),
        ("observe", {"what": "ir", "extra": 1}, "unknown: extra"),
        ("observe", {"what": "bitcode"}, "one of ir, summary"),
        ("observe", "{not json", "not JSON"),
        ("observe", "[1, 2]", "a JSON object"),
        ("apply_passes", {"passes": "function(globaldce)"}, "is a module pass"),
        ("apply_passes", {"passes": ["sroa"]}, "not list"),
        ("undo", {}, "nothing to undo"),
    ],
)
def test_a_bad_tool_call_is_a_json_error(text_env, name, arguments, message) -> None:
    result = json.loads(text_env.call_tool(name, arguments))
    assert message in result["error"]
    assert text_env.compiler.actions == []
