"""The Slack stand-in's workspace: people, channels, messages, ephemeral messages, views, and the
trigger IDs and response URLs Slack hands out with each click and command.

The Web API that changes it is `bot.sandbox.slack_methods`, served by `bot.sandbox.slack_standin`.
The sandbox's page reads it and waits on `changed` to show each change as it happens.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.block_kit import SlackError

BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
TEAM_ID = "T111"
# Slack: a trigger_id is good for one modal, within 3 seconds of the click or command.
TRIGGER_LIFETIME_SECONDS = 3.0
# Slack keeps at most three views in a modal's stack.
MODAL_STACK_LIMIT = 3
# Slack: a response_url works up to five times, for 30 minutes.
RESPONSE_URL_USES = 5
RESPONSE_URL_LIFETIME_SECONDS = 30 * 60
REFUSALS_KEPT = 50


@dataclass
class Method:
    """A Web API method: what it does, the arguments Slack requires, and the error when one is missing."""

    run: Callable[[Workspace, dict[str, Any]], dict[str, Any]]
    required: tuple[str, ...] = ()
    missing: dict[str, str] = field(default_factory=dict)


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None
    metadata: dict[str, Any] | None
    user: str = BOT_USER_ID
    files: list[dict[str, Any]] | None = None  # a file share (files.completeUploadExternal)


@dataclass
class Ephemeral:
    """A message only `user` sees, in `channel`; Slack keeps it only in that person's client."""

    channel: str
    user: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None


@dataclass
class Trigger:
    user: str
    issued_at: float  # time.monotonic()
    used: bool = False


@dataclass
class ResponseTarget:
    """What a response_url answers to: where the person acted, and on which message."""

    user: str
    channel: str
    message_ts: str = ""
    is_ephemeral: bool = False
    issued_at: float = field(default_factory=time.monotonic)
    uses: int = 0


@dataclass
class Refusal:
    """A Web API call the stand-in refused, kept for the sandbox's page to show loudly."""

    at: float
    method: str
    error: str
    detail: str


class Workspace:
    """What Slack holds for the workspace; thread-safe (the bot calls from many threads).

    `strict`: trigger IDs and response URLs must be ones this stand-in issued (the sandbox). The
    tests' fake is not strict: its requests are built by the tests, and a trigger_id containing
    "expired" stands for one past its 3 seconds.
    """

    def __init__(
        self,
        token: str,
        app_token: str = "",
        *,
        strict: bool = False,
        joined_channels: Iterable[str] = (),
        other_channels: Iterable[str] = (),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.app_token = app_token
        self.strict = strict
        self.clock = clock
        self.users: dict[str, dict[str, Any]] = {}
        # Channels the bot was invited to; posting elsewhere gives `not_in_channel`.
        self.joined_channels: set[str] = set(joined_channels)
        # Channels that exist but the bot is not in.
        self.other_channels: set[str] = set(other_channels)
        self.channel_names: dict[str, str] = {}
        # DMs a person has opened with the bot (typed there): the bot is a member of them.
        self.open_dms: set[str] = set()
        self.messages: list[Message] = []
        self.ephemerals: list[Ephemeral] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.modals: dict[str, list[str]] = {}  # person → their open modal's stack of view IDs
        self.closed_views: set[str] = set()
        self.triggers: dict[str, Trigger] = {}
        self.response_targets: dict[str, ResponseTarget] = {}
        self.refusals: deque[Refusal] = deque(maxlen=REFUSALS_KEPT)
        # User groups by ID (see `add_usergroup`); without a paid plan every usergroups.* method answers
        # `usergroups_error` (Slack's reference names `paid_teams_only`, and `plan_upgrade_required`).
        self.usergroups: dict[str, dict[str, Any]] = {}
        self.paid_plan = True
        self.usergroups_error = "paid_teams_only"
        # Private channels by ID and their members; the bot sees one only while it is a member.
        self.private_channels: dict[str, set[str]] = {}
        # Scopes the app was not granted: methods that need one answer `missing_scope`.
        self.missing_scopes: set[str] = set()
        # The workspace lets only admins remove people from channels: `conversations.kick` is refused.
        self.kick_restricted = False
        # Files by ID, from files.getUploadURLExternal on (bot.sandbox.slack_files.Upload).
        self.uploads: dict[str, Any] = {}
        # Where the stand-in is served (`http://host:port/`); Web API calls go to `api/` under it.
        self.base_url = ""
        # Where apps.connections.open sends Socket Mode clients; by default a path here that is no
        # WebSocket, so a client gets the URL but cannot connect.
        self.socket_mode_url = ""
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.version = 0
        self._ts = 0.0
        self._counter = 0

    # --- the workspace ----------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return self.base_url + "api/"

    def add_user(self, user_id: str, name: str = "", tz: str = "UTC", **profile: Any) -> None:
        with self.lock:
            self.users[user_id] = {
                "id": user_id,
                "team_id": TEAM_ID,
                "name": profile.pop("handle", "") or name or user_id.lower(),
                "real_name": profile.pop("real_name", name or user_id),
                "tz": tz,
                "tz_label": tz,
                "tz_offset": 0,
                "is_bot": False,
                "deleted": False,
                "profile": {"real_name": name or user_id, "display_name": name or user_id, **profile},
            }
            self.touch()

    def add_channel(self, channel_id: str, name: str, *, bot_is_member: bool = True) -> None:
        with self.lock:
            self.channel_names[channel_id] = name
            (self.joined_channels if bot_is_member else self.other_channels).add(channel_id)
            self.touch()

    def add_usergroup(
        self, handle: str, users: tuple[str, ...] = (), *, group_id: str = "", enabled: bool = True
    ) -> str:
        with self.lock:
            group_id = group_id or f"S0{len(self.usergroups) + 1:07d}"
            self.usergroups[group_id] = {
                "id": group_id,
                "handle": handle,
                "name": handle.title(),
                "users": list(users),
                "date_delete": 0 if enabled else 1773576000,
            }
            return group_id

    def group_members(self, group_id: str) -> list[str]:
        with self.lock:
            return list(self.usergroups[group_id]["users"])

    def add_private_channel(
        self, channel_id: str, members: tuple[str, ...] = (), *, bot_member: bool = True
    ) -> None:
        with self.lock:
            self.private_channels[channel_id] = set(members) | ({BOT_USER_ID} if bot_member else set())

    def channel_members(self, channel_id: str) -> set[str]:
        with self.lock:
            return set(self.private_channels[channel_id])

    def touch(self) -> None:
        """Something changed: wake whoever waits on `changed` (the page's live updates)."""
        with self.lock:
            self.version += 1
            self.changed.notify_all()

    def next_id(self, prefix: str) -> str:
        with self.lock:
            self._counter += 1
            return f"{prefix}{self._counter:06d}"

    def next_ts(self) -> str:
        # Like Slack: the time of posting, in microseconds, unique in the workspace.
        with self.lock:
            self._ts = max(round(self._ts + 0.000001, 6), round(self.clock(), 6))
            return f"{self._ts:.6f}"

    def dm_channel(self, user_id: str) -> str:
        return "D" + user_id[1:]

    def resolve_channel(self, channel: str) -> str:
        if channel.startswith(("U", "W")):
            if channel not in self.users:
                raise SlackError("channel_not_found")
            return self.dm_channel(channel)
        if channel.startswith("D"):
            return channel
        if channel in self.joined_channels:
            return channel
        if channel in self.other_channels:
            raise SlackError("not_in_channel")
        raise SlackError("channel_not_found")

    def bot_in_dm(self, channel: str) -> bool:
        return channel in self.open_dms or any(message.channel == channel for message in self.messages)

    def issue_trigger(self, user_id: str) -> str:
        """A trigger_id for what `user_id` just did, as Slack sends with each click and command."""
        trigger_id = f"{self.next_id('')}.{int(self.clock())}.{TEAM_ID.lower()}"
        with self.lock:
            self.triggers[trigger_id] = Trigger(user_id, time.monotonic())
            # Keep only recent ones: an old trigger is useless anyway.
            if len(self.triggers) > 1000:
                for key in list(self.triggers)[:500]:
                    del self.triggers[key]
        return trigger_id

    def take_trigger(self, trigger_id: str) -> str | None:
        """The person a modal opened with `trigger_id` belongs to; SlackError when Slack would refuse."""
        with self.lock:
            trigger = self.triggers.get(trigger_id)
            if trigger is None:
                if "expired" in trigger_id:
                    raise SlackError("expired_trigger_id")
                if self.strict:
                    raise SlackError("invalid_trigger_id")
                return None
            if trigger.used or time.monotonic() - trigger.issued_at > TRIGGER_LIFETIME_SECONDS:
                raise SlackError("expired_trigger_id")
            trigger.used = True
            return trigger.user

    def issue_response_url(
        self, user_id: str, channel: str, message_ts: str = "", is_ephemeral: bool = False
    ) -> str:
        kind = "actions" if message_ts else "commands"
        path = f"/response/{kind}/{TEAM_ID}/{self.next_id('')}/{self.next_id('r')}"
        with self.lock:
            self.response_targets[path] = ResponseTarget(user_id, channel, message_ts, is_ephemeral)
        return self.base_url.rstrip("/") + path

    def store_view(
        self, view: dict[str, Any], view_id: str | None = None, owner: str | None = None
    ) -> dict[str, Any]:
        with self.lock:
            if view_id is None:
                view_id = self.next_id("V")
            stored = {
                **view,
                "id": view_id,
                "hash": f"{int(self.clock())}.{self.next_id('h')}",
                "state": {"values": {}},
            }
            self.views[view_id] = stored
            if owner is not None and view.get("type") == "modal":
                stack = self.modals.setdefault(owner, [])
                if view_id not in stack:
                    stack.append(view_id)
            self.touch()
            return stored

    def close_modal(self, user_id: str, view_id: str | None = None) -> None:
        """The person closed the top view (or, with `view_id`, the modal holding it): it is gone."""
        with self.lock:
            stack = self.modals.get(user_id, [])
            if view_id is None or view_id not in stack:
                gone, stack[:] = list(stack), []
            else:
                gone = stack[stack.index(view_id) :]
                del stack[stack.index(view_id) :]
            self.closed_views.update(gone)
            self.touch()

    def owner_of(self, view_id: str) -> str | None:
        with self.lock:
            return next((user for user, stack in self.modals.items() if view_id in stack), None)

    def record_refusal(self, method: str, error: SlackError) -> None:
        with self.lock:
            self.refusals.append(Refusal(self.clock(), method, error.error, error.detail))
            self.touch()
