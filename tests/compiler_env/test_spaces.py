"""Every observation space: its type, shape, bounds, and a known value."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from compiler_env.spaces import Bytes, Scalar, TextSpace, Vector
from service.llvm.features import AUTOPHASE_FEATURES, INSTCOUNT_FEATURES
from tests.helpers import IR

# The known contents of IR (tests/helpers.py): one function,
# three blocks, thirteen instructions.
KNOWN_OPCODES = {
    "Alloca": 1, "Store": 2, "Br": 2, "PHI": 1, "Load": 2, "Mul": 1, "Add": 2, "ICmp": 1, "Ret": 1,
}  # fmt: skip


@pytest.fixture
def known_env(make_env, tmp_path: Path):
    path = tmp_path / "square.ll"
    path.write_text(IR)
    env = make_env("llvm-v0", benchmark=f"file://{path}")
    env.reset()
    return env


def test_scalar_spaces(known_env) -> None:
    for name in (
        "IrInstructionCount", "IrInstructionCountO0", "IrInstructionCountO3",
        "IrInstructionCountOz", "ObjectTextSizeBytes", "ObjectTextSizeO0",
        "ObjectTextSizeO3", "ObjectTextSizeOz",
    ):  # fmt: skip
        space = known_env.observation.spaces[name]
        value = known_env.observation[name]
        assert isinstance(space, Scalar) and space.name == name
        assert isinstance(value, int) and space.contains(value), name
    assert known_env.observation["IrInstructionCount"] == 13
    assert known_env.observation["IrInstructionCountO0"] == 13
    assert known_env.observation["IrInstructionCountOz"] > 0
    assert known_env.observation.spaces["ObjectTextSizeBytes"].platform_dependent
    assert known_env.observation["ObjectTextSizeO0"] == known_env.observation["ObjectTextSizeBytes"]


def test_instcount(known_env) -> None:
    space = known_env.observation.spaces["InstCount"]
    value = known_env.observation["InstCount"]
    assert isinstance(space, Vector) and space.shape == (len(INSTCOUNT_FEATURES),)
    assert value.dtype == np.int64 and space.contains(value)
    named = dict(zip(space.feature_names, value.tolist()))
    assert (named["TotalFunctions"], named["TotalBlocks"], named["TotalInstructions"]) == (1, 3, 13)
    for opcode, count in KNOWN_OPCODES.items():
        assert named[f"{opcode}Count"] == count, opcode
    assert sum(value[3:]) == 13


def test_instcount_norm(known_env) -> None:
    space = known_env.observation.spaces["InstCountNorm"]
    value = known_env.observation["InstCountNorm"]
    assert value.dtype == np.float64 and space.contains(value)
    named = dict(zip(space.feature_names, value.tolist()))
    assert named["AddCount"] == pytest.approx(2 / 13)
    assert value[3:].sum() == pytest.approx(1.0)
    assert known_env.observation["InstCountDict"]["AddCount"] == 2


def test_autophase(known_env) -> None:
    space = known_env.observation.spaces["Autophase"]
    value = known_env.observation["Autophase"]
    assert isinstance(space, Vector) and space.shape == (56,) and value.dtype == np.int64
    assert space.contains(value) and space.feature_names == AUTOPHASE_FEATURES
    named = dict(zip(AUTOPHASE_FEATURES, value.tolist()))
    expected = {
        "TotalBlocks": 3, "TotalInsts": 13, "TotalFuncs": 1, "NumPHIInst": 1, "NumBrInst": 2,
        "NumStoreInst": 2, "NumLoadInst": 2, "NumAddInst": 2, "NumMulInst": 1,
        "NumAllocaInst": 1, "NumICmpInst": 1, "NumRetInst": 1, "NumEdges": 3,
        "UncondBranches": 1, "NumSubInst": 0, "NumXorInst": 0,
    }  # fmt: skip
    assert {k: named[k] for k in expected} == expected


def test_text_and_bytes(known_env) -> None:
    ir = known_env.observation["Ir"]
    assert isinstance(known_env.observation.spaces["Ir"], TextSpace)
    assert isinstance(ir, str) and "define i32 @square_sum" in ir
    sha1 = known_env.observation["IrSha1"]
    assert sha1 == hashlib.sha1(ir.partition("\n")[2].encode()).hexdigest()
    bitcode = known_env.observation["Bitcode"]
    assert isinstance(known_env.observation.spaces["Bitcode"], Bytes)
    assert bitcode.startswith(b"BC\xc0\xde") and known_env.observation.spaces["Bitcode"].contains(
        bitcode
    )


def test_only_times_are_nondeterministic_and_only_times_and_sizes_platform_dependent(
    known_env,
) -> None:
    timed = ("Runtime", "Buildtime")
    for name, space in known_env.observation.spaces.items():
        assert space.deterministic == (not name.startswith(timed)), name
        assert space.platform_dependent == name.startswith(("ObjectTextSize", *timed)), name
