"""Text of access that follows the roster: each change told to the review channel, what to do when a
place cannot be kept or a change is refused, and the differences `ambassador-bot access --dry-run`
shows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.blocks.kit import escape, mention
from bot.rules.access import Action, Difference, Place

SETTING = {
    Place.SLACK_GROUP: "SLACK_AMBASSADORS_GROUP",
    Place.SLACK_CHANNEL: "SLACK_AMBASSADORS_CHANNEL",
    Place.GITHUB_TEAM: "GITHUB_TEAM",
}


def place_label(place: Place, target: str) -> str:
    """The place as the review channel reads it (never a group mention: that would notify everyone)."""
    if place is Place.SLACK_GROUP:
        return (
            f"the user group `{escape(target)}`"
            if target.startswith("S")
            else f"the @{escape(target)} user group"
        )
    if place is Place.SLACK_CHANNEL:
        return f"the private channel <#{target}>"
    return f"the `{escape(target)}` team on GitHub"


def person_label(place: Place, subject: str, name: str | None) -> str:
    if place is Place.GITHUB_TEAM:
        return f"*{escape(name)}* (`{escape(subject)}`)" if name else f"`{escape(subject)}`"
    return mention(subject)


def _why(action: Action, cause: str) -> str:
    daily = cause.startswith("check-")
    if action is Action.ADD:
        return "an ambassador who was missing there (daily check)" if daily else "now an ambassador"
    return "not a current ambassador (daily check)" if daily else "no longer an ambassador"


def change_made(
    place: Place, target: str, action: Action, subject: str, name: str | None, cause: str, detail: str = ""
) -> str:
    verb = "Added" if action is Action.ADD else "Removed"
    where = "to" if action is Action.ADD else "from"
    text = (
        f":busts_in_silhouette: Access: {verb} {person_label(place, subject, name)} {where} "
        f"{place_label(place, target)}: {_why(action, cause)}."
    )
    return f"{text} {detail}" if detail else text


def invited_with_the_team(org: str) -> str:
    return (
        f"They are not in the {escape(org)} organization yet: GitHub e-mailed them an invitation to it, "
        "with the team."
    )


def change_refused(
    place: Place, target: str, action: Action, subject: str, name: str | None, error: str
) -> str:
    verb = "add" if action is Action.ADD else "remove"
    where = "to" if action is Action.ADD else "from"
    why = {
        "user_is_restricted": "a guest account may not join this channel",
        "ura_max_channels": "a single-channel guest is already in their one channel",
        "cant_invite": "Slack does not let this person be invited",
        "user_not_found": "Slack has no such user (deactivated?)",
        "invalid_users": "Slack refused the group's list (a deactivated account in it?)",
        "failed_for_some_users": "Slack refused the group's list (someone is outside the workspace?)",
        "no_permission": "the bot may not invite this person",
        "github_no_such_user": "GitHub has no user by that login (check the handle with them)",
    }.get(error, f"the answer was `{escape(error)}`")
    return (
        f":warning: Access: I could not {verb} {person_label(place, subject, name)} {where} "
        f"{place_label(place, target)}: {why}. Please do it by hand if it should be done."
    )


def gave_up(place: Place, target: str, action: Action, subject: str, name: str | None, error: str) -> str:
    verb = "add" if action is Action.ADD else "remove"
    where = "to" if action is Action.ADD else "from"
    return (
        f":warning: Access: after many tries I could not {verb} {person_label(place, subject, name)} {where} "
        f"{place_label(place, target)} (last answer: {escape(error)}). The daily check will try again."
    )


def _problem_hint(place: Place, target: str, error: str, needed: str) -> str:
    setting = SETTING[place]
    if error in ("paid_teams_only", "plan_upgrade_required"):
        return (
            "Slack user groups need a paid Slack plan, so the group is not kept; everything else "
            f"still is. Empty `{setting}` to stop trying"
        )
    if error == "missing_scope":
        scope = f"the `{escape(needed)}` scope" if needed else "a scope it needs"
        return (
            f"the app lacks {scope}: add it (or recreate the app from `ambassador-bot manifest`) "
            "and reinstall the app to the workspace"
        )
    if error in ("channel_not_found", "not_in_channel"):
        return f"I am not in <#{target}>: invite me there (`/invite @` the bot), or fix `{setting}`"
    if error == "is_archived":
        return f"the channel is archived: unarchive it, or set `{setting}` to another one"
    if error == "no_such_subteam":
        return f"Slack has no user group `{escape(target)}`: create it, or fix `{setting}`"
    if error in ("permission_denied", "no_permission", "access_denied"):
        return (
            "the workspace does not let the bot change this (Workspace settings → Permissions: who may "
            "manage user groups, or remove people from channels)"
        )
    if error == "restricted_action":
        return "the workspace lets only admins remove people from channels: an admin must do it"
    if error == "github_not_found":
        return (
            f"GitHub has no team `{escape(target)}`, or the token cannot see it: check `GITHUB_ORG` and "
            f"`{setting}`"
        )
    if error == "github_forbidden":
        return (
            "GitHub refuses the change: the token needs the organization permission *Members: read and "
            "write* (from an organization owner), and the team must not be synchronized with an "
            "identity provider"
        )
    return f"the answer was `{escape(error)}`"


def place_problem(place: Place, target: str, error: str, needed: str = "") -> str:
    """Said once to the review channel: why a place is not kept, and what to do."""
    return (
        f":warning: Access: I cannot keep {place_label(place, target)} in step with the ambassadors: "
        f"{_problem_hint(place, target, error, needed)}."
    )


def comparison_lines(
    place: Place,
    target: str,
    difference: Difference | None,
    names: Mapping[str, str],
    problem: str | None = None,
    queued: Sequence[tuple[Action, str]] = (),
) -> list[str]:
    """What `access --dry-run` prints for one place: who would be added, removed or kept."""

    def who(subject: str) -> str:
        name = names.get(subject)
        return f"{name} ({subject})" if name else subject

    lines = [f"{SETTING[place]} {target}:"]
    if problem is not None:
        lines.append(f"  ! cannot be read: {problem}")
    if difference is not None:
        if difference.in_step:
            lines.append("  in step with the ambassadors")
        lines += [f"  + would add {who(subject)}" for subject in difference.to_add]
        lines += [f"  - would remove {who(subject)}" for subject in difference.to_remove]
        lines += [
            f"  = keeps {who(subject)} (not an ambassador, never removed)" for subject in difference.kept
        ]
    lines += [
        f"  … queued, not made yet: {'add' if action is Action.ADD else 'remove'} {who(subject)}"
        for action, subject in queued
    ]
    return lines
