"""Text of the GitHub features: the organization invitation in the welcome DM, and the report to
the review channel when an invitation fails."""

from __future__ import annotations

from typing import Any

from bot.blocks.kit import escape, section


def invitation_note(org: str, login: str) -> str:
    return (
        f":octocat: *GitHub*: I am inviting you (`{escape(login)}`) to the *{escape(org)}* organization "
        f"on GitHub. GitHub e-mails the invitation; accept it at https://github.com/orgs/{org}/invitation "
        "within 7 days. If you are already a member, there is nothing to do."
    )


def with_invitation_note(payload: dict[str, Any], org: str, login: str) -> dict[str, Any]:
    """The welcome DM with the invitation mentioned, before its buttons."""
    note = invitation_note(org, login)
    blocks = list(payload.get("blocks") or [])
    position = len(blocks) - 1 if blocks and blocks[-1].get("type") == "actions" else len(blocks)
    blocks.insert(position, section(note))
    return {**payload, "text": f"{payload.get('text', '')}\n{note}", "blocks": blocks}


def invitation_failed(org: str, login: str, name: str, status: int, message: str) -> str:
    """For the review channel: what went wrong and what to do."""
    if status == 404:
        what = f"GitHub has no user `{escape(login)}`. Check the handle with them, then invite them by hand"
    elif status in (401, 403):
        what = (
            "the bot's GITHUB_TOKEN may not manage the organization's members (it needs the organization "
            "permission *Members: read and write*, from an organization owner). Fix the token, then invite "
            "them by hand"
        )
    else:
        what = f"GitHub said: {escape(message)}. Invite them by hand"
    return (
        f":warning: I could not invite *{escape(name)}* (`{escape(login)}`) to the {escape(org)} GitHub "
        f"organization: {what} at https://github.com/orgs/{org}/people."
    )
