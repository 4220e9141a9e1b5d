"""The TSC deciding: the application's review post, Approve and Reject, and what a decision answers."""

from __future__ import annotations

from typing import Any

from bot.blocks import emeritus as emeritus_blocks
from bot.blocks import ids, kit
from bot.rules import membership as membership_rules


def _date_of(item: Any) -> str:
    if item.date_precision == membership_rules.DatePrecision.DAY:
        return str(item.occurred_on.isoformat())
    if item.date_precision == membership_rules.DatePrecision.MONTH:
        return str(item.occurred_on.isoformat()[:7])
    return str(item.occurred_on.year)


def _profile_line(view: Any) -> str:
    role = " at ".join(kit.escape(part) for part in (view.title, view.company) if part)
    who = f"*{kit.escape(view.name)}*" + (
        f" ({kit.mention(view.slack_user_id)})" if view.slack_user_id else ""
    )
    lines = [
        who + (f" — {role}" if role else "") + (f" · {kit.escape(view.country)}" if view.country else "")
    ]
    links = []
    if view.github:
        links.append(kit.link(f"https://github.com/{view.github}", f"GitHub: {view.github}"))
    if view.twitter:
        url = view.twitter if membership_rules.is_http_link(view.twitter) else f"https://x.com/{view.twitter}"
        links.append(kit.link(url, "Twitter/X"))
    if view.linkedin:
        url = (
            view.linkedin
            if membership_rules.is_http_link(view.linkedin)
            else f"https://www.linkedin.com/in/{view.linkedin}"
        )
        links.append(kit.link(url, "LinkedIn"))
    if view.img and membership_rules.is_http_link(view.img):
        links.append(kit.link(view.img, "Photo"))
    if links:
        lines.append(" · ".join(links))
    return "\n".join(lines)


def requirement_line(view: Any) -> str:
    counted = f"{view.recent_contributions} contribution{'s' if view.recent_contributions != 1 else ''}"
    if view.meets_requirement:
        return f":white_check_mark: *Meets the requirement*: {counted} in the last 12 months ({view.required} required)."
    return f":warning: *Below the requirement*: {counted} in the last 12 months ({view.required} required)."


def _contribution_lines(view: Any, budget: int = kit.MAX_SECTION_TEXT - 100) -> str:
    """The newest contributions, whole lines only (a cut link would break the mrkdwn), then a count."""
    lines: list[str] = []
    size = 0
    for item in view.contributions:
        line = f"• {membership_rules.type_label(item.type)}: {kit.link(item.link, item.title)} ({_date_of(item)})"
        if size + len(line) + 1 > budget:
            break
        lines.append(line)
        size += len(line) + 1
    if view.contributions_total > len(lines):
        lines.append(f"…and {view.contributions_total - len(lines)} earlier.")
    return "\n".join(lines) or "• none listed"


def decision_text(view: Any) -> str:
    """Who decided and when (or why the application is closed), for the review post and replies."""
    when = kit.slack_date(view.decided_at)
    who = kit.mention(view.decided_by, "the TSC")
    if view.status == "approved":
        return f":white_check_mark: *Approved* by {who} on {when}."
    if view.status == "rejected":
        reason = (
            f"\n>{kit.escape(kit.truncate(view.decision_reason or '', 1000))}" if view.decision_reason else ""
        )
        return f":x: *Not accepted* by {who} on {when}.{reason}"
    if view.status == "withdrawn":
        return f"Closed on {when}: {kit.escape(view.decision_reason or 'withdrawn')}"
    return "Waiting for a TSC decision."


def review_message(view: Any) -> dict[str, Any]:
    """The application in REVIEW_CHANNEL: profile, contributions, requirement, Approve and Reject.

    Once decided, the same post without buttons and with who decided and when.
    """
    blocks: list[kit.Block] = [
        kit.header(f"Ambassador application: {view.name}"),
        kit.section(_profile_line(view), block_id="profile"),
    ]
    if view.history is not None:
        blocks.append(kit.section(emeritus_blocks.history_lines(view.history), block_id="returning"))
    if view.bio:
        blocks.append(kit.section(f"*Bio*\n{kit.escape(kit.truncate(view.bio, 1500))}", block_id="bio"))
    if view.motivation:
        blocks.append(
            kit.section(f"*Why they want to be an ambassador*\n{kit.escape(view.motivation)}", block_id="why")
        )
    blocks.append(kit.section(f"*Contributions*\n{_contribution_lines(view)}", block_id="contributions"))
    blocks.append(kit.section(requirement_line(view), block_id="requirement"))
    meta = f"Application #{view.id} · sent {kit.slack_date(view.submitted_at)}"
    if view.nominated_by:
        meta += f" · nominated by {kit.mention(view.nominated_by)}"
    blocks.append(kit.context(meta))
    if view.status == "pending":
        approve_confirm = {
            **kit.confirm_dialog(
                f"Approve {kit.truncate(view.name, 60)}?",
                "Their one-year term starts today; they get the welcome message and are announced.",
                "Approve",
            ),
            "style": "primary",
        }
        blocks.append(
            kit.actions(
                kit.button("Approve", ids.APPROVE, str(view.id), style="primary", confirm=approve_confirm),
                kit.button("Reject", ids.REJECT, str(view.id), style="danger"),
                block_id="review",
            )
        )
        returning = " (returning ambassador)" if view.history is not None else ""
        text = f"Ambassador application from {kit.escape(view.name)}{returning}: {'meets' if view.meets_requirement else 'below'} the requirement."
    else:
        blocks.append(kit.section(decision_text(view), block_id="decision"))
        text = f"Ambassador application from {kit.escape(view.name)}: {view.status}."
    return kit.message(text, blocks)


NOT_TSC_DECISION = ":no_entry: Only TSC members can approve or reject applications. Nothing was changed."
OWN_APPLICATION_DECISION = (
    ":no_entry: This is your own application: another TSC member must approve or reject it. "
    "Nothing was changed."
)
OWN_APPLICATION_ONLY_TSC = (
    " You are the only TSC member, so nobody can decide it yet: the organisers can add another "
    "(`TSC_USER_IDS`, or a member flagged `isTscMember`)."
)


def decision_refused_text(own_request: bool, only_tsc_member: bool) -> str:
    if not own_request:
        return NOT_TSC_DECISION
    return OWN_APPLICATION_DECISION + (OWN_APPLICATION_ONLY_TSC if only_tsc_member else "")


def already_decided_text(view: Any) -> str:
    return (
        f"Nothing changed: application #{view.id} from {kit.escape(view.name)} was already decided. "
        + decision_text(view)
    )


def decided_confirmation(view: Any, term: Any = None) -> str:
    if view.status == "approved" and term is not None:
        return (
            f":white_check_mark: Approved {kit.escape(view.name)}: their term runs {term.start.isoformat()} → "
            f"{term.end.isoformat()}. The welcome is on its way and the announcement is queued."
        )
    return f"Done: {kit.escape(view.name)}'s application is closed. {decision_text(view)}"


def reject_modal(application_id: int, private_metadata: str) -> dict[str, Any]:
    blocks: list[kit.Block] = [
        kit.section(
            f"Application #{application_id}. The applicant receives your reason in a direct message from the bot, "
            "so be kind and specific: what would make a future application succeed?"
        ),
        {
            "type": "input",
            "block_id": "reason",
            "label": kit.plain("Reason (sent to the applicant)"),
            "element": {
                "type": "plain_text_input",
                "action_id": "value",
                "multiline": True,
                "max_length": membership_rules.DECISION_REASON_MAX_LENGTH,
            },
        },
    ]
    return kit.modal(
        ids.REJECT_MODAL, "Reject application", blocks, submit="Reject", private_metadata=private_metadata
    )


def decided_modal(text: str) -> dict[str, Any]:
    return kit.modal(ids.REJECT_MODAL, "Application", [kit.section(text)], submit=None, close="Close")


REJECT_REASON_REQUIRED = "Please give the applicant a reason."
REJECT_REASON_TOO_LONG = (
    f"Please keep the reason under {membership_rules.DECISION_REASON_MAX_LENGTH} characters."
)
APPLICATION_GONE = "That application no longer exists. Nothing was changed."
