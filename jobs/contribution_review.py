"""`contribution-review`: with `CONTRIBUTION_REVIEW=tsc`, the contributions waiting for the TSC are listed
daily in REVIEW_CHANNEL, each with **Verify**, **Needs info** and **Not counted** (decided by
`handlers.review` through `bot.services.review`).

Each contribution is listed once per round (a round starts when it is logged, and again when its member
answers a question or changes what it is): the run notes the message on each contribution it lists,
in the same transaction as the message's outbox row, whose key names the message's first
contribution and its round. A rerun, a catch-up or a second replica therefore lists nothing twice.
Twenty to a message (Block Kit allows 50 blocks); more go in further messages.

Contributions still waiting when the review is turned off are listed all the same: they count once a
TSC member verifies them.
"""

from __future__ import annotations

from datetime import datetime

from bot.blocks import review as review_blocks
from bot.services import review
from jobs.runner import JobContext, JobResult, Planned, finish, queue_planned, unit_of_work

KIND = "contribution_review"


def run(ctx: JobContext, now: datetime, dry_run: bool = False) -> JobResult:
    settings = ctx.settings
    result = JobResult("contribution-review", now)
    with unit_of_work(ctx.db, dry_run) as session:
        waiting = review.waiting_to_be_listed(session)
        if not waiting:
            result.reasons.append(
                "no contribution waits to be listed"
                if settings.reviewing_contributions
                else "the review is off (CONTRIBUTION_REVIEW=off)"
            )
        elif not settings.review_channel:
            result.notes.append(
                f"{len(waiting)} contributions wait for the TSC, but REVIEW_CHANNEL is not set: "
                "set it to list them"
            )
            waiting = []
        planned = []
        for first in range(0, len(waiting), review_blocks.PER_MESSAGE):
            page = review.list_in_message(session, waiting[first : first + review_blocks.PER_MESSAGE])
            if not page:
                continue  # listed meanwhile by another run
            payload = review_blocks.review_message(page)
            planned.append(
                Planned(
                    review.message_key(page[0]),
                    KIND,
                    settings.review_channel,
                    payload["text"],
                    payload.get("blocks"),
                )
            )
        marked = queue_planned(session, planned, now, dry_run)
    return finish(result, marked, dry_run)
