"""Hot observations of a module, computed by the native helper ``_native``.

The helper (``service/llvm/native/features.cpp``, C++ over LLVM's C++ API with
a C ABI) walks a module once per call and is built by ``pip install``.
``count_instructions_python`` walks the module through ctypes instead: a slower
path used to cross-check the helper in tests, and for the instruction counts
when the helper was not built.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.machinery
import operator
from array import array
from pathlib import Path
from typing import Any, NamedTuple

from service.llvm import binding
from service.llvm.binding import consume_message, lib
from service.llvm.module import Module, Owner, TargetMachine
from service.proto.errors import CompilerNotFound, LlvmError

__all__ = [
    "AUTOPHASE_FEATURES",
    "INSTCOUNT_FEATURES",
    "OPCODES",
    "TextSizeCache",
    "TextSizeStats",
    "autophase",
    "bitcode",
    "count_instructions_python",
    "instcount",
    "instcount_python",
    "instruction_count",
    "instrument_block_counts",
    "native_available",
    "native_helper",
    "programl",
    "programl_json",
]

#: LLVM 19's ``LLVMOpcode`` values (llvm-c/Core.h), in enum order.
OPCODES: dict[str, int] = {
    "Ret": 1, "Br": 2, "Switch": 3, "IndirectBr": 4, "Invoke": 5, "Unreachable": 7,
    "CallBr": 67, "FNeg": 66, "Add": 8, "FAdd": 9, "Sub": 10, "FSub": 11, "Mul": 12,
    "FMul": 13, "UDiv": 14, "SDiv": 15, "FDiv": 16, "URem": 17, "SRem": 18, "FRem": 19,
    "Shl": 20, "LShr": 21, "AShr": 22, "And": 23, "Or": 24, "Xor": 25, "Alloca": 26,
    "Load": 27, "Store": 28, "GetElementPtr": 29, "Trunc": 30, "ZExt": 31, "SExt": 32,
    "FPToUI": 33, "FPToSI": 34, "UIToFP": 35, "SIToFP": 36, "FPTrunc": 37, "FPExt": 38,
    "PtrToInt": 39, "IntToPtr": 40, "BitCast": 41, "AddrSpaceCast": 60, "ICmp": 42,
    "FCmp": 43, "PHI": 44, "Call": 45, "Select": 46, "VAArg": 49, "ExtractElement": 50,
    "InsertElement": 51, "ShuffleVector": 52, "ExtractValue": 53, "InsertValue": 54,
    "Freeze": 68, "Fence": 55, "AtomicCmpXchg": 56, "AtomicRMW": 57, "Resume": 58,
    "LandingPad": 59, "CleanupRet": 61, "CatchRet": 62, "CatchPad": 63, "CleanupPad": 64,
    "CatchSwitch": 65,
}  # fmt: skip
_MAX_OPCODE = 68

#: Names of the ``InstCount`` vector's elements.
INSTCOUNT_FEATURES: tuple[str, ...] = (
    "TotalFunctions",
    "TotalBlocks",
    "TotalInstructions",
    *(f"{name}Count" for name in OPCODES),
)
# Positions, in the helper's raw vector (3 totals, then opcodes 1..68), of INSTCOUNT_FEATURES.
_INSTCOUNT_COLUMNS = (0, 1, 2, *(2 + value for value in OPCODES.values()))

#: Names of the 56 ``Autophase`` features (Haj-Ali et al., MLSys 2020), in order.
AUTOPHASE_FEATURES: tuple[str, ...] = (
    "BBNumArgsHi", "BBNumArgsLo", "onePred", "onePredOneSuc", "onePredTwoSuc",
    "oneSuccessor", "twoPred", "twoPredOneSuc", "twoEach", "twoSuccessor", "morePreds",
    "BB03Phi", "BBHiPhi", "BBNoPhi", "BeginPhi", "BranchCount", "returnInt",
    "CriticalCount", "NumEdges", "const32Bit", "const64Bit", "numConstZeroes",
    "numConstOnes", "UncondBranches", "binaryConstArg", "NumAShrInst", "NumAddInst",
    "NumAllocaInst", "NumAndInst", "BlockMid", "BlockLow", "NumBitCastInst", "NumBrInst",
    "NumCallInst", "NumGetElementPtrInst", "NumICmpInst", "NumLShrInst", "NumLoadInst",
    "NumMulInst", "NumOrInst", "NumPHIInst", "NumRetInst", "NumSExtInst", "NumSelectInst",
    "NumShlInst", "NumStoreInst", "NumSubInst", "NumTruncInst", "NumXorInst", "NumZExtInst",
    "TotalBlocks", "TotalInsts", "TotalMemInst", "TotalFuncs", "ArgsPhi", "testUnary",
)  # fmt: skip

_Int64Array = ctypes.POINTER(ctypes.c_int64)


#: Every function of the native helper: (result type, argument types), in one block.
_SIGNATURES: dict[str, tuple[Any, list[Any]]] = {
    "cenv_instruction_count": (ctypes.c_int64, [binding.ModuleRef]),
    "cenv_walk_count": (ctypes.c_int64, [binding.ModuleRef]),
    "cenv_instcount": (ctypes.c_int, [binding.ModuleRef, _Int64Array, ctypes.c_int]),
    "cenv_autophase": (ctypes.c_int, [binding.ModuleRef, _Int64Array, ctypes.c_int]),
    "cenv_instcount_size": (ctypes.c_int, []),
    "cenv_autophase_size": (ctypes.c_int, []),
    "cenv_max_opcode": (ctypes.c_int, []),
    "cenv_autophase_name": (ctypes.c_char_p, [ctypes.c_int]),
    "cenv_emit_object": (
        ctypes.c_int,
        [binding.ModuleRef, binding.TargetMachineRef, ctypes.POINTER(binding.MemoryBufferRef),
         ctypes.POINTER(ctypes.c_void_p)],
    ),  # fmt: skip
    "cenv_instrument_block_counts": (ctypes.c_int, [binding.ModuleRef, ctypes.c_char_p]),
    "cenv_ir_hash": (ctypes.c_int, [binding.ModuleRef, ctypes.c_char_p, ctypes.c_int]),
    "cenv_print_module": (
        ctypes.c_int,
        [binding.ModuleRef, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t)],
    ),
    "cenv_free": (None, [ctypes.c_void_p]),
    "cenv_write_bitcode": (
        ctypes.c_int,
        [binding.ModuleRef, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t)],
    ),
    "cenv_codesize_create": (ctypes.c_void_p, []),
    "cenv_codesize_dispose": (None, [ctypes.c_void_p]),
    "cenv_codesize_text_size": (
        ctypes.c_int,
        [ctypes.c_void_p, binding.ModuleRef, binding.TargetMachineRef, _Int64Array,
         ctypes.POINTER(ctypes.c_void_p)],
    ),  # fmt: skip
    "cenv_codesize_remember": (None, [ctypes.c_void_p, ctypes.c_int64]),
    "cenv_codesize_stats": (ctypes.c_int, [ctypes.c_void_p, _Int64Array, ctypes.c_int]),
    "cenv_codesize_reason": (ctypes.c_char_p, [ctypes.c_int]),
    "cenv_programl": (
        ctypes.c_int,
        [binding.ModuleRef, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p),
         ctypes.POINTER(ctypes.c_size_t)],
    ),  # fmt: skip
    "cenv_programl_json": (
        ctypes.c_int,
        [binding.ModuleRef, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t)],
    ),
}


@functools.cache
def _native() -> ctypes.CDLL | None:
    lib()  # libLLVM first, so that the helper binds to the same instance
    here = Path(__file__).parent
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = here / f"_native{suffix}"
        if path.exists():
            return _declared(ctypes.CDLL(str(path)), path)
    return None


def _declared(helper: ctypes.CDLL, path: Path) -> ctypes.CDLL:
    """The helper with every signature set, or CompilerNotFound for an older build."""
    for name, (result, arguments) in _SIGNATURES.items():
        if not hasattr(helper, name):
            raise CompilerNotFound(f"{path} is from an older version; reinstall the package")
        getattr(helper, name).restype = result
        getattr(helper, name).argtypes = arguments
    if helper.cenv_max_opcode() < _MAX_OPCODE:
        raise CompilerNotFound(f"{path} was built for an older LLVM; reinstall")
    if native_autophase_names(helper) != AUTOPHASE_FEATURES:
        raise CompilerNotFound(
            f"{path} computes other Autophase features than AUTOPHASE_FEATURES names; "
            "reinstall the package"
        )
    return helper


def native_autophase_names(helper: ctypes.CDLL) -> tuple[str, ...]:
    """The Autophase feature names as the native helper orders them."""
    names = (helper.cenv_autophase_name(i) for i in range(helper.cenv_autophase_size()))
    return tuple(name.decode() for name in names)


def native_helper() -> ctypes.CDLL | None:
    """The native helper, or None when it was not built."""
    return _native()


def native_available() -> bool:
    """Whether the native helper was built and loads."""
    return _native() is not None


def _require_native() -> ctypes.CDLL:
    helper = _native()
    if helper is None:
        raise CompilerNotFound(
            "the native feature helper service/llvm/_native was not built: reinstall the "
            "package with LLVM's development headers present (Debian: llvm-19-dev), "
            "e.g. pip install -e ."
        )
    return helper


def _vector(function: Any, module: Module, size: int) -> array[int]:
    out = (ctypes.c_int64 * size)()
    status = function(module.handle, out, size)
    if status != 0:
        raise LlvmError(f"the native feature helper failed with status {status}")
    return array("q", bytes(out))  # bytes(): far faster than iterating the ctypes array


_pick_columns = operator.itemgetter(*_INSTCOUNT_COLUMNS)


def _select(raw: Any) -> array[int]:
    return array("q", _pick_columns(raw))


def instruction_count(module: Module) -> int:
    """The number of instructions in the module's function bodies."""
    helper = _native()
    if helper is None:
        return count_instructions_python(module)
    return int(helper.cenv_instruction_count(module.handle))


def walk_count(module: Module) -> int:
    """The instruction count by a plain walk over the LLVM C API, in C.

    The performance harness's floor: what counting costs through the C API.
    ``instruction_count`` (C++) is faster.
    """
    return int(_require_native().cenv_walk_count(module.handle))


def instcount(module: Module) -> array[int]:
    """The ``InstCount`` vector: totals, then one count per opcode (see INSTCOUNT_FEATURES)."""
    helper = _native()
    if helper is None:
        return instcount_python(module)
    return _select(_vector(helper.cenv_instcount, module, helper.cenv_instcount_size()))


def autophase(module: Module) -> array[int]:
    """The 56 Autophase features (see AUTOPHASE_FEATURES and docs/observations-autophase.md)."""
    helper = _require_native()
    return _vector(helper.cenv_autophase, module, helper.cenv_autophase_size())


def instrument_block_counts(module: Module, counter: str) -> None:
    """Makes ``module`` add each executed block's size to the external i64 global
    ``counter`` (for ``DynamicInstructionCount``); changes the module."""
    status = _require_native().cenv_instrument_block_counts(module.handle, counter.encode())
    if status != 0:
        raise LlvmError(
            f"cannot instrument the module (status {status}): "
            + (f"it already has a value named {counter}" if status == -5 else "a bad argument")
        )


def ir_hash(module: Module) -> str:
    """``IrHash``: a structural hash of the module, 32 hex digits (native/hash.cpp).

    Equal IR gives equal hashes in every process; a change to an instruction,
    a global, an attribute or metadata changes it. Not cryptographic.
    """
    out = ctypes.create_string_buffer(33)
    status = _require_native().cenv_ir_hash(module.handle, out, len(out))
    if status != 0:
        raise LlvmError(f"the native helper cannot hash the module (status {status})")
    return out.value.decode()


#: cenv_codesize_text_size's answers besides 0 (cenv_features.h).
_CODESIZE_FULL = 1
_CODESIZE_STATS_SIZE = 9


class TextSizeStats(NamedTuple):
    """What a ``TextSizeCache`` did, counted over its life."""

    #: ``text_size`` calls.
    calls: int
    #: Sizes laid out from functions compiled on their own (now or earlier).
    laid_out: int
    #: Sizes of a whole-module compile of the same code, remembered.
    remembered: int
    #: Calls that compiled the whole module (``last_reason`` says why the last did).
    whole_module: int
    #: Functions compiled, and functions whose earlier code was reused.
    compiled: int
    reused: int
    #: Functions the last call compiled.
    last_compiled: int
    #: Why the last call compiled the whole module ("none" when it did not).
    last_reason: str
    #: Spans compiled: functions compiled together because a jump between them
    #: may be shortened by the assembler.
    spans: int


class TextSizeCache(Owner):
    """The code of a module's functions, compiled one by one, for its text size.

    ``text_size`` gives what ``Module.text_size`` gives (the whole module
    compiled), recompiling only the functions whose code may have changed since
    an earlier call, and compiling the whole module where only that gives the
    exact size (docs/codesize.md). One cache serves one module as it changes.
    """

    def __init__(self) -> None:
        super().__init__(_require_native().cenv_codesize_create())

    def _dispose(self, handle: Any) -> None:
        _require_native().cenv_codesize_dispose(handle)

    def text_size(self, module: Module, machine: TargetMachine) -> int:
        """The size in bytes of the ``.text`` sections of the module's object file."""
        helper = _require_native()
        size = ctypes.c_int64()
        message = ctypes.c_void_p()
        status = helper.cenv_codesize_text_size(
            self.handle, module.handle, machine.handle, ctypes.byref(size), ctypes.byref(message)
        )
        if status == 0:
            return int(size.value)
        if status == _CODESIZE_FULL:
            whole = module.text_size(machine)
            helper.cenv_codesize_remember(self.handle, whole)
            return whole
        text = consume_message(message.value) if message.value else f"status {status}"
        raise LlvmError(f"code generation failed: {text}")

    def stats(self) -> TextSizeStats:
        """The counters of what the cache did."""
        helper = _require_native()
        raw = (ctypes.c_int64 * _CODESIZE_STATS_SIZE)()
        status = helper.cenv_codesize_stats(self.handle, raw, _CODESIZE_STATS_SIZE)
        if status != 0:
            raise LlvmError(f"the native feature helper failed with status {status}")
        reason = helper.cenv_codesize_reason(raw[7]) or b"unknown"
        calls, laid_out, remembered, whole, compiled, reused, last, _, spans = raw
        return TextSizeStats(
            calls, laid_out, remembered, whole, compiled, reused, last, reason.decode(), spans
        )


def ir_text(module: Module) -> str:
    """The module's textual IR, the same as ``Module.to_text`` prints, in about half
    the time (native/text.cpp)."""
    helper = _native()
    if helper is None:
        return module.to_text()
    text, size = ctypes.c_void_p(), ctypes.c_size_t()
    if helper.cenv_print_module(module.handle, ctypes.byref(text), ctypes.byref(size)) != 0:
        raise LlvmError("the native helper cannot print the module")
    try:
        return ctypes.string_at(text, size.value).decode("utf-8", "replace")
    finally:
        helper.cenv_free(text)


def bitcode(module: Module) -> bytes:
    """The module's bitcode with its use-list order, as ``opt`` writes it
    (native/emit.cpp): it reads back into the same module, uses in the same
    order, so passes run on it as on the original. ``Module.to_bitcode`` (the C
    API's writer) leaves that order out."""
    helper = _native()
    if helper is None:
        return module.to_bitcode()
    data, size = ctypes.c_void_p(), ctypes.c_size_t()
    if helper.cenv_write_bitcode(module.handle, ctypes.byref(data), ctypes.byref(size)) != 0:
        raise LlvmError("the native helper cannot write the module's bitcode")
    try:
        return ctypes.string_at(data, size.value)
    finally:
        helper.cenv_free(data)


def programl(module: Module, full_text: bool = False) -> bytes:
    """The module's program graph in the helper's packed form (native/programl.cpp;
    ``compiler_env.graphs`` reads it): node and edge columns, the node texts, and
    with ``full_text`` each node's printed text."""
    helper = _require_native()
    data, size = ctypes.c_void_p(), ctypes.c_size_t()
    status = helper.cenv_programl(module.handle, int(full_text), ctypes.byref(data),
                                  ctypes.byref(size))  # fmt: skip
    if status != 0:
        raise LlvmError(f"the native helper cannot build the program graph (status {status})")
    try:
        return ctypes.string_at(data, size.value)
    finally:
        helper.cenv_free(data)


def programl_json(module: Module) -> str:
    """The module's program graph as node-link JSON (docs/programl.md)."""
    helper = _require_native()
    text, size = ctypes.c_void_p(), ctypes.c_size_t()
    if helper.cenv_programl_json(module.handle, ctypes.byref(text), ctypes.byref(size)) != 0:
        raise LlvmError("the native helper cannot build the program graph")
    try:
        return ctypes.string_at(text, size.value).decode("utf-8", "replace")
    finally:
        helper.cenv_free(text)


def _walk_opcodes(module: Module) -> tuple[int, int, list[int]]:
    llvm = lib()
    functions = blocks = 0
    opcodes: list[int] = []
    function = llvm.LLVMGetFirstFunction(module.handle)
    while function:
        if not llvm.LLVMIsDeclaration(function):
            functions += 1
            block = llvm.LLVMGetFirstBasicBlock(function)
            while block:
                blocks += 1
                instruction = llvm.LLVMGetFirstInstruction(block)
                while instruction:
                    opcodes.append(llvm.LLVMGetInstructionOpcode(instruction))
                    instruction = llvm.LLVMGetNextInstruction(instruction)
                block = llvm.LLVMGetNextBasicBlock(block)
        function = llvm.LLVMGetNextFunction(function)
    return functions, blocks, opcodes


def count_instructions_python(module: Module) -> int:
    """The instruction count, walking the module through ctypes (slow)."""
    return len(_walk_opcodes(module)[2])


def instcount_python(module: Module) -> array[int]:
    """``InstCount`` walking the module through ctypes (slow)."""
    functions, blocks, opcodes = _walk_opcodes(module)
    raw = [functions, blocks, len(opcodes)] + [0] * _MAX_OPCODE
    for opcode in opcodes:
        raw[2 + opcode] += 1
    return _select(raw)
