"""The on-call engineer's typos: one clear argparse line and exit 2, never a port wrapped around or the
help menu answered to an empty question."""

from __future__ import annotations

import pytest

from famachat_ml_pipeline.cli import main


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["api", "--port", "99999"], "must be a TCP port, 1 to 65535: '99999'"),
        (["serve", "--port", "65536"], "must be a TCP port, 1 to 65535: '65536'"),
        (["ask", "--config-id", "abc", "oi"], "argument --config-id: must be a positive integer: 'abc'"),
        (["ask", "--config-id", "1", "--offline", "   "], "argument question: the question is empty"),
        (["generate-demo-data", "--days", "x"], "argument --days: must be an integer: 'x'"),
    ],
)
def test_bad_arguments_are_one_clear_line(argv: list[str], said: str, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    captured = capsys.readouterr()
    assert exited.value.code == 2 and captured.out == ""
    assert captured.err.splitlines()[-1].endswith(said) and "Traceback" not in captured.err


@pytest.mark.parametrize(
    ("argv", "usage", "said"),
    [
        # was "the following arguments are required: command"
        (["--bogus"], "usage: famachat-ml [-h]", "famachat-ml: error: unrecognized arguments: --bogus"),
        # was the top-level usage
        (
            ["run", "--all", "--bogus"],
            "usage: famachat-ml run ",
            "famachat-ml run: error: unrecognized arguments: --bogus",
        ),
        (
            ["status", "--bogus", "x"],
            "usage: famachat-ml status ",
            "error: unrecognized arguments: --bogus x",
        ),
        ([], "usage: famachat-ml [-h]", "error: a command is required: migrate, generate-demo-data, run,"),
    ],
)
def test_an_unknown_flag_is_named_in_its_commands_usage(
    argv: list[str], usage: str, said: str, capsys: pytest.CaptureFixture
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    err = capsys.readouterr().err
    assert exited.value.code == 2 and err.startswith(usage), err
    assert said in err.splitlines()[-1], err


def test_every_command_says_what_it_does_and_its_flags_defaults(capsys: pytest.CaptureFixture) -> None:
    """`migrate --help` and `retrain --help` said nothing; `--port` and `--accounts` no default."""
    said = {
        "migrate": "create or upgrade the ml_* schema (idempotent) options:",
        "retrain": "train the tier classifier now",
        "demo": "--accounts ACCOUNTS demo accounts (config_id 1..N) (default: 6)",
        "api": "--port PORT the API's port (default: 8000)",
        "run": "--as-of YYYY-MM-DD the day to run as; by default the latest complete day in São Paulo",
    }
    for command, text in said.items():
        with pytest.raises(SystemExit):
            main([command, "--help"])
        out = " ".join(capsys.readouterr().out.split())
        assert text in out and "(default: None)" not in out and "(default: False)" not in out, out
