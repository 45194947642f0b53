"""CPU an idle `famachat-ml serve --no-api` costs: the daemon's sensor and schedule ticks, its code servers.

Each tree's serve runs on the same fresh demo data (SQLite, its own DAGSTER_HOME) inside its own cpuacct
cgroup (cgroup v1, needs root), so processes that start and end in between (Dagster's code servers) are
counted. After `--warmup` seconds the cgroup's CPU is read over `--seconds`, with the number of code server
processes seen (`dagster api grpc`, polled each second). Trees alternate for `--rounds`.

    .venv/bin/python benchmarks/bench_serve_idle.py --ref /tmp/old-tree [--seconds 300] [--rounds 1]

`--ref`: another commit's checkout (`git worktree add --detach /tmp/old-tree <commit>`), run with this
venv and PYTHONPATH pointing at it.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup/cpuacct")
ROOT = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).parent / "famachat-ml"


def _env(data: Path, tree: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{data / 'ml.db'}",
        MODELS_STORAGE_PATH=str(data / "models"),
        FRAMES_STORAGE_PATH=str(data / "frames"),
        DAGSTER_HOME=str(data / "dagster_home"),
        PYTHONPATH=str(tree),
    )
    env.pop("DAGSTER_PG_URL", None)
    return env


def _code_server_pids(data: Path) -> set[int]:
    out = subprocess.run(["pgrep", "-f", "dagster api grpc"], capture_output=True, text=True).stdout
    pids = set()
    for pid in map(int, out.split()):
        try:  # only this serve's: its children carry its DAGSTER_HOME
            if str(data).encode() in Path(f"/proc/{pid}/environ").read_bytes():
                pids.add(pid)
        except OSError:
            continue
    return pids


def _rss_mb(group: Path) -> float:
    """The resident memory of the cgroup's processes now (MB; shared pages counted in each)."""
    total = 0
    for pid in (group / "cgroup.procs").read_text().split():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total / 1024


def measure(tree: Path, seconds: float, warmup: float, free_port: int) -> tuple[float, int, float]:
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        data = Path(tmp)
        env = _env(data, tree)
        subprocess.run([str(CLI), "demo"], env=env, cwd=tree, check=True, capture_output=True)
        group = CGROUP / f"bench_serve_{os.getpid()}_{int(time.time())}"
        group.mkdir()
        argv = [str(CLI), "serve", "--no-api", "--port", str(free_port)]
        enter = f"echo $$ > {group / 'cgroup.procs'} && exec " + " ".join(argv)
        log = (data / "serve.log").open("w")
        proc = subprocess.Popen(["sh", "-c", enter], env=env, cwd=tree, stdout=log, stderr=log)
        try:
            time.sleep(warmup)
            start = int((group / "cpuacct.usage").read_text())
            seen: set[int] = set()
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                seen |= _code_server_pids(data)
                time.sleep(1)
            used = (int((group / "cpuacct.usage").read_text()) - start) / 1e9
            rss = _rss_mb(group)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)
            time.sleep(2)
            group.rmdir()
        return used, len(seen), rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ref", type=Path, required=True, help="the other tree (old code)")
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--warmup", type=float, default=45)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--port", type=int, default=3390)
    args = parser.parse_args()
    if not (CGROUP / "cgroup.procs").exists():
        sys.exit(f"needs cgroup v1 cpuacct at {CGROUP} (and root)")
    results: dict[str, list[tuple[float, int, float]]] = {"ref": [], "this": []}
    for r in range(args.rounds):
        for name, tree in (("ref", args.ref.resolve()), ("this", ROOT)):
            used, servers, rss = measure(tree, args.seconds, args.warmup, args.port)
            results[name].append((used, servers, rss))
            per_min = used / args.seconds * 60
            print(
                f"round {r + 1} {name:<4} {tree}: {used:.1f} CPU s in {args.seconds:g} s "
                f"({per_min:.2f} CPU s/min), code servers seen: {servers}, RSS at the end {rss:.0f} MB",
                flush=True,
            )
    ref = min(r[0] for r in results["ref"])
    this = min(r[0] for r in results["this"])
    print(
        f"best: ref {ref:.1f} CPU s, this {this:.1f} CPU s; ref / this = {ref / this:.2f}x; "
        f"load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
