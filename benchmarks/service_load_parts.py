"""The parts `service_throughput.py` runs inside the generated project's environment.

    python service_load_parts.py fake-provider PORT DELAY   an OpenAI-compatible fake: every
                                                            chat completion takes DELAY s
    python service_load_parts.py bare-endpoint PORT         a bare FastAPI endpoint, the
                                                            floor for any FastAPI service
    python service_load_parts.py load URL BODY HEADERS CONCURRENCY SECONDS
                                                            closed-loop clients; prints JSON

Only the project's own dependencies are used (uvicorn, FastAPI, httpx from its dev group).
"""

import asyncio
import json
import statistics
import sys
import time
from typing import Any

COMPLETION = {
    "id": "chatcmpl-bench",
    "object": "chat.completion",
    "created": 1_700_000_000,
    "model": "gpt-5-mini",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "The answer is in the first passage [1]."},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 1200, "completion_tokens": 40, "total_tokens": 1240},
}


def fake_provider(port: int, delay: float) -> None:
    import uvicorn

    body = json.dumps(COMPLETION).encode()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        await asyncio.sleep(delay)
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def bare_endpoint(port: int) -> None:
    import uvicorn
    from fastapi import FastAPI
    from pydantic import BaseModel

    class Question(BaseModel):
        question: str

    api = FastAPI()

    @api.post("/v1/ask")
    async def ask(body: Question) -> dict[str, str]:
        return {"answer": body.question}

    uvicorn.run(api, host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def load(url: str, body: str, headers: str, concurrency: int, seconds: float) -> None:
    import httpx

    payload = json.loads(body)
    sent_headers = json.loads(headers)
    latencies: list[float] = []
    errors: dict[str, int] = {}  # by status code or exception, so every error is explained
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        deadline = time.perf_counter() + seconds

        async def one_client() -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    response = await client.post(url, json=payload, headers=sent_headers)
                    kind = "" if response.status_code == 200 else f"HTTP {response.status_code}"
                except httpx.HTTPError as error:
                    kind = type(error).__name__
                if kind:
                    errors[kind] = errors.get(kind, 0) + 1
                else:
                    latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else None
    print(
        json.dumps(
            {
                "requests": len(latencies),
                "errors": sum(errors.values()),
                "error_kinds": errors,
                "per_second": len(latencies) / elapsed,
                "p50": statistics.median(latencies) if latencies else None,
                "p95": p95,
            }
        )
    )


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "fake-provider":
        fake_provider(int(args[0]), float(args[1]))
    elif command == "bare-endpoint":
        bare_endpoint(int(args[0]))
    elif command == "load":
        asyncio.run(load(args[0], args[1], args[2], int(args[3]), float(args[4])))
    else:
        sys.exit(f"unknown part {command!r}")
