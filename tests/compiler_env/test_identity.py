"""A program's identity: the same IR however the program reached the env."""

from __future__ import annotations

from pathlib import Path

from compiler_env.programs import benchmark_from_file, benchmark_from_ir
from service import benchmarks
from tests.helpers import BENCHMARK, IR

REPO = Path(__file__).resolve().parents[2]
IDENTITY = ("Ir", "IrSha1", "IrHash")


def _identity(env, benchmark: object) -> tuple[str, ...]:
    env.reset(options={"benchmark": benchmark})
    return tuple(str(env.observation[name]) for name in IDENTITY)


def _copies(tmp_path: Path, name: str, data: bytes) -> list[Path]:
    """``data`` as a file ``name`` in two folders."""
    paths = []
    for folder in ("one", "two/deeper"):
        path = tmp_path / folder / name
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
        paths.append(path)
    return paths


def test_bitcode_has_one_identity_however_it_arrives(make_env, tmp_path: Path) -> None:
    bitcode = benchmarks.resolve(BENCHMARK).bitcode
    first, second = _copies(tmp_path, "crc32.bc", bitcode)
    env = make_env()
    seen = {
        "benchmark_from_file": _identity(env, benchmark_from_file(first)),
        "benchmark_from_ir": _identity(env, benchmark_from_ir(bitcode)),
        "file:// one": _identity(env, f"file://{first}"),
        "file:// two": _identity(env, f"file://{second}"),
        BENCHMARK: _identity(env, BENCHMARK),
    }
    assert len(set(seen.values())) == 1, {k: v[1] for k, v in seen.items()}
    ir = seen[BENCHMARK][0]
    assert str(tmp_path) not in ir and "inline://" not in ir and "benchmark://" not in ir
    assert 'source_filename = "crc32.c"' in ir  # the name clang recorded


def test_c_program_has_one_identity_wherever_it_is_stored(make_env, tmp_path: Path) -> None:
    source = (REPO / "datasets" / "kernels-v0" / "crc32.c").read_bytes()
    first, second = _copies(tmp_path, "crc32.c", source)
    env = make_env()
    seen = {
        "file:// one": _identity(env, f"file://{first}"),
        "file:// two": _identity(env, f"file://{second}"),
        "benchmark_from_file": _identity(env, benchmark_from_file(second)),
    }
    assert len(set(seen.values())) == 1, {k: v[1] for k, v in seen.items()}
    assert str(tmp_path) not in seen["file:// one"][0]


def test_ir_text_without_a_source_name_has_one_identity(make_env, tmp_path: Path) -> None:
    first, second = _copies(tmp_path, "square.ll", IR.encode())
    env = make_env()
    seen = {
        "benchmark_from_ir": _identity(env, benchmark_from_ir(IR)),
        "benchmark_from_file": _identity(env, benchmark_from_file(first)),
        "file:// one": _identity(env, f"file://{first}"),
        "file:// two": _identity(env, f"file://{second}"),
    }
    assert len(set(seen.values())) == 1, {k: v[1] for k, v in seen.items()}
    ir = seen["file:// one"][0]
    assert ir.startswith("; ModuleID = 'module'\n") and "source_filename" not in ir

