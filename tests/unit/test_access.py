"""Access that follows the roster, without a database: who belongs where, what must change, the keys
that make each change once, the texts the review channel reads, and the settings."""

from __future__ import annotations

from datetime import date

import pytest

from bot.blocks import access as access_blocks
from bot.rules import access as rules
from bot.rules.access import Action, Place
from bot.settings import SettingsError, load_settings


def test_only_current_ambassadors_with_an_identity_there_belong() -> None:
    assert rules.belongs("active", "U0MEMBER")
    assert not rules.belongs("emeritus", "U0MEMBER")
    assert not rules.belongs("candidate", "U0MEMBER")
    assert not rules.belongs("active", None)
    assert not rules.belongs("active", "  ")


def test_the_difference_adds_the_missing_removes_the_unwanted_and_leaves_keepers() -> None:
    found = rules.difference(
        wanted={"U1", "U2", "U3"}, present={"U2", "U3", "U4", "UBOT", "UTSC"}, keepers={"UBOT", "UTSC", "U2"}
    )

    assert found == rules.Difference(to_add=("U1",), to_remove=("U4",), kept=("UBOT", "UTSC"))
    assert not found.in_step
    assert rules.difference({"U1"}, {"U1"}).in_step


def test_a_queued_change_is_made_only_while_it_is_still_wanted() -> None:
    assert rules.wanted_now(Action.ADD, belongs_now=True, keeper=False)
    assert not rules.wanted_now(Action.ADD, belongs_now=False, keeper=False)  # left meanwhile
    assert rules.wanted_now(Action.REMOVE, belongs_now=False, keeper=False)
    assert not rules.wanted_now(Action.REMOVE, belongs_now=True, keeper=False)  # came back meanwhile
    assert not rules.wanted_now(Action.REMOVE, belongs_now=False, keeper=True)


def test_a_user_group_gets_a_whole_new_list() -> None:
    assert rules.group_after(["U3", "U1"], ["U2", "U1"], ["U3"]) == ["U1", "U2"]
    assert rules.group_after(["U1"], [], ["U1"]) == []


def test_github_logins_compare_without_case_and_slack_ids_exactly() -> None:
    assert rules.normalized(" JaneDoe ", Place.GITHUB_TEAM) == "janedoe"
    assert rules.normalized("U0MEMBER", Place.SLACK_GROUP) == "U0MEMBER"


def test_each_change_has_a_key_of_its_cause() -> None:
    daily = rules.check_cause(date(2027, 3, 1))
    roster = rules.roster_cause(42)

    assert rules.change_key(Place.SLACK_CHANNEL, "C0AMB", Action.ADD, "U1", daily) == (
        "slack_channel:C0AMB:add:U1:check-2027-03-01"
    )
    assert rules.change_key(Place.GITHUB_TEAM, "asyncapi/ambassadors", Action.REMOVE, "jane", roster) == (
        "github_team:asyncapi/ambassadors:remove:jane:roster-42"
    )


def test_the_review_channel_reads_what_changed_where_and_why() -> None:
    added = access_blocks.change_made(Place.SLACK_GROUP, "ambassadors", Action.ADD, "U1", "Jane", "roster-3")
    removed = access_blocks.change_made(
        Place.GITHUB_TEAM, "asyncapi/ambassadors", Action.REMOVE, "jane_doe", "Jane <Doe>", "check-2027-03-01"
    )
    by_id = access_blocks.change_made(Place.SLACK_GROUP, "S0614TZR7", Action.ADD, "U1", None, "roster-3")

    assert (
        added
        == ":busts_in_silhouette: Access: Added <@U1> to the @ambassadors user group: now an ambassador."
    )
    assert removed == (
        ":busts_in_silhouette: Access: Removed *Jane &lt;Doe&gt;* (`jane_doe`) from the `asyncapi/ambassadors` "
        "team on GitHub: not a current ambassador (daily check)."
    )
    # Never `<!subteam^...>`: a mention of the group would notify every ambassador.
    assert "the user group `S0614TZR7`" in by_id and "subteam" not in by_id


@pytest.mark.parametrize(
    ("place", "error", "needed", "expected"),
    [
        (Place.SLACK_GROUP, "paid_teams_only", "", "Slack user groups need a paid Slack plan"),
        (Place.SLACK_GROUP, "plan_upgrade_required", "", "Empty `SLACK_AMBASSADORS_GROUP` to stop trying"),
        (
            Place.SLACK_GROUP,
            "missing_scope",
            "usergroups:write",
            "the app lacks the `usergroups:write` scope",
        ),
        (Place.SLACK_CHANNEL, "channel_not_found", "", "I am not in <#C0AMB>: invite me there"),
        (Place.SLACK_CHANNEL, "restricted_action", "", "only admins remove people from channels"),
        (Place.SLACK_GROUP, "no_such_subteam", "", "Slack has no user group `C0AMB`"),
        (Place.GITHUB_TEAM, "github_forbidden", "", "*Members: read and write*"),
        (Place.SLACK_CHANNEL, "something_new", "", "the answer was `something_new`"),
    ],
)
def test_a_place_that_cannot_be_kept_says_what_to_do(
    place: Place, error: str, needed: str, expected: str
) -> None:
    text = access_blocks.place_problem(place, "C0AMB", error, needed)

    assert text.startswith(":warning: Access: I cannot keep ")
    assert expected in text


def test_the_dry_run_lists_each_difference_with_names() -> None:
    difference = rules.difference({"U1", "U2"}, {"U2", "U3", "UTSC"}, {"UTSC"})

    lines = access_blocks.comparison_lines(
        Place.SLACK_CHANNEL, "C0AMB", difference, {"U1": "Jane Doe"}, queued=[(Action.REMOVE, "U9")]
    )

    assert lines == [
        "SLACK_AMBASSADORS_CHANNEL C0AMB:",
        "  + would add Jane Doe (U1)",
        "  - would remove U3",
        "  = keeps UTSC (not an ambassador, never removed)",
        "  … queued, not made yet: remove U9",
    ]
    assert access_blocks.comparison_lines(Place.SLACK_GROUP, "x", None, {}, "paid_teams_only") == [
        "SLACK_AMBASSADORS_GROUP x:",
        "  ! cannot be read: paid_teams_only",
    ]


def test_the_places_are_read_from_the_settings() -> None:
    settings = load_settings(
        _env_file=None,
        slack_ambassadors_group="@Ambassadors",
        slack_ambassadors_channel=" C0AMB ",
        github_org="asyncapi",
        github_team="Ambassadors",
    )

    assert (settings.slack_ambassadors_group, settings.slack_ambassadors_channel) == ("ambassadors", "C0AMB")
    assert settings.github_team == "ambassadors"
    assert settings.access_schedule == "30 6 * * *"
    assert (
        load_settings(_env_file=None, slack_ambassadors_group="S0614TZR7").slack_ambassadors_group
        == "S0614TZR7"
    )


def test_bad_access_settings_are_named_together() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(
            _env_file=None,
            slack_ambassadors_group="the ambassadors",
            slack_ambassadors_channel="#ambassadors",
            access_schedule="daily",
        )
    problems = caught.value.problems
    assert any(p.startswith("SLACK_AMBASSADORS_GROUP:") and "handle or ID" in p for p in problems)
    assert any(p.startswith("SLACK_AMBASSADORS_CHANNEL:") and "not a Slack channel ID" in p for p in problems)
    assert any(p.startswith("ACCESS_SCHEDULE:") and "not a cron schedule" in p for p in problems)
    with pytest.raises(SettingsError, match="GITHUB_TEAM is a team of GITHUB_ORG: set GITHUB_ORG too"):
        load_settings(_env_file=None, github_team="ambassadors")
