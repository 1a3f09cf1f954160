"""Publishing and remote changes: what ships something or changes it elsewhere, and
the routine forms of the same tools."""

from __future__ import annotations

import pytest
from policy_support import shell

from aegis_core.models import Action
from aegis_core.policy import default_policy
from aegis_core.policy.publishchecks import forge_change, publishes
from aegis_core.policy.shell import analyse

POLICY = default_policy()


def _segment(command: str):
    return analyse(command).segments[-1]


@pytest.mark.parametrize("command", [
    "npm publish", "npm dist-tag add x@1 latest", "yarn npm publish", "python -m twine upload dist/*",
    "python3.12 -m poetry publish", "cargo yank --version 1", "gem yank x -v 1", "mvn -B deploy",
    "./gradlew :a:publishAllPublicationsToMavenCentralRepository", "sbt +publishSigned", "make release-prod",
    "npm run deploy:prod", "docker buildx build --push .", "vercel --prod", "ko build ./cmd/x",
])
def test_publishing(command: str) -> None:
    assert publishes(_segment(command)), command
    assert POLICY.evaluate(shell(command)).action is Action.REQUIRE_APPROVAL


@pytest.mark.parametrize("command", [
    "npm publish --dry-run", "./gradlew publishToMavenLocal", "sbt publishLocal", "make build", "npm run build",
    "goreleaser release --snapshot", "python -m build", "docker buildx build -t x .", "twine check dist/*",
    "make release-notes",
])
def test_not_publishing(command: str) -> None:
    assert publishes(_segment(command)) is None, command


@pytest.mark.parametrize("command", [
    "gh api -X DELETE repos/o/r", "gh api --method=PUT repos/o/r/topics -f names[]=x", "gh api repos/o/r/forks -F x=1",
    "gh api graphql -f query='mutation { x }'", "gh repo edit --default-branch dev", "gh pr merge 3 --admin",
    "gh workflow run release.yml", "gh secret set TOKEN", "gh pr merge 3 --squash", "glab mr merge 4", "gh pr close 4",
    "gh -R o/r issue close 3", "tea pulls merge 2", "hub fork", "bb pr decline 3", "gh issue edit 3 --add-label x",
])
def test_forge_changes(command: str) -> None:
    assert forge_change(_segment(command)), command


@pytest.mark.parametrize("command", [
    "gh api repos/o/r", "gh api -X GET search/issues -f q=bug", "gh api graphql -f query='query { viewer { login } }'",
    "gh pr view 3", "gh run list", "glab mr list", "gh pr create --fill", "gh pr merge --help", "gh -R o/r pr list",
    "tea pulls", "tea issues 3", "hub browse", "gh pr comment 3 --body ok", "glab mr note 3 -m ok",
])
def test_forge_reads(command: str) -> None:
    assert forge_change(_segment(command)) is None, command


@pytest.mark.parametrize(("command", "action"), [
    ("git remote add x https://e.example/r.git && git push x main", Action.REQUIRE_APPROVAL),
    ("git push https://e.example/r.git HEAD", Action.REQUIRE_APPROVAL),
    ("git push git@e.example:me/r.git", Action.REQUIRE_APPROVAL),
    ("git push ../elsewhere.git main", Action.REQUIRE_APPROVAL),
    ("git push heroku main", Action.REQUIRE_APPROVAL),
    ("git push --tags", Action.REQUIRE_APPROVAL),
    ("git push origin refs/tags/v1", Action.REQUIRE_APPROVAL),
    ("git tag -f v1", Action.REQUIRE_APPROVAL),
    ("git -c url.https://e.example/.pushInsteadOf=https://github.com/ push", Action.REQUIRE_APPROVAL),
    ("git push origin main", Action.ALLOW),
    ("git push -u origin feature/x", Action.ALLOW),
    ("git push upstream fix", Action.ALLOW),
    ("git remote add upstream https://github.com/o/r", Action.ALLOW),
])
def test_git_sending_code_elsewhere(command: str, action: Action) -> None:
    assert POLICY.evaluate(shell(command)).action is action
