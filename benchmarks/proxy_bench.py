"""Network through Aegis, the path a sandboxed program takes: ``aegis wrap -- curl``
(the listener ``aegis wrap`` makes from outside in the sandbox's network namespace,
its relay to the session's ``proxy.sock``, the daemon's egress proxy) against the
same download straight from the origin, both on loopback, interleaved in one run.

    python benchmarks/proxy_bench.py [--size-mb 200] [--rounds 5]

The origin sends a file with sendfile (it is not the bottleneck); the client is curl
(C, not the bottleneck either), inside the sandbox through a CONNECT tunnel (what
HTTPS takes) and as a forwarded plain-HTTP request; curl's own figure is the
transfer alone, not the wrap's start. The destination is in the manifest's
network.allow, so no human is asked. Machines here are shared and noisy: read the
ratios (median of each round's ratio to the direct download next to it), not the
MB/s.

Target (issue 13): proxied throughput >= 50% of direct, CONNECT and plain HTTP.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path


class SendfileOrigin:
    """Answers every request on 127.0.0.1 with ``path``'s bytes, sent with sendfile."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = path.stat().st_size
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                head += chunk
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % self.size)
            with self.path.open("rb") as body:
                conn.sendfile(body)


def curl_speed(argv_prefix: list[str], url: str, extra: list[str], env: dict[str, str], cwd: Path) -> float:
    result = subprocess.run([*argv_prefix, "curl", "-sS", *extra, "-o", "/dev/null", "-w", "speed=%{speed_download}",
                             url], capture_output=True, text=True, timeout=600, env=env, cwd=cwd,
                            stdin=subprocess.DEVNULL)
    found = re.findall(r"speed=([0-9.]+)", result.stdout)
    if result.returncode != 0 or not found:
        raise SystemExit(f"curl failed ({' '.join(argv_prefix[-3:])}): {result.stderr[-800:] or result.stdout[-800:]}")
    return float(found[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("curl") is None:
        raise SystemExit("curl is needed (apt-get install curl)")

    root = Path(tempfile.mkdtemp(prefix="apb-", dir="/tmp"))
    home, project = root / "ah", root / "project"
    home.mkdir(mode=0o700)
    project.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AEGIS_") and k.lower() not in _PROXY_NAMES}
    env.update({"AEGIS_HOME": str(home), "HOME": str(root), "TERM": "dumb"})
    payload = root / "payload"
    with payload.open("wb") as out:
        block = os.urandom(1 << 20)
        for _ in range(args.size_mb):
            out.write(block)
    origin = SendfileOrigin(payload)
    (home / "policy.toml").write_text(f'[policy]\ninclude_defaults = true\n\n[sandbox.network]\n'
                                      f'allow = ["127.0.0.1:{origin.port}"]\n')
    cli = [sys.executable, "-m", "aegis_core.cli"]
    subprocess.run([*cli, "start"], env=env, check=True, capture_output=True)
    wrapped = [*cli, "wrap", "--"]
    try:
        url = f"http://127.0.0.1:{origin.port}/payload"
        print(f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
        speeds: dict[str, list[float]] = {"direct": [], "tunnel": [], "forwarded": []}
        ratios: dict[str, list[float]] = {"tunnel": [], "forwarded": []}
        curl_speed(wrapped, url, ["--proxytunnel"], env, project)  # warm: the daemon's first session
        for _ in range(args.rounds):  # interleaved, so drifting machine load hits all three alike
            direct = curl_speed([], url, ["--noproxy", "*"], env, project)
            speeds["direct"].append(direct)
            for name, extra in (("tunnel", ["--proxytunnel"]), ("forwarded", [])):
                speed = curl_speed(wrapped, url, extra, env, project)
                speeds[name].append(speed)
                ratios[name].append(speed / direct)
        direct = statistics.median(speeds["direct"])
        print(f"download of {args.size_mb} MiB on loopback, {args.rounds} rounds (curl; load now "
              f"{os.getloadavg()[0]:.2f}):")
        print(f"  direct                                 {direct / 1e6:9.1f} MB/s (median)")
        for name, label in (("tunnel", "aegis wrap -- curl, CONNECT"), ("forwarded", "aegis wrap -- curl, plain HTTP")):
            speed = statistics.median(speeds[name])
            print(f"  {label:38} {speed / 1e6:9.1f} MB/s   median ratio to the direct one of its round "
                  f"{statistics.median(ratios[name]):5.2f} (min {min(ratios[name]):.2f}; target >= 0.50)")
    finally:
        subprocess.run([*cli, "stop", "--force", "--timeout", "5"], env=env, capture_output=True)
        origin.listener.close()
        shutil.rmtree(root, ignore_errors=True)


_PROXY_NAMES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


if __name__ == "__main__":
    main()
