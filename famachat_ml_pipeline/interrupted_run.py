"""Ctrl-C during a run executed in this process (`famachat-ml run` or `retrain` with no daemon serving).

Dagster turns the SIGINT into an interrupted step and, since nobody had asked to cancel the run, records
it as failed ("interrupted unexpectedly. No user initiated termination request was found"), which the
failure alert posts; its console logger printed the step's and the run's tracebacks (~140 lines) before
our line. Here the first interrupted step asks Dagster to cancel the run, so it ends CANCELED with the
reason in its event log, and the console leaves the interrupt's events to the CLI's one line.
"""

from __future__ import annotations

import logging

import dagster as dg
from dagster._core.execution.plan.objects import ErrorSource
from dagster._utils.log import create_console_logger

REASON = "famachat-ml run was interrupted (Ctrl-C or SIGTERM)"
_INTERRUPTS = {"DagsterExecutionInterruptedError", "KeyboardInterrupt"}
_CANCELLATION = {dg.DagsterEventType.RUN_CANCELING, dg.DagsterEventType.RUN_CANCELED}


def interrupted_step(event: dg.DagsterEvent | None) -> bool:
    return (
        event is not None
        and event.event_type == dg.DagsterEventType.STEP_FAILURE
        and event.step_failure_data.error_source == ErrorSource.INTERRUPT
    )


def interrupted_run(event: dg.DagsterEvent | None) -> bool:
    """Dagster's failure of a run interrupted outside its steps (while its resources started)."""
    if event is None or event.event_type != dg.DagsterEventType.RUN_FAILURE:
        return False
    error = event.job_failure_data.error
    return error is not None and error.cls_name in _INTERRUPTS


class InterruptWatch:
    """An event listener on one run executed in this process. At its first interrupted step the run is
    asked to cancel, before Dagster decides how it ended (it reads the run's status then)."""

    def __init__(self, instance: dg.DagsterInstance, run_id: str) -> None:
        self.instance, self.run_id = instance, run_id
        self.step: str | None = None  # the step the interrupt stopped
        self.outside = False  # an interrupt Dagster recorded as the run's failure

    def __call__(self, entry: dg.EventLogEntry) -> None:
        event = entry.dagster_event
        self.outside = self.outside or interrupted_run(event)
        if self.step is not None or not interrupted_step(event):
            return
        self.step = event.step_key or "?"
        run = self.instance.get_run_by_id(self.run_id)
        if run is not None and not run.is_finished:
            self.instance.report_run_canceling(run, message=f"{REASON} during step {self.step}")

    def conclude(self) -> str | None:
        """After the run, or an interrupt that escaped it: what the CLI says, None if nothing was
        interrupted. A run interrupted before its first step (Dagster recording its planned
        materialisations, or starting its resources) was left NOT_STARTED or failed "unexpectedly":
        it is marked cancelled, with the reason."""
        short = self.run_id[:8]
        if self.step is not None:
            return (
                f"interrupted: cancelled run {short} during step {self.step}; the steps after it did not run "
                "(the UI's Runs page has the run)"
            )
        run = self.instance.get_run_by_id(self.run_id)
        if run is None or (run.is_finished and not self.outside):
            return None
        self.instance.report_run_canceled(run, message=f"{REASON} before its first step")
        return f"interrupted: cancelled run {short} before its first step"


def _not_the_interrupt(record: logging.LogRecord) -> bool:
    """The console's filter: the interrupted step and the run's cancellation are said by the CLI."""
    event = getattr(record, "dagster_event", None)
    ended = event is not None and event.event_type in _CANCELLATION
    return not (ended or interrupted_step(event) or interrupted_run(event))


@dg.logger(
    config_schema={
        "log_level": dg.Field(str, default_value="INFO"),
        "name": dg.Field(str, default_value="dagster"),
    },
    description="Dagster's console logger without the interrupt's tracebacks (famachat-ml's in-process runs)",
)
def cli_console_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    config = init_context.logger_config
    logger = create_console_logger(config["name"], config["log_level"].upper())
    logger.addFilter(_not_the_interrupt)
    return logger
