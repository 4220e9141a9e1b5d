"""What contributions reached and upcoming talks, on SQLite and PostgreSQL: stored, counted from their
day on, logged by a TSC member for a member, asked about the day after, shown in figures, and never
exported to the website's file."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.blocks import impact as impact_blocks
from bot.outbox.sender import deliver
from bot.rules.impact import Impact
from bot.services import home, impact, members
from bot.services.contributions import (
    ContributionDraft,
    ContributionNotFound,
    ContributionRejected,
    edit_contribution,
    log_contribution,
    logged_for_key,
    own_contribution,
)
from bot.services.impact import Outcome, OutcomeRejected
from bot.services.jobs import ambassadors_in_progress
from bot.services.registry import exporting
from bot.store.db import Database
from bot.store.models import AuditEvent, Contribution
from jobs.scheduler import run_job
from tests.conftest import MEMBER, OTHER, TSC
from tests.fakes.slack import FakeSlack
from tests.helpers.factories import add_contribution, enrol
from tests.helpers.jobs import at, buttons, dm_texts, job_context, outbox

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
KUBECON = Impact(
    event_name="KubeCon EU",
    city="Paris",
    country="France",
    language="English",
    recording_link="https://youtu.be/k",
    slides_link="https://speakerdeck.com/jane/k",
)


def talk(day: date, link: str = "https://example.org/talk") -> ContributionDraft:
    return ContributionDraft(
        type="talk", title="AsyncAPI at KubeCon", link=link, occurred_on=day, reach=300, impact=KUBECON
    )


def audit(db: Database, action: str) -> list[AuditEvent]:
    with db.transaction() as session:
        rows = list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        )
        session.expunge_all()
        return rows


def stored(db: Database, contribution_id: int) -> Contribution:
    with db.transaction() as session:
        row = session.get(Contribution, contribution_id)
        assert row is not None
        session.expunge(row)
        return row


def test_a_contribution_keeps_what_it_reached_and_only_what_fits_its_type(db: Database) -> None:
    enrol(db, MEMBER, date(2026, 3, 2))
    logged = log_contribution(db, MEMBER, talk(date(2026, 11, 20)), TODAY, NOW, 4)
    row = stored(db, logged.contribution_id)
    assert (row.event_name, row.city, row.country, row.online, row.language) == (
        "KubeCon EU",
        "Paris",
        "France",
        False,
        "English",
    )
    assert (row.reach, row.recording_link, row.slides_link) == (
        300,
        "https://youtu.be/k",
        "https://speakerdeck.com/jane/k",
    )
    assert audit(db, "contribution.logged")[0].details["impact"]["event_name"] == "KubeCon EU"

    article = ContributionDraft(
        "article", "A post", "https://dev.to/jane/p", date(2026, 11, 2), reach=900, impact=KUBECON
    )
    row = stored(db, log_contribution(db, MEMBER, article, TODAY, NOW, 4).contribution_id)
    assert (row.reach, row.language, row.event_name, row.slides_link, row.online) == (
        900,
        "English",
        None,
        None,
        False,
    )

    with pytest.raises(ContributionRejected) as refused:
        log_contribution(
            db,
            MEMBER,
            ContributionDraft(
                "talk",
                "T",
                "https://example.org/other",
                date(2026, 11, 21),
                impact=Impact(recording_link="javascript:alert(1)", event_name="E" * 300),
            ),
            TODAY,
            NOW,
            4,
        )
    assert set(refused.value.impact_problems) == {"recording_link", "event_name"}


def test_an_upcoming_talk_counts_once_its_day_has_come(db: Database) -> None:
    member_id = enrol(db, MEMBER, date(2026, 3, 2))
    add_contribution(db, member_id, date(2026, 5, 1))
    logged = log_contribution(db, MEMBER, talk(date(2026, 12, 5)), TODAY, NOW, 4)
    assert (logged.upcoming, logged.counts_toward_term, logged.standing.progress.counted) == (True, False, 1)  # type: ignore[union-attr]

    def counted(day: date) -> tuple[int, int, int]:
        standing = members.standing(db, MEMBER, day, 4)
        assert standing is not None and standing.progress is not None
        (listed,) = members.list_ambassadors(db, day)
        with db.transaction() as session:
            (progress,) = ambassadors_in_progress(session, day, 4)
        return standing.progress.counted, listed.counted, progress.progress.counted

    assert counted(TODAY) == (1, 1, 1)
    assert counted(date(2026, 12, 4)) == (1, 1, 1)
    assert counted(date(2026, 12, 5)) == (2, 2, 2)

    data = home.load_home(db, MEMBER, TODAY, NOW, 4, is_tsc=False)
    assert data.personal is not None and data.personal.progress is not None
    assert data.personal.progress.counted == 1
    upcoming = [item for item in data.personal.contributions if item.upcoming]
    assert [item.title for item in upcoming] == ["AsyncAPI at KubeCon"]
    assert not upcoming[0].counts_toward_term
    assert data.personal.audience_this_term == 0
    later = home.load_home(db, MEMBER, date(2026, 12, 6), NOW + timedelta(days=12), 4, is_tsc=True)
    assert later.personal is not None and later.personal.audience_this_term == 300
    assert later.tsc is not None and later.tsc.figures.audience_this_month == 300
    record = home.history(db, MEMBER, TODAY)
    assert record is not None and [item.upcoming for item in record.contributions] == [True, False]

    # A talk may be ahead by twelve months at most; other types never.
    with pytest.raises(ContributionRejected) as too_far:
        log_contribution(db, MEMBER, talk(date(2027, 11, 25), "https://example.org/far"), TODAY, NOW, 4)
    assert set(too_far.value.problems) == {"date"}
    with pytest.raises(ContributionRejected):
        log_contribution(
            db,
            MEMBER,
            ContributionDraft("article", "Soon", "https://x.org/s", date(2026, 11, 25)),
            TODAY,
            NOW,
            4,
        )


def test_the_status_shows_the_terms_reach_and_the_talks_ahead(db: Database) -> None:
    enrol(db, MEMBER, date(2026, 3, 2))
    log_contribution(db, MEMBER, talk(date(2026, 10, 1)), TODAY, NOW, 4)
    log_contribution(db, MEMBER, talk(date(2027, 2, 1), "https://example.org/ahead"), TODAY, NOW, 4)
    reach = impact.term_impact(db, MEMBER, TODAY)
    assert reach is not None
    assert (reach.figures.audience, reach.figures.events, reach.figures.countries) == (300, 1, ("France",))
    assert [(item.occurred_on, item.event_name) for item in reach.upcoming] == [
        (date(2027, 2, 1), "KubeCon EU")
    ]
    assert impact.term_impact(db, OTHER, TODAY) is None


def test_a_tsc_member_logs_for_a_member_who_is_told_once(db: Database, fake_slack: FakeSlack) -> None:
    enrol(db, MEMBER, date(2026, 3, 2))
    logged = log_contribution(
        db,
        MEMBER,
        talk(date(2026, 11, 20)),
        TODAY,
        NOW,
        4,
        logged_by=TSC,
        tell_member=impact_blocks.logged_for_you_message,
    )
    assert logged.logged_by == TSC
    row = stored(db, logged.contribution_id)
    assert row.logged_by == TSC
    (event,) = audit(db, "contribution.logged")
    assert (event.actor, event.details["logged_for"]) == (TSC, MEMBER)
    (message,) = outbox(db, "contribution_logged_for")
    assert (message.key, message.channel) == (logged_for_key(logged.contribution_id), MEMBER)
    ctx = job_context(db, fake_slack)
    deliver(db, ctx.client, NOW, settings=ctx.settings)
    deliver(db, ctx.client, NOW, settings=ctx.settings)
    (text,) = dm_texts(fake_slack, MEMBER)
    assert f"<@{TSC}> logged your message as your talk" in text


def test_the_speaker_is_asked_the_day_after_and_once(db: Database, fake_slack: FakeSlack) -> None:
    enrol(db, MEMBER, date(2026, 3, 2))
    upcoming = replace(talk(date(2026, 12, 5)), reach=None, impact=Impact(event_name="KubeCon EU"))
    ahead = log_contribution(db, MEMBER, upcoming, TODAY, NOW, 4).contribution_id
    # Logged once it had happened: its speaker already said how it went.
    log_contribution(db, MEMBER, talk(date(2026, 11, 20), "https://example.org/after"), TODAY, NOW, 4)
    ctx = job_context(db, fake_slack)

    assert run_job(ctx, "talk-followups", at("2026-12-05T10:00:00+00:00")).planned == []
    dry = run_job(ctx, "talk-followups", at("2026-12-06T10:00:00+00:00"), dry_run=True)
    assert [item.key for item in dry.planned] == [f"talk-followup:{ahead}"] and outbox(db) == []
    first = run_job(ctx, "talk-followups", at("2026-12-06T10:00:00+00:00"))
    again = run_job(ctx, "talk-followups", at("2026-12-07T10:00:00+00:00"))
    assert first.enqueued == [f"talk-followup:{ahead}"]
    assert again.enqueued == [] and [item.existing for item in again.planned] == [True]
    assert run_job(ctx, "talk-followups", at("2026-12-13T10:00:00+00:00")).planned == []
    deliver(db, ctx.client, at("2026-12-06T10:00:00+00:00"), settings=ctx.settings)
    (text,) = dm_texts(fake_slack, MEMBER)
    assert "How did your talk *AsyncAPI at KubeCon* at KubeCon EU on 2026-12-05 go?" in text
    post = fake_slack.calls_to("chat.postMessage")[0]
    assert buttons(post["blocks"]) == {"talk_outcome_open": str(ahead)}


def test_a_talk_with_its_audience_and_recording_is_not_asked_about(
    db: Database, fake_slack: FakeSlack
) -> None:
    member_id = enrol(db, MEMBER, date(2026, 3, 2))
    contribution_id = add_contribution(db, member_id, date(2026, 12, 5), type_="talk")
    with db.transaction() as session:
        row = session.get(Contribution, contribution_id)
        assert row is not None
        row.logged_at = NOW  # logged ahead
        row.reach, row.recording_link = 50, "https://youtu.be/r"
    ctx = job_context(db, fake_slack)
    assert run_job(ctx, "talk-followups", at("2026-12-06T10:00:00+00:00")).planned == []


def test_the_outcome_is_saved_audited_and_only_by_its_owner(db: Database) -> None:
    member_id = enrol(db, MEMBER, date(2026, 3, 2))
    enrol(db, OTHER, date(2026, 3, 2), name="Olek Other", github="olek")
    contribution_id = add_contribution(db, member_id, date(2026, 12, 5), type_="talk", title="Talk")
    outcome = Outcome(120, "https://youtu.be/r", None)
    saved = impact.record_outcome(db, MEMBER, contribution_id, outcome, now=NOW)
    assert (saved.title, saved.changed) == ("Talk", ("reach", "recording_link"))
    assert impact.record_outcome(db, MEMBER, contribution_id, outcome, now=NOW).changed == ()
    (event,) = audit(db, "contribution.edited")
    assert event.details["changes"]["reach"] == {"old": None, "new": 120}
    with pytest.raises(OutcomeRejected):
        impact.record_outcome(db, MEMBER, contribution_id, Outcome(None, "not a link", None), now=NOW)
    with pytest.raises(ContributionNotFound):
        impact.own_talk(db, OTHER, contribution_id)
    assert own_contribution(db, MEMBER, contribution_id).impact.reach == 120


def test_editing_changes_what_it_reached_and_a_type_that_no_longer_fits_drops_it(db: Database) -> None:
    enrol(db, MEMBER, date(2026, 3, 2))
    contribution_id = log_contribution(db, MEMBER, talk(date(2026, 11, 20)), TODAY, NOW, 4).contribution_id
    as_article = ContributionDraft(
        "article",
        "AsyncAPI at KubeCon",
        "https://example.org/talk",
        date(2026, 11, 20),
        reach=40,
        impact=KUBECON,
    )
    edited = edit_contribution(db, MEMBER, contribution_id, as_article, TODAY, NOW)
    assert {"type", "reach", "event_name", "city", "slides_link"} <= set(edited.changed)
    row = stored(db, contribution_id)
    assert (row.type, row.reach, row.event_name, row.language) == ("article", 40, None, "English")


def test_figures_by_term_add_up_each_terms_contributions(db: Database) -> None:
    enrol(db, MEMBER, date(2026, 3, 2))
    log_contribution(db, MEMBER, talk(date(2026, 10, 1)), TODAY, NOW, 4)
    log_contribution(
        db,
        MEMBER,
        ContributionDraft("video", "Demo", "https://youtu.be/d", date(2026, 10, 2), reach=1000),
        TODAY,
        NOW,
        4,
    )
    with db.transaction() as session:
        figures = impact.figures_by_term(session, [1, 99])
    assert list(figures) == [1]
    assert (figures[1].audience, figures[1].with_audience, figures[1].recordings) == (1300, 2, 1)


def test_the_website_export_stays_as_the_file_has_it(db: Database) -> None:
    enrol(db, MEMBER, date(2026, 3, 2), github="janedoe")
    log_contribution(db, MEMBER, talk(date(2026, 11, 20)), TODAY, NOW, 4)
    (entry,) = exporting.export_members(db)
    # Type, title, date and link, as the file has them: none of what the contribution reached.
    assert [set(item) for item in entry["contributions"]] == [{"type", "title", "date", "link"}]
    assert "Paris" not in str(entry) and "speakerdeck" not in str(entry)
