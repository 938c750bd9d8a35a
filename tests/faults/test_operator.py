"""A service run by an operator: limits that fit the caller's own limits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import BENCHMARK

ROOT = Path(__file__).resolve().parents[2]

EPISODE = f"""
import compiler_env
env = compiler_env.make("llvm-v0", benchmark={BENCHMARK!r})
env.reset()
env.step(env.action_space.index("mem2reg"))
print("steps", len(env.actions))
env.close()
"""


def test_workers_start_under_a_hard_memory_limit_below_the_sandboxs() -> None:
    """``ulimit -v`` below the 8 GiB default: the workers get what is allowed, and are told."""
    limit = 6 * 1024**3
    result = subprocess.run(
        ["prlimit", f"--as={limit}", "--", sys.executable, "-c", EPISODE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["steps", "1"]
    assert "address_space_mib lowered from 8192 to 6144" in result.stderr
    assert "Traceback" not in result.stderr
