"""`/ambassador admin term @member start YYYY-MM-DD`: the TSC sets the day a member joined. One of
handlers.admin's subcommands, which has checked (and audited) that the caller is on the TSC."""

from __future__ import annotations

from bot.blocks import contributions as contributions_blocks
from bot.blocks import term_starts as term_starts_blocks
from bot.rules import parsing
from bot.rules import term_starts as start_rules
from bot.services.membership import term_starts
from bot.slack.deps import Deps
from handlers.router import Invocation


def admin_term(call: Invocation, rest: str, *, deps: Deps) -> None:
    who, words_text = parsing.leading_mention(rest)
    words = words_text.split()
    if words and words[0].lower() == "start":
        words = words[1:]
    if who is None or len(words) != 1:
        call.reply(term_starts_blocks.admin_term_usage())
        return
    start = start_rules.read_start(words[0])
    if start is None:
        otherwise = parsing.date_written_otherwise(words)
        call.reply(
            contributions_blocks.date_written_otherwise(otherwise)
            if otherwise is not None
            else term_starts_blocks.admin_term_usage()
        )
        return
    result = term_starts.set_start_by_slack(
        deps.db,
        who,
        start,
        today=deps.program_today(),
        now=deps.now(),
        actor=call.user_id,
        required=deps.settings.required_contributions,
    )
    call.reply(term_starts_blocks.admin_term_reply(result, who))
    if result.changed:
        deps.changed(call.client, who)
