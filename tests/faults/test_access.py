"""Who can reach a service: a private unix socket, loopback TCP, a token, TLS."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import compiler_env
from compiler_env.errors import (
    BenchmarkInitError,
    InvalidArgument,
    ServiceUnavailable,
    Unauthenticated,
)
from service.server import RunningService, create_server

CRC32 = "benchmark://kernels-v0/crc32"


def test_the_default_socket_is_private(service: RunningService) -> None:
    assert service.address.startswith("unix:")
    socket_path = Path(service.address.removeprefix("unix:"))
    assert socket_path.parent == service.directory
    assert stat.S_IMODE(service.directory.stat().st_mode) == 0o700
    assert service.directory.stat().st_uid == os.getuid()


def test_tcp_is_opt_in_binds_loopback_and_requires_a_generated_token() -> None:
    command = [sys.executable, "-m", "service", "--tcp", "0", "--pool-size", "0", "--allow-root"]
    env = {k: v for k, v in os.environ.items() if k != "COMPILER_ENV_TOKEN"}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        address = process.stdout.readline().strip()
        assert address.startswith("127.0.0.1:") and int(address.rsplit(":", 1)[1]) > 0
        line = process.stderr.readline()
        assert line.startswith("compiler service: token "), line
        token = line.split()[3]
        assert len(token) >= 32
        with pytest.raises(Unauthenticated, match="requires a token"):
            compiler_env.make("llvm-v0", benchmark=CRC32, service=address)
        with compiler_env.make("llvm-v0", benchmark=CRC32, service=address, token=token) as env:
            env.reset()
            env.step(0)
            assert not env.session_info.direct  # steps go through the service over TCP
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_serving_tcp_as_root_or_without_a_token_takes_a_flag() -> None:
    command = [sys.executable, "-m", "service", "--tcp", "0", "--pool-size", "0"]
    if os.geteuid() == 0:
        refused = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert refused.returncode == 2
        assert "refusing to serve TCP as root" in refused.stderr
        assert "Traceback" not in refused.stderr
        command.append("--allow-root")
    process = subprocess.Popen(
        [*command, "--no-token"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        address = process.stdout.readline().strip()
        assert "requires no token" in process.stderr.readline()  # warned, loudly
        with compiler_env.make("llvm-v0", benchmark=CRC32, service=address) as env:
            env.reset()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_tcp_service_made_in_python_has_a_token_unless_told_otherwise(capfd) -> None:
    running = create_server("127.0.0.1:0", pool_size=0)
    try:
        assert running.token and len(running.token) >= 32
        with pytest.raises(Unauthenticated):
            compiler_env.make("llvm-v0", service=running.address)
    finally:
        running.stop()
    anonymous = create_server("127.0.0.1:0", pool_size=0, allow_anonymous=True)
    try:
        assert anonymous.token is None
        assert "requires no token" in capfd.readouterr().err
        with compiler_env.make("llvm-v0", benchmark=CRC32, service=anonymous.address) as env:
            env.reset()
    finally:
        anonymous.stop()


@pytest.fixture(scope="module")
def token_service() -> Iterator[RunningService]:
    running = create_server("127.0.0.1:0", pool_size=0, token="s3cret-token")
    yield running
    running.stop()


@pytest.mark.parametrize("token", [None, "wrong"])
def test_calls_without_the_right_token_are_refused(token_service, token) -> None:
    with pytest.raises(Unauthenticated, match="requires a token"):
        compiler_env.make("llvm-v0", service=token_service.address, token=token)


def test_health_probes_need_no_token(token_service) -> None:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(token_service.address) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(), timeout=10
        )
        assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_the_right_token_is_accepted(token_service) -> None:
    with compiler_env.make(
        "llvm-ic-v0", benchmark=CRC32, service=token_service.address, token="s3cret-token"
    ) as env:
        env.reset()
        _, reward, *_ = env.step(env.action_space.index("mem2reg"))
        assert reward > 0


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[bytes, bytes]:
    """A self-signed certificate for localhost and 127.0.0.1: (key, certificate)."""
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", "key.pem", "-out", "cert.pem", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        cwd=folder, check=True, capture_output=True,
    )  # fmt: skip
    return (folder / "key.pem").read_bytes(), (folder / "cert.pem").read_bytes()


def test_tls_on_loopback(certificate) -> None:
    key, cert = certificate
    running = create_server("127.0.0.1:0", pool_size=0, tls=(key, cert), token="t")
    port = running.address.rsplit(":", 1)[1]
    try:
        with compiler_env.make(
            "llvm-v0",
            benchmark=CRC32,
            service=f"localhost:{port}",
            token="t",
            tls_root_certificates=cert,
        ) as env:
            env.reset()
            env.step(0)
            assert env.observation["IrInstructionCount"] > 0
        # A plain-text client cannot talk to it, and is told why.
        with pytest.raises(ServiceUnavailable, match="pass tls_root_certificates"):
            compiler_env.make("llvm-v0", service=running.address, token="t", connect_timeout=2)
        with pytest.raises(ServiceUnavailable, match="no compiler service answered"):
            compiler_env.make("llvm-v0", service=f"localhost:{port}", token="t", connect_timeout=2)
    finally:
        running.stop()


def test_a_tls_client_of_a_plain_service_is_told_why(certificate) -> None:
    _, cert = certificate
    running = create_server("127.0.0.1:0", pool_size=0, token="t")
    try:
        with pytest.raises(ServiceUnavailable, match="TLS handshake failed"):
            compiler_env.make(
                "llvm-v0",
                service=running.address,
                token="t",
                tls_root_certificates=cert,
                connect_timeout=2,
            )
    finally:
        running.stop()


def test_the_standard_health_service_answers(service: RunningService) -> None:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(service.address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for name in ("", "compiler_env.CompilerService"):
            reply = stub.Check(health_pb2.HealthCheckRequest(service=name), timeout=10)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_a_tcp_service_reads_no_files_of_its_machine(token_service, tmp_path: Path) -> None:
    from compiler_env import benchmark_from_file
    from compiler_env.errors import BenchmarkNotFound

    program = tmp_path / "p.c"
    program.write_text("int main(void) { return 0; }\n")
    with compiler_env.make("llvm-v0", service=token_service.address, token="s3cret-token") as env:
        with pytest.raises(BenchmarkNotFound, match="does not read files"):
            env.reset(options={"benchmark": f"file://{program}"})
        env.reset(options={"benchmark": benchmark_from_file(program)})  # sent, not read
        env.step(0)


@pytest.mark.parametrize(
    "source",
    [
        '#include "{secret}"\nint main(void) {{ return 0; }}\n',
        'const char d[] = {{\n#embed "{secret}"\n}};\nint main(void) {{ return d[0]; }}\n',
        '#include "../../../../../../../../..{secret}"\nint main(void) {{ return 0; }}\n',
    ],
    ids=["include", "embed", "relative"],
)
def test_a_remote_program_reads_no_file_of_the_service_machine(tmp_path, source) -> None:
    secret = tmp_path / "shadow"
    secret.write_text("root:SECRET-HASH:19000:0:99999:7:::\n")
    secret.chmod(0o600)
    running = create_server("127.0.0.1:0", pool_size=0)
    env = compiler_env.make("llvm-v0", service=running.address, token=running.token)
    try:
        program = compiler_env.benchmark_from_source(
            source.format(secret=secret), cflags=["-std=c23"]
        )
        env.benchmark = program
        with pytest.raises(InvalidArgument, match="not a file of the program") as refused:
            env.reset()
        assert "SECRET-HASH" not in str(refused.value)
        # Its own headers and the system's are fine.
        env.benchmark = compiler_env.benchmark_from_source(
            '#include <stdio.h>\n#include "mine.h"\nint main(void) { return N; }\n',
            headers={"mine.h": "#define N 3\n"},
        )
        env.reset()
    finally:
        env.close()
        running.stop()


def test_a_linked_file_that_is_not_ir_is_not_quoted(make_env, tmp_path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("root:SECRET-HASH:19000:0:99999:7:::\n")
    link = tmp_path / "program.ll"
    link.symlink_to(secret)
    env = make_env("llvm-v0", benchmark=f"file://{link}")
    with pytest.raises(BenchmarkInitError, match="1:1: error: expected top-level") as refused:
        env.reset()
    assert "SECRET-HASH" not in str(refused.value)


def test_another_local_user_is_refused_by_a_default_tcp_service() -> None:
    import grpc

    from service.proto import compiler_env_pb2 as pb
    from service.proto import compiler_env_pb2_grpc as pb_grpc

    def version(address: str) -> grpc.StatusCode:
        with grpc.insecure_channel(address) as channel:
            try:
                pb_grpc.CompilerServiceStub(channel).GetVersion(pb.GetVersionRequest(), timeout=10)
            except grpc.RpcError as error:
                return error.code()  # type: ignore[attr-defined, no-any-return]
        return grpc.StatusCode.OK

    running = create_server("127.0.0.1:0", pool_size=0)  # no token given: one is made
    try:
        assert version(running.address) == grpc.StatusCode.UNAUTHENTICATED  # warms gRPC up
        child = os.fork()
        if child == 0:  # another user: "nobody" (this process can only be itself otherwise)
            status = 3
            try:
                if os.geteuid() == 0:
                    os.setgid(65534)
                    os.setuid(65534)
                refused = version(running.address) == grpc.StatusCode.UNAUTHENTICATED
                status = 0 if refused and (os.getuid() == 65534 or os.geteuid() != 0) else 1
            finally:
                os._exit(status)
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        running.stop()
