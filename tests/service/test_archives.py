"""Archive datasets: served from a loopback HTTP server, downloaded once, verified, unpacked."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import compiler_env
from compiler_env.errors import BenchmarkInitError
from service.datasets import archives
from service.datasets.manifests import Dataset

REPO = Path(__file__).resolve().parents[2]
SOURCES = {
    "hello.c": "int main(void) { int s = 0; for (int i = 0; i < 9; ++i) s += i; return s - 36; }\n",
    "pair/main.c": '#include "util.h"\nint main(void) { return twice(21) != 42; }\n',
    "pair/util.c": '#include "util.h"\nint twice(int x) { return x + x; }\n',
    "include/util.h": "int twice(int x);\n",
}
BENCHMARKS = [
    {"name": "hello", "sources": ["hello.c"]},
    {"name": "pair", "sources": ["pair/main.c", "pair/util.c"], "cflags": ["-Iinclude"]},
]


def _tarball() -> bytes:
    """A tar.gz of small C programs under a top folder, as projects publish them."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, text in SOURCES.items():
            data = text.encode()
            info = tarfile.TarInfo(f"tiny-1.0/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


class _Server(ThreadingHTTPServer):
    archive: bytes
    requests: Counter[str]


class _Handler(BaseHTTPRequestHandler):
    """``/tiny.tar.gz`` whole; ``/cut.tar.gz`` cut short; ``/flaky.tar.gz`` cut the first time."""

    server: _Server

    def do_GET(self) -> None:
        self.server.requests[self.path] += 1
        data = self.server.archive
        cut = self.path == "/cut.tar.gz" or (
            self.path == "/flaky.tar.gz" and self.server.requests[self.path] == 1
        )
        if self.path not in ("/tiny.tar.gz", "/cut.tar.gz", "/flaky.tar.gz"):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2] if cut else data)
        self.wfile.flush()
        self.close_connection = True  # after a cut: the connection closes mid-body

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def http() -> Iterator[_Server]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.archive = _tarball()
    server.requests = Counter()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _url(server: _Server, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def _manifest(root: Path, name: str, url: str, sha256: str) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    manifest = {
        "name": name,
        "description": "small test programs",
        "license": "MIT",
        "url": url,
        "sha256": sha256,
        "archive_root": "tiny-1.0",
        "benchmarks": BENCHMARKS,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))


@pytest.fixture
def roots(tmp_path: Path, http: _Server) -> tuple[Path, Path]:
    """A folder of archive manifests (good, wrong checksum, flaky server) and a cache."""
    http.requests.clear()
    good = hashlib.sha256(http.archive).hexdigest()
    datasets = tmp_path / "datasets"
    _manifest(datasets, "tiny-v0", _url(http, "/tiny.tar.gz"), good)
    _manifest(datasets, "tiny-badsum-v0", _url(http, "/tiny.tar.gz"), "0" * 64)
    _manifest(datasets, "tiny-flaky-v0", _url(http, "/flaky.tar.gz"), good)
    return datasets, tmp_path / "cache"


def _environment(datasets: Path, cache: Path) -> dict[str, str]:
    return {**os.environ, "COMPILER_ENV_DATASETS": str(datasets), "COMPILER_ENV_CACHE": str(cache)}


@pytest.fixture
def service_address(roots: tuple[Path, Path]) -> Iterator[str]:
    """A service (its own process) that reads the test's manifests and cache."""
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "--pool-size", "1"],
        stdout=subprocess.PIPE, text=True, cwd=REPO, env=_environment(*roots),
    )  # fmt: skip
    assert process.stdout is not None
    try:
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=30)


def _cache_entries(cache: Path) -> list[str]:
    folder = cache / "archives"
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock"))


def test_archive_benchmarks_download_once_then_reset_and_step(http, roots, service_address):
    _, cache = roots
    with compiler_env.make("llvm-ic-v0", service=service_address) as env:
        tiny = env.datasets["tiny-v0"]
        assert tiny.size == 2 and tiny.license == "MIT"
        assert http.requests["/tiny.tar.gz"] == 0  # listing needs no download
        for uri in tiny.benchmark_uris():
            _, info = env.reset(options={"benchmark": uri})
            assert info["benchmark"] == uri
            env.step(env.action_space.index("mem2reg"))
            assert env.observation["IrInstructionCount"] > 0
    assert http.requests["/tiny.tar.gz"] == 1
    sha = hashlib.sha256(http.archive).hexdigest()
    assert _cache_entries(cache) == [f"tiny-v0-{sha[:16]}"]


def test_a_wrong_checksum_caches_nothing(http, roots, service_address):
    _, cache = roots
    with compiler_env.make("llvm-v0", service=service_address) as env:
        for _ in range(2):  # nothing is cached, so each attempt downloads again
            with pytest.raises(BenchmarkInitError) as caught:
                env.reset(options={"benchmark": "benchmark://tiny-badsum-v0/hello"})
            message = str(caught.value)
            assert f"has sha256 {hashlib.sha256(http.archive).hexdigest()}" in message
            assert f"expects {'0' * 64}" in message and "nothing was cached" in message
            assert _cache_entries(cache) == []
    assert http.requests["/tiny.tar.gz"] == 2


def test_an_interrupted_download_caches_nothing_and_can_be_retried(http, roots, service_address):
    _, cache = roots
    size = len(http.archive)
    with compiler_env.make("llvm-v0", service=service_address) as env:
        with pytest.raises(BenchmarkInitError, match=rf"interrupted after {size // 2} of {size} "
                           r"bytes.*nothing was cached: try again"):  # fmt: skip
            env.reset(options={"benchmark": "benchmark://tiny-flaky-v0/pair"})
        assert _cache_entries(cache) == []
        env.reset(options={"benchmark": "benchmark://tiny-flaky-v0/pair"})  # the retry works
        env.step(0)
    assert http.requests["/flaky.tar.gz"] == 2


def test_downloads_report_progress(http, tmp_path: Path) -> None:
    calls: list[tuple[int, int | None]] = []
    digest = archives.download(
        _url(http, "/tiny.tar.gz"), tmp_path / "a", lambda *c: calls.append(c)
    )
    assert digest == hashlib.sha256(http.archive).hexdigest()
    assert calls[-1] == (len(http.archive), len(http.archive))
    stream = io.StringIO()
    printer = archives.StderrProgress("dataset tiny-v0", delay=0, interval=0, stream=stream)
    archives.download(_url(http, "/tiny.tar.gz"), tmp_path / "b", printer)
    assert stream.getvalue().splitlines()[-1].startswith("downloading dataset tiny-v0: 100% (")
    quiet = io.StringIO()  # a quick download prints nothing
    archives.download(_url(http, "/tiny.tar.gz"), tmp_path / "c", archives.StderrProgress(
        "dataset tiny-v0", stream=quiet))  # fmt: skip
    assert quiet.getvalue() == ""


def test_an_always_cut_download_is_a_clear_error(http, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COMPILER_ENV_CACHE", str(tmp_path))
    dataset = Dataset("cut-v0", "", "MIT", tmp_path, {}, url=_url(http, "/cut.tar.gz"),
                      sha256=hashlib.sha256(http.archive).hexdigest())  # fmt: skip
    with pytest.raises(BenchmarkInitError, match="dataset cut-v0: the download of .* interrupted"):
        archives.archive_folder(dataset)
    assert _cache_entries(tmp_path) == []
    with pytest.raises(BenchmarkInitError, match="server answered 404"):
        archives.download(_url(http, "/absent.tar.gz"), tmp_path / "x")


def test_archive_datasets_are_listed_by_the_cli(http, roots) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "compiler_env.cli", "datasets"],
        capture_output=True, text=True, timeout=120, cwd=REPO, env=_environment(*roots),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    sizes = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()}
    assert sizes == {"tiny-badsum-v0": "2", "tiny-flaky-v0": "2", "tiny-v0": "2"}
    assert sum(http.requests.values()) == 0
