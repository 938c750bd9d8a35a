"""Owned LLVM objects: contexts, modules and target machines.

Every object that LLVM allocates is held by exactly one ``Owner`` and disposed
exactly once: by ``close()``, by leaving its ``with`` block, or at garbage
collection. ``Owner.live()`` counts the objects not yet disposed, so tests can
check that nothing leaks.
"""

from __future__ import annotations

import contextlib
import ctypes
import sys
import threading
from typing import Any, ClassVar, TypeVar

from service.llvm import binding
from service.llvm.binding import consume_error, consume_message, lib
from service.proto.errors import BenchmarkInitError, LlvmError

__all__ = ["Context", "Module", "Owner", "TargetMachine", "host_target_machine"]

_O = TypeVar("_O", bound="Owner")
_LLVM_OBJECT_FILE = 1  # LLVMCodeGenFileType.LLVMObjectFile
_LLVM_RETURN_STATUS_ACTION = 2  # LLVMVerifierFailureAction.LLVMReturnStatusAction


_LIVE_LOCK = threading.Lock()


class Owner:
    """The single owner of one LLVM handle."""

    _live: ClassVar[int] = 0

    def __init__(self, handle: Any) -> None:
        if not handle:
            raise LlvmError(f"LLVM returned a null {type(self).__name__}")
        self._handle = handle
        with _LIVE_LOCK:  # workers parse spare modules in a thread
            Owner._live += 1

    @property
    def handle(self) -> Any:
        """The C handle; raises once the object is closed."""
        if self._handle is None:
            raise ValueError(f"{type(self).__name__} is closed")
        return self._handle

    @property
    def closed(self) -> bool:
        return self._handle is None

    def _dispose(self, handle: Any) -> None:
        raise NotImplementedError

    def detach(self) -> Any:
        """Gives up ownership (LLVM took it) and returns the handle."""
        handle, self._handle = self.handle, None
        with _LIVE_LOCK:
            Owner._live -= 1
        return handle

    def close(self) -> None:
        """Disposes the handle; calling it again does nothing."""
        if self._handle is not None:
            self._dispose(self.detach())

    def __enter__(self: _O) -> _O:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if not sys.is_finalizing():
            self.close()

    @staticmethod
    def live() -> int:
        """How many owned LLVM objects are not yet disposed."""
        return Owner._live


class Context(Owner):
    """An LLVM context: every module lives in one."""

    def __init__(self) -> None:
        super().__init__(lib().LLVMContextCreate())

    def _dispose(self, handle: Any) -> None:
        lib().LLVMContextDispose(handle)

    def parse(self, data: bytes, name: str = "benchmark") -> Module:
        """Parses IR text or bitcode (told apart by LLVM) into a new module."""
        if not data:
            raise BenchmarkInitError(f"{name}: the program is empty; give IR text or bitcode")
        buffer = lib().LLVMCreateMemoryBufferWithMemoryRangeCopy(data, len(data), name.encode())
        module = binding.ModuleRef()
        message = ctypes.c_void_p()
        # LLVMParseIRInContext takes ownership of the buffer, failed or not.
        failed = lib().LLVMParseIRInContext(
            self.handle, buffer, ctypes.byref(module), ctypes.byref(message)
        )
        text = consume_message(message.value)
        if failed:
            raise BenchmarkInitError(f"{name}: LLVM cannot parse the program: {text}")
        return Module(module, self)


class Module(Owner):
    """An LLVM module, owned by Python."""

    def __init__(self, handle: Any, context: Context) -> None:
        super().__init__(handle)
        self.context = context  # keeps the context alive as long as the module

    def _dispose(self, handle: Any) -> None:
        lib().LLVMDisposeModule(handle)

    def clone(self) -> Module:
        """A deep copy in the same context."""
        return Module(lib().LLVMCloneModule(self.handle), self.context)

    def verify(self) -> None:
        """Raises ``LlvmError`` with the verifier's message if the module is invalid."""
        message = ctypes.c_void_p()
        broken = lib().LLVMVerifyModule(
            self.handle, _LLVM_RETURN_STATUS_ACTION, ctypes.byref(message)
        )
        text = consume_message(message.value)
        if broken:
            raise LlvmError(f"the module is not valid IR: {text}")

    def to_text(self) -> str:
        """The module as textual IR."""
        return consume_message(lib().LLVMPrintModuleToString(self.handle))

    def to_bitcode(self) -> bytes:
        """The module as bitcode."""
        buffer = lib().LLVMWriteBitcodeToMemoryBuffer(self.handle)
        return _take_buffer(buffer)

    @property
    def identifier(self) -> str:
        """The ``; ModuleID`` of the IR text (a parsed module's is the name it was parsed as)."""
        size = ctypes.c_size_t()
        pointer = lib().LLVMGetModuleIdentifier(self.handle, ctypes.byref(size))
        return ctypes.string_at(pointer, size.value).decode("utf-8", "replace")

    @identifier.setter
    def identifier(self, name: str) -> None:
        raw = name.encode()
        lib().LLVMSetModuleIdentifier(self.handle, raw, len(raw))

    @property
    def source_filename(self) -> str:
        """The ``source_filename`` of the IR text, which bitcode keeps."""
        size = ctypes.c_size_t()
        pointer = lib().LLVMGetSourceFileName(self.handle, ctypes.byref(size))
        return ctypes.string_at(pointer, size.value).decode("utf-8", "replace")

    @source_filename.setter
    def source_filename(self, name: str) -> None:
        raw = name.encode()
        lib().LLVMSetSourceFileName(self.handle, raw, len(raw))

    @property
    def triple(self) -> str:
        return (lib().LLVMGetTarget(self.handle) or b"").decode()

    def run_passes(self, pipeline: str, machine: TargetMachine | None = None) -> None:
        """Runs a new-pass-manager pipeline (``opt -passes=`` syntax) in place."""
        options = lib().LLVMCreatePassBuilderOptions()
        try:
            error = lib().LLVMRunPasses(
                self.handle, pipeline.encode(), machine.handle if machine else None, options
            )
        finally:
            lib().LLVMDisposePassBuilderOptions(options)
        consume_error(error)

    def emit_object(self, machine: TargetMachine, *, in_place: bool = False) -> bytes:
        """Compiles a copy of the module to a host object file.

        Code generation runs IR passes on the module it is given, so it gets a
        clone: the module itself is left exactly as it was. A clone lists each
        value's uses in another order, which changes some of the code; with
        ``in_place`` (for a module that is not used afterwards) the module itself
        is compiled, as clang compiles its own. The native helper
        emits it as clang does, with the library information of the module's
        triple; without the helper, LLVM's C API emits it with none, which gives
        other code wherever a library call is involved.
        """
        from service.llvm.features import native_helper  # it imports this module

        helper = native_helper()
        message = ctypes.c_void_p()
        buffer = binding.MemoryBufferRef()
        with self.clone() if not in_place else contextlib.nullcontext(self) as copy:
            if helper is not None:
                failed = helper.cenv_emit_object(
                    copy.handle, machine.handle, ctypes.byref(buffer), ctypes.byref(message)
                )
            else:
                failed = lib().LLVMTargetMachineEmitToMemoryBuffer(
                    machine.handle,
                    copy.handle,
                    _LLVM_OBJECT_FILE,
                    ctypes.byref(message),
                    ctypes.byref(buffer),
                )
        text = consume_message(message.value)
        if failed:
            raise LlvmError(f"code generation failed: {text}")
        return _take_buffer(buffer)

    def text_size(self, machine: TargetMachine, *, in_place: bool = False) -> int:
        """The size in bytes of the ``.text`` sections of the module's object file."""
        data = self.emit_object(machine, in_place=in_place)
        buffer = lib().LLVMCreateMemoryBufferWithMemoryRangeCopy(data, len(data), b"object")
        message = ctypes.c_void_p()
        binary = lib().LLVMCreateBinary(buffer, self.context.handle, ctypes.byref(message))
        text = consume_message(message.value)
        try:
            if not binary:
                raise LlvmError(f"cannot read the emitted object file: {text}")
            return _text_section_bytes(binary)
        finally:
            if binary:
                lib().LLVMDisposeBinary(binary)
            lib().LLVMDisposeMemoryBuffer(buffer)


def _text_section_bytes(binary: Any) -> int:
    sections = lib().LLVMObjectFileCopySectionIterator(binary)
    total = 0
    try:
        while not lib().LLVMObjectFileIsSectionIteratorAtEnd(binary, sections):
            name = lib().LLVMGetSectionName(sections) or b""
            if name == b".text" or name.startswith(b".text."):
                total += lib().LLVMGetSectionSize(sections)
            lib().LLVMMoveToNextSection(sections)
    finally:
        lib().LLVMDisposeSectionIterator(sections)
    return int(total)


def _take_buffer(buffer: Any) -> bytes:
    try:
        start = lib().LLVMGetBufferStart(buffer)
        return ctypes.string_at(start, lib().LLVMGetBufferSize(buffer))
    finally:
        lib().LLVMDisposeMemoryBuffer(buffer)


#: The relocation model of clang's output on the supported hosts (Debian's clang
#: builds position-independent executables by default): ``LLVMRelocPIC``.
_RELOC_PIC = 2


class TargetMachine(Owner):
    """A target machine for a triple, configured as clang's backend configures it.

    Clang makes position-independent code (``-relocation-model=pic`` for ``opt``),
    and its code generation level is 3 at ``-O3`` and 2 at ``-O1``, ``-O2``,
    ``-Os`` and ``-Oz``. The relocation model also changes what passes do (the
    inliner's costs), so every pass and every measure uses such a machine.
    """

    def __init__(self, triple: str, level: int = 2) -> None:
        target = binding.TargetRef()
        message = ctypes.c_void_p()
        failed = lib().LLVMGetTargetFromTriple(
            triple.encode(), ctypes.byref(target), ctypes.byref(message)
        )
        text = consume_message(message.value)
        if failed:
            raise LlvmError(f"no LLVM target for triple {triple!r}: {text}")
        # CPU and features "": each function names its own ("target-cpu" attributes).
        handle = lib().LLVMCreateTargetMachine(
            target, triple.encode(), b"", b"", level, _RELOC_PIC, 0
        )
        super().__init__(handle)
        self.triple = triple
        self.level = level

    def _dispose(self, handle: Any) -> None:
        lib().LLVMDisposeTargetMachine(handle)


_machines: dict[tuple[str, int], TargetMachine] = {}


def host_target_machine(triple: str = "", level: int = 2) -> TargetMachine:
    """A shared target machine for ``triple`` (default: the host's) at a code
    generation ``level``, made once."""
    if not triple:
        triple = consume_message(lib().LLVMGetDefaultTargetTriple())
    if (triple, level) not in _machines:
        _machines[triple, level] = TargetMachine(triple, level)
    return _machines[triple, level]
