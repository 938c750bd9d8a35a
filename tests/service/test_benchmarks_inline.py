"""User programs carried in ``inline://`` URIs, as the service decodes and checks them."""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from pathlib import Path

import pytest

from compiler_env.datasets import benchmark_from_source
from compiler_env.errors import BenchmarkInitError, BenchmarkNotFound, InvalidArgument
from service import benchmarks
from service.datasets.inline import check_cflags

PROGRAM = "int main(void) { return N; }\n"


def _uri(files: dict[str, bytes], cflags: list[str] | None = None) -> str:
    """An inline URI made by hand (not through compiler_env), as any client could."""
    bundle = json.dumps(
        {"format": 1, "cflags": cflags or [],
         "files": {name: base64.b64encode(data).decode() for name, data in files.items()}}
    ).encode()  # fmt: skip
    payload = base64.urlsafe_b64encode(zlib.compress(bundle)).decode().rstrip("=")
    return f"inline://{hashlib.sha256(bundle).hexdigest()}?data={payload}"


@pytest.fixture(autouse=True)
def _private_cache(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COMPILER_ENV_CACHE", str(tmp_path / "cache"))


def test_a_program_is_received_once_then_known_by_its_short_uri() -> None:
    uri = benchmark_from_source(PROGRAM, defines={"N": 7}).uri
    short = uri.split("?")[0]
    with pytest.raises(BenchmarkNotFound, match="has not received"):
        benchmarks.resolve(short)
    first = benchmarks.resolve(uri)
    assert first.uri == short
    assert benchmarks.resolve(short).bitcode == first.bitcode
    assert b"program.c" in first.bitcode  # compiled under its own relative name


def test_any_client_can_make_a_bundle() -> None:
    uri = _uri({"src/main.c": b'#include "defs.h"\nint main(void) { return M; }\n',
                "src/defs.h": b"#define M 3\n"})  # fmt: skip
    assert benchmarks.resolve(uri).bitcode[:4] == b"BC\xc0\xde"


def test_tampered_or_malformed_uris_are_refused() -> None:
    uri = benchmark_from_source(PROGRAM, defines={"N": 7}).uri
    other = benchmark_from_source(PROGRAM, defines={"N": 8}).uri
    swapped = uri.split("?")[0] + "?" + other.split("?")[1]
    with pytest.raises(InvalidArgument, match="has sha256 .*changed or truncated"):
        benchmarks.resolve(swapped)
    with pytest.raises(InvalidArgument, match="corrupted"):
        benchmarks.resolve(uri[:-10])
    with pytest.raises(InvalidArgument, match="expected inline://<sha256"):
        benchmarks.resolve("inline://1234?data=abc")
    with pytest.raises(InvalidArgument, match="not a relative path"):
        benchmarks.resolve(_uri({"../escape.c": b"int main(void) { return 0; }"}))
    with pytest.raises(BenchmarkInitError, match="no .c, .ll or .bc file"):
        benchmarks.resolve(_uri({"only.h": b"#define X 1\n"}))


def test_compiler_flags_are_checked() -> None:
    accepted = ["-DN=3", "-D", "M", "-Iinclude", "-I", "/opt/x", "-std=c99", "-fno-inline",
                "-Wall", "-march=x86-64", "-include", "defs.h"]  # fmt: skip
    assert check_cflags(accepted) == accepted
    for flag in ("-fplugin=p.so", "-Xclang", "-mllvm", "-Wl,-rpath", "-o", "@args.txt",
                 "-MF", "-O2", "-ftime-trace=/tmp/x", "--output=x"):  # fmt: skip
        with pytest.raises(InvalidArgument, match="is not accepted"):
            check_cflags([flag])
    with pytest.raises(InvalidArgument, match="needs a value"):
        check_cflags(["-D"])
    with pytest.raises(InvalidArgument, match="-fpass-plugin=x.so"):
        benchmarks.resolve(_uri({"a.c": b"int main(void) { return 0; }"}, ["-fpass-plugin=x.so"]))
