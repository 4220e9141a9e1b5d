"""Block Kit as strictly as Slack checks it: the limits Slack enforces with `invalid_blocks`.

Shared by the sandbox's Slack stand-in and the tests' fake Slack, so the bot meets one set of rules
wherever it posts. Each check raises `SlackError` with Slack's error code and where the problem is.
"""

from __future__ import annotations

import json
import re
from typing import Any


class SlackError(Exception):
    """An `ok: false` answer: `error` is Slack's code, `detail` says what was wrong (Slack's
    `response_metadata.messages`)."""

    def __init__(self, error: str, detail: str = "", **extra: str) -> None:
        super().__init__(error)
        self.error = error
        self.detail = detail
        self.extra = extra  # more top-level fields of the answer (`needed`, `provided`)


def check_text(obj: Any, limit: int, where: str) -> None:
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        raise SlackError("invalid_blocks", f"{where}: text object required")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        raise SlackError("invalid_blocks", f"{where}: empty text")
    if len(text) > limit:
        raise SlackError("invalid_blocks", f"{where}: more than {limit} characters")


def check_element(element: dict[str, Any], where: str, action_ids: set[str]) -> None:
    kind = element.get("type")
    if kind is None:
        raise SlackError("invalid_blocks", f"{where}: element without type")
    action_id = element.get("action_id")
    if action_id is not None:
        if action_id in action_ids:
            raise SlackError("invalid_blocks", f"{where}: duplicate action_id {action_id}")
        action_ids.add(action_id)
        if len(action_id) > 255:
            raise SlackError("invalid_blocks", f"{where}: action_id too long")
    if kind == "button":
        check_text(element.get("text"), 75, f"{where}.text")
        if element.get("text", {}).get("type") != "plain_text":
            raise SlackError("invalid_blocks", f"{where}: button text must be plain_text")
        if len(element.get("value", "")) > 2000:
            raise SlackError("invalid_blocks", f"{where}: button value over 2000")
        if len(element.get("url", "")) > 3000:
            raise SlackError("invalid_blocks", f"{where}: button url over 3000")
        if element.get("style") not in (None, "primary", "danger"):
            raise SlackError("invalid_blocks", f"{where}: button style must be primary or danger")
    if "confirm" in element:
        check_confirm(element["confirm"], f"{where}.confirm")
    check_initial_value(element, where)
    if kind in ("static_select", "radio_buttons", "checkboxes", "overflow"):
        options = element.get("options") or []
        if not options or len(options) > 100:
            raise SlackError("invalid_blocks", f"{where}: 1-100 options")
        for option in options:
            check_text(option.get("text"), 75, f"{where}.option")
            if len(option.get("value", "")) > 150:
                raise SlackError("invalid_blocks", f"{where}: option value over 150")


def check_confirm(confirm: Any, where: str) -> None:
    """A confirmation dialog object (title 100, text 300, confirm/deny 30; style primary or danger)."""
    if not isinstance(confirm, dict):
        raise SlackError("invalid_blocks", f"{where}: confirm must be an object")
    check_text(confirm.get("title"), 100, f"{where}.title")
    check_text(confirm.get("text"), 300, f"{where}.text")
    check_text(confirm.get("confirm"), 30, f"{where}.confirm")
    check_text(confirm.get("deny"), 30, f"{where}.deny")
    for key in ("title", "confirm", "deny"):
        if confirm[key]["type"] != "plain_text":
            raise SlackError("invalid_blocks", f"{where}.{key}: must be plain_text")
    if confirm.get("style") not in (None, "primary", "danger"):
        raise SlackError("invalid_blocks", f"{where}: style must be primary or danger")


def check_initial_value(element: dict[str, Any], where: str) -> None:
    """Prefilled inputs: Slack refuses a value its own element would not accept."""
    kind = element.get("type")
    if (
        kind == "static_select"
        and "initial_option" in element
        and element["initial_option"] not in (element.get("options") or [])
    ):
        raise SlackError("invalid_blocks", f"{where}: initial_option must be one of the options")
    if kind == "datepicker" and not re.fullmatch(
        r"\d{4}-\d{2}-\d{2}", str(element.get("initial_date", "2000-01-01"))
    ):
        raise SlackError("invalid_blocks", f"{where}: initial_date must be YYYY-MM-DD")
    if kind in ("plain_text_input", "url_text_input") and "initial_value" in element:
        value = element["initial_value"]
        if not isinstance(value, str) or len(value) > int(element.get("max_length", 3000)):
            raise SlackError("invalid_blocks", f"{where}: initial_value longer than max_length")
    if kind == "number_input" and "initial_value" in element:
        try:
            float(element["initial_value"])
        except (TypeError, ValueError):
            raise SlackError("invalid_blocks", f"{where}: initial_value must be a number") from None


def check_blocks(blocks: Any, limit: int) -> None:
    if not isinstance(blocks, list):
        raise SlackError("invalid_blocks", "blocks must be a list")
    if len(blocks) > limit:
        raise SlackError("invalid_blocks", f"no more than {limit} items allowed")
    block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"blocks[{index}]"
        # Slack: an action_id must be unique "among all other action_ids in the containing block".
        action_ids: set[str] = set()
        if not isinstance(block, dict) or "type" not in block:
            raise SlackError("invalid_blocks", f"{where}: block without type")
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in block_ids:
                raise SlackError("invalid_blocks", f"{where}: duplicate block_id {block_id}")
            if len(str(block_id)) > 255:
                raise SlackError("invalid_blocks", f"{where}: block_id over 255")
            block_ids.add(block_id)
        kind = block["type"]
        if kind == "section":
            if "text" not in block and "fields" not in block:
                raise SlackError("invalid_blocks", f"{where}: section needs text or fields")
            if "text" in block:
                check_text(block["text"], 3000, f"{where}.text")
            fields = block.get("fields") or []
            if len(fields) > 10:
                raise SlackError("invalid_blocks", f"{where}: more than 10 fields")
            for number, item in enumerate(fields):
                check_text(item, 2000, f"{where}.fields[{number}]")
            if "accessory" in block:
                check_element(block["accessory"], f"{where}.accessory", action_ids)
        elif kind == "header":
            check_text(block.get("text"), 150, f"{where}.text")
            if block["text"]["type"] != "plain_text":
                raise SlackError("invalid_blocks", f"{where}.text: a header is plain_text")
        elif kind == "context":
            elements = block.get("elements") or []
            if not elements or len(elements) > 10:
                raise SlackError("invalid_blocks", f"{where}: context needs 1-10 elements")
            for number, item in enumerate(elements):
                if item.get("type") in ("plain_text", "mrkdwn"):
                    check_text(item, 3000, f"{where}.elements[{number}]")
        elif kind == "actions":
            elements = block.get("elements") or []
            if not elements or len(elements) > 25:
                raise SlackError("invalid_blocks", f"{where}: actions needs 1-25 elements")
            for number, item in enumerate(elements):
                check_element(item, f"{where}.elements[{number}]", action_ids)
        elif kind == "input":
            check_text(block.get("label"), 2000, f"{where}.label")
            if "element" not in block:
                raise SlackError("invalid_blocks", f"{where}: input needs an element")
            check_element(block["element"], f"{where}.element", set())
        elif kind not in ("divider", "image", "rich_text", "file", "video"):
            raise SlackError("invalid_blocks", f"{where}: unknown block type {kind}")


def check_view(view: Any, expected_type: str | None = None) -> None:
    if not isinstance(view, dict):
        raise SlackError("invalid_arguments", "view must be an object")
    kind = view.get("type")
    if kind not in ("modal", "home") or (expected_type and kind != expected_type):
        raise SlackError("invalid_arguments", f"view type must be {expected_type or 'modal or home'}")
    check_blocks(view.get("blocks"), 100)
    if kind == "modal":
        check_text(view.get("title"), 24, "view.title")
        for key in ("submit", "close"):
            if key in view:
                check_text(view[key], 24, f"view.{key}")
        has_inputs = any(block.get("type") == "input" for block in view["blocks"])
        if has_inputs and "submit" not in view:
            raise SlackError("invalid_arguments", "a modal with inputs needs a submit button")
    if len(view.get("private_metadata", "")) > 3000:
        raise SlackError("invalid_arguments", "private_metadata over 3000")
    if len(view.get("callback_id", "")) > 255:
        raise SlackError("invalid_arguments", "callback_id over 255")


def check_metadata(metadata: Any) -> None:
    """Message metadata: an `event_type` and an `event_payload` object of simple values."""
    if (
        not isinstance(metadata, dict)
        or not isinstance(metadata.get("event_type"), str)
        or not metadata["event_type"]
        or not isinstance(metadata.get("event_payload"), dict)
    ):
        raise SlackError("invalid_metadata_format", "metadata needs event_type and event_payload")
    for value in metadata["event_payload"].values():
        if not isinstance(value, str | int | float | bool | dict | list):
            raise SlackError("invalid_metadata_schema")
    if len(json.dumps(metadata)) > 8000:
        raise SlackError("metadata_too_large")


def check_message(args: dict[str, Any]) -> None:
    if not args.get("text"):
        # Slack accepts blocks without text but warns; the bot must always send the fallback.
        raise SlackError("no_text", "a top-level text fallback is required")
    if len(args["text"]) > 40000:
        raise SlackError("msg_too_long")
    if args.get("blocks") is not None:
        check_blocks(args["blocks"], 50)
