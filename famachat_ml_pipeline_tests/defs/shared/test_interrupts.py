"""An interrupt whose clean-up fails still ends the run as interrupted, which run retries re-run; the same
failure without the interrupt stays a step failure, which they do not."""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import pytest
from dagster._core.errors import DagsterExecutionInterruptedError
from dagster._core.storage.tags import RUN_FAILURE_REASON_TAG
from dagster._daemon.auto_run_reexecution.auto_run_reexecution import should_retry

from famachat_ml_pipeline.defs.shared.interrupts import interrupt_behind, interrupts_win
from famachat_ml_pipeline_tests.conftest import instance_for_test


def _rollback_fails_after(interrupted: bool) -> None:
    """A step's database call: interrupted (or failing) mid-way, then its rollback fails."""
    try:
        if interrupted:
            raise DagsterExecutionInterruptedError()
        raise ValueError("a bad value")
    except BaseException as error:
        raise RuntimeError("the connection is in a bad state: rollback failed") from error


def test_the_interrupt_behind_an_error_is_found() -> None:
    with pytest.raises(RuntimeError) as caught:
        _rollback_fails_after(interrupted=True)
    assert isinstance(interrupt_behind(caught.value), DagsterExecutionInterruptedError)
    with pytest.raises(RuntimeError) as caught:
        _rollback_fails_after(interrupted=False)
    assert interrupt_behind(caught.value) is None


def test_plain_and_generator_bodies_raise_the_interrupt_and_leave_other_errors_alone() -> None:
    def plain(interrupted: bool) -> None:
        _rollback_fails_after(interrupted)

    def generator(interrupted: bool) -> Iterator[int]:
        yield 1
        _rollback_fails_after(interrupted)

    with pytest.raises(DagsterExecutionInterruptedError, match="rollback failed"):
        interrupts_win(plain)(True)
    with pytest.raises(RuntimeError):
        interrupts_win(plain)(False)
    with pytest.raises(DagsterExecutionInterruptedError):
        list(interrupts_win(generator)(True))
    with pytest.raises(RuntimeError):
        list(interrupts_win(generator)(False))
    assert interrupts_win(plain).__name__ == "plain"


@pytest.mark.parametrize(
    ("wrapped", "reason", "retried"), [(True, "UNEXPECTED_TERMINATION", True), (False, "STEP_FAILURE", False)]
)
def test_a_run_whose_interrupt_clean_up_failed_is_retried(wrapped: bool, reason: str, retried: bool) -> None:
    """The run failure reason Dagster records, and its run-retry daemon's decision on the run, with the
    retry settings of our dagster.yaml."""

    def body() -> None:
        _rollback_fails_after(interrupted=True)

    step = dg.asset(name="writer")(interrupts_win(body) if wrapped else body)
    overrides = {"run_retries": {"enabled": True, "max_retries": 1, "retry_on_asset_or_op_failure": False}}
    with instance_for_test(overrides=overrides) as instance:
        assert not dg.materialize([step], instance=instance, raise_on_error=False).success
        (run,) = instance.get_runs()
        assert run.status == dg.DagsterRunStatus.FAILURE
        assert run.tags[RUN_FAILURE_REASON_TAG] == reason
        assert should_retry(run, instance) is retried


def test_every_account_asset_runs_its_body_through_the_guard() -> None:
    from famachat_ml_pipeline.definitions import defs
    from famachat_ml_pipeline.defs.shared.partitions import config_partitions

    bodies = {
        a.key.to_user_string(): a.op.compute_fn.decorated_fn
        for a in defs.assets
        if isinstance(a, dg.AssetsDefinition) and a.partitions_def == config_partitions
    }
    assert len(bodies) == 7, sorted(bodies)
    unguarded = [name for name, fn in bodies.items() if getattr(fn, "__wrapped__", None) is None]
    assert not unguarded
