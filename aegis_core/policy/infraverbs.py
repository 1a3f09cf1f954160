"""Multi-purpose infrastructure programs (helm, kubectl, terraform and its kin) judged
by what they leave alone, as forges.py judges the forges' CLIs: each grows new verbs
every release, and a verb that is not a known read, render, check or dry run may
change a cluster, a release or real infrastructure, so a person says yes. The known
ones (``helm template``, ``helm upgrade --install --dry-run``, ``terraform plan``,
``kubectl get/describe/diff``) run without asking; the rules before this one still
judge them (secrets printed, files written outside the project).

Also routine here: ``go install`` of the project's own packages (``./...``, ``.``),
which builds them into the user's Go bin folder, as ``go build -o`` would."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from aegis_core.policy.subcommands import positionals

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject
    from aegis_core.policy.shell import Segment

_HELP = frozenset({"--help", "-h", "help", "--version", "version", "completion"})
# helm: reads, renders, local chart work; dependency commands fetch the chart's own
# dependencies into the chart (as npm ci does for a package).
_HELM_READS = frozenset({"template", "lint", "list", "ls", "status", "history", "hist", "show", "inspect",
                         "search", "env", "dependency", "dep", "dependencies", "verify", "diff", "package",
                         "create", "pull", "fetch", "version"})
_HELM_GET_READS = frozenset({"manifest", "notes", "hooks", "metadata"})
_HELM_DRY_RUN = frozenset({"install", "upgrade"})
# terraform/tofu/terragrunt: plan and look; `init` fetches the configuration's own
# providers and modules (a module from a URL is judged by the remote-code rules).
_TERRAFORM_READS = frozenset({"plan", "validate", "fmt", "show", "graph", "providers", "version", "output",
                              "init", "get", "metadata", "modules", "hclfmt", "validate-inputs", "render-json",
                              "graph-dependencies", "output-module-groups", "render", "info", "find", "list",
                              "scaffold", "catalog", "dag", "hcl"})
# terragrunt's options that take no value (every other --terragrunt-* option takes one).
_TERRAGRUNT_FLAGS = frozenset({"non-interactive", "debug", "no-auto-init", "no-auto-retry", "no-auto-approve",
                               "ignore-dependency-errors", "ignore-dependency-order", "include-external-dependencies",
                               "ignore-external-dependencies", "source-update", "check", "diff", "strict-include",
                               "log-disable", "no-color", "json-log", "tflint", "use-partial-parse-config-cache",
                               "fetch-dependency-output-from-state", "strict-validate", "fail-on-state-bucket-creation",
                               "disable-bucket-update", "disable-command-validation", "no-destroy-dependencies-check",
                               "include-module-prefix", "forward-tf-stdout", "log-show-abs-paths"})
_TERRAFORM_SECOND = {"state": frozenset({"list", "show"}), "workspace": frozenset({"list", "show", "select"}),
                     "run-all": frozenset({"plan", "validate", "init", "output", "show", "fmt", "hclfmt"}),
                     "run": frozenset({"plan", "validate", "init", "output", "show", "fmt"})}
# kubectl and its kin: reads and client-side work.
_KUBE_READS = frozenset({"get", "describe", "logs", "log", "diff", "explain", "api-resources", "api-versions",
                         "version", "cluster-info", "top", "events", "kustomize", "wait", "options", "plugin",
                         "port-forward", "proxy", "whoami", "status", "projects", "project", "convert", "alpha"})
_KUBE_SECOND = {"auth": frozenset({"can-i", "whoami"}),
                "config": frozenset({"view", "get-contexts", "current-context", "get-clusters", "get-users"}),
                "rollout": frozenset({"status", "history"})}
# docker/podman/nerdctl: the engine's cluster and shared state (swarm, services, stacks,
# secrets, signatures, restart policies) changes by any verb but these reads.
_ENGINE_READS = {"swarm": frozenset({"ca"}), "node": frozenset({"ls", "inspect", "ps"}),
                 "service": frozenset({"ls", "inspect", "logs", "ps"}), "stack": frozenset({"ls", "ps", "services",
                                                                                          "config"}),
                 "secret": frozenset({"ls", "inspect"}), "config": frozenset({"ls", "inspect"}),
                 "trust": frozenset({"inspect", "view"}), "update": frozenset(),
                 "context": frozenset({"ls", "list", "inspect", "show", "export"})}
# Verbs that act on every container a substitution finds (`docker stop $(docker ps -q)`).
_ENGINE_BULK = frozenset({"stop", "kill", "pause", "restart", "update", "rm", "rmi"})
_ENGINES = frozenset({"docker", "podman", "nerdctl"})
_KUBE_PROGRAMS = frozenset({"kubectl", "oc", "kubecolor"})
_TERRAFORM_PROGRAMS = frozenset({"terraform", "tofu", "terragrunt"})
# Cluster tools that pass a kubectl command line through (`minikube kubectl -- delete ns x`).
_KUBECTL_PASSING = frozenset({"minikube", "microk8s", "k3s", "k0s"})
PROGRAMS = (*_KUBE_PROGRAMS, *_TERRAFORM_PROGRAMS, "helm", *_ENGINES, *_KUBECTL_PASSING)
_ALL = frozenset(PROGRAMS)


def _first_words(program: str, texts: list[str]) -> list[str]:
    key = "kubectl" if program in _KUBE_PROGRAMS else program
    if key in _TERRAFORM_PROGRAMS:
        words: list[str] = []  # terraform's -chdir=DIR is one word; terragrunt's --terragrunt-x takes the next
        skip = False
        for text in texts:
            if skip:
                skip = False
            elif text.startswith("--terragrunt-") and "=" not in text:
                skip = text[len("--terragrunt-"):] not in _TERRAGRUNT_FLAGS
            elif not text.startswith("-"):
                words.append(text)
        return words
    return positionals(key, texts)


def verb_change(seg: Segment) -> str | None:
    """Why this helm/kubectl/terraform command line may change something, judged by
    its verb, or None for a known read, render, check or dry run."""
    program = seg.program
    if program not in _ALL:
        return None
    texts = list(seg.argv[1:])
    if program in _KUBECTL_PASSING:
        if texts[:1] != ["kubectl"]:
            return None
        program, texts = "kubectl", [t for t in texts[1:] if t != "--"]
    if _HELP.intersection(texts[:3]) or not texts:
        return None
    if program in _ENGINES:
        return _engine_change(seg, program, texts)
    words = _first_words(program, texts)
    if not words:
        return None
    verb, second = words[0], (words[1] if len(words) > 1 else "")
    if program == "helm":
        if "--post-renderer" in texts or any(t.startswith("--post-renderer=") for t in texts):
            return "helm --post-renderer runs a program of your choice on the chart"
        if verb in _HELM_READS or (verb == "get" and second in _HELM_GET_READS) \
                or (verb == "repo" and second in ("list", "ls", "update", "up", "index")) \
                or (verb == "plugin" and second in ("list", "ls")) \
                or (verb in _HELM_DRY_RUN and any(t == "--dry-run" or (t.startswith("--dry-run=") and
                                                 not t.endswith("=false")) for t in texts)):
            return None
    elif program in _TERRAFORM_PROGRAMS:
        if verb in _TERRAFORM_READS or second in _TERRAFORM_SECOND.get(verb, ()):
            return None
    elif verb in _KUBE_READS or second in _KUBE_SECOND.get(verb, ()):
        return None
    return f"{program} {verb} is not a known read or dry run: it may change a cluster, a release or infrastructure"


def _engine_change(seg: Segment, program: str, texts: list[str]) -> str | None:
    """A container engine's shared state changed (`docker swarm init`, `docker service
    rm`, `docker trust revoke`, `docker update --restart=always`), or every container a
    substitution finds stopped or removed."""
    words = positionals("docker", texts)
    if not words:
        return None
    verb, second = words[0], (words[1] if len(words) > 1 else "")
    if verb in _ENGINE_READS and second not in _ENGINE_READS[verb]:
        return f"{program} {verb} {second}".rstrip() + " changes the engine's shared state"
    if verb in _ENGINE_BULK and any(a.dynamic for a in seg.args[1:]):
        return f"{program} {verb} acts on containers only known at run time"
    return None


def local_go_install(seg: Segment) -> bool:
    """`go install ./...`, `go install .`, `go install ./cmd/server`: the project's own
    packages built into the Go bin folder (no module@version from elsewhere)."""
    texts = list(seg.argv[1:])
    if seg.program != "go" or texts[:1] != ["install"]:
        return False
    packages = [t for t in texts[1:] if not t.startswith("-")]
    if any(t.startswith(("-toolexec", "-exec", "-overlay", "-modfile")) for t in texts[1:]):
        return False
    return bool(packages) and all(
        p == "." or (p.startswith("./") and ".." not in p.replace("/...", "") and "@" not in p) for p in packages)


# A task or script whose name says it tears infrastructure down (`make destroy`, `npm run
# infra:teardown`, `just nuke-env`): the word alone or as a part of the name, as the
# shipping names of publishchecks are read. The file defining it is read when it is on
# disk (taskrunners.py); this is what the name says when it is not.
_DESTROYING_NAME = re.compile(r"(?i)^(?:[\w.-]*[-_:.])?(?:destroy|teardown|tear-down|nuke|undeploy|decommission)"
                              r"(?:[-_:.][\w:.-]*)?$")
_DRY_RUN = frozenset({"-n", "--dry-run", "--just-print", "--recon", "--dry", "--summary", "--list", "-l"})
TASK_PROGRAMS = frozenset({"make", "gmake", "just", "task", "mage", "invoke", "inv", "nox", "rake", "gulp", "grunt",
                           "npm", "pnpm", "yarn", "bun", "poe", "doit", "earthly", "cargo-make", "makers", "hatch"})


def destroying_task(seg: Segment) -> str | None:
    """`make destroy`, `npm run infra:teardown`: a task named for tearing something down."""
    if not _DRY_RUN.isdisjoint(seg.argv[1:]):
        return None  # `make -n nuke`: prints what it would run
    words = [w for w in seg.argv[1:] if not w.startswith("-") and "=" not in w]
    if seg.program in ("npm", "pnpm", "yarn", "bun") and words[:1] in (["run"], ["run-script"]):
        words = words[1:2]
    elif seg.program in ("npm", "pnpm", "yarn", "bun"):
        words = words[:1] if seg.program != "npm" else []
    for word in words[:4]:
        if _DESTROYING_NAME.match(word):
            return f"{seg.program} {word} runs a task named for tearing something down"
    return None


def register(check: Callable) -> None:
    @check("destroying-task", 30, "a task or script named for tearing something down (make destroy, npm run "
           "teardown), when its file is not there to read", programs=TASK_PROGRAMS)
    def _destroying(subject: Subject) -> str | None:
        seg = subject.segment
        return destroying_task(seg) if seg is not None and seg.program in TASK_PROGRAMS else None

    @check("infra-verb-change", 30, "helm, kubectl or terraform with a verb that is not a known read, render, "
           "check or dry run (helm template/lint/status, kubectl get/describe/diff/logs, terraform plan/validate); "
           "docker/podman changing the engine's shared state (swarm, service, stack, secret, trust, update, "
           "context) or stopping/removing containers only known at run time",
           programs=PROGRAMS)
    def _verb(subject: Subject) -> str | None:
        seg = subject.segment
        return verb_change(seg) if seg is not None else None

    @check("local-go-install", 0, "go install of the project's own packages (./..., ., ./cmd/x)", programs=("go",))
    def _go(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or not local_go_install(seg):
            return None
        return "go install builds the project's own packages"
