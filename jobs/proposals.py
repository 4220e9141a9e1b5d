"""Listing new emeritus proposals for the TSC: the `renewals` job (a term that would lapse) and the
`activity` job (a long stretch of inactivity) post them to REVIEW_CHANNEL with their buttons, one
message per `PER_MESSAGE` proposals, redrawn in place after each decision."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from bot.blocks import proposals as proposals_blocks
from bot.services.membership import proposals
from jobs.runner import Planned

KIND = "proposals"


def plan_messages(
    session: Session, channel: str, proposal_ids: Sequence[int], title: str, cause: str, today: date
) -> list[Planned]:
    """The messages listing these proposals; each proposal notes its message (`message_key`)."""
    planned = []
    ids = sorted(proposal_ids)
    for first in range(0, len(ids), proposals_blocks.PER_MESSAGE):
        page = ids[first : first + proposals_blocks.PER_MESSAGE]
        key = f"proposals:{cause}:{today.isoformat()}:{page[0]}"
        proposals.list_in_message(session, page, key)
        payload = proposals_blocks.proposals_message(title, proposals.views(session, page), key)
        planned.append(Planned(key, KIND, channel, payload["text"], payload.get("blocks")))
    return planned
