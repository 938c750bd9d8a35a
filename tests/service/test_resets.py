"""Resets of a benchmark seen before: the untouched episode, a spare module, or a parse,
and each gives the same episode as a worker that never saw the benchmark."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from service.llvm.actions import load_actions
from service.llvm.module import Owner
from service.llvm.toolchain import find_toolchain
from service.proto import compiler_env_pb2 as pb
from service.worker import Worker
from tests.helpers import KERNELS

URI = "benchmark://kernels-v0/json_query"


def _actions(seed: int, size: int) -> list[int]:
    table = load_actions(find_toolchain().major)
    allowed = [i for i, a in enumerate(table.actions) if a.name != "loop-bound-split"]
    return [int(a) for a in np.random.default_rng(seed).choice(allowed, size=size)]


def _start(worker: Worker, uri: str = URI) -> pb.StartSessionReply:
    reply = worker.handle(pb.WorkerRequest(start=pb.StartSessionRequest(
        benchmark=uri, observation_spaces=["IrSha1"])))  # fmt: skip
    assert not reply.code, reply.message
    return reply.start


def _step(worker: Worker, actions: list[int]) -> str:
    reply = worker.handle(pb.WorkerRequest(step=pb.StepRequest(
        actions=actions, observation_spaces=["IrSha1"])))  # fmt: skip
    assert not reply.code, reply.message
    return reply.step.observations[0].text


def _fresh(uri: str, actions: list[int]) -> str:
    worker = Worker()
    _start(worker, uri)
    return _step(worker, actions)


def test_every_kind_of_reset_gives_the_episode_of_a_fresh_worker() -> None:
    worker = Worker()
    start = _start(worker).observations[0].text
    for seed in range(4):
        actions = _actions(seed, 12)
        # 1st: parsed; 2nd: the untouched episode again, then a spare's parse begins;
        # later: a spare taken after the steps of an episode.
        assert _start(worker).observations[0].text == start
        if seed == 1:
            assert _start(worker).observations[0].text == start  # untouched, reused
        time.sleep(0.05 * (seed % 2))  # sometimes the spare is ready, sometimes not
        assert _step(worker, actions) == _fresh(URI, actions)
    worker.episode.close()  # type: ignore[union-attr]
    worker.preloaded.close()


def test_switching_benchmarks_never_serves_another_program() -> None:
    worker = Worker()
    other = KERNELS[0] if KERNELS[0] != URI else KERNELS[1]
    starts = {uri: _start(worker, uri).observations[0].text for uri in (URI, other)}
    for uri in (URI, URI, other, URI, other, other):
        assert _start(worker, uri).observations[0].text == starts[uri]
        _step(worker, _actions(len(uri), 3))
    assert _start(worker, URI).observations[0].text == starts[URI]


def test_resets_leave_no_module_behind() -> None:
    worker = Worker()
    _start(worker)
    _step(worker, _actions(0, 2))
    _start(worker)
    _start(worker)
    _step(worker, _actions(0, 2))
    before = Owner.live()
    for seed in range(10):
        _start(worker)
        _step(worker, _actions(seed, 2))
    worker.preloaded.wait()
    assert Owner.live() == before
    worker.episode.close()  # type: ignore[union-attr]
    worker.preloaded.close()


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "prog.ll"
    path.write_text("define i32 @f() {\n  ret i32 1\n}\n")
    worker = Worker()
    first = _start(worker, path.as_uri()).observations[0].text
    _start(worker, path.as_uri())
    path.write_text("define i32 @f() {\n  ret i32 2\n}\n")
    assert _start(worker, path.as_uri()).observations[0].text != first


def test_a_fork_right_after_a_reset_holds_the_episode(make_env) -> None:  # type: ignore[no-untyped-def]
    env = make_env(benchmark=URI, observation_space="IrSha1", action_space="full")
    env.reset()
    env.reset()  # seen before: a spare is being parsed as the fork is made
    fork = env.fork()
    actions = _actions(7, 5)
    assert fork.multistep(actions)[0] == env.multistep(actions)[0] == _fresh(URI, actions)
    fork.reset()
    assert fork.multistep(actions)[0] == env.observation["IrSha1"]


def test_a_new_episode_of_the_benchmark_keeps_the_compiled_functions() -> None:
    worker = Worker()

    def size() -> int:
        reply = worker.handle(pb.WorkerRequest(step=pb.StepRequest(
            observation_spaces=["ObjectTextSizeBytes"])))  # fmt: skip
        assert not reply.code, reply.message
        return reply.step.observations[0].int64_value

    _start(worker)
    first = size()
    compiled = worker.episode.text_size_stats().compiled  # type: ignore[union-attr]
    assert compiled > 0
    _step(worker, _actions(3, 2))
    _start(worker)  # a new episode (the last one was changed)
    assert size() == first
    stats = worker.episode.text_size_stats()  # type: ignore[union-attr]
    assert stats.last_compiled == 0 and stats.compiled >= compiled  # nothing compiled again
    worker.episode.close()  # type: ignore[union-attr]
    worker.preloaded.close()
