"""One session's program: the module an agent transforms, step by step."""

from __future__ import annotations

import contextlib
import json
import os
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from service import observations
from service.benchmarks import Benchmark, cache_dir
from service.llvm import features
from service.llvm.actions import ActionTable
from service.llvm.module import Context, Module, TargetMachine, host_target_machine
from service.llvm.pipelines import LEVELS, clang_pipeline
from service.llvm.toolchain import find_toolchain
from service.proto.errors import ProgramFailed
from service.runtime import Runner, machine_id

#: Runs of one Runtime observation, and unmeasured runs before them, unless a session says.
RUNTIME_RUNS = 5
RUNTIME_WARMUP_RUNS = 1

#: The ``; ModuleID`` of a program that records no source file name.
UNNAMED_MODULE = "module"

__all__ = ["RUNTIME_RUNS", "RUNTIME_WARMUP_RUNS", "UNNAMED_MODULE", "Episode", "canonical_bitcode"]


def canonical_bitcode(benchmark: Benchmark) -> bytes:
    """The benchmark as it reads back from bitcode written by this LLVM.

    Episodes start from these bytes, the same that the Bitcode observation
    gives and `opt` reads, so that both start with the same use-list order,
    which some passes depend on; they are written with that order
    (``features.bitcode``), as `opt` writes bitcode, so that a program saved
    from an episode goes on from where it was. They do not depend on the benchmark's URI:
    the module keeps the ``source_filename`` its program records, and IR text
    that records none gets none (LLVM would give it the name it was parsed as).
    """
    with Context() as scratch, scratch.parse(benchmark.bitcode, benchmark.uri) as module:
        module.verify()
        if module.source_filename == benchmark.uri:  # the parse's name, not the program's
            module.source_filename = ""
        return features.bitcode(module)


@contextlib.contextmanager
def _parsed(data: bytes) -> Iterator[Module]:
    """A module of its own context, for one measure."""
    with Context() as scratch, scratch.parse(data) as module:
        yield module


class Episode:
    """A benchmark's module, the actions applied to it, and its cached baselines."""

    #: The code of the module's functions, for ``text_size`` (made when first asked).
    _text_sizes: features.TextSizeCache | None = None

    def __init__(
        self,
        benchmark: Benchmark,
        actions: ActionTable,
        *,
        canonical: bytes | None = None,
        loaded: tuple[Context, Module] | None = None,
    ) -> None:
        """Loads the benchmark (from its ``canonical`` bitcode when given), or takes
        a module ``loaded`` from those bytes in a context of its own.

        Each episode has its own LLVM context: in a shared one, a program loaded
        twice would get its struct types renamed (``%struct.s.0``), changing its IR.
        """
        self.benchmark = benchmark
        self.table = actions
        if loaded is not None:
            self.context, self.module = loaded
        else:
            self.context = Context()
            try:
                data = canonical if canonical is not None else canonical_bitcode(benchmark)
                self.module = self.context.parse(data, benchmark.uri)
            except BaseException:
                self.context.close()
                raise
        # The module is named after the source file its program records (as clang
        # names its own), never after the URI: the same program is the same IR
        # however it arrived (docs/identity.md).
        self.module.identifier = self.module.source_filename or UNNAMED_MODULE
        self.actions: list[int] = []
        self._machine: TargetMachine | None = None
        self._baselines: dict[str, int] | None = None
        self._instcount: array[int] | None = None  # valid until the next step
        self.runtime_runs = RUNTIME_RUNS
        self.runtime_warmup_runs = RUNTIME_WARMUP_RUNS
        start = benchmark.bitcode
        self.runner = Runner(benchmark.sha1, benchmark.run, lambda: _parsed(start))

    @property
    def machine(self) -> TargetMachine:
        if self._machine is None:
            self._machine = host_target_machine(self.module.triple)
        return self._machine

    def close(self) -> None:
        if self._text_sizes is not None:
            self._text_sizes.close()
        self.runner.close()
        self.module.close()
        self.context.close()

    def apply(self, actions: list[int]) -> int:
        """Applies actions in order; returns how many were applied.

        All indices are checked before any is run, so an invalid one changes nothing.
        """
        for index in actions:
            self.table[index]  # raises InvalidAction
        # Like `opt`: passes see a target machine only when the module names a target.
        machine = self.machine if self.module.triple else None
        for index in actions:
            self.module.run_passes(self.table[index].pipeline, machine)
            self.actions.append(index)
            self.forget()
        return len(actions)

    def observe(self, names: list[str]) -> list[Any]:
        """Computes observations, each at most once per call."""
        observations.check(names)
        done: dict[str, Any] = {}
        for name in names:
            if name not in done:
                done[name] = observations.compute(self, name)
        return [done[name] for name in names]

    def forget(self) -> None:
        """Drops what was computed of the current module (done after every action)."""
        self._instcount = None
        self.runner.forget()

    def instcount(self) -> array[int]:
        if self._instcount is None:
            self._instcount = features.instcount(self.module)
        return self._instcount

    def text_size(self) -> int:
        """``ObjectTextSizeBytes``: what compiling the whole module gives, computed
        by compiling only the functions changed since it was last asked for
        (``features.TextSizeCache``; docs/codesize.md), or by compiling the whole
        module when the native helper is not built."""
        if not features.native_available():
            return self.module.text_size(self.machine)
        if self._text_sizes is None:
            self._text_sizes = features.TextSizeCache()
        return self._text_sizes.text_size(self.module, self.machine)

    def inherit_text_sizes(self, previous: Episode) -> None:
        """Takes over the compiled functions of an earlier episode of the same
        benchmark (its keys are of code, not of a module: they hold for this one)."""
        if previous.benchmark.sha1 == self.benchmark.sha1 and self._text_sizes is None:
            self._text_sizes, previous._text_sizes = previous._text_sizes, None

    def text_size_stats(self) -> features.TextSizeStats:
        """What ``text_size`` compiled, over the episode (and the episodes it was
        forked from); all zeros before it was first asked for."""
        if self._text_sizes is None:
            return features.TextSizeStats(0, 0, 0, 0, 0, 0, 0, "none", 0)
        return self._text_sizes.stats()

    def baseline(self, space: str, level: str) -> int:
        """``space`` measured on the benchmark after clang's ``-<level>`` pipeline (cached).

        Only what is asked for is computed: a level's pipeline runs when one of
        its measures is first needed, and the object size (a code generation)
        only when it is asked for, so that an episode on a huge program that
        needs no baseline never pays for one.
        """
        key = f"{space}{level}"
        if self._baselines is None:
            self._baselines = self._read_baselines()
        if key not in self._baselines:
            self._baselines[key] = self._measure(space, level)
            self._write_baselines(self._baselines)
        return self._baselines[key]

    def is_buildable(self) -> bool:
        try:
            self.runner.build(self.module)
        except ProgramFailed:
            return False
        return True

    def buildtime(self) -> float:
        return self.runner.build(self.module).seconds

    def runtimes(self) -> list[float]:
        return self.runner.runtimes(self.module, self.runtime_runs, self.runtime_warmup_runs)

    def dynamic_count(self) -> int:
        return self.runner.dynamic_count(self.module)

    def runtime_baseline(self, level: str) -> list[float]:
        """Runtimes of the benchmark after clang's ``-<level>``, measured once on
        this machine (with this session's numbers of runs) and cached."""
        runs, warmup = self.runtime_runs, self.runtime_warmup_runs
        name = f"{self.benchmark.sha1}-{self.benchmark.run.key()}-{machine_id()}"
        path = cache_dir() / "runtime" / f"{name}-llvm{find_toolchain().version}.json"
        key = f"{level} {runs} {warmup}"
        cached = _read_json(path)
        if key not in cached:
            with self._optimized(level) as module:
                cached[key] = self.runner.runtimes(module, runs, warmup, LEVELS.get(level, 2))
            _merge_json(path, cached)
        return [float(seconds) for seconds in cached[key]]

    def _baselines_path(self) -> Path:
        version = find_toolchain().version
        return cache_dir() / "baselines" / f"{self.benchmark.sha1}-llvm{version}-v3.json"

    def _read_baselines(self) -> dict[str, int]:
        return _read_json(self._baselines_path())

    def _write_baselines(self, values: dict[str, int]) -> None:
        _merge_json(self._baselines_path(), values)

    def _start_of(self, level: str) -> bytes:
        """The program where clang's optimizer starts at ``level``: for a C program,
        its frontend output at that level; IR as it was given.

        These are the bytes clang wrote, with the order of each value's uses that
        clang's frontend left (bitcode records it), which code generation
        depends on: re-written by the C API, the uses would be in another order.
        """
        benchmark = self.benchmark
        if level in LEVELS and level != benchmark.level and benchmark.rebuild is not None:
            return benchmark.rebuild(level)
        return benchmark.bitcode

    @contextlib.contextmanager
    def _optimized(self, level: str) -> Iterator[Module]:
        """The benchmark through clang's pipeline at ``level``, run as clang runs
        it (with its target machine)."""
        with _parsed(self._start_of(level)) as module:
            if level in LEVELS:
                module.run_passes(clang_pipeline(level), self.machine if module.triple else None)
            yield module

    def _measure(self, space: str, level: str) -> int:
        """``space`` of the benchmark at ``level``, with code emitted at the level's
        code generation level."""
        codegen = LEVELS.get(level, 2)
        with self._optimized(level) as module:
            if space == "IrInstructionCount":
                return features.instruction_count(module)
            if space == "DynamicInstructionCount":
                return self.runner.dynamic_count(module, level=codegen)
            return module.text_size(host_target_machine(module.triple, codegen), in_place=True)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        return {}


def _merge_json(path: Path, values: dict[str, Any]) -> None:
    """Adds ``values`` to the JSON object at ``path`` (another worker may have
    added some meanwhile); readers never see part of it."""
    merged = {**_read_json(path), **values}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(merged))
    partial.replace(path)
