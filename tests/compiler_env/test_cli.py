"""The compiler-env command: every subcommand, its errors, and plain-text help."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import compiler_env
from compiler_env.cli import main, make_parser
from compiler_env.cli.search import expand_benchmarks
from compiler_env.state import read_states
from tests.helpers import BENCHMARK

REPO = Path(__file__).resolve().parents[2]
ENVIRON = {**os.environ, "PYTHONPATH": str(REPO)}
#: reStructuredText markup that has no place in plain-text help.
MARKUP = re.compile(r"``|:(func|class|meth|mod|attr|ref):`|^\s*\.\. \w+::", re.MULTILINE)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Runs the command in this process; its status, stdout and stderr."""
    try:
        status = main(list(argv))
    except SystemExit as done:  # argparse: --help, --version, bad flags
        status = int(done.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def command(*argv: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compiler_env.cli", *argv], capture_output=True,
                          text=True, timeout=300, env=ENVIRON, cwd=REPO, **kwargs)  # fmt: skip


def test_every_help_is_plain_text(capsys) -> None:
    parser = make_parser()
    names = sorted(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    assert {"random-search", "greedy", "evolve", "manual", "service", "validate"} <= set(names)
    for argv in [[], *([name] for name in names)]:
        status, out, err = run(capsys, *argv, "--help")
        assert status == 0 and "usage:" in out, (argv, err)
        assert not MARKUP.search(out), (argv, MARKUP.search(out))
    status, out, _ = run(capsys, "--version")
    assert status == 0 and out.strip() == f"compiler_env {compiler_env.__version__}"


def test_catalog_commands(capsys, service) -> None:
    at = ("--service", service.address)
    status, out, _ = run(capsys, *at, "datasets")
    assert status == 0 and re.search(r"^kernels-v0\s+\d+", out, re.MULTILINE)
    status, out, _ = run(capsys, *at, "benchmarks", "csmith-v0", "--count", "2")
    assert out.split() == ["generator://csmith-v0/0", "generator://csmith-v0/1"]
    status, out, _ = run(capsys, *at, "version")
    assert status == 0 and out.startswith("compiler_env ") and "LLVM 19" in out
    status, out, _ = run(capsys, "cache")
    assert status == 0 and "total" in out
    status, _, err = run(capsys, *at, "benchmarks", "no-such-v0")
    assert status == 2 and err.count("\n") == 1 and "unknown dataset 'no-such-v0'" in err


@pytest.mark.parametrize("name", ["random-search", "greedy", "evolve"])
def test_a_search_command_writes_states_that_validate(capsys, service, tmp_path, name) -> None:
    output = tmp_path / "best.csv"
    status, out, err = run(capsys, "--service", service.address, name, "--benchmark",
                           "kernels-v0/crc32", "--benchmark", "benchmark://kernels-v0/bigint",
                           "--steps", "25", "--seed", "2", "--jobs", "2",
                           "--output", str(output))  # fmt: skip
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["benchmark", "reward", "length", "steps", "seconds", "stopped"]
    assert [line.split()[0] for line in lines[1:3]] == [BENCHMARK, "benchmark://kernels-v0/bigint"]
    assert all(line.split()[3] == "25" for line in lines[1:3])
    assert lines[3].startswith("mean IrInstructionCountOz reward")
    states = list(read_states(output))
    assert [s.benchmark for s in states] == [BENCHMARK, "benchmark://kernels-v0/bigint"]
    assert [f"{s.reward:.4f}" for s in states] == [line.split()[1] for line in lines[1:3]]
    status, out, _ = run(capsys, "--service", service.address, "validate", str(output))
    assert status == 0 and out.count("valid") == 2


def test_benchmark_flags_name_uris_datasets_or_dataset_members(service) -> None:
    with compiler_env.make("llvm-v0", service=service.address) as env:
        kernels = env.datasets["kernels-v0"].benchmark_uris()
        assert expand_benchmarks(env, ["kernels-v0", BENCHMARK]) == kernels  # once each
        named = ["kernels-v0/crc32", "generator://csmith-v0/3", f"{BENCHMARK}?level=O3"]
        assert expand_benchmarks(env, named) == [BENCHMARK, named[1], named[2]]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["evolve", "--steps", "0"], "--steps: expected a positive integer, not '0'"),
        (["greedy", "--jobs", "two"], "--jobs: expected a positive integer, not 'two'"),
        (["random-search", "--seconds", "nan"], "--seconds: expected a positive number"),
        (["random-search", "--seed", "-3"], "--seed: expected an integer of at least 0"),
        (["random-search", "--benchmark", "kernels-v0/no-such", "--steps", "5"], "no-such"),
        (["evolve", "--benchmark", "csmith-v0"], "name seeds, e.g. --benchmark generator://"),
        (["evolve", "--env", "llvm-nope-v0"], "unknown env id 'llvm-nope-v0'"),
        (["evolve", "--reward", "Smallness"], "unknown reward space 'Smallness'"),
        (["validate", "/no/such/file.csv"], "cannot read states from /no/such/file.csv"),
    ],
)
def test_user_errors_are_one_line_and_status_2(capsys, service, argv, expected) -> None:
    status, out, err = run(capsys, "--service", service.address, *argv)
    assert status == 2 and expected in err and err.count("\n") == 1, err
    assert "Traceback" not in err


def test_a_dead_service_address_fails_in_one_line() -> None:
    dead = "unix:/nonexistent/compiler_env.sock"
    result = command("--service", dead, "evolve", "--steps", "5")
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and dead in result.stderr
    assert "is it running?" in result.stderr and "within 3 s" in result.stderr


SCRIPT = """\
actions mem2
step mem2reg instcombine
reward
observe IrInstructionCount
undo
state
commandline
save {csv}
reset benchmark://kernels-v0/bigint
spaces
step no-such-pass
step sroa
"""


def test_the_manual_shell_runs_a_script(service, tmp_path) -> None:
    csv = tmp_path / "manual.csv"
    result = command("--service", service.address, "manual", "--benchmark", BENCHMARK,
                     input=SCRIPT.format(csv=csv))  # fmt: skip
    assert result.returncode == 1  # the script's unknown pass failed it
    assert result.stderr.strip() == "error: no action named 'no-such-pass'; actions lists them"
    out = result.stdout.splitlines()
    assert out[0].split()[1] == "mem2reg" and len(out[0].split()) == 2
    assert out[1].startswith("2 actions, reward +") and "compiler-env>" not in result.stdout
    assert float(out[2]) == pytest.approx(float(out[1].rsplit(" ", 1)[1]), abs=1e-4)
    assert int(out[3]) > 0
    assert out[4].startswith("1 action, episode reward ")
    assert out[5:7] == [BENCHMARK, "mem2reg"]
    assert "-passes='function(mem2reg)'" in out[8]
    assert out[9] == f"saved state 1 to {csv}"
    assert out[10] == "benchmark://kernels-v0/bigint"
    assert "observation spaces:" in out and "  IrInstructionCountOz  (the env's)" in out
    assert "1 action" not in out[-1]  # the script stopped at its failed command
    (saved,) = read_states(csv)
    assert saved.benchmark == BENCHMARK and saved.commandline == out[8]


def test_the_service_command_serves_tcp_with_a_token(capsys, tmp_path, monkeypatch) -> None:
    flags = ["service", "--tcp", "0"] + (["--allow-root"] if os.geteuid() == 0 else [])
    process = subprocess.Popen([sys.executable, "-m", "compiler_env.cli", *flags], text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENVIRON,
                               cwd=REPO)  # fmt: skip
    try:
        address = process.stdout.readline().strip()  # type: ignore[union-attr]
        token_line = process.stderr.readline()  # type: ignore[union-attr]
        assert address.startswith("127.0.0.1:"), token_line
        token = re.search(r"token (\S+)", token_line).group(1)  # type: ignore[union-attr]
        (tmp_path / "token").write_text(token)
        at = ("--service", address, "--token-file", str(tmp_path / "token"))
        status, out, err = run(capsys, *at, "version")
        assert status == 0 and "LLVM 19" in out, err
        monkeypatch.delenv("COMPILER_ENV_TOKEN", raising=False)
        status, _, err = run(capsys, "--service", address, "version")
        assert status == 2 and err.count("\n") == 1 and "token" in err.lower()
    finally:
        process.terminate()
        process.wait(timeout=30)
    bad = command("service", "--tls-cert", "cert.pem")
    assert bad.returncode == 2 and "TLS needs both --tls-cert and --tls-key" in bad.stderr
