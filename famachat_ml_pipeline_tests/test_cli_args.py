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
