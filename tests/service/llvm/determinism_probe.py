"""Applies every action to kernels in a fresh process or after disturbing its heap.

Run by test_determinism.py: ``python determinism_probe.py fresh|disturbed OUT.json``.
Prints nothing; writes the SHA-1 of the IR after each (kernel, action).
"""

from __future__ import annotations

import hashlib
import json
import sys

from service import benchmarks
from service.episode import canonical_bitcode
from service.llvm.actions import load_actions
from service.llvm.module import Context, host_target_machine
from service.llvm.toolchain import find_toolchain

KERNELS = ["crc32", "fft", "sqlite_like", "tokenizer", "minilang", "huffman", "bytecode_vm"]
SKIP = {"loop-bound-split"}  # crashes LLVM 19 after mem2reg on some programs


def main() -> None:
    mode, out = sys.argv[1], sys.argv[2]
    table = load_actions(find_toolchain().major)
    kept = []
    if mode == "disturbed":  # allocate and free in a different pattern first
        context = Context()
        for name in reversed(KERNELS):
            module = context.parse(benchmarks.resolve(f"benchmark://kernels-v0/{name}").bitcode)
            module.run_passes("default<O2>")
            kept.append(module)
    hashes = {}
    for name in KERNELS:
        bitcode = canonical_bitcode(benchmarks.resolve(f"benchmark://kernels-v0/{name}"))
        with Context() as context, context.parse(bitcode) as base:
            machine = host_target_machine(base.triple)
            base.run_passes("function(mem2reg)", machine)  # so that most passes find work
            for action in table.actions:
                if action.name in SKIP:
                    continue
                with base.clone() as module:
                    module.run_passes(action.pipeline, machine)
                    text = module.to_text().encode()
                    hashes[f"{name} {action.name}"] = hashlib.sha1(text).hexdigest()
    with open(out, "w") as f:
        json.dump(hashes, f)


if __name__ == "__main__":
    main()
