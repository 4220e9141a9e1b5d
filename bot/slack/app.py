"""The Bolt app itself, before any listener: its client, signature checks, authorization and error policy.

`handlers.create_app` adds the listeners; the command line serves the result.
"""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.context import BoltContext
from slack_bolt.logger.messages import (
    warning_client_prioritized_and_token_skipped,
    warning_token_skipped,
)
from slack_sdk import WebClient

from bot.slack.client import web_client
from bot.slack.deps import Deps
from bot.slack.token_check import KnownIdentity

# Bolt reads SLACK_BOT_TOKEN from the environment by itself, and then warns at every start that the
# token goes unused because it was also given a client and an authorize function. Both are given on
# purpose (below), so these two lines would only worry whoever reads the log.
BOLT_LOGGER = "slack_bolt.App"
DELIBERATE_CHOICES = frozenset({warning_client_prioritized_and_token_skipped(), warning_token_skipped()})


class _WithoutDeliberateChoices(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in DELIBERATE_CHOICES


_QUIETER = _WithoutDeliberateChoices()


class OneWorkspace(Authorize):
    """Bolt's `authorize`: the one workspace's bot token, and the bot's ids once Slack has said them.

    Bolt's own single-workspace authorization calls `auth.test` on the first request it sees, so with
    Slack unreachable even `/ambassador help`, which needs no Slack call, would fail. The start-up
    check (and its retries in the background) learns the identity instead; until then Bolt only does
    without the bot's ids (they let it drop events the bot caused itself, which the listeners also
    ignore on their own). An `Authorize` rather than a function: Bolt calls it as is, where it would
    look up a function's arguments by name on every request.
    """

    def __init__(self, token: str, known: KnownIdentity) -> None:
        super().__init__()
        self.token = token
        self.known = known

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult:
        identity = self.known.identity
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id or (identity.team_id if identity else None) or None,
            bot_token=self.token,
            bot_user_id=(identity.bot_user_id if identity else None) or None,
            bot_id=(identity.bot_id if identity else None) or None,
        )


def bolt_app(deps: Deps, client: WebClient | None = None, identity: KnownIdentity | None = None) -> App:
    """The Bolt app with no listener yet; `client` defaults to one on `SLACK_API_URL`; `identity` is
    what the start-up token check learned (or will learn) about the bot."""
    settings = deps.settings
    logging.getLogger(BOLT_LOGGER).addFilter(_QUIETER)  # the same filter once, however many apps
    client = client or web_client(settings, retry_handlers=[])
    return App(
        # No automatic retry after a connection error on the request path: a chat.postMessage retried
        # after a reset may post twice. The jobs' client (bot.outbox.sender) checks history before retrying.
        client=client,
        authorize=OneWorkspace(client.token or settings.slack_bot_token, identity or KnownIdentity()),
        signing_secret=settings.slack_signing_secret or None,
        # Bolt would otherwise reject Socket Mode apps that have no signing secret.
        request_verification_enabled=not settings.socket_mode,
        token_verification_enabled=False,
        raise_error_for_unhandled_request=False,
    )
