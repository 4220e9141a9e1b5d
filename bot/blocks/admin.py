"""The TSC's `/ambassador admin` commands: help, usage, the pending list and the replies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.blocks import ids, kit
from bot.rules import membership as membership_rules

ADMIN_SUBCOMMANDS: list[tuple[str, str]] = [
    ("admin pending", "applications waiting for a decision, with Approve and Reject"),
    ("admin add @someone", "enrol someone directly (a one-year term from today, welcome and announcement)"),
    ("admin link @someone GITHUB", "connect an imported member record (by GitHub handle) to a Slack user"),
    (
        "admin extend @someone DAYS",
        f"let their current term run DAYS (0-{membership_rules.MAX_EXTENSION_DAYS}) past its normal end; replaces an earlier extension",
    ),
    (
        "admin emeritus @someone [term-ended|stepped-down|inactive|staff|other] NOTE",
        "move someone to emeritus now, with why (default: other) and a note they will read",
    ),
    ("admin reinstate @someone", "bring an emeritus member back with a new term from today"),
    (
        "admin term @someone start YYYY-MM-DD",
        "set the day they joined: their current term becomes the yearly one from it, earlier years recorded",
    ),
    (
        "admin pause @someone until YYYY-MM-DD [reason]",
        "pause someone's membership (they are told; at most PAUSE_MAX_DAYS)",
    ),
    ("admin resume @someone", "end someone's pause today"),
    ("admin benefits", "the benefits catalogue and requests waiting; `admin benefits help` for changes"),
]
ADMIN_REFUSED = ":no_entry: The admin commands are for TSC members only. Nothing was changed."


def admin_help(unknown: str | None = None) -> str:
    lines = "\n".join(f"• `{ids.COMMAND} {usage}` — {what}" for usage, what in ADMIN_SUBCOMMANDS)
    text = "*TSC admin commands*\n" + lines
    if unknown is not None:
        text = f"I don't know `admin {kit.escape(unknown)}`.\n\n" + text
    return text


def admin_usage(subcommand: str) -> str:
    usage = next((u for u, _ in ADMIN_SUBCOMMANDS if u.split()[1] == subcommand), "admin")
    return f"Usage: `{ids.COMMAND} {usage}`. Mention people with @ so Slack tells me who they are."


def pending_list_message(items: Sequence[Any], total: int, required: int) -> dict[str, Any]:
    if not items:
        text = "No applications are waiting for a decision."
        return kit.message(text, [kit.section(text)])
    title = f"*Applications waiting for a decision* ({total})"
    blocks: list[kit.Block] = [kit.section(title)]
    for item in items:
        role = " at ".join(kit.escape(p) for p in (item.title, item.company) if p)
        who = f"*{kit.escape(item.name)}*" + (
            f" ({kit.mention(item.slack_user_id)})" if item.slack_user_id else ""
        )
        meets = ":white_check_mark: meets" if item.meets_requirement else ":warning: below"
        detail = (
            f"#{item.id} · sent {kit.slack_date(item.submitted_at)} · {item.recent_contributions} in the last 12 months "
            f"({meets} the requirement of {required})"
        )
        if not item.review_posted:
            detail += " · not posted to the review channel"
        blocks.append(
            kit.section(f"{who}{' — ' + role if role else ''}\n{detail}", block_id=f"pending-{item.id}")
        )
        blocks.append(
            kit.actions(
                kit.button("Approve", ids.APPROVE, str(item.id), style="primary"),
                kit.button("Reject", ids.REJECT, str(item.id), style="danger"),
                block_id=f"pending-actions-{item.id}",
            )
        )
        if len(blocks) >= kit.MAX_MESSAGE_BLOCKS - 2:
            break
    if total > len(items):
        blocks.append(kit.context(f"…and {total - len(items)} more, oldest first."))
    return kit.message(f"{total} application{'s' if total != 1 else ''} waiting for a decision.", blocks)


def add_reply(result: Any, who: str) -> str:
    if result.status == "pending_application":
        return (
            f"{kit.mention(who)} has an application waiting (#{result.application_id}): approve or reject it in the "
            f"review channel or from `{ids.COMMAND} admin pending`."
        )
    term = result.change.term
    if result.status == "already":
        return (
            f"{kit.mention(who)} is already an ambassador (term {kit.term_text(term)}). Nothing was changed."
        )
    return f":white_check_mark: {kit.mention(who)} is now an ambassador, term {kit.term_text(term)}. Welcome sent, announcement queued."


def link_reply(result: Any, who: str, github: str) -> str:
    handle = kit.escape(github)
    if result.status == "linked":
        return f":link: Linked {kit.escape(result.name)} (GitHub {handle}, {result.member_status}) to {kit.mention(who)}."
    if result.status == "already":
        return f"{kit.escape(result.name)} (GitHub {handle}) is already linked to {kit.mention(who)}. Nothing was changed."
    if result.status == "no_such_github":
        return (
            f"No member record has the GitHub handle {handle}. Import the members file first "
            f"(`ambassador-bot import`), or enrol them with `{ids.COMMAND} admin add`."
        )
    if result.status == "linked_elsewhere":
        return f"{kit.escape(result.name)} (GitHub {handle}) is linked to {kit.mention(result.other)} already. Nothing was changed."
    return (
        f"{kit.mention(who)} already has their own record ({kit.escape(result.other)}), separate from {kit.escape(result.name)} "
        f"(GitHub {handle}). Nothing was changed; the two records need merging by hand."
    )


def term_change_reply(kind: str, result: Any, who: str, days: int = 0) -> str:
    change = result.change
    if change is None:
        if kind == "extend":
            return f"{kit.mention(who)} has no current term to extend. To bring them back, `{ids.COMMAND} admin reinstate`."
        return f"{kit.mention(who)} is not on record. Nothing was changed."
    if kind == "extend":
        term = change.term
        if not change.changed:
            return f"{kit.mention(who)}'s term already ends on {term.end.isoformat()}. Nothing was changed."
        return (
            f":calendar: {kit.mention(who)}'s term now ends on {term.end.isoformat()} ({days} days past its normal end; "
            f"it ended on {change.previous_end.isoformat()} before). They have been told."
        )
    if kind == "emeritus":
        if not change.changed:
            return f"{kit.mention(who)} is already emeritus. Nothing was changed."
        return f":white_check_mark: {kit.mention(who)} is now emeritus; their current term was closed. They have been told, kindly."
    if not change.changed:
        return f"{kit.mention(who)} is already an ambassador (term {kit.term_text(change.term)}). Nothing was changed."
    return f":white_check_mark: {kit.mention(who)} is an ambassador again, term {kit.term_text(change.term)}. They have been told."
