"""The Web API methods of user groups and private channels, where the bot keeps the ambassadors'
access: Slack's shapes and errors (a free workspace has no user groups; a private channel the bot
is not in does not exist for it)."""

from __future__ import annotations

from typing import Any

from bot.sandbox.block_kit import SlackError
from bot.sandbox.slack_workspace import BOT_USER_ID, TEAM_ID, Method, Workspace


def flag(args: dict[str, Any], name: str) -> bool:
    return str(args.get(name, "")).lower() in ("1", "true")


def usergroup_object(
    workspace: Workspace, group: dict[str, Any], *, users: bool, count_as_text: bool
) -> dict[str, Any]:
    """Slack's user group object (usergroups.list's example gives `user_count` as a string)."""
    count = len(group["users"])
    found: dict[str, Any] = {
        "id": group["id"],
        "team_id": TEAM_ID,
        "is_usergroup": True,
        "is_subteam": True,
        "name": group["name"],
        "description": "",
        "handle": group["handle"],
        "is_external": False,
        "date_create": 1446746793,
        "date_update": 1446747767,
        "date_delete": group["date_delete"],
        "auto_type": None,
        "created_by": "U060RNRCZ",
        "updated_by": BOT_USER_ID,
        "deleted_by": None,
        "prefs": {"channels": [], "groups": []},
        "user_count": str(count) if count_as_text else count,
    }
    if users:
        found["users"] = list(group["users"])
    return found


def usergroup(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    if not workspace.paid_plan:
        raise SlackError(workspace.usergroups_error)
    group = workspace.usergroups.get(str(args["usergroup"]))
    if group is None:
        raise SlackError("no_such_subteam")
    return group


def usergroups_list(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    if not workspace.paid_plan:
        raise SlackError(workspace.usergroups_error)
    return {
        "usergroups": [
            usergroup_object(workspace, group, users=flag(args, "include_users"), count_as_text=True)
            for group in workspace.usergroups.values()
            if flag(args, "include_disabled") or not group["date_delete"]
        ]
    }


def usergroups_users_update(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    group = usergroup(workspace, args)
    # The whole new list; Slack refuses an empty one (`no_users_provided`, checked as a required argument).
    users = [user.strip() for user in str(args["users"]).split(",") if user.strip()]
    if not users:
        raise SlackError("invalid_users")
    if any(user not in workspace.users for user in users):
        raise SlackError("invalid_users")
    group["users"] = list(dict.fromkeys(users))
    return {"usergroup": usergroup_object(workspace, group, users=True, count_as_text=False)}


def usergroups_enable(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    group = usergroup(workspace, args)
    group["date_delete"] = 0
    return {"usergroup": usergroup_object(workspace, group, users=False, count_as_text=False)}


def usergroups_disable(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    group = usergroup(workspace, args)
    group["date_delete"] = int(workspace.clock())
    return {"usergroup": usergroup_object(workspace, group, users=False, count_as_text=False)}


def visible_private_channel(workspace: Workspace, channel: str) -> set[str]:
    """A private channel's members; one the bot is not in does not exist for it (`channel_not_found`)."""
    members = workspace.private_channels.get(channel)
    if members is None or BOT_USER_ID not in members:
        raise SlackError("channel_not_found")
    return members


def conversations_members(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    members = sorted(visible_private_channel(workspace, str(args["channel"])))
    limit = int(args.get("limit") or 100)
    if not 1 <= limit <= 1000:
        raise SlackError("invalid_limit")
    cursor = str(args.get("cursor") or "")
    if cursor and not cursor.startswith("offset:"):
        raise SlackError("invalid_cursor")
    start = int(cursor.removeprefix("offset:") or 0)
    page = members[start : start + limit]
    following = f"offset:{start + limit}" if start + limit < len(members) else ""
    return {"members": page, "response_metadata": {"next_cursor": following}}


def conversations_invite(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = str(args["channel"])
    members = visible_private_channel(workspace, channel)
    users = [user.strip() for user in str(args["users"]).split(",") if user.strip()]
    for user in users:
        if user == BOT_USER_ID:
            raise SlackError("cant_invite_self")
        if user not in workspace.users:
            raise SlackError("user_not_found")
        if workspace.users[user].get("is_restricted"):
            raise SlackError("user_is_restricted")
        if user in members:
            raise SlackError("already_in_channel")
    members.update(users)
    return {
        "channel": {
            "id": channel,
            "name": "ambassadors",
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_private": True,
            "is_archived": False,
            "is_general": False,
            "is_member": True,
            "created": 1449252889,
            "creator": "U060R4BJ4",
            "name_normalized": "ambassadors",
        }
    }


def conversations_kick(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    members = visible_private_channel(workspace, str(args["channel"]))
    user = str(args["user"])
    if user == BOT_USER_ID:
        raise SlackError("cant_kick_self")
    if workspace.kick_restricted:
        raise SlackError("restricted_action")
    if user not in workspace.users:
        raise SlackError("user_not_found")
    if user not in members:
        raise SlackError("not_in_channel")  # "User was not in the channel."
    members.discard(user)
    return {"errors": {}}


GROUP_METHODS: dict[str, Method] = {
    "usergroups.list": Method(usergroups_list),
    "usergroups.users.update": Method(
        usergroups_users_update,
        ("usergroup", "users"),
        {"usergroup": "missing_argument", "users": "no_users_provided"},
    ),
    "usergroups.enable": Method(usergroups_enable, ("usergroup",), {"usergroup": "missing_argument"}),
    "usergroups.disable": Method(usergroups_disable, ("usergroup",), {"usergroup": "missing_argument"}),
    "conversations.members": Method(conversations_members, ("channel",), {"channel": "channel_not_found"}),
    "conversations.invite": Method(
        conversations_invite, ("channel", "users"), {"channel": "channel_not_found", "users": "no_user"}
    ),
    "conversations.kick": Method(
        conversations_kick, ("channel", "user"), {"channel": "channel_not_found", "user": "user_not_found"}
    ),
}

# The bot scope each method needs (the private channel's: groups:*), checked against the
# workspace's `missing_scopes`.
SCOPES: dict[str, str] = {
    "usergroups.list": "usergroups:read",
    "usergroups.users.update": "usergroups:write",
    "usergroups.enable": "usergroups:write",
    "usergroups.disable": "usergroups:write",
    "conversations.members": "groups:read",
    "conversations.invite": "groups:write",
    "conversations.kick": "groups:write",
}
