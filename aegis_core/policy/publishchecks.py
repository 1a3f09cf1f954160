"""Publishing and changing things that live elsewhere: packages, images and releases
uploaded, yanked or retagged (`npm publish`, `python -m twine upload`, `cargo yank`,
`./gradlew publish`, `docker buildx build --push`), deploys (`make deploy`, `vercel
--prod`), code pushed somewhere new (`git remote add x URL && git push x --all`,
`git push https://...`), and repository settings changed through the forge's CLI
(`gh repo edit --visibility public`, `gh api -X DELETE`, `gh pr merge --admin`,
`gh workflow run`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from aegis_core.policy.forges import PROGRAMS, forge_verb_change, forge_words
from aegis_core.policy.gitchecks import split_git
from aegis_core.policy.secretshapes import TOKEN, host_is_local
from aegis_core.policy.subcommands import positionals
from aegis_core.policy.urlchecks import fetched, host_of

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject
    from aegis_core.policy.shell import Segment

# A task, target or script whose name says it ships something.
# The word stands alone or as a part of a name (docker-push, helm_release, publishSigned,
# dockerPush), not as the start of another word (pushd, shipit).
_SHIPPING_NAME = re.compile(r"^(?:[\w.-]*[-_:.]|[a-z0-9]+(?=[A-Z]))?([Pp]ublish|[Rr]elease|[Dd]eploy|[Uu]pload|[Ss]hip"
                            r"|[Pp]romote|[Pp]ush|[Dd]istribute|[Uu]npublish|[Yy]ank|PUBLISH|RELEASE|DEPLOY)"
                            r"(?:[-_:.A-Z][\w:.-]*)?$")
# ...unless it says it stays on this machine (publishLocal, publishToMavenLocal).
_LOCAL_TASK = re.compile(r"(?i)local$|-notes$|notes$|-dry-?run$")
# Subcommand (first words) -> what it publishes, per program. A tuple entry means
# "these words in this order at the start".
_PUBLISH: dict[str, tuple[tuple[str, ...], ...]] = {
    "npm": (("publish",), ("unpublish",), ("deprecate",), ("undeprecate",), ("dist-tag", "add"),
            ("dist-tag", "rm"), ("dist-tag", "remove"), ("dist-tags", "add"), ("dist-tags", "rm"), ("owner", "add"),
            ("owner", "rm"), ("owner", "remove"), ("access", "public"), ("access", "restricted"),
            ("access", "grant"), ("access", "revoke"), ("access", "set"), ("team", "add"), ("team", "rm"),
            ("org", "set"), ("org", "rm"), ("token", "create"), ("token", "revoke"), ("star",), ("unstar",),
            ("team", "create"), ("team", "destroy"), ("hook", "add"), ("hook", "rm"), ("hook", "update"),
            ("profile", "set"), ("profile", "enable-2fa"), ("profile", "disable-2fa")),
    "pnpm": (("publish",), ("unpublish",), ("deprecate",), ("dist-tag",), ("owner",), ("access",)),
    "yarn": (("publish",), ("npm", "publish"), ("npm", "tag"), ("tag", "add"), ("tag", "remove"), ("owner",),
             ("unpublish",)),
    "bun": (("publish",), ("pm", "publish")),
    "lerna": (("publish",), ("version",)),
    "changeset": (("publish",),), "changesets": (("publish",),),
    "vsce": (("publish",), ("unpublish",)), "ovsx": (("publish",),), "jsr": (("publish",),),
    "deno": (("publish",), ("deploy",)),
    "cargo": (("publish",), ("yank",), ("owner",), ("release",), ("workspaces", "publish"), ("ws", "publish"),
              ("smart-release",)),
    "expo": (("publish",), ("publish:rollback",), ("publish:set",)),
    "eas": (("submit",), ("update",), ("channel:edit",), ("update:republish",), ("update:rollback",)),
    "gem": (("push",), ("yank",), ("owner",), ("release",)),
    "rake": (("release",),),
    "twine": (("upload",), ("register",)),
    "flit": (("publish",),), "poetry": (("publish",),), "hatch": (("publish",),), "uv": (("publish",),),
    "pdm": (("publish",),), "rye": (("publish",),), "maturin": (("publish",), ("upload",)),
    "lein": (("deploy",), ("release",)), "mix": (("hex.publish",), ("hex.retire",), ("hex.owner",)),
    "rebar3": (("hex", "publish"), ("hex", "retire")),
    "dotnet": (("nuget", "push"), ("nuget", "delete")), "nuget": (("push",), ("delete",)),
    "pod": (("trunk", "push"), ("trunk", "delete"), ("trunk", "deprecate")),
    "dart": (("pub", "publish"),), "flutter": (("pub", "publish"),),
    "swift": (("package-registry", "publish"),),
    "cabal": (("upload",),), "stack": (("upload",),), "opam": (("publish",),),
    "ansible-galaxy": (("collection", "publish"), ("role", "import"), ("import",)),
    "anaconda": (("upload",),), "conda": (("upload",),),
    "helm": (("push",), ("cm-push",)),
    "docker": (("push",), ("image", "push"), ("compose", "push"), ("manifest", "push"), ("trust", "sign"),
               ("buildx", "imagetools")),
    "podman": (("push",), ("image", "push"), ("manifest", "push")),
    "nerdctl": (("push",), ("image", "push")),
    "buildah": (("push",), ("manifest", "push")),
    "skopeo": (("copy",), ("sync",), ("delete",)),
    "crane": (("push",), ("copy",), ("cp",), ("append",), ("mutate",), ("delete",), ("tag",), ("rebase",)),
    "oras": (("push",), ("attach",), ("tag",), ("cp",), ("copy",)),
    "gh": (("release", "create"), ("release", "delete"), ("release", "edit"), ("release", "upload"),
           ("release", "delete-asset"), ("gist", "create"), ("gist", "edit"), ("gist", "delete")),
    "glab": (("release", "create"), ("release", "delete"), ("release", "upload")),
    "vercel": (("deploy",), ("promote",), ("rollback",), ("redeploy",), ("alias",), ("remove",), ("rm",)),
    "netlify": (("deploy",), ("sites:delete",)),
    "firebase": (("deploy",), ("hosting:disable",), ("functions:delete",)),
    "wrangler": (("deploy",), ("publish",), ("delete",), ("rollback",), ("versions", "deploy"),
                 ("pages", "deploy"), ("pages", "publish")),
    "serverless": (("deploy",), ("remove",)), "sls": (("deploy",), ("remove",)),
    "amplify": (("publish",), ("push",), ("delete",)), "eb": (("deploy",), ("terminate",)),
    "kamal": (("deploy",), ("redeploy",), ("rollback",), ("remove",), ("setup",)),
    "railway": (("up",), ("down",), ("delete",)),
    "fly": (("deploy",),), "flyctl": (("deploy",),),
    "heroku": (("container:push",), ("container:release",), ("releases:rollback",)),
    "cap": (("deploy",),), "mina": (("deploy",),), "dep": (("deploy",),),
    "zappa": (("deploy",), ("update",), ("undeploy",)), "chalice": (("deploy",), ("delete",)),
    "sam": (("deploy",), ("delete",), ("sync",)), "cdk": (("deploy",), ("destroy",)),
    "cdktf": (("deploy",), ("destroy",)), "sst": (("deploy",), ("remove",)),
    "copilot": (("deploy",), ("svc", "deploy"), ("app", "delete")),
    "goreleaser": (("release",),),
    "jreleaser": (("full-release",), ("release",), ("deploy",), ("publish",), ("upload",), ("announce",)),
    "deployctl": (("deploy",),),
    # `nx release` versions, writes the changelog and publishes; `nx release version` only bumps.
    "nx": (("release", "publish"), ("release", "changelog"), ("release",)),
    "semantic-release": ((),), "release-it": ((),), "np": ((),), "standard-version": ((),),
    # documentation sites pushed to a branch a forge serves (GitHub Pages)
    "mkdocs": (("gh-deploy",),), "mike": (("deploy",), ("delete",), ("set-default",), ("alias",), ("retitle",)),
    "ghp-import": ((),), "gh-pages": ((),),
    "conan": (("upload",), ("remove",)), "vcpkg": (("x-upload",),),
    "skaffold": (("run",), ("deploy",), ("delete",), ("apply",)),
    # models, datasets and experiment data sent to a hub or a remote store
    "huggingface-cli": (("upload",), ("upload-large-folder",), ("repo", "create"), ("repo", "delete"),
                        ("delete-cache",)),
    "hf": (("upload",), ("upload-large-folder",), ("repo", "create"), ("repo", "delete"), ("repos", "create"),
           ("repos", "delete")),
    "dvc": (("push",), ("gc",), ("remote", "add"), ("remote", "modify"), ("destroy",)),
    "kaggle": (("datasets", "create"), ("datasets", "version"), ("kernels", "push"), ("models", "create"),
               ("competitions", "submit"), ("c", "submit"), ("d", "create"), ("d", "version"), ("k", "push")),
    "wandb": (("sync",), ("artifact", "put"), ("login",)),
}
# Runners of named scripts or tasks: a script named like `deploy` ships something.
_TASK_RUNNERS = frozenset({"make", "gmake", "just", "task", "mage", "invoke", "inv", "nox", "tox", "rake", "gulp",
                           "grunt", "sbt", "gradle", "gradlew", "mvn", "mvnw", "mvnd", "lein", "bazel", "bazelisk",
                           "earthly", "ant", "doit", "poe", "dagger", "nx", "turbo", "rush", "moon", "pants", "buck2",
                           "fastlane", "cargo-make", "makers"})
_SCRIPT_RUNNERS = frozenset({"npm", "pnpm", "yarn", "bun"})
_PACKAGE_RUNNERS = frozenset({"npx", "pnpx", "bunx"})
_MAVEN_SHIPPING = re.compile(r"^(deploy|site-deploy|release:\S+|deploy:\S+|jib:build|nexus-staging:\S+"
                             r"|wagon:upload\S*|gpg:sign-and-deploy-file|central-publishing:\S+)$")
_GRADLE_SHIPPING = re.compile(r"(?i)^(?:[\w:.-]*:)?(publish\w*|upload\w*|release\w*|deploy\w*|jib|bintrayUpload"
                              r"|artifactoryPublish|closeAndRelease\w*|promote\w*)$")
# Maven plugins whose every goal ships (a staging repository closed, a release tagged and pushed).
_MAVEN_SHIPPING_PLUGINS = frozenset({"release", "nexus-staging", "central-publishing", "jreleaser", "deploy",
                                     "maven-deploy-plugin", "maven-release-plugin", "nexus-staging-maven-plugin",
                                     "central-publishing-maven-plugin", "jreleaser-maven-plugin", "wagon",
                                     "wagon-maven-plugin"})
_MAVEN_LOCAL_GOALS = frozenset({"help", "config", "assemble", "checksum", "env", "template", "init", "clean",
                                "prepare-with-pom", "update-versions", "branch-dry-run"})
# -Dspring-boot.build-image.publish=true, -Djib.publish=true...
_MAVEN_PUBLISH_PROPERTY = re.compile(r"(?i)^-D[\w.-]*\bpublish(?:Image)?=(?:true|1|yes)$")
# The words a camelCase or kebab task name is made of.
_NAME_PARTS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_SHIPPING_PARTS = frozenset({"publish", "upload", "deploy", "push", "promote", "unpublish", "distribute"})


def _maven_goal_ships(word: str) -> bool:
    """`org.apache.maven.plugins:maven-deploy-plugin:3.1.1:deploy`, `jreleaser:full-release`,
    `nexus-staging:close`, `dockerfile:push`: a plugin goal that ships, by its plugin or its goal."""
    if ":" not in word:
        return False
    parts = word.split(":")
    goal = parts[-1]
    plugins = {p for p in parts[:-1] if p and not p[0].isdigit()}
    if goal in _MAVEN_LOCAL_GOALS:
        return False
    if plugins & _MAVEN_SHIPPING_PLUGINS:
        return True
    return bool(_SHIPPING_PARTS & {p.lower() for p in _NAME_PARTS.findall(goal)}) or goal in (
        "release", "full-release", "announce") or (goal == "build" and bool(plugins & {"jib", "jib-maven-plugin"}))


def _gradle_task_ships(word: str) -> bool:
    """A gradle task whose name holds a shipping word anywhere (`appDistributionUploadRelease`,
    `dockerPush`, `jreleaserFullRelease`); `Release` alone is a build variant (assembleRelease)."""
    task = word.rsplit(":", 1)[-1]
    parts = [p.lower() for p in _NAME_PARTS.findall(task)]
    if _SHIPPING_PARTS.intersection(parts):
        return True
    return parts[:1] == ["jreleaser"] and not {"config", "assemble", "template", "init", "env", "changelog",
                                               "checksum", "sign", "catalog", "package", "prepare"} & set(parts[1:])


def _build_tool_targets(program: str, words: list[str]) -> list[str]:
    """sbt's commands (`sbt "; clean; publishSigned"` is one argument of several), and
    the names of the targets bazel, buck2 or pants run (`bazel run //images:push_api`
    runs `push_api`): the words the task check reads."""
    if program == "sbt":
        out: list[str] = []
        for word in words:
            out.extend(w for w in word.replace(";", " ").split() if w)
        out.extend(p.lower() for w in list(out) if not _LOCAL_TASK.search(w) for p in _NAME_PARTS.findall(w)
                   if p.lower() in _SHIPPING_PARTS or p.lower() == "release")  # sonatypeBundleRelease
        return out
    if words[:1] != ["run"]:
        return []
    targets = [w for w in words[1:] if w.startswith(("//", ":", "@"))][:1] or words[1:2]  # -c opt: a value
    return [w.rsplit(":", 1)[-1].rsplit("/", 1)[-1] for w in targets]


# Words that only make a dry run of a publish (it then uploads nothing).
_DRY_RUN = frozenset({"--dry-run", "-n", "--dryrun", "--dry", "--snapshot", "--skip=publish", "--skip-publish",
                      "--local", "-L", "--noop", "--no-publish", "--no-push", "--dry_run"})


def _words(texts: list[str]) -> list[str]:
    return [t for t in texts if not t.startswith("-")]


def _starts(words: list[str], prefixes: tuple[tuple[str, ...], ...]) -> tuple[str, ...] | None:
    """The prefix of ``prefixes`` that ``words`` start with (``()`` stands for any words)."""
    index = _BY_FIRST_WORD.get(id(prefixes)) or _by_first_word(prefixes)
    if None in index:
        return ()
    for prefix in index.get(words[0] if words else "", ()):
        if tuple(words[:len(prefix)]) == prefix:
            return prefix
    return None


def _by_first_word(prefixes: tuple[tuple[str, ...], ...]) -> dict[str | None, tuple[tuple[str, ...], ...]]:
    index: dict[str | None, list[tuple[str, ...]]] = {}
    for prefix in prefixes:
        index.setdefault(prefix[0] if prefix else None, []).append(prefix)
    return {key: tuple(found) for key, found in index.items()}


_IMAGE_BUILDERS = frozenset({"docker", "podman", "nerdctl", "buildah", "docker-compose", "podman-compose"})
_PUSHING_OUTPUT = re.compile(r"(?i)(^|,)(type=registry|push=true)(,|$)")


def _build_pushes(program: str, texts: list[str], words: list[str]) -> str | None:
    """An image build that pushes what it built (`docker build --push`, `buildx build
    --output type=registry`, `compose build --push`, `bake --push`, gradle's
    `--publishImage`): publishing by another name."""
    if "--publishImage" in texts or any(t.startswith("--publishImage=") and not t.endswith("=false") for t in texts):
        return f"{program} --publishImage pushes the image it builds"
    if program not in _IMAGE_BUILDERS or not {"build", "bake"} & set(words[:3]):
        return None
    for i, text in enumerate(texts):
        name, eq, value = text.partition("=")
        if name == "--push" and value.lower() not in ("false", "0"):
            return f"{program} {' '.join(words[:2])} --push uploads the image it builds"
        if name in ("--output", "-o"):
            value = value if eq else (texts[i + 1] if i + 1 < len(texts) else "")
            if _PUSHING_OUTPUT.search(value):
                return f"{program} build --output {value} pushes the image to a registry"
    return None


def publishes(seg: Segment) -> str | None:
    """Why this command publishes, unpublishes or deploys something, or None."""
    program = seg.program
    texts = list(seg.argv[1:])
    words = positionals(program, texts)
    if _DRY_RUN.intersection(texts):
        return None
    pushed = _build_pushes(program, texts, words)
    if pushed:
        return pushed
    if program == "yarn" and words[:1] == ["workspace"] and len(words) > 2:
        # `yarn workspace @acme/a npm publish`: the command run in that workspace.
        words = words[2:]
        if words[0] in ("npm", "pnpm") and len(words) > 1:
            program, words = words[0], words[1:]
    if program in ("yarn", "lerna", "pnpm", "nx") and ("foreach" in words[:3] or words[:1] == ["exec"]):
        # `yarn workspaces foreach npm publish`, `lerna exec -- npm publish`: the command run in each.
        rest = words[words.index("foreach") + 1:] if "foreach" in words[:3] else words[1:]
        while rest and rest[0] in ("run", "--", "npm", "yarn", "pnpm"):
            if rest[0] in ("npm", "yarn", "pnpm") and len(rest) > 1:
                program, rest = rest[0], rest[1:]
                break
            rest = rest[1:]
        words = rest
    if program in _PACKAGE_RUNNERS or (program in _SCRIPT_RUNNERS and words[:1] in (["exec"], ["dlx"], ["x"])):
        # `npx changeset publish`, `pnpm dlx np`, `bunx vsce publish`: the tool run publishes.
        tool_words = words[1:] if program in _SCRIPT_RUNNERS else words
        tool = tool_words[0].rsplit("@", 1)[0] if tool_words and not tool_words[0].startswith("@") else (
            tool_words[0] if tool_words else "")
        if tool.startswith("@"):  # @changesets/cli@2: the scoped package's own name
            tool = tool.split("/", 1)[-1].split("@", 1)[0]
            tool = {"cli": "changeset"}.get(tool, tool)
        if tool in _PUBLISH or tool in _TASK_RUNNERS:  # `npx nx release`, `npx turbo run release`
            program, words = tool, tool_words[1:]
    if program in ("pnpm", "yarn", "bun") and words and words[0] in _PUBLISH and words[0] not in (program, "npm") \
            and _starts(words, _PUBLISH[program]) is None:
        program, words = words[0], words[1:]  # `pnpm changeset publish`: the project's own bin
    if program == "nx" and words[:2] in (["release", "version"], ["release", "plan"]):
        return None
    if program in _PUBLISH:
        found = _starts(words, _PUBLISH[program])
        if found is not None:
            return f"{program} {' '.join(found)}".strip() + " publishes or changes a release"
    if program.startswith("python") or program in ("pypy", "pypy3"):
        if words[:1] and words[0].endswith("setup.py") and ({"upload", "register"} & set(words)):
            return "setup.py upload publishes the package"
    if program in ("docker", "podman", "nerdctl") and words[:2] in (["buildx", "build"], ["buildx", "bake"],
                                                                    ["build"], ["image", "build"]):
        if "--push" in texts or any("push=true" in t or "type=registry" in t for t in texts):
            return f"{program} build --push uploads the image"
    if program == "ko" and words[:1] and words[0] in ("build", "publish", "apply", "resolve", "create"):
        return "ko builds and pushes images"
    if program in ("vercel", "vc") and (not words or "--prod" in texts or "--production" in texts):
        return "vercel deploys"
    if program in ("mvn", "mvnw", "mvnd"):
        for word in words:
            if _MAVEN_SHIPPING.match(word) or _maven_goal_ships(word):
                return f"{program} {word} publishes artifacts"
        if any(_MAVEN_PUBLISH_PROPERTY.match(t) for t in texts):
            return f"{program} with a publish property set pushes what it builds"
        return None
    if program in ("gradle", "gradlew"):
        for word in words:
            if (_GRADLE_SHIPPING.match(word) or _gradle_task_ships(word)) and not _LOCAL_TASK.search(word):
                return f"{program} {word} publishes artifacts"
        return None  # its Release build variants (assembleRelease) build; they ship nothing
    if program == "goreleaser":
        if {"--version", "-v", "--help", "-h"} & set(texts):
            return None
        if not words or words[0] in ("release", "publish", "announce", "continue"):
            return f"goreleaser {' '.join(words[:1]) or '(release by default)'} publishes a release"
        return None
    if program in ("sbt", "bazel", "bazelisk", "buck2", "pants"):
        words = _build_tool_targets(program, words)
    if program in _TASK_RUNNERS:
        for word in (w.lstrip("+") for w in words):  # sbt +publish: every Scala version
            if "=" not in word and _SHIPPING_NAME.match(word) and not _LOCAL_TASK.search(word):
                return f"{program} {word} runs a publishing or deploying task"
    if seg.argv and "/" in seg.argv[0] and program.rsplit(".", 1)[0] not in ("", "gradlew", "mvnw"):
        # `./scripts/publish.sh`, `bin/deploy`: the project's script named for shipping
        stem = program.rsplit(".", 1)[0] if "." in program else program
        if _SHIPPING_NAME.match(stem) and not _LOCAL_TASK.search(stem):
            return f"{seg.argv[0]} is a script named for shipping something"
    if program in _SCRIPT_RUNNERS and words:
        script = words[1] if words[0] in ("run", "run-script") and len(words) > 1 else (
            words[0] if program in ("yarn", "pnpm", "bun") else "")
        if script and _SHIPPING_NAME.match(script) and not _LOCAL_TASK.search(script):
            return f"{program} runs the script {script!r}, which ships something"
    return None


# ---------------------------------------------------------------- remote changes

# Remote names whose pushes are routine; any other one (heroku, production...) deploys
# or sends the code somewhere new.
_USUAL_REMOTES = frozenset({"origin", "upstream"})
_REMOTE_KEYS = re.compile(r"(?i)^(remote\.[^.]+\.(url|pushurl|push|mirror)|url\..+\.(insteadof|pushinsteadof)"
                          r"|branch\.[^.]+\.(remote|pushremote)|remote\.pushdefault)$")
# Branches a push to which usually ships: a deploy, a release, a published site.
_DEPLOY_BRANCH = re.compile(r"(?i)^(?:production|prod|release|releases|deploy|deployment|live|gh-pages)"
                            r"(?:/.+|[-_]v?\d[\w.]*)?$")  # release/1.2, release-2.0; not release-notes-typo
_VERSION_TAG = re.compile(r"^(refs/tags/\S+|v?\d+(\.\d+)+\S*)$")
_GIT_PUSH_VALUES = frozenset({"--repo", "-o", "--push-option", "--receive-pack", "--exec", "--signed"})


def _remotes_changed(subject: Subject) -> set[str]:
    """Remote names added or changed by git commands of the same command line."""
    names: set[str] = set()
    for other in (subject.analysis.segments if subject.analysis else ()):
        if other.program != "git":
            continue
        _, sub, args = split_git(list(other.argv[1:]))
        words = _words(args)
        if sub == "remote" and words[:1] and words[0] in ("add", "set-url", "rename") and len(words) > 1:
            names.add(words[-1] if words[0] == "rename" else words[1])
    return names


_ARMED_MERGE_OPTION = re.compile(r"(?i)merge_request\.(?:merge_when_pipeline_succeeds|auto_merge)")


def git_remote_change(subject: Subject, seg: Segment) -> str | None:
    """git sending code somewhere new, moving tags, or pointing pushes elsewhere."""
    texts = list(seg.argv[1:])
    options, sub, args = split_git(texts)
    for i, option in enumerate(options):
        if option == "-c" and i + 1 < len(options):
            key = options[i + 1].split("=", 1)[0]
            if _REMOTE_KEYS.match(key):
                return f"git -c {key}=... points git at another remote"
    if sub == "push":
        if any(_ARMED_MERGE_OPTION.search(arg) for arg in args):
            # GitLab's push options: the merge request merges itself once the pipeline passes.
            return "git push -o merge_request.merge_when_pipeline_succeeds arms a merge that lands by itself"
        positional: list[str] = []
        skip = False
        for arg in args:
            if skip:
                skip = False
            elif arg.startswith("--repo="):
                return "git push --repo sends the code to another repository"
            elif arg in _GIT_PUSH_VALUES:
                if arg == "--repo":
                    return "git push --repo sends the code to another repository"
                skip = True
            elif not arg.startswith("-"):
                positional.append(arg)
        if positional:
            remote = positional[0]
            if "://" in remote or re.match(r"^[\w.-]+@[\w.-]+:", remote) or remote.startswith(("/", ".", "~")):
                return f"git push to {remote}, a repository given by its address"
            if remote in _remotes_changed(subject):
                return f"git push to {remote}, a remote set up in the same command"
            if remote not in _USUAL_REMOTES:
                return f"git push to the remote {remote!r} (not origin): it may deploy or publish"
            for refspec in positional[1:]:
                if _VERSION_TAG.match(refspec.lstrip("+")):
                    return f"git push of the tag {refspec} publishes a release"
                if "*" in refspec:
                    return f"git push {refspec} pushes every branch or tag the pattern names"
                destination = refspec.lstrip("+").rsplit(":", 1)[-1].removeprefix("refs/heads/")
                if _DEPLOY_BRANCH.match(destination):
                    return f"git push to the branch {destination!r}, which usually deploys or releases"
        if {"--all", "--tags", "--follow-tags"} & set(args):
            return "git push of every branch or tag publishes them"
        return None
    if sub == "remote":
        words = _words(args)
        if words[:1] == ["set-url"]:
            return "git remote set-url points pushes at another repository"
        return None
    if sub == "config":
        words = _words(args)
        if len(words) >= 2 and _REMOTE_KEYS.match(words[0]) and "--get" not in args and "--get-all" not in args:
            return f"git config {words[0]} points git at another remote"
        return None
    if sub == "tag" and ({"-f", "--force"} & set(args) or any(a.startswith("-") and not a.startswith("--")
                                                             and "f" in a for a in args)):
        return "git tag -f moves a published tag"
    if sub == "subtree" and args[:1] == ["push"]:
        words = [a for i, a in enumerate(args[1:]) if not a.startswith("-") and
                 (i == 0 or args[i] not in ("-P", "--prefix", "-m", "--message"))]
        remote = words[0] if words else ""
        if remote and remote not in _USUAL_REMOTES:
            return f"git subtree push sends code to {remote}"
        return None
    if sub == "send-email":
        return "git send-email sends patches out by e-mail"
    return None


_GH_METHOD = re.compile(r"^(-X|--method)(=?)(\S*)$")
_GH_FIELDS = frozenset({"-f", "-F", "--field", "--raw-field", "--input"})
_GH_CHANGES: tuple[tuple[str, ...], ...] = (
    ("repo", "edit"), ("repo", "delete"), ("repo", "archive"), ("repo", "unarchive"), ("repo", "rename"),
    ("repo", "transfer"), ("repo", "deploy-key"), ("repo", "sync"), ("workflow", "run"),
    ("workflow", "enable"), ("workflow", "disable"), ("run", "rerun"), ("run", "cancel"), ("run", "delete"),
    ("secret", "set"), ("secret", "delete"), ("secret", "remove"), ("variable", "set"), ("variable", "delete"),
    ("ssh-key", "add"), ("ssh-key", "delete"), ("gpg-key", "add"), ("gpg-key", "delete"), ("label", "delete"),
    ("cache", "delete"), ("ruleset",), ("extension", "install"), ("extension", "upgrade"), ("extension", "exec"),
    ("issue", "delete"), ("issue", "transfer"), ("codespace", "delete"), ("auth", "refresh"), ("org",),
    ("project", "delete"), ("attestation",), ("repo", "set-visibility"), ("release", "delete-asset"),
    ("repo", "autolink"))
_GLAB_CHANGES: tuple[tuple[str, ...], ...] = (
    ("repo", "delete"), ("repo", "archive"), ("repo", "transfer"), ("repo", "edit"),
    ("ci", "run"), ("ci", "trigger"), ("ci", "retry"), ("ci", "delete"), ("ci", "cancel"), ("variable", "set"),
    ("variable", "delete"), ("variable", "update"), ("schedule", "run"), ("schedule", "create"),
    ("schedule", "delete"), ("deploy-key", "add"), ("deploy-key", "delete"), ("ssh-key", "add"),
    ("ssh-key", "delete"), ("label", "delete"), ("issue", "delete"), ("mr", "delete"), ("snippet", "delete"),
    ("release", "delete"), ("token", "create"), ("project", "delete"))


_AUTO_MERGE = frozenset({"--auto", "--auto-merge", "--when-pipeline-succeeds", "--merge-when-pipeline-succeeds"})


def forge_change(seg: Segment) -> str | None:
    """gh/glab changing a repository, its settings, runs or secrets, or calling the API
    with anything but GET."""
    if seg.program not in PROGRAMS:
        return None
    texts = forge_words(seg.program, list(seg.argv[1:]))
    words = _words(texts)
    if words[:1] == ["api"] and seg.program in ("gh", "glab", "hub"):
        method = ""
        for i, text in enumerate(texts):
            given = _GH_METHOD.match(text)
            if given:
                method = (given.group(3) or (texts[i + 1] if not given.group(2) and i + 1 < len(texts) else "")).upper()
        fields = any(t in _GH_FIELDS or t.startswith(("--field=", "--raw-field=", "--input="))
                     or (t[:2] in ("-f", "-F") and len(t) > 2) for t in texts)
        if method and method not in ("GET", "HEAD"):
            return f"{seg.program} api -X {method} changes the repository or account"
        if fields and method not in ("GET", "HEAD"):
            if "graphql" in words and not any("mutation" in t for t in texts):
                return None
            return f"{seg.program} api with fields sends a POST that changes something"
        return None
    table = _GH_CHANGES if seg.program == "gh" else _GLAB_CHANGES if seg.program == "glab" else ()
    found = _starts(words, table) if table else None
    if found is not None:
        return f"{seg.program} {' '.join(found)} changes a repository, its settings or its runs"
    if words[:2] in (["pr", "merge"], ["mr", "merge"]):
        if "--admin" in texts or "--yolo" in texts:
            return f"{seg.program} {' '.join(words[:2])} --admin merges past the branch's protections"
        # A merge armed now lands later by itself, after whatever else is pushed to the
        # branch meanwhile, with no one looking: a person arms that.
        if _AUTO_MERGE.intersection(t.split("=", 1)[0] for t in texts):
            return f"{seg.program} {' '.join(words[:2])} --auto merges later by itself, whatever lands meanwhile"
    if words[:2] in (["pr", "review"], ["mr", "approve"]) and (words[:2] == ["mr", "approve"] or "--approve" in texts
                                                                or "-a" in texts):
        return f"{seg.program} {' '.join(words[:2])} approves a change in your name (a review is a person's)"
    if seg.program == "gh" and words[:2] == ["repo", "create"] and ("--public" in texts or "--push" in texts):
        return "gh repo create --public/--push publishes the code"
    return forge_verb_change(seg.program, list(seg.argv[1:]))


# ---------------------------------------------------------------- API writes

_METHOD_OPTIONS = frozenset({"-X", "--request", "--method"})
_BODY_OPTIONS = frozenset({"-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--data-ascii", "--json",
                           "-F", "--form", "--form-string", "-T", "--upload-file", "--post-data", "--post-file",
                           "--body-data", "--body-file"})
_CREDENTIAL_HEADER = re.compile(r"(?i)^\s*(authorization|proxy-authorization|x-api-key|api-key|private-token"
                                r"|x-auth-token|x-access-token|cookie|x-github-token|x-gitlab-token|circle-token"
                                r"|x-vault-token|x-figma-token|x-goog-api-key)\s*:")
_CREDENTIAL_OPTIONS = frozenset({"-u", "--user", "--oauth2-bearer", "-n", "--netrc", "--netrc-file", "-a", "--auth",
                                 "--http-user", "--http-password", "--aws-sigv4", "-E", "--cert"})
_HTTPIE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_HTTPIE_DATA = re.compile(r"^[^=:/]+(:=|=|@|:=@|=@)")


def authenticated_write(subject: Subject, seg: Segment) -> str | None:
    """A request that changes something (DELETE, PATCH, PUT, a POST with a body) sent
    with credentials to a host that is not this machine: a remote change made with your
    identity (`curl -X DELETE -H "Authorization: token $GH_TOKEN" https://api.github.com/...`)."""
    texts = list(seg.argv[1:])
    method = ""
    body = credentials = False
    for i, text in enumerate(texts):
        option, eq, attached = text.partition("=")
        value = attached if eq else (texts[i + 1] if i + 1 < len(texts) else "")
        if option in _METHOD_OPTIONS:
            method = value.upper()
        elif text.startswith("-X") and len(text) > 2:
            method = text[2:].upper()
        elif option in _BODY_OPTIONS or (text.startswith(("-d", "-F")) and len(text) > 2 and not text.startswith("--")):
            body = True
        elif option in _CREDENTIAL_OPTIONS or (option in ("-H", "--header") and _CREDENTIAL_HEADER.match(value)) \
                or (text.startswith("-H") and _CREDENTIAL_HEADER.match(text[2:])) or _CREDENTIAL_HEADER.match(text):
            credentials = True
        elif seg.program in HTTPIE and not text.startswith("-"):
            if text.upper() == text and text in _HTTPIE_METHODS:
                method = text
            elif _HTTPIE_DATA.match(text):
                body = True
    credentials = credentials or any(a.dynamic and SECRET_IN_ARGUMENT.search(a.text) for a in seg.args[1:]) \
        or any(TOKEN.search(t) for t in texts)
    writes = method in ("DELETE", "PATCH", "PUT", "POST") or (body and not method)
    if not writes:
        return None
    hosts = [h for h in (host_of(u) for u in fetched(subject)) if h]
    if not hosts or all(host_is_local(h) for h in hosts):
        return None
    # A service's own API takes its credentials from ~/.netrc or ~/.curlrc as well.
    if not (credentials or any(_SERVICE_API.search(h) for h in hosts)):
        return None
    return f"{seg.program} sends an authenticated {method or 'POST'} to {hosts[0]}: it changes something there " \
           "with your credentials"


HTTPIE = frozenset({"http", "https", "httpie", "xh", "xhs"})
# Hosts of the APIs that change repositories, packages, deployments and clouds.
_SERVICE_API = re.compile(r"(?i)(^|\.)(api\.github\.com|uploads\.github\.com|gitlab\.com|api\.bitbucket\.org"
                          r"|registry\.npmjs\.org|upload\.pypi\.org|test\.pypi\.org|crates\.io|rubygems\.org"
                          r"|api\.nuget\.org|hub\.docker\.com|api\.vercel\.com|api\.netlify\.com|api\.heroku\.com"
                          r"|api\.cloudflare\.com|api\.digitalocean\.com|api\.fly\.io|management\.azure\.com"
                          r"|googleapis\.com|amazonaws\.com|api\.render\.com|backboard\.railway\.app"
                          r"|api\.supabase\.com|circleci\.com|api\.travis-ci\.com|dev\.azure\.com)$")
SECRET_IN_ARGUMENT = re.compile(r"(?i)\$\{[A-Z0-9_]*(TOKEN|SECRET|PASSW|API_?KEY|AUTH|CREDENTIAL|PAT)[A-Z0-9_]*\}")


# Each table's prefixes by their first word, so a command is compared with a few of them.
_BY_FIRST_WORD: dict[int, dict[str | None, tuple[tuple[str, ...], ...]]] = {
    id(table): _by_first_word(table) for table in (*_PUBLISH.values(), _GH_CHANGES, _GLAB_CHANGES)}


# Programs that log in to a package or image registry, and keep the token for the next
# publish or push (in ~/.npmrc, ~/.docker/config.json, ~/.cargo/credentials...).
_REGISTRY_CLIENTS = frozenset({"npm", "pnpm", "yarn", "bun", "docker", "podman", "nerdctl", "buildah", "helm",
                               "cargo", "uv", "pdm", "dotnet", "nuget", "gem", "oras", "skopeo", "crane", "regctl",
                               "twine", "hatch", "flit", "vsce", "ovsx", "huggingface-cli", "hf", "wandb",
                               "jf", "jfrog", "poetry", "composer", "mix", "pub", "dart", "flutter", "swift"})
_LOGIN_WORDS = frozenset({"login", "adduser", "add-user", "signin", "auth:login"})
# The command groups a login sits in (`yarn npm login`, `uv auth login`, `helm registry login`).
_LOGIN_GROUPS = frozenset({"npm", "auth", "registry", "hub"})
# `poetry config pypi-token.pypi TOKEN`, `composer config http-basic.x user pass`: a
# registry credential stored through a config command.
_CREDENTIAL_KEY = re.compile(r"^(?:pypi-token|http-basic|bearer|gitlab-token|github-oauth|bitbucket-oauth)\.")


def registry_login(seg: Segment) -> str | None:
    """`npm login`, `docker login -u x --password-stdin`, `cargo login TOKEN`: a registry
    credential taken and kept for the next publish or push."""
    words = [w for w in seg.argv[1:6] if not w.startswith("-")]
    verb = words[1] if words[:1] and words[0] in _LOGIN_GROUPS and len(words) > 1 else (words[0] if words else "")
    if verb in _LOGIN_WORDS:
        return f"{seg.program} {verb} keeps a registry credential for later publishing"
    if words[:1] == ["config"] and any(_CREDENTIAL_KEY.match(w) for w in words[1:3]):
        return f"{seg.program} config stores a registry credential"
    return None


# A one-liner publishing through a publishing tool's own library, with no command to
# see (`from twine.cli import dispatch; dispatch(['upload', ...])`, node's
# libnpmpublish): the tool's name, then its verb.
_PUBLISHING_LIBRARY = re.compile(r"\b(?:twine|flit(?:_core)?|hatch|maturin|poetry|libnpmpublish|npm-registry-fetch"
                                 r"|gemcutter|ghapi|Github|octokit|gitlab)\b[^\n]{0,300}?['\"\s.(]"
                                 r"(?:upload|publish|create_release|createRelease|delete|edit|merge)\b")


# For the commonest programs publish runs on, the words publishes() cannot find anything
# without (a program run by a path is also judged by its name: the `slash` feature runs
# the check past these): a subcommand of _PUBLISH, an image build (_build_pushes and
# `docker build --push` both need `build` or `bake`), `setup.py upload|register`, and
# for any program gradle's `--publishImage`, also with a value. Each program here is
# none of the runners publishes() reads otherwise (task, script and package runners, nx,
# lerna). The gate reads the very arguments publishes() reads (its positionals are
# some of them), so no spelling passes one and not the other.
_BUILDS = frozenset({"build", "bake"})
_IMAGE_OPTION = frozenset({"--publishImage", "--publishImage="})
_PUBLISH_WORDS = {
    **{program: frozenset({prefix[0] for prefix in _PUBLISH.get(program, ())}) | _BUILDS | _IMAGE_OPTION
       for program in _IMAGE_BUILDERS},
    **{program: frozenset({prefix[0] for prefix in _PUBLISH[program]}) | _IMAGE_OPTION
       for program in ("gh", "glab", "helm")},
    "python": frozenset({"upload", "register"}) | _IMAGE_OPTION,
    "python3": frozenset({"upload", "register"}) | _IMAGE_OPTION,
}


def register(check: Callable) -> None:
    @check("publish-from-code", 40, "a one-liner publishing or changing a repository through a tool's library "
           "(twine's dispatch(['upload']), libnpmpublish, PyGithub, octokit)", needs=("inline",))
    def _from_code(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or seg.inline_code is None:
            return None
        found = _PUBLISHING_LIBRARY.search(seg.inline_code[1])
        return f"{seg.inline_code[0]} code publishes through {found.group(0)[:60]}" if found else None

    @check("registry-login", 30, "a registry login or stored registry credential (npm login, docker login "
           "--password-stdin, cargo login TOKEN, poetry config pypi-token.x)", programs=_REGISTRY_CLIENTS)
    def _login(subject: Subject) -> str | None:
        seg = subject.segment
        return registry_login(seg) if seg is not None and seg.program in _REGISTRY_CLIENTS else None

    @check("publish", 40, "publishes, unpublishes, retags or deploys packages, images and releases "
           "(npm publish/unpublish/deprecate/dist-tag, twine/poetry/uv publish, cargo publish/yank, gem push, "
           "gradle publish, mvn deploy, docker push, make deploy, vercel --prod...)",
           programs=(*_PUBLISH, *_TASK_RUNNERS, *_SCRIPT_RUNNERS, *_PACKAGE_RUNNERS, "python", "python3", "ko", "vc",
                     *_IMAGE_BUILDERS), needs=("slash",), words=_PUBLISH_WORDS)
    def _publish(subject: Subject) -> str | None:
        seg = subject.segment
        return publishes(seg) if seg is not None else None

    @check("api-write", 40, "a request that changes something (DELETE, PATCH, PUT, POST with a body) sent with "
           "credentials to another host", programs=("curl", "curlie", "wget", "wget2", *HTTPIE))
    def _api_write(subject: Subject) -> str | None:
        seg = subject.segment
        return authenticated_write(subject, seg) if seg is not None else None

    @check("remote-change", 40, "sends code or changes settings somewhere else: git push to a new remote, a URL, "
           "tags or --all; git remote set-url; gh/glab repo edit/delete, api -X DELETE/PATCH/POST, pr merge, "
           "workflow run, secret set; any forge verb (gh, glab, tea, hub, bb) that is not a read, a new pull "
           "request, issue or comment (merge, close, reopen, edit, fork...)",
           programs=("git", "gh", "glab", "tea", "hub", "bb"))
    def _remote(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None:
            return None
        if seg.program == "git":
            return git_remote_change(subject, seg)
        return forge_change(seg)
