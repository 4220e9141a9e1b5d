"""What every feature's listeners share: how they get `deps`, where a click came from, telling the
clicker something only they see, sending queued messages at once, and looking a person up in Slack."""

from __future__ import annotations

import functools
import inspect
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.blocks import kit
from bot.blocks.emeritus import FAREWELL_MESSAGES
from bot.outbox.sender import deliver as deliver_outbox
from bot.rules import membership as membership_rules
from bot.rules import parsing
from bot.services.membership.farewell import Farewell
from bot.slack.deps import Deps

log = logging.getLogger(__name__)


def bind(listener: Callable[..., Any], **values: Any) -> Callable[..., Any]:
    """`listener` with its keyword-only parameters `values` (`deps`, ...) filled in, ready to attach.

    Listeners are plain module-level functions that say in their signature what they need, so a test
    calls one with its own `deps`, and `register` only attaches. Bolt fills in a listener's arguments
    by the names of its positional parameters (`ack`, `body`, `client`, ...) and leaves keyword-only
    ones alone; so what is bound here must be keyword-only, which is checked when the app is built
    rather than on the first click.
    """
    parameters = inspect.signature(listener).parameters
    for name in values:
        parameter = parameters.get(name)
        if parameter is None or parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise TypeError(f"{listener.__qualname__} must take {name!r} as a keyword-only parameter")
    bound = functools.partial(listener, **values)
    # Bolt names listeners in its logs (`__name__`), and reads their parameters through `__wrapped__`.
    functools.update_wrapper(bound, listener)
    return bound


@dataclass(frozen=True)
class Origin:
    """Where a click happened: a message (maybe ephemeral), or a view (the App Home, a modal)."""

    user_id: str
    channel_id: str = ""
    message_ts: str = ""
    is_ephemeral: bool = False
    response_url: str = ""

    @property
    def in_message(self) -> bool:
        return bool(self.channel_id and self.message_ts and not self.is_ephemeral)

    @classmethod
    def of(cls, body: dict[str, Any]) -> Origin:
        container = body.get("container") or {}
        if container.get("type") == "message":
            return cls(
                body["user"]["id"],
                str(container.get("channel_id") or (body.get("channel") or {}).get("id") or ""),
                str(container.get("message_ts") or ""),
                bool(container.get("is_ephemeral")),
                str(body.get("response_url") or ""),
            )
        return cls(body["user"]["id"])

    def metadata(self, **extra: Any) -> str:
        """This origin for a modal's `private_metadata`, so that its submission answers in the same place."""
        return json.dumps(
            {
                "channel_id": self.channel_id,
                "message_ts": self.message_ts,
                "is_ephemeral": self.is_ephemeral,
                "response_url": self.response_url,
                **extra,
            }
        )

    @classmethod
    def from_metadata(cls, user_id: str, metadata: dict[str, Any]) -> Origin:
        return cls(
            user_id,
            str(metadata.get("channel_id") or ""),
            str(metadata.get("message_ts") or ""),
            bool(metadata.get("is_ephemeral")),
            str(metadata.get("response_url") or ""),
        )


def clicked_value(body: dict[str, Any]) -> str:
    return str((body.get("actions") or [{}])[0].get("value") or "")


def clicked_id(body: dict[str, Any]) -> int | None:
    """The id a button carries in its value; None when it is not one (a forged or garbled click)."""
    return parsing.whole_number(clicked_value(body))


def tell(client: WebClient, origin: Origin, message: str | dict[str, Any]) -> None:
    """Something only the clicker sees: ephemeral where they clicked, or else a DM from the bot.

    `message` is a text, or a whole message payload (text and blocks).
    """
    payload = kit.message(message, [kit.section(message)]) if isinstance(message, str) else message
    try:
        if origin.response_url:
            WebhookClient(origin.response_url).send(
                text=payload["text"],
                blocks=payload.get("blocks"),
                response_type="ephemeral",
                replace_original=False,
            )
            return
        if origin.channel_id:
            client.chat_postEphemeral(channel=origin.channel_id, user=origin.user_id, **payload)
            return
    except SlackApiError as exc:
        # E.g. a DM between two people, where the bot is not a member: our own DM instead.
        log.info(
            "could not answer %s where they were (%s); sending a DM",
            origin.user_id,
            exc.response.get("error"),
        )
    try:
        client.chat_postMessage(channel=origin.user_id, **payload)
    except SlackApiError as exc:
        # Only a courtesy: what was done is recorded, and the App Home shows it.
        log.warning("could not tell %s either (%s)", origin.user_id, exc.response.get("error"))


def deliver_now(deps: Deps, client: WebClient, keys: Sequence[str]) -> None:
    """Send these outbox messages right after their commit, for immediacy; the scheduler retries."""
    if not keys:
        return
    try:
        deliver_outbox(deps.db, client, deps.now(), keys=list(keys), settings=deps.settings)
    except Exception:
        # The change is committed and its messages are in the outbox: the scheduler sends them.
        # Raising would make the error path tell the member that nothing was changed.
        log.exception("delivering %s right away failed; the scheduler will retry", ", ".join(keys))


def slack_name(client: WebClient, user_id: str) -> str | None:
    """The person's name from Slack, or None when there is no such (human, active) user.

    Before an answer to Slack, pass `lookup_client(...)`: a slow Slack then raises in time for the
    member to be told to try again, before anything is written.
    """
    try:
        user = client.users_info(user=user_id).get("user") or {}
    except SlackApiError as exc:
        if exc.response.get("error") in ("user_not_found", "users_not_found"):
            return None
        raise
    if user.get("is_bot") or user.get("deleted"):
        return None
    profile = user.get("profile") or {}
    name = (
        user.get("real_name") or profile.get("real_name") or profile.get("display_name") or user.get("name")
    )
    return str(name or user_id)[: membership_rules.PROFILE_LIMITS["name"]]


def farewell(deps: Deps) -> Farewell:
    """Whom becoming emeritus tells, from a listener: the member, and the TSC in REVIEW_CHANNEL."""
    return Farewell(FAREWELL_MESSAGES, deps.settings.review_channel)
