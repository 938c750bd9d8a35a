"""The vector env: N sessions of one service stepped at once, as Gymnasium defines it."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from typing import Any

import gymnasium
import numpy as np
import pytest
from gymnasium.spaces import Box, MultiDiscrete
from gymnasium.utils.env_checker import data_equivalence
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from gymnasium.wrappers import TimeLimit

import compiler_env
from compiler_env.vector import CompilerVectorEnv
from service.proto import compiler_env_pb2 as pb
from service.proto.errors import EnvClosed, InvalidAction, InvalidArgument, ResetRequired
from service.server import RunningService, create_server

ENV_ID = "llvm-autophase-ic-v0"
SMALL = [
    "benchmark://kernels-v0/crc32",
    "benchmark://kernels-v0/binary_search",
    "benchmark://kernels-v0/nqueens",
]
# Without the passes the audit found nondeterministic (results must repeat) or slow.
SAFE = {"action_space": "safe"}


@pytest.fixture
def make_vec(service: RunningService) -> Iterator[Callable[..., CompilerVectorEnv]]:
    """Makes vector envs on the shared service and closes them after the test."""
    made: list[CompilerVectorEnv] = []

    def make(num_envs: int = 2, **kwargs: Any) -> CompilerVectorEnv:
        kwargs = {"service": service.address, **SAFE, **kwargs}
        envs = compiler_env.make_vec(ENV_ID, num_envs, **kwargs)
        made.append(envs)
        return envs

    yield make
    for envs in made:
        envs.close()


def _reference(
    service: str, benchmarks: list[str], max_steps: int, mode: AutoresetMode, **kwargs: Any
) -> SyncVectorEnv:
    """Gymnasium's own vector env over separate envs: what the vector env must equal."""

    def one(uri: str) -> Callable[[], gymnasium.Env]:
        return lambda: TimeLimit(
            compiler_env.make(ENV_ID, benchmark=uri, service=service, **{**SAFE, **kwargs}),
            max_steps,
        )

    return SyncVectorEnv([one(uri) for uri in benchmarks], autoreset_mode=mode)


def _check_batch(envs: CompilerVectorEnv, result: tuple[Any, ...]) -> None:
    """What the contract implies of one step's batch: spaces, dtypes, shapes, info masks."""
    observations, rewards, terminated, truncated, infos = result
    n = envs.num_envs
    assert envs.observation_space.contains(observations)
    assert observations.dtype == envs.single_observation_space.dtype
    for array, dtype in ((rewards, np.float64), (terminated, np.bool_), (truncated, np.bool_)):
        assert isinstance(array, np.ndarray) and array.shape == (n,) and array.dtype == dtype
    _check_infos(infos, n)


def _check_infos(infos: dict[str, Any], n: int) -> None:
    for key, value in infos.items():
        if key.startswith("_"):
            assert key[1:] in infos
            assert value.dtype == np.bool_ and value.shape == (n,)
        else:
            assert f"_{key}" in infos, f"info {key!r} has no mask"
            if isinstance(value, dict):
                _check_infos(value, n)
            else:
                assert len(value) == n


@pytest.mark.parametrize("mode", list(AutoresetMode))
def test_same_results_as_gymnasiums_sync_vector_env(
    service: RunningService, make_vec: Callable[..., CompilerVectorEnv], mode: AutoresetMode
) -> None:
    """Observations, rewards, ends, infos and autoresets equal ``SyncVectorEnv``'s over
    separate envs stepped one after the other, in every autoreset mode."""
    benchmarks = SMALL[:2]
    envs = make_vec(benchmark=benchmarks, max_episode_steps=4, autoreset_mode=mode)
    reference = _reference(service.address, benchmarks, 4, mode)
    try:
        assert envs.metadata["autoreset_mode"] is mode
        assert envs.observation_space == reference.observation_space
        assert envs.action_space == reference.action_space
        ours, theirs = envs.reset(seed=3), reference.reset(seed=3)
        assert data_equivalence(ours, theirs)
        _check_infos(ours[1], 2)
        envs.action_space.seed(7)
        for t in range(11):
            actions = envs.action_space.sample()
            if mode is AutoresetMode.DISABLED and t % 4 == 0 and t:
                mask = np.ones(2, dtype=np.bool_)
                ours = envs.reset(options={"reset_mask": mask})
                theirs = reference.reset(options={"reset_mask": mask})
                assert data_equivalence(ours, theirs)
            ours, theirs = envs.step(actions), reference.step(actions)
            assert data_equivalence(ours, theirs), (t, ours, theirs)
            _check_batch(envs, ours)
        ended = [env.unwrapped.actions for env in reference.envs]
        assert [env.actions for env in envs.envs] == ended
    finally:
        reference.close()


def test_next_step_autoreset_resets_and_ignores_the_action(
    make_vec: Callable[..., CompilerVectorEnv],
) -> None:
    envs = make_vec(benchmark=SMALL[0], max_episode_steps=2)
    start, _ = envs.reset(seed=0)
    mem2reg = envs.single_action_space.index("mem2reg")
    for _ in range(2):
        _, _, terminated, truncated, infos = envs.step([mem2reg, mem2reg])
    assert truncated.all() and not terminated.any() and infos == {}
    observations, rewards, terminated, truncated, infos = envs.step([mem2reg, 0])
    assert np.array_equal(observations, start)  # reset: the new episode's first observation
    assert (rewards == 0).all() and not terminated.any() and not truncated.any()
    assert list(infos["benchmark"]) == [SMALL[0]] * 2 and infos["_benchmark"].all()
    assert [env.actions for env in envs.envs] == [[], []]  # the actions were ignored
    _, rewards, _, truncated, _ = envs.step([mem2reg, 0])
    assert rewards[0] > 0 and not truncated.any()


def test_gymnasiums_vector_wrappers_work_on_it(make_vec: Callable[..., CompilerVectorEnv]) -> None:
    from gymnasium.wrappers.vector import RecordEpisodeStatistics

    envs = RecordEpisodeStatistics(make_vec(max_episode_steps=2))
    envs.reset(seed=0)
    envs.step([1, 2])
    *_, infos = envs.step([3, 4])
    assert list(infos["episode"]["l"]) == [2, 2] and infos["_episode"].all()


def test_same_step_autoreset_gives_the_final_observation(
    make_vec: Callable[..., CompilerVectorEnv],
) -> None:
    envs = make_vec(benchmark=SMALL[:2], max_episode_steps=1, autoreset_mode="SameStep")
    assert envs.get_attr("benchmark") == tuple(SMALL[:2])  # before the first reset too
    start, _ = envs.reset()
    mem2reg = envs.single_action_space.index("mem2reg")
    observations, rewards, _, truncated, infos = envs.step([mem2reg, mem2reg])
    assert truncated.all() and (rewards > 0).all()
    assert np.array_equal(observations, start)
    assert infos["_final_obs"].all() and infos["_final_info"].all()
    assert not np.array_equal(infos["final_obs"][0], start[0])
    assert list(infos["benchmark"]) == SMALL[:2]


def test_disabled_autoreset_asks_for_a_reset(make_vec: Callable[..., CompilerVectorEnv]) -> None:
    envs = make_vec(max_episode_steps=1, autoreset_mode=AutoresetMode.DISABLED)
    envs.reset()
    envs.step([0, 0])
    with pytest.raises(ResetRequired, match="reset_mask"):
        envs.step([0, 0])
    _, infos = envs.reset(options={"reset_mask": np.array([False, True])})
    assert list(infos["_benchmark"]) == [False, True]
    with pytest.raises(ResetRequired):  # sub-env 0 still waits
        envs.step([0, 0])


def test_each_sub_env_draws_its_own_benchmark_stream(
    make_vec: Callable[..., CompilerVectorEnv],
) -> None:
    streams = {0: [SMALL[0], SMALL[1], SMALL[2]], 1: [SMALL[2], SMALL[0], SMALL[1]]}
    envs = make_vec(benchmark=lambda i: iter(streams[i]), max_episode_steps=1)
    _, infos = envs.reset()
    assert list(infos["benchmark"]) == [SMALL[0], SMALL[2]]
    envs.step([0, 0])
    _, _, _, _, infos = envs.step([0, 0])  # the autoreset draws the next of each stream
    assert list(infos["benchmark"]) == [SMALL[1], SMALL[0]]
    assert envs.get_attr("benchmark") == (SMALL[1], SMALL[0])
    envs.step([0, 0])
    _, _, _, _, infos = envs.step([0, 0])
    assert list(infos["benchmark"]) == [SMALL[2], SMALL[1]]
    envs.step([0, 0])
    with pytest.raises(InvalidArgument, match="stream of sub-env 0 is exhausted"):
        envs.step([0, 0])
    # New streams with the reset: one URI for all, then one each.
    _, infos = envs.reset(options={"benchmark": SMALL[1]})
    assert list(infos["benchmark"]) == [SMALL[1]] * 2
    _, infos = envs.reset(options={"benchmark": (SMALL[2], SMALL[0])})
    assert list(infos["benchmark"]) == [SMALL[2], SMALL[0]]
    with pytest.raises(InvalidArgument, match="one per sub-env"):
        envs.reset(options={"benchmark": SMALL})


def test_seeds_follow_gymnasium(make_vec: Callable[..., CompilerVectorEnv]) -> None:
    envs = make_vec(num_envs=3)
    envs.reset(seed=5)
    assert envs.np_random_seed == (5, 6, 7)
    envs.reset(seed=[1, None, 2])
    assert envs.np_random_seed[0] == 1 and envs.np_random_seed[2] == 2


def test_spaces_are_the_batched_single_spaces(make_vec: Callable[..., CompilerVectorEnv]) -> None:
    envs = make_vec(num_envs=3)
    assert envs.num_envs == 3
    single = envs.single_observation_space
    assert isinstance(single, Box) and single.shape == (56,) and single.dtype == np.int64
    assert envs.observation_space == gymnasium.vector.utils.batch_space(single, 3)
    assert isinstance(envs.action_space, MultiDiscrete)
    assert list(envs.action_space.nvec) == [envs.single_action_space.n] * 3
    observations, infos = envs.reset()
    assert isinstance(observations, np.ndarray) and observations.shape == (3, 56)
    assert envs.observation_space.contains(observations)
    _check_infos(infos, 3)
    copy = envs.step(envs.action_space.sample())[0]
    copy[:] = -1  # a copy: the vector env's buffer is untouched
    assert envs.observation_space.contains(envs.reset()[0])
    assert len(envs.render()) == 3 and "define" in envs.render()[0]


def test_bad_actions_change_nothing(make_vec: Callable[..., CompilerVectorEnv]) -> None:
    envs = make_vec()
    envs.reset()
    with pytest.raises(InvalidAction):
        envs.step([0, 10_000])
    assert [env.actions for env in envs.envs] == [[], []]
    with pytest.raises(InvalidArgument, match="observation space"):
        compiler_env.make_vec("llvm-ic-v0", 2)
    with pytest.raises(InvalidArgument, match="autoreset_mode"):
        compiler_env.make_vec(ENV_ID, 2, autoreset_mode="sometimes")


def test_a_killed_worker_is_replayed_and_the_results_stay_the_same(
    make_vec: Callable[..., CompilerVectorEnv],
) -> None:
    actions = np.random.default_rng(4).integers(0, 100, size=(12, 2))
    calm, hit = make_vec(benchmark=SMALL[:2]), make_vec(benchmark=SMALL[:2])
    expected = [calm.reset(seed=1), *(calm.step(a) for a in actions)]
    results = [hit.reset(seed=1)]
    for t, a in enumerate(actions):
        if t == 5:  # mid-episode, between steps: the next send or reply fails
            os.kill(hit.envs[0].session_info.worker_pid, signal.SIGKILL)
        if t == 8:  # both at once
            for env in hit.envs:
                os.kill(env.session_info.worker_pid, signal.SIGKILL)
        results.append(hit.step(a))
    for t, (ours, theirs) in enumerate(zip(results, expected)):
        assert data_equivalence(ours, theirs), t
    assert [env.session_info.recoveries for env in hit.envs] == [2, 1]
    assert [env.actions for env in hit.envs] == [env.actions for env in calm.envs]
    assert all(env.session_info.direct for env in hit.envs)


def test_a_worker_crashing_during_a_vector_step_is_replayed() -> None:
    """The worker dies after it got the step, before it replies: the step is redone
    by that env's own ``step`` on a new worker; the other sub-env is unaffected."""
    faulty = create_server(pool_size=1, fault_injection=True)
    try:
        make = lambda: compiler_env.make_vec(ENV_ID, 2, service=faulty.address, **SAFE)  # noqa: E731
        with make() as calm, make() as hit:
            calm.reset(), hit.reset()
            calm.step([1, 2])
            hit.step([1, 2])
            worker = faulty.servicer.sessions[hit.envs[1].session_info.id]
            worker.call(pb.WorkerRequest(fault=pb.FaultRequest(kind="crash", at_step=1)))
            assert data_equivalence(hit.step([3, 4]), calm.step([3, 4]))
            assert [env.session_info.recoveries for env in hit.envs] == [0, 1]
            assert [env.actions for env in hit.envs] == [[1, 3], [2, 4]]
    finally:
        faulty.stop()


def test_a_remote_service_steps_through_the_service() -> None:
    remote = create_server("127.0.0.1:0", pool_size=1)
    try:
        kwargs = {"service": remote.address, "token": remote.token, **SAFE}
        with compiler_env.make_vec(ENV_ID, 2, benchmark=SMALL[:2], **kwargs) as envs:
            reference = _reference(remote.address, SMALL[:2], 100, AutoresetMode.NEXT_STEP,
                                   token=remote.token)  # fmt: skip
            try:
                assert data_equivalence(envs.reset(), reference.reset())
                assert not any(env.session_info.direct for env in envs.envs)
                for action in ([3, 4], [5, 6], [7, 8]):
                    assert data_equivalence(envs.step(action), reference.step(action))
            finally:
                reference.close()
    finally:
        remote.stop()


def test_close_ends_every_session(service: RunningService) -> None:
    before = len(service.servicer.sessions)
    envs = compiler_env.make_vec(ENV_ID, 3, service=service.address)
    envs.reset()
    assert len(service.servicer.sessions) == before + 3
    envs.close()
    assert len(service.servicer.sessions) == before
    assert envs.closed
    with pytest.raises(EnvClosed, match="closed"):
        envs.step([0, 0, 0])
    envs.close()  # twice is fine


def test_gymnasium_make_vec_makes_the_native_vector_env(service: RunningService) -> None:
    envs = gymnasium.make_vec(
        f"compiler_env/{ENV_ID}",
        num_envs=2,
        vectorization_mode="vector_entry_point",
        service=service.address,
        max_episode_steps=3,
    )
    try:
        assert isinstance(envs, CompilerVectorEnv)
        assert envs.spec is not None and envs.spec.id == f"compiler_env/{ENV_ID}"
        assert envs.max_episode_steps == 3
        assert envs.reset()[0].shape == (2, 56)
        assert repr(envs) == f"CompilerVectorEnv(compiler_env/{ENV_ID}, num_envs=2)"
    finally:
        envs.close()


def test_call_get_attr_and_set_attr(make_vec: Callable[..., CompilerVectorEnv]) -> None:
    envs = make_vec()
    envs.reset()
    assert envs.call("compute_observations", ["IrInstructionCount"])[0]["IrInstructionCount"] > 0
    envs.set_attr("benchmark", [SMALL[1], SMALL[2]])
    assert envs.get_attr("benchmark") == (SMALL[1], SMALL[2])
    with pytest.raises(InvalidArgument, match="one value per sub-env"):
        envs.set_attr("benchmark", [SMALL[1]])


def test_stable_baselines3_ppo_learns_on_it(service: RunningService) -> None:
    """SB3's conventions (reset returns observations, terminal_observation and
    TimeLimit.truncated on done) and its PPO over the adapter."""
    from stable_baselines3 import PPO  # the [rl] extra, which CI installs
    from stable_baselines3.common.env_checker import check_env
    from stable_baselines3.common.vec_env import VecCheckNan, VecMonitor

    from compiler_env.vector import to_sb3

    envs = compiler_env.make_vec(ENV_ID, 2, service=service.address, max_episode_steps=8, **SAFE)
    venv = to_sb3(envs)
    try:
        check_env(envs.envs[0], warn=False)
        venv.seed(0)
        start = venv.reset()
        assert isinstance(start, np.ndarray) and start.shape == (2, 56)
        assert venv.reset_infos[0]["benchmark"] == SMALL[0]
        for t in range(8):
            observations, rewards, dones, infos = venv.step(np.array([t, t + 1]))
        assert dones.all() and rewards.dtype == np.float32 and len(infos) == 2
        assert infos[0]["TimeLimit.truncated"] and infos[0]["terminal_observation"].shape == (56,)
        assert np.array_equal(observations, start)  # reset in the same step
        assert venv.get_attr("benchmark") == [SMALL[0]] * 2
        venv.set_attr("benchmark", SMALL[1], indices=[1])
        assert venv.get_attr("benchmark", indices=1) == [SMALL[1]]
        assert len(venv.env_method("commandline")) == 2
        assert venv.env_is_wrapped(TimeLimit) == [False, False]
        model = PPO("MlpPolicy", VecCheckNan(VecMonitor(venv), raise_exception=True),
                    n_steps=64, batch_size=64, n_epochs=1, seed=0, device="cpu")  # fmt: skip
        model.learn(total_timesteps=256)
        assert model.num_timesteps >= 256
    finally:
        venv.close()
    assert envs.closed
