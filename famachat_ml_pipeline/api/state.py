"""What every request needs: settings, the engine, the rate limiter and how to open an account's agent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from fastapi import Depends, HTTPException, Request, status

from famachat_ml_pipeline.agent.service import open_agent
from famachat_ml_pipeline.agent.types import AccountAgent
from famachat_ml_pipeline.api.auth import Caller, authenticate
from famachat_ml_pipeline.api.ratelimit import RateLimiter
from famachat_ml_pipeline.api.turns import TurnLocks
from famachat_ml_pipeline.settings import Settings

AgentOpener = Callable[[sa.Engine, int, Settings], AccountAgent]


def default_opener(engine: sa.Engine, config_id: int, settings: Settings) -> AccountAgent:
    return open_agent(engine, config_id, settings)


@dataclass
class ApiState:
    settings: Settings
    engine: sa.Engine
    limiter: RateLimiter
    open_agent: AgentOpener
    turns: TurnLocks = field(default_factory=TurnLocks)


def api_state(request: Request) -> ApiState:
    return request.app.state.api


def caller(request: Request, state: ApiState = Depends(api_state)) -> Caller:  # noqa: B008
    """Authenticate, then count the request against the caller's rate limit.

    Refused credentials count against the client's address, so keys cannot be guessed at full speed.
    """
    try:
        who = authenticate(request, state.settings)
    except HTTPException as exc:
        if exc.status_code == status.HTTP_401_UNAUTHORIZED:
            _limit(state, f"refused:{request.client.host if request.client else '-'}")
        raise
    request.state.caller = who
    _limit(state, who.rate_key)
    return who


def _limit(state: ApiState, key: str) -> None:
    wait = state.limiter.hit(key)
    if wait:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "rate limit exceeded",
            headers={"Retry-After": state.limiter.retry_after(wait)},
        )
