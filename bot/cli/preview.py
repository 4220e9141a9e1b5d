"""What `jobs run` prints: who gets what, in full for a dry run, as text for people or JSON for tools.

A dry run shows each message whole, with its recipient's name and ID, and a Block Kit Builder link
that opens the message as Slack will draw it (the builder reads the payload from the URL's fragment,
URL-encoded JSON, so nothing is uploaded anywhere by the link itself).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from bot.services import members
from bot.settings import Settings
from bot.store.db import Database
from jobs.runner import JobResult, Planned

BLOCK_KIT_BUILDER = "https://app.slack.com/block-kit-builder/#"
DRY_RUN_NOTE = " (dry run: nothing written or sent)"


@dataclass(frozen=True)
class Recipient:
    id: str
    name: str  # a member's name, the setting naming a channel, or "" when unknown

    def __str__(self) -> str:
        return f"{self.name} ({self.id})" if self.name else self.id


def is_user_id(channel: str) -> bool:
    return channel.startswith(("U", "W"))


def recipients(db: Database, settings: Settings, planned: list[Planned]) -> dict[str, Recipient]:
    """Each message's channel as a recipient: members by name, the program's channels by setting."""
    channels = sorted({item.channel for item in planned})
    names = members.names_by_slack_id(db, [channel for channel in channels if is_user_id(channel)])
    settings_naming = {
        settings.review_channel: "REVIEW_CHANNEL",
        settings.announce_channel: "ANNOUNCE_CHANNEL",
    }
    found = {}
    for channel in channels:
        name = names.get(channel) if is_user_id(channel) else settings_naming.get(channel)
        found[channel] = Recipient(channel, name or "")
    return found


def slack_payload(item: Planned) -> dict[str, Any]:
    """The message as the bot posts it (`chat.postMessage` arguments, less the metadata)."""
    payload: dict[str, Any] = {"channel": item.channel, "text": item.text}
    if item.blocks:
        payload["blocks"] = item.blocks
    return payload


def block_kit_builder_url(item: Planned) -> str | None:
    if not item.blocks:
        return None
    return BLOCK_KIT_BUILDER + quote(json.dumps({"blocks": item.blocks}, separators=(",", ":")), safe="")


def state_of(item: Planned, dry_run: bool) -> str:
    if item.existing:
        return "already queued or sent"
    return "would send" if dry_run else "queued"


def as_text(result: JobResult, found: dict[str, Recipient], dry_run: bool) -> list[str]:
    """A summary, then each message: in full with a preview link for a dry run, one line otherwise."""
    lines = [result.summary() + (DRY_RUN_NOTE if dry_run else "")]
    for item in result.planned:
        recipient = found.get(item.channel, Recipient(item.channel, ""))
        head = f"  [{state_of(item, dry_run)}] {item.key} → {recipient}"
        if not dry_run:
            lines.append(f"{head}: {' '.join(item.text.split())[:160]}")
            continue
        lines.append(head)
        lines += [f"      {line}".rstrip() for line in item.text.splitlines()]
        link = block_kit_builder_url(item)
        if link:
            lines.append(f"      preview: {link}")
    lines += [f"  {note}" for note in result.notes]
    lines += [f"  {reason}" for reason in result.reasons]
    return lines


def as_json(result: JobResult, found: dict[str, Recipient], dry_run: bool) -> dict[str, Any]:
    delivery = result.delivery
    return {
        "job": result.name,
        "now": result.now.isoformat(),
        "dry_run": dry_run,
        "skipped": result.skipped,
        "summary": result.summary(),
        "messages": [
            {
                "key": item.key,
                "kind": item.kind,
                "state": state_of(item, dry_run),
                "to": {"id": item.channel, "name": found.get(item.channel, Recipient(item.channel, "")).name},
                "payload": slack_payload(item),
                "block_kit_builder": block_kit_builder_url(item),
            }
            for item in result.planned
        ],
        "notes": list(result.notes),
        "reasons": list(result.reasons),
        "delivery": None
        if delivery is None
        else {
            name: list(getattr(delivery, name))
            for name in ("sent", "recovered", "deferred", "retry", "failed")
        },
    }
