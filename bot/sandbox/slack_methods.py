"""The Web API methods the bot uses, answered with Slack's documented shapes and errors.

Each method takes the workspace (its lock held by the caller) and the call's arguments, and returns
the answer's fields besides `ok`, or raises `SlackError` with Slack's error code.
"""

from __future__ import annotations

from typing import Any

from bot.sandbox.block_kit import SlackError, check_message, check_metadata, check_view
from bot.sandbox.slack_files import FILE_METHODS, FILE_SCOPES
from bot.sandbox.slack_groups import GROUP_METHODS
from bot.sandbox.slack_groups import SCOPES as GROUP_SCOPES
from bot.sandbox.slack_workspace import (
    BOT_ID,
    BOT_USER_ID,
    MODAL_STACK_LIMIT,
    TEAM_ID,
    Ephemeral,
    Message,
    Method,
    Workspace,
)


def auth_test(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": "https://example.slack.com/",
        "team": "Example",
        "user": "ambassador-bot",
        "team_id": TEAM_ID,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
        "is_enterprise_install": False,
    }


def post_message(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = workspace.resolve_channel(str(args["channel"]))
    check_message(args)
    metadata = args.get("metadata")
    if metadata is not None:
        check_metadata(metadata)
    ts = workspace.next_ts()
    workspace.messages.append(Message(channel, ts, args["text"], args.get("blocks"), metadata))
    return {
        "channel": channel,
        "ts": ts,
        "message": {"type": "message", "text": args["text"], "ts": ts, "user": BOT_USER_ID, "bot_id": BOT_ID},
    }


def post_ephemeral(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = str(args["channel"])
    if channel.startswith("D") and not workspace.bot_in_dm(channel):
        # An ephemeral in someone else's DM: the bot is not a member of that conversation.
        raise SlackError("channel_not_found")
    channel = workspace.resolve_channel(channel)
    if args["user"] not in workspace.users:
        raise SlackError("user_not_found")
    check_message(args)
    ts = workspace.next_ts()
    workspace.ephemerals.append(Ephemeral(channel, str(args["user"]), ts, args["text"], args.get("blocks")))
    return {"message_ts": ts}


def update_message(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = workspace.resolve_channel(str(args["channel"]))
    check_message(args)
    for message in workspace.messages:
        if message.channel == channel and message.ts == args["ts"]:
            if message.user != BOT_USER_ID:
                raise SlackError("cant_update_message")
            message.text = args["text"]
            message.blocks = args.get("blocks")
            return {"channel": channel, "ts": message.ts, "text": message.text}
    raise SlackError("message_not_found")


def delete_message(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = workspace.resolve_channel(str(args["channel"]))
    for message in workspace.messages:
        if message.channel == channel and message.ts == args["ts"]:
            if message.user != BOT_USER_ID:
                raise SlackError("cant_delete_message")
            workspace.messages.remove(message)
            return {"channel": channel, "ts": message.ts}
    raise SlackError("message_not_found")


def open_view(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    owner = workspace.take_trigger(str(args["trigger_id"]))
    check_view(args["view"], "modal")
    if owner is not None:
        # A new modal replaces whatever the person had open.
        workspace.close_modal(owner)
    return {"view": workspace.store_view(args["view"], owner=owner)}


def push_view(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    owner = workspace.take_trigger(str(args["trigger_id"]))
    check_view(args["view"], "modal")
    if owner is not None:
        stack = workspace.modals.get(owner) or []
        if not stack:
            raise SlackError("not_found", "no modal open to push onto")
        if len(stack) >= MODAL_STACK_LIMIT:
            raise SlackError("push_limit_reached")
    return {"view": workspace.store_view(args["view"], owner=owner)}


def update_view(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    view_id = args.get("view_id")
    if not view_id and not args.get("external_id"):
        raise SlackError("invalid_arguments", "view_id or external_id required")
    if view_id and (view_id not in workspace.views or view_id in workspace.closed_views):
        raise SlackError("not_found")
    if view_id and args.get("hash") and args["hash"] != workspace.views[view_id].get("hash"):
        # The view changed since the caller read it (Slack's guard against racing updates).
        raise SlackError("hash_conflict")
    check_view(args["view"])
    return {"view": workspace.store_view(args["view"], view_id)}


def publish_view(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    if args["user_id"] not in workspace.users:
        raise SlackError("user_not_found")
    check_view(args["view"], "home")
    home_id = f"VHOME{args['user_id']}"
    if args.get("hash") and home_id in workspace.views and args["hash"] != workspace.views[home_id]["hash"]:
        raise SlackError("hash_conflict")
    return {"view": workspace.store_view(args["view"], home_id)}


def users_info(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    user = workspace.users.get(str(args["user"]))
    if user is None:
        raise SlackError("user_not_found")
    return {"user": user}


def conversations_open(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    users = str(args["users"]).split(",")
    if any(user not in workspace.users for user in users) or len(users) != 1:
        raise SlackError("user_not_found")
    return {"channel": {"id": workspace.dm_channel(users[0])}}


def conversations_history(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = workspace.resolve_channel(str(args["channel"]))
    include_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
    inclusive = str(args.get("inclusive", "")).lower() in ("1", "true")
    oldest = float(args.get("oldest") or 0)
    latest = float(args.get("latest") or "inf")
    cursor = str(args.get("cursor") or "")
    if cursor:
        # These cursors are the ts of the last message of the previous page (Slack's are opaque).
        latest, inclusive = float(cursor.removeprefix("next_ts:")), False
    found = []
    for message in reversed(workspace.messages):
        if message.channel != channel:
            continue
        ts = float(message.ts)
        if ts < oldest or ts > latest or (not inclusive and ts in (oldest, latest)):
            continue
        item: dict[str, Any] = {
            "type": "message",
            "ts": message.ts,
            "text": message.text,
            "user": message.user,
        }
        if message.user == BOT_USER_ID:
            item["bot_id"] = BOT_ID
        if include_metadata and message.metadata:
            item["metadata"] = message.metadata
        if message.files:
            item["files"] = message.files
        found.append(item)
    limit = min(int(args.get("limit") or 100), 999)
    result: dict[str, Any] = {"messages": found[:limit], "has_more": len(found) > limit}
    if len(found) > limit:
        result["response_metadata"] = {"next_cursor": f"next_ts:{found[limit - 1]['ts']}"}
    return result


def get_permalink(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "channel": args["channel"],
        "permalink": f"https://example.slack.com/archives/{args['channel']}/p{args['message_ts'].replace('.', '')}",
    }


def apps_connections_open(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    url = workspace.socket_mode_url or workspace.base_url.replace("http://", "ws://") + "link/"
    return {"url": f"{url}?ticket=fake-ticket&app_id=A111"}


METHODS: dict[str, Method] = {
    "auth.test": Method(auth_test),
    "apps.connections.open": Method(apps_connections_open),
    "chat.postMessage": Method(post_message, ("channel",), {"channel": "channel_not_found"}),
    "chat.postEphemeral": Method(
        post_ephemeral, ("channel", "user"), {"channel": "channel_not_found", "user": "user_not_found"}
    ),
    "chat.update": Method(
        update_message, ("channel", "ts"), {"channel": "channel_not_found", "ts": "message_not_found"}
    ),
    "chat.delete": Method(
        delete_message, ("channel", "ts"), {"channel": "channel_not_found", "ts": "message_not_found"}
    ),
    "chat.getPermalink": Method(get_permalink, ("channel", "message_ts")),
    "views.open": Method(open_view, ("trigger_id", "view")),
    "views.push": Method(push_view, ("trigger_id", "view")),
    "views.update": Method(update_view, ("view",)),
    "views.publish": Method(publish_view, ("user_id", "view")),
    "users.info": Method(users_info, ("user",), {"user": "user_not_found"}),
    "conversations.open": Method(conversations_open, ("users",), {"users": "users_list_not_supplied"}),
    "conversations.history": Method(conversations_history, ("channel",), {"channel": "channel_not_found"}),
    **GROUP_METHODS,
    **FILE_METHODS,
}
# The scope each method needs, where the stand-in checks it.
SCOPES: dict[str, str] = {**GROUP_SCOPES, **FILE_SCOPES}

__all__ = ["METHODS", "SCOPES"]
