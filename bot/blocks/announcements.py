"""Posts in the announce channel: new ambassadors and the monthly digest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from bot.blocks import ids, kit
from bot.blocks import impact as impact_blocks
from bot.rules import membership as membership_rules
from bot.rules.impact import Impact


def digest_message(month: date, items: Sequence[Any]) -> dict[str, Any]:
    """Monthly recognition in the announce channel; each item has name, slack_user_id, type, title,
    link, occurred_on and (optionally) `impact`: what it reached, shown after it, and added up."""
    title = f"Community contributions in {membership_rules.month_label(month)} {month.year}"
    people = len({(item.slack_user_id, item.name) for item in items})
    next_month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    audience = sum(
        (getattr(item, "impact", Impact()).reach or 0) for item in items if item.occurred_on < next_month
    )
    reached = f", reaching about {impact_blocks.number(audience)} people" if audience else ""
    intro = (
        f":sparkles: *{len(items)} contribution{'s' if len(items) != 1 else ''}* by "
        f"{people} ambassador{'s' if people != 1 else ''} last month{reached}. Thank you!"
    )
    lines = []
    for item in items:
        who = (
            kit.mention(item.slack_user_id, item.name) if item.slack_user_id else f"*{kit.escape(item.name)}*"
        )
        what = kit.link(item.link, item.title) if item.link else kit.escape(item.title)
        line = f"• {who} — {membership_rules.type_label(item.type)}: {what}"
        if item.occurred_on >= next_month:
            line += f" (coming up on {item.occurred_on.isoformat()})"
        if detail := impact_blocks.impact_line(item.type, getattr(item, "impact", Impact())):
            line += f" · {detail}"
        lines.append(line)
    blocks: list[kit.Block] = [kit.header(title), kit.section(intro)]
    chunk: list[str] = []
    shown = 0
    for line in lines:
        line = kit.truncate(line, kit.MAX_SECTION_TEXT)
        if chunk and len("\n".join([*chunk, line])) > kit.MAX_SECTION_TEXT:
            if len(blocks) >= kit.MAX_MESSAGE_BLOCKS - 2:
                break
            blocks.append(kit.section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
        shown += 1
    if chunk:
        blocks.append(kit.section("\n".join(chunk)))
    if more := kit.and_more(shown, len(lines), "See everyone's contributions with `/ambassador list`."):
        blocks.append(more)
    return kit.message(f"{title}: {len(items)} contributions. " + " ".join(lines[:20]), blocks)


ANNOUNCE_BIO_LENGTH = 200


def announcement_message(profiles: Sequence[Any]) -> dict[str, Any]:
    """New ambassadors, batched: name, title and company, a line of bio, and a mention.

    Each profile has name, slack_user_id, title, company, bio.
    """
    many = len(profiles) > 1
    title = ":loudspeaker: Please welcome our new ambassador" + ("s" if many else "") + "!"
    blocks: list[kit.Block] = [kit.section(f"*{title.removeprefix(':loudspeaker: ')}*")]
    names = []
    for profile in profiles:
        role = " at ".join(kit.escape(part) for part in (profile.title, profile.company) if part)
        bio_line = (profile.bio or "").strip().splitlines()[0] if (profile.bio or "").strip() else ""
        who = f"*{kit.escape(profile.name)}*"
        if profile.slack_user_id:
            who += f" ({kit.mention(profile.slack_user_id)})"
        text = who + (f" — {role}" if role else "")
        if bio_line:
            text += f"\n>{kit.escape(kit.truncate(bio_line, ANNOUNCE_BIO_LENGTH))}"
        blocks.append(kit.section(text))
        names.append(profile.name)
    blocks.append(kit.context(f"Want to join them? `{ids.COMMAND} apply`."))
    return kit.message(f"{title.removeprefix(':loudspeaker: ')} " + ", ".join(names), blocks)
