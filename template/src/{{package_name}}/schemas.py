"""The shapes of the HTTP API: what callers send and what they get back."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        min_length=1,
        # A question of blanks only is refused: it asks nothing.
        pattern=r"\S",
        description="What the user wants to know; not blank.",
    )


class Citation(BaseModel):
    """A passage the answer relies on; `marker` is the [n] used in the answer text."""

    marker: int
    source: str
    title: str
    position: int
    snippet: str
    score: float = Field(ge=0.0, le=1.0)


class Usage(BaseModel):
    input_tokens: int
    output_tokens: int
    cost_usd: float | None = Field(description="None when the model's price is unknown.")


class Answer(BaseModel):
    answer: str
    citations: list[Citation]
    confidence: float = Field(ge=0.0, le=1.0)
    needs_review: bool
    request_id: str
    model: str
    usage: Usage


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    request_id: str = Field(min_length=1, max_length=64)
    rating: Literal["up", "down"]
    correction: str | None = Field(default=None, max_length=4000)


class FeedbackReceipt(BaseModel):
    request_id: str
    rating: Literal["up", "down"]
    status: Literal["recorded"] = "recorded"
