"""The App Home tab: the member's term or application, and the TSC's lists and figures."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from bot.blocks import contributions as contributions_blocks
from bot.blocks import emeritus as leaving_blocks
from bot.blocks import general as general_blocks
from bot.blocks import ids, kit
from bot.blocks import impact as impact_blocks
from bot.blocks import pauses as pause_blocks
from bot.blocks import proposals as proposals_blocks
from bot.blocks import reminders as reminders_blocks
from bot.blocks import review as review_blocks
from bot.blocks.benefits import admin as benefit_admin_blocks
from bot.blocks.benefits import requesting as request_blocks
from bot.rules import membership as membership_rules
from bot.services import home, home_tsc

HISTORY_POINTER = f"`{ids.COMMAND} history` lists them all."
PENDING_POINTER = f"`{ids.COMMAND} admin pending` lists them all."
AT_RISK_POINTER = f"`{ids.COMMAND} list` shows every ambassador's progress."
PROPOSALS_POINTER = "The review channel lists them all."


def _local_date(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).date().isoformat() if moment else "an unknown date"


def contribution_row(item: home.ContributionItem) -> list[kit.Block]:
    """One of the viewer's contributions with Edit and Delete (the delete asks first)."""
    confirm = kit.confirm_dialog(
        "Delete this contribution?",
        f"“{kit.escape(kit.truncate(item.title, 150))}” will be removed from your record"
        + (" and no longer count toward this term." if item.counts_toward_term else "."),
        "Delete",
        "Keep it",
    )
    return [
        kit.section(
            contributions_blocks.contribution_line(item, with_impact=True), block_id=f"contribution-{item.id}"
        ),
        kit.actions(
            kit.button("Edit", ids.EDIT_CONTRIBUTION, str(item.id)),
            kit.button("Delete", ids.DELETE_CONTRIBUTION, str(item.id), style="danger", confirm=confirm),
            block_id=f"contribution-actions-{item.id}",
        ),
    ]


def program_blocks(required: int) -> list[kit.Block]:
    benefits = "\n".join(f"• {benefit}" for benefit in general_blocks.PROGRAM_BENEFITS)
    return [
        kit.header("The ambassador program"),
        kit.section(
            "Ambassadors bring the project to more people: they write, speak, record, teach and drive "
            "community initiatives.\n\n"
            f"*The commitment:* at least *{required} contributions a year* (articles, talks, videos, "
            "podcasts, presentations, workshops, initiatives…).\n"
            "*A term* lasts one year from acceptance and can be renewed when the requirement is met.\n\n"
            f"*What ambassadors get:*\n{benefits}"
        ),
    ]


def apply_blocks(required: int, application: home.ApplicationItem | None, zone: tzinfo) -> list[kit.Block]:
    """The Apply button, or where the viewer's application stands."""
    if application and application.status == "pending":
        return [
            kit.section(
                f":hourglass_flowing_sand: Your application, sent {_local_date(application.submitted_at, zone)}, "
                "is with the TSC. You will get a message from me when they decide."
            )
        ]
    if application and application.status == "nominated":
        return [
            kit.section(
                f":wave: {kit.mention(application.nominated_by, 'A community member')} nominated you for the "
                "ambassador program. Tell the TSC about yourself to complete your application."
            ),
            kit.actions(
                kit.button("Complete my application", ids.APPLY_OPEN, str(application.id), style="primary"),
                block_id="apply",
            ),
        ]
    blocks: list[kit.Block] = []
    if application and application.status == "rejected":
        reason = (
            f"\n>{kit.escape(kit.truncate(application.decision_reason, 1000))}"
            if application.decision_reason
            else ""
        )
        blocks.append(
            kit.section(
                f"Your application of {_local_date(application.submitted_at or application.decided_at, zone)} "
                f"was not accepted this time.{reason}\nYou are welcome to apply again."
            )
        )
    blocks.append(
        kit.section(
            f"Made {required} contributions in the last twelve months? Apply and the TSC will review it.",
            block_id="apply-intro",
            accessory=kit.button("Apply", ids.APPLY_OPEN, style="primary"),
        )
    )
    return blocks


def ambassador_blocks(personal: home.PersonalHome, now: datetime, zone: tzinfo) -> list[kit.Block]:
    current = personal.progress
    term = personal.current_term
    assert current is not None and term is not None
    status = (
        f"*Term* {term.start.isoformat()} → {term.end.isoformat()}\n"
        f"{contributions_blocks.progress_bar(current)}  {contributions_blocks.progress_line(current)}\n{contributions_blocks.pace_text(current)}"
    )
    if waiting := review_blocks.waiting_text(personal.waiting_review):
        status += f"\n{waiting}"
    if personal.audience_this_term:
        status += f"\n:chart_with_upwards_trend: Audience this term: {impact_blocks.number(personal.audience_this_term)}"
    notes: list[str] = []
    buttons = [kit.button("Log a contribution", ids.LOG_OPEN, style="primary")]
    if term.renewal_requested:
        notes.append(":repeat: Renewal requested: your next term starts the day after this one ends.")
    elif personal.can_renew:
        notes.append(":tada: You met the requirement: you can renew for another year.")
        buttons.append(kit.button("Renew", ids.RENEW, str(term.id), style="primary"))
    if personal.pause is not None:
        notes.append(pause_blocks.paused_line(personal.pause))
        buttons.append(kit.button("Back now: end the pause", ids.PAUSE_RESUME))
    elif personal.snoozed(now):
        assert personal.snoozed_until is not None
        notes.append(
            f":zzz: Progress reminders snoozed until {_local_date(personal.snoozed_until, zone)} "
            "(renewal messages still come)."
        )
        buttons.append(kit.button("Resume reminders", ids.RESUME))
    else:
        buttons.append(
            kit.button(
                f"Snooze reminders {reminders_blocks.SNOOZE_DAYS_DEFAULT} days",
                ids.SNOOZE,
                str(reminders_blocks.SNOOZE_DAYS_DEFAULT),
            )
        )
    buttons.append(request_blocks.request_button())
    if personal.pause is None:
        buttons.append(kit.button("Pause membership", ids.PAUSE_OPEN))
    blocks: list[kit.Block] = [kit.header("Your ambassador term"), kit.section(status, block_id="progress")]
    if notes:
        blocks.append(kit.context("\n".join(notes)))
    blocks += [kit.actions(*buttons, block_id="member-actions"), kit.divider()]
    blocks.append(kit.header(f"Your contributions this term ({personal.contributions_listed_total})"))
    if not personal.contributions:
        blocks.append(
            kit.section("Nothing logged this term yet. *Log a contribution* above to start counting.")
        )
    for item in personal.contributions:
        blocks += contribution_row(item)
    if more := kit.and_more(
        len(personal.contributions), personal.contributions_listed_total, HISTORY_POINTER
    ):
        blocks.append(more)
    if personal.earlier_contributions:
        earlier = personal.earlier_contributions
        blocks.append(
            kit.context(
                f":books: {earlier} contribution{'s' if earlier != 1 else ''} from before this term. "
                + HISTORY_POINTER
            )
        )
    return blocks


def emeritus_blocks(personal: home.PersonalHome, required: int, zone: tzinfo) -> list[kit.Block]:
    terms = [
        f"• {term.start.isoformat()} → {term.end.isoformat()} ({contributions_blocks.TERM_STATUS_TEXT.get(term.status, term.status)})"
        for term in personal.terms[-10:]
    ]
    since = leaving_blocks.emeritus_line(
        personal.status_changed_at, personal.emeritus_reason, personal.status_reason, zone
    )
    blocks: list[kit.Block] = [
        kit.header("Thank you for being an ambassador"),
        kit.section(
            f"You are an emeritus ambassador. {since}\nYour terms:\n"
            + ("\n".join(terms) or "• none recorded"),
            block_id="terms",
        ),
    ]
    total = personal.contributions_total
    if total:
        lines = "\n".join(
            f"• {contributions_blocks.contribution_line(item)}" for item in personal.contributions
        )
        blocks.append(
            kit.section(
                f"*Your contributions* ({total} on record, latest first)\n{lines}", block_id="history"
            )
        )
        if more := kit.and_more(len(personal.contributions), total, HISTORY_POINTER):
            blocks.append(more)
    blocks += [kit.divider(), kit.header("Coming back")]
    if personal.open_application is not None:
        return blocks + apply_blocks(required, personal.application, zone)
    blocks.append(
        kit.section(
            f"With {required} contributions in the last twelve months, rejoin: the application form opens "
            "filled in from your record, and the TSC sees your earlier terms. A TSC member can also "
            "reinstate you.",
            block_id="rejoin",
            accessory=kit.button("Rejoin", ids.REJOIN_OPEN, style="primary"),
        )
    )
    return blocks


def newcomer_blocks(personal: home.PersonalHome | None, required: int, zone: tzinfo) -> list[kit.Block]:
    application = personal.application if personal else None
    blocks: list[kit.Block] = []
    if application is None or application.status not in ("pending", "nominated"):
        blocks += program_blocks(required)
    else:
        blocks.append(kit.header("Your application"))
    blocks += apply_blocks(required, application, zone)
    if application and application.status in ("pending", "nominated"):
        blocks += [kit.divider(), *program_blocks(required)]
    return blocks


def _audience_text(audience: int) -> str:
    return f"\nAudience {impact_blocks.number(audience)}" if audience else ""


def _types_text(by_type: dict[str, int]) -> str:
    ordered = sorted(by_type.items(), key=lambda pair: (-pair[1], pair[0]))
    return " · ".join(f"{membership_rules.type_label(type_)} {count}" for type_, count in ordered)


def pending_row(application: home_tsc.PendingApplication, required: int, zone: tzinfo) -> list[kit.Block]:
    role = ", ".join(kit.escape(part) for part in (application.title, application.company) if part)
    who = f"*{kit.escape(application.name)}*"
    if application.slack_user_id:
        who += f" ({kit.mention(application.slack_user_id)})"
    if role:
        who += f" — {role}"
    if application.country:
        who += f" · {kit.escape(application.country)}"
    meets = (
        ":white_check_mark: meets the requirement"
        if application.meets_requirement
        else f":warning: below the requirement of {required}"
    )
    detail = (
        f"Sent {_local_date(application.submitted_at, zone)} · {application.recent_contributions} "
        f"contribution{'s' if application.recent_contributions != 1 else ''} in the last 12 months · {meets}"
    )
    approve_confirm = {
        **kit.confirm_dialog(
            f"Approve {kit.truncate(application.name, 60)}?",
            "Their one-year term starts today and they get the welcome message.",
            "Approve",
        ),
        "style": "primary",
    }
    return [
        kit.section(f"{who}\n{detail}", block_id=f"application-{application.id}"),
        kit.actions(
            kit.button("Approve", ids.APPROVE, str(application.id), style="primary", confirm=approve_confirm),
            kit.button("Reject", ids.REJECT, str(application.id), style="danger"),
            block_id=f"application-actions-{application.id}",
        ),
    ]


def at_risk_line(ambassador: home_tsc.AtRiskAmbassador) -> str:
    current = ambassador.progress
    who = f"*{kit.escape(ambassador.name)}*" + (
        f" ({kit.mention(ambassador.slack_user_id)})" if ambassador.slack_user_id else ""
    )
    why = (
        f"behind pace ({current.expected_by_now} expected by now)"
        if ambassador.behind_pace
        else "requirement not met yet"
    )
    days = "term ended" if current.ended else f"{current.days_left} days left"
    return f"• {who} — {current.counted} of {current.required} · {why} · ends {current.term.end.isoformat()} ({days})"


def proposal_rows(tsc: home_tsc.TscHome) -> list[kit.Block]:
    """Emeritus proposals waiting for a decision (their buttons work as in the review channel)."""
    if not tsc.proposals:
        return []
    blocks: list[kit.Block] = [kit.header(f"TSC · Proposed for emeritus ({tsc.proposals_total})")]
    for item in tsc.proposals:
        blocks += proposals_blocks.proposal_blocks(item)
    if more := kit.and_more(len(tsc.proposals), tsc.proposals_total, PROPOSALS_POINTER):
        blocks.append(more)
    return blocks


def review_rows(tsc: home_tsc.TscHome, review_channel: str = "") -> list[kit.Block]:
    """With CONTRIBUTION_REVIEW=tsc: how many contributions wait for a TSC member's decision, and where
    they are decided (the review channel's daily list)."""
    if tsc.review_pending is None:
        return []
    where = f"<#{review_channel}>" if review_channel else "the review channel"
    text = (
        f"The daily list in {where} has them with *Verify*, *Needs info* and *Not counted*. "
        "They count toward their member's term once verified; a term that ends meanwhile waits for them "
        f"up to {membership_rules.RENEWAL_GRACE_DAYS} days."
        if tsc.review_pending
        else "No contribution waits for the TSC's review."
    )
    return [kit.header(f"TSC · Contributions to review ({tsc.review_pending})"), kit.context(text)]


def tsc_blocks(
    tsc: home_tsc.TscHome, required: int, today: date, zone: tzinfo, review_channel: str = ""
) -> list[kit.Block]:
    blocks: list[kit.Block] = [kit.divider(), *proposal_rows(tsc), *review_rows(tsc, review_channel)]
    blocks.append(kit.header(f"TSC · Applications waiting ({tsc.pending_total})"))
    if not tsc.pending:
        blocks.append(kit.context("No applications are waiting for a decision."))
    for application in tsc.pending:
        blocks += pending_row(application, required, zone)
    if more := kit.and_more(len(tsc.pending), tsc.pending_total, PENDING_POINTER):
        blocks.append(more)

    blocks.append(kit.header(f"TSC · Ambassadors at risk ({tsc.at_risk_total})"))
    if not tsc.at_risk:
        blocks.append(kit.context("Every ambassador is on pace. :tada:"))
    chunk: list[str] = []
    for line in (at_risk_line(ambassador) for ambassador in tsc.at_risk):
        if sum(len(text) + 1 for text in chunk) + len(line) > kit.MAX_SECTION_TEXT - 100:
            blocks.append(kit.section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(kit.section("\n".join(chunk), block_id="at-risk"))
    if more := kit.and_more(len(tsc.at_risk), tsc.at_risk_total, AT_RISK_POINTER):
        blocks.append(more)

    figures = tsc.figures
    month_name = f"{membership_rules.month_label(today)} {today.year}"
    fields = [
        kit.mrkdwn(f"*Active ambassadors*\n{figures.active_ambassadors}"),
        kit.mrkdwn(
            f"*Renewals due in {membership_rules.RENEWAL_WINDOW_DAYS} days*\n{figures.renewals_due} "
            f"({figures.renewals_due_met} met the requirement, {figures.renewals_requested} asked to renew)"
        ),
        kit.mrkdwn(
            f"*Contributions in {month_name}*\n{figures.this_month}"
            + (f"\n{_types_text(figures.this_month_by_type)}" if figures.this_month else "")
            + _audience_text(figures.audience_this_month)
        ),
        kit.mrkdwn(
            f"*Contributions in {today.year}*\n{figures.this_year}"
            + (f"\n{_types_text(figures.this_year_by_type)}" if figures.this_year else "")
            + _audience_text(figures.audience_this_year)
        ),
    ]
    blocks += [
        kit.header("TSC · Program figures"),
        {"type": "section", "block_id": "figures", "fields": fields},
    ]
    return blocks


def home_view(data: home.Home, zone: tzinfo, review_channel: str = "") -> dict[str, Any]:
    """The App Home tab for `data.slack_user_id`; dates in their time zone (`zone`); `review_channel`
    (REVIEW_CHANNEL) is where the TSC's part points for the contributions to review."""
    personal = data.personal
    if personal and personal.is_ambassador:
        blocks = ambassador_blocks(personal, data.now, zone)
    elif personal and personal.status == "emeritus":
        blocks = emeritus_blocks(personal, data.required, zone)
    else:
        blocks = newcomer_blocks(personal, data.required, zone)
    if data.tsc is not None:
        blocks += tsc_blocks(data.tsc, data.required, data.today, zone, review_channel)
    if data.benefits is not None:
        blocks += benefit_admin_blocks.tsc_home_blocks(data.benefits)
    blocks.append(
        kit.context(f"Updated {data.now.astimezone(zone):%Y-%m-%d %H:%M} · `{ids.COMMAND} help` for commands")
    )
    # The lists above are cut to fit; this only guards Slack's hard limit.
    return {"type": "home", "blocks": blocks[: kit.MAX_VIEW_BLOCKS]}
