"""The ctypes binding: parsing, cloning, passes, output, errors, and no leaks."""

from __future__ import annotations

import pytest

from service.llvm.module import Context, Owner, host_target_machine
from service.proto.errors import BenchmarkInitError, LlvmError
from tests.helpers import IR, kernel_module


def test_parse_print_and_bitcode_round_trip(context: Context) -> None:
    with context.parse(IR.encode(), "square") as module:
        module.verify()
        assert "define i32 @square_sum" in module.to_text()
        bitcode = module.to_bitcode()
        assert bitcode[:4] == b"BC\xc0\xde"
        with context.parse(bitcode, "again") as again:
            assert again.to_text().split("\n", 1)[1] == module.to_text().split("\n", 1)[1]


def test_clone_is_independent(context: Context) -> None:
    with context.parse(IR.encode()) as module, module.clone() as copy:
        copy.run_passes("function(mem2reg)")
        assert "alloca" in module.to_text()
        assert "alloca" not in copy.to_text()


def test_pass_errors_carry_llvms_message(context: Context) -> None:
    with context.parse(IR.encode()) as module:
        with pytest.raises(LlvmError, match="unknown pass name 'no-such-pass'"):
            module.run_passes("no-such-pass")
        module.verify()  # unchanged and still valid


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"this is not IR", "cannot parse"),
        (b"BC\xc0\xde\x35\x14\x00\x00", "cannot parse"),  # truncated bitcode
    ],
)
def test_malformed_input_is_a_clear_error(context: Context, data: bytes, message: str) -> None:
    with pytest.raises(BenchmarkInitError, match=message):
        context.parse(data, "bad")


def test_object_emission_measures_text(context: Context) -> None:
    with kernel_module(context, "benchmark://kernels-v0/crc32") as module:
        machine = host_target_machine(module.triple)
        assert module.emit_object(machine)[:4] == b"\x7fELF"
        size = module.text_size(machine)
        with module.clone() as optimized:
            optimized.run_passes("default<Oz>", machine)
            assert 0 < optimized.text_size(machine) < size


def test_object_emission_leaves_the_module_unchanged(context: Context) -> None:
    with kernel_module(context, "benchmark://kernels-v0/crc32") as module:
        module.run_passes("function(mem2reg)")
        before = module.to_text()
        module.text_size(host_target_machine(module.triple))
        assert module.to_text() == before


def test_every_object_is_disposed_once(context: Context) -> None:
    before = Owner.live()
    module = context.parse(IR.encode())
    copies = [module.clone() for _ in range(5)]
    assert Owner.live() == before + 6
    for copy in copies:
        copy.close()
        copy.close()  # a second close does nothing
    del module
    assert Owner.live() == before
    with pytest.raises(ValueError, match="closed"):
        copies[0].to_text()
