"""Agreement with LLVM itself, and determinism across services."""

from __future__ import annotations

import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest

import compiler_env
from service.llvm import features
from service.llvm.module import Context
from service.llvm.pipelines import clang_pipeline
from service.proto.constants import OPT_TARGET_FLAGS
from service.server import create_server
from tests.helpers import KERNELS, opt


def _without_module_id(text: str) -> str:
    """IR without comment lines and ``; preds =`` comments.

    Bitcode does not keep use-list order, which only changes the order in
    which ``; preds`` comments list a block's predecessors.
    """
    lines = (line.split("; preds =")[0].rstrip() for line in text.splitlines())
    return "\n".join(line for line in lines if not line.startswith(";"))


def _disassemble(toolchain, path: Path) -> str:
    return _without_module_id(
        subprocess.run(
            [str(toolchain.tool("llvm-dis")), str(path), "-o", "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout  # fmt: skip
    )


CASES = [("llvm-v0", uri) for uri in KERNELS] + [
    ("llvm-autophase-codesize-v0", uri)
    for uri in KERNELS[:3]  # measuring must not change IR
]


@pytest.mark.parametrize("env_id, uri", CASES)
def test_commandline_reproduces_the_ir_with_opt(
    make_env, toolchain, tmp_path: Path, env_id: str, uri: str
) -> None:
    env = make_env(env_id, benchmark=uri)
    env.reset()
    (tmp_path / "input.bc").write_bytes(env.observation["Bitcode"])
    rng = np.random.default_rng(zlib.crc32(uri.encode()))
    for action in rng.integers(env.action_space.n, size=12):
        env.step(int(action))  # one by one: every step computes the env's observations
    command = env.commandline().replace("opt-19", str(toolchain.tool("opt")), 1)
    subprocess.run(command, shell=True, cwd=tmp_path, check=True)
    (tmp_path / "env.bc").write_bytes(env.observation["Bitcode"])
    # Compared through bitcode on both sides: reading bitcode resets the
    # attributes of intrinsic declarations, which passes may have extended.
    assert _disassemble(toolchain, tmp_path / "output.bc") == _disassemble(
        toolchain, tmp_path / "env.bc"
    )
    with Context() as context, context.parse((tmp_path / "output.bc").read_bytes()) as module:
        assert features.instruction_count(module) == env.observation["IrInstructionCount"]
        assert _without_module_id(module.to_text()) == _without_module_id(
            _disassemble(toolchain, tmp_path / "env.bc")
        )


@pytest.mark.parametrize("uri", KERNELS)
def test_oz_baseline_is_opt_with_clangs_oz_pipeline(
    make_env, toolchain, tmp_path: Path, uri
) -> None:
    env = make_env("llvm-v0", benchmark=uri)
    env.reset()
    (tmp_path / "input.bc").write_bytes(env.observation["Bitcode"])
    passes = f"-passes={clang_pipeline('Oz')}"
    opt(toolchain, [*OPT_TARGET_FLAGS, passes, "input.bc", "-o", "oz.bc"], tmp_path)
    with Context() as context, context.parse((tmp_path / "oz.bc").read_bytes()) as module:
        assert env.observation["IrInstructionCountOz"] == features.instruction_count(module)


def test_same_actions_give_the_same_ir_in_two_services() -> None:
    actions = list(np.random.default_rng(3).integers(100, size=40))
    hashes = []
    for _ in range(2):
        running = create_server(pool_size=0)
        try:
            with compiler_env.make("llvm-v0", benchmark=KERNELS[0], service=running.address) as env:
                env.reset()
                env.multistep([int(a) for a in actions])
                hashes.append(env.observation["IrSha1"])
        finally:
            running.stop()
    assert hashes[0] == hashes[1]
