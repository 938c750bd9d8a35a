"""ctypes declarations of the parts of libLLVM's C API the engine uses.

Every C handle has its own pointer type, so passing the wrong handle fails in
ctypes rather than crashing LLVM. All signatures are declared together in
``_SIGNATURES``. The library is loaded on first use (``lib()``), from the
installation that ``toolchain.find_toolchain()`` picks.
"""

from __future__ import annotations

import ctypes
import functools
import platform
from typing import Any

from service.llvm.toolchain import find_toolchain
from service.proto.errors import CompilerNotFound, LlvmError

__all__ = [
    "BinaryRef",
    "ContextRef",
    "ErrorRef",
    "MemoryBufferRef",
    "ModuleRef",
    "PassBuilderOptionsRef",
    "SectionIteratorRef",
    "TargetMachineRef",
    "TargetRef",
    "consume_error",
    "consume_message",
    "lib",
]


def _handle(name: str) -> Any:
    return ctypes.POINTER(type(name, (ctypes.Structure,), {}))


ContextRef = _handle("LLVMOpaqueContext")
ModuleRef = _handle("LLVMOpaqueModule")
MemoryBufferRef = _handle("LLVMOpaqueMemoryBuffer")
TargetRef = _handle("LLVMTarget")
TargetMachineRef = _handle("LLVMOpaqueTargetMachine")
PassBuilderOptionsRef = _handle("LLVMOpaquePassBuilderOptions")
ErrorRef = _handle("LLVMOpaqueError")
BinaryRef = _handle("LLVMOpaqueBinary")
SectionIteratorRef = _handle("LLVMOpaqueSectionIterator")

_str = ctypes.c_char_p
_bool = ctypes.c_int
_msg = ctypes.c_void_p  # a char* LLVM allocated: read it, then LLVMDisposeMessage
_out_msg = ctypes.POINTER(ctypes.c_void_p)

_SIGNATURES: dict[str, tuple[Any, list[Any]]] = {
    # Contexts and modules.
    "LLVMContextCreate": (ContextRef, []),
    "LLVMContextDispose": (None, [ContextRef]),
    "LLVMParseIRInContext": (
        _bool,
        [ContextRef, MemoryBufferRef, ctypes.POINTER(ModuleRef), _out_msg],
    ),
    "LLVMCloneModule": (ModuleRef, [ModuleRef]),
    "LLVMDisposeModule": (None, [ModuleRef]),
    "LLVMVerifyModule": (_bool, [ModuleRef, ctypes.c_int, _out_msg]),
    "LLVMPrintModuleToString": (_msg, [ModuleRef]),
    "LLVMGetModuleIdentifier": (ctypes.c_void_p, [ModuleRef, ctypes.POINTER(ctypes.c_size_t)]),
    "LLVMSetModuleIdentifier": (None, [ModuleRef, _str, ctypes.c_size_t]),
    "LLVMSetSourceFileName": (None, [ModuleRef, _str, ctypes.c_size_t]),
    "LLVMGetSourceFileName": (ctypes.c_void_p, [ModuleRef, ctypes.POINTER(ctypes.c_size_t)]),
    "LLVMGetTarget": (ctypes.c_char_p, [ModuleRef]),
    "LLVMDisposeMessage": (None, [ctypes.c_void_p]),
    # Walking functions, blocks and instructions (values are plain pointers).
    "LLVMGetNamedFunction": (ctypes.c_void_p, [ModuleRef, ctypes.c_char_p]),
    "LLVMGetFirstFunction": (ctypes.c_void_p, [ModuleRef]),
    "LLVMGetNextFunction": (ctypes.c_void_p, [ctypes.c_void_p]),
    "LLVMIsDeclaration": (_bool, [ctypes.c_void_p]),
    "LLVMGetFirstBasicBlock": (ctypes.c_void_p, [ctypes.c_void_p]),
    "LLVMGetNextBasicBlock": (ctypes.c_void_p, [ctypes.c_void_p]),
    "LLVMGetFirstInstruction": (ctypes.c_void_p, [ctypes.c_void_p]),
    "LLVMGetNextInstruction": (ctypes.c_void_p, [ctypes.c_void_p]),
    "LLVMGetInstructionOpcode": (ctypes.c_int, [ctypes.c_void_p]),
    # Memory buffers and bitcode.
    "LLVMCreateMemoryBufferWithMemoryRangeCopy": (
        MemoryBufferRef,
        [ctypes.c_char_p, ctypes.c_size_t, _str],
    ),
    "LLVMGetBufferStart": (ctypes.c_void_p, [MemoryBufferRef]),
    "LLVMGetBufferSize": (ctypes.c_size_t, [MemoryBufferRef]),
    "LLVMDisposeMemoryBuffer": (None, [MemoryBufferRef]),
    "LLVMWriteBitcodeToMemoryBuffer": (MemoryBufferRef, [ModuleRef]),
    # The new pass manager.
    "LLVMCreatePassBuilderOptions": (PassBuilderOptionsRef, []),
    "LLVMDisposePassBuilderOptions": (None, [PassBuilderOptionsRef]),
    "LLVMRunPasses": (ErrorRef, [ModuleRef, _str, TargetMachineRef, PassBuilderOptionsRef]),
    "LLVMGetErrorMessage": (_msg, [ErrorRef]),
    "LLVMDisposeErrorMessage": (None, [ctypes.c_void_p]),
    # Targets and object emission.
    "LLVMGetDefaultTargetTriple": (_msg, []),
    "LLVMGetTargetFromTriple": (_bool, [_str, ctypes.POINTER(TargetRef), _out_msg]),
    "LLVMCreateTargetMachine": (
        TargetMachineRef,
        [TargetRef, _str, _str, _str, ctypes.c_int, ctypes.c_int, ctypes.c_int],
    ),
    "LLVMDisposeTargetMachine": (None, [TargetMachineRef]),
    "LLVMTargetMachineEmitToMemoryBuffer": (
        _bool,
        [TargetMachineRef, ModuleRef, ctypes.c_int, _out_msg, ctypes.POINTER(MemoryBufferRef)],
    ),
    "LLVMCreateBinary": (BinaryRef, [MemoryBufferRef, ContextRef, _out_msg]),
    "LLVMDisposeBinary": (None, [BinaryRef]),
    "LLVMObjectFileCopySectionIterator": (SectionIteratorRef, [BinaryRef]),
    "LLVMObjectFileIsSectionIteratorAtEnd": (_bool, [BinaryRef, SectionIteratorRef]),
    "LLVMMoveToNextSection": (None, [SectionIteratorRef]),
    "LLVMDisposeSectionIterator": (None, [SectionIteratorRef]),
    "LLVMGetSectionName": (ctypes.c_char_p, [SectionIteratorRef]),
    "LLVMGetSectionSize": (ctypes.c_uint64, [SectionIteratorRef]),
}

# The per-architecture initialisers (LLVMInitializeNativeTarget is inline in the headers).
_TARGET_PREFIX = {"x86_64": "X86", "amd64": "X86", "aarch64": "AArch64", "arm64": "AArch64"}


@functools.cache
def lib() -> ctypes.CDLL:
    """Loads libLLVM, declares its signatures and initialises the host target."""
    toolchain = find_toolchain()
    try:
        library = ctypes.CDLL(str(toolchain.library), mode=ctypes.RTLD_GLOBAL)
    except OSError as error:
        raise CompilerNotFound(f"cannot load {toolchain.library}: {error}") from error
    for name, (restype, argtypes) in _SIGNATURES.items():
        function = getattr(library, name)
        function.restype = restype
        function.argtypes = argtypes
    prefix = _TARGET_PREFIX.get(platform.machine().lower())
    if prefix is None:
        raise CompilerNotFound(f"no LLVM target known for host architecture {platform.machine()}")
    # AsmParser: code generation parses inline assembly (it aborts without one).
    for part in ("TargetInfo", "Target", "TargetMC", "AsmPrinter", "AsmParser"):
        getattr(library, f"LLVMInitialize{prefix}{part}")()
    return library


def consume_message(pointer: int | None) -> str:
    """Reads a message LLVM allocated and frees it at once."""
    if not pointer:
        return ""
    try:
        return ctypes.string_at(pointer).decode("utf-8", "replace")
    finally:
        lib().LLVMDisposeMessage(pointer)


def consume_error(error: Any) -> None:
    """Raises an ``LlvmError`` for a non-null ``LLVMErrorRef``, freeing it."""
    if not error:
        return
    pointer = lib().LLVMGetErrorMessage(error)
    try:
        message = ctypes.string_at(pointer).decode("utf-8", "replace")
    finally:
        lib().LLVMDisposeErrorMessage(pointer)
    raise LlvmError(message)
