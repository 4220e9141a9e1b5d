"""What contributions reached, in words: a contribution's impact line, a term's figures, the impact
fields of the log form, the "how did it go?" DM and form, and the messages of the message shortcut."""

from __future__ import annotations

import json
from typing import Any

from bot.blocks import ids, kit
from bot.rules import impact as impact_rules
from bot.rules import membership as membership_rules
from bot.rules.impact import Field, Impact, ImpactFigures, ImpactProblem
from bot.services.contributions import LoggedContribution
from bot.services.impact import Followup, OwnTalk, UpcomingItem

# The log form's block for each impact column, and what each is called.
IMPACT_BLOCKS = (
    "event_name",
    "city",
    "country",
    "online",
    "language",
    "reach",
    "recording_link",
    "slides_link",
)
IMPACT_PROBLEM_TEXT: dict[ImpactProblem, str] = {
    ImpactProblem.BAD_LINK: "This must be a full web address starting with http:// or https://.",
    ImpactProblem.TOO_LONG: "This is too long (at most {limit} characters).",
    ImpactProblem.CONTROL_CHARACTERS: "This contains invisible control characters (often from a paste); type it again.",
    ImpactProblem.TOO_LARGE: "That number is too large.",
}
PICK_A_TYPE_HINT = "Pick a type to say what it reached (the event, the audience, a recording…)."
UPCOMING_HINT = (
    "Talks and workshops may be logged up to twelve months ahead: they count once their day has come, "
    "and I will ask you the next day how it went."
)


def impact_problem_text(column: str, problem: ImpactProblem) -> str:
    return IMPACT_PROBLEM_TEXT[problem].format(limit=impact_rules.limit_for(column))


def number(value: int) -> str:
    return f"{value:,}"


def audience_text(raw_type: str, reach: int) -> str:
    """ "120 attendees", "3,400 views"."""
    return f"{number(reach)} {impact_rules.audience_noun(raw_type)}"


def impact_line(raw_type: str, impact: Impact) -> str:
    """Everything a contribution reached on one mrkdwn line (member text escaped); "" when nothing."""
    parts = []
    if impact.event_name:
        parts.append(kit.escape(impact.event_name))
    if where := impact_rules.place(impact):
        parts.append(kit.escape(where))
    if impact.language:
        parts.append(kit.escape(impact.language))
    if impact.reach is not None:
        parts.append(audience_text(raw_type, impact.reach))
    if impact.recording_link:
        parts.append(kit.link(impact.recording_link, "recording"))
    if impact.slides_link:
        parts.append(kit.link(impact.slides_link, "slides"))
    return " · ".join(parts)


def figures_text(figures: ImpactFigures) -> str:
    """A term's (or a month's) reach in one line: "Audience 1,250 (from 3) · 2 events · Spain, Peru · 1 online · 2 recorded"."""
    if figures.is_empty:
        return ""
    parts = []
    if figures.with_audience:
        parts.append(
            f"audience {number(figures.audience)}"
            + (f" (from {figures.with_audience})" if figures.with_audience > 1 else "")
        )
    if figures.events:
        parts.append(f"{figures.events} event{'s' if figures.events != 1 else ''}")
    if figures.countries:
        shown = list(figures.countries[:5])
        more = len(figures.countries) - len(shown)
        parts.append(kit.escape(", ".join(shown)) + (f" and {more} more" if more else ""))
    if figures.online:
        parts.append(f"{figures.online} online")
    if figures.recordings:
        parts.append(f"{figures.recordings} recorded")
    text = " · ".join(parts)
    return text[:1].upper() + text[1:]


def upcoming_line(item: UpcomingItem) -> str:
    what = f"*{kit.escape(item.title)}*"
    if item.event_name:
        what += f" at {kit.escape(item.event_name)}"
    return f"• {membership_rules.type_label(item.type)} {what}, {item.occurred_on.isoformat()}"


def status_lines(figures: ImpactFigures, upcoming: list[UpcomingItem]) -> str:
    """What `/ambassador status` adds under the progress: the term's reach and the talks ahead."""
    lines = []
    if text := figures_text(figures):
        lines.append(f":chart_with_upwards_trend: *Reach this term:* {text}")
    if upcoming:
        lines.append(f":calendar: *Upcoming* ({len(upcoming)}, counted once their day has come)")
        lines += [upcoming_line(item) for item in upcoming[:10]]
        if len(upcoming) > 10:
            lines.append(f"…and {len(upcoming) - 10} more.")
    return "\n".join(lines)


# --- the impact fields of the log and edit forms ------------------------------------------------


def _text_input(block_id: str, label: str, value: str | None, limit: int, placeholder: str = "") -> kit.Block:
    element: kit.Block = {"type": "plain_text_input", "action_id": "value", "max_length": limit}
    if value:
        element["initial_value"] = value
        element["max_length"] = max(limit, len(value))
    if placeholder:
        element["placeholder"] = kit.plain(placeholder)
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": kit.plain(label),
        "element": element,
    }


def _url_input(block_id: str, label: str, value: str | None) -> kit.Block:
    element: kit.Block = {"type": "url_text_input", "action_id": "value"}
    if value:
        element["initial_value"] = value
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": kit.plain(label),
        "element": element,
    }


def audience_input(raw_type: str, reach: int | None) -> kit.Block:
    element: kit.Block = {
        "type": "number_input",
        "action_id": "value",
        "is_decimal_allowed": False,
        "min_value": "0",
        "max_value": str(impact_rules.AUDIENCE_MAX),
    }
    if reach is not None:
        element["initial_value"] = str(reach)
    noun = impact_rules.audience_noun(raw_type)
    return {
        "type": "input",
        "block_id": "reach",
        "optional": True,
        "label": kit.plain(f"Audience ({noun})"),
        "hint": kit.plain("Your best estimate is fine."),
        "element": element,
    }


ONLINE_OPTION = {"text": kit.plain("Online (streamed or virtual)"), "value": "online"}


def impact_inputs(raw_type: str | None, impact: Impact) -> list[kit.Block]:
    """The inputs that fit the type, filled with `impact`; none before a type is picked."""
    if not raw_type:
        return []
    fields = impact_rules.fields_for(raw_type)
    blocks: list[kit.Block] = []
    if Field.EVENT_NAME in fields:
        blocks.append(
            _text_input(
                "event_name",
                "Event",
                impact.event_name,
                impact_rules.EVENT_NAME_MAX_LENGTH,
                "AsyncAPI Conference on Tour Madrid",
            )
        )
    if Field.PLACE in fields:
        blocks.append(_text_input("city", "City", impact.city, impact_rules.CITY_MAX_LENGTH))
        blocks.append(_text_input("country", "Country", impact.country, impact_rules.COUNTRY_MAX_LENGTH))
        online: kit.Block = {"type": "checkboxes", "action_id": "value", "options": [ONLINE_OPTION]}
        if impact.online:
            online["initial_options"] = [ONLINE_OPTION]
        blocks.append(
            {
                "type": "input",
                "block_id": "online",
                "optional": True,
                "label": kit.plain("Or online"),
                "element": online,
            }
        )
    if Field.LANGUAGE in fields:
        blocks.append(
            _text_input("language", "Language", impact.language, impact_rules.LANGUAGE_MAX_LENGTH, "English")
        )
    if Field.AUDIENCE in fields:
        blocks.append(audience_input(raw_type, impact.reach))
    if Field.RECORDING in fields:
        blocks.append(_url_input("recording_link", "Recording link", impact.recording_link))
    if Field.SLIDES in fields:
        blocks.append(_url_input("slides_link", "Slides link", impact.slides_link))
    return blocks


# --- after an upcoming talk: how did it go? --------------------------------------------------------


def followup_message(item: Followup) -> dict[str, Any]:
    """The DM the day after a talk logged ahead: how it went, with a button to add what it reached."""
    label = membership_rules.type_label(item.type).lower()
    at = f" at {kit.escape(item.event_name)}" if item.event_name else ""
    text = (
        f":microphone: How did your {label} *{kit.escape(item.title)}*{at} on {item.occurred_on.isoformat()} go? "
        "Add the audience, the recording and the slides, and the TSC sees what it reached."
    )
    return kit.message(
        text,
        [
            kit.section(text),
            kit.actions(
                kit.button(
                    "Add audience, recording, slides",
                    ids.TALK_OUTCOME_OPEN,
                    str(item.contribution_id),
                    style="primary",
                ),
                block_id="talk-outcome",
            ),
        ],
    )


def outcome_modal(talk: OwnTalk) -> dict[str, Any]:
    label = membership_rules.type_label(talk.type).lower()
    intro = f"Your {label} *{kit.escape(talk.title)}* ({talk.occurred_on.isoformat()})."
    blocks = [
        kit.section(intro),
        audience_input(talk.type, talk.impact.reach),
        _url_input("recording_link", "Recording link", talk.impact.recording_link),
        _url_input("slides_link", "Slides link", talk.impact.slides_link),
    ]
    return kit.modal(
        ids.TALK_OUTCOME_MODAL,
        "How did it go?",
        blocks,
        submit="Save",
        private_metadata=json.dumps({"contribution_id": talk.id}),
    )


def outcome_saved(title: str, changed: tuple[str, ...]) -> dict[str, Any]:
    if not changed:
        return kit.message(f"Nothing changed on *{kit.escape(title)}*.")
    text = f":white_check_mark: Saved what *{kit.escape(title)}* reached. Thank you!"
    return kit.message(text, [kit.section(text)])


# --- the message shortcut ---------------------------------------------------------------------------

SHORTCUT_NOT_THEIRS = (
    "Only the person who wrote a message can log it as their contribution (or a TSC member, for them)."
)
SHORTCUT_NO_AUTHOR = "This message was not written by a person, so it cannot be logged as a contribution."
SHORTCUT_AUTHOR_NOT_AMBASSADOR = (
    "The author of this message is not a current ambassador, so it cannot be logged for them."
)


def logged_for_you_message(logged_by: str, logged: LoggedContribution) -> dict[str, Any]:
    """The DM to a member when a TSC member logged one of their messages as a contribution."""
    label = membership_rules.type_label(logged.type).lower()
    text = (
        f":tada: {kit.mention(logged_by)} logged your message as your {label} "
        f"*{kit.link(logged.link, logged.title)}* ({logged.occurred_on.isoformat()})."
    )
    if logged.upcoming:
        text += " It counts once its day has come."
    if logged.waiting_review:
        text += " It counts once another TSC member has verified it."
    text += f" You can change or remove it from your App Home, or see them all with `{ids.COMMAND} history`."
    return kit.message(text, [kit.section(text)])


def logged_for_confirmation(author: str, logged: LoggedContribution) -> dict[str, Any]:
    label = membership_rules.type_label(logged.type).lower()
    text = (
        f":white_check_mark: Logged {kit.mention(author)}'s {label} *{kit.escape(logged.title)}* "
        f"({logged.occurred_on.isoformat()}); they were told."
    )
    return kit.message(text, [kit.section(text)])
