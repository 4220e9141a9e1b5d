"""Slack Web API clients: the bot's own (on `SLACK_API_URL`), the short-fused one for lookups made
before the answer to Slack, and the patient one of the jobs."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.settings import Settings

# A lookup made before the answer to Slack (users.info) shares Slack's 3 s with the database and our
# own work: past this, the program's zone stands in, or the member is told to try again.
LOOKUP_TIMEOUT_SECONDS = 1.5
JOBS_CLIENT_TIMEOUT = 30  # seconds per Web API call
RATE_LIMIT_RETRIES = 3


def lookup_client(client: WebClient) -> WebClient:
    """`client` with the request path's short timeout and no retries, for lookups before the answer."""
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=LOOKUP_TIMEOUT_SECONDS,  # type: ignore[arg-type]  # urllib takes fractions of a second
        retry_handlers=[],
        logger=client.logger,
    )


def web_client(settings: Settings, **kwargs: object) -> WebClient:
    return WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, **kwargs)  # type: ignore[arg-type]


def jobs_client(settings: Settings, timeout: int = JOBS_CLIENT_TIMEOUT) -> WebClient:
    """The Web API client of the jobs: waits for `Retry-After` on 429 (never on the request path).

    It does not retry connection errors by itself (slack-sdk's default would, and a `chat.postMessage`
    retried after a reset may post twice): the outbox retries them, after checking the history.
    """
    return web_client(
        settings,
        timeout=timeout,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)],
    )
