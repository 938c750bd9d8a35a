"""A large user program crosses to a service once; later resets name it by its sha256."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import compiler_env
from compiler_env.connection import Connection
from compiler_env.datasets import Benchmark
from compiler_env.worker_channel import WorkerChannel
from service.datasets.cache import cache_dir
from service.proto import compiler_env_pb2 as pb
from service.server import create_server

ACTIONS = ["sroa", "instcombine", "simplifycfg"]
FILES = 30


def write_program(root: Path, files: int = FILES) -> None:
    """A C program of ``files`` files: ``files - 1`` of a few functions each, and a main
    that calls them all."""
    root.mkdir(parents=True, exist_ok=True)
    declarations = []
    for i in range(files - 1):
        names = [f"f{i}_{j}" for j in range(4)]
        declarations += [f"int {name}(int n);" for name in names]
        bodies = [
            f"int {name}(int n) {{\n"
            f"    int table[{8 + j}];\n"
            f"    int sum = {i * 7 + j};\n"
            f"    for (int k = 0; k < {8 + j}; k++) table[k] = (n + k) * {j + 3} ^ {i};\n"
            f"    for (int k = 0; k < n % {5 + j} + 1; k++) sum += table[k % {8 + j}] >> 1;\n"
            f"    return sum % 1000 + (n > {j} ? {name}_helper(n - 1) : 0);\n"
            "}\n"
            for j, name in enumerate(names)
        ]
        helpers = [
            f"static int {name}_helper(int n) {{ return n * {i + 2} - {j}; }}\n"
            for j, name in enumerate(names)
        ]
        (root / f"part{i:02d}.c").write_text('#include "parts.h"\n' + "".join(helpers + bodies))
    (root / "parts.h").write_text("\n".join(declarations) + "\n")
    called = [d.split("(")[0].split()[1] for d in declarations]
    calls = "".join(f"    total += {name}(total % 17);\n" for name in called)
    (root / "main.c").write_text(
        '#include <stdio.h>\n#include "parts.h"\n'
        f"int main(void) {{\n    int total = 1;\n{calls}"
        '    printf("%d\\n", total);\n    return 0;\n}\n'
    )


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Benchmark:
    root = tmp_path_factory.mktemp("large-program")
    write_program(root)
    return compiler_env.benchmark_from_dir(root)


class StartRequests:
    """The benchmark of every StartSessionRequest sent, to the service or to a worker."""

    def __init__(self) -> None:
        self.uris: list[str] = []
        self.boot_ids: list[str] = []

    def record(self, request: pb.StartSessionRequest) -> None:
        self.uris.append(request.benchmark)
        self.boot_ids.append(request.boot_id)

    def program_bytes(self) -> list[int]:
        """How many bytes of program (the ``?data=`` payload) each request carried."""
        return [len(uri.partition("?")[2]) for uri in self.uris]


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[StartRequests]:
    """Records the start requests that go out, through the real calls."""
    recorded = StartRequests()
    call, send = Connection.call, WorkerChannel.send

    def recording_call(self: Connection, method: str, request: Any, **kwargs: Any) -> Any:
        if method == "StartSession":
            recorded.record(request)
        return call(self, method, request, **kwargs)

    def recording_send(self: WorkerChannel, request: pb.WorkerRequest) -> None:
        if request.HasField("start"):
            recorded.record(request.start)
        send(self, request)

    monkeypatch.setattr(Connection, "call", recording_call)
    monkeypatch.setattr(WorkerChannel, "send", recording_send)
    yield recorded


def episode(env: compiler_env.CompilerEnv) -> list[Any]:
    """A reset and a few steps: what each observed (the same on any reset of a program)."""
    observation, info = env.reset()
    seen: list[Any] = [info["benchmark"], int(observation[0]), env.observation["IrSha1"]]
    for name in ACTIONS:
        observation, _, terminated, truncated, _ = env.step(env.action_space.index(name))
        seen.append((name, int(observation[0]), terminated, truncated))
    seen.append(env.observation["IrSha1"])
    return seen


def short(program: Benchmark) -> str:
    return program.uri.split("?", 1)[0]


def test_a_second_reset_sends_no_program_bytes_and_runs_the_same_episode(
    make_env, program, sent
) -> None:
    env = make_env(benchmark=program, observation_space="IrInstructionCount")
    first = episode(env)
    second = episode(env)
    payload = sent.program_bytes()
    assert len(payload) == 2 and payload[0] > 1000, payload
    assert payload[1] == 0 and sent.uris[1] == short(program)
    assert second == first and first[0] == short(program)
    assert env.benchmark == program.uri  # what a saved state and a replay carry
    assert env.state.benchmark == program.uri


def test_a_fork_knows_what_its_service_holds(make_env, program, sent) -> None:
    env = make_env(benchmark=program, observation_space="IrInstructionCount")
    first = episode(env)
    fork = env.fork()
    try:
        assert episode(fork) == first
        assert sent.program_bytes()[1:] == [0]
    finally:
        fork.close()


def test_a_service_that_lost_the_program_is_sent_it_again(make_env, program, sent) -> None:
    env = make_env(benchmark=program, observation_space="IrInstructionCount")
    first = episode(env)
    stored = cache_dir() / "inline" / f"{short(program).removeprefix('inline://')}.json"
    stored.unlink()  # the service's cache was cleared
    assert episode(env) == first
    payload = sent.program_bytes()
    # the short URI, refused (BenchmarkNotFound), then the whole program once more
    assert payload[1] == 0 and payload[2] == payload[0], payload
    assert episode(env) == first  # this service is not trusted with it again
    assert sent.program_bytes()[3] == payload[0]


def test_a_restarted_service_is_sent_the_program_again_and_the_episode_replays(
    program, sent, monkeypatch
) -> None:
    monkeypatch.setenv("COMPILER_ENV_TOKEN", "large-programs-token")
    first = create_server("127.0.0.1:0", token="large-programs-token")
    address = first.address
    env = compiler_env.make(
        "llvm-v0", benchmark=program, observation_space="IrInstructionCount", service=address
    )
    second = None
    try:
        reference = episode(env)
        assert episode(env) == reference
        assert sent.program_bytes()[1] == 0
        first.stop()
        second = create_server(address, token="large-programs-token")  # a new boot id
        env.step(env.action_space.index("mem2reg"))  # the session is lost: replayed
        assert env.session_info.recoveries == 1
        assert env.session_info.boot_id == second.servicer.boot_id
        assert sent.uris[-1] == program.uri  # the whole program, to the new service
        assert list(sent.program_bytes()[2:]) == [len(program.uri.partition("?")[2])]
        with compiler_env.make("llvm-v0", benchmark=program, service=address) as other:
            other.reset()
            other.multistep(env.actions)
            assert env.observation["IrSha1"] == other.observation["IrSha1"]
        assert episode(env) == reference
        assert sent.program_bytes()[-1] == 0  # the new service holds it now
    finally:
        env.close()
        if second is not None:
            second.stop()
        else:
            first.stop()


def test_a_reset_on_a_service_restarted_unseen_sends_the_program_in_the_same_reset(
    program, sent, monkeypatch
) -> None:
    monkeypatch.setenv("COMPILER_ENV_TOKEN", "large-programs-token")
    first = create_server("127.0.0.1:0", token="large-programs-token")
    address, old_boot = first.address, first.servicer.boot_id
    env = compiler_env.make(
        "llvm-v0",
        benchmark=program,
        observation_space="IrInstructionCount",
        service=address,
        retry=compiler_env.RetryPolicy(attempts=1),  # no second try to hide behind
    )
    second = None
    try:
        reference = episode(env)
        first.stop()
        second = create_server(address, token="large-programs-token")
        assert episode(env) == reference  # nothing failed before: this reset finds out
        # The short URI, for the run that held the program (refused: SessionNotFound),
        # then the whole program, to the new run, in the same reset.
        assert sent.uris[1:] == [short(program), program.uri]
        assert sent.boot_ids[1:] == [old_boot, ""]
        assert env.session_info.boot_id == second.servicer.boot_id
        assert env.session_info.recoveries == 0
        assert episode(env) == reference
        assert sent.uris[-1] == short(program)
    finally:
        env.close()
        (second or first).stop()


def test_the_envs_of_a_local_service_share_what_it_holds(program, sent) -> None:
    with compiler_env.make("llvm-v0", benchmark=program) as first:
        first.reset()
        with compiler_env.make("llvm-v0", benchmark=program) as second:
            second.reset()  # a new session of the same service: named by its short URI
            assert first.observation["IrSha1"] == second.observation["IrSha1"]
    assert sent.program_bytes()[1:] == [0] and sent.program_bytes()[0] > 1000
