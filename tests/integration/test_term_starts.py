"""When members joined, on SQLite and PostgreSQL: per-member starts at import, `terms set` and the
TSC's correction, the history they record, the standing computed again, and what is never rewritten."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.github import public_files
from bot.outbox.queue import enqueue
from bot.services.membership import term_starts
from bot.services.membership.term_starts import StartStatus
from bot.services.registry import file_format, importing
from bot.store.db import Database
from bot.store.models import AuditEvent, Member, OutboxMessage, OutboxStatus, Term, TermStatus
from jobs.scheduler import run_job
from tests import paths
from tests.fakes.slack import FakeSlack
from tests.helpers.factories import add_contribution, enrol
from tests.helpers.jobs import job_context

MEMBERS_YAML = (paths.DATA / "asyncapi" / "AMBASSADORS_MEMBERS.yaml").read_text(encoding="utf-8")
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
STARTS = "github,start\ndanielkocot,2022-05-05\nhguerrero,2025-09-15\n"


def the_file() -> file_format.ParsedFile:
    return file_format.parse_members(public_files.parse_text(MEMBERS_YAML))


def terms_of(db: Database, github: str) -> list[tuple[date, date, str]]:
    with db.transaction() as session:
        member = session.scalars(select(Member).where(Member.github == github)).one()
        return [
            (term.start_on, term.end_on, term.status)
            for term in session.scalars(
                select(Term).where(Term.member_id == member.id).order_by(Term.start_on)
            )
        ]


def import_with_starts(db: Database, starts: str = STARTS) -> importing.ImportSummary:
    return importing.import_members(
        db,
        the_file(),
        term_start=TODAY,
        now=NOW,
        today=TODAY,
        starts=file_format.parse_term_starts(starts, TODAY),
    )


def test_an_import_gives_each_member_the_start_the_file_names(db: Database) -> None:
    summary = import_with_starts(db)

    assert summary.members_added == 9
    assert terms_of(db, "danielkocot") == [
        (date(2022, 5, 5), date(2023, 5, 4), TermStatus.COMPLETED),
        (date(2023, 5, 5), date(2024, 5, 4), TermStatus.COMPLETED),
        (date(2024, 5, 5), date(2025, 5, 4), TermStatus.COMPLETED),
        (date(2025, 5, 5), date(2026, 5, 4), TermStatus.ACTIVE),
    ]
    assert terms_of(db, "hguerrero") == [(date(2025, 9, 15), date(2026, 9, 14), TermStatus.ACTIVE)]
    assert terms_of(db, "gvensan") == [
        (TODAY, date(2027, 2, 28), TermStatus.ACTIVE)
    ]  # not named: --term-start


def test_the_verification_then_falls_on_the_anniversary(db: Database, fake_slack: FakeSlack) -> None:
    import_with_starts(db)
    ctx = job_context(db, fake_slack)

    on_the_last_day = run_job(ctx, "renewals", datetime(2026, 5, 4, 9, tzinfo=UTC))
    assert not [note for note in on_the_last_day.notes if "(Daniel Kocot)" in note]
    anniversary = run_job(ctx, "renewals", datetime(2026, 5, 5, 9, tzinfo=UTC))

    # Daniel Kocot joined on 2022-05-05: his fourth term is verified on its anniversary (short of the
    # requirement, it is proposed to the TSC, who decides).
    (verified,) = [note for note in anniversary.notes if "(Daniel Kocot)" in note]
    assert verified.endswith(": lapsed, proposed to the TSC")


@pytest.mark.parametrize(
    ("starts", "message"),
    [
        ("danielkocot,2022-05-05\nsomeoneelse,2023-01-01\n", "line 2 (someoneelse): no member of the file"),
    ],
)
def test_a_start_for_nobody_in_the_file_is_refused_and_nothing_is_written(
    db: Database, starts: str, message: str
) -> None:
    with pytest.raises(file_format.MembersFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_with_starts(db, starts)
    with db.transaction() as session:
        assert session.scalars(select(Member)).all() == []


def test_a_term_start_in_the_future_is_refused_at_import(db: Database) -> None:
    with pytest.raises(file_format.MembersFileError, match="2026-03-02 is in the future"):
        importing.import_members(db, the_file(), term_start=TODAY + timedelta(days=1), now=NOW, today=TODAY)
    with db.transaction() as session:
        assert session.scalars(select(Member)).all() == []


def test_a_reimport_keeps_known_terms_and_says_which_starts_it_did_not_apply(db: Database) -> None:
    importing.import_members(db, the_file(), term_start=TODAY, now=NOW, today=TODAY)

    again = import_with_starts(db)

    assert again.members_unchanged == 9
    assert again.starts_not_applied == ("danielkocot", "hguerrero")
    assert terms_of(db, "danielkocot") == [(TODAY, date(2027, 2, 28), TermStatus.ACTIVE)]


def set_start(db: Database, github: str, start: date, today: date = TODAY) -> term_starts.StartChange:
    (result,) = term_starts.set_starts(db, [(github, start)], today=today, now=NOW, actor="cli", required=4)
    return result


def test_setting_a_start_moves_the_term_records_history_audits_and_recomputes_the_standing(
    db: Database,
) -> None:
    importing.import_members(db, the_file(), term_start=TODAY, now=NOW, today=TODAY)
    with db.transaction() as session:
        daniel = session.scalars(select(Member).where(Member.github == "danielkocot")).one()
        enqueue(session, key="reminder:U029F3XUYM8:2026-03", kind="reminder", channel="U029F3XUYM8",
                text="old dates", member_id=daniel.id, now=NOW)  # fmt: skip
    add_contribution(db, daniel.id, date(2025, 6, 1), link="https://example.com/june")

    result = set_start(db, "DanielKocot", date(2022, 5, 5))

    assert result.status is StartStatus.SET
    assert (result.before.start, result.term.start, result.term.end) == (  # type: ignore[union-attr]
        TODAY,
        date(2025, 5, 5),
        date(2026, 5, 4),
    )
    assert len(result.earlier) == 3
    # June 2025's contribution counts now: it is inside the new current term, not the imported one.
    assert result.progress is not None and (result.progress.counted, result.progress.required) == (1, 4)
    assert terms_of(db, "danielkocot")[-1] == (date(2025, 5, 5), date(2026, 5, 4), TermStatus.ACTIVE)
    with db.transaction() as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "term.start_set")).one()
        assert audit.details["before"] == ["2026-03-01", "2027-02-28"]
        assert audit.details["after"] == ["2025-05-05", "2026-05-04"]
        stale = session.scalars(select(OutboxMessage)).one()
        assert stale.status == OutboxStatus.CANCELLED

    assert set_start(db, "danielkocot", date(2022, 5, 5)).status is StartStatus.UNCHANGED
    with db.transaction() as session:
        assert (
            len(session.scalars(select(AuditEvent).where(AuditEvent.action == "term.start_set")).all()) == 1
        )


def test_starts_that_cannot_be_set_change_nothing_all_or_nothing(db: Database) -> None:
    importing.import_members(db, the_file(), term_start=TODAY, now=NOW, today=TODAY)
    before = {github: terms_of(db, github) for github in ("danielkocot", "gvensan")}

    results = term_starts.set_starts(
        db,
        [("danielkocot", date(2022, 5, 5)), ("gvensan", date(2026, 3, 2))],
        today=TODAY,
        now=NOW,
        actor="cli",
        required=4,
    )

    assert [result.status for result in results] == [StartStatus.SET, StartStatus.FUTURE]
    assert {github: terms_of(db, github) for github in before} == before
    with pytest.raises(term_starts.UnknownMembers) as unknown:
        term_starts.set_starts(
            db, [("nobody", date(2022, 5, 5))], today=TODAY, now=NOW, actor="cli", required=4
        )
    assert unknown.value.handles == ("nobody",)


def test_a_renewal_the_bot_recorded_is_never_rewritten(db: Database) -> None:
    member = enrol(db, "U0JANE", date(2025, 3, 1), github="janedoe", end=date(2026, 2, 28))
    with db.transaction() as session:
        term = session.scalars(select(Term).where(Term.member_id == member)).one()
        term.status = TermStatus.COMPLETED
        session.add(
            Term(member_id=member, start_on=TODAY, end_on=date(2027, 2, 28), status=TermStatus.ACTIVE)
        )

    result = set_start(db, "janedoe", date(2024, 5, 5))

    assert result.status is StartStatus.RECORDED_HISTORY
    assert result.clash is not None and result.clash.start == date(2025, 3, 1)
    assert terms_of(db, "janedoe") == [
        (date(2025, 3, 1), date(2026, 2, 28), TermStatus.COMPLETED),
        (TODAY, date(2027, 2, 28), TermStatus.ACTIVE),
    ]


def test_a_former_ambassador_has_no_current_term_to_set(db: Database) -> None:
    importing.import_emeritus(db, ("oldtimer",), now=NOW)

    assert set_start(db, "oldtimer", date(2022, 5, 5)).status is StartStatus.NOT_AN_AMBASSADOR
