"""The website's members file: import into the registry, export back out, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from bot.cli.members_file import read_members_file, render
from bot.rules import membership as membership_rules
from bot.services.registry import exporting, file_format, importing
from bot.store.db import Database
from bot.store.models import AuditEvent, Contribution, Member, MemberStatus, Term, TermStatus
from tests import paths
from tests.helpers.factories import add_contribution, add_member, enrol

DATA = paths.DATA / "asyncapi"
MEMBERS_JSON = DATA / "AMBASSADORS_MEMBERS.json"
MEMBERS_YAML = DATA / "AMBASSADORS_MEMBERS.yaml"
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
TERM_START = date(2026, 3, 1)


def website_file() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(MEMBERS_JSON.read_text(encoding="utf-8"))
    return data


def canonical(data: Any) -> str:
    """Equal data, types included (466609 is not "466609", true is not 1); only key order is ignored."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1)


def run_import(db: Database, data: Any, term_start: date = TERM_START) -> importing.ImportSummary:
    return importing.import_members(
        db, file_format.parse_members(data), term_start=term_start, now=NOW, source="test.json"
    )


def row_counts(db: Database) -> dict[str, int]:
    with db.transaction() as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Member, Term, Contribution, AuditEvent)
        }


def member_by_github(db: Database, github: str) -> Member:
    with db.transaction() as session:
        return session.scalars(select(Member).where(Member.github == github)).one()


def contributions_of(db: Database, github: str) -> list[Contribution]:
    with db.transaction() as session:
        return list(
            session.scalars(
                select(Contribution)
                .join(Member, Member.id == Contribution.member_id)
                .where(Member.github == github)
                .order_by(Contribution.id)
            )
        )


# --- the round trip ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", [MEMBERS_JSON, MEMBERS_YAML], ids=["json", "yaml"])
def test_importing_the_website_file_and_exporting_gives_the_same_data(db: Database, path: Path) -> None:
    summary = run_import(db, read_members_file(path))

    assert (summary.members_added, summary.contributions_added) == (9, 63)
    exported = exporting.export_members(db)
    assert canonical(exported) == canonical(website_file())
    # Same members in the same order, same contribution order, same keys present and absent.
    assert [m["github"] for m in exported] == [m["github"] for m in website_file()]
    for ours, theirs in zip(exported, website_file(), strict=True):
        assert set(ours) == set(theirs), ours["github"]
        assert [c["link"] for c in ours["contributions"]] == [c["link"] for c in theirs["contributions"]]


def test_rendered_json_and_yaml_read_back_as_the_same_data(db: Database) -> None:
    run_import(db, read_members_file(MEMBERS_JSON))
    exported = exporting.export_members(db)

    as_json = render(exported, "json")
    as_yaml = render(exported, "yaml")

    assert canonical(json.loads(as_json)) == canonical(website_file())
    assert canonical(yaml.safe_load(as_yaml)) == canonical(website_file())
    # Written as the website's converter writes it (json.dump, indent=4, \u escapes).
    assert as_json.startswith('[\n    {\n        "name": "Daniel Kocot",')
    assert '"country": "\\ud83c\\udde9\\ud83c\\uddea"' in as_json
    # YAML as the community's AMBASSADORS_MEMBERS.yaml is written: quoted, indented under the list.
    assert '\n    country: "🇩🇪"\n' in as_yaml
    assert '\n    contributions:\n      - type: "article"\n' in as_yaml


@pytest.mark.parametrize("path", [MEMBERS_JSON, MEMBERS_YAML], ids=["json", "yaml"])
def test_the_communitys_file_exported_in_its_format_is_the_same_file_byte_for_byte(
    db: Database, path: Path
) -> None:
    run_import(db, read_members_file(path))

    text = render(exporting.export_members(db), "json" if path.suffix == ".json" else "yaml")

    original = path.read_text(encoding="utf-8")
    assert text == (original if original.endswith("\n") else original + "\n")


def test_importing_twice_changes_nothing(db: Database) -> None:
    run_import(db, read_members_file(MEMBERS_JSON))
    before = row_counts(db)

    again = run_import(db, read_members_file(MEMBERS_YAML), term_start=date(2025, 1, 1))

    assert (again.members_added, again.members_updated, again.members_unchanged) == (0, 0, 9)
    assert (again.contributions_added, again.contributions_updated, again.changed) == (0, 0, False)
    assert row_counts(db) == before  # no duplicate contributions, no audit noise
    assert before == {"Member": 9, "Term": 9, "Contribution": 63, "AuditEvent": 9}


def test_the_files_quirks_are_kept_as_given(db: Database) -> None:
    run_import(db, website_file())

    by_title = {c.title: c for c in contributions_of(db, "ivangsa")}
    month_2022 = next(c for c in by_title.values() if c.month == "2022")
    assert (month_2022.type, month_2022.year, month_2022.occurred_on, month_2022.date_precision) == (
        "initiative_driver",
        2024,
        date(2024, 1, 1),
        "year",
    )
    jan = next(c for c in by_title.values() if c.month == "Jan")
    assert (jan.occurred_on, jan.date_precision) == (date(2026, 1, 1), "month")

    m3lkior = contributions_of(db, "M3lkior")
    no_month = next(c for c in m3lkior if c.month is None)
    assert (no_month.year, no_month.occurred_on, no_month.date_precision) == (2023, date(2023, 1, 1), "year")
    empty_links = [c for c in m3lkior if c.link == ""]
    assert len(empty_links) == 8 and all(c.link_key is None for c in empty_links)
    assert any(c.type == "special contribution" for c in m3lkior)
    assert all(c.source == "import" and c.logged_by is None for c in m3lkior)


def test_new_members_become_ambassadors_linked_to_their_slack_user(db: Database) -> None:
    run_import(db, website_file(), term_start=date(2026, 3, 1))

    member = member_by_github(db, "danielkocot")
    assert (member.slack_user_id, member.status, member.github_id) == ("U029F3XUYM8", "active", 466609)
    assert (member.is_tsc_member, member.tsc_member_since, member.is_board_member) == (
        True,
        "2025-05-28",
        None,
    )
    with db.transaction() as session:
        term = session.scalars(select(Term).where(Term.member_id == member.id)).one()
        audit = session.scalars(select(AuditEvent).where(AuditEvent.member_id == member.id)).one()
    assert (term.start_on, term.end_on, term.status) == (
        date(2026, 3, 1),
        date(2027, 2, 28),
        TermStatus.ACTIVE,
    )
    assert (audit.actor, audit.action) == ("cli", "member.imported")
    assert audit.details["contributions"] == 4 and audit.details["term_start"] == "2026-03-01"


# --- updates and matching ---------------------------------------------------------------------


def test_a_changed_profile_field_updates_the_member_with_an_audit_record(db: Database) -> None:
    run_import(db, website_file())
    changed = website_file()
    changed[0]["title"] = "Chief Integration Architect"
    del changed[0]["twitter"]
    changed[0]["contributions"][1]["title"] = "AsyncAPI 2.3.0 specification updates"
    changed[0]["contributions"].append(
        {
            "type": "talk",
            "title": "New talk",
            "date": {"year": 2026, "month": "March"},
            "link": "https://x.org/t",
        }
    )

    summary = run_import(db, changed)

    assert (summary.members_updated, summary.members_unchanged) == (1, 8)
    assert (summary.contributions_added, summary.contributions_updated) == (1, 1)
    member = member_by_github(db, "danielkocot")
    assert (member.title, member.twitter) == ("Chief Integration Architect", None)
    with db.transaction() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.member_id == member.id).order_by(AuditEvent.id)
        ).all()
        actions = {event.action: event.details for event in events}
    assert actions["member.updated"]["changes"] == {
        "title": ["Principal Integration Architect", "Chief Integration Architect"],
        "twitter": ["", None],
    }
    assert actions["contribution.updated"]["changes"] == {
        "title": ["AsyncAPI specification updates", "AsyncAPI 2.3.0 specification updates"]
    }
    assert actions["contributions.imported"]["count"] == 1
    assert canonical(exporting.export_members(db)) == canonical(changed)


def test_members_are_matched_by_github_in_any_case_then_by_slack_id(db: Database) -> None:
    by_github = enrol(db, None, date(2025, 6, 1), "Daniel", github="DanielKocot")
    by_slack = enrol(db, "U02MHRKL2G2", date(2025, 6, 1), "Giri")
    # Logged in Slack before the import, with a slightly different spelling of the same link.
    add_contribution(
        db,
        by_slack,
        date(2024, 2, 20),
        link="https://WWW.linux.com/news/bridging-design-and-runtime-gaps-asyncapi-in-event-driven-architecture",
    )

    summary = run_import(db, website_file())

    assert (summary.members_added, summary.members_updated) == (7, 2)
    assert member_by_github(db, "danielkocot").id == by_github
    giri = member_by_github(db, "gvensan")
    assert (giri.id, giri.name) == (by_slack, "Giri Venkatesan")
    links = [c.link for c in contributions_of(db, "gvensan")]
    assert len(links) == 4  # the Slack-logged one was matched, not duplicated
    with db.transaction() as session:
        # Known members keep their own terms; only new members get one from --term-start.
        assert session.scalar(select(func.count(Term.id)).where(Term.member_id == by_slack)) == 1


def test_a_slack_id_linked_to_someone_else_is_refused_and_nothing_is_written(db: Database) -> None:
    add_member(db, None, "Daniel", github="danielkocot")
    add_member(db, "U029F3XUYM8", "Someone Else", github="someone-else")
    before = row_counts(db)
    data = website_file()

    with pytest.raises(file_format.MembersFileError) as raised:
        run_import(db, data)

    assert str(raised.value) == (
        "member 1 (danielkocot): slack 'U029F3XUYM8' is already linked to 'Someone Else' "
        "(github 'someone-else') in the registry"
    )
    assert row_counts(db) == before


def test_contributions_logged_in_slack_export_in_the_files_shape(db: Database) -> None:
    member_id = enrol(db, "U0MEMBER", date(2026, 3, 2), "Jane Doe", github="janedoe")
    add_contribution(
        db,
        member_id,
        date(2026, 11, 20),
        type_="talk",
        title="AsyncAPI at KubeCon",
        link="https://youtu.be/abc",
    )

    exported = exporting.export_members(db)

    assert exported == [
        {
            "name": "Jane Doe",
            "github": "janedoe",
            "slack": "U0MEMBER",
            "contributions": [
                {
                    "type": "talk",
                    "title": "AsyncAPI at KubeCon",
                    "date": {"year": 2026, "month": "November"},
                    "link": "https://youtu.be/abc",
                }
            ],
        }
    ]
    # Importing the export back keeps the exact day the member logged.
    assert not run_import(db, exported).changed
    assert contributions_of(db, "janedoe")[0].occurred_on == date(2026, 11, 20)


def test_a_link_repeated_for_one_member_is_kept_and_reimports_cleanly(db: Database) -> None:
    data = website_file()[:1]
    data[0]["contributions"].append(copy.deepcopy(data[0]["contributions"][0]) | {"title": "Same link again"})

    run_import(db, data)
    again = run_import(db, data)

    assert not again.changed
    assert canonical(exporting.export_members(db)) == canonical(data)


# --- active ambassadors and the emeritus list ---------------------------------------------------


def test_export_lists_active_ambassadors_and_emeritus_lists_former_ones(db: Database) -> None:
    run_import(db, website_file())
    with db.transaction() as session:
        for github, day in (("lbroudoux", 20), ("M3lkior", 10)):
            member = session.scalars(select(Member).where(Member.github == github)).one()
            member.status = MemberStatus.EMERITUS
            member.status_changed_at = datetime(2026, 3, day, tzinfo=UTC)
    add_member(db, "U0OLD", "No Handle", status=MemberStatus.EMERITUS)

    exported = exporting.export_members(db)
    emeritus = exporting.export_emeritus(db)

    assert [m["github"] for m in exported] == [
        m["github"] for m in website_file() if m["github"] not in ("lbroudoux", "M3lkior")
    ]
    assert emeritus.github_handles == ("M3lkior", "lbroudoux")  # in the order they left
    assert emeritus.without_github == ("No Handle",)
    text = render(emeritus.as_file_data(), "yaml", emeritus=True)
    assert text == "emeritus_ambassadors:\n  - M3lkior\n  - lbroudoux\n"
    assert yaml.safe_load(text) == {"emeritus_ambassadors": ["M3lkior", "lbroudoux"]}


# --- bad files: one clear message, nothing written -------------------------------------------


def mutate(change: Any) -> list[dict[str, Any]]:
    data = website_file()
    change(data)
    return data


BAD_FILES = {
    "not a list": ({"members": []}, "the file must be a list of members (as AMBASSADORS_MEMBERS.json is)"),
    "member not a mapping": (
        ["danielkocot"],
        "member 1: must be a mapping of profile fields, not 'danielkocot'",
    ),
    "missing github": (
        mutate(lambda d: d[2].pop("github")),
        "member 3: github is missing",
    ),
    "bad github": (
        mutate(lambda d: d[2].update(github="not a handle")),
        "member 3 (not a handle): github 'not a handle' is not a GitHub handle",
    ),
    "duplicate github": (
        mutate(lambda d: d[4].update(github="HGuerrero")),
        "member 5 (HGuerrero): github 'HGuerrero' is also member 3 (hguerrero)",
    ),
    "bad slack": (
        mutate(lambda d: d[1].update(slack="@giri")),
        "member 2 (gvensan): slack '@giri' is not a Slack member ID (like U012AB3CD)",
    ),
    "duplicate slack": (
        mutate(lambda d: d[1].update(slack="U029F3XUYM8")),
        "member 2 (gvensan): slack 'U029F3XUYM8' is also member 1 (danielkocot)",
    ),
    "githubID true": (
        mutate(lambda d: d[0].update(githubID=True)),
        "member 1 (danielkocot): githubID must be a number (or its digits as text), not True",
    ),
    "flag not a bool": (
        mutate(lambda d: d[0].update(isTscMember="yes")),
        "member 1 (danielkocot): isTscMember must be true or false, not 'yes'",
    ),
    "name not text": (
        mutate(lambda d: d[0].update(name=["Daniel"])),
        "member 1 (danielkocot): name must be text, not ['Daniel']",
    ),
    "contributions not a list": (
        mutate(lambda d: d[3].update(contributions={"type": "talk"})),
        "member 4 (ivangsa): contributions must be a list",
    ),
    "contribution without year": (
        mutate(lambda d: d[3]["contributions"][2]["date"].pop("year")),
        "member 4 (ivangsa): contributions[2].date.year is missing",
    ),
    "year as text": (
        mutate(lambda d: d[3]["contributions"][2]["date"].update(year="2023")),
        "member 4 (ivangsa): contributions[2].date.year must be a year like 2024, not '2023'",
    ),
    "contribution without title": (
        mutate(lambda d: d[3]["contributions"][0].pop("title")),
        "member 4 (ivangsa): contributions[0].title is missing",
    ),
    "empty type": (
        mutate(lambda d: d[3]["contributions"][0].update(type=" ")),
        "member 4 (ivangsa): contributions[0].type is empty",
    ),
    "title too long": (
        mutate(lambda d: d[3]["contributions"][0].update(title="x" * 501)),
        "member 4 (ivangsa): contributions[0].title is longer than 500 characters",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_malformed_file_is_refused_naming_the_member_and_field(db: Database, case: str) -> None:
    data, message = BAD_FILES[case]
    before = row_counts(db)

    with pytest.raises(file_format.MembersFileError) as raised:
        run_import(db, data)

    assert str(raised.value) == message
    assert "\n" not in str(raised.value)
    assert row_counts(db) == before


def test_unknown_fields_are_reported_and_empty_values_are_absent() -> None:
    data = website_file()[:1]
    data[0]["mastodon"] = "@daniel@example.social"
    data[0]["company"] = None
    data[0]["contributions"][0]["date"]["month"] = 9  # an unquoted YAML number

    parsed = file_format.parse_members(data)

    assert parsed.warnings == ("member 1 (danielkocot): unknown field 'mastodon' is not kept",)
    assert "company" not in parsed.members[0].profile
    assert parsed.members[0].contributions[0].month == "9"
    assert membership_rules.approximate_date(2021, "9") == (
        date(2021, 9, 1),
        membership_rules.DatePrecision.MONTH,
    )


def test_a_renamed_github_handle_is_found_by_slack_id_and_updated(db: Database) -> None:
    member_id = enrol(db, "U029F3XUYM8", date(2025, 6, 1), "Daniel Kocot", github="dkocot-old")

    summary = run_import(db, website_file()[:1])

    assert (summary.members_added, summary.members_updated) == (0, 1)
    assert member_by_github(db, "danielkocot").id == member_id
    with db.transaction() as session:
        update = session.scalars(select(AuditEvent).where(AuditEvent.action == "member.updated")).one()
    assert update.details["changes"]["github"] == ["dkocot-old", "danielkocot"]
