"""kernels-v0: every program builds, runs, checks itself and prints the same at -O0 and -Oz."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service import benchmarks
from service.sandbox import SandboxLimits, run_sandboxed

ROOT = Path(__file__).resolve().parents[2] / "datasets" / "kernels-v0"
MANIFEST = json.loads((ROOT / "manifest.json").read_text())
PROGRAMS = {p["name"]: p for p in MANIFEST["benchmarks"]}
LIMITS = SandboxLimits(address_space_mib=2048, cpu_seconds=60, request_timeout=120)


def test_the_suite_is_large_and_described() -> None:
    assert len(PROGRAMS) >= 30
    assert any(len(p["sources"]) > 1 for p in PROGRAMS.values())  # several translation units
    for program in PROGRAMS.values():
        assert program["description"] and len(program["description"]) < 200


def _run(toolchain, bitcode: Path, program: dict, tmp: Path, name: str) -> tuple[str, int]:
    binary = tmp / name
    built = run_sandboxed(
        [str(toolchain.tool("clang")), str(bitcode), *program["link_flags"], "-o", str(binary)],
        LIMITS, str(tmp),
    )  # fmt: skip
    assert built.returncode == 0, built.stderr.decode()
    ran = run_sandboxed([str(binary)], LIMITS, str(tmp))
    return ran.stdout.decode(), ran.returncode


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_runs_and_agrees_at_O0_and_Oz(toolchain, tmp_path: Path, name: str) -> None:
    program = PROGRAMS[name]
    unoptimized = tmp_path / "O0.bc"
    unoptimized.write_bytes(benchmarks.resolve(f"benchmark://kernels-v0/{name}").bitcode)
    optimized = tmp_path / "Oz.bc"
    made = run_sandboxed(
        [str(toolchain.tool("opt")), "-passes=default<Oz>", str(unoptimized), "-o", str(optimized)],
        LIMITS, str(tmp_path),
    )  # fmt: skip
    assert made.returncode == 0, made.stderr.decode()
    output_O0, status_O0 = _run(toolchain, unoptimized, program, tmp_path, "O0")
    output_Oz, status_Oz = _run(toolchain, optimized, program, tmp_path, "Oz")
    assert (status_O0, status_Oz) == (0, 0), output_O0 + output_Oz
    assert output_O0 == output_Oz and output_O0.strip()
