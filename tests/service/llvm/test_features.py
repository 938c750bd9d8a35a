"""The native feature helper agrees with a walk through the C API, on every kernel."""

from __future__ import annotations

import numpy as np
import pytest

from service.llvm import features
from service.llvm.module import Context
from tests.helpers import KERNELS, kernel_module


def test_the_native_helper_is_built() -> None:
    assert features.native_available()


@pytest.mark.parametrize("uri", KERNELS)
def test_native_counts_match_the_ctypes_walk(context: Context, uri: str) -> None:
    with kernel_module(context, uri) as module:
        for pipeline in ("", "default<O3>"):
            if pipeline:
                module.run_passes(pipeline)
            native = features.instcount(module)
            assert np.array_equal(native, features.instcount_python(module))
            assert features.instruction_count(module) == native[2]
            assert features.count_instructions_python(module) == native[2]


@pytest.mark.parametrize("uri", KERNELS[:5])
def test_autophase_invariants(context: Context, uri: str) -> None:
    with kernel_module(context, uri) as module:
        named = dict(zip(features.AUTOPHASE_FEATURES, features.autophase(module).tolist()))
        counts = dict(zip(features.INSTCOUNT_FEATURES, features.instcount(module).tolist()))
    assert named["TotalInsts"] == counts["TotalInstructions"]
    assert named["TotalBlocks"] == counts["TotalBlocks"]
    assert named["TotalFuncs"] == counts["TotalFunctions"]
    assert named["NumBrInst"] == named["BranchCount"] == counts["BrCount"]
    assert named["BBNoPhi"] + named["BeginPhi"] == named["TotalBlocks"]
    assert named["BlockLow"] + named["BlockMid"] <= named["TotalBlocks"]
    for opcode in ("Add", "Load", "Store", "Call", "ICmp", "PHI", "Ret", "Alloca"):
        assert named[f"Num{opcode}Inst"] == counts[f"{opcode}Count"], opcode


@pytest.mark.parametrize("uri", KERNELS[::3])
def test_native_ir_text_is_the_c_api_text(context: Context, uri: str) -> None:
    with kernel_module(context, uri) as module:
        for pipeline in ("", "default<O3>"):
            if pipeline:
                module.run_passes(pipeline)
            assert features.ir_text(module) == module.to_text()
