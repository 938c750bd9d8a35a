"""The observation spaces: what each one is, and how a session computes it."""

from __future__ import annotations

import functools
import hashlib
from array import array
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from service.llvm import features, tokens
from service.llvm.module import Context, Module
from service.proto import compiler_env_pb2 as pb
from service.proto.errors import UnknownSpace
from service.runtime import Runner

__all__ = ["SPACES", "Measured", "ObservationSpec", "check", "compute", "to_proto"]

_INT64_MAX = float(2**63 - 1)


class Measured(Protocol):
    """What an observation is computed from: the current module, what is already
    counted of it, and the benchmark's baselines (a worker's ``Episode`` is one)."""

    module: Module

    def instcount(self) -> array[int]:
        """``InstCount`` of ``module``, computed once per step."""
        ...

    def text_size(self) -> int:
        """``ObjectTextSizeBytes`` of ``module``."""
        ...

    def baseline(self, space: str, level: str) -> int:
        """``space`` measured on the benchmark after ``default<level>``."""
        ...

    def is_buildable(self) -> bool:
        """Whether ``module`` compiles and links to an executable."""
        ...

    def buildtime(self) -> float:
        """Seconds to compile and link ``module``."""
        ...

    def runtimes(self) -> list[float]:
        """Wall-clock seconds of runs of ``module``'s program, checked against the
        unoptimized program's behaviour."""
        ...

    def dynamic_count(self) -> int:
        """IR instructions ``module``'s program executes on its input."""
        ...

    def runtime_baseline(self, level: str) -> list[float]:
        """``runtimes()`` of the benchmark after clang's ``-<level>``."""
        ...

    @property
    def runner(self) -> Runner:
        """Builds and runs the program."""
        ...


@dataclass(frozen=True)
class ObservationSpec:
    """One observation space."""

    name: str
    # "int64", "float64", "int64_vector", "int64_dict", "float64_vector",
    # "float64_samples" (a vector of any length), "text", "bytes", or a program graph
    # packed as bytes: "programl_arrays" or "programl_graph" (with full texts), or
    # "int32_sequence" (an int32 vector of any length, each in [low, high])
    kind: str
    description: str
    compute: Callable[[Measured], Any]
    shape: tuple[int, ...] = ()
    low: float = 0.0
    high: float = _INT64_MAX
    deterministic: bool = True
    platform_dependent: bool = False
    feature_names: tuple[str, ...] = ()
    charset: str = ""

    def info(self) -> pb.ObservationSpaceInfo:
        return pb.ObservationSpaceInfo(
            name=self.name,
            kind=self.kind,
            shape=list(self.shape),
            low=self.low,
            high=self.high,
            deterministic=self.deterministic,
            platform_dependent=self.platform_dependent,
            feature_names=list(self.feature_names),
            description=self.description,
            charset=self.charset,
        )


def _baseline(space: str, level: str, program: Measured) -> int:
    return program.baseline(space, level)


def _ir_sha1(text: str) -> str:
    if text.startswith("; ModuleID"):
        text = text.partition("\n")[2]
    return hashlib.sha1(text.encode()).hexdigest()


def _canonical_hash(module: Module) -> str:
    """``IrHash`` after a bitcode round trip, which undoes what only a module in
    memory has: its order of uses, and attributes that reading resets."""
    with Context() as scratch, scratch.parse(module.to_bitcode()) as reloaded:
        return features.ir_hash(reloaded)


def _verifier_error(program: Measured) -> str:
    try:
        program.module.verify()
    except Exception as error:
        return str(error) or "the module does not verify"
    return ""


def _samples(values: list[float]) -> array[float]:
    return array("d", values)


def _runtime_baseline(level: str, program: Measured) -> array[float]:
    return _samples(program.runtime_baseline(level))


def _instcount_norm(program: Measured) -> array[float]:
    counts = program.instcount()
    total = max(counts[2], 1)
    totals = (float(count > 0) for count in counts[:3])  # 1, or 0 when there are none
    return array("d", (*totals, *(count / total for count in counts[3:])))


def _specs() -> dict[str, ObservationSpec]:
    n_inst = len(features.INSTCOUNT_FEATURES)
    n_auto = len(features.AUTOPHASE_FEATURES)
    specs = [
        ObservationSpec(
            "Ir", "text", "the module as textual LLVM IR", lambda e: features.ir_text(e.module)
        ),
        ObservationSpec(
            "IrSha1",
            "text",
            "SHA-1 of the textual IR without its ModuleID line, in hex",
            lambda e: _ir_sha1(features.ir_text(e.module)),
            shape=(40,),
            charset="0123456789abcdef",
        ),
        ObservationSpec(
            "IrHash",
            "text",
            "a 128-bit structural hash of the module in hex: equal IR, equal hash (in any "
            "process); any change to its code, globals, attributes or metadata changes it. "
            "Cheap: for recognising states in a search",
            lambda e: features.ir_hash(e.module),
            shape=(32,),
            charset="0123456789abcdef",
        ),
        ObservationSpec(
            "IrCanonicalHash",
            "text",
            "IrHash of the module as it reads back from its own bitcode: equal for one program "
            "however it was saved and reloaded (docs/identity.md). About twice IrSha1's cost",
            lambda e: _canonical_hash(e.module),
            shape=(32,),
            charset="0123456789abcdef",
        ),
        ObservationSpec(
            "Bitcode",
            "bytes",
            "the module as LLVM bitcode with its use-list order, as opt writes it: it reads "
            "back into a module on which passes do what they do on this one",
            lambda e: features.bitcode(e.module),
        ),
        ObservationSpec(
            "IrInstructionCount",
            "int64",
            "number of instructions in the module's function bodies",
            lambda e: features.instruction_count(e.module),
        ),
        ObservationSpec(
            "InstCount",
            "int64_vector",
            "functions, blocks and instructions, then the count of each opcode",
            lambda e: e.instcount(),
            shape=(n_inst,),
            feature_names=features.INSTCOUNT_FEATURES,
        ),
        ObservationSpec(
            "InstCountDict",
            "int64_dict",
            "InstCount as a dict from feature name to count",
            lambda e: e.instcount(),
            shape=(n_inst,),
            feature_names=features.INSTCOUNT_FEATURES,
        ),
        ObservationSpec(
            "InstCountNorm",
            "float64_vector",
            "InstCount with each opcode count divided by the instruction count "
            "(and each total set to 1, or 0 when the module is empty)",
            _instcount_norm,
            shape=(n_inst,),
            high=1.0,
            feature_names=features.INSTCOUNT_FEATURES,
        ),
        ObservationSpec(
            "Autophase",
            "int64_vector",
            "the 56 Autophase features of Haj-Ali et al. (docs/observations-autophase.md)",
            lambda e: features.autophase(e.module),
            shape=(n_auto,),
            feature_names=features.AUTOPHASE_FEATURES,
        ),
        ObservationSpec(
            "ObjectTextSizeBytes",
            "int64",
            "size in bytes of the .text sections of the module compiled for the host",
            lambda e: e.text_size(),
            platform_dependent=True,
        ),
        *_programl_specs(),
        ObservationSpec(
            "IrTokens",
            "int32_sequence",
            "the module's IR as int32 token ids over the vocabulary of version "
            f"{tokens.VOCABULARY_VERSION} (compiler_env.tokens, docs/tokens.md): names "
            "normalized, no comments or metadata",
            lambda e: tokens.encode_module(e.module),
            high=float(len(tokens.vocabulary()) - 1),
        ),
    ]
    specs += _program_specs()
    for level in ("O0", "O3", "Oz"):
        specs += _baseline_specs(level)
    return {spec.name: spec for spec in specs}


def _baseline_specs(level: str) -> list[ObservationSpec]:
    """The measures of the benchmark through clang's ``-<level>`` (at ``O0``: unoptimized)."""

    def spec(measure: str, name: str, compute: Any, how: str = "", **flags: Any) -> ObservationSpec:
        description = (
            f"{measure} of the benchmark through clang's -{level}{how}"
            if level != "O0"
            else f"{measure} of the unoptimized benchmark"
        )
        return ObservationSpec(f"{name}{level}", "int64", description, compute, **flags)

    timed = dict(high=float("inf"), deterministic=False, platform_dependent=True)
    runtime = spec("Runtime", "Runtime", functools.partial(_runtime_baseline, level),
                   ", measured once on this machine and cached", **timed)  # fmt: skip
    return [
        spec("IrInstructionCount", "IrInstructionCount",
             functools.partial(_baseline, "IrInstructionCount", level),
             " (docs/datasets.md, Baselines)"),
        spec("ObjectTextSizeBytes", "ObjectTextSize",
             functools.partial(_baseline, "ObjectTextSizeBytes", level), " -c",
             platform_dependent=True),
        spec("DynamicInstructionCount", "DynamicInstructionCount",
             functools.partial(_baseline, "DynamicInstructionCount", level)),
        replace(runtime, kind="float64_samples"),
    ]  # fmt: skip


def _programl_specs() -> list[ObservationSpec]:
    """The program graph in its three forms (docs/programl.md)."""
    return [
        ObservationSpec(
            "Programl",
            "programl_graph",
            "the program graph (instruction, variable and constant nodes; control, data and "
            "call edges) as a networkx.MultiDiGraph, with each node's full text",
            lambda e: features.programl(e.module, full_text=True),
        ),
        ObservationSpec(
            "ProgramlArrays",
            "programl_arrays",
            "the program graph as a dict of numpy arrays: node_type, node_text_id into "
            "node_texts, node_function, node_block, edge_index (2, E), edge_flow, edge_position",
            lambda e: features.programl(e.module),
        ),
        ObservationSpec(
            "ProgramlJson",
            "text",
            "the program graph as node-link JSON (networkx.node_link_data's form, edges under "
            '"links")',
            lambda e: features.programl_json(e.module),
        ),
    ]


def _program_specs() -> list[ObservationSpec]:
    """The observations that build or run the program (docs/runtime.md)."""
    return [
        ObservationSpec(
            "IsBuildable",
            "int64",
            "1 when the module compiles and links to an executable (it has a main), else 0",
            lambda e: int(e.is_buildable()),
            high=1,
        ),
        ObservationSpec(
            "IsRunnable",
            "int64",
            "1 when the benchmark's program can be run (it has a main and its dataset runs "
            "its programs), else 0",
            lambda e: int(e.runner.runnable(e.module)),
            high=1,
        ),
        ObservationSpec(
            "Buildtime",
            "float64",
            "seconds to compile the module for the host and link it",
            lambda e: e.buildtime(),
            high=float("inf"),
            deterministic=False,
            platform_dependent=True,
        ),
        ObservationSpec(
            "Runtime",
            "float64_samples",
            "wall-clock seconds of each measured run of the program, after warm-up runs, "
            "pinned to one CPU; each run is checked against the unoptimized program's output",
            lambda e: _samples(e.runtimes()),
            high=float("inf"),
            deterministic=False,
            platform_dependent=True,
        ),
        ObservationSpec(
            "DynamicInstructionCount",
            "int64",
            "IR instructions the program executes on its input (basic-block executions "
            "weighted by block size): a deterministic proxy of speed",
            lambda e: e.dynamic_count(),
        ),
        ObservationSpec(
            "IrVerifierError",
            "text",
            'what LLVM\'s verifier finds wrong with the module, or "" when it verifies',
            _verifier_error,
        ),
        ObservationSpec(
            "SemanticsError",
            "text",
            "how the program's behaviour differs from the unoptimized program's (output, "
            'exit status, or a hang), or "" when it is the same',
            lambda e: e.runner.semantics_error(e.module),
        ),
    ]


SPACES: dict[str, ObservationSpec] = _specs()


def check(names: list[str]) -> None:
    """Raises UnknownSpace for the first name that is no observation space."""
    for name in names:
        if name not in SPACES:
            raise UnknownSpace(
                f"unknown observation space {name!r}; available: {', '.join(sorted(SPACES))}"
            )


def compute(program: Measured, name: str) -> Any:
    """Computes one observation of the program's current module."""
    check([name])
    return SPACES[name].compute(program)


# numpy dtype strings of array.array typecodes (little-endian, as on every supported host).
_DTYPES = {"q": "<i8", "i": "<i4", "d": "<f8"}


def to_proto(value: Any) -> pb.Observation:
    """Encodes an observation value for the wire."""
    if isinstance(value, str):
        return pb.Observation(text=value)
    if isinstance(value, bytes):
        return pb.Observation(binary=value)
    if isinstance(value, array):
        dtype = _DTYPES[value.typecode]
        return pb.Observation(array=pb.Array(dtype=dtype, shape=[len(value)], data=value.tobytes()))
    if isinstance(value, int):
        return pb.Observation(int64_value=int(value))
    return pb.Observation(double_value=float(value))
