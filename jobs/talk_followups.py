"""`talk-followups`: the day after a talk or workshop logged ahead of its day, a DM asks its speaker how
it went, with a button to add the audience, the recording and the slides.

Each talk is asked about once (the outbox key names it); a bot that was down asks later, within the
week after the talk (`bot.rules.impact.followup_due`). Not when the audience and the recording are
already on record.
"""

from __future__ import annotations

from datetime import datetime

from bot.blocks import impact as impact_blocks
from bot.services import impact
from jobs.runner import JobContext, JobResult, Planned, finish, queue_planned

KIND = "talk_followup"


def run(ctx: JobContext, now: datetime, dry_run: bool = False) -> JobResult:
    zone = ctx.settings.zone
    today = now.astimezone(zone).date()
    result = JobResult("talk-followups", now)
    with ctx.db.transaction() as session:
        planned = []
        for item in impact.followups_due(session, today, zone):
            payload = impact_blocks.followup_message(item)
            planned.append(
                Planned(
                    key=impact.followup_key(item.contribution_id),
                    kind=KIND,
                    channel=item.slack_user_id,
                    text=payload["text"],
                    blocks=payload.get("blocks"),
                    member_id=item.member_id,
                )
            )
        marked = queue_planned(session, planned, now, dry_run)
    return finish(result, marked, dry_run)
