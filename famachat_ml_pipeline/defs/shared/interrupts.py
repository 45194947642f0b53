"""An interrupt stays an interrupt when the clean-up it sets off fails.

Serve's SIGTERM (a rollout) reaches a run's worker as Dagster's DagsterExecutionInterruptedError, raised
wherever the step is. Inside a database call, the rollback on the way out can fail in turn (psycopg's
ProgrammingError on the half-used connection), and that error, not the interrupt, reached Dagster: the run
ended "Steps failed", which run retries skip (`retry_on_asset_or_op_failure: false`), so the account kept
half-applied results until the next schedule. Seen in the e2e restart test, once in five runs of the suite.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from dagster._core.errors import DagsterExecutionInterruptedError

F = TypeVar("F", bound=Callable[..., Any])
INTERRUPTS = (DagsterExecutionInterruptedError, KeyboardInterrupt)


def interrupt_behind(error: BaseException) -> BaseException | None:
    """The interrupt `error` was raised while handling (its __context__ / __cause__ chain), if any."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, INTERRUPTS):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


@contextmanager
def _interrupt_kept() -> Iterator[None]:
    try:
        yield
    except Exception as error:
        interrupt = interrupt_behind(error)
        if interrupt is None:
            raise
        raise DagsterExecutionInterruptedError(
            f"interrupted ({type(interrupt).__name__}); the clean-up then failed: "
            f"{type(error).__name__}: {error}"
        ) from error


def interrupts_win(fn: F) -> F:
    """`fn` (an asset's body, plain or a generator), raising the interrupt instead of an error that
    happened because of it."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(*args: Any, **kwargs: Any) -> Any:
            with _interrupt_kept():
                yield from fn(*args, **kwargs)

        return generator  # type: ignore[return-value]

    @functools.wraps(fn)
    def plain(*args: Any, **kwargs: Any) -> Any:
        with _interrupt_kept():
            return fn(*args, **kwargs)

    return plain  # type: ignore[return-value]
