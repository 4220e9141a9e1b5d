"""The membership outbox messages (welcome, rejection, nomination, extension) and the answers to
nominations and renewal requests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.blocks import general as general_blocks
from bot.blocks import github as github_blocks
from bot.blocks import ids, kit
from bot.blocks.membership.deciding import review_message
from bot.rules import membership as membership_rules


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
