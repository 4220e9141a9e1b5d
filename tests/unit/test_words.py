"""What members and the TSC read says each thing once and plainly: counts past the requirement, the
emeritus DM, the jobs' descriptions, the manifest's usage line."""

from __future__ import annotations

from datetime import date

from bot.blocks import contributions as contributions_blocks
from bot.blocks import general as general_blocks
from bot.blocks import kit
from bot.blocks import renewals as renewals_blocks
from bot.blocks.emeritus import FAREWELL_MESSAGES
from bot.rules import membership as membership_rules
from bot.rules.emeritus import EmeritusReason
from bot.services.members import AmbassadorRow
from bot.services.membership.farewell import Leaving
from bot.slack import manifest
from jobs.scheduler import JOBS

TERM = membership_rules.Term(date(2026, 1, 1), date(2026, 12, 31))


def progress(counted: int, today: date = date(2026, 12, 10)) -> membership_rules.Progress:
    return membership_rules.Progress(TERM, today, counted, 4)


def test_a_count_past_the_requirement_is_never_five_of_four() -> None:
    assert kit.tally(5, 4) == "5 contributions (4 required) ✓"
    assert kit.tally(4, 4, " this term") == "4 contributions this term (4 required) ✓"
    assert kit.tally(2, 4, " this term") == "2 of 4 contributions this term"
    assert kit.tally(0, 1) == "0 of 1 contribution"
    assert kit.tally(1, 1) == "1 contribution (1 required) ✓"


def test_progress_the_list_and_the_renewal_notice_say_it_that_way() -> None:
    line = contributions_blocks.progress_line(progress(5))
    assert line.startswith("5 contributions this term (4 required) ✓ · term ends 2026-12-31")
    row = AmbassadorRow(1, "U0JANE", "Jane Doe", "DevRel", "Acme", date(2026, 12, 31), 5)
    listed = str(contributions_blocks.ambassador_list_message([row], 4))
    assert "· 5 contributions this term (4 required) ✓" in listed and "5/4" not in listed
    notice = renewals_blocks.renewal_notice_message(progress(5), 7, can_renew=True)["text"]
    assert "You made 5 contributions (4 required) ✓, so you can stay" in notice
    assert "5 of 4" not in notice


def test_the_emeritus_dm_says_the_count_once() -> None:
    ended = progress(3, today=date(2027, 1, 1))
    leaving = Leaving(
        member_id=7,
        slack_user_id="U0JANE",
        name="Jane Doe",
        reason=EmeritusReason.TERM_ENDED,
        note=None,
        closed_term=None,
        progress=ended,
        outcome=membership_rules.Verification.LAPSED,
    )
    text = FAREWELL_MESSAGES.thanks(leaving)["text"]
    assert "ended on 2026-12-31 with 3 contributions, short of the 4 the program asks for" in text
    assert "3 of 4" not in text


def test_jobs_list_says_the_verification_is_the_day_after_the_last_day() -> None:
    assert "the day after its last day" in JOBS["renewals"].description
    assert "on its last day" not in JOBS["renewals"].description


def test_the_manifest_usage_line_names_every_subcommand_of_the_help() -> None:
    hinted = set(manifest.USAGE_HINT.split(" | "))
    helped = {usage.split()[0] for usage, _what in general_blocks.SUBCOMMAND_HELP}
    assert helped == hinted
    assert "benefits" in hinted
