"""Request and response bodies of the HTTP API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, field_validator

from famachat_ml_pipeline.db.conversations import THREAD_ID


def _not_a_boolean(value: Any) -> Any:
    # pydantic reads `true` as 1: a client sending a flag where an id or a rating goes is refused
    if isinstance(value, bool):
        raise ValueError("must be an integer, not a boolean")
    return value


def _without_nul(value: str | None) -> str | None:
    # Postgres text cannot hold NUL (0x00): refused on every backend, never a 500 on one of them
    if value is not None and "\x00" in value:
        raise ValueError("must not contain the NUL character (\\u0000)")
    # a lone UTF-16 surrogate ("\ud800") is valid JSON but no text a database can store
    if value is not None and not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("must be valid Unicode text (a lone surrogate \\ud800-\\udfff is not)") from None
    return value


# the databases' INTEGER (Postgres int4): every id and config_id column; a larger one is no row, not a 500
MAX_ID = 2**31 - 1
Integer = Annotated[int, BeforeValidator(_not_a_boolean)]
Text = Annotated[str, AfterValidator(_without_nul)]
ConfigId = Annotated[
    Integer | None,
    Field(gt=0, le=MAX_ID, description="The account; required with X-API-Key, implied by a JWT."),
]


class ChatRequest(BaseModel):
    message: Text = Field(min_length=1, max_length=4000)
    config_id: ConfigId = None
    thread_id: str | None = Field(default=None, pattern=THREAD_ID)

    @field_validator("message")
    @classmethod
    def not_blank(cls, value: str) -> str:
        # "   " is as empty as "": refused, not stored as a thread titled with spaces
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class AnalyzeRequest(BaseModel):
    config_id: ConfigId = None
    thread_id: str | None = Field(default=None, pattern=THREAD_ID)
    campaign_id: str | None = Field(default=None, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")


class AccountRequest(BaseModel):
    config_id: ConfigId = None


class SuggestionsRequest(AccountRequest):
    thread_id: str | None = Field(default=None, pattern=THREAD_ID)


class FeedbackRequest(BaseModel):
    config_id: ConfigId = None
    thread_id: str = Field(pattern=THREAD_ID)
    message_id: Integer | None = Field(default=None, gt=0, le=MAX_ID)
    rating: Integer = Field(ge=1, le=5, description="1 (bad) to 5 (good)")
    comment: Text | None = Field(default=None, max_length=2000)


class ToolCallOut(BaseModel):
    name: str
    input: dict[str, Any]
    output: dict[str, Any]


class ChatResponse(BaseModel):
    thread_id: str
    message_id: int
    answer: str
    mode: str
    intent: str | None
    tool_calls: list[ToolCallOut]
    data_through: dt.date | None
    error: str | None


class SuggestionsResponse(ChatResponse):
    questions: list[str]


class MessageOut(BaseModel):
    id: int
    role: str
    content: str
    tool_calls: list[dict[str, Any]]
    mode: str | None
    intent: str | None
    error: str | None
    created_at: dt.datetime


class ThreadOut(BaseModel):
    thread_id: str
    title: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    message_count: int


class ConversationOut(ThreadOut):
    messages: list[MessageOut]


class DecisionRequest(BaseModel):
    config_id: ConfigId = None
    user_id: Integer | None = Field(
        default=None, gt=0, le=MAX_ID, description="With X-API-Key only; a JWT names its user."
    )


class DismissRequest(DecisionRequest):
    reason: Text = Field(min_length=1, max_length=2000)


class AcknowledgeRequest(DecisionRequest):
    resolution_notes: Text | None = Field(default=None, max_length=4000)
