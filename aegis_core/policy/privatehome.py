"""A home's private folders: where tools keep their settings, logins, wallets and
histories (``~/.config``, ``~/.local/share``, ``~/.electrum``, ``~/Library/Application
Support``...), in your home or anyone's.

Lists of credential stores always miss the next tool, so the rule is structural: a read
of a file inside a hidden folder of a home, outside the project, needs the user's
approval, unless the folder is one that agents read routinely: library sources and
toolchains (``~/.cargo/registry/src``, ``~/.rustup/toolchains``, ``~/.m2/repository``,
site-packages, ``~/.nvm/versions``), build and package caches, editors' and shells' own
configuration.

The same holds for the dotfiles in a home's top folder (``~/.pgpass``, ``~/.s3cfg``,
``~/.lftprc``, ``~/.<tool>-token``): every tool names its credential file as it likes,
and the rc shape is as common among them (``.netrc``, ``.npmrc``, ``.transifexrc``) as
among shells, so no pattern of names tells a secret apart. The side taken is the other
one: the few kinds of dotfile agents read routinely are known by purpose (shells'
startup files, git's and editors' settings, version pins, linters' and REPLs' settings,
none of which is where a tool stores a login) and read freely; any other dotfile there
asks once. A prompt for an unusual dotfile costs a click; a missed one leaks a login.

Every reader is judged alike: Read and Grep, and the shell's readers (cat, jq, cp,
tar...), because all of them put their paths in ``Subject.reads``. Names only (Glob, ls,
find) show no content and stay allowed by their own rule.

The check is cheap: a prefix comparison per path read, a dictionary lookup of the first
folder below the home, and for a dotfile there one match of its name."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from aegis_core.policy.paths import is_within

if TYPE_CHECKING:
    from collections.abc import Callable

    from aegis_core.policy.checks import CheckFn
    from aegis_core.policy.facts import Subject

# Folders below a home that are read routinely, by their path relative to the home.
# Keyed by the first component, so a path costs one dictionary lookup and a few
# startswith; "" admits the whole folder.
_ROUTINE: dict[str, tuple[str, ...]] = {
    # language toolchains and the library sources they fetched
    ".cargo": ("registry/src/", "registry/index/", "git/checkouts/", "env", "bin/", "config.toml", "config"),
    ".rustup": ("toolchains/", "settings.toml"),
    ".m2": ("repository/",),
    ".gradle": ("caches/", "wrapper/", "native/"),
    ".ivy2": ("cache/", "local/"),
    ".sbt": ("boot/",),
    ".konan": ("",),
    ".pyenv": ("versions/", "plugins/", "libexec/"),
    ".virtualenvs": ("",),
    ".conda": ("envs/", "pkgs/"),
    ".nvm": ("",),
    ".volta": ("tools/",),
    ".bun": ("install/global/", "install/cache/", "bin/"),
    ".deno": ("",),
    ".pnpm-store": ("",),
    ".rbenv": ("versions/", "plugins/"),
    ".rvm": ("gems/", "rubies/", "src/"),
    ".gem": ("ruby/", "specs/"),
    ".ghcup": ("",),
    ".cabal": ("packages/", "store/"),
    ".stack": ("programs/", "snapshots/", "indices/"),
    ".mix": ("",),
    ".hex": ("packages/",),
    ".opam": ("",),
    ".julia": ("packages/", "artifacts/", "juliaup/"),
    ".nuget": ("packages/",),
    ".dotnet": ("",),
    ".sdkman": ("candidates/",),
    ".jenv": ("versions/",),
    ".asdf": ("installs/", "plugins/", "shims/"),
    ".goenv": ("versions/",),
    ".gvm": ("gos/", "pkgsets/"),
    ".elan": ("toolchains/",),
    ".pub-cache": ("hosted/", "git/"),
    ".swiftpm": ("",),
    ".terraform.d": ("plugins/", "plugin-cache/"),
    ".tfenv": ("",),
    ".platformio": ("packages/", "platforms/"),
    ".arduino15": ("packages/",),
    ".espressif": ("",),
    ".npm": ("_logs/", "_npx/", "_cacache/"),
    ".yarn": ("berry/cache/",),
    ".local": ("lib/", "bin/", "include/", "share/virtualenvs/", "share/pnpm/", "share/uv/python/",
               "share/uv/tools/", "share/pipx/", "pipx/", "share/nvim/lazy/", "share/nvim/site/", "share/nvim/mason/",
               "share/mise/installs/",
               "share/rtx/installs/", "share/fnm/", "share/man/", "share/applications/", "share/fonts/",
               "share/jupyter/", "share/gem/ruby/", "share/hatch/", "share/pdm/", "share/go/", "share/JetBrains/"),
    ".cache": ("pip/", "pypoetry/", "uv/", "go-build/", "pre-commit/", "huggingface/hub/", "huggingface/datasets/",
               "torch/", "ms-playwright/", "bazel/", "node-gyp/", "deno/", "typescript/", "mypy/", "ruff/", "jedi/",
               "pdm/", "hatch/", "black/", "golangci-lint/", "coursier/", "yarn/", "pnpm/", "bun/", "zig/",
               "ccache/", "sccache/", "vcpkg/", "cabal/", "nix/", "pylint/", "pyright/", "clangd/", "electron/",
               "Cypress/", "puppeteer/", "selenium/", "matplotlib/", "fontconfig/", "tree-sitter/", "nvim/",
               "JetBrains/", "pip-tools/", "poetry/", "prisma/", "node/", "buf/", "bazelisk/", "gradle/",
               "composer/files/", "composer/repo/"),
    # editors' and shells' own configuration, plugins and extensions
    ".vim": ("",),
    ".emacs.d": ("init.el", "early-init.el", "config.org", "lisp/", "elpa/", "straight/", "modules/"),
    ".dotfiles": ("",),  # the user's own configuration, kept as a repository
    ".doom.d": ("",),
    ".oh-my-zsh": ("",),
    ".tmux": ("plugins/",),
    ".vscode": ("extensions/", "argv.json"),
    ".vscode-server": ("extensions/", "bin/"),
    ".vscode-oss": ("extensions/",),
    ".cursor": ("extensions/",),
    ".windsurf": ("extensions/",),
    ".ssh": ("config", "known_hosts"),  # keys have their own rule; *.pub below
    ".config": ("nvim/", "fish/functions/", "fish/config.fish", "fish/conf.d/", "fish/completions/",
                "starship.toml", "git/config", "git/ignore", "git/attributes", "helix/", "alacritty/", "kitty/",
                "wezterm/", "tmux/", "zellij/", "ghostty/", "zed/settings.json", "zed/keymap.json",
                "Code/User/settings.json", "Code/User/keybindings.json", "Code/User/snippets/",
                "Cursor/User/settings.json", "Cursor/User/keybindings.json", "VSCodium/User/settings.json",
                "ruff/", "yamllint/", "flake8", "pycodestyle", "black", "yapf/", "pylintrc", "mypy/", "htop/",
                "bat/", "lazygit/config.yml", "fontconfig/", "i3/", "sway/", "hypr/", "waybar/", "rofi/",
                "nix/nix.conf", "direnv/direnvrc", "direnv/lib/", "powershell/", "clangd/", "gdb/",
                "pypoetry/config.toml", "mise/config.toml", "rtx/config.toml", "yarn/global/", "micro/",
                "Code/User/globalStorage/storage.json"),
    # the agents' own instructions, commands and skills (their logins and settings stay out)
    ".claude": ("CLAUDE.md", "commands/", "agents/", "skills/", "plugins/", "output-styles/"),
    ".codex": ("AGENTS.md", "prompts/"),
    ".gemini": ("GEMINI.md", "commands/", "extensions/"),
}
_MAC_PRIVATE = ("Library/Application Support/", "Library/Containers/", "Library/Group Containers/",
                "Library/Preferences/", "Library/Keychains/", "Library/Cookies/", "Library/Mail/",
                "Library/Messages/", "Library/Safari/", "Library/Accounts/", "Library/Mobile Documents/")
_HOMES = ("/home/", "/Users/", "/var/home/")


def _below_home(path: str, home: str) -> str | None:
    """``path`` relative to the home it lies in (yours, anyone's under /home, /Users,
    /var/home, or /root), or None when it lies in no home."""
    if home not in ("", "/") and path.startswith(home + "/"):
        return path[len(home) + 1:]
    if path.startswith("/root/"):
        return path[6:]
    for homes in _HOMES:
        if path.startswith(homes):
            _user, slash, rest = path[len(homes):].partition("/")
            return rest if slash else None
    return None


# Dotfiles in a home's top folder that agents read routinely, by purpose; none is where a
# tool keeps a login (git's is .git-credentials, psql's .pgpass, curl's and wget's rc
# files take passwords and are not here). Anything else there is asked.
_ROUTINE_DOTFILE = re.compile(
    # shells' startup files and line editing
    r"\.(?:(?:ba|z|k|c|tc|mk|fi|da|y)?sh(?:rc|env|_profile|_login|_logout|_aliases|_functions)|profile|login"
    r"|logout|zprofile|zlogin|zlogout|zshenv|zpreztorc|zimrc|aliases|inputrc|hushlogin|dircolors|p10k\.zsh"
    r"|fzf\.(?:bash|zsh)"
    # editors, terminals and multiplexers
    r"|g?vimrc|exrc|ideavimrc|nanorc|emacs|spacemacs|editorconfig|tmux\.conf|screenrc|Xresources|Xdefaults"
    r"|xinitrc|xprofile|Xmodmap|wezterm\.lua|lesskey|selected_editor"
    # git's settings (its logins live in .git-credentials)
    r"|gitconfig|gitignore(?:_global)?|gitattributes|gitmessage(?:\.txt)?|gitk|tigrc|mailmap"
    # pinned versions
    r"|[\w-]+-version|tool-versions|nvmrc|sdkmanrc"
    # linters' and formatters' settings
    r"|(?:prettierrc|eslintrc|stylelintrc|markdownlint|yamllint|jshintrc|babelrc|browserslistrc|rubocop"
    r"|clang-format|clang-tidy|pylintrc|flake8|isort\.cfg|style\.yapf|shellcheckrc|ripgreprc|ackrc|agignore"
    r"|fdignore|ignore|rgignore|golangci|npmignore)(?:\.(?:json|ya?ml|js|cjs|mjs|toml))?"
    # REPLs, debuggers and package tools' settings without logins
    r"|gdbinit|lldbinit|pdbrc|pythonrc(?:\.py)?|irbrc|pryrc|ghci|Rprofile|psqlrc|sqliterc|gemrc|condarc|mambarc)")


def routine_dotfile(name: str) -> bool:
    """``name`` (a dotfile in a home's top folder) is one agents read routinely."""
    return _ROUTINE_DOTFILE.fullmatch(name) is not None


def _routine(rest: str, routine: tuple[str, ...]) -> bool:
    """``rest`` (below a hidden folder) is one of ``routine``: a folder ("x/", also named
    itself), everything (""), or one file."""
    for prefix in routine:
        if prefix.endswith("/") or not prefix:
            if rest.startswith(prefix) or rest + "/" == prefix:
                return True
        elif rest == prefix:
            return True
    return False


def private_part(relative: str) -> str | None:
    """The private folder or dotfile ``relative`` (a path below a home) is or lies in, or
    None when it is not one or is read routinely. A hidden name right below the home is
    judged by its name alone, file or folder: nothing is looked up on disk."""
    first, _slash, rest = relative.partition("/")
    if first.startswith("."):
        routine = _ROUTINE.get(first)
        if not rest:
            # A hidden folder read whole (grep -r, tar, cp -r) holds whatever its tool
            # keeps; a dotfile is read freely only when it is of a routine kind.
            if routine is not None and "" in routine:
                return None
            if routine_dotfile(first):
                return None
            return first
        if routine is not None and _routine(rest, routine):
            return None
        if first == ".ssh" and rest.endswith(".pub") and "/" not in rest:
            return None
        return first
    if first == "Library":
        return "Library" if relative.startswith(_MAC_PRIVATE) else None
    if first == "snap" and "/." in rest:
        return "snap"
    return None


def reads_private_home(subject: Subject) -> str | None:
    """A read of a file in a home's private folder outside the project (or anywhere in a
    home that is itself the project: the home is not a project's own files)."""
    home = subject.home
    project = subject.project
    home_is_project = project is not None and (project == home or is_within(home, project))
    homes = (home + "/", *_HOMES, "/root/")
    for path in subject.reads:
        if not path.startswith(homes) or (not home_is_project and subject.within_project(path)):
            continue
        relative = _below_home(path, home)
        if relative is None:
            continue
        folder = private_part(relative)
        if folder is not None:
            return f"it reads {path}, in {folder}, a home's private folder where tools keep settings and logins"
    return None


def register(check: Callable[..., Callable[[CheckFn], CheckFn]]) -> None:
    @check("reads-private-home", 35, "a file read from a home's private folders (~/.config, ~/.local/share, "
           "~/.<tool>, ~/Library/Application Support) or a dotfile in its top folder (~/.pgpass, ~/.s3cfg) "
           "outside the project, other than library sources, toolchains, caches, and shells', git's and "
           "editors' configuration", needs=("call", "reads"))
    def _private(subject: Subject) -> str | None:
        if not subject.reads:
            return None
        call = subject.call
        if subject.segment is None and call.tool in ("Glob", "glob"):
            return None  # names only
        return reads_private_home(subject)
