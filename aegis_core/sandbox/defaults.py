"""The manifest's built-in lists: what a sandboxed agent may write and what it may not
read when ``policy.toml`` says nothing. ``~`` is the user's home; entries that do not
exist on this machine are skipped when the sandbox is built."""

from __future__ import annotations

# Secrets the default policy knows, plus the stores a script would go for: credential
# files, password managers, browser profiles (their cookies are logins), shell
# histories (pasted tokens). Masked with an empty folder or an empty file inside.
READ_DENY: tuple[str, ...] = (
    "~/.ssh",
    "~/.gnupg",
    "~/.aws",
    "~/.azure",
    "~/.config/gcloud",
    "~/.oci",
    "~/.kube",
    "~/.minikube",
    "~/.docker/config.json",
    "~/.netrc",
    "~/.pypirc",
    "~/.npmrc",
    "~/.yarnrc.yml",
    "~/.gem/credentials",
    "~/.cargo/credentials",
    "~/.cargo/credentials.toml",
    "~/.m2/settings.xml",
    "~/.m2/settings-security.xml",
    "~/.gradle/gradle.properties",
    "~/.nuget/NuGet/NuGet.Config",
    "~/.composer/auth.json",
    "~/.config/composer/auth.json",
    "~/.git-credentials",
    "~/.config/git/credentials",
    "~/.config/gh",
    "~/.config/hub",
    "~/.config/glab-cli",
    "~/.terraform.d/credentials.tfrc.json",
    "~/.vault-token",
    "~/.pgpass",
    "~/.my.cnf",
    "~/.mylogin.cnf",
    "~/.boto",
    "~/.s3cfg",
    "~/.config/rclone",
    "~/.config/doctl",
    "~/.config/op",
    "~/.op",
    "~/.config/Bitwarden CLI",
    "~/.password-store",
    "~/.local/share/keyrings",
    "~/.local/share/kwalletd",
    "~/.mozilla",
    "~/.thunderbird",
    "~/.config/google-chrome",
    "~/.config/chromium",
    "~/.config/BraveSoftware",
    "~/.config/microsoft-edge",
    "~/.config/vivaldi",
    "~/.config/opera",
    "~/snap/firefox",
    "~/snap/chromium",
    "~/.var/app",
    "~/.bash_history",
    "~/.zsh_history",
    "~/.histfile",
    "~/.local/share/fish/fish_history",
    "~/.python_history",
    "~/.psql_history",
    "~/.mysql_history",
    "~/.sqlite_history",
    "~/.node_repl_history",
    "~/.lesshst",
    "~/.viminfo",
    # Sockets of programs that would run anything for whoever connects: a socket on a
    # read-only mount still accepts connections.
    "~/.docker/run",
    "~/.colima",
    "~/.lima",
    "~/.orbstack",
    "~/.rd",
    "~/.vscode-server",
    "~/.cursor-server",
    "~/.emacs.d/server",
)

# Where agents keep their own state: they cannot work without writing it.
AGENT_STATE: tuple[str, ...] = (
    "~/.claude",
    "~/.codex",
    "~/.gemini",
    "~/.cursor",
    "~/.config/github-copilot",
    "~/.copilot",
)

# Caches that builds and package managers write on every run.
CACHES: tuple[str, ...] = (
    "~/.cache",
    "~/.npm",
    "~/.yarn",
    "~/.pnpm-store",
    "~/.local/share/pnpm",
    "~/.bun/install/cache",
    "~/.cargo/registry",
    "~/.cargo/git",
    "~/go/pkg/mod",
    "~/.gradle/caches",
    "~/.m2/repository",
    "~/.nuget/packages",
    "~/.ivy2/cache",
    "~/.sbt/boot",
    "~/.deno",
    "~/.local/share/virtualenvs",
    "~/.local/share/uv",
    "~/.local/state",
)

WRITE: tuple[str, ...] = (*AGENT_STATE, *CACHES)

# Beyond the system directories and the home, nothing of the host is visible unless
# listed in ``fs.read``. These are the system directories, visible read-only.
SYSTEM_READ: tuple[str, ...] = (
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/opt",
    "/snap",
    "/nix",
)

# The agents' own settings inside a project: writable there, they could switch the
# guard off, or add hooks that run the next time an agent starts (also outside Aegis).
# A trailing slash marks a folder: one that does not exist yet is replaced by an empty
# read-only one, so the agent cannot create it either. Git's hooks and config (code
# git runs, also outside the sandbox) are protected wherever the git folder is.
PROTECTED_PROJECT_PATHS: tuple[str, ...] = (
    ".claude/",
    ".codex/",
    ".gemini/",
    ".cursor/",
    ".mcp.json",
    # Editors and IDEs run what these hold when the human opens the folder, outside
    # any sandbox: tasks set to run on open, interpreters, language servers, formatters.
    ".vscode/",  # tasks.json (runOn: folderOpen), settings.json (interpreter, terminal profiles), mcp.json
    ".idea/",  # JetBrains: workspace.xml and runConfigurations/ (run configurations, startup tasks)
    ".zed/",  # Zed: settings.json (language servers' binaries), tasks.json
    ".devcontainer/",  # devcontainer.json's initializeCommand runs on the host
    ".devcontainer.json",
)
# A protected file that does not exist gets a stand-in for the session (standin.py):
# what it holds means the same as no file to the program that reads it.
STAND_IN_CONTENT: dict[str, str] = {".mcp.json": '{"mcpServers": {}}\n', ".devcontainer.json": "{}\n"}
PROTECTED_GIT_PATHS: tuple[str, ...] = ("hooks/", "config")

# Processes: enough for any build, few enough that a fork bomb stops early.
PROCESSES = 4096
