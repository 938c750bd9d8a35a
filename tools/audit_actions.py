"""An audit of the action space: what each pass breaks, with `opt` reproducers.

Runs seeded random episodes of uniformly chosen actions on runnable benchmarks
(kernels-v0 at its -Oz, -O0 and -O3 starts, and csmith-v0 seeds), each episode
in two envs on two services at once, and records:

- crash: a step kills the compiler (every time: it is retried once);
- compile-hang: a step runs past the audit's deadline;
- nondeterminism: the two services give different IR (``IrSha1``) after the
  same step from the same IR;
- miscompile: the final program no longer behaves as the unoptimized one (other
  output or exit status, or a hang: ``SemanticsError``).

Each finding is reduced to the shortest sequence of actions that still shows
it (removing one action at a time while it does) and written with an ``opt``
command that reproduces it. The pass that completes a reduced sequence is the
trigger. The results are data beside the action table:
``service/llvm/audit/llvm-<major>.json`` (read by the service: the ``safe``
action space leaves out every trigger of a miscompile or nondeterminism) and
``docs/llvm-<major>-pass-audit.md``.

    python tools/audit_actions.py --episodes 4000 --jobs 2      # the audit (40 minutes or so)
    python tools/audit_actions.py --report                      # the files, from its log

Episodes are appended to a log (``--log``) as they finish, so an interrupted
audit resumes where it stopped.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import compiler_env  # noqa: E402
from compiler_env import RetryPolicy, SandboxLimits  # noqa: E402
from compiler_env.state import opt_commandline  # noqa: E402
from service.datasets.cache import cache_dir  # noqa: E402
from service.datasets.compile import (  # noqa: E402
    DATASET_STD,
    DEFAULT_STD,
    START_LEVEL,
    frontend_flags,
)
from service.llvm.toolchain import find_toolchain  # noqa: E402

EPISODE_LENGTH = 12
LEVELS = ("O0", "O3")  # frontend levels of kernels-v0 audited besides the default (-Oz)
CSMITH_SEEDS = 40
DEADLINE = 30.0  # seconds per request: a step past it is a compile hang
LOG = cache_dir() / "audit" / f"log-llvm{find_toolchain().major}.jsonl"
CRASHES = ("CompilerCrashed",)
HANGS = ("DeadlineExceeded",)


def data_path(major: int) -> Path:
    return ROOT / "service" / "llvm" / "audit" / f"llvm-{major}.json"


def doc_path(major: int) -> Path:
    return ROOT / "docs" / f"llvm-{major}-pass-audit.md"


def benchmarks() -> list[str]:
    """kernels-v0 at their -Oz (default), -O0 and -O3 starts, then csmith-v0 seeds."""
    with compiler_env.make("llvm-v0") as env:
        kernels = list(env.datasets["kernels-v0"].benchmark_uris())
    csmith = [f"generator://csmith-v0/{seed}" for seed in range(1, CSMITH_SEEDS + 1)]
    levels = [f"{uri}?level={level}" for level in LEVELS for uri in kernels]
    return kernels + csmith + levels


def episodes(count: int, uris: list[str]) -> list[tuple[str, int]]:
    """``count`` (benchmark, episode number) pairs, spread evenly over benchmarks."""
    return [(uris[i % len(uris)], i // len(uris)) for i in range(count)]


def actions_of(uri: str, number: int, n: int) -> list[int]:
    rng = random.Random(f"{uri}#{number}")
    return [rng.randrange(n) for _ in range(EPISODE_LENGTH)]


class Auditor:
    """Two envs on two services (a second local service comes from other limits)."""

    def __init__(self) -> None:
        policy = RetryPolicy(attempts=2, backoff=0.0)
        self.a = compiler_env.make("llvm-v0", observation_space="IrSha1", retry=policy,
                                   deadline=DEADLINE, action_space="full")  # fmt: skip
        self.b = compiler_env.make("llvm-v0", observation_space="IrSha1", retry=policy,
                                   deadline=DEADLINE, action_space="full",
                                   limits=SandboxLimits(address_space_mib=8190))  # fmt: skip
        self.names = self.a.action_space.names

    def close(self) -> None:
        self.a.close()
        self.b.close()

    def episode(self, uri: str, number: int) -> dict[str, Any]:
        actions = actions_of(uri, number, len(self.names))
        record: dict[str, Any] = {"benchmark": uri, "episode": number, "findings": []}
        began = time.monotonic()
        try:
            first_a, _ = self.a.reset(options={"benchmark": uri})
            first_b, _ = self.b.reset(options={"benchmark": uri})
        except compiler_env.errors.CompilerEnvError as error:
            record["error"] = f"reset: {type(error).__name__}: {error}"[:500]
            return record
        same = first_a == first_b
        applied: list[int] = []
        for action in actions:
            sha_a, _, _, truncated, info = self.a.step(action)
            if truncated:
                kind = "crash" if info.get("error_type") in CRASHES else "compile-hang"
                if info.get("error_type") not in CRASHES + HANGS:
                    kind = "step-error"
                self._found(record, kind, uri, [*applied, action], info.get("error", ""))
                break
            if same:
                sha_b, _, _, truncated_b, _ = self.b.step(action)
                if not truncated_b and sha_b != sha_a:
                    self._found(record, "nondeterminism", uri, [*applied, action], "")
                    same = False
            applied.append(action)
        else:
            why = self.a.observation["SemanticsError"]
            if why:
                self._found(record, "miscompile", uri, applied, why)
        record["seconds"] = round(time.monotonic() - began, 3)
        return record

    def _found(self, record: dict[str, Any], kind: str, uri: str, actions: list[int],
               why: str) -> None:  # fmt: skip
        reduced = self.reduce(kind, uri, actions)
        record["findings"].append(
            {"kind": kind, "actions": [self.names[a] for a in actions],
             "reduced": [self.names[a] for a in reduced] if reduced else None,
             "why": why[:300]}
        )  # fmt: skip

    def shows(self, kind: str, uri: str, actions: list[int]) -> bool:
        """Whether ``actions`` on ``uri`` show the finding."""
        if kind == "nondeterminism":
            return self._differs(uri, actions)
        self.a.reset(options={"benchmark": uri})
        if not actions:
            return False
        _, _, _, truncated, info = self.a.multistep(actions)
        if kind in ("crash", "compile-hang", "step-error"):
            wanted = {"crash": CRASHES, "compile-hang": HANGS}.get(kind)
            return truncated and (wanted is None or info.get("error_type") in wanted)
        return not truncated and bool(self.a.observation["SemanticsError"])

    def _differs(self, uri: str | compiler_env.Benchmark, actions: list[int]) -> bool:
        if not actions:
            return False
        shas = []
        for env in (self.a, self.b):
            env.reset(options={"benchmark": uri})
            observation, _, _, truncated, _ = env.multistep(actions)
            if truncated:
                return False
            shas.append(observation)
        return shas[0] != shas[1]

    def source(self, uri: str, reduced: list[int], tries: int = 4) -> int:
        """The position in a reduced nondeterminism sequence of the pass whose
        output differs between processes.

        The last pass of the sequence is where the IR text first differs, but an
        earlier pass may have left a difference the text does not show (the order
        of a value's uses, which bitcode and IR text leave out and later passes
        follow). So the sequence is cut: the program after ``reduced[:j]`` goes
        through bitcode (which drops that hidden order), the rest is applied to
        it; the latest cut that still shows the nondeterminism names the pass.
        """
        for j in range(len(reduced) - 1, 0, -1):
            self.a.reset(options={"benchmark": uri})
            self.a.multistep(reduced[:j])
            cut = compiler_env.benchmark_from_ir(self.a.observation["Bitcode"])
            if any(self._differs(cut, reduced[j:]) for _ in range(tries)):
                return j
        return 0

    def reduce(self, kind: str, uri: str, actions: list[int]) -> list[int] | None:
        """The shortest sequence found that still shows the finding (None: it did not
        show again, e.g. a nondeterminism that comes and goes)."""
        tries = 3 if kind == "nondeterminism" else 1
        if not any(self.shows(kind, uri, actions) for _ in range(tries)):
            return None
        current = list(actions)
        changed = True
        while changed and len(current) > 1:
            changed = False
            for i in range(len(current) - 1, -1, -1):
                candidate = current[:i] + current[i + 1 :]
                if kind in ("crash", "compile-hang", "nondeterminism") and i == len(current) - 1:
                    continue  # the failing step stays last
                if any(self.shows(kind, uri, candidate) for _ in range(tries)):
                    current = candidate
                    changed = True
        return current


_auditor: Auditor | None = None


def _worker(job: tuple[str, int]) -> dict[str, Any]:
    global _auditor
    if _auditor is None:
        _auditor = Auditor()
    try:
        return _auditor.episode(*job)
    except Exception as error:  # noqa: BLE001 (recorded: an audit must not stop on one episode)
        return {"benchmark": job[0], "episode": job[1], "findings": [],
                "error": f"{type(error).__name__}: {error}"[:500]}  # fmt: skip


def run(count: int, jobs: int, log: Path) -> None:
    done = set()
    if log.exists():
        for line in log.read_text().splitlines():
            entry = json.loads(line)
            done.add((entry["benchmark"], entry["episode"]))
    todo = [job for job in episodes(count, benchmarks()) if job not in done]
    print(f"{len(done)} episodes in {log}; {len(todo)} to run with {jobs} processes",
          file=sys.stderr)  # fmt: skip
    log.parent.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    context = multiprocessing.get_context("spawn")
    with context.Pool(jobs) as pool, log.open("a") as out:
        for i, record in enumerate(pool.imap_unordered(_worker, todo), start=1):
            out.write(json.dumps(record) + "\n")
            out.flush()
            if i % 25 == 0 or i == len(todo):
                rate = i / (time.monotonic() - began)
                print(f"\r{i}/{len(todo)} episodes, {rate:.2f}/s", end="", file=sys.stderr)
    print(file=sys.stderr)


def reproducer(
    uri: str, reduced: list[str], pipelines: dict[str, str], major: int, kind: str = "miscompile"
) -> dict[str, str]:
    """Shell commands that show a finding with LLVM's own tools."""
    if uri.startswith("benchmark://kernels-v0/"):
        base, _, query = uri.partition("?")
        level = query.removeprefix("level=") or START_LEVEL
        name = base.rsplit("/", 1)[1]
        source = f"datasets/kernels-v0/{name}.c"
        if name == "minilang":
            source = "datasets/kernels-v0/minilang/*.c (each, then llvm-link)"
        clang = " ".join(DATASET_STD if f == DEFAULT_STD else f for f in frontend_flags(level))
        make = f"clang-{major} {clang} {source} -o input.bc"
    else:
        make = (f"input.bc = env.observation['Bitcode'] after env.reset(options={{'benchmark': "
                f"{uri!r}}})")  # fmt: skip
    check = {
        "miscompile": f"clang-{major} output.bc -lm -o optimized && ./optimized  # compare with "
        "the input.bc build's output",
        "nondeterminism": "# run opt again (as another process) and compare the outputs",
        "crash": "# opt crashes",
        "compile-hang": "# opt does not finish",
    }
    return {
        "input": make,
        "opt": opt_commandline(str(major), [pipelines[name] for name in reduced]),
        "run": check.get(kind, ""),
    }


def report(log: Path) -> None:
    major = find_toolchain().major
    with compiler_env.make("llvm-v0", action_space="full") as env:
        names = env.action_space.names
        pipelines = dict(zip(names, env.action_space.pipelines))
        version = env.compiler_version
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    auditor = Auditor()
    sources: dict[tuple[str, tuple[str, ...]], str] = {}
    findings: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}
    raw = Counter()
    per_pass: dict[str, Counter[str]] = defaultdict(Counter)
    errors = [e for e in entries if e.get("error")]
    for entry in entries:
        for f in entry["findings"]:
            raw[f["kind"]] += 1
            reduced = f["reduced"]
            if not reduced:
                continue
            key = (f["kind"], tuple(reduced))
            trigger = reduced[-1]
            if f["kind"] == "nondeterminism":
                if key not in sources:
                    indices = [names.index(n) for n in reduced]
                    sources[key] = reduced[auditor.source(entry["benchmark"], indices)]
                trigger = sources[key]
            per_pass[trigger][f["kind"]] += 1
            if key not in findings:
                findings[key] = {
                    "kind": f["kind"], "trigger": trigger, "actions": reduced,
                    "episode_actions": f["actions"], "benchmark": entry["benchmark"],
                    "why": f["why"], "seen": 0,
                    "reproducer": reproducer(
                        entry["benchmark"], reduced, pipelines, major, f["kind"]
                    ),
                }  # fmt: skip
            findings[key]["seen"] += 1
    auditor.close()
    unsafe = sorted(
        name for name, kinds in per_pass.items()
        if kinds["miscompile"] or kinds["nondeterminism"]
    )  # fmt: skip
    data = {
        "compiler_version": version,
        "episodes": len(entries),
        "episode_length": EPISODE_LENGTH,
        "benchmarks": sorted({e["benchmark"] for e in entries}),
        "raw_findings": dict(raw),
        "episode_errors": len(errors),
        "unsafe": unsafe,
        "per_pass": {name: dict(kinds) for name, kinds in sorted(per_pass.items())},
        "findings": sorted(
            findings.values(), key=lambda f: (f["kind"], f["trigger"], f["benchmark"])
        ),
    }
    path = data_path(major)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n")
    doc_path(major).write_text(markdown(data, major))
    print(f"wrote {path} and {doc_path(major)}: {len(findings)} distinct findings, "
          f"unsafe: {', '.join(unsafe) or 'none'}")  # fmt: skip


def markdown(data: dict[str, Any], major: int) -> str:
    lines = [
        f"# LLVM {major} pass audit",
        "",
        f"Generated by `python tools/audit_actions.py --report` from {data['episodes']} seeded "
        f"random episodes of {data['episode_length']} uniformly chosen actions on "
        f"{len(data['benchmarks'])} runnable benchmarks (kernels-v0 at its -Oz, -O0 and -O3 "
        "starts, and csmith-v0 seeds), "
        f"with {data['compiler_version']}. Each episode ran in two envs on two services; "
        "its final program was built, run and compared with the unoptimized program.",
        "",
        "Raw findings (before reduction and deduplication): "
        + (", ".join(f"{k} {v}" for k, v in sorted(data["raw_findings"].items())) or "none")
        + f"; episodes that could not run: {data['episode_errors']}.",
        "",
        "The default action space (also `action_space=\"safe\"`; `action_space=\"full\"` has "
        "every pass) leaves out every pass that triggers a miscompile or nondeterminism below: "
        + (", ".join(f"`{name}`" for name in data["unsafe"]) or "none") + ".",
        "",
        "A finding's *trigger* is the last pass of its reduced sequence: the program is "
        "correct without it and broken with it (for a crash or hang, the pass that crashed "
        "or hung). For nondeterminism it is the pass whose output differs between processes: "
        "the IR text first differs after the last pass, but an earlier one may have left a "
        "difference the text does not show (the order of a value's uses, which later passes "
        "follow); the trigger is the latest pass after which a round trip through bitcode "
        "(which drops that order) does not remove the nondeterminism. Reproduce a finding by "
        "making `input.bc` as shown, running the `opt` command (twice, for nondeterminism, "
        "comparing the outputs), and building and running `output.bc`.",
        "",
        "## Per pass",
        "",
        "| pass (trigger) | miscompile | nondeterminism | crash | compile hang |",
        "|---|---|---|---|---|",
    ]
    for name, kinds in data["per_pass"].items():
        lines.append(
            f"| `{name}` | {kinds.get('miscompile', 0)} | {kinds.get('nondeterminism', 0)} | "
            f"{kinds.get('crash', 0)} | {kinds.get('compile-hang', 0)} |"
        )
    lines += ["", "## Findings", ""]
    for f in data["findings"]:
        lines += [
            f"### {f['kind']}: `{f['trigger']}` on `{f['benchmark']}` (seen {f['seen']}x)",
            "",
            f"Reduced sequence: {' '.join(f'`{a}`' for a in f['actions'])}",
            "",
            (f"What happens: {f['why']}" if f["why"] else ""),
            "",
            "```sh",
            f"{f['reproducer']['input']}",
            f"{f['reproducer']['opt']}",
            f"{f['reproducer']['run']}",
            "```",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--log", type=Path, default=LOG)
    parser.add_argument("--report", action="store_true", help="write the results from the log")
    args = parser.parse_args(argv)
    if not args.report:
        run(args.episodes, args.jobs, args.log)
    report(args.log)
    return 0


if __name__ == "__main__":
    sys.exit(main())

