"""Searches over pass sequences: budgets, determinism, replayable results, tables."""

from __future__ import annotations

import io

import pytest

import compiler_env
from compiler_env.errors import BenchmarkNotFound, InvalidArgument
from compiler_env.search import (
    evolutionary_search,
    greedy_search,
    random_search,
    search_benchmarks,
)
from compiler_env.state import read_states, states_to_dataframe
from tests.helpers import BENCHMARK

SEARCHES = [random_search, greedy_search, evolutionary_search]


@pytest.fixture(scope="module")
def env(service):
    with compiler_env.make("llvm-ic-v0", service=service.address) as env:
        yield env


@pytest.mark.parametrize("search", SEARCHES, ids=lambda f: f.__name__)
def test_a_search_spends_its_budget_and_its_best_state_replays(env, search) -> None:
    result = search(env, BENCHMARK, steps=30, seed=1)
    again = search(env, BENCHMARK, steps=30, seed=1)
    assert (result.steps, result.stopped) == (30, "steps")
    assert result.state.commandline == again.state.commandline  # the same seed, the same state
    assert result.reward == again.reward > 0
    rewards = [point.reward for point in result.trajectory]
    assert rewards[0] == 0.0 and rewards == sorted(set(rewards)) and rewards[-1] == result.reward
    assert [point.step for point in result.trajectory] == sorted(p.step for p in result.trajectory)
    env.apply(result.state)
    assert env.episode_reward == pytest.approx(result.reward, rel=1e-9)
    names = env.action_space.names
    assert tuple(names[a] for a in env.actions) == result.actions
    frame = result.to_dataframe()
    assert list(frame.columns) == ["benchmark", "search", "step", "seconds", "reward"]
    assert len(frame) == len(result.trajectory) and frame["reward"].iloc[-1] == result.reward


def test_random_search_depends_on_its_seed_and_stops_on_patience(env) -> None:
    results = {random_search(env, BENCHMARK, steps=20, seed=s).state.commandline for s in range(3)}
    assert len(results) > 1
    patient = random_search(env, BENCHMARK, patience=15, seed=0, episode_length=8)
    assert patient.stopped == "patience"
    assert patient.steps - patient.trajectory[-1].step >= 15


def test_greedy_search_keeps_the_best_single_action_of_its_first_round(env) -> None:
    result = greedy_search(env, BENCHMARK, steps=int(env.action_space.n))
    assert len(result.actions) == 1
    env.reset(options={"benchmark": BENCHMARK})
    best = env.action_space.index(result.actions[0])
    env.step(best)
    assert env.episode_reward == result.reward
    for action in range(int(env.action_space.n)):  # no other one does better
        env.reset()
        env.step(action)
        assert env.episode_reward <= result.reward


def test_progress_goes_to_a_given_stream_or_a_terminal(env, service, capsys) -> None:
    out = io.StringIO()
    evolutionary_search(env, BENCHMARK, steps=20, progress=out)
    assert "evolution crc32" in out.getvalue() and "20/20" in out.getvalue()
    out = io.StringIO()
    make = lambda: compiler_env.make("llvm-ic-v0", service=service.address)  # noqa: E731
    search_benchmarks("random", [BENCHMARK], make, steps=10, progress=out)
    lines = out.getvalue().split("\n")  # not splitlines(): the bar redraws itself after "\r"
    assert "random crc32" in lines[0] and "10/10" in lines[0]  # the search's own line
    assert lines[1].startswith(f"[1/1] {BENCHMARK}: reward ")
    random_search(env, BENCHMARK, steps=20, progress=True)  # stderr is no terminal here
    assert capsys.readouterr().err == ""


def test_bad_budgets_and_envs_are_refused(service, env) -> None:
    with pytest.raises(InvalidArgument, match="needs a budget: give steps="):
        random_search(env, BENCHMARK)
    with pytest.raises(InvalidArgument, match="steps is a positive integer, not 0"):
        evolutionary_search(env, BENCHMARK, steps=0)
    with pytest.raises(InvalidArgument, match="seconds is a positive number of seconds"):
        random_search(env, BENCHMARK, seconds=-1.0)
    with pytest.raises(InvalidArgument, match="seed is a non-negative integer"):
        greedy_search(env, BENCHMARK, steps=5, seed=-1)
    with pytest.raises(InvalidArgument, match="episode_length is a positive integer"):
        random_search(env, BENCHMARK, steps=5, episode_length=0)
    with pytest.raises(BenchmarkNotFound, match="no-such"):
        random_search(env, "benchmark://kernels-v0/no-such", steps=5)
    with compiler_env.make("llvm-v0", service=service.address) as bare:
        with pytest.raises(InvalidArgument, match='reward_space="IrInstructionCountOz"'):
            random_search(bare, BENCHMARK, steps=5)


def test_many_benchmarks_in_parallel_give_what_one_at_a_time_gives(service, tmp_path) -> None:
    uris = [BENCHMARK, "benchmark://kernels-v0/bigint", "benchmark://kernels-v0/binary_search"]

    def make() -> compiler_env.CompilerEnv:
        return compiler_env.make("llvm-ic-v0", service=service.address)

    parallel = search_benchmarks("evolution", uris, make, jobs=2, steps=25, seed=4)
    serial = search_benchmarks(evolutionary_search, uris, make, jobs=1, steps=25, seed=4)
    assert [r.benchmark for r in parallel] == uris
    assert [r.state.commandline for r in parallel] == [r.state.commandline for r in serial]
    table = parallel.to_dataframe()
    assert list(table["benchmark"]) == uris and (table["steps"] == 25).all()
    assert list(table["reward"]) == [r.reward for r in parallel]
    assert set(parallel.trajectories()["benchmark"]) == set(uris)
    path = tmp_path / "best.csv"
    parallel.write_states(path)
    assert list(read_states(path)) == parallel.states
    with pytest.raises(BenchmarkNotFound, match="no-such"):
        search_benchmarks("random", ["benchmark://kernels-v0/no-such"], make, steps=5)
    with pytest.raises(InvalidArgument, match="unknown search 'beam'; known: random, greedy"):
        search_benchmarks("beam", uris, make, steps=5)


def test_states_and_validation_results_as_tables(env, service, tmp_path) -> None:
    env.reset(options={"benchmark": BENCHMARK})
    env.step(env.action_space.index("mem2reg"))
    good = env.state
    bad = compiler_env.CompilerEnvState(BENCHMARK, good.commandline, 1.0, good.reward + 1.0,
                                        good.reward_space)  # fmt: skip
    frame = states_to_dataframe([good, compiler_env.CompilerEnvState(BENCHMARK, "opt-19", 2.0)])
    assert list(frame.columns) == ["benchmark", "reward", "walltime", "commandline",
                                   "reward_space", "compiler_version"]  # fmt: skip
    assert frame["reward"].iloc[0] == good.reward and frame["reward"].isna().iloc[1]
    path = tmp_path / "states.csv"
    compiler_env.write_states(path, [good, bad])
    reader = read_states(path)
    assert next(reader) == good  # still an iterator
    rest = reader.to_dataframe()
    assert len(rest) == 1 and rest["reward"].iloc[0] == bad.reward
    results = compiler_env.validate_states(read_states(path), service=service.address)
    table = results.to_dataframe()
    assert list(table["ok"]) == [True, False]
    assert list(table["failed_check"]) == ["", "reward"]
    assert table["replayed_reward"].iloc[1] == pytest.approx(good.reward)
