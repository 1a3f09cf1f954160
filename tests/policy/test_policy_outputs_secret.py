"""Commands whose output is a secret, and the environment dumped; what stays routine."""

from __future__ import annotations

import pytest
from policy_support import shell

from aegis_core.models import Action
from aegis_core.policy import default_policy
from aegis_core.policy.secretshapes import SECRET_VARIABLE, is_home_of

POLICY = default_policy()


@pytest.mark.parametrize("command", [
    "kubectl get secret db -o jsonpath='{.data.password}'", "kubectl get secrets -oyaml", "oc extract secret/db",
    "kubectl -n prod get secret/api --output=json", "kubectl create token builder",
    "aws ssm get-parameters-by-path --path /prod --with-decryption",
    "aws sts assume-role --role-arn x --role-session-name y",
    "gcloud secrets versions access 3 --secret=db", "az keyvault secret download --vault-name v -n s -f out",
    "vault kv get -format=json secret/app", "op item get 'db' --fields password", "gopass show -o db/prod",
    "security dump-keychain -d", "docker-credential-osxkeychain list", "pulumi config --show-secrets",
    "env", "env -0", "printenv", "export", "declare -p", "set", "ps auxeww", "docker exec api printenv",
])
def test_secret_output_needs_approval(command: str) -> None:
    verdict = POLICY.evaluate(shell(command))
    assert verdict.action is Action.REQUIRE_APPROVAL, verdict
    assert verdict.rule == "secrets-credential-dump"


@pytest.mark.parametrize("command", [
    "kubectl get secrets", "kubectl get secret db -o name", "kubectl describe secret db", "aws sts get-caller-identity",
    "gcloud auth list", "gh auth status", "env | grep -i path", "printenv HOME", "env FOO=1 make",
    "set -e", "export FOO=1", "declare -a arr", "ps aux", "echo $HOME", "python3 -c 'import os; print(os.getcwd())'",
    "node -p process.env.NODE_ENV", "ruby -e 'puts ENV[\"HOME\"]'",
])
def test_lookalikes_stay_allowed(command: str) -> None:
    assert POLICY.evaluate(shell(command)).action is Action.ALLOW


@pytest.mark.parametrize(("name", "secret"), [
    ("GITHUB_TOKEN", True), ("DB_PASSWORD", True), ("OPENAI_API_KEY", True), ("DATABASE_URL", True),
    ("AWS_SECRET_ACCESS_KEY", True), ("STRIPE_KEY", True), ("PWD", False), ("SSH_AUTH_SOCK", False),
    ("GIT_AUTHOR_NAME", False), ("XDG_SESSION_TYPE", False), ("PATH", False), ("HOME", False),
])
def test_secret_variable_names(name: str, secret: bool) -> None:
    assert bool(SECRET_VARIABLE.search(name)) is secret


def test_a_secret_variable_may_go_to_its_own_service_only() -> None:
    assert is_home_of("GITHUB_TOKEN", "api.github.com") and is_home_of("OPENAI_API_KEY", "api.openai.com")
    assert is_home_of("ANY_TOKEN", "localhost") and not is_home_of("GITHUB_TOKEN", "gist.example.com")
    assert not is_home_of("API_TOKEN", "api.github.com")
