"""Commands whose subcommand says they print a secret, whatever the program (the verb
shape: `secrets get`, `get-password`, `print-access-token`, `auth token`), python -m of a
secret store, and one-liners asking the system's secret store; their routine twins
(listing secrets' names, tests named after tokens, help) stay free."""

from __future__ import annotations

import pytest
from policy_support import shell

from aegis_core.models import Action
from aegis_core.policy import default_policy
from aegis_core.policy.secretverbs import verb_shaped_secret
from aegis_core.policy.shell import analyse

POLICY = default_policy()


def _finding(command: str) -> str | None:
    return verb_shaped_secret(analyse(command).segments[-1])


@pytest.mark.parametrize("command", [
    "glab auth token", "tea login token", "doctl auth token", "newcli auth token", "cf oauth-token",
    "hcloud context active-token", "ibmcloud iam oauth-tokens", "newcli secrets get DB_PASSWORD",
    "newcli secret reveal prod", "newcli get-password prod", "newcli print-access-token",
    "netlify api getAccessToken", "newcli token print", "newcli token-create", "newcli generate-token",
    "newcli config get api_key", "aws ecr get-login-password", "newcli iam create-access-key",
    "newcli context show-secret", "terraform output db_password", "make print-secrets", "npm run show-token",
    "gh api user --show-token", "newcli --reveal-secrets", "python -m keyring get svc user",
    "python3 -I -m keyring --get svc user", "py -m credstash get db.password", "python -m gh_token",
])
def test_a_subcommand_shaped_like_printing_a_secret_is_found(command: str) -> None:
    assert _finding(command) is not None


@pytest.mark.parametrize("command", [
    "gh secret list", "gh secret set FOO --body bar", "gh auth status", "aws iam list-access-keys",
    "gcloud secrets list", "docker secret ls", "docker secret inspect db_pass", "kubectl get secrets",
    "python -m tokenize src/app.py", "python -m pytest -k get_password", "pytest -k get_token",
    "cargo test get_password", "go test -run TestGetToken ./...", "grep -rn get_token src/",
    "git checkout feature/token-refresh", "newcli token --help", "python -m keyring --help", "make test-token",
    "npm test -- -t get_token", "echo get-token", "pip show keyring",
])
def test_routine_commands_naming_secrets_are_not(command: str) -> None:
    assert _finding(command) is None


@pytest.mark.parametrize(("code", "found"), [
    ("python3 -c \"import keyring; print(keyring.get_password('s', 'u'))\"", True),
    ("node -e \"require('keytar').getPassword('s','u').then(console.log)\"", True),
    ("python3 -c \"import secretstorage; print(1)\"", True),
    ("python3 -c \"from app.auth import get_password_hash; print(get_password_hash('x'))\"", False),
])
def test_one_liners_asking_the_secret_store(code: str, found: bool) -> None:
    verdict = POLICY.evaluate(shell(code))
    assert (verdict.action is not Action.ALLOW) is found, verdict
