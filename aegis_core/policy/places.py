"""What a place on disk is to the policy: the project, scratch space outside it, a
disposable build folder, a critical folder (deleting it is a disaster), or a valuable
file (a database, a lockfile, source code, git's own files) whose loss is not undone
by a rebuild."""

from __future__ import annotations

import os
from itertools import pairwise
from typing import TYPE_CHECKING

from aegis_core.policy.paths import is_within

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject

SYSTEM_DIRS = frozenset({"/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/opt", "/proc",
                         "/root", "/sbin", "/srv", "/sys", "/usr", "/var", "/home", "/Users", "/System",
                         "/Applications", "/Library", "/private", "/snap", "/mnt", "/media"})
# Folders a build, a test run or a package manager recreates: deleting them is routine.
DISPOSABLE = frozenset({
    "build", "dist", "node_modules", "target", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache",
    ".tox", ".nox", "coverage", "htmlcov", ".coverage", ".next", ".nuxt", ".output", ".cache",
    ".parcel-cache", ".turbo", "out", "tmp", ".tmp", "temp", ".venv", "venv", ".gradle", ".eggs",
    ".svelte-kit", ".angular", "obj", "_build", ".hypothesis", "site", "public/build", ".nyc_output",
    ".dart_tool", ".expo", ".docusaurus", ".stack-work", "dist-newstyle", "deps", "bower_components",
    "jspm_packages", ".sass-cache", ".eslintcache", ".stylelintcache", ".vite", ".webpack", ".pytype",
    ".pyre", ".benchmarks", "CMakeFiles", ".cxx", ".externalNativeBuild", "DerivedData", ".build",
    ".ipynb_checkpoints", "elm-stuff", "zig-cache", ".zig-cache", "zig-out", ".bloop", ".metals", ".bsp",
    "storybook-static", "test-results", "playwright-report", "generated", "__generated__", ".nx",
    ".pnpm-store", "lib-cov", "cover", "blib", ".serverless", ".aws-sam", ".terraform", ".vercel", ".netlify",
    # dependencies installed from a lockfile into the project (bundle install, pod install, carthage)
    "vendor/bundle", "Pods", "Carthage/Build",
    # static site generators' output and caches
    "_site", ".jekyll-cache", ".quarto",
    # C and C++ build trees by convention (meson's builddir, Bazel's output links, scikit-build)
    "builddir", "bazel-out", "bazel-bin", "bazel-testlogs", "_skbuild", ".ccache",
})
_DISPOSABLE_PREFIXES = ("cmake-build-", "build-", "dist-", ".pytest")
_HOMES = frozenset({"/home", "/Users", "/var/home"})
TEMP_ROOTS = ("/tmp", "/var/tmp", "/private/tmp", "/dev/shm")  # noqa: S108 - compared, never written


def scratch(path: str, project: str | None, home: str) -> bool:
    """``path`` lies in a temporary folder and outside the project and the home folder
    (and holds neither): scratch space, written and deleted at will. A project, or a
    home, that itself lives under /tmp keeps its protection."""
    for root in TEMP_ROOTS:
        if path.startswith(root + "/") and path.count("/") > root.count("/"):
            for kept in (project, home):
                if kept and (is_within(path, kept) or is_within(kept, path)):
                    return False
            # A home under /tmp has its neighbours (`~/../alice`): other users' homes.
            homes = os.path.dirname(home)
            return not (homes not in TEMP_ROOTS and is_within(path, homes))
    return False


def is_scratch(path: str, subject: Subject) -> bool:
    return scratch(path, subject.project, subject.home)


def is_disposable(path: str, subject: Subject) -> bool:
    """Scratch space, a build/cache folder (or something in one) inside the project, or
    the home's cache folder (``~/.cache/pip``: every tool recreates what it keeps there)."""
    project = subject.project
    if project is not None and is_within(path, project):
        if path == project:
            return False
        below = path[len(project):].strip("/").split("/")
        return any(part in DISPOSABLE or part.endswith(".egg-info") or part.startswith(_DISPOSABLE_PREFIXES)
                   for part in below) or any(f"{a}/{b}" in DISPOSABLE for a, b in pairwise(below))
    return home_cache(path, subject.home) or is_scratch(path, subject)


def home_cache(path: str, home: str) -> bool:
    """``path`` lies in one of the home's cache folders."""
    return path.startswith(home) and path[len(home):].startswith(_HOME_CACHES) and path != home + "/.cache"


# The home's caches, by convention (XDG, macOS) and by tool.
_HOME_CACHES = ("/.cache/", "/Library/Caches/", "/.npm/_cacache", "/.npm/_npx", "/.cargo/registry/cache",
                "/go/pkg/mod/cache", "/.gradle/caches", "/.m2/repository", "/.pnpm-store", "/.yarn/berry/cache")


def critical_target(path: str, subject: Subject) -> str | None:
    """Why deleting ``path`` (recursively) would be a disaster, or None."""
    if path.startswith("/<"):
        return None  # a path that could not be resolved: its own problem asks (facts.PATH_PROBLEMS)
    if path == "/":
        return "the root directory"
    if path == subject.home or is_within(subject.home, path):
        return "your home directory"
    if path in SYSTEM_DIRS or os.path.dirname(path) == "/":
        return f"the system directory {path}"
    parent = os.path.dirname(path)
    if parent in _HOMES or (parent == os.path.dirname(subject.home) and parent not in TEMP_ROOTS):
        return f"a user's home ({path})"
    if subject.project and is_within(subject.project, path):
        return "the whole project (work tree)"
    if subject.project and is_within(path, os.path.join(subject.project, ".git")):
        return "the project's .git history"
    return None


# ---------------------------------------------------------------- valuable files

_DATABASE_SUFFIXES = (".db", ".sqlite", ".sqlite3", ".db3", ".s3db", ".sl3", ".duckdb", ".mdb", ".accdb",
                      ".realm", ".mdf", ".ldf", ".ibd", ".frm", ".rdb", ".aof", ".lmdb", ".kdbx", ".fdb",
                      ".db-wal", ".db-shm", ".db-journal", ".sqlite-wal", ".sqlite-shm", ".sqlite-journal",
                      ".sqlite3-wal", ".sqlite3-shm", ".sqlite3-journal")
LOCKFILES = frozenset({
    "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb", "bun.lock",
    "deno.lock", "poetry.lock", "Pipfile.lock", "pdm.lock", "uv.lock", "pylock.toml", "conda-lock.yml",
    "Cargo.lock", "Gemfile.lock", "composer.lock", "go.sum", "go.work.sum", "mix.lock", "pubspec.lock",
    "Podfile.lock", "Package.resolved", "packages.lock.json", "paket.lock", "gradle.lockfile", "flake.lock",
    ".terraform.lock.hcl", "Chart.lock", "renv.lock", "Manifest.toml", "stack.yaml.lock", "rebar.lock",
    "cabal.project.freeze", "Cartfile.resolved", "shard.lock", "elm-stuff/exact-dependencies.json",
})
_SOURCE_SUFFIXES = frozenset({
    "py", "pyi", "pyx", "pxd", "js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx", "vue", "svelte", "astro",
    "go", "rs", "java", "kt", "kts", "scala", "sc", "groovy", "gradle", "c", "h", "cc", "cpp", "cxx", "hpp",
    "hh", "hxx", "m", "mm", "swift", "cs", "fs", "fsx", "vb", "rb", "rake", "erb", "php", "pl", "pm", "lua",
    "r", "jl", "ex", "exs", "erl", "hrl", "hs", "lhs", "ml", "mli", "clj", "cljs", "cljc", "dart", "zig",
    "nim", "cr", "sol", "sql", "proto", "graphql", "gql", "sh", "bash", "zsh", "fish", "ps1", "psm1", "bat",
    "tf", "hcl", "nix", "elm", "purs", "re", "v", "sv", "vhd", "vhdl", "asm", "s", "f90", "ipynb", "prisma",
    "cmake", "bzl", "mk",
})
MANIFESTS = frozenset({
    "Makefile", "makefile", "GNUmakefile", "Dockerfile", "Containerfile", "Jenkinsfile", "Gemfile", "Rakefile",
    "Podfile", "Vagrantfile", "Procfile", "Brewfile", "justfile", "Justfile", "CMakeLists.txt", "BUILD",
    "BUILD.bazel", "WORKSPACE", "MODULE.bazel", "meson.build", "package.json", "pyproject.toml", "setup.py",
    "setup.cfg", "Cargo.toml", "go.mod", "go.work", "pom.xml", "build.gradle", "build.gradle.kts",
    "settings.gradle", "settings.gradle.kts", "tsconfig.json", "deno.json", "composer.json", "mix.exs",
    "requirements.txt", "Pipfile", "environment.yml", "tox.ini", "build.sbt", "Package.swift", "pubspec.yaml",
    "docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml", "Chart.yaml", "flake.nix",
})
# Generated look-alikes of source files: rebuilt by a tool, routine to delete.
_GENERATED_SUFFIXES = ("_pb2.py", "_pb2_grpc.py", "_pb2.pyi", ".pb.go", ".pb.cc", ".pb.h", ".min.js",
                       ".min.css", ".bundle.js", ".js.map", ".css.map", ".pyc", ".pyo")
_GENERATED_INFIXES = (".generated.", ".gen.", "_generated.")


def valuable(path: str, subject: Subject | None = None) -> str | None:
    """What kind of file whose loss a rebuild does not undo ``path`` names (a database,
    a lockfile, source code, a project manifest, git's own files), or None. ``path``
    may be a file name or a wildcard pattern (``*.py``); files in disposable folders
    are never valuable."""
    if subject is not None and is_disposable(path, subject):
        return None
    name = path[path.rfind("/") + 1:]
    if "/.git/" in path or path.endswith("/.git"):
        # A stale lock left by a crashed git is removed routinely.
        return None if name.endswith(".lock") else "git's own files"
    if not name:
        return None
    if name.endswith(_DATABASE_SUFFIXES) or name in ("dump.rdb", "appendonly.aof", "data.mdb"):
        return "a database file"
    if name in LOCKFILES:
        return "a lockfile"
    if name in MANIFESTS:
        return "a project manifest"
    if name.endswith(_GENERATED_SUFFIXES) or any(infix in name for infix in _GENERATED_INFIXES):
        return None
    dot = name.rfind(".")
    if dot > 0 and name[dot + 1:].lower() in _SOURCE_SUFFIXES:
        return "source code"
    return None


def project_root(cwd: str | None, home: str) -> str | None:
    """The project a call works in: its working directory, unless that is the home
    folder itself, a folder above it, a system folder or a temporary root (an agent
    started there has no project, so nothing there counts as project cleanup)."""
    if cwd is None or cwd == "/" or is_within(home, cwd) or cwd in SYSTEM_DIRS or cwd in TEMP_ROOTS:
        return None
    return cwd
