"""`python -m famachat_ml_pipeline.parent_death PARENT_PID COMMAND...`: runs COMMAND (exec, same pid) as a
process that gets SIGTERM when its parent, `famachat-ml serve`, dies, even by SIGKILL (Linux's
PR_SET_PDEATHSIG, which exec keeps).

Each service leads its own session (serve stops each group itself), so a serve killed with -9 left
dagster-daemon, dagster-webserver and the agent API running headless: their output went to a closed pipe,
the daemon went on launching runs, and a supervisor's restart of serve was refused (ports in use) or, on
other ports, ran a second daemon on the same instance (measured: all three alive 15 s after `kill -9`)."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def main(argv: list[str]) -> int:
    parent, command = int(argv[0]), argv[1:]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) != 0:
        print(f"parent_death: prctl failed (errno {ctypes.get_errno()})", file=sys.stderr)
    if os.getppid() != parent:  # serve died before the prctl: there is nobody to serve
        return 1
    os.execv(command[0], command)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
