"""What every tool receives besides its input: the account it is bound to, and shared helpers.

The `config_id` lives here and never in a tool's input, so no argument the model writes can change
which account a tool reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict

from famachat_ml_pipeline.core.recommendations.text_ptbr import format_values
from famachat_ml_pipeline.source.clean import latest_complete_day
from famachat_ml_pipeline.source.read import read_campaigns

MAX_ROWS = 20  # the longest list a tool returns


class ToolInput(BaseModel):
    """Base of every tool input: unknown fields (a smuggled `config_id`, say) are refused."""

    model_config = ConfigDict(extra="forbid")


class ToolOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass
class ToolContext:
    engine: sa.Engine
    config_id: int
    now: dt.datetime | None = None  # fixed in tests; None is the wall clock
    _campaigns: dict[str, dict[str, Any]] | None = field(default=None, repr=False)

    # ------------------------------------------------------------------ account facts
    @property
    def campaigns(self) -> dict[str, dict[str, Any]]:
        """campaign_id -> the source's campaign row, for this account only (read once per context)."""
        if self._campaigns is None:
            self._campaigns = {r["campaign_id"]: r for r in read_campaigns(self.engine, self.config_id)}
        return self._campaigns

    @property
    def currency(self) -> str:
        currencies = [c["currency"] for c in self.campaigns.values() if c.get("currency")]
        return min(currencies) if currencies else "BRL"

    @property
    def timezone(self) -> str | None:
        zones = [c["timezone_name"] for c in self.campaigns.values() if c.get("timezone_name")]
        return min(zones) if zones else None

    def data_through(self) -> dt.date:
        """The last complete day in the account's timezone (today is provisional)."""
        return latest_complete_day(self.timezone, self.now)

    def name_of(self, campaign_id: str) -> str:
        row = self.campaigns.get(campaign_id)
        return (row or {}).get("name") or campaign_id

    def owns(self, campaign_id: str) -> bool:
        return campaign_id in self.campaigns

    # ------------------------------------------------------------------ formatting
    def fmt(self, rows: list[dict[str, Any]], spec: dict[str, str]) -> list[dict[str, Any]]:
        """Copies of `rows` with the keys in `spec` formatted pt-BR (`format_values`: the values not seen
        before in one vectorised polars pass).

        kinds: "money" (account currency), "pct0"/"pct1"/"pct2", "num0"/"num1"/"num2". None stays None.
        """
        if not rows or not spec:
            return [dict(r) for r in rows]
        values = [(kind, _float(r.get(k))) for r in rows for k, kind in spec.items()]
        texts = iter(format_values(values, self.currency))
        return [{**r, **{k: next(texts) for k in spec}} for r in rows]

    def fmt1(self, row: dict[str, Any], spec: dict[str, str]) -> dict[str, Any]:
        return self.fmt([row], spec)[0]

    def money(self, value: float | None) -> str | None:
        """One amount in the account's currency, pt-BR ("R$ 1.234,56")."""
        return self.fmt1({"v": value}, {"v": "money"})["v"]


def _float(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def rnd(value: Any, digits: int = 2) -> float | None:
    if value is None:
        return None
    try:
        return round(float(value), digits)
    except (TypeError, ValueError):
        return None


class NotFound(ToolOutput):
    found: bool = False
    message: str
