"""The alert webhook (ALERT_WEBHOOK_URL): Slack-compatible `{"text": ...}` posts, in pt-BR.

Without a URL an alert is only logged, so a deployment without a receiver loses nothing but the push.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterable, Sequence

import dagster as dg
from dagster._utils.error import SerializableErrorInfo

from famachat_ml_pipeline.db.orchestration_queries import CriticalAnomaly

ALERT_WEBHOOK_URL = "ALERT_WEBHOOK_URL"
TIMEOUT_SECONDS = 10.0


class AlertDeliveryError(RuntimeError):
    pass


class AlertWebhook(dg.ConfigurableResource):
    """Where alerts go: a URL accepting Slack-compatible JSON (ALERT_WEBHOOK_URL); empty means log only."""

    url: str = ""

    def send(self, text: str, log: dg.DagsterLogManager | None = None) -> bool:
        """Posts `text`; True when delivered, False when there is no URL (logged). Raises
        AlertDeliveryError on any non-2xx answer or network error, so the caller can retry later."""
        if not self.url:
            if log is not None:
                log.warning(f"ALERT_WEBHOOK_URL is not set; alert not sent: {text}")
            return False
        body = json.dumps({"text": text}).encode()
        try:
            request = urllib.request.Request(
                self.url, data=body, headers={"Content-Type": "application/json"}, method="POST"
            )
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                response.read()
        except ValueError:  # urllib's "unknown url type": the URL itself (a secret) is not repeated
            raise AlertDeliveryError("webhook post failed: ALERT_WEBHOOK_URL is not an http(s) URL") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise AlertDeliveryError(f"webhook post failed: {exc}") from exc
        return True


def _number(value: float) -> str:
    """pt-BR decimals: 1.234,56."""
    return f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def anomaly_text(anomaly: CriticalAnomaly) -> str:
    """The pt-BR alert for one CRITICAL anomaly: campaign (name and id), type, observed and expected."""
    campaign = (
        f"{anomaly.campaign_name} ({anomaly.entity_id})" if anomaly.campaign_name else anomaly.entity_id
    )
    return (
        f":rotating_light: Anomalia CRÍTICA na campanha {campaign}, conta {anomaly.config_id}: "
        f"{anomaly.anomaly_type} em {anomaly.metric_name} no dia {anomaly.anomaly_date}. "
        f"Valor observado {_number(anomaly.observed_value)}, esperado {_number(anomaly.expected_value)}."
    )


def digest_text(config_id: int, anomalies: Sequence[CriticalAnomaly], shown: int) -> str:
    """One post for an account's critical anomalies beyond the `shown` posted one by one: how many, of
    which types, on which days. So many at once is usually one problem of the account or its data."""
    types = Counter(a.anomaly_type for a in anomalies)
    kinds = ", ".join(f"{t} {_count(n)}" for t, n in sorted(types.items(), key=lambda kv: (-kv[1], kv[0])))
    days = sorted(a.anomaly_date for a in anomalies)
    when = f"no dia {days[0]}" if days[0] == days[-1] else f"de {days[0]} a {days[-1]}"
    return (
        f":rotating_light: Conta {config_id}: mais {_count(len(anomalies))} anomalias CRÍTICAS além das "
        f"{shown} acima, {when} ({kinds}). Tantas de uma vez costumam ser um só problema da conta ou dos "
        "dados; veja a lista completa no FamaChat."
    )


def _count(n: int) -> str:
    return f"{n:,}".replace(",", ".")


_STEP_BEGAN = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_RESTARTED}
_STEP_ENDED = {
    dg.DagsterEventType.STEP_SUCCESS,
    dg.DagsterEventType.STEP_FAILURE,
    dg.DagsterEventType.STEP_SKIPPED,
    dg.DagsterEventType.STEP_UP_FOR_RETRY,
}
STEP_EVENTS = sorted(_STEP_BEGAN | _STEP_ENDED, key=lambda t: t.value)


def steps_in_progress(events: Iterable[dg.DagsterEvent]) -> list[str]:
    """The steps a run had begun and not ended, from its step events in the order they were stored: what
    its process was doing when it died."""
    began: dict[str, bool] = {}
    for event in events:
        if event.step_key and event.event_type in _STEP_BEGAN | _STEP_ENDED:
            began[event.step_key] = event.event_type in _STEP_BEGAN
    return [step for step, running in began.items() if running]


def step_error_line(error: SerializableErrorInfo | None) -> str | None:
    """The root cause of a failed step in one line, e.g. `WriteLockTimeout: ml_* write gave up after ...`:
    the run's own failure message only said `Steps failed: ['campaign_features']`, so the post never told
    the person on call why. Dagster's wrappers (DagsterExecutionStepExecutionError) are skipped for the
    error they carry; of that error, its class and its message's first line."""
    while error is not None and error.cls_name and _wrapper(error.cls_name) and error.cause:
        error = error.cause
    if error is None:
        return None
    text = error.message.strip()
    qualified = text.split(":", 1)[0]
    if error.cls_name and qualified.endswith(error.cls_name):  # "pkg.module.Class: text" -> "text"
        text = text.split(":", 1)[1].strip() if ":" in text else ""
    first = text.splitlines()[0] if text else ""
    return f"{error.cls_name}: {first}" if first else error.cls_name or None


def _wrapper(cls_name: str) -> bool:
    """Dagster's own wrappers, and RetryRequested ("Exceeded max_retries of 2"), whose cause is the error."""
    return cls_name.startswith("Dagster") or cls_name == "RetryRequested"


def run_failure_text(
    job_name: str, run_id: str, steps: list[str], message: str, in_progress: Sequence[str] = ()
) -> str:
    """The post for a failed run: its failing steps; when none failed but some were in progress, the run
    was failed from outside while its process ran them (run monitoring found the process gone)."""
    if steps:
        what = f"Etapa com falha: {', '.join(steps)}."
    elif in_progress:
        during = "as etapas" if len(in_progress) > 1 else "a etapa"
        what = (
            f"O processo da execução morreu durante {during} {', '.join(in_progress)}, em andamento "
            "(kill -9? falta de memória?); nenhuma etapa registrou falha."
        )
    else:
        what = "Etapa com falha: nenhuma etapa (falha da execução)."
    return f":x: A execução {run_id} do job {job_name} falhou. {what} Erro: {message.strip()[:500]}"


defs = dg.Definitions(resources={"alert_webhook": AlertWebhook(url=dg.EnvVar(ALERT_WEBHOOK_URL))})
