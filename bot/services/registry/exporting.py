"""The registry out to the website's files: current ambassadors as AMBASSADORS_MEMBERS.json writes
them, former ones as Emeritus.yaml lists them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from bot.services.registry.file_format import PROFILE_FIELDS, EmeritusList, contribution_entry, member_entry
from bot.store.constants import COUNTED_OUT
from bot.store.db import Database
from bot.store.models import Contribution, Member, MemberStatus


def _entry(member: Member, contributions: Sequence[Contribution]) -> dict[str, Any]:
    profile = {attribute: getattr(member, attribute) for attribute in PROFILE_FIELDS.values()}
    entries = (
        contribution_entry(
            contribution.type, contribution.title, contribution.year, contribution.month, contribution.link
        )
        for contribution in contributions
    )
    return member_entry(profile, entries, member.file_keys or ())


def export_members(db: Database) -> list[dict[str, Any]]:
    """Current ambassadors in the website's shape, in registry order, contributions in logged order."""
    with db.read_only() as session:
        members = session.scalars(
            select(Member).where(Member.status == MemberStatus.ACTIVE).order_by(Member.id)
        ).all()
        contributions: dict[int, list[Contribution]] = {}
        for contribution in session.scalars(
            select(Contribution)
            .join(Member, Member.id == Contribution.member_id)
            # A contribution the TSC's review said does not count is not on the public list.
            .where(Member.status == MemberStatus.ACTIVE, ~COUNTED_OUT)
            .order_by(Contribution.member_id, Contribution.id)
        ):
            contributions.setdefault(contribution.member_id, []).append(contribution)
        return [_entry(member, contributions.get(member.id, [])) for member in members]


def export_emeritus(db: Database) -> EmeritusList:
    """Former ambassadors' GitHub handles, in the order they became emeritus (as Emeritus.yaml lists them)."""
    with db.read_only() as session:
        members = session.scalars(
            select(Member)
            .where(Member.status == MemberStatus.EMERITUS)
            .order_by(Member.status_changed_at.is_(None).desc(), Member.status_changed_at, Member.id)
        ).all()
        seen: set[str] = set()
        ordered: list[str] = []
        for member in members:
            if member.github and member.github.lower() not in seen:
                seen.add(member.github.lower())
                ordered.append(member.github)
        return EmeritusList(
            github_handles=tuple(ordered),
            without_github=tuple(member.name for member in members if not member.github),
        )
