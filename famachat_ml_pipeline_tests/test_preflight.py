"""preflight's storage check under concurrency: two commands started together each check the same fresh
folders, and each removes the folders it made; the other's probe must not fail for that."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from famachat_ml_pipeline.preflight import _unwritable


def _problems(target: str, rounds: int) -> list[str]:
    return [p for p in (_unwritable(Path(target)) for _ in range(rounds)) if p]


def test_concurrent_checks_of_one_fresh_folder_all_pass(tmp_path: Path) -> None:
    """The suite's `run` twice at once failed once with "MODELS_STORAGE_PATH (...) cannot be used: cannot
    write in .../models: No such file or directory" (exit 2): the other process had removed the folder it
    made between this one's mkdir and its probe. Before the fix, 4 processes x 300 checks failed 6 to 43
    times a run."""
    target = str(tmp_path / "a" / "models")
    with mp.get_context("spawn").Pool(4) as pool:
        found = pool.starmap(_problems, [(target, 300)] * 4)
        # let the workers exit: the `with`'s terminate() SIGTERMs them, and a worker that inherited SIGTERM
        # ignored (the suite under `nohup ... &`) never died, and the join hung the suite
        pool.close()
        pool.join()
    assert [p for f in found for p in f] == []
    # (an empty folder may be left when checks overlap: the commands use it next; alone, the check
    # leaves nothing, test_cli_errors.py)


def test_a_folder_the_system_refuses_to_create_is_not_said_to_keep_disappearing() -> None:
    """`DAGSTER_HOME=/proc/x famachat-ml run` said "its folders kept disappearing while it was checked" (a
    race with another check): it was the system refusing the mkdir (ENOENT under /proc) every time."""
    problem = _unwritable(Path("/proc/famachat-oncall-check"))
    assert problem is not None and "kept disappearing" not in problem, problem
    assert problem.startswith("cannot write in /proc/famachat-oncall-check: No such file or directory"), (
        problem
    )
