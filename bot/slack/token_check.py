"""Checking the bot token with Slack (`auth.test`) when a long-running process starts.

A placeholder or revoked token would otherwise show up only when the first request arrives, as an
error inside Bolt. A refused token stops the process with one line; Slack being unreachable or
failing for a moment is not the token's fault: the process starts anyway and checks again later.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

# Answers of auth.test that mean the token itself is wrong (Slack's documented errors for it).
REFUSED = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "no_permission",
        "not_allowed_token_type",
        "missing_scope",
        "ekm_access_denied",
        "team_access_not_granted",
        "org_login_required",
    }
)
RETRY_FIRST = 1.0
RETRY_MAX = 300.0
CHECK_TIMEOUT = 10  # seconds for the one call, so a silent network does not hold the start up long
# The check's own client logs nothing itself (slack_sdk logs every failed connection as an ERROR);
# `check_token` says what happened, once, as a warning.
QUIET = logging.getLogger("bot.slack.token_check.client")
QUIET.setLevel(logging.CRITICAL)


class TokenRefused(Exception):
    """Slack says SLACK_BOT_TOKEN is not a valid bot token for a workspace."""


@dataclass(frozen=True)
class Identity:
    bot_user_id: str
    team: str
    bot_id: str = ""
    team_id: str = ""


class KnownIdentity:
    """Who the bot is, once Slack has said (the check at start, or a later background check).

    The Bolt app's authorization reads it, so that no request from Slack waits for an `auth.test` of
    its own: `/ambassador help` is answered even while Slack cannot be reached.
    """

    def __init__(self, identity: Identity | None = None) -> None:
        self.identity = identity


def refusal_message(error: str) -> str:
    return (
        f"Slack refused SLACK_BOT_TOKEN ({error}): copy the Bot User OAuth Token (xoxb-...) from the "
        "app's OAuth & Permissions page, after installing the app to the workspace"
    )


def check_token(client: WebClient) -> Identity | None:
    """One `auth.test`: the bot's identity; None when Slack could not be asked; `TokenRefused` if refused."""
    try:
        response = client.auth_test()
    except SlackApiError as exc:
        error = str(exc.response.get("error") or "")
        if error in REFUSED:
            raise TokenRefused(refusal_message(error)) from None
        status = getattr(exc.response, "status_code", 200)
        reason = f"HTTP {status}" if status != 200 or not error else error
        log.warning("could not check SLACK_BOT_TOKEN with Slack (%s)", reason)
        return None
    except Exception as exc:  # a connection error or timeout: Slack is unreachable, not the token wrong
        log.warning("could not reach Slack to check SLACK_BOT_TOKEN (%s: %s)", exc.__class__.__name__, exc)
        return None
    identity = Identity(
        str(response.get("user_id") or ""),
        str(response.get("team") or ""),
        str(response.get("bot_id") or ""),
        str(response.get("team_id") or ""),
    )
    log.info("Slack accepted SLACK_BOT_TOKEN: bot user %s in %s", identity.bot_user_id, identity.team)
    return identity


def check_at_start(
    client: WebClient, known: KnownIdentity | None = None, going_on: str = "serving anyway"
) -> Identity | None:
    """Check the token now; when Slack cannot be asked, keep checking in the background.

    Raises `TokenRefused` at once when Slack refuses the token. A refusal seen later, by the
    background checks, is logged as an error (the process keeps running: it may be Slack's mistake).
    `known` is told the identity whenever a check learns it; `going_on` says what the process does
    meanwhile ("serving anyway", "running the jobs anyway").
    """
    known = known if known is not None else KnownIdentity()
    identity = check_token(client)
    if identity is not None:
        known.identity = identity
        return identity
    log.warning("%s; checking the token again in the background", going_on)

    def retry() -> None:
        delay = RETRY_FIRST
        while True:
            time.sleep(delay)
            try:
                found = check_token(client)
                if found is not None:
                    known.identity = found
                    return
            except TokenRefused as refused:
                log.error("%s", refused)
                return
            delay = min(delay * 2, RETRY_MAX)

    threading.Thread(target=retry, name="token-check", daemon=True).start()
    return None
