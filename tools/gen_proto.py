"""Regenerate the Python modules of the wire contract from service/proto/*.proto.

Usage:
    python tools/gen_proto.py          # rewrite the generated modules
    python tools/gen_proto.py --check  # exit 1 if they are out of date
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO = Path("service/proto/compiler_env.proto")
OUTPUTS = ("compiler_env_pb2.py", "compiler_env_pb2.pyi", "compiler_env_pb2_grpc.py")


def generate(out_dir: Path) -> None:
    """Runs protoc on the contract, writing modules under ``out_dir/service/proto``."""
    include = Path(protoc.__file__).parent / "_proto"
    args = [
        "protoc",
        f"-I{ROOT}",
        f"-I{include}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        str(ROOT / PROTO),
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that they are in sync")
    check = parser.parse_args().check
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp))
        stale = []
        for name in OUTPUTS:
            fresh = (Path(tmp) / PROTO.parent / name).read_text()
            target = ROOT / PROTO.parent / name
            if target.exists() and target.read_text() == fresh:
                continue
            stale.append(name)
            if not check:
                target.write_text(fresh)
    if check and stale:
        print(f"out of date: {', '.join(stale)}; run python tools/gen_proto.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
