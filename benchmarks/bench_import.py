"""What every run, CLI command and the daemon's minute-by-minute code-server restart pays first: importing
the code location (`famachat_ml_pipeline.definitions`). Each import in a fresh interpreter; with `--old
PATH` (a checkout of an older commit, e.g. `git worktree add --detach /tmp/old <commit>`), the old tree
is imported alternately with this one in the same run, and the ratio printed.

    .venv/bin/python benchmarks/bench_import.py [--rounds 7] [--old /tmp/old]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def one(tree: Path) -> tuple[float, float]:
    """(wall s, CPU s of the child) of one import of the definitions from `tree`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(tree)}
    code = "import famachat_ml_pipeline.definitions as d; print(d.__file__)"
    # in `tree` itself: `-c` puts the working folder first on sys.path
    argv = [sys.executable, "-c", code]
    out = subprocess.run(argv, env=env, cwd=tree, capture_output=True, text=True, check=True).stdout
    assert out.startswith(str(tree)), f"imported {out.strip()}, not from {tree}"
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--old", type=Path, help="a checkout of the commit to compare with")
    args = ap.parse_args()
    trees = {"this tree": HERE, **({"old": args.old.resolve()} if args.old else {})}
    for tree in trees.values():
        one(tree)  # warm the file cache
    got: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            got[name].append(one(tree))
    cpu = {}
    for name, runs in got.items():
        cpu[name] = statistics.median(c for _, c in runs)
        wall = statistics.median(w for w, _ in runs)
        print(f"{name:<10} median of {args.rounds}: {wall:.2f} s wall, {cpu[name]:.2f} s CPU")
    if args.old:
        print(f"old / this tree, CPU: {cpu['old'] / cpu['this tree']:.2f}x")


if __name__ == "__main__":
    main()
