"""Structured logging: one JSON object a line on stdout, through one processor pipeline.

Every line has `timestamp`, `level`, `event` and `request_id`. Credentials never reach a
line, and personal data (emails, phone, card and IBAN numbers, national ids, key-shaped
secrets: see guardrails/pii.py, which validates each) is redacted from every value.
"""

import logging
import re
import sys
from typing import Any, TextIO

import orjson
import structlog
from opentelemetry import trace
from pydantic import SecretStr
from structlog.typing import EventDict, Processor, WrappedLogger

from ..guardrails.pii import DEFAULT_DETECTOR

_SECRET_KEY = re.compile(
    r"(^|_)(api_?keys?|authorization|password|passwd|secret|credentials?|token)$", re.IGNORECASE
)


def redact_text(text: str) -> str:
    """Validated personal data and secret-shaped strings masked, e.g. "[email]"."""
    return DEFAULT_DETECTOR.mask(text)


def _redact_value(key: str, value: Any) -> Any:
    if isinstance(value, SecretStr) or (_SECRET_KEY.search(key) and value):
        return "[redacted]"
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(key, item) for item in value]
    return value


def redact(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    return {key: _redact_value(key, value) for key, value in event_dict.items()}


def ensure_request_id(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    event_dict.setdefault("request_id", None)
    return event_dict


def add_trace_context(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """The current trace and span ids, so a log line leads to its trace (when tracing is on)."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict["trace_id"] = format(context.trace_id, "032x")
        event_dict["span_id"] = format(context.span_id, "016x")
    return event_dict


def _dumps(value: Any, **_: Any) -> str:
    return orjson.dumps(value, default=str).decode()


def configure_logging(level: str = "INFO", stream: TextIO | None = None) -> None:
    """Route structlog and the standard library (uvicorn included) through one JSON renderer."""
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        redact,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
        ensure_request_id,
        add_trace_context,
    ]
    structlog.configure(
        # Below the level, an event is dropped before redaction and the rest run on it.
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(serializer=_dumps),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "httpx"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    logging.getLogger("httpx").setLevel(logging.WARNING)
