"""Who is calling: FamaChat's backend (X-API-Key) or a FamaChat user (a JWT bound to one account).

The API key is trusted to name the account in the request. A JWT carries its account in a claim, and
a request that names any other account is refused: a token for account A never reaches B.
Nothing is open by default: with neither secret configured every protected endpoint refuses.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal

import jwt
from fastapi import HTTPException, Request, status

from famachat_ml_pipeline.api.schemas import MAX_ID
from famachat_ml_pipeline.settings import Settings

JWT_ALGORITHM = "HS256"


@dataclass(frozen=True)
class Caller:
    kind: Literal["api_key", "jwt"]
    config_id: int | None  # bound by the JWT; None for the API key (the request names the account)
    user_id: int | None
    rate_key: str  # what the rate limit counts against; never the secret itself


def auth_configured(settings: Settings) -> bool:
    return bool(settings.ml_api_key or settings.jwt_secret)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


def _positive_int(value: object) -> int | None:
    """A claim read as an id: a positive int within the databases' INTEGER, or its ASCII digits ("²" is a
    digit to `str.isdigit` and no number to `int`)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and 0 < value <= MAX_ID else None


def decode_jwt(token: str, settings: Settings) -> Caller:
    """A valid, unexpired HS256 token with a positive config_id claim, or 401."""
    if not settings.jwt_secret:
        raise _unauthorized("invalid credentials")
    claim = settings.jwt_config_id_claim
    try:
        payload = jwt.decode(
            token, settings.jwt_secret, algorithms=[JWT_ALGORITHM], options={"require": ["exp"]}
        )
    except jwt.ExpiredSignatureError:
        raise _unauthorized("token expired") from None
    except jwt.PyJWTError:
        raise _unauthorized("invalid credentials") from None
    config_id = _positive_int(payload.get(claim))
    if config_id is None:
        raise _unauthorized(f"token has no valid {claim!r} claim")
    user_id = _positive_int(payload.get("user_id", payload.get("sub")))
    return Caller("jwt", config_id, user_id, f"jwt:{config_id}")


def authenticate(request: Request, settings: Settings) -> Caller:
    if not auth_configured(settings):
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "authentication is not configured on this server (set ML_API_KEY or JWT_SECRET)",
        )
    api_key = request.headers.get("x-api-key")
    if api_key:
        if settings.ml_api_key and hmac.compare_digest(api_key.encode(), settings.ml_api_key.encode()):
            digest = hashlib.sha256(api_key.encode()).hexdigest()[:12]
            return Caller("api_key", None, None, f"key:{digest}")
        if api_key.count(".") == 2:  # FamaChat may send its user's JWT in X-API-Key (seed 10.2)
            return decode_jwt(api_key, settings)
        raise _unauthorized("invalid credentials")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return decode_jwt(token.strip(), settings)
    raise _unauthorized("missing credentials: send X-API-Key or Authorization: Bearer <jwt>")


def account_of(caller: Caller, requested: int | None) -> int:
    """The account this request acts on.

    A JWT's account wins and may not be contradicted; the API key must name one.
    """
    if caller.config_id is not None:
        if requested is not None and requested != caller.config_id:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "this token is not valid for that account")
        return caller.config_id
    if requested is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "config_id is required with an API key")
    return requested
