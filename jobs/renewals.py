"""`renewals`: notices before a term ends, and the yearly verification when it has (docs/scheduling.md)."""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.blocks import proposals as proposals_blocks
from bot.blocks import renewals as renewals_blocks
from bot.blocks.benefits.admin import overdue_report_message, with_overdue
from bot.blocks.emeritus import FAREWELL_MESSAGES
from bot.rules import emeritus as emeritus_rules
from bot.rules import membership as membership_rules
from bot.rules import review as review_rules
from bot.rules.impact import ImpactFigures
from bot.services import impact
from bot.services import jobs as due
from bot.services.benefits.open_requests import OverdueItem
from bot.services.membership import proposals, verification
from bot.services.membership.farewell import Farewell
from jobs import benefits as benefit_jobs
from jobs import proposals as proposal_jobs
from jobs.runner import JobContext, JobResult, Planned, finish, queue_planned, unit_of_work

NOTICE_KIND = "renewal"
VERIFICATION_KIND = "verification"
REPORT_KIND = "verification_report"
ACTOR = "scheduler"
LAPSED_OUTCOMES = emeritus_rules.LAPSING


def renew_by(item: verification.TermVerification | due.TermAtEnd) -> date:
    return membership_rules.renewal_closes_on(item.progress.term)


def verifications(ctx: JobContext, now: datetime, dry_run: bool, result: JobResult) -> None:
    settings = ctx.settings
    today = now.astimezone(settings.zone).date()
    decides = emeritus_rules.VerificationDecides(settings.verification_decides)
    farewell = Farewell(FAREWELL_MESSAGES, settings.review_channel)
    with unit_of_work(ctx.db, dry_run) as session:
        verified, proposed, held = verify_due(
            session, today, now, settings.required_contributions, decides, farewell
        )
        for term in held:
            result.notes.append(
                f"term {term.term_id} ({term.name}): waits for the TSC's review of "
                f"{term.waiting_review} contribution(s), until {renew_by(term).isoformat()} at the latest"
            )
        planned = []
        for item in verified:
            assert item.outcome is not None
            note = f"term {item.term_id} ({item.name}): {item.outcome}"
            result.notes.append(note + (", proposed to the TSC" if item.term_id in proposed else ""))
            # Someone who became emeritus got their thank-you from `bot.services.membership.emeritus.become_emeritus`.
            if not item.slack_user_id or item.outcome in LAPSED_OUTCOMES:
                continue
            payload = renewals_blocks.verification_message(
                item.outcome,
                item.progress,
                item.term_id,
                item.next_term,
                renew_by(item),
                item.waiting_review,
            )
            planned.append(
                Planned(
                    key=f"verification:term{item.term_id}:{item.outcome}",
                    kind=VERIFICATION_KIND,
                    channel=item.slack_user_id,
                    text=payload["text"],
                    blocks=payload.get("blocks"),
                    member_id=item.member_id,
                )
            )
        already = due.existing_keys(session, [p.key for p in planned])
        news = [
            item
            for item in verified
            if item.changed
            or item.term_id in proposed
            or f"verification:term{item.term_id}:{item.outcome}" not in already
        ]
        late = benefit_jobs.overdue(session, now)
        if (news or benefit_jobs.remind_today(late)) and settings.review_channel:
            # What each verified term reached, beside its count (one statement for all of them).
            reached = impact.figures_by_term(session, [item.term_id for item in verified])
            planned.append(
                report(settings.review_channel, today, verified, news, late, set(proposed), reached)
            )
        if proposed and settings.review_channel:
            title = proposals_blocks.verification_title(today)
            planned += proposal_jobs.plan_messages(
                session, settings.review_channel, list(proposed.values()), title, "verification", today
            )
        elif proposed:
            result.notes.append("REVIEW_CHANNEL is not set: the TSC decides these from their App Home")
        marked = queue_planned(session, planned, now, dry_run)
        # What `become_emeritus` queued in this run (the thank-yous) is this run's too.
        marked += [
            Planned(row.key, row.kind, row.channel, row.text, row.blocks, row.member_id)
            for row in due.outbox_rows(session, [key for item in verified for key in item.outbox_keys])
        ]
    finish(result, [*result.planned, *marked], dry_run)
    if not dry_run:
        # After the commit: a renewed or emeritus member's App Home shows the new status (in `serve`).
        ctx.changed(item.slack_user_id for item in verified if item.changed and item.slack_user_id)


def verify_due(
    session: Session,
    today: date,
    now: datetime,
    required: int,
    decides: emeritus_rules.VerificationDecides = emeritus_rules.VerificationDecides.AUTO,
    farewell: Farewell | None = None,
) -> tuple[list[verification.TermVerification], dict[int, int], list[due.TermAtEnd]]:
    """Every term due its verification, with its outcome; the terms proposed to the TSC by this run
    (term id → proposal id); and the terms whose verification waits for the TSC's review of
    contributions that could meet the requirement (`review_rules.verification_waits`: listed again
    the next day, decided on what counts once the renewal grace is over).

    One read finds the terms at their end and their progress; only the terms the program changes
    (renewed, lapsed, not renewed) go through `verification.verify_term`, which locks, decides again and
    writes. A term awaiting its renewal in the grace period (MET) is left as it is, as `verify_term`
    would, without a statement of its own: at scale most due terms are those, day after day. With
    VERIFICATION_DECIDES=tsc a term that would lapse is proposed to the TSC instead (once per term and
    end), and left out afterwards while the TSC decides.
    """
    found: list[tuple[verification.TermVerification, str | None]] = []  # with its proposal's key, if any
    wanted = []
    held = []
    for due_term in due.terms_at_end(session, today, required):
        current = due_term.progress
        if review_rules.verification_waits(current, due_term.waiting_review):
            held.append(due_term)
            continue
        outcome = membership_rules.outcome_at_term_end(current, due_term.renewal_requested)
        action = emeritus_rules.verification_action(outcome, decides)
        if outcome is None or action is None:
            continue
        waiting = verification.TermVerification(
            due_term.term_id,
            due_term.member_id,
            due_term.slack_user_id,
            due_term.name,
            outcome,
            due_term.progress,
            None,
            False,
            waiting_review=due_term.waiting_review,
        )
        if action is emeritus_rules.VerificationAction.WAIT:
            found.append((waiting, None))
        elif action is emeritus_rules.VerificationAction.PROPOSE:
            proposal = lapse_proposal(due_term, outcome)
            wanted.append(proposal)
            found.append((waiting, proposal.key))
        else:
            item = verification.verify_term(
                session, due_term.term_id, today, now, ACTOR, required=required, farewell=farewell
            )
            if item.outcome is not None:
                found.append((item, None))
    made = proposals.propose(session, wanted, now)  # one statement, however many
    # A term proposed before waits for the TSC: it is left out of this run.
    verified = [item for item, key in found if key is None or key in made]
    proposed = {item.term_id: made[key] for item, key in found if key is not None and key in made}
    return verified, proposed, held


def lapse_proposal(due_term: due.TermAtEnd, outcome: membership_rules.Verification) -> proposals.NewProposal:
    current = due_term.progress
    return proposals.NewProposal(
        proposals.verification_key(due_term.term_id, current.term.end),
        due_term.member_id,
        due_term.term_id,
        emeritus_rules.ProposalCause.VERIFICATION,
        {
            "outcome": str(outcome),
            "counted": current.counted,
            "required": current.required,
            "waiting_review": due_term.waiting_review,
            "start": current.term.start.isoformat(),
            "end": current.term.end.isoformat(),
        },
    )


def report(
    channel: str,
    today: date,
    verified: list[verification.TermVerification],
    news: list[verification.TermVerification],
    late: Sequence[OverdueItem] = (),
    proposed: set[int] | frozenset[int] = frozenset(),
    reached: Mapping[int, ImpactFigures] | None = None,
) -> Planned:
    """One message for the TSC: this run's renewals and lapses (or proposals, listed with their
    buttons in a message of their own), everyone who may still renew, and the benefit requests
    approved but not fulfilled for two weeks or more."""
    renewed = [item for item in news if item.outcome is membership_rules.Verification.RENEWED]
    lapsing = [item for item in news if item.outcome in LAPSED_OUTCOMES]
    lapsed = [item for item in lapsing if item.term_id not in proposed]
    to_decide = [item for item in lapsing if item.term_id in proposed]
    pending = [item for item in verified if item.outcome is membership_rules.Verification.MET]
    if renewed or pending or lapsing:
        payload = with_overdue(
            renewals_blocks.verification_report_message(
                today, renewed, pending, lapsed, renew_by, to_decide, reached=reached
            ),
            late,
        )
    else:
        payload = overdue_report_message(today, late)
    digest = zlib.crc32(
        ",".join(
            [*(f"{item.term_id}:{item.outcome}" for item in news), *(f"b{item.id}" for item in late)]
        ).encode()
    )
    return Planned(
        key=f"verification-report:{today.isoformat()}:{digest:08x}",
        kind=REPORT_KIND,
        channel=channel,
        text=payload["text"],
        blocks=payload.get("blocks"),
    )


def notices(ctx: JobContext, now: datetime, dry_run: bool, result: JobResult) -> None:
    settings = ctx.settings
    today = now.astimezone(settings.zone).date()
    with ctx.db.transaction() as session:
        planned = []
        for member in due.ambassadors_in_progress(session, today, settings.required_contributions):
            if member.renewal_requested:
                continue  # already decided to stay: nothing to remind
            days = due.renewal_notice_due(member.progress.days_left, settings.renewal_notice_days)
            if days is None:
                continue
            payload = renewals_blocks.renewal_notice_message(
                member.progress, member.term_id, membership_rules.can_renew(member.progress)
            )
            planned.append(
                Planned(
                    key=f"renewal:term{member.term_id}:T-{days}",
                    kind=NOTICE_KIND,
                    channel=member.slack_user_id,
                    text=payload["text"],
                    blocks=payload.get("blocks"),
                    member_id=member.member_id,
                )
            )
        marked = queue_planned(session, planned, now, dry_run)
    finish(result, [*result.planned, *marked], dry_run)


def run(ctx: JobContext, now: datetime, dry_run: bool = False) -> JobResult:
    result = JobResult("renewals", now)
    verifications(ctx, now, dry_run, result)
    notices(ctx, now, dry_run, result)
    benefit_jobs.erase_due_shipping(ctx, now, dry_run, result)
    return result
