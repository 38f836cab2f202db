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
    document_id: str = Field(
        default="", description="Opens the cited document: GET /v1/documents/{document_id}."
    )


class Usage(BaseModel):
    input_tokens: int
    output_tokens: int
    cost_usd: float | None = Field(description="None when the model's price is unknown.")


ConfidenceLevel = Literal["high", "medium", "low", "none"]


class RetrievedPassage(BaseModel):
    """A passage retrieval found for the question, cited or not."""

    rank: int = Field(description="The [n] the model saw it as.")
    document_id: str
    source: str
    title: str
    position: int
    score: float = Field(ge=0.0, le=1.0)
    cited: bool
    untrusted: bool = Field(description="The passage guardrail flagged it as instructions.")


class Work(BaseModel):
    """How the answer was reached: what a reviewer checks before trusting it."""

    retrieved: list[RetrievedPassage] = []
    review_reasons: list[str] = Field(
        default=[], description="Why the answer needs review: each guardrail decision that says so."
    )
    latency_ms: float | None = None


class Answer(BaseModel):
    answer: str
    citations: list[Citation]
    confidence: float = Field(ge=0.0, le=1.0)
    needs_review: bool
    request_id: str
    model: str
    usage: Usage
    confidence_level: ConfidenceLevel = "none"
    confidence_reason: str = Field(default="", description="Why the confidence is what it is.")
    work: Work = Field(default_factory=Work)


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    request_id: str = Field(min_length=1, max_length=64)
    rating: Literal["up", "down"]
    correction: str | None = Field(default=None, max_length=4000)


class FeedbackReceipt(BaseModel):
    request_id: str
    rating: Literal["up", "down"]
    status: Literal["recorded"] = "recorded"
