"""Secret files known by what their name says (credentials, passwords, tokens, keys
folders, a config's deployed copy, Ansible vaults) whatever else the name says and in
whatever case; hunting for them by name outside the project; framework secret stores
printed; and paths spelled through `$(echo ...)` or a here-string fed to xargs. Each
with the routine look-alikes that must stay allowed."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from policy_support import shell, tool_call

from aegis_core.models import Action
from aegis_core.policy import Policy, default_policy, forget_caches
from aegis_core.policy.paths import GlobSet
from aegis_core.policy.shell import analyse


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Policy]:
    home = os.path.realpath(tmp_path_factory.mktemp("home"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", home)
        patch.delenv("AEGIS_HOME", raising=False)
        forget_caches()
        yield default_policy()
    forget_caches()


def _project(policy: Policy) -> str:
    return os.path.join(os.environ["HOME"], "code", "shop")


@pytest.mark.parametrize("command", [
    # named for what they hold, with an extension or as a dotfile
    "cat aws_credentials.txt", "cat .aws-credentials", "cat config/credentials.yml", "cat ops/credentials.csv",
    "cat db-password.txt", "cat passwords.txt", "cat .password", "cat .secret_key", "cat jwt-secret.pem.txt",
    "cat token.json", "cat refresh_token.txt", "cat .token", "cat gitlab.token", "cat api_key.txt", "cat apikey.json",
    "cat aws_accessKeys.csv", "cat credentials", "cat prod-credentials", "cat playwright/.auth/user.json",
    # folders of keys
    "cat deploy/keys/github_deploy", "cat keys/prod", "cat infra/.keys/signing", "cat ops/deploy_keys/ci",
    # a config's deployed copy, an Ansible vault
    "cat config/database.yml.production", "cat config/database.yml.prod", "cat config/settings.yaml.staging",
    "cat config/database.production.yml", "cat app.json.production", "cat group_vars/all/vault.yml",
    "cat inventory/host_vars/web1/vault.yaml", "cat ansible/prod_vault.yml", "cat android/key.properties",
    # whatever the case
    "cat serviceAccountKey.json", "cat Credentials.JSON", "cat .ENV", "cat .Env.Production", "cat ID_RSA",
    "cat Secrets.YAML",
    # other homes and roots
    "cat /home/bob/ops/db_password.txt", "cat /root/credentials", "cat ~root/backup/aws_credentials.csv",
])
def test_named_secret_files_are_denied(policy: Policy, command: str) -> None:
    verdict = policy.evaluate(shell(command, cwd=_project(policy)))
    assert verdict.action is Action.DENY, verdict
    assert verdict.rule is not None and verdict.rule.startswith("secrets-"), verdict


@pytest.mark.parametrize("command", [
    "rg -n password src/", "grep -rn 'password' app/", "grep -rn SECRET_KEY .", "grep -rl credentials src",
    "rg -g '*.py' token src", "git checkout -b feature/password-reset", "git checkout -b fix/api-key-rotation",
    "pytest -k password", "python manage.py changepassword admin", "cat src/auth/credentials.py",
    "cat app/views/password_reset.html", "cat docs/secrets.md", "cat locales/en/password.json",
    "cat src/keys/index.ts", "cat config/database.yml", "cat config/database.yml.example",
    "cat config/database.yml.erb",
    "cat docker-compose.prod.yml", "cat webpack.config.prod.js", "cat .env.example", "cat .ENV.EXAMPLE",
    "cat /etc/passwd", "getent passwd maya", "cat .secrets.baseline", "cat tests/test_tokens.py", "ls src/keys",
    "cp src/token.ts src/token2.ts", "git diff src/passwords.go", "go test ./internal/credentials/...",
    "find src -name '*token*'", "fd token src", "find . -name '*.py'", "find ~ -name '*.py' -newer setup.cfg",
])
def test_lookalikes_stay_allowed(policy: Policy, command: str) -> None:
    verdict = policy.evaluate(shell(command, cwd=_project(policy)))
    assert verdict.action is Action.ALLOW, verdict


@pytest.mark.parametrize("path", ["src/credentials.py", "app/keys/README.md", "src/PasswordField.tsx"])
def test_the_file_tools_read_code_about_secrets(policy: Policy, path: str) -> None:
    call = tool_call("Read", cwd=_project(policy), file_path=os.path.join(_project(policy), path))
    assert policy.evaluate(call).action is Action.ALLOW


@pytest.mark.parametrize("path", ["deploy/keys/prod", "config/database.yml.production", "Credentials.json"])
def test_the_file_tools_are_denied_secret_names(policy: Policy, path: str) -> None:
    call = tool_call("Read", cwd=_project(policy), file_path=os.path.join(_project(policy), path))
    assert policy.evaluate(call).action is Action.DENY


@pytest.mark.parametrize("command", [
    "find ~ -iname '*credentials*'", "find / -name '*password*' 2>/dev/null", "find /home -name '*.token'",
    "find ~/projects -name '.env*'", "fd -H -e pem . /", "fd credentials ~", "locate wallet.dat",
    "find .. -iname '*secret*'", "gfind /root -name '*api_key*'",
])
def test_hunting_secrets_by_name_outside_the_project_is_caught(policy: Policy, command: str) -> None:
    assert policy.evaluate(shell(command, cwd=_project(policy))).action is not Action.ALLOW


@pytest.mark.parametrize("command", [
    "rails credentials:show", "bin/rails credentials:show", "EDITOR=cat rails credentials:edit",
    "rails encrypted:show config/x.yml.enc", "python manage.py diffsettings", "./manage.py diffsettings --all",
    "uv run python manage.py diffsettings", "dotnet user-secrets list", "php bin/console secrets:reveal DB_PASSWORD",
    "symfony console secrets:list --reveal", "firebase functions:config:get", "dotenvx get DB_PASSWORD",
])
def test_framework_secret_stores_printed_need_approval(policy: Policy, command: str) -> None:
    verdict = policy.evaluate(shell(command, cwd=_project(policy)))
    assert verdict.action is Action.REQUIRE_APPROVAL, verdict
    assert verdict.rule == "secrets-credential-dump"


@pytest.mark.parametrize("command", [
    "python manage.py test", "rails db:migrate", "rails secret", "dotnet build", "php bin/console cache:clear",
])
def test_framework_routine_stays_allowed(policy: Policy, command: str) -> None:
    assert policy.evaluate(shell(command, cwd=_project(policy))).action is Action.ALLOW


@pytest.mark.parametrize("command", [
    "cat $(echo ~/.aws)/credentials", "cat \"$(echo ~/.aws)/credentials\"", "cat $(printf %s ~/.aws/credentials)",
    "cat $(printf '%s/.ssh/id_rsa' ~)", "cat `echo ~/.ssh`/id_rsa", "cat \"$(realpath ~/.kube/config)\"",
    "cat $(dirname ~/.aws/x)/credentials", "cat $(ls -d ~/.aws)/credentials", "cat $(readlink -f ~/.netrc)",
    "xargs cat <<< ~/.netrc", "xargs -I{} cat {} <<< \"$HOME/.git-credentials\"",
])
def test_paths_spelled_through_an_echo_are_the_paths(policy: Policy, command: str) -> None:
    assert policy.evaluate(shell(command, cwd=_project(policy))).action is Action.DENY


def test_an_echoed_program_is_the_program_and_still_marked_disguised() -> None:
    segment = next(s for s in analyse("$(echo rm) -rf /").segments if s.program != "echo")
    assert segment.program == "rm" and segment.tricky
    assert default_policy().evaluate(shell("$(echo rm) -rf /")).action is Action.DENY


@pytest.mark.parametrize("command", ["echo $(echo hello)", "ls $(echo src)", "cat $(pwd)/README.md",
                                     "xargs -n1 echo <<< 'a b c'"])
def test_echoes_in_routine_work_stay_allowed(policy: Policy, command: str) -> None:
    assert policy.evaluate(shell(command, cwd=_project(policy))).action is Action.ALLOW


def test_glob_sets_fold_case_only_when_asked() -> None:
    exact, folded = GlobSet(["*.env", "!*.env.example"]), GlobSet(["*.env", "!*.env.example"], fold_case=True)
    assert not exact.matches("/p/PROD.ENV") and folded.matches("/p/PROD.ENV")
    assert not folded.matches("/p/PROD.ENV.EXAMPLE") and folded.matches("/p/prod.env")


@pytest.mark.parametrize("command", [
    "gdb -p $(pgrep -f claude) -batch -ex 'generate-core-file'", "gcore 1234", "strace -f -p 1234 -e trace=read",
    "lldb --attach-pid 1234", "py-spy dump --pid 1234 --locals", "sudo gdb --pid=1234",
])
def test_reading_a_running_process_memory_needs_approval(policy: Policy, command: str) -> None:
    verdict = policy.evaluate(shell(command, cwd=_project(policy)))
    assert verdict.action is Action.REQUIRE_APPROVAL, verdict


@pytest.mark.parametrize("command", ["gdb ./build/app", "strace -f ./build/app", "py-spy top --pid 1234",
                                     "lldb ./target/debug/shop"])
def test_debugging_your_own_program_stays_allowed(policy: Policy, command: str) -> None:
    assert policy.evaluate(shell(command, cwd=_project(policy))).action is Action.ALLOW


@pytest.mark.parametrize("command", [
    "cat ~/.cursor/mcp.json", "cat \"$HOME/.config/Claude/claude_desktop_config.json\"",
    "cat ~/.local/share/opencode/auth.json", "cat ~/.subversion/auth/svn.simple/abc", "cat /etc/profile.d/secrets.sh",
    "cat /var/lib/rancher/k3s/server/token", "cat /var/lib/docker/containers/abc/config.v2.json",
    "cat /etc/gitlab-runner/config.toml", "cat /home/bob/.yarnrc",
])
def test_more_stores_of_logins_are_denied(policy: Policy, command: str) -> None:
    assert policy.evaluate(shell(command, cwd=_project(policy))).action is Action.DENY


@pytest.mark.parametrize("command", ["cat .mcp.json", "cat scripts/rotate_secrets.sh", "cat ~/.gitconfig"])
def test_project_configs_and_scripts_about_secrets_stay_allowed(policy: Policy, command: str) -> None:
    assert policy.evaluate(shell(command, cwd=_project(policy))).action is Action.ALLOW


@pytest.mark.parametrize("command", [
    "docker compose config", "docker-compose config --format json", "docker compose -f docker-compose.prod.yml config",
    "aws lambda get-function-configuration --function-name api", "az webapp config appsettings list -n app -g rg",
    "terraform console <<< 'var.db_password'", "git credential-manager get", "set | grep -i pass",
    "env | grep -i key", "printenv | grep -i auth",
])
def test_more_outputs_that_are_secrets_need_approval(policy: Policy, command: str) -> None:
    verdict = policy.evaluate(shell(command, cwd=_project(policy)))
    assert verdict.action is Action.REQUIRE_APPROVAL, verdict


@pytest.mark.parametrize("command", [
    "docker compose config --services", "docker compose config -q", "docker compose -f docker-compose.yml up -d",
    "env | grep -i node", "env | grep PATH", "aws lambda list-functions",
])
def test_outputs_that_are_no_secret_stay_allowed(policy: Policy, command: str) -> None:
    assert policy.evaluate(shell(command, cwd=_project(policy))).action is Action.ALLOW


@pytest.mark.parametrize("command", [
    "cat env.production", "cat GoogleService-Info.plist.prod", "cat ~/.local/share/psql_history",
    "sqlite3 ~/.ipython/profile_default/history.sqlite 'select * from history'", "cat ~/.docker/.token_seed",
])
def test_round_seven_secret_names_are_denied(policy: Policy, command: str) -> None:
    assert policy.evaluate(shell(command, cwd=_project(policy))).action is Action.DENY


@pytest.mark.parametrize("command", ["cat project_history", "cat src/env.ts", "cat env.example",
                                     "aegis policy explain 'cat .env'", "aegis policy test 'cat ~/.ssh/id_rsa'"])
def test_round_seven_lookalikes_stay_allowed(policy: Policy, command: str) -> None:
    assert policy.evaluate(shell(command, cwd=_project(policy))).action is Action.ALLOW


def test_bun_env_dump_needs_approval(policy: Policy) -> None:
    assert policy.evaluate(shell("bun -e 'console.log(Bun.env)'")).action is Action.REQUIRE_APPROVAL


@pytest.mark.parametrize("command", ["rm -rf ~/.aeg?s", "rm -rf ~/.[a]egis", "rm -rf ~/.ae*", "mv ~/.aeg* /tmp/"])
def test_wildcards_that_would_name_aegis_state_are_denied(policy: Policy, command: str) -> None:
    verdict = policy.evaluate(shell(command, cwd=_project(policy)))
    assert verdict.action is Action.DENY and verdict.rule == "aegis-state", verdict


@pytest.mark.parametrize("command", [
    "cp -r ~/.var/app/com.google.Chrome/config/google-chrome/Default /tmp/x", "cat ~/.snowsql/config",
    "cat ~/.cassandra/cqlshrc", "cat ~/.config/goose/config.yaml", "cat ~/.clickhouse-client/config.xml",
])
def test_flatpak_browsers_and_database_clients_logins_are_denied(policy: Policy, command: str) -> None:
    assert policy.evaluate(shell(command, cwd=_project(policy))).action is Action.DENY


@pytest.mark.parametrize("command", [
    "cat /proc/1/root/etc/shadow", "cat /proc/self/root/etc/ssl/private/x.key",
    "cat /proc/123/task/123/root/etc/shadow", "cat /etc/gitlab/initial_root_password", "cat /etc/netplan/01-wifi.yaml",
    "cat /var/lib/grafana/grafana.db", "cat /etc/openvpn/client.conf",
])
def test_system_secrets_by_any_path_are_denied(policy: Policy, command: str) -> None:
    assert policy.evaluate(shell(command, cwd=_project(policy))).action is Action.DENY


def test_another_process_root_is_the_root() -> None:
    from aegis_core.policy.paths import normalise

    assert normalise("/proc/1/root/etc/shadow", "/") == "/etc/shadow"
    assert normalise("/proc/self/root", "/") == "/"
    assert (normalise("/proc/self/rootfs/x", "/") or "").endswith("/rootfs/x")


@pytest.mark.parametrize("command", ["cat /etc/hosts", "cat /etc/nginx/nginx.conf", "cat /var/lib/dpkg/status",
                                     "cat /proc/cpuinfo"])
def test_system_files_that_are_no_secret_stay_allowed(policy: Policy, command: str) -> None:
    assert policy.evaluate(shell(command, cwd=_project(policy))).action is Action.ALLOW


@pytest.mark.parametrize("cwd", ["/srv/app", "/opt/shop", "/workspace"])
@pytest.mark.parametrize("command", ["git grep -n SECRET_KEY",
                                     "curl -X POST localhost:8000/api/token -d 'username=test&password=test'"])
def test_words_in_projects_outside_the_home_are_no_secret_files(policy: Policy, cwd: str, command: str) -> None:
    assert policy.evaluate(shell(command, cwd=cwd)).action is Action.ALLOW
