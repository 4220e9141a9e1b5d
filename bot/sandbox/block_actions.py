"""What a click or a form holds when Slack sends it: the `actions` item of a block_actions payload and a
view's `state.values`, built from the element the person used, in Slack's shape for each element type
(Slack's reference: "block_actions payloads", "view_submission payloads")."""

from __future__ import annotations

import re
import time
from typing import Any

# What the page may send for one element: text as typed, one choice, or several.
Choice = str | list[str] | None
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_VALUE_LENGTH = 3000


class ActionError(Exception):
    """Something the person did that Slack itself would not send (a closed modal, a missing field);
    the message is for the page."""


def block_id_of(block: dict[str, Any], index: int) -> str:
    """The block's ID; Slack makes one up for a block sent without (here: from its position)."""
    return str(block.get("block_id") or f"b{index}")


def elements_of(block: dict[str, Any]) -> list[dict[str, Any]]:
    found = [*(block.get("elements") or [])]
    for key in ("accessory", "element"):
        if isinstance(block.get(key), dict):
            found.append(block[key])
    return [element for element in found if isinstance(element, dict)]


def find_element(
    blocks: list[dict[str, Any]], block_id: str, action_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The block and element a person used: only what is there can be clicked, so a stale page cannot
    send what Slack would not."""
    for index, block in enumerate(blocks):
        if block_id_of(block, index) != block_id:
            continue
        for element in elements_of(block):
            if element.get("action_id") == action_id:
                return block, element
    raise ActionError("That button is no longer there: the message or view changed. Try again.")


def option_for(element: dict[str, Any], value: str) -> dict[str, Any]:
    for option in element.get("options") or []:
        if option.get("value") == value:
            return dict(option)
    raise ActionError("That choice is not one of the options.")


def action_payload(block_id: str, element: dict[str, Any], choice: Choice) -> dict[str, Any]:
    """The `actions` item Slack sends for a click on `element` (or a choice made in it)."""
    kind = str(element.get("type"))
    action: dict[str, Any] = {
        "type": kind,
        "action_id": element.get("action_id"),
        "block_id": block_id,
        "action_ts": f"{time.time():.6f}",
    }
    if kind == "button":
        action["text"] = element.get("text")
        if "value" in element:
            action["value"] = element["value"]
        if "style" in element:
            action["style"] = element["style"]
    else:
        action.update(selection(element, choice))
    return action


def selection(element: dict[str, Any], choice: Choice) -> dict[str, Any]:
    """An element's value as Slack reports it, in a click and in `state.values` alike."""
    kind = str(element.get("type"))
    first = choice[0] if isinstance(choice, list) and choice else choice if isinstance(choice, str) else None
    if first is not None and len(first) > MAX_VALUE_LENGTH:
        raise ActionError(f"That is longer than Slack allows ({MAX_VALUE_LENGTH} characters).")
    if kind in ("plain_text_input", "url_text_input", "email_text_input", "number_input"):
        return {"type": kind, "value": first if first else None}
    if kind in ("static_select", "radio_buttons", "overflow"):
        return {"type": kind, "selected_option": option_for(element, first) if first else None}
    if kind == "checkboxes":
        chosen = choice if isinstance(choice, list) else [choice] if choice else []
        return {"type": kind, "selected_options": [option_for(element, value) for value in chosen]}
    if kind == "datepicker":
        if first and not DATE.match(first):
            raise ActionError("Pick a date as YYYY-MM-DD.")
        return {"type": kind, "selected_date": first or None}
    if kind == "users_select":
        return {"type": kind, "selected_user": first or None}
    raise ActionError(f"The sandbox cannot use a {kind} element.")


def is_empty(value: dict[str, Any]) -> bool:
    return not any(
        value.get(key)
        for key in ("value", "selected_option", "selected_options", "selected_date", "selected_user")
    )


def state_values(view: dict[str, Any], given: dict[str, Any], *, required: bool) -> dict[str, Any]:
    """`state.values` of a modal as Slack builds them: every input the view has, by block and action
    ID; with `required`, refused when a required input is empty (Slack's client does not send it)."""
    values: dict[str, Any] = {}
    missing = []
    for index, block in enumerate(view.get("blocks") or []):
        if block.get("type") not in ("input", "actions", "section"):
            continue
        block_id = block_id_of(block, index)
        for element in elements_of(block):
            action_id = element.get("action_id")
            if not action_id or element.get("type") == "button":
                continue
            raw = (
                (given.get(block_id) or {}).get(action_id) if isinstance(given.get(block_id), dict) else None
            )
            if raw is not None and not isinstance(raw, str | list):
                raise ActionError("A form value must be text or a list of choices.")
            value = selection(element, raw)
            values.setdefault(block_id, {})[action_id] = value
            if required and block.get("type") == "input" and not block.get("optional") and is_empty(value):
                label = (block.get("label") or {}).get("text") or block_id
                missing.append(str(label))
    if missing:
        raise ActionError("Please fill in: " + ", ".join(missing) + ".")
    return values
