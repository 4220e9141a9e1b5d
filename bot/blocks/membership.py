"""Membership: the application form, the TSC's review post and decisions, nominations and renewal
requests, and the membership outbox messages (welcome, rejection, nomination, extension, emeritus).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from bot.blocks import emeritus as emeritus_blocks
from bot.blocks import general as general_blocks
from bot.blocks import github as github_blocks
from bot.blocks import ids, kit
from bot.rules import membership as membership_rules
from bot.rules.membership import Problem

APPLY_FORM_FIELDS: dict[str, tuple[str, str, bool]] = {
    # block id: (label, placeholder, multiline); `membership_rules.APPLICATION_REQUIRED_FIELDS` are required.
    "name": ("Name", "Jane Doe", False),
    "title": ("Title", "Developer Advocate", False),
    "company": ("Company", "Acme Inc.", False),
    "country": ("Country", "🇪🇸 or Spain", False),
    "bio": ("Bio (shown on the website)", "A few sentences about you, in the third person", True),
    "github": ("GitHub handle", "janedoe", False),
    "twitter": ("Twitter / X handle", "janedoe", False),
    "linkedin": ("LinkedIn handle or profile link", "jane-doe", False),
    "img": ("Photo URL (default: your GitHub avatar)", "https://github.com/janedoe.png", False),
    "contributions": (
        "Contributions you have made",
        "talk https://youtu.be/abc 2026-03 AsyncAPI at KubeCon",
        True,
    ),
    "motivation": (
        "Why do you want to be an ambassador?",
        "What you would like to do for the community",
        True,
    ),
}
CONTRIBUTION_LINE_HINT = (
    "One per line: TYPE LINK YYYY-MM TITLE. Types: " + ", ".join(membership_rules.CONTRIBUTION_TYPES) + "."
)
FORM_PROBLEM_TEXT: dict[str, str] = {
    "required": "Please fill this in.",
    "too_long": "This is too long (at most {limit} characters).",
    "bad_github": "A GitHub handle has letters, digits and single hyphens, e.g. janedoe.",
    "bad_handle": "Give a handle (letters, digits, _ . -) or a full https:// link.",
    "bad_url": "This must be a full web address starting with http:// or https://.",
    "too_many": f"List at most {membership_rules.APPLICATION_MAX_CONTRIBUTIONS} contributions.",
    "line_shape": "needs TYPE LINK YYYY-MM TITLE",
    "repeated_link": "repeats the link of an earlier line",
    Problem.UNKNOWN_TYPE: "unknown type (use one of " + ", ".join(membership_rules.CONTRIBUTION_TYPES) + ")",
    Problem.BAD_LINK: "the link must start with http:// or https://",
    Problem.LINK_TOO_LONG: f"the link is too long (at most {membership_rules.LINK_MAX_LENGTH} characters)",
    Problem.BAD_DATE: "the date must be a real month, written YYYY-MM",
    Problem.FUTURE_DATE: "the date is in the future",
    Problem.EMPTY_TITLE: "a title is missing",
    Problem.TITLE_TOO_LONG: f"the title is too long (at most {membership_rules.TITLE_MAX_LENGTH} characters)",
}
FIELD_ERROR_MAX = 1000


def _text_input(block_id: str, initial: str | None, required: bool, limit: int) -> kit.Block:
    label, placeholder, multiline = APPLY_FORM_FIELDS[block_id]
    element: kit.Block = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
        "max_length": limit,
        "placeholder": kit.plain(kit.truncate(placeholder, 150)),
    }
    if initial:
        element["initial_value"] = initial[:limit]
    block: kit.Block = {"type": "input", "block_id": block_id, "label": kit.plain(label), "element": element}
    if not required:
        block["optional"] = True
    if block_id == "contributions":
        block["hint"] = kit.plain(CONTRIBUTION_LINE_HINT)
    return block


def apply_loading_modal() -> dict[str, Any]:
    """Shown at once (the click's trigger expires in 3 s) while the form is prepared."""
    return kit.modal(
        ids.APPLY_MODAL, "Apply as ambassador", [kit.section(":hourglass: One moment…")], submit=None
    )


def apply_modal(
    prefill: Any, required: int, nominated_by: str | None, private_metadata: str = "", history: Any = None
) -> dict[str, Any]:
    """The application form; `prefill` has one attribute per field (an applications.ApplicationForm).

    `history` (a returning ambassador's) changes the welcome: the form is filled in from their record.
    """
    intro = (
        f"Ambassadors make at least *{required} contributions a year* (articles, talks, videos, podcasts, "
        f"workshops, initiatives…). Tell the TSC about yourself and what you have done; {required} in the "
        "last twelve months meets the requirement. Your profile is what the website will show."
    )
    if history is not None:
        intro = (
            ":wave: *Welcome back!* This form is filled in from your record: check it, add what you have done "
            f"lately ({required} contributions in the last twelve months meet the requirement) and say why "
            "you want to return. The TSC sees that you are a returning ambassador, with your earlier terms."
        )
    if nominated_by:
        intro = f"{kit.mention(nominated_by)} nominated you. " + intro
    fields: list[kit.Block] = [kit.section(intro)]
    for block_id in APPLY_FORM_FIELDS:
        fields.append(
            _text_input(
                block_id,
                getattr(prefill, block_id, None),
                block_id in membership_rules.APPLICATION_REQUIRED_FIELDS,
                membership_rules.PROFILE_LIMITS[block_id],
            )
        )
    fields.append(
        kit.context("Your Slack account is taken from Slack itself, so nobody can apply in your name.")
    )
    return kit.modal(
        ids.APPLY_MODAL,
        "Apply as ambassador",
        fields,
        submit="Send to the TSC",
        private_metadata=private_metadata,
    )


def apply_blocked_text(
    blocker: str, submitted_at: datetime | None = None, term_end: date | None = None
) -> str:
    """Why someone cannot apply now, and where things stand."""
    if blocker == "ambassador":
        ends = f" Your term ends on {term_end.isoformat()}." if term_end else ""
        return (
            f"You are already an ambassador, so there is nothing to apply for.{ends} "
            f"`{ids.COMMAND} status` shows your progress; `{ids.COMMAND} renew` is open in the last 30 days."
        )
    return (
        f":hourglass_flowing_sand: Your application, sent {kit.slack_date(submitted_at)}, is with the TSC. "
        "You will get a message from me when they decide; there is no need to apply again."
    )


def apply_blocked_modal(text: str) -> dict[str, Any]:
    return kit.modal(ids.APPLY_MODAL, "Apply as ambassador", [kit.section(text)], submit=None, close="Close")


def application_field_errors(issues: Mapping[str, Sequence[Any]]) -> dict[str, str]:
    """Slack's `response_action: errors`: one message per field; contribution lines by number."""
    errors: dict[str, str] = {}
    for field_name, found in issues.items():
        limit = membership_rules.PROFILE_LIMITS.get(field_name, 0)
        parts = []
        for issue in found:
            text = FORM_PROBLEM_TEXT[issue.code].format(limit=limit)
            parts.append(f"Line {issue.line}: {text}" if issue.line is not None else text)
        joined = "; ".join(parts)
        if any(issue.line is not None for issue in found):
            joined += "."
        errors[field_name] = kit.truncate(joined, FIELD_ERROR_MAX)
    return errors


def github_taken_error(handle: str) -> str:
    return (
        f"The GitHub handle {handle} is on another member's record. If it is yours, ask a TSC member to "
        f"link it to you (`{ids.COMMAND} admin link`)."
    )


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


def application_receipt(view: Any, review_posted: bool) -> dict[str, Any]:
    if review_posted:
        tsc = "The TSC has been notified and will review it."
    else:
        tsc = "The TSC will be notified as soon as their review channel is ready; nothing is lost."
    text = (
        f":inbox_tray: Thanks, {kit.escape(view.name)}! Your application to the ambassador program is in. {tsc}\n"
        f"You listed {view.recent_contributions} contribution{'s' if view.recent_contributions != 1 else ''} "
        f"in the last 12 months; the program asks for {view.required} a year. "
        "I will message you here when the TSC decides."
    )
    return kit.message(text, [kit.section(text)])


def apply_received_modal(view: Any, review_posted: bool) -> dict[str, Any]:
    return apply_blocked_modal(application_receipt(view, review_posted)["text"])


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


def review_not_posted_log_hint(channel: str, error: str | None) -> str:
    """For the log: what the admin has to do when the review post cannot go out."""
    if not channel:
        return "REVIEW_CHANNEL is not set: set it to the TSC's channel ID (like C012AB3CD)"
    if error in ("not_in_channel", "channel_not_found"):
        return (
            f"the bot cannot post in REVIEW_CHANNEL {channel} ({error}): invite the bot to that channel "
            "(/invite @bot) or fix REVIEW_CHANNEL"
        )
    return (
        f"posting to REVIEW_CHANNEL {channel} failed for now ({error or 'unknown error'}); it will be retried"
    )


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


class MembershipMessages:
    """The texts of the membership outbox messages (bot.services.membership.common.Messages)."""

    def review(self, application: Any) -> dict[str, Any]:
        return review_message(application)

    def welcome(
        self,
        name: str,
        term: Any,
        required: int,
        returning: bool = False,
        github_invitation: tuple[str, str] | None = None,
    ) -> dict[str, Any]:
        opening = (
            f":tada: Welcome back to the ambassador program, {kit.escape(name)}!"
            if returning
            else f":tada: Welcome to the ambassador program, {kit.escape(name)}! The TSC approved your application."
        )
        text = (
            f"{opening}\nYour term runs from {kit.term_text(term)}. During it, make at least *{required} "
            "contributions*: articles, talks, videos, podcasts, workshops, initiatives, booth help; reviewing "
            "community content counts too."
        )
        how = (
            f"*How to log*: `{ids.COMMAND} log` opens a form, or in one line "
            f"`{ids.COMMAND} log talk https://youtu.be/abc 2026-11-20 AsyncAPI at KubeCon`. "
            f"`{ids.COMMAND} status` shows your progress; I will remind you before your term ends."
        )
        benefits = "*Benefits*\n" + "\n".join(f"• {benefit}" for benefit in general_blocks.PROGRAM_BENEFITS)
        payload = kit.message(
            text,
            [
                kit.section(text),
                kit.section(how),
                kit.section(benefits),
                kit.actions(
                    kit.button("Log a contribution", ids.LOG_OPEN, style="primary"), block_id="welcome"
                ),
            ],
        )
        if github_invitation is not None:
            org, login = github_invitation
            payload = github_blocks.with_invitation_note(payload, org, login)
        return payload

    def announcement(self, name: str, title: str | None, company: str | None) -> str:
        role = " at ".join(part for part in (title, company) if part)
        return kit.escape(f"{name}{f' ({role})' if role else ''} is a new ambassador.")

    def rejection(self, name: str, reason: str) -> dict[str, Any]:
        text = (
            f":pray: Hi {kit.escape(name)}, thank you for applying to the ambassador program. The TSC decided not to "
            f"accept your application this time. Their note:\n>{kit.escape(reason)}\n"
            f"Every contribution still counts: keep going, and you are welcome to apply again with "
            f"`{ids.COMMAND} apply`."
        )
        return kit.message(text, [kit.section(text)])

    def nomination(self, nominator: str, application_id: int, required: int) -> dict[str, Any]:
        text = (
            f":wave: {kit.mention(nominator)} nominated you for the ambassador program! Ambassadors make at least "
            f"{required} contributions a year (articles, talks, videos, podcasts, initiatives…) and get the "
            "program's benefits. Interested? Tell the TSC about yourself; it takes a few minutes."
        )
        return kit.message(
            text,
            [
                kit.section(text),
                kit.actions(
                    kit.button(
                        "Complete my application", ids.APPLY_OPEN, str(application_id), style="primary"
                    ),
                    block_id="nomination",
                ),
                kit.context(f"Or type `{ids.COMMAND} apply`. Not interested? Just ignore this message."),
            ],
        )

    def extended(self, name: str, term: Any, previous_end: date) -> dict[str, Any]:
        text = (
            f":calendar: {kit.escape(name)}, the TSC changed the end of your ambassador term: it now ends on "
            f"*{term.end.isoformat()}* (it was {previous_end.isoformat()})."
        )
        return kit.message(text, [kit.section(text)])


MEMBERSHIP_MESSAGES = MembershipMessages()
NOMINATE_USAGE = (
    f"Usage: `{ids.COMMAND} nominate @someone` — mention them with @ so Slack tells me who they are."
)


def nomination_reply(
    status: str, nominee: str, open_status: str | None = None, nominated_by: str | None = None
) -> str:
    who = kit.mention(nominee)
    if status == "nominated":
        return f":raised_hands: Thank you! I asked {who} to complete an application; the TSC will review it."
    if status == "self":
        return f"To put yourself forward, use `{ids.COMMAND} apply`."
    if status == "ambassador":
        return f"{who} is already an ambassador."
    if open_status == "pending":
        return f"{who} has already applied; the TSC is reviewing it."
    by = f" by {kit.mention(nominated_by)}" if nominated_by else ""
    return f"{who} was already nominated{by}; I have asked them to complete the application."


def unknown_user(user_id: str) -> str:
    return f"I could not find {kit.mention(user_id)} in this workspace (or it is a bot). Nothing was changed."


def renewal_reply(result: Any, required: int) -> str:
    status = result.status
    following = result.next_term
    if status == "requested":
        return (
            f":white_check_mark: Renewal requested. Your next term runs {kit.term_text(following)}; it starts the day "
            "after this one ends. Thank you for staying on!"
        )
    if status == "renewed":
        return f":tada: Renewed! Your new term runs {kit.term_text(following)}. Thank you for staying on!"
    if status == "already_requested":
        return f"You have already asked to renew: your next term starts on {following.start.isoformat()}."
    if status == "not_current":
        return f"That term is no longer your current one, so there is nothing to renew. `{ids.COMMAND} status` shows where you stand."
    current = result.progress
    if result.refusal == "not_met":
        return (
            f"To renew, this term needs {required} contributions and you have {current.counted} "
            f"({current.remaining} to go before {current.term.end.isoformat()}). "
            f"Log them with `{ids.COMMAND} log`, then renew."
        )
    if result.refusal == "too_early":
        opens = membership_rules.renewal_opens_on(current.term)
        return (
            f"Renewal opens on {opens.isoformat()}, {membership_rules.RENEWAL_WINDOW_DAYS} days before your term ends on "
            f"{current.term.end.isoformat()}. I will remind you."
        )
    return (
        f"The time to renew that term is over (it ended on {current.term.end.isoformat()}, "
        f"{membership_rules.RENEWAL_GRACE_DAYS} days of grace included). To come back, `{ids.COMMAND} apply`."
    )


def renewal_clicked_blocks(original: Sequence[kit.Block], reply: str) -> list[kit.Block]:
    """The DM with the Renew button, after the click: the buttons replaced by what happened."""
    kept = [block for block in original if block.get("type") != "actions"]
    return [*kept, kit.context(reply)][: kit.MAX_MESSAGE_BLOCKS]
