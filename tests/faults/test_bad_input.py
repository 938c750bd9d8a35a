"""Every kind of bad input: a specific error, a message saying what to do, the episode kept."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

import compiler_env
from compiler_env.errors import (
    BenchmarkInitError,
    BenchmarkNotFound,
    CompilerEnvError,
    EnvClosed,
    InvalidAction,
    InvalidArgument,
    ProgramTooLarge,
    ResetRequired,
    ServiceUnavailable,
    UnknownSpace,
)
from service.sandbox import SandboxLimits
from service.server import create_server

CRC32 = "benchmark://kernels-v0/crc32"


def _file(tmp: Path, name: str, data: bytes) -> str:
    path = tmp / name
    path.write_bytes(data)
    return f"file://{path}"


def _hand_made(bundle: dict) -> str:
    """An inline URI of a bundle as another client could make it, malformed or not."""
    raw = json.dumps(bundle).encode()
    payload = base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")
    return f"inline://{hashlib.sha256(raw).hexdigest()}?data={payload}"


_C = base64.b64encode(b"int main(void) { return 0; }").decode()


def _special(tmp: Path, kind: str) -> str:
    """A file:// URI of something that is not a regular file."""
    path = tmp / f"{kind}.ll"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        path.symlink_to(path)  # a loop
    return f"file://{path}"


def _truncated_bitcode(env, tmp: Path) -> str:
    return _file(tmp, "cut.bc", env.observation["Bitcode"][:200])


# (what, the bad call, the error type, what its message must say)
CASES: list[tuple[str, Callable, type[CompilerEnvError], str]] = [
    ("unknown benchmark",
     lambda env, tmp: env.reset(options={"benchmark": "benchmark://kernels-v0/nope"}),
     BenchmarkNotFound, "has no benchmark 'nope'.*benchmark_uris"),
    ("unknown dataset",
     lambda env, tmp: env.reset(options={"benchmark": "benchmark://nope-v0/x"}),
     BenchmarkNotFound, "unknown dataset 'nope-v0'.*known datasets"),
    ("missing file",
     lambda env, tmp: env.reset(options={"benchmark": f"file://{tmp}/absent.ll"}),
     BenchmarkNotFound, "no such file"),
    ("malformed IR text",
     lambda env, tmp: env.reset(options={"benchmark": _file(tmp, "bad.ll", b"define oops")}),
     BenchmarkInitError, "cannot parse the program"),
    ("truncated bitcode",
     lambda env, tmp: env.reset(options={"benchmark": _truncated_bitcode(env, tmp)}),
     BenchmarkInitError, "cannot parse the program"),
    ("empty program",
     lambda env, tmp: env.reset(options={"benchmark": _file(tmp, "empty.ll", b"")}),
     BenchmarkInitError, "empty"),
    ("C that does not compile",
     lambda env, tmp: env.reset(options={"benchmark": _file(tmp, "bad.c", b"int f( {")}),
     BenchmarkInitError, "(?s)compilation failed.*error: expected"),
    ("seed that is a digit but not a number",
     lambda env, tmp: env.reset(options={"benchmark": "generator://csmith-v0/\u00b2"}),
     BenchmarkNotFound, "with a seed from 0 to 4294967295"),
    ("inline file name 1000 folders deep",
     lambda env, tmp: env.reset(options={"benchmark": _hand_made(
         {"format": 1, "files": {"a/" * 1000 + "x.c": _C}, "cflags": []})}),
     InvalidArgument, "is too long .*64 folders deep"),
    ("inline files as a list",
     lambda env, tmp: env.reset(options={"benchmark": _hand_made(
         {"format": 1, "files": ["x.c"], "cflags": []})}),
     InvalidArgument, '"files" is a list, expected an object'),
    ("inline cflags as a string",
     lambda env, tmp: env.reset(options={"benchmark": _hand_made(
         {"format": 1, "files": {"x.c": _C}, "cflags": "-O2"})}),
     InvalidArgument, '"cflags" is .-O2., expected a list of strings'),
    ("cflags as a string",
     lambda env, tmp: compiler_env.benchmark_from_source("int x;", cflags="-std=c99"),
     InvalidArgument, r"is a string; give a list of flags, e.g. \['-std=c99'\]"),
    ("/dev/zero as a program",
     lambda env, tmp: env.reset(options={"benchmark": "file:///dev/zero"}),
     BenchmarkNotFound, "not a regular file"),
    ("a FIFO as a program",
     lambda env, tmp: env.reset(options={"benchmark": _special(tmp, "fifo")}),
     BenchmarkNotFound, "not a regular file"),
    ("a folder as a program",
     lambda env, tmp: env.reset(options={"benchmark": _special(tmp, "folder")}),
     BenchmarkNotFound, "is a folder; .*benchmark_from_dir"),
    ("a symlink loop as a program",
     lambda env, tmp: env.reset(options={"benchmark": _special(tmp, "loop")}),
     BenchmarkNotFound, "Too many levels of symbolic links"),
    ("True as an action", lambda env, tmp: env.step(True),
     InvalidAction, "invalid action True"),
    ("invalid action index", lambda env, tmp: env.step(10**6),
     InvalidAction, "invalid action 1000000.*action_space.index"),
    ("invalid action type", lambda env, tmp: env.step("sroa"),
     InvalidAction, "invalid action 'sroa'"),
    ("unknown action name", lambda env, tmp: env.action_space.index("sroaa"),
     InvalidAction, "no action named 'sroaa'"),
    ("unknown observation space", lambda env, tmp: env.observation["Nope"],
     UnknownSpace, "unknown observation space 'Nope'; available: Autophase"),
    ("unknown reward space", lambda env, tmp: env.reward["Nope"],
     UnknownSpace, "unknown reward space 'Nope'; built-in"),
]  # fmt: skip


@pytest.fixture
def env(make_env):
    env = make_env("llvm-v0", benchmark=CRC32)
    env.reset()
    env.step(env.action_space.index("mem2reg"))
    return env


@pytest.mark.parametrize("what, call, error, message", CASES, ids=[c[0] for c in CASES])
def test_bad_input(env, tmp_path: Path, what, call, error, message) -> None:
    before = (env.observation["IrSha1"], env.actions, env.benchmark)
    with pytest.raises(error, match=message):
        call(env, tmp_path)
    assert (env.observation["IrSha1"], env.actions, env.benchmark) == before
    env.step(env.action_space.index("instcombine"))  # and the episode goes on


def test_unknown_spaces_at_make(make_env) -> None:
    with pytest.raises(UnknownSpace, match="unknown observation space 'Nope'"):
        make_env("llvm-v0", observation_space="Nope")
    with pytest.raises(UnknownSpace, match="unknown reward space 'Nope'"):
        make_env("llvm-v0", reward_space="Nope")


def test_step_before_reset_and_after_close(make_env) -> None:
    env = make_env("llvm-v0", benchmark=CRC32)
    with pytest.raises(ResetRequired, match="call env.reset\\(\\)"):
        env.step(0)
    with pytest.raises(ResetRequired):
        env.observation["Ir"]
    env.reset()
    env.close()
    for call in (lambda: env.step(0), lambda: env.reset(), lambda: env.observation["Ir"]):
        with pytest.raises(EnvClosed, match="make a new one"):
            call()


def test_oversized_program() -> None:
    running = create_server(pool_size=0, limits=SandboxLimits(max_program_bytes=4096))
    try:
        with compiler_env.make("llvm-v0", benchmark=CRC32, service=running.address) as env:
            with pytest.raises(ProgramTooLarge, match="accepts at most 4096 bytes"):
                env.reset()
            with pytest.raises(ResetRequired):
                env.step(0)
    finally:
        running.stop()


def test_dead_remote_service() -> None:
    running = create_server("127.0.0.1:0", pool_size=0)
    address = running.address
    env = compiler_env.make(
        "llvm-v0", benchmark=CRC32, service=address, token=running.token, connect_timeout=2
    )
    env.reset()
    env.step(0)
    running.stop()
    with pytest.raises(ServiceUnavailable, match=f"{address}.*running"):
        env.step(1)
    assert len(env.actions) == 1
    env.close()
    with pytest.raises(ServiceUnavailable, match="no compiler service answered"):
        compiler_env.make("llvm-v0", service=address, connect_timeout=1)
