"""Containers that reach the host, container data thrown away, and what stays routine."""

from __future__ import annotations

import pytest
from policy_support import shell

from aegis_core.models import Action
from aegis_core.policy import default_policy

POLICY = default_policy()


@pytest.mark.parametrize("command", [
    "docker run -v /:/host alpine", "docker run -v /:/host:ro alpine", "docker run --volume=/:/h alpine",
    "docker run -v //:/h alpine", "docker run -v /etc/..:/h alpine", "docker run -v /etc:/etc:ro alpine",
    "docker run -v /var/run/docker.sock:/d.sock alpine", "docker run -v /run/containerd/containerd.sock:/c alpine",
    "docker run --mount type=bind,source=/home,target=/h alpine", "docker run -v /usr/local/bin:/b alpine",
    "docker run --privileged alpine", "docker run --pid=host alpine", "docker run --uts host alpine",
    "docker run --cap-add=sys_admin alpine", "docker run --security-opt label=disable alpine",
    "docker run --device=/dev/mem alpine", "nsenter -t 1 -a", "d=/etc; docker run -v $d:/x alpine",
])
def test_reaching_the_host_needs_approval(command: str) -> None:
    verdict = POLICY.evaluate(shell(command))
    assert verdict.action is Action.REQUIRE_APPROVAL, verdict
    assert verdict.rule == "infra-container-host-access"


@pytest.mark.parametrize("command", [
    "docker run --rm -v \"$PWD\":/app img test", "docker run -v $(pwd)/src:/src img", "docker run -v ./cfg:/cfg img",
    "docker run -v data:/var/lib/mysql mysql", "docker run -v /etc/localtime:/etc/localtime:ro img",
    "docker run -v /tmp/x:/x img", "docker run --network host img", "docker run --cap-add NET_BIND_SERVICE img",
    "docker run --device /dev/dri img",
])
def test_routine_containers(command: str) -> None:
    assert POLICY.evaluate(shell(command)).action is Action.ALLOW


def test_secret_folders_mounted_are_denied() -> None:
    for command in ("docker run -v ~/.ssh:/k alpine", "podman run -v /home/bob/.aws:/a:ro img",
                    "docker run --mount type=bind,src=/root/.kube,dst=/k img"):
        assert POLICY.evaluate(shell(command)).action is Action.DENY, command


@pytest.mark.parametrize("command", [
    "docker volume rm db", "docker compose down -v", "docker compose -f x.yml down --volumes",
    "docker-compose down -v --remove-orphans", "docker system prune --volumes -f", "docker rm -v c",
    "podman system reset", "podman machine rm", "minikube delete", "kind delete cluster --name dev",
    "colima delete -f", "k3d cluster delete", "vagrant destroy -f",
])
def test_data_loss_needs_approval(command: str) -> None:
    assert POLICY.evaluate(shell(command)).action is Action.REQUIRE_APPROVAL, command


@pytest.mark.parametrize("command", ["docker compose down", "docker volume ls", "kind get clusters",
                                     "minikube status", "docker compose stop"])
def test_data_kept_is_routine(command: str) -> None:
    assert POLICY.evaluate(shell(command)).action is Action.ALLOW
