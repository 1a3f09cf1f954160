"""Network through Aegis: a download through the bridge and the daemon's egress proxy
against the same download straight from the origin, both on loopback, in the same
run; then what the bridge adds to the start of every wrapped command.

    python benchmarks/proxy_bench.py [--size-mb 200] [--rounds 5]

The origin sends a file with sendfile (it is not the bottleneck); the client is curl
(C, not the bottleneck either), through a CONNECT tunnel (what HTTPS takes) and as a
forwarded plain-HTTP request. The destination is in the manifest's network.allow, so
no human is asked. Machines here are shared and noisy: read the ratios, not the MB/s.

Targets (issue 13): proxied throughput >= 50% of direct; the bridge's start-up well
inside the sandbox's +50 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from aegis_core.network import bridge_command
from aegis_core.testing import daemon_stream


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


def curl_speed(argv_prefix: list[str], url: str, extra: list[str]) -> float:
    result = subprocess.run([*argv_prefix, "curl", "-sS", *extra, "-o", "/dev/null", "-w", "%{speed_download}", url],
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise SystemExit(f"curl failed: {result.stderr or result.stdout}")
    return float(result.stdout)


def startup_ms(argv: list[str], rounds: int = 40) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run(argv, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("curl") is None:
        raise SystemExit("curl is needed (apt-get install curl)")

    root = Path(tempfile.mkdtemp(prefix="apb-", dir="/tmp"))
    home = root / "ah"
    home.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AEGIS_")}
    env.update({"AEGIS_HOME": str(home), "AEGIS_LOAD_PLUGINS": "", "HOME": str(root)})
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
    try:
        created = daemon_stream(home / "aegis.sock", "session.create", agent="bench", cwd=str(root),
                                command="bench")[-1]
        bridge = bridge_command(proxy_socket=created["proxy_socket"])
        url = f"http://127.0.0.1:{origin.port}/payload"
        speeds: dict[str, list[float]] = {"direct": [], "tunnel": [], "forwarded": []}
        for _ in range(args.rounds):  # interleaved, so drifting machine load hits all three alike
            speeds["direct"].append(curl_speed([], url, ["--noproxy", "*"]))
            speeds["tunnel"].append(curl_speed(bridge, url, ["--proxytunnel"]))
            speeds["forwarded"].append(curl_speed(bridge, url, []))
        direct = statistics.median(speeds["direct"])
        print(f"download of {args.size_mb} MiB on loopback, median of {args.rounds} rounds (curl):")
        print(f"  direct                     {direct / 1e6:9.1f} MB/s")
        for name, label in (("tunnel", "through Aegis, CONNECT"), ("forwarded", "through Aegis, plain HTTP")):
            speed = statistics.median(speeds[name])
            print(f"  {label:26} {speed / 1e6:9.1f} MB/s   ratio {speed / direct:5.2f} of direct (target >= 0.50)")
    finally:
        subprocess.run([*cli, "stop", "--force", "--timeout", "5"], env=env, capture_output=True)
        origin.listener.close()

    python = [sys.executable, "-I", "-S"]
    bare = startup_ms([*python, "-c", "pass"])
    bridged = startup_ms([*bridge_command(proxy_socket=str(root / "none.sock")), "true"])
    plain = startup_ms(["true"])
    print("start-up, median of 40 runs:")
    print(f"  true                        {plain:6.1f} ms")
    print(f"  python -I -S -c pass        {bare:6.1f} ms")
    print(f"  bridge -- true              {bridged:6.1f} ms   (adds {bridged - plain:.1f} ms to a command; "
          f"{bridged / bare:.2f}x a bare interpreter)")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
