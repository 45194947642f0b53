"""Users' decisions: apply or dismiss a recommendation, acknowledge an anomaly (users' columns only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi import Path as FastApiPath

from famachat_ml_pipeline.api.auth import Caller, account_of
from famachat_ml_pipeline.api.schemas import MAX_ID, AcknowledgeRequest, DecisionRequest, DismissRequest
from famachat_ml_pipeline.api.state import ApiState, api_state, caller
from famachat_ml_pipeline.db import user_decisions

# a path id past the databases' INTEGER is no row: 422, not the 500 of an out-of-range parameter
RowId = Annotated[int, FastApiPath(gt=0, le=MAX_ID)]
router = APIRouter(prefix="/api/v1", tags=["decisions"])

Account = Depends(caller)
State = Depends(api_state)


def _user(who: Caller, body: DecisionRequest) -> int | None:
    # A JWT names its user; only FamaChat's backend (API key) may say who decided.
    return who.user_id if who.kind == "jwt" else body.user_id


def _decided(decide: Callable[..., dict[str, Any] | None], *args: Any) -> dict[str, Any]:
    """A recommendation's decision: 404 when missing, 409 when the other decision was taken first."""
    try:
        return _found(decide(*args), "recommendation")
    except user_decisions.DecisionConflict as e:
        was = "aplicada" if e.row["was_applied"] else "descartada"
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"Esta recomendação já foi {was}: uma recomendação é aplicada ou descartada, não as duas.",
        ) from None


def _found(row: dict[str, Any] | None, what: str) -> dict[str, Any]:
    if row is None:  # missing, or another account's: the same 404
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{what} not found")
    return row


@router.post("/recommendations/{recommendation_id}/apply")
def apply(
    recommendation_id: RowId, body: DecisionRequest, who: Caller = Account, state: ApiState = State
) -> dict[str, Any]:
    account, user = account_of(who, body.config_id), _user(who, body)
    return _decided(user_decisions.apply_recommendation, state.engine, account, recommendation_id, user)


@router.post("/recommendations/{recommendation_id}/dismiss")
def dismiss(
    recommendation_id: RowId, body: DismissRequest, who: Caller = Account, state: ApiState = State
) -> dict[str, Any]:
    account, user = account_of(who, body.config_id), _user(who, body)
    return _decided(
        user_decisions.dismiss_recommendation, state.engine, account, recommendation_id, user, body.reason
    )


@router.post("/anomalies/{anomaly_id}/acknowledge")
def acknowledge(
    anomaly_id: RowId, body: AcknowledgeRequest, who: Caller = Account, state: ApiState = State
) -> dict[str, Any]:
    row = user_decisions.acknowledge_anomaly(
        state.engine, account_of(who, body.config_id), anomaly_id, _user(who, body), body.resolution_notes
    )
    return _found(row, "anomaly")
