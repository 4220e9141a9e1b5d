"""The ambassadors' places in Slack as the access jobs need them: the user group (read, replace its
list, disable it when nobody is left, enable it again) and the private channel (members, invite,
remove), with Slack's answers sorted into what the jobs do about them.

Slack's reference for these methods: a user group's list is replaced whole
(`usergroups.users.update`, "the entire list of users") and may not be empty (`no_users_provided`,
`invalid_users`), so a group with nobody left is disabled instead (`usergroups.disable`); user groups
are a paid plan's feature (`paid_teams_only`, and `plan_upgrade_required` in the newer reference); a
private channel the bot is not in does not exist for it (`channel_not_found`).
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.outbox.delivery_errors import Transient, classify

MEMBERS_PAGE = 1000
MAX_PAGES = 50

# The place itself cannot be kept as things stand: said once to the review channel, and the other
# places carry on.
PLACE_PROBLEMS = frozenset(
    {
        "paid_teams_only",
        "plan_upgrade_required",
        "missing_scope",
        "no_permission",
        "permission_denied",
        "access_denied",
        "no_such_subteam",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "method_not_supported_for_channel_type",
        "restricted_action",
        "cant_kick_from_general",
        "enterprise_is_restricted",
        "ekm_access_denied",
        "subteam_max_users_exceeded",
    }
)
# The bot's token itself is refused: nothing can be done anywhere in Slack until it is fixed.
TOKEN_PROBLEMS = frozenset(
    {
        "not_authed",
        "invalid_auth",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "not_allowed_token_type",
    }
)


class PlaceProblem(Exception):
    """The place cannot be kept (a paid plan needed, a scope missing, the bot not in the channel)."""

    def __init__(self, error: str, needed: str = "") -> None:
        super().__init__(error)
        self.error = error
        self.needed = needed  # the scope Slack says is missing


class TokenRefused(Exception):
    """Slack refuses the bot's token."""


class Refused(Exception):
    """Slack will not make this change for this person (a guest, a deactivated account)."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass(frozen=True)
class UserGroup:
    id: str
    handle: str
    enabled: bool
    users: frozenset[str] = field(default_factory=frozenset)

    @property
    def members(self) -> frozenset[str]:
        """Who a mention reaches: nobody while the group is disabled."""
        return self.users if self.enabled else frozenset()


def _sorted(exc: SlackApiError) -> Exception:
    response = exc.response
    error = str(response.get("error") or "")
    status = getattr(response, "status_code", 200)
    if status == 429 or status >= 500:
        outcome = classify(exc)
        assert isinstance(outcome, Transient)
        return outcome
    if error in TOKEN_PROBLEMS:
        return TokenRefused(error)
    if error in PLACE_PROBLEMS:
        return PlaceProblem(error, str(response.get("needed") or ""))
    if error in ("ratelimited", "fatal_error", "internal_error", "service_unavailable", "request_timeout"):
        return Transient(error)
    return Refused(error)


@contextmanager
def _answers() -> Iterator[None]:
    """Around one Web API call: Slack's refusals and failures as this module's exceptions (or
    `Transient`)."""
    try:
        yield
    except SlackApiError as exc:
        raise _sorted(exc) from exc
    except (OSError, http.client.HTTPException) as exc:
        # A timeout or a dropped connection: the change may or may not have been made; the next
        # attempt looks at the place again before changing anything.
        raise Transient(f"{exc.__class__.__name__}: {exc}") from exc


class SlackPlaces:
    """The Web API calls of the access jobs, on the jobs' client (it waits out 429s a few times)."""

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._bot_user_id: str | None = None

    def bot_user_id(self) -> str:
        if self._bot_user_id is None:
            with _answers():
                self._bot_user_id = str(self.client.auth_test().get("user_id") or "")
        return self._bot_user_id

    # --- the user group ---------------------------------------------------------------------------

    def user_group(self, wanted: str) -> UserGroup:
        """The group set up as `wanted` (its ID or its handle), disabled or not, with its users."""
        with _answers():
            answer = self.client.usergroups_list(include_users=True, include_disabled=True)
        for group in answer.get("usergroups") or []:
            if wanted in (group.get("id"), group.get("handle")):
                return UserGroup(
                    id=str(group["id"]),
                    handle=str(group.get("handle") or ""),
                    enabled=not group.get("date_delete"),
                    users=frozenset(str(user) for user in group.get("users") or []),
                )
        raise PlaceProblem("no_such_subteam")

    def set_user_group(self, group: UserGroup, users: list[str]) -> None:
        """Make `users` the group's whole list: disabled when nobody is left (Slack refuses an empty
        list), enabled again after its list is set when someone joins."""
        if set(users) == group.members:
            return
        if not users:
            with _answers():
                self.client.usergroups_disable(usergroup=group.id)
            return
        if set(users) != group.users:
            with _answers():
                self.client.usergroups_users_update(usergroup=group.id, users=",".join(users))
        if not group.enabled:
            with _answers():
                self.client.usergroups_enable(usergroup=group.id)

    # --- the private channel ------------------------------------------------------------------------

    def channel_members(self, channel: str) -> set[str]:
        members: set[str] = set()
        cursor = None
        for _ in range(MAX_PAGES):
            with _answers():
                page = self.client.conversations_members(channel=channel, limit=MEMBERS_PAGE, cursor=cursor)
            members.update(str(user) for user in page.get("members") or [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        return members

    def invite(self, channel: str, user: str) -> bool:
        """True when the bot added them; False when they were already there."""
        try:
            with _answers():
                self.client.conversations_invite(channel=channel, users=user)
        except PlaceProblem as problem:
            # conversations.invite's `no_permission`: "... to invite that specific user".
            if problem.error == "no_permission":
                raise Refused(problem.error) from problem
            raise
        except Refused as refused:
            if refused.error in ("already_in_channel", "cant_invite_self"):
                return False
            raise
        return True

    def remove(self, channel: str, user: str) -> bool:
        """True when the bot removed them; False when they were not there (or are the bot itself)."""
        try:
            with _answers():
                self.client.conversations_kick(channel=channel, user=user)
        except PlaceProblem as problem:
            # conversations.kick's `not_in_channel` is about the person ("User was not in the channel").
            if problem.error == "not_in_channel":
                return False
            raise
        except Refused as refused:
            if refused.error in ("cant_kick_self", "user_not_found"):
                return False
            raise
        return True

    def is_bot(self, user: str) -> bool:
        """An app or a bot user (never removed from the channel by the bot)."""
        if user == "USLACKBOT":
            return True
        try:
            with _answers():
                found = self.client.users_info(user=user).get("user") or {}
        except Refused:
            return False
        return bool(found.get("is_bot") or found.get("is_app_user"))
