"""``python -m aegis_core.daemon``: what ``aegis start`` runs in the background."""

from __future__ import annotations

import argparse
import sys

from aegis_core.errors import AegisError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="aegis-daemon")
    parser.add_argument("--log-file", help="append JSON log lines here instead of stderr")
    args = parser.parse_args(argv)
    from aegis_core.config import load_config
    from aegis_core.daemon.process import run_foreground
    from aegis_core.plugins import AegisPlugins

    try:
        config = load_config(sections=AegisPlugins.load().config_sections())
        if args.log_file:
            with open(args.log_file, "a", buffering=1, encoding="utf-8") as stream:
                run_foreground(config, log_stream=stream)
        else:
            run_foreground(config)
    except AegisError as exc:
        print(f"aegis daemon: error: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    return 0


if __name__ == "__main__":
    sys.exit(main())
