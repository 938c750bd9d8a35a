"""User programs carried in ``inline://`` URIs, as the service decodes and checks them."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zlib
from pathlib import Path

import pytest

from compiler_env.errors import BenchmarkInitError, BenchmarkNotFound, InvalidArgument
from compiler_env.programs import benchmark_from_source
from service import benchmarks
from service.datasets import compile as compile_module
from service.datasets.cflags import check_cflags
from service.datasets.compile import MAX_ERROR_BYTES, build_module, compile_c, run_tool
from service.llvm.toolchain import find_toolchain
from service.proto import bundle

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


def test_client_and_service_share_one_codec() -> None:
    files = {"program.c": PROGRAM.encode(), "defs.h": b"#define N 4\n"}
    uri = benchmark_from_source(PROGRAM, headers={"defs.h": "#define N 4\n"}).uri
    assert uri == bundle.encode(files, [])
    digest, _, query = uri[len("inline://") :].partition("?")
    assert bundle.decode(bundle.unpack(query, digest)) == (files, [], {}, ["program.c"])
    hand_made = _uri(files)  # another client's JSON spacing: another digest, same program
    digest, _, query = hand_made[len("inline://") :].partition("?")
    assert bundle.decode(bundle.unpack(query, digest)) == (files, [], {}, ["program.c"])


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
    accepted = ["-DN=3", "-D", "M", "-Iinclude", "-I", "opt/x", "-std=c99", "-fno-inline",
                "-Wall", "-march=x86-64", "-include", "defs.h"]  # fmt: skip
    assert check_cflags(accepted) == accepted
    for flag in ("-fplugin=p.so", "-Xclang", "-mllvm", "@args.txt", "-ftime-trace=/tmp/x",
                 "--output=x", "-Wp,-MD,x"):  # fmt: skip
        with pytest.raises(InvalidArgument, match="is not accepted"):
            check_cflags([flag])
    with pytest.raises(InvalidArgument, match="needs a value"):
        check_cflags(["-D"])
    with pytest.raises(InvalidArgument, match="-fpass-plugin=x.so"):
        benchmarks.resolve(_uri({"a.c": b"int main(void) { return 0; }"}, ["-fpass-plugin=x.so"]))


# -- file names and flags that would let a client steer clang ----------------------

MAIN = b"int main(void) { return 0; }\n"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("--config=./cfg.c", "begins with '-'"),
        ("-Xclang", "begins with '-'"),
        ("@args.c", "begins with '@'"),
        ("a\0b.c", "NUL or control character"),
        ("../escape.c", "'..' component"),
        ("src/../../escape.c", "'..' component"),
        ("/etc/passwd.c", "absolute"),
        ("./a.c", "plain form"),
        ("src//a.c", "plain form"),
        ("", "is empty"),
        ("src\\a.c", "backslash"),
        ("src/@main.c", "part beginning with '-' or '@'"),
        ("src/-x.c", "part beginning with '-' or '@'"),
    ],
)
def test_file_names_clang_could_misread_are_refused(name: str, reason: str) -> None:
    with pytest.raises(InvalidArgument, match=f"file name .* {re.escape(reason)}"):
        benchmarks.resolve(_uri({"main.c": MAIN, name: b"-Xclang -load -Xclang ./p.so\n"}))


def test_a_name_that_is_both_a_file_and_a_folder_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="file 'a' and files under 'a/'"):
        benchmarks.resolve(_uri({"main.c": MAIN, "a": b"x", "a/b.h": b"#define B 1\n"}))
    with pytest.raises(InvalidArgument, match="cannot be written"):
        benchmarks.resolve(_uri({"main.c": MAIN, "x" * 300 + ".h": b""}))


def _spy_commands(monkeypatch) -> list[list[str]]:
    """The commands the compile module runs from now on (each is made to die with
    its parent first: that prefix is checked, then left out)."""
    commands: list[list[str]] = []
    real_run = compile_module.subprocess.run
    prefix = ["setpriv", "--pdeathsig", "KILL", "--"]

    def run(command, *args, **kwargs):
        assert list(command[: len(prefix)]) == prefix
        commands.append(list(command[len(prefix) :]))
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(compile_module.subprocess, "run", run)
    return commands


def test_clang_reads_no_config_and_takes_file_names_as_inputs(monkeypatch, tmp_path) -> None:
    # On the service's own side (datasets, file:// URIs) a file named like an
    # option still compiles as an input; one named like a response file is refused.
    (tmp_path / "-w.c").write_bytes(b"int f(void) { return 1; }\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "@opts.c").write_bytes(b"int g(void) { return 2; }\n")
    (tmp_path / "sub" / "opts.c").write_bytes(b"-Xclang -load -Xclang ./p.so\n")
    commands = _spy_commands(monkeypatch)
    assert build_module(tmp_path, ["-w.c"])[:4] == b"BC\xc0\xde"
    with pytest.raises(BenchmarkInitError, match="begins with '@' cannot be compiled"):
        build_module(tmp_path, ["sub/@opts.c"])
    (clang_run,) = [c for c in commands if Path(c[0]).name.startswith("clang")]
    assert clang_run[1] == "--no-default-config"
    assert clang_run[-2:] == ["--", "./-w.c"]
    # Any clang run through run_tool, e.g. the link step of a generator.
    clang = str(find_toolchain().tool("clang"))
    run_tool([clang, "--version"], what="clang --version")
    assert commands[-1][:2] == [clang, "--no-default-config"]


def test_a_flag_holding_at_cannot_read_a_file_of_options() -> None:
    # clang passes -D@opts.c on as "-D" "@opts.c", which reads opts.c as options.
    files = {"main.c": MAIN, "opts.c": b"-Xclang -load -Xclang ./p.so\n"}
    for flags in (["-D@opts.c"], ["-I@opts.c"], ["-D", "@opts.c"], ["-fmacro-prefix-map=@x=y"]):
        with pytest.raises(InvalidArgument, match="holds '@'"):
            benchmarks.resolve(_uri(files, flags))
    with pytest.raises(InvalidArgument, match="part beginning with '-' or '@'"):
        benchmarks.resolve(_uri({"main.c": MAIN, "sub/@opts.c": MAIN}))


@pytest.mark.parametrize(
    "flags",
    [
        ["-I/etc"], ["-I", "/etc"], ["-isystem/usr/includes"], ["-isystem", "/x"],
        ["-I/usr/include/../../etc"], ["-include", "/usr/include/stdio.h"],
        ["-iquote", "/x"], ["-idirafter/x"], ["-include", "/etc/passwd"],
        ["-include/etc/passwd"], ["-imacros", "/etc/passwd"], ["-I.."], ["-I", "sub/../.."],
        ["-I=/etc"], ["-I$SYSROOT/etc"], ["-include-pch", "x.pch"], ["-isystem-after", "x"],
    ],
)  # fmt: skip
def test_include_paths_outside_the_program_are_refused(flags: list[str]) -> None:
    with pytest.raises(InvalidArgument, match="relative path inside the program"):
        check_cflags(flags)


@pytest.mark.parametrize(
    "flags",
    [
        ["--sysroot=/"], ["--sysroot", "/"], ["-isysroot", "/"], ["-iprefix", "/"],
        ["-iwithprefix", "x"], ["-ivfsoverlay", "o.yaml"], ["-B/tmp"], ["-Bbin"],
        ["-fplugin=p.so"], ["-Xclang", "-load"], ["-mllvm", "-x"], ["-mllvm=-x"],
        ["-Wl"], ["-Wp,-MD,x"], ["@args"], ["-D", "@args"], ["-Wl,@args"],
        ["-working-directory=.."], ["-fprofile-use=.."], ["-fmodules"],
        ["-fmodule-map-file=m"], ["-fsanitize-ignorelist=x"], ["-fsyntax-only"],
        ["--embed-dir=/"], ["-F/x"], ["-cxx-isystem", "/x"], ["-DX\0"],
    ],
)  # fmt: skip
def test_flags_that_reach_files_or_tools_are_refused(flags: list[str]) -> None:
    with pytest.raises(InvalidArgument):
        check_cflags(flags)


def test_flags_of_optimization_debug_info_linking_and_output_are_left_out() -> None:
    makefile = ["-O3", "-g", "-ggdb3", "-static", "-lm", "-L", "/opt/lib", "-Wl,-rpath,/x",
                "-x", "c", "-c", "-o", "out.o", "-MMD", "-MF", "deps.d", "-pipe",
                "-flto"]  # fmt: skip
    assert check_cflags(makefile) == []
    assert check_cflags(["-DX", "-O2", "-Iinc", "-g"]) == ["-DX", "-Iinc"]
    # A define's value is its own, even when it looks like a left-out flag.
    assert check_cflags(["-DOPT=-O2", "-D", "G=-g"]) == ["-DOPT=-O2", "-D", "G=-g"]
    with pytest.raises(InvalidArgument, match="needs a value after it, not '-O2'"):
        check_cflags(["-D", "-O2"])
    with pytest.raises(InvalidArgument, match="-x c\\+\\+ says the input is not C"):
        check_cflags(["-x", "c++"])
    with pytest.raises(InvalidArgument, match="is not C"):
        check_cflags(["-xassembler"])


def test_folders_of_the_system_headers_may_be_named() -> None:
    # e.g. -I/usr/include/tirpc; linux/capability.h comes with libc6-dev.
    flags = ["-I/usr/include/linux", "-isystem", "/usr/local/include", "-idirafter/usr/include"]
    assert check_cflags(flags) == flags
    source = b"#include <capability.h>\nint main(void) { return _LINUX_CAPABILITY_U32S_3 - 2; }\n"
    assert benchmarks.resolve(_uri({"main.c": source}, flags[:1])).bitcode[:4] == b"BC\xc0\xde"
    with pytest.raises(BenchmarkInitError, match="'capability.h' file not found"):
        benchmarks.resolve(_uri({"main.c": source}))
    with pytest.raises(InvalidArgument, match="include_dirs="):
        check_cflags(["-I/home/someone/include"])


def test_relative_include_flags_inside_the_program_work() -> None:
    flags = ["-Iinclude", "-I.", "-isystem", "sys", "-iquote", "q/", "-idirafter", "late",
             "-imacros", "m.h", "-include", "sys/pre.h", '-DPATH="/x"', "-D", "V=-1"]  # fmt: skip
    assert check_cflags(flags) == flags
    uri = _uri(
        {"main.c": b"int main(void) { return A + B + M; }\n", "include/a.h": b"#define A 1\n",
         "sys/pre.h": b'#include "a.h"\n#define B 2\n', "m.h": b"#define M 3\n"},
        ["-Iinclude", "-include", "sys/pre.h", "-imacros", "m.h"],
    )  # fmt: skip
    assert benchmarks.resolve(uri).bitcode[:4] == b"BC\xc0\xde"


def test_compiler_messages_are_cut_at_4_kib() -> None:
    lines = b"".join(b"int v%d = undeclared_%s;\n" % (i, b"x" * 300) for i in range(30))
    with pytest.raises(BenchmarkInitError) as raised:
        benchmarks.resolve(_uri({"main.c": lines + MAIN}))
    message = str(raised.value)
    assert "more bytes of messages not shown" in message
    assert len(message.encode()) < MAX_ERROR_BYTES + 1024
    assert "undeclared_" in message  # the first errors are still shown


# -- file:// URIs ------------------------------------------------------------------


def test_file_uris_are_refused_when_the_service_is_not_local(monkeypatch, tmp_path) -> None:
    program = tmp_path / "prog.c"
    program.write_bytes(MAIN)
    monkeypatch.setenv("COMPILER_ENV_ALLOW_FILE_URIS", "0")
    for uri in (f"file://{program}", "file:///etc/passwd", "file:///no/such/file.c"):
        with pytest.raises(BenchmarkNotFound, match=r"does not read files of its machine; "
                           r"send the program with compiler_env\.benchmark_from_file"):  # fmt: skip
            benchmarks.resolve(uri)
    monkeypatch.setenv("COMPILER_ENV_ALLOW_FILE_URIS", "no")  # not "1": refused too
    with pytest.raises(BenchmarkNotFound, match="does not read files"):
        benchmarks.resolve(f"file://{program}")
    monkeypatch.setenv("COMPILER_ENV_ALLOW_FILE_URIS", "1")
    assert benchmarks.resolve(f"file://{program}").bitcode[:4] == b"BC\xc0\xde"
    monkeypatch.delenv("COMPILER_ENV_ALLOW_FILE_URIS")
    assert benchmarks.resolve(f"file://{program}").bitcode[:4] == b"BC\xc0\xde"


# -- the compile cache covers every file a program may include ---------------------


def test_the_cache_sees_headers_anywhere_under_the_program_folder(tmp_path) -> None:
    program = tmp_path / "prog" / "main.c"
    (program.parent / "sub" / "deep").mkdir(parents=True)
    program.write_bytes(b'#include "sub/deep/n.inc"\nint main(void) { return N; }\n')
    header = program.parent / "sub" / "deep" / "n.inc"
    header.write_bytes(b"#define N 1\n")
    first = benchmarks.resolve(f"file://{program}").bitcode
    assert benchmarks.resolve(f"file://{program}").bitcode == first
    header.write_bytes(b"#define N 22\n")
    assert benchmarks.resolve(f"file://{program}").bitcode != first


def test_the_cache_sees_relative_include_folders_outside_the_root(tmp_path) -> None:
    (tmp_path / "common").mkdir()
    (tmp_path / "app").mkdir()
    header = tmp_path / "common" / "n.h"
    header.write_bytes(b"#define N 1\n")
    source = tmp_path / "app" / "main.c"
    source.write_bytes(b'#include "n.h"\nint main(void) { return N; }\n')
    first = compile_c([source], ["-I../common"])
    header.write_bytes(b"#define N 333\n")
    assert compile_c([source], ["-I../common"]) != first


def test_a_folder_too_large_to_look_at_is_not_cached(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(compile_module, "MAX_FINGERPRINT_ENTRIES", 2)
    for i in range(3):
        (tmp_path / f"h{i}.h").write_bytes(b"#define N 1\n")
    source = tmp_path / "main.c"
    source.write_bytes(b'#include "h0.h"\nint main(void) { return N; }\n')
    assert compile_c([source])[:4] == b"BC\xc0\xde"
    assert not list((tmp_path.parent / "cache" / "bitcode").glob("*.bc"))


def test_every_file_of_a_bundle_is_part_of_its_cache_key() -> None:
    def uri(value: bytes) -> str:
        return _uri({"main.c": b'int main(void) { return\n#include "value.txt"\n; }\n',
                     "value.txt": value})  # fmt: skip

    assert benchmarks.resolve(uri(b"1")).bitcode != benchmarks.resolve(uri(b"2")).bitcode
