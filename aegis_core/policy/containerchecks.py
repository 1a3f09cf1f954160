"""Containers that reach the host and container data thrown away: the host's root,
system folders, home or the engine's socket mounted into a container (`-v /:/host`,
`--mount type=bind,source=/var/run/docker.sock`), privileged or host-namespace
containers (`--privileged`, `--pid=host`, `--cap-add=SYS_ADMIN`), `nsenter`; volumes
removed (`docker volume rm`, `compose down -v`, `system prune --volumes`) and whole
engines or local clusters reset (`podman system reset`, `minikube delete`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from aegis_core.policy.argpaths import mount_sources, representative
from aegis_core.policy.images import engine_image, kubectl_image, unknown_registry
from aegis_core.policy.paths import is_within, normalise

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject

ENGINES = frozenset({"docker", "podman", "nerdctl", "finch", "docker-compose", "podman-compose"})
# Host folders a container must not get: the system, the engine's own state, every home.
_HOST_SYSTEM = ("/", "/etc", "/var", "/var/run", "/run", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/boot",
                "/dev", "/proc", "/sys", "/root", "/home", "/Users", "/var/lib", "/opt", "/srv", "/mnt", "/media",
                "/private", "/System", "/Library", "/snap", "/nix")
# Below these, a writable mount changes the host system.
_SYSTEM_TREES = ("/etc/", "/usr/", "/bin/", "/sbin/", "/lib/", "/lib64/", "/boot/", "/var/lib/", "/sys/", "/proc/",
                 "/dev/", "/root/", "/System/", "/Library/", "/var/spool/")
_ENGINE_STATE = re.compile(r"(docker|containerd|podman|crio|cri-dockerd|buildkitd?|kubelet|k3s)(\.sock)?$"
                           r"|/var/lib/(docker|containerd|kubelet|rancher)|/run/(docker|containerd|podman)")
_DANGEROUS_CAPS = frozenset({"SYS_ADMIN", "ALL", "SYS_PTRACE", "SYS_MODULE", "DAC_READ_SEARCH", "DAC_OVERRIDE",
                             "SYS_RAWIO", "BPF", "PERFMON", "SYS_BOOT", "MAC_ADMIN", "MAC_OVERRIDE", "SYSLOG",
                             "SYS_TIME", "NET_ADMIN"})
_HOST_NAMESPACES = ("--pid", "--ipc", "--uts", "--userns", "--cgroupns")
_UNCONFINED = re.compile(r"(?i)unconfined|label[=:]disable|no-new-privileges[=:]false|systempaths=unconfined")
_DEVICE = re.compile(r"^/dev/(sd|hd|vd|xvd|nvme|mmcblk|disk|rdisk|md|dm-|loop|mapper/|mem|kmem|port|kmsg|cpu/|"
                     r"mei|sg|bsg|nbd)")


def _mount_is_read_only(spec: str) -> bool:
    options = spec.split(":")[2:] if ":" in spec else []
    return any(o in ("ro", "readonly") or o.startswith("ro,") or ",ro" in o for o in options) or \
        "readonly" in spec or ",ro" in spec or "ro=true" in spec


def _host_mount(path: str, spec: str, subject: Subject) -> str | None:
    """Why mounting host ``path`` into a container reaches the host, or None."""
    if _ENGINE_STATE.search(path):
        return f"mounts {path}: the container engine's socket or state, which is root on the host"
    if path in _HOST_SYSTEM:
        return f"mounts the host folder {path} into a container"
    home = subject.home
    if path == home or is_within(home, path) or re.fullmatch(r"/(home|Users)/[^/]+|/root|/var/home/[^/]+", path):
        return f"mounts a whole home folder ({path}) into a container"
    if is_within(path, home):
        return None  # a folder of your home: secret ones are judged as the secrets they are
    if path.startswith(_SYSTEM_TREES) and not _mount_is_read_only(spec):
        return f"mounts the host's {path} writable into a container"
    if _DEVICE.match(path):
        return f"mounts the device {path} into a container"
    return None


_VOLUME_DEVICE = re.compile(r"volume-opt=device=([^,]*)")


def container_host_access(subject: Subject) -> str | None:
    """A container (or namespace entry) that reaches the host."""
    seg = subject.segment
    if seg is None:
        return None
    program = seg.program
    texts = list(seg.argv[1:])
    if program == "nsenter":
        return "nsenter enters another process's namespaces (the host's, for pid 1)"
    if program in ("systemd-nspawn", "bwrap"):
        for source in mount_sources(program, texts):
            path = normalise(source, subject.cwd, subject.home)
            if path and (why := _host_mount(path, source, subject)):
                return why
        return None
    if program not in ENGINES and program not in ("kubectl", "oc"):
        return None
    if program in ("kubectl", "oc"):
        joined = " ".join(texts)
        if "debug" in texts[:2] and any(t.startswith("node/") for t in texts):
            return "kubectl debug node/... runs a privileged pod on the host"
        if re.search(r"--privileged(=true)?\b|hostPID|hostNetwork|hostIPC|hostPath|\"privileged\"\s*:\s*true", joined):
            return f"{program} runs a privileged or host-namespace pod"
        return None
    if any(a.dynamic for a in seg.args[1:]):
        # `d=/; docker run -v $d:/host`: read arguments as the command's own variables make them.
        variables = subject.cache.get("_variables")
        texts = [(representative(a.text, subject.cwd, subject.home, variables) or a.text) if a.dynamic else a.text
                 for a in seg.args[1:]]
    for i, text in enumerate(texts):
        value = texts[i + 1] if i + 1 < len(texts) else ""
        option, eq, attached = text.partition("=")
        given = attached if eq else value
        if option == "--privileged" and attached.lower() != "false":
            return f"{program} runs a privileged container (root on the host)"
        if option in _HOST_NAMESPACES and given == "host":
            return f"{program} {option}=host shares the host's namespace"
        if option == "--cap-add" and given.upper().removeprefix("CAP_") in _DANGEROUS_CAPS:
            return f"{program} --cap-add {given} gives the container power over the host"
        if option == "--security-opt" and _UNCONFINED.search(given):
            return f"{program} --security-opt {given} removes the container's confinement"
        if option == "--device" and _DEVICE.match(given.split(":", 1)[0]):
            return f"{program} --device {given} hands a host device to the container"
        # A named volume bound to a host folder: `volume create -o type=none -o o=bind -o
        # device=/root v`, `--mount type=volume,...,volume-opt=device=/var/run`.
        bound = _VOLUME_DEVICE.search(given) if option == "--mount" else None
        device = given.removeprefix("device=") if option in ("-o", "--opt") and given.startswith("device=") else \
            bound.group(1) if bound else ""
        if device.startswith(("/", "~", "$", ".")):
            path = normalise(device, subject.cwd, subject.home)
            if path and (why := _host_mount(path, device, subject)):
                return why.replace("mounts", "binds a volume to", 1)
        if option in ("-v", "--volume", "--mount") or text.startswith(("-v/", "-v~", "-v.")):
            spec = given if option in ("-v", "--volume", "--mount") else text[2:]
            for source in mount_sources("docker", ["run", "--mount" if option == "--mount" else "-v", spec]):
                path = normalise(source, subject.cwd, subject.home)
                if path and (why := _host_mount(path, spec, subject)):
                    return why
    return None


# ---------------------------------------------------------------- data thrown away

_ENGINE_RESETS: dict[str, tuple[tuple[str, ...], ...]] = {
    "podman": (("system", "reset"), ("machine", "rm"), ("machine", "reset"), ("machine", "init")),
    "colima": (("delete",), ("prune",)), "minikube": (("delete",),), "kind": (("delete",),),
    "k3d": (("cluster", "delete"), ("cluster", "rm"), ("delete",)), "microk8s": (("reset",),),
    "limactl": (("delete",), ("rm",), ("factory-reset",)), "lima": (("delete",),),
    "multipass": (("delete",), ("purge",)), "vagrant": (("destroy",),), "rdctl": (("factory-reset",),),
    "orb": (("delete",), ("reset",)), "orbctl": (("delete",), ("reset",)), "k0s": (("reset",),),
    "kubeadm": (("reset",),), "k3s-uninstall.sh": ((),), "docker-machine": (("rm",),),
    "docker": (("swarm", "leave"),),
}
# Options of docker, podman and compose that take a value (skipped to find the verbs).
_VALUE_OPTIONS = frozenset({"-f", "--file", "-p", "--project-name", "--env-file", "--profile", "--project-directory",
                            "--ansi", "--parallel", "-H", "--host", "-c", "--context", "--config", "-l", "--log-level",
                            "--filter", "--format", "-t", "--time", "--timeout"})


def _words(texts: list[str]) -> list[str]:
    words: list[str] = []
    skip = False
    for text in texts:
        if skip:
            skip = False
        elif text in _VALUE_OPTIONS:
            skip = True
        elif not text.startswith("-"):
            words.append(text)
    return words


_VOLUME_WORDS = frozenset({"prune", "rm", "remove", "rmi", "kill", "reset"})


def container_data_loss(subject: Subject) -> str | None:
    """Containers, images or volumes removed, or a whole engine or local cluster reset."""
    seg = subject.segment
    if seg is None:
        return None
    program = seg.program
    texts = list(seg.argv[1:])
    words = _words(texts)
    for prefix in _ENGINE_RESETS.get(program, ()):
        if tuple(words[:len(prefix)]) == prefix:
            return f"{program} {' '.join(prefix)}".strip() + " throws away a whole engine or cluster"
    if program not in ENGINES:
        return None
    compose = program.endswith("compose") or words[:1] == ["compose"]
    verbs = words[1:3] if words[:1] == ["compose"] else words[:3]
    inside = _deletes_inside(texts, verbs if compose else words)
    if inside:
        return inside
    if compose and (verbs[:1] == ["down"] or verbs[:1] == ["rm"]) and (
            {"-v", "--volumes"} & set(texts) or any(t.startswith("-") and not t.startswith("--") and "v" in t
                                                    for t in texts)):
        return f"{program} {' '.join(verbs[:1])} -v removes the project's volumes (its data)"
    if compose and verbs[:1] in (["up"], ["create"]) and {"-V", "--renew-anon-volumes"} & set(texts):
        return f"{program} {verbs[0]} --renew-anon-volumes throws away the containers' anonymous volumes (data)"
    if compose and verbs[:1] == ["down"] and "--rmi" in " ".join(texts):
        return f"{program} down --rmi removes images"
    if compose:
        return "compose rm removes containers" if verbs[:1] == ["rm"] else None
    if words[:2] in (["builder", "prune"], ["buildx", "prune"], ["image", "prune"]) and not (
            {"-a", "--all"} & set(texts) or any(t.startswith("-") and not t.startswith("--") and "a" in t
                                                for t in texts)):
        return None  # dangling images and build cache: every build makes them again
    found = _VOLUME_WORDS.intersection(words[:3])
    if found:
        what = sorted(found)[0]
        if "volume" in words[:2] or "--volumes" in texts or (what == "rm" and "-v" in texts):
            return f"{program} {what} removes volumes (data)"
        return f"{program} {' '.join(words[:2])} removes containers, images or cached data"
    return None


# A deleting command, as a word of its own or inside a shell string run in a container.
_DELETING = re.compile(r"(?:^|[\s;&|'\"(])(?:rm|rmdir|shred|unlink|truncate|wipefs|dropdb)\s|\s-delete\b")


_SCRATCH = ("/tmp/", "/var/tmp/")  # noqa: S108 - paths in a container compared, never used


def _deletes_inside(texts: list[str], words: list[str]) -> str | None:
    """A command that deletes run where data lives: in a container given another's
    volumes (`docker run --volumes-from db alpine rm -rf /var/lib/postgresql`), or in
    a running one (`docker exec db sh -c 'rm -rf /data'`); its scratch space aside."""
    verb = words[1] if words[:1] == ["container"] and len(words) > 1 else words[0] if words else ""
    volumes = verb in ("run", "create") and any(t == "--volumes-from" or t.startswith("--volumes-from=")
                                                for t in texts)
    if not (volumes or verb == "exec"):
        return None
    command = " ".join(texts)
    if not _DELETING.search(command):
        return None
    places = [t for t in re.split(r"[\s;&|'\"()]+", command) if t.startswith("/")]
    if places and all(p.startswith(_SCRATCH) for p in places):
        return None
    if volumes:
        return "a container given another container's volumes (--volumes-from) deletes in them (their data)"
    return "a command run in a running container (exec) deletes what it holds (its data, its volumes)"


def register(check: Callable) -> None:
    @check("container-host-access", 50, "a container that reaches the host: the host's root, system folders, "
           "a home or the engine's socket mounted; --privileged, --pid=host, --cap-add=SYS_ADMIN, "
           "unconfined; nsenter", programs=(*ENGINES, "nsenter", "systemd-nspawn", "bwrap", "kubectl", "oc"))
    def _host(subject: Subject) -> str | None:
        return container_host_access(subject)

    @check("container-data-loss", 40, "containers, images or volumes removed (docker volume rm/prune, compose "
           "down -v, system prune), or a container engine or local cluster reset (podman system reset, "
           "minikube/kind delete)", programs=(*ENGINES, *_ENGINE_RESETS))
    def _data(subject: Subject) -> str | None:
        return container_data_loss(subject)

    @check("container-remote-engine", 40, "docker/podman changing things on an engine elsewhere (--context, "
           "-H, DOCKER_HOST, DOCKER_CONTEXT), `docker context use` of another engine, or `docker plugin install` "
           "(a plugin runs with the engine's rights)", programs=ENGINES)
    def _remote_engine(subject: Subject) -> str | None:
        return remote_engine(subject)

    @check("container-unknown-image", 40, "a container started (run, create, pull, kubectl run --image) from an "
           "image of a registry that is not Docker Hub, a known public registry, a cloud account's own or this "
           "machine's", programs=(*ENGINES, "kubectl", "oc"))
    def _image(subject: Subject) -> str | None:
        return unknown_image(subject)


# Verbs that only look at an engine, wherever it is.
_ENGINE_READS = frozenset({"ps", "images", "image", "logs", "inspect", "version", "info", "top", "stats", "port",
                           "events", "diff", "history", "search", "ls", "list", "config", "help", "--help"})
_LOCAL_ENGINES = frozenset({"", "default", "desktop-linux", "colima", "orbstack", "rootless", "podman-machine-default"})


def remote_engine(subject: Subject) -> str | None:
    seg = subject.segment
    if seg is None or seg.program not in ENGINES:
        return None
    texts = list(seg.argv[1:])
    words = _words(texts)
    if words[:2] == ["plugin", "install"]:
        return f"{seg.program} plugin install runs a plugin with the engine's rights"
    if words[:2] == ["context", "use"] and len(words) > 2 and words[2] not in _LOCAL_ENGINES:
        return f"{seg.program} context use {words[2]} points every later command at another engine"
    target = _engine_target(texts, seg.assignments)
    if target is None:
        return None
    verbs = [w for w in words if w not in ("compose", "container", "image", "volume", "network", "system")][:1]
    if not verbs or verbs[0] in _ENGINE_READS or words[:2] in (["context", "ls"], ["context", "inspect"]):
        return None
    return f"{seg.program} {' '.join(words[:2])} changes things on the engine at {target}"


def _engine_target(texts: list[str], assignments: tuple[str, ...]) -> str | None:
    """The engine elsewhere a command is pointed at, or None for this machine's."""
    given: list[str] = []
    for i, text in enumerate(texts):
        name, eq, value = text.partition("=")
        if name in ("-H", "--host", "-c", "--context", "--url", "--connection"):
            given.append(value if eq else (texts[i + 1] if i + 1 < len(texts) else ""))
        elif not text.startswith("-"):
            break
    given += [a.split("=", 1)[1] for a in assignments
              if a.startswith(("DOCKER_HOST=", "DOCKER_CONTEXT=", "CONTAINER_HOST=", "CONTAINER_CONNECTION="))]
    for value in given:
        if value in _LOCAL_ENGINES or value.startswith(("unix://", "npipe://")) or "localhost" in value \
                or "127.0.0.1" in value:
            continue
        return value
    return None


def unknown_image(subject: Subject) -> str | None:
    seg = subject.segment
    if seg is None or not (seg.program in ENGINES or seg.program in ("kubectl", "oc")):
        return None
    texts = list(seg.argv[1:])
    image = kubectl_image(texts) if seg.program in ("kubectl", "oc") else engine_image(texts)
    host = unknown_registry(image)
    if host is None:
        return None
    return f"{seg.program} starts {image}, an image from {host}, a registry nobody vouches for (its code runs here)"


__all__ = ["ENGINES", "container_data_loss", "container_host_access", "register"]
