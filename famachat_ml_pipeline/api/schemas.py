"""Request and response bodies of the HTTP API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field, field_validator

# Client-chosen thread ids are allowed (the seed's "conversa-123"), within a safe alphabet.
THREAD_ID = r"^[A-Za-z0-9_.:-]{1,100}$"
ConfigId = Field(default=None, gt=0, description="The account; required with X-API-Key, implied by a JWT.")


class ChatRequest(BaseModel):
    message: str = Field(min_length=1, max_length=4000)
    config_id: int | None = ConfigId
    thread_id: str | None = Field(default=None, pattern=THREAD_ID)

    @field_validator("message")
    @classmethod
    def not_blank(cls, value: str) -> str:
        # "   " is as empty as "": refused, not stored as a thread titled with spaces
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class AnalyzeRequest(BaseModel):
    config_id: int | None = ConfigId
    thread_id: str | None = Field(default=None, pattern=THREAD_ID)
    campaign_id: str | None = Field(default=None, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")


class AccountRequest(BaseModel):
    config_id: int | None = ConfigId


class SuggestionsRequest(AccountRequest):
    thread_id: str | None = Field(default=None, pattern=THREAD_ID)


class FeedbackRequest(BaseModel):
    config_id: int | None = ConfigId
    thread_id: str = Field(pattern=THREAD_ID)
    message_id: int | None = Field(default=None, gt=0)
    rating: int = Field(ge=1, le=5, description="1 (bad) to 5 (good)")
    comment: str | None = Field(default=None, max_length=2000)


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
    config_id: int | None = ConfigId
    user_id: int | None = Field(default=None, gt=0, description="With X-API-Key only; a JWT names its user.")


class DismissRequest(DecisionRequest):
    reason: str = Field(min_length=1, max_length=2000)


class AcknowledgeRequest(DecisionRequest):
    resolution_notes: str | None = Field(default=None, max_length=4000)
