"""`ambassador-bot manifest`: the Slack app manifest to paste into "Create an app → From a manifest".

The bot scopes are exactly those the Web API methods the bot calls need (`BOT_METHODS`); a test checks
that list against the code, so a new call cannot ship without its scope.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from bot.blocks import ids
from bot.slack.server import EVENTS_PATH

DEFAULT_NAME = "Ambassador Bot"
DESCRIPTION = "Runs the community's ambassador program: contributions, progress, applications and renewals."
USAGE_HINT = (
    "log | status | list | history | apply | nominate | renew | benefits | snooze | pause | resume"
    " | step-down | rejoin | admin | report | help"
)

# Every Web API method the bot's code calls (with the bot token), and the bot scopes it needs here.
BOT_METHODS: dict[str, tuple[str, ...]] = {
    "chat.postMessage": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.getPermalink": (),
    "views.open": (),
    "views.push": (),
    "views.update": (),
    "views.publish": (),
    "users.info": ("users:read",),
    # Opening the DM the bot writes to.
    "conversations.open": ("im:write",),
    # The sender looks for its own earlier post (by metadata) before retrying: in DMs and in the review
    # and announcement channels, which may be public or private.
    "conversations.history": ("im:history", "channels:history", "groups:history"),
    # Access that follows the roster: the ambassadors' user group, and their private channel.
    "usergroups.list": ("usergroups:read",),
    "usergroups.users.update": ("usergroups:write",),
    "usergroups.enable": ("usergroups:write",),
    "usergroups.disable": ("usergroups:write",),
    "conversations.members": ("groups:read",),
    "conversations.invite": ("groups:write",),
    "conversations.kick": ("groups:write",),
    # The program report's chart: uploaded, then shared in the review or announcement channel or a DM.
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
}
# Called by Bolt and the Socket Mode client themselves, not by the bot's code.
LIBRARY_METHODS: dict[str, tuple[str, ...]] = {
    "auth.test": (),  # also the access jobs, to know the bot's own user
    "apps.connections.open": (),  # with the app-level token (connections:write), not a bot scope
}
# Scopes no method call shows: the slash command itself, and posting in public channels (the
# announcement channel) without being invited first.
FEATURE_SCOPES: tuple[str, ...] = ("commands", "chat:write.public")
# The events the handlers listen to, and the scope Slack requires to deliver each: `message.im` is a
# message typed in the bot's Messages tab, answered with the help.
EVENT_SCOPES: dict[str, tuple[str, ...]] = {"app_home_opened": (), "message.im": ("im:history",)}
BOT_EVENTS: tuple[str, ...] = tuple(EVENT_SCOPES)
# Slack's rule for `features.bot_user.display_name` (app manifest reference): at most 80 characters
# among a-z, 0-9, "-", "_" and ".".
BOT_DISPLAY_NAME = re.compile(r"^[a-z0-9._-]{1,80}$")


def bot_scopes() -> list[str]:
    needed = set(FEATURE_SCOPES)
    for scopes in (*BOT_METHODS.values(), *EVENT_SCOPES.values()):
        needed.update(scopes)
    return sorted(needed)


def bot_display_name(app_name: str) -> str:
    """The bot user's name from the app's: "AsyncAPI Ambassadors" → "asyncapi-ambassadors"."""
    plain = unicodedata.normalize("NFKD", app_name).encode("ascii", "ignore").decode().lower()  # é → e
    name = re.sub(r"[^a-z0-9._-]+", "-", plain).strip("-._")[:80].strip("-._")
    if not BOT_DISPLAY_NAME.match(name):
        raise ValueError(
            f"{app_name!r} leaves no letters or digits for the bot's name (Slack allows a-z, 0-9, - _ .)"
        )
    return name


def request_url(base_url: str) -> str:
    """`https://host[/prefix]` → `https://host[/prefix]/slack/events` (a full events URL is kept)."""
    parts = urlsplit(base_url.strip())
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(
            f"{base_url!r} is not an https URL like https://bot.example.org (Slack only calls https)"
        )
    path = parts.path.rstrip("/")
    if not path.endswith(EVENTS_PATH):
        path += EVENTS_PATH
    return f"https://{parts.netloc}{path}"


def build_manifest(
    *, url: str | None = None, socket_mode: bool = False, name: str = DEFAULT_NAME
) -> dict[str, Any]:
    """The manifest for HTTP mode (Slack calls `url` + /slack/events) or Socket Mode."""
    if socket_mode == bool(url):
        raise ValueError("give either a request URL (HTTP mode) or socket_mode=True")
    events_url = request_url(url) if url else None
    command: dict[str, Any] = {
        "command": ids.COMMAND,
        "description": "Log contributions, see your progress, apply and more",
        "usage_hint": USAGE_HINT,
        # Mentions arrive as <@U123|name>, so user IDs never come from display names.
        "should_escape": True,
    }
    interactivity: dict[str, Any] = {"is_enabled": True}
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    if events_url:
        command["url"] = events_url
        interactivity["request_url"] = events_url
        events["request_url"] = events_url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name,
            "description": DESCRIPTION,
            "background_color": "#1b1f3b",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                # The bot's DMs (welcome, reminders) live here; members may type /ambassador commands
                # in it, and a plain message gets the help (handlers/direct_messages.py).
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": bot_display_name(name), "always_online": True},
            "slash_commands": [command],
            # On any message with a link: the log form, filled in from the message (the `commands`
            # scope covers shortcuts; they come to the interactivity request URL).
            "shortcuts": [
                {
                    "name": "Log as contribution",
                    "type": "message",
                    "callback_id": ids.LOG_SHORTCUT,
                    "description": "Log the link in this message as an ambassador contribution",
                }
            ],
        },
        "oauth_config": {"scopes": {"bot": bot_scopes()}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }
