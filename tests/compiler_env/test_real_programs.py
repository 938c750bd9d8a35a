"""Programs shaped like real C projects (tests/data/programs), through every entry point.

Each program is reset and stepped through each way of bringing it in that
applies: ``benchmark_from_file``, ``_files``, ``_dir``, ``_compile_commands`` and a
``file://`` URI with its flags. The programs check themselves (``main`` returns 0).
"""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path
from urllib.parse import urlencode

import pytest

from compiler_env import (
    Benchmark,
    FlagsLeftOut,
    benchmark_from_compile_commands,
    benchmark_from_dir,
    benchmark_from_file,
    benchmark_from_files,
    benchmark_from_source,
)
from compiler_env.errors import BenchmarkInitError, BenchmarkNotFound, InvalidArgument
from service.proto import bundle

PROGRAMS = Path(__file__).resolve().parents[1] / "data" / "programs"
STEPS = ("sroa", "instcombine", "simplifycfg")


@pytest.fixture(scope="module")
def env(service):
    import compiler_env

    with compiler_env.make("llvm-ic-v0", service=service.address) as made:
        yield made


@pytest.fixture
def programs(tmp_path: Path) -> Path:
    """A copy of the programs, at a place of this test's own."""
    return Path(shutil.copytree(PROGRAMS, tmp_path / "programs"))


def _episode(env, benchmark: Benchmark | str) -> tuple[int, int]:
    """Resets on the benchmark and steps; the instruction counts before and after."""
    env.reset(options={"benchmark": benchmark})
    start = env.observation["IrInstructionCount"]
    env.multistep([env.action_space.index(name) for name in STEPS])
    end = env.observation["IrInstructionCount"]
    assert start > end > 0
    return start, end


def _files_of(benchmark: Benchmark) -> dict[str, bytes]:
    digest, _, query = benchmark.uri[len("inline://") :].partition("?")
    return bundle.decode(bundle.unpack(query, digest))[0]


def _file_uri(path: Path, cflags: list[str] | None = None) -> str:
    query = f"?{urlencode({'cflags': ' '.join(cflags)})}" if cflags else ""
    return f"{path.as_uri()}{query}"


def test_a_program_of_several_files(env, programs: Path) -> None:
    multi = programs / "multi"
    whole = _episode(env, benchmark_from_dir(multi))
    sources = sorted(multi.glob("*.c"))
    assert _episode(env, benchmark_from_files(sources)) == whole
    assert env.validate().ok  # it still runs and returns 0


def test_headers_in_subfolders_and_sibling_folders(env, programs: Path) -> None:
    main = programs / "nested" / "app" / "main.c"
    benchmark = benchmark_from_file(main)
    # What main.c includes is sent, at the user's own relative paths.
    assert set(_files_of(benchmark)) == {
        "app/main.c", "app/sub/config.h", "common/ring.h", "common/ring_impl.h"
    }  # fmt: skip
    counts = _episode(env, benchmark)
    assert _episode(env, benchmark_from_files([main])) == counts
    assert _episode(env, _file_uri(main)) == counts
    assert _episode(env, benchmark_from_dir(programs / "nested")) == counts
    assert env.validate().ok


def test_messages_name_the_users_own_paths(env, programs: Path) -> None:
    ring = programs / "nested" / "common" / "ring_impl.h"
    ring.write_text(ring.read_text() + "int broken = undeclared_here;\n")
    with pytest.raises(BenchmarkInitError) as raised:
        env.reset(options={"benchmark": benchmark_from_file(programs / "nested/app/main.c")})
    message = str(raised.value)
    assert "ring_impl.h" in message and "undeclared_here" in message
    assert "_include" not in message


def test_legacy_c_with_the_flag_the_error_names(env, programs: Path) -> None:
    knr = programs / "legacy" / "knr.c"
    with pytest.raises(BenchmarkInitError, match="-std=gnu89"):
        env.reset(options={"benchmark": benchmark_from_file(knr)})
    counts = _episode(env, benchmark_from_file(knr, cflags=["-std=gnu89"]))
    assert _episode(env, _file_uri(knr, ["-std=gnu89"])) == counts
    assert _episode(env, benchmark_from_dir(knr.parent, cflags=["-std=gnu89"])) == counts
    assert env.validate().ok


def test_a_program_needing_defines_and_include_folders(
    env, programs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = programs / "flags"
    prog = folder / "prog.c"
    with pytest.raises(BenchmarkInitError, match="compile with -DTABLE_SIZE"):
        env.reset(options={"benchmark": benchmark_from_file(prog, include_dirs=[folder / "inc"])})
    counts = _episode(env, benchmark_from_dir(folder, cflags=["-Iinc"], defines={"TABLE_SIZE": 12}))
    assert _episode(env, _file_uri(prog, ["-DTABLE_SIZE=12", "-Iinc"])) == counts
    # Relative flags of benchmark_from_file(s) are relative to the working folder, as for clang.
    monkeypatch.chdir(folder)
    assert _episode(env, benchmark_from_file("prog.c", cflags=["-Iinc", "-DTABLE_SIZE=12"])) == (
        counts
    )
    # An absolute -I folder of this machine is sent along; include_dirs= does the same.
    absolute = benchmark_from_file(prog, cflags=[f"-I{folder / 'inc'}"], defines={"TABLE_SIZE": 12})
    assert _episode(env, absolute) == counts
    listed = benchmark_from_file(prog, include_dirs=[folder / "inc"], defines={"TABLE_SIZE": 12})
    assert _episode(env, listed) == counts
    assert "inc/table.h" in _files_of(listed)


def test_makefile_flags_are_left_out_with_one_notice(env, programs: Path) -> None:
    prog = programs / "flags" / "prog.c"
    makefile = ["-O3", "-g", "-Wall", "-static", "-lm", "-x", "c", "-DTABLE_SIZE=12",
                f"-I{prog.parent / 'inc'}", "-c", "-o", "prog.o"]  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        benchmark = benchmark_from_file(prog, cflags=makefile)
    notices = [w for w in caught if issubclass(w.category, FlagsLeftOut)]
    assert len(notices) == 1
    assert "-O3 -g -static -lm -x c -c -o prog.o" in str(notices[0].message)
    assert _episode(env, benchmark)[0] > 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # flags that all count: nothing to say
        benchmark_from_file(prog, cflags=["-DTABLE_SIZE=12", f"-I{prog.parent / 'inc'}"])
    with pytest.warns(FlagsLeftOut, match=r"include folders nowhere \(/"):
        benchmark_from_file(prog, cflags=["-Inowhere"])
    with pytest.raises(InvalidArgument, match="compiles C"):
        benchmark_from_file(prog, cflags=["-x", "c++"])
    for refused in (["-mllvm", "-inline-threshold=0"], ["-fplugin=x.so"]):
        with pytest.raises(InvalidArgument, match="passes as actions"):
            env.reset(options={"benchmark": benchmark_from_file(prog, cflags=refused)})


def test_choosing_files_of_a_folder(env, programs: Path) -> None:
    folder = programs / "variants"
    with pytest.raises(BenchmarkInitError, match="exclude="):  # two mains
        env.reset(options={"benchmark": benchmark_from_dir(folder)})
    small = benchmark_from_dir(folder, exclude=["*_large.c"])
    assert "kernel_large.c" not in _files_of(small) and "kernel.h" in _files_of(small)
    counts = _episode(env, small)
    assert _episode(env, benchmark_from_dir(folder, include=["*_small.c"])) == counts
    assert _episode(env, benchmark_from_file(folder / "kernel_small.c")) == counts
    assert _episode(env, _file_uri(folder / "kernel_small.c")) == counts
    small_sha1 = env.observation["IrSha1"]
    _episode(env, benchmark_from_dir(folder, include=["kernel_large.c"]))
    assert env.observation["IrSha1"] != small_sha1
    with pytest.raises(InvalidArgument, match="no file matching the patterns"):
        benchmark_from_dir(folder, include=["*.cpp"])


def _compile_commands(project: Path) -> Path:
    """The compilation database CMake would write for the project, in its build folder."""
    build = project / "build"
    build.mkdir()
    flags = '-DVEC_SIZE=8 -I{root}/include -O2 -g -Wall -std=gnu11'
    entries = [
        {"directory": str(build), "file": str(project / "src" / "main.c"),
         "command": f"/usr/bin/cc {flags.format(root=project)} '-DGREETING=\"hello world\"' "
                    f"-o CMakeFiles/app.dir/src/main.c.o -c {project / 'src' / 'main.c'}"},
        {"directory": str(build), "file": "../src/lib/vec.c",
         "arguments": ["cc", "-DVEC_SIZE=8", "-I../include", "-O2", "-fPIC", "-c",
                       "../src/lib/vec.c", "-o", "vec.o"]},
        {"directory": str(build), "file": str(project / "src" / "tool.c"),
         "arguments": ["cc", "-c", str(project / "src" / "tool.c")]},
        {"directory": str(build), "file": "../src/extra.cpp",
         "arguments": ["c++", "-c", "../src/extra.cpp"]},
    ]  # fmt: skip
    (build / "compile_commands.json").write_text(json.dumps(entries))
    return build


def test_a_project_described_by_compile_commands(env, programs: Path) -> None:
    project = programs / "project"
    build = _compile_commands(project)
    app = [project / "src" / "main.c", "*/vec.c"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FlagsLeftOut)
        benchmark = benchmark_from_compile_commands(build, files=app)
        same = benchmark_from_compile_commands(build / "compile_commands.json", files=app)
        everything = benchmark_from_compile_commands(build)  # every C file: two mains
    assert benchmark == same
    files = _files_of(benchmark)
    assert set(files) == {"src/main.c", "src/lib/vec.c", "include/vec.h"}
    counts = _episode(env, benchmark)
    assert env.validate().ok  # each file had its own flags: GREETING only in main.c
    with pytest.raises(BenchmarkInitError, match="files="):
        env.reset(options={"benchmark": everything})
    assert env.observation["IrInstructionCount"] == counts[1]  # the episode is kept
    with pytest.raises(BenchmarkNotFound, match="no entry for"):
        benchmark_from_compile_commands(build, files=["absent.c"])
    with pytest.raises(InvalidArgument, match="not a C file"):
        benchmark_from_compile_commands(build, files=["*.cpp"])
    with pytest.raises(BenchmarkNotFound, match="CMAKE_EXPORT_COMPILE_COMMANDS"):
        benchmark_from_compile_commands(project)


def test_file_uris_take_flags_and_refuse_unknown_parameters(env, programs: Path) -> None:
    prog = programs / "flags" / "prog.c"
    with pytest.raises(BenchmarkNotFound, match="unknown URI parameter 'flags'"):
        env.reset(options={"benchmark": f"{prog.as_uri()}?flags=-DX"})
    ir = programs / "f.ll"
    ir.write_text("define i32 @f() {\n  ret i32 0\n}\n")
    with pytest.raises(BenchmarkNotFound, match="IR and bitcode are taken as given"):
        env.reset(options={"benchmark": f"{ir.as_uri()}?cflags=-DX"})
    uri = _file_uri(prog, ["-DTABLE_SIZE=3", "-Iinc"]) + "&level=O3"
    env.reset(options={"benchmark": uri})
    assert env.observation["IrInstructionCount"] > 0


def test_source_text_with_include_folders_keeps_their_paths(env, programs: Path) -> None:
    inc = programs / "flags" / "inc"
    source = "#include <table.h>\nint main(void) { return table_value(2) - 5; }\n"
    benchmark = benchmark_from_source(source, include_dirs=[inc], defines={"TABLE_SIZE": 1})
    assert any(name.endswith("flags/inc/table.h") for name in _files_of(benchmark))
    assert not any(name.startswith("_include") for name in _files_of(benchmark))
    assert _episode(env, benchmark)[0] > 0
