"""`open_agent`: the one way the API, the CLI and MCP get an agent bound to one account."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from famachat_ml_pipeline.agent.offline import OfflineAgent
from famachat_ml_pipeline.agent.tools import ToolContext
from famachat_ml_pipeline.agent.types import AccountAgent, Mode
from famachat_ml_pipeline.settings import Settings


class UnknownAccount(LookupError):
    """No campaign of this config_id in the source tables."""


def open_agent(
    engine: sa.Engine,
    config_id: int,
    settings: Settings,
    mode: Mode | None = None,
    now: dt.datetime | None = None,
) -> AccountAgent:
    """An agent bound to `config_id` for its whole life.

    Online (Claude with tools) when an Anthropic key is set, else offline; `mode` forces one. `now`
    fixes the clock (tests). Raises UnknownAccount when the source has no campaign for the account.
    """
    if isinstance(config_id, bool) or not isinstance(config_id, int) or config_id <= 0:
        raise ValueError(f"config_id must be a positive integer, got {config_id!r}")
    ctx = ToolContext(engine=engine, config_id=config_id, now=now)
    if not ctx.campaigns:
        raise UnknownAccount(f"no campaigns for config_id {config_id}")
    wanted = mode or ("online" if settings.agent_anthropic_api_key else "offline")
    if wanted == "online":
        from famachat_ml_pipeline.agent.online import OnlineAgent

        return OnlineAgent(ctx, settings)
    return OfflineAgent(ctx)
