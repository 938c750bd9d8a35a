"""Builds the native feature helper (service/llvm/_native) against the LLVM found,
and the client's graph extension (compiler_env._graph).

The helper is a C++ shared library with a C interface that Python loads with
ctypes. It walks modules with LLVM's C++ API, so it is compiled with the flags of
the LLVM it links against, which is found the same way the service finds LLVM
(COMPILER_ENV_LLVM_CONFIG, else llvm-config of a supported version). Without
LLVM's headers the package still installs, and the engine reports that the
helper is missing when used.

compiler_env._graph is a plain CPython extension, without LLVM, that makes the
Programl observation's networkx graph from its packed form; without a C compiler
(or on a big-endian host, which the packed form's reader does not handle) the
client makes the same graph in Python, more slowly.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup

SUPPORTED = (19,)


def llvm_config():
    explicit = os.environ.get("COMPILER_ENV_LLVM_CONFIG")
    candidates = [explicit] if explicit else []
    for major in SUPPORTED:
        candidates += [
            shutil.which(f"llvm-config-{major}"),
            f"/usr/lib/llvm-{major}/bin/llvm-config",
        ]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    return None


def native_extensions():
    config = llvm_config()
    if config is None:
        print("warning: no supported llvm-config found; the native helper is not built")
        return []

    def ask(flag):
        return subprocess.run(
            [config, flag], check=True, capture_output=True, text=True
        ).stdout.strip()

    include, libdir, major = ask("--includedir"), ask("--libdir"), ask("--version").split(".")[0]
    for header in ("llvm-c/Core.h", "llvm/IR/Module.h"):
        if not (Path(include) / header).exists():
            print(
                f"warning: {include}/{header} is missing (install llvm-{major}-dev); "
                "helper not built"
            )
            return []
    # LLVM's own C++ flags (language standard, -fno-exceptions, defines), plus the
    # settings that must match how libLLVM was built: NDEBUG when it has no
    # assertions (the inline code of its headers then skips them too), -fno-rtti
    # when it has no RTTI.
    flags = ask("--cxxflags").split() + ["-O2", "-g0"]
    if ask("--assertion-mode") == "OFF":
        flags.append("-DNDEBUG")
    if ask("--has-rtti") == "NO":
        flags.append("-fno-rtti")
    return [
        Extension(
            "service.llvm._native",
            sources=[
                "service/llvm/native/features.cpp",
                "service/llvm/native/emit.cpp",
                "service/llvm/native/instrument.cpp",
                "service/llvm/native/codesize.cpp",
                "service/llvm/native/hash.cpp",
                "service/llvm/native/text.cpp",
                "service/llvm/native/programl.cpp",
                "service/llvm/native/tokens.cpp",
            ],
            depends=["service/llvm/native/cenv_features.h"],
            language="c++",
            include_dirs=[include],
            library_dirs=[libdir],
            libraries=[f"LLVM-{major}"],
            runtime_library_dirs=[libdir],
            extra_compile_args=flags,
            optional=True,
        )
    ]


def client_extensions():
    if sys.byteorder != "little":
        return []
    return [
        Extension(
            "compiler_env._graph",
            sources=["compiler_env/native/graph.c"],
            extra_compile_args=["-O2", "-g0"],
            optional=True,
        )
    ]


def dataset_files():
    """The dataset manifests and programs, installed under share/compiler_env/datasets
    (where a non-editable install looks for them)."""
    files = {}
    for path in sorted(Path("datasets").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            target = str(Path("share/compiler_env") / path.parent)
            files.setdefault(target, []).append(str(path))
    return sorted(files.items())


setup(ext_modules=native_extensions() + client_extensions(), data_files=dataset_files())
