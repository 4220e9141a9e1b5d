"""`/ambassador admin benefits ...`: the TSC's catalogue (list, add, set, enable, disable) and the
requests still open. One of handlers.admin's subcommands, which has checked the caller is on the TSC."""

from __future__ import annotations

from bot.blocks.benefits import admin as benefit_admin_blocks
from bot.rules import benefits as benefit_rules
from bot.services.benefits import catalogue
from bot.services.benefits.budget import BudgetSetting
from bot.services.benefits.open_requests import open_requests
from bot.slack.deps import Deps
from handlers.router import Invocation


def admin_benefits(call: Invocation, rest: str, *, deps: Deps) -> None:
    setting = BudgetSetting.from_settings(deps.settings)
    catalogue.ensure_catalogue(deps.db, deps.now())
    words = unescape(rest).split()
    action = words[0].lower() if words else ""
    if action == "":
        open_now = open_requests(deps.db, deps.now(), setting)
        call.reply(
            benefit_admin_blocks.catalogue_message(catalogue.items(deps.db, include_disabled=True), open_now)
        )
    elif action in ("requests", "open", "pending"):
        call.reply(
            benefit_admin_blocks.open_requests_message(open_requests(deps.db, deps.now(), setting, limit=20))
        )
    elif action == "add" and len(words) >= 5:
        add_benefit(deps, call, words)
    elif action == "set" and len(words) >= 4:
        change_benefit(deps, call, words)
    elif action in ("enable", "disable") and len(words) == 2:
        try:
            item, _ = catalogue.change_benefit(
                deps.db, call.user_id, words[1].lower(), {"enabled": action == "enable"}, now=deps.now()
            )
        except catalogue.CatalogueError as exc:
            call.reply(benefit_admin_blocks.catalogue_error(exc.code, words[1]))
            return
        call.reply(benefit_admin_blocks.enabled_text(item))
    else:
        call.reply(benefit_admin_blocks.ADMIN_HELP)


def add_benefit(deps: Deps, call: Invocation, words: list[str]) -> None:
    key, kind, value, name = (
        words[1].lower(),
        benefit_rules.normalize_kind(words[2]),
        words[3],
        " ".join(words[4:]),
    )
    if (
        not benefit_rules.is_benefit_key(key)
        or kind is None
        or not value.isdigit()
        or int(value) > benefit_rules.MAX_VALUE
        or len(name) > benefit_rules.LIMITS["name"]
    ):
        call.reply(benefit_admin_blocks.field_usage("benefit"))
        return
    try:
        item = catalogue.add_benefit(deps.db, call.user_id, key, kind, int(value), name, now=deps.now())
    except catalogue.CatalogueError as exc:
        call.reply(benefit_admin_blocks.catalogue_error(exc.code, key))
        return
    call.reply(benefit_admin_blocks.added_text(item, deps.settings.benefits_currency))


def change_benefit(deps: Deps, call: Invocation, words: list[str]) -> None:
    key, field_name, raw = words[1].lower(), words[2].lower(), " ".join(words[3:])
    try:
        field = benefit_rules.CatalogueField(field_name)
        value = benefit_rules.parse_field_value(field, raw)
    except ValueError:
        call.reply(benefit_admin_blocks.field_usage(field_name))
        return
    attribute = catalogue.SETTABLE[field]
    try:
        item, before = catalogue.change_benefit(
            deps.db, call.user_id, key, {attribute: value}, now=deps.now()
        )
    except catalogue.CatalogueError as exc:
        call.reply(benefit_admin_blocks.catalogue_error(exc.code, key))
        return
    call.reply(benefit_admin_blocks.changed_text(item, field.value, before[attribute], value))


def unescape(text: str) -> str:
    """Slack escapes &, < and > in command text; the catalogue stores what the TSC meant."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
