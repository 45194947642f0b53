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

from famachat_ml_pipeline.core.recommendations import format_money, format_number, format_pct
from famachat_ml_pipeline.db import agent_queries as q
from famachat_ml_pipeline.source.clean import latest_complete_day

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
            self._campaigns = {r["campaign_id"]: r for r in q.read_campaigns(self.engine, self.config_id)}
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
    def money(self, value: float | None) -> str | None:
        return None if value is None else format_money(float(value), self.currency)


def num(value: float | None, decimals: int = 2) -> str | None:
    return None if value is None else format_number(float(value), decimals)


def pct(value: float | None, decimals: int = 0) -> str | None:
    return None if value is None else format_pct(float(value), decimals)


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
