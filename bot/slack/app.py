"""The Bolt app itself, before any listener: its client, signature checks and error policy.

`handlers.create_app` adds the listeners; the command line serves the result.
"""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.client import web_client
from bot.slack.deps import Deps


def bolt_app(deps: Deps, client: WebClient | None = None) -> App:
    """The Bolt app with no listener yet; `client` defaults to one on `SLACK_API_URL`."""
    settings = deps.settings
    return App(
        # No automatic retry after a connection error on the request path: a chat.postMessage retried
        # after a reset may post twice. The jobs' client (bot.outbox.sender) checks history before retrying.
        client=client or web_client(settings, retry_handlers=[]),
        signing_secret=settings.slack_signing_secret or None,
        # Bolt would otherwise reject Socket Mode apps that have no signing secret.
        request_verification_enabled=not settings.socket_mode,
        # auth.test on first use rather than at import, so `serve` starts even while Slack is slow.
        token_verification_enabled=False,
        raise_error_for_unhandled_request=False,
    )
