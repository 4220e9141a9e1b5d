"""The App Home builders on their own: content for each kind of viewer, and Slack's limits with big lists.

Views are checked with the fake Slack's own validator (the checks `views.publish` runs), so a view that
passes here is one Slack accepts.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.blocks import contributions as contributions_blocks
from bot.blocks import general as general_blocks
from bot.blocks import home as home_blocks
from bot.blocks import ids, kit
from bot.rules import membership as membership_rules
from bot.services import home, home_tsc
from bot.services.contributions import OwnContribution
from tests.fakes.slack import SlackError, check_blocks, check_view

UTC_ZONE = ZoneInfo("UTC")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
TERM = home.TermItem(42, date(2026, 3, 2), date(2027, 3, 1), "active", False)


def contribution(
    number: int, *, title: str = "", type_: str = "talk", counts: bool = True
) -> home.ContributionItem:
    return home.ContributionItem(
        id=number,
        type=type_,
        title=title or f"Contribution {number}",
        link=f"https://example.com/{number}",
        occurred_on=date(2026, 11, 1),
        date_precision="day",
        counts_toward_term=counts,
    )


def personal(
    *,
    status: str = "active",
    term: home.TermItem | None = TERM,
    counted: int = 2,
    items: list[home.ContributionItem] | None = None,
    listed_total: int | None = None,
    earlier: int = 0,
    application: home.ApplicationItem | None = None,
    snoozed_until: datetime | None = None,
    today: date = TODAY,
    terms: list[home.TermItem] | None = None,
) -> home.PersonalHome:
    items = items if items is not None else [contribution(2), contribution(1)]
    progress = (
        membership_rules.Progress(membership_rules.Term(term.start, term.end), today, counted, 4)
        if term
        else None
    )
    return home.PersonalHome(
        member_id=1,
        name="Jane Doe",
        status=status,
        current_term=term if status == "active" else None,
        progress=progress if status == "active" else None,
        terms=terms if terms is not None else ([term] if term else []),
        contributions=items,
        contributions_listed_total=len(items) if listed_total is None else listed_total,
        contributions_total=(len(items) if listed_total is None else listed_total) + earlier,
        earlier_contributions=earlier,
        application=application,
        snoozed_until=snoozed_until,
    )


def view_of(
    mine: home.PersonalHome | None, tsc: home_tsc.TscHome | None = None, today: date = TODAY
) -> dict[str, Any]:
    data = home.Home("U0MEMBER", today, NOW, 4, mine, tsc)
    view = home_blocks.home_view(data, UTC_ZONE)
    check_view(view, "home")
    return view


def text_of(view: dict[str, Any]) -> str:
    return json.dumps(view, ensure_ascii=False)


def buttons(view: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for block in view["blocks"]:
        found += [e for e in block.get("elements", []) if e.get("type") == "button"]
        if block.get("accessory", {}).get("type") == "button":
            found.append(block["accessory"])
    return found


def action_ids(view: dict[str, Any]) -> list[str]:
    return [button["action_id"] for button in buttons(view)]


def application(status: str, **fields: Any) -> home.ApplicationItem:
    values: dict[str, Any] = {
        "id": 7,
        "status": status,
        "nominated_by": None,
        "submitted_at": datetime(2026, 11, 20, 9, tzinfo=UTC),
        "decided_at": None,
        "decision_reason": None,
        **fields,
    }
    return home.ApplicationItem(**values)


# --- not an ambassador ------------------------------------------------------------------------------


def test_a_stranger_sees_the_program_and_an_apply_button() -> None:
    view = view_of(None)
    text = text_of(view)
    assert "at least *4 contributions a year*" in text
    assert "one year from acceptance" in text
    for benefit in general_blocks.PROGRAM_BENEFITS:
        assert benefit in text
    assert action_ids(view) == [ids.APPLY_OPEN]


def test_an_open_application_shows_where_it_stands_instead_of_apply() -> None:
    pending = text_of(
        view_of(personal(status="candidate", term=None, items=[], application=application("pending")))
    )
    assert "Your application, sent 2026-11-20, is with the TSC" in pending
    assert ids.APPLY_OPEN not in pending

    nominated = view_of(
        personal(
            status="candidate",
            term=None,
            items=[],
            application=application("nominated", nominated_by="U0OTHER"),
        )
    )
    assert "<@U0OTHER> nominated you" in text_of(nominated)
    (apply,) = buttons(nominated)
    assert (apply["action_id"], apply["value"]) == (ids.APPLY_OPEN, "7")


def test_a_rejected_applicant_sees_the_reason_and_may_apply_again() -> None:
    view = view_of(
        personal(
            status="candidate",
            term=None,
            items=[],
            application=application("rejected", decision_reason="Only one <contribution> so far"),
        )
    )
    text = text_of(view)
    assert "was not accepted this time" in text
    assert "Only one &lt;contribution&gt; so far" in text
    assert action_ids(view) == [ids.APPLY_OPEN]


# --- ambassadors ------------------------------------------------------------------------------------


def test_an_ambassador_sees_progress_term_pace_and_their_buttons() -> None:
    view = view_of(personal(counted=1))
    text = text_of(view)
    assert "▰▱▱▱  1 of 4 contributions this term · term ends 2027-03-01 (97 days left)" in text
    assert "*Term* 2026-03-02 → 2027-03-01" in text
    assert "Behind pace: 2 expected by now, 3 to go" in text
    member_buttons = next(b for b in view["blocks"] if b.get("block_id") == "member-actions")["elements"]
    assert [(b["action_id"], b.get("value")) for b in member_buttons] == [
        (ids.LOG_OPEN, None),
        (ids.SNOOZE, "30"),
        (ids.BENEFIT_OPEN, None),
        (ids.PAUSE_OPEN, None),
    ]


def test_contributions_newest_first_with_edit_and_a_confirmed_delete() -> None:
    view = view_of(
        personal(items=[contribution(9, title="Newest"), contribution(3, title="Older")], earlier=5)
    )
    rows = [b for b in view["blocks"] if str(b.get("block_id", "")).startswith("contribution-actions-")]
    assert [row["block_id"] for row in rows] == ["contribution-actions-9", "contribution-actions-3"]
    edit, delete = rows[0]["elements"]
    assert (edit["action_id"], edit["value"]) == (ids.EDIT_CONTRIBUTION, "9")
    assert (delete["action_id"], delete["value"], delete["style"]) == (ids.DELETE_CONTRIBUTION, "9", "danger")
    assert "Newest" in delete["confirm"]["text"]["text"]
    text = text_of(view)
    assert "<https://example.com/9|Newest>" in text
    assert "5 contributions from before this term" in text and "`/ambassador history`" in text


def test_renew_appears_only_in_the_window_with_the_requirement_met() -> None:
    in_window = date(2027, 2, 10)
    met = view_of(personal(counted=4, today=in_window), today=in_window)
    renew = next(b for b in buttons(met) if b["action_id"] == ids.RENEW)
    assert renew["value"] == "42"
    assert "you can renew for another year" in text_of(met)
    assert ids.RENEW not in action_ids(view_of(personal(counted=3, today=in_window), today=in_window))
    assert ids.RENEW not in action_ids(view_of(personal(counted=4)))  # too early
    requested = view_of(
        personal(counted=4, term=home.TermItem(42, TERM.start, TERM.end, "active", True), today=in_window),
        today=in_window,
    )
    assert ids.RENEW not in action_ids(requested)
    assert "Renewal requested" in text_of(requested)


def test_snoozed_reminders_offer_resume() -> None:
    view = view_of(personal(snoozed_until=datetime(2026, 12, 24, 23, 30, tzinfo=UTC)))
    assert ids.RESUME in action_ids(view) and ids.SNOOZE not in action_ids(view)
    assert "snoozed until 2026-12-24" in text_of(view)
    madrid = home_blocks.home_view(
        home.Home(
            "U0MEMBER",
            TODAY,
            NOW,
            4,
            personal(snoozed_until=datetime(2026, 12, 24, 23, 30, tzinfo=UTC)),
            None,
        ),
        ZoneInfo("Europe/Madrid"),
    )
    assert "snoozed until 2026-12-25" in text_of(madrid)
    assert ids.SNOOZE in action_ids(view_of(personal(snoozed_until=datetime(2026, 11, 1, tzinfo=UTC))))


def test_imported_dates_keep_their_precision_and_titles_are_escaped() -> None:
    item = home.ContributionItem(
        1, "initiative_driver", "<!channel> & co", "", date(2024, 3, 1), "month", False
    )
    line = contributions_blocks.contribution_line(item)
    assert line == "*Initiative* · &lt;!channel&gt; &amp; co · March 2024"
    assert contributions_blocks.contribution_date(date(2022, 1, 1), "year") == "2022"


def test_three_hundred_contributions_are_cut_with_a_pointer() -> None:
    items = [contribution(n) for n in range(300, 300 - home.CONTRIBUTIONS_SHOWN, -1)]
    view = view_of(personal(items=items, listed_total=300, counted=300))
    text = text_of(view)
    assert f"…and {300 - home.CONTRIBUTIONS_SHOWN} more. `/ambassador history` lists them all." in text
    assert "Your contributions this term (300)" in text
    assert len(view["blocks"]) <= kit.MAX_VIEW_BLOCKS


# --- emeritus ---------------------------------------------------------------------------------------


def test_an_emeritus_sees_their_history_and_how_to_come_back() -> None:
    terms = [
        home.TermItem(1, date(2023, 1, 1), date(2023, 12, 31), "completed", True),
        home.TermItem(2, date(2024, 1, 1), date(2024, 12, 31), "lapsed", False),
    ]
    view = view_of(
        personal(status="emeritus", term=None, terms=terms, items=[contribution(5, counts=False)], earlier=0)
    )
    text = text_of(view)
    assert "2023-01-01 → 2023-12-31 (requirement met)" in text
    assert "2024-01-01 → 2024-12-31 (ended without the requirement)" in text
    assert "*Your contributions* (1 on record" in text
    assert "rejoin: the application form opens filled in from your record" in text
    assert "A TSC member can also reinstate you" in text
    assert action_ids(view) == [ids.REJOIN_OPEN]


# --- the TSC ----------------------------------------------------------------------------------------


def pending(number: int, *, meets: bool = True, name: str = "") -> home_tsc.PendingApplication:
    return home_tsc.PendingApplication(
        id=number,
        slack_user_id=f"U{number:07d}",
        name=name or f"Applicant {number}",
        title="Engineer",
        company="Acme",
        country="Spain",
        submitted_at=datetime(2026, 11, 20, 3, tzinfo=UTC),
        recent_contributions=5 if meets else 1,
        meets_requirement=meets,
    )


def at_risk(number: int, counted: int = 0, end: date = date(2027, 3, 1)) -> home_tsc.AtRiskAmbassador:
    term = membership_rules.Term(membership_rules.add_years(end, -1), end)
    return home_tsc.AtRiskAmbassador(
        f"U{number:07d}", f"Ambassador {number}", membership_rules.Progress(term, TODAY, counted, 4)
    )


def tsc_home(pending_count: int = 2, at_risk_count: int = 2, long: bool = False) -> home_tsc.TscHome:
    name = "N" * 200 if long else ""
    return home_tsc.TscHome(
        pending=[
            pending(n, meets=n % 2 == 0, name=name)
            for n in range(1, min(pending_count, home_tsc.PENDING_SHOWN) + 1)
        ],
        pending_total=pending_count,
        at_risk=[at_risk(n) for n in range(1, min(at_risk_count, home_tsc.AT_RISK_SHOWN) + 1)],
        at_risk_total=at_risk_count,
        figures=home_tsc.ProgramFigures(
            active_ambassadors=12,
            renewals_due=3,
            renewals_due_met=2,
            renewals_requested=1,
            this_month_by_type={"talk": 2, "article": 3},
            this_year_by_type={"talk": 10, "article": 30, "video": 2},
        ),
    )


def test_the_tsc_sees_applications_with_approve_and_reject() -> None:
    view = view_of(None, tsc_home())
    rows = [b for b in view["blocks"] if str(b.get("block_id", "")).startswith("application-actions-")]
    assert len(rows) == 2
    approve, reject = rows[0]["elements"]
    assert (approve["action_id"], approve["value"]) == (ids.APPROVE, "1")
    assert (reject["action_id"], reject["value"]) == (ids.REJECT, "1")
    assert approve["confirm"]["style"] == "primary"
    text = text_of(view)
    assert "*Applicant 2* (<@U0000002>) — Engineer, Acme · Spain" in text
    assert "5 contributions in the last 12 months · :white_check_mark: meets the requirement" in text
    assert "1 contribution in the last 12 months · :warning: below the requirement of 4" in text


def test_the_tsc_sees_at_risk_ambassadors_and_program_figures() -> None:
    view = view_of(None, tsc_home())
    text = text_of(view)
    assert "TSC · Ambassadors at risk (2)" in text
    assert (
        "*Ambassador 1* (<@U0000001>) — 0 of 4 · behind pace (2 expected by now) · ends 2027-03-01 (97 days left)"
        in text
    )
    assert "*Active ambassadors*\\n12" in text
    assert "*Renewals due in 30 days*\\n3 (2 met the requirement, 1 asked to renew)" in text
    assert "*Contributions in November 2026*\\n5\\nArticle 3 · Talk 2" in text
    assert "*Contributions in 2026*\\n42\\nArticle 30 · Talk 10 · Video 2" in text


def test_ending_soon_without_the_requirement_is_at_risk_even_on_pace() -> None:
    soon = membership_rules.Progress(
        membership_rules.Term(date(2025, 12, 10), date(2026, 12, 9)), TODAY, 3, 4
    )
    assert soon.on_pace and membership_rules.at_risk(soon)
    assert "requirement not met yet" in home_blocks.at_risk_line(home_tsc.AtRiskAmbassador(None, "Sam", soon))
    relaxed = membership_rules.Progress(
        membership_rules.Term(date(2026, 3, 2), date(2027, 3, 1)), TODAY, 3, 4
    )
    assert not membership_rules.at_risk(relaxed)


def test_the_biggest_home_fits_slacks_limits() -> None:
    """Everything at its longest: an ambassador who is TSC, 300 contributions, 200 applications."""
    items = [contribution(n, title="T" * 200) for n in range(home.CONTRIBUTIONS_SHOWN)]
    mine = personal(
        items=items, listed_total=300, earlier=40, snoozed_until=datetime(2027, 1, 1, tzinfo=UTC), counted=4
    )
    view = view_of(mine, tsc_home(pending_count=200, at_risk_count=150, long=True), today=date(2027, 2, 10))
    assert len(view["blocks"]) <= kit.MAX_VIEW_BLOCKS
    text = text_of(view)
    assert "…and 190 more. `/ambassador admin pending` lists them all." in text
    assert "…and 130 more. `/ambassador list` shows every ambassador's progress." in text
    # The closing line is still there: nothing was cut by the hard limit.
    assert view["blocks"][-1]["type"] == "context" and "Updated" in text_of(view["blocks"][-1])


def test_the_fake_refuses_what_slack_refuses() -> None:
    too_many = [kit.section(str(n)) for n in range(101)]
    with pytest.raises(SlackError):
        check_view({"type": "home", "blocks": too_many}, "home")
    bad_confirm = kit.button("Delete", ids.DELETE_CONTRIBUTION, "1", confirm={"title": kit.plain("x")})
    with pytest.raises(SlackError):
        check_blocks([kit.actions(bad_confirm)], 100)
    # The same action in two blocks is fine (unique per containing block), twice in one block is not.
    twice = kit.button("Approve", ids.APPROVE, "1")
    check_blocks([kit.actions(twice), kit.actions(twice)], 100)
    with pytest.raises(SlackError):
        check_blocks([kit.actions(twice, twice)], 100)


# --- the edit form and the history ------------------------------------------------------------------


def test_the_edit_form_is_prefilled_with_the_contribution() -> None:
    item = OwnContribution(
        5, "initiative_driver", "Meetup series", "https://x.org/m", date(2024, 3, 1), 120, "Mine"
    )
    view = contributions_blocks.edit_contribution_modal(item)
    check_view(view, "modal")
    fields = {block["block_id"]: block["element"] for block in view["blocks"]}
    assert fields["type"]["initial_option"]["value"] == "initiative"
    assert fields["title"]["initial_value"] == "Meetup series"
    assert fields["link"]["initial_value"] == "https://x.org/m"
    assert fields["date"]["initial_date"] == "2024-03-01"
    assert fields["reach"]["initial_value"] == "120"
    assert fields["notes"]["initial_value"] == "Mine"
    assert json.loads(view["private_metadata"]) == {"contribution_id": 5}
    assert (view["callback_id"], view["submit"]["text"]) == (ids.EDIT_MODAL, "Save")


def test_the_edit_form_accepts_imported_oddities() -> None:
    item = OwnContribution(6, "something else", "L" * 250, "", date(2022, 1, 1), None, None)
    view = contributions_blocks.edit_contribution_modal(item)
    check_view(view, "modal")
    fields = {block["block_id"]: block["element"] for block in view["blocks"]}
    assert "initial_option" not in fields["type"]
    assert "initial_value" not in fields["link"]
    assert fields["title"]["initial_value"] == "L" * 250


def test_history_lists_everything_that_fits_in_a_message() -> None:
    terms = [home.TermItem(1, date(2026, 3, 2), date(2027, 3, 1), "active", False)]
    items = [contribution(n, title="x" * 120, counts=n % 2 == 0) for n in range(300)]
    payload = contributions_blocks.history_message(home.History("Jane", terms, items), 4)
    check_blocks(payload["blocks"], kit.MAX_MESSAGE_BLOCKS)
    text = text_of(payload)
    assert "(300 on record, newest first" in text
    assert "Terms: 2026-03-02 → 2027-03-01 (current)" in text
    assert text.count("https://example.com/") == 300
    assert "more" not in text_of(payload["blocks"][-1])

    many = [contribution(n, title="y" * 190) for n in range(3000)]
    cut = contributions_blocks.history_message(home.History("Jane", terms, many), 4)
    check_blocks(cut["blocks"], kit.MAX_MESSAGE_BLOCKS)
    assert "The TSC's `ambassador-bot export` has the whole record." in text_of(cut["blocks"][-1])


def test_history_for_someone_without_a_record_says_how_to_join() -> None:
    assert "/ambassador apply" in contributions_blocks.history_message(None, 4)["text"]
