"""The workspace as one person sees it, for the page: their channels and DM with the bot (with the
ephemeral messages meant for them only), their App Home, their open modal, and the program's clock,
jobs and pull request."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.sandbox.app import Sandbox
from bot.sandbox.slack_workspace import BOT_USER_ID
from bot.store.models import Member, MemberStatus

# A conversation shows its latest messages (the page is a preview, not an archive).
MESSAGES_SHOWN = 200
ROLE_NAMES = {
    MemberStatus.ACTIVE: "ambassador",
    MemberStatus.EMERITUS: "emeritus",
    MemberStatus.CANDIDATE: "",
}


def snapshot(sandbox: Sandbox, person: str, open_conversation: str | None = None) -> dict[str, Any]:
    """What `person` sees; the messages of `open_conversation` only (a channel ID, or "dm" for their DM
    with the bot; None: all), and the latest message's time of each conversation (for unread marks)."""
    standin = sandbox.standin
    roles = member_roles(sandbox)
    with standin.lock:
        dm = standin.dm_channel(person)
        if open_conversation == "dm":
            open_conversation = dm
        channels = [
            {"id": channel_id, "name": name, "bot_is_member": channel_id in standin.joined_channels}
            for channel_id, name in sorted(standin.channel_names.items(), key=lambda item: item[1])
        ]
        conversations: dict[str, list[dict[str, Any]]] = {}
        latest: dict[str, str] = {}
        for channel_id in [*standin.channel_names, dm]:
            shown: list[dict[str, Any]] = [
                {
                    "ts": message.ts,
                    "user": message.user,
                    "text": message.text,
                    "blocks": message.blocks,
                    "files": message.files or [],
                    "ephemeral": False,
                }
                for message in standin.messages
                if message.channel == channel_id
            ]
            shown += [
                {
                    "ts": item.ts,
                    "user": BOT_USER_ID,
                    "text": item.text,
                    "blocks": item.blocks,
                    "ephemeral": True,
                }
                for item in standin.ephemerals
                if item.channel == channel_id and item.user == person
            ]
            shown.sort(key=lambda item: float(item["ts"]))
            latest[channel_id] = shown[-1]["ts"] if shown else "0"
            if open_conversation is None or channel_id == open_conversation:
                conversations[channel_id] = shown[-MESSAGES_SHOWN:]
        people = [
            {
                "id": user_id,
                "name": user["real_name"],
                "handle": user["name"],
                "tz": user["tz"] or sandbox.settings.timezone,
                "title": (user.get("profile") or {}).get("title", ""),
                "role": roles.get(user_id, "newcomer"),
            }
            for user_id, user in standin.users.items()
        ]
        modal = [
            standin.views[view_id] for view_id in standin.modals.get(person, []) if view_id in standin.views
        ]
        home = standin.views.get(f"VHOME{person}")
        refusals = [
            {"at": refusal.at, "method": refusal.method, "error": refusal.error, "detail": refusal.detail}
            for refusal in standin.refusals
        ][-8:]
        version = standin.version
    return {
        "version": version,
        "me": person,
        "bot": {"id": BOT_USER_ID, "name": "Ambassador Bot"},
        "people": sorted(people, key=lambda item: (item["role"] == "newcomer", item["name"])),
        "channels": channels,
        "dm": dm,
        "conversations": conversations,
        "latest": latest,
        "home": home,
        "modal": modal,
        "refusals": refusals,
        "clock": {
            "now": sandbox.clock().isoformat(),
            "timezone": sandbox.settings.timezone,
            "jobs": sandbox.jobs.upcoming(),
            "runs": [
                {"name": run.name, "at": run.at.isoformat(), "summary": run.summary, "notes": list(run.notes)}
                for run in sandbox.jobs.runs
            ],
            "waiting": sandbox.jobs.waiting(),
            "local_send_hours": list(sandbox.settings.local_send_hours),
        },
        "github": github(sandbox),
    }


def member_roles(sandbox: Sandbox) -> dict[str, str]:
    """Each person's part in the program, for the person switcher."""
    with sandbox.db.read_only() as session:
        rows = session.execute(select(Member.slack_user_id, Member.status, Member.is_tsc_member)).all()
    roles: dict[str, str] = {}
    for user, status, is_tsc in rows:
        if user:
            parts = [ROLE_NAMES.get(MemberStatus(status), "") or "applicant", "TSC" if is_tsc else ""]
            roles[str(user)] = " · ".join(part for part in parts if part)
    for user in sandbox.settings.tsc_user_ids:
        roles[user] = " · ".join(part for part in (roles.get(user), "TSC") if part)
    return roles


def github(sandbox: Sandbox) -> dict[str, Any]:
    standin = sandbox.github
    pulls = []
    for pull in reversed(standin.pulls):
        pulls.append(
            {
                "number": pull.number,
                "title": pull.title,
                "body": pull.body,
                "state": "merged" if pull.merged else pull.state,
                "head": pull.head,
                "base": pull.base,
                "diff": standin.diff(pull),
            }
        )
    return {"repo": standin.full_name, "pulls": pulls[:5], "publishing": sandbox.settings.publishing}
