"""`ambassador-bot db repair-escapes`: contributions stored with Slack's escaping, restored as typed.

Before command text was decoded, an inline `/ambassador log` stored Slack's wire form: `&amp;` in
links (a broken URL in the public file) and titles, `<https://...|label>` and `<@U123|jane>` in
titles. Each such field is decoded with the same decoder commands use now (bot.rules.slack_text). Only
contributions logged in Slack are looked at (imports and applications never carried the escaping).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.rules import membership as membership_rules
from bot.rules import slack_text
from bot.services.members import record_audit
from bot.store.db import Database
from bot.store.models import Contribution

ESCAPED = re.compile(r"&(?:amp|lt|gt);|<[^<>]*>")
ACTOR = "cli:db repair-escapes"


@dataclass(frozen=True)
class FieldRepair:
    contribution_id: int
    member_id: int
    field: str  # "title" or "link"
    before: str
    after: str
    skipped: str = ""  # why it was left as it is (e.g. the decoded link is already logged)


def decoded_link(link: str) -> str:
    words = slack_text.words(link)
    return words[0].link if len(words) == 1 else slack_text.decode(link)


def repair_escapes(db: Database, now: datetime, apply: bool) -> list[FieldRepair]:
    """Every field to repair; written (and audited, one row per contribution) only when `apply`."""
    repairs: list[FieldRepair] = []
    with db.transaction() as session:
        rows = session.scalars(
            select(Contribution).where(Contribution.source == "slack").order_by(Contribution.id)
        ).all()
        taken: set[tuple[int, str | None]] = {(row.member_id, row.link_key) for row in rows if row.link_key}
        for row in rows:
            found: list[FieldRepair] = []
            if ESCAPED.search(row.title):
                found.append(
                    FieldRepair(row.id, row.member_id, "title", row.title, slack_text.decode(row.title))
                )
            new_key = row.link_key
            if row.link and ESCAPED.search(row.link):
                after = decoded_link(row.link)
                skipped = ""
                if not membership_rules.is_http_link(after):
                    skipped = "the decoded link is not a web address"
                else:
                    new_key = membership_rules.normalize_link(after)
                    if new_key != row.link_key and (row.member_id, new_key) in taken:
                        skipped = "the member already logged the decoded link"
                found.append(FieldRepair(row.id, row.member_id, "link", row.link, after, skipped))
            changes = [repair for repair in found if not repair.skipped and repair.after != repair.before]
            repairs.extend(found)
            if not apply or not changes:
                continue
            for repair in changes:
                if repair.field == "title":
                    row.title = repair.after[:500]
                else:
                    taken.discard((row.member_id, row.link_key))
                    row.link, row.link_key = repair.after, new_key
                    taken.add((row.member_id, new_key))
            record_audit(
                session,
                ACTOR,
                "contribution.escapes_repaired",
                row.member_id,
                at=now,
                contribution_id=row.id,
                changes={
                    repair.field: {"before": repair.before, "after": repair.after} for repair in changes
                },
            )
        if not apply:
            session.rollback()
    return repairs
