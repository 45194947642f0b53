"""JSON log lines for the API: no message bodies or secrets unless `api_debug_log_bodies` is set."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys

LOGGER_NAME = "famachat_ml_pipeline.api"
log = logging.getLogger(LOGGER_NAME)

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "timestamp": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(level: int = logging.INFO) -> None:
    """One JSON handler on stderr for the API's logger (idempotent)."""
    log.setLevel(level)
    log.propagate = False
    if any(getattr(h, "_famachat_api", False) for h in log.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler._famachat_api = True  # type: ignore[attr-defined]
    log.addHandler(handler)
