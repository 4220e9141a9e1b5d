"""The GitHub stand-in's organization teams: members and maintainers, invitations not accepted yet,
and GitHub's refusals (a token without the permission, a team synchronized with an identity provider)."""

from __future__ import annotations

from typing import Any

from bot.sandbox.github_repository import GitHubHTTPError, GitHubRepository, invalid, not_found
from bot.sandbox.github_shapes import Team


class GitHubTeams(GitHubRepository):
    """The repository's organization, with its teams (`teams`, by slug)."""

    def add_team(self, slug: str, members: dict[str, str] | None = None, **options: Any) -> Team:
        team = Team(slug, {login.lower(): role for login, role in (members or {}).items()}, **options)
        self.teams[slug] = team
        return team

    def _team(self, org: str, slug: str) -> Team:
        # Organization names are not case sensitive; an unknown (or invisible) team is 404.
        if org.lower() != self.org.lower() or slug not in self.teams:
            raise not_found()
        return self.teams[slug]

    def _team_membership(self, team: Team, login: str) -> dict[str, Any]:
        login = login.lower()
        active = login in team.members
        return {
            "url": self._api(f"/orgs/{self.org}/teams/{team.slug}/memberships/{login}"),
            "role": team.members.get(login, "member"),
            "state": "active" if active else "pending",
        }

    def _page(self, query: dict[str, str], items: list[Any]) -> list[Any]:
        try:
            per_page = min(100, int(query.get("per_page", 30)))
            page = int(query.get("page", 1))
        except ValueError:
            raise invalid("per_page", "Pagination", "invalid") from None
        return items[(page - 1) * per_page : page * per_page]

    def _team_members(self, query: dict[str, str], body: Any, org: str, slug: str) -> tuple[int, Any]:
        team = self._team(org, slug)
        role = query.get("role", "all")
        if role not in ("all", "member", "maintainer"):
            raise invalid("role", "TeamMember", "invalid")
        logins = sorted(login for login, its in team.members.items() if role in ("all", its))
        return 200, self._page(query, [self._user(login) for login in logins])

    def _team_invitations(self, query: dict[str, str], body: Any, org: str, slug: str) -> tuple[int, Any]:
        team = self._team(org, slug)
        invitations = [
            {
                "id": 5000 + number,
                "login": login,
                "email": None,
                "role": "direct_member",
                "created_at": "2026-03-15T12:00:00Z",
                "failed_at": None,
                "failed_reason": None,
                "inviter": self._user("maintainer"),
                "team_count": 1,
                "node_id": f"OI_{5000 + number}",
                "invitation_teams_url": self._api(f"/organizations/1/invitations/{5000 + number}/teams"),
                "invitation_source": "member",
            }
            for number, login in enumerate(sorted(team.pending))
        ]
        return 200, self._page(query, invitations)

    def _get_team_membership(
        self, query: dict[str, str], body: Any, org: str, slug: str, login: str
    ) -> tuple[int, Any]:
        team = self._team(org, slug)
        if login.lower() not in team.members and login.lower() not in team.pending:
            raise not_found()  # "if user has no team membership"
        return 200, self._team_membership(team, login)

    def _check_team_write(self, team: Team) -> None:
        if not self.can_invite:
            raise GitHubHTTPError(403, "Resource not accessible by personal access token")
        if team.synced:
            raise GitHubHTTPError(403, "This team is synchronized with an identity provider")

    def _set_team_membership(
        self, query: dict[str, str], body: Any, org: str, slug: str, login: str
    ) -> tuple[int, Any]:
        team = self._team(org, slug)
        self._check_team_write(team)
        role = body.get("role", "member")
        if role not in ("member", "maintainer"):
            raise invalid("role", "TeamMembership", "invalid")
        login = login.lower()
        if login not in {user.lower() for user in self.users} | set(self.memberships):
            raise not_found()
        if self.memberships.get(login) == "active":
            team.members[login] = role
            team.pending.discard(login)
        else:
            # Not in the organization yet: GitHub e-mails an invitation to it, with the team.
            self.memberships.setdefault(login, "pending")
            team.pending.add(login)
        return 200, self._team_membership(team, login)

    def _remove_team_membership(
        self, query: dict[str, str], body: Any, org: str, slug: str, login: str
    ) -> tuple[int, Any]:
        team = self._team(org, slug)
        self._check_team_write(team)
        login = login.lower()
        if login not in team.members and login not in team.pending:
            raise not_found()
        team.members.pop(login, None)
        team.pending.discard(login)
        return 204, None
