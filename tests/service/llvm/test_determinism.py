"""Every action gives the same IR whatever the process's heap looked like before.

(LLVM 19's gvn-sink does not: it orders by pointer, so it is not an action.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROBE = Path(__file__).with_name("determinism_probe.py")


def test_actions_do_not_depend_on_the_heap(tmp_path: Path) -> None:
    runs = {
        mode: subprocess.Popen(
            [sys.executable, str(PROBE), mode, str(tmp_path / f"{mode}.json")],
            cwd=Path(__file__).resolve().parents[3],
        )
        for mode in ("fresh", "disturbed")
    }
    for process in runs.values():
        assert process.wait(timeout=600) == 0
    fresh = json.loads((tmp_path / "fresh.json").read_text())
    disturbed = json.loads((tmp_path / "disturbed.json").read_text())
    assert len(fresh) > 500
    assert [key for key in fresh if fresh[key] != disturbed[key]] == []
