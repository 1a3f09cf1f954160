"""A separate process that answers (or expires) one approval when told "go", for
the cross-process race tests. Usage: race_worker.py DB APPROVAL_ID NAME resolve|expire"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from approvals_support import end

from aegis_core.models import ApprovalStatus
from aegis_core.store import Store


def main() -> None:
    db, approval_id, name, mode = sys.argv[1:5]
    store = Store.open(Path(db))
    print("ready", flush=True)
    sys.stdin.readline()
    if mode == "expire":
        result = end(store, approval_id, ApprovalStatus.EXPIRED, by=name, channel="timeout")
    else:
        approved = name.endswith(("0", "2", "4", "6", "8"))
        status = ApprovalStatus.APPROVED if approved else ApprovalStatus.DENIED
        result = end(store, approval_id, status, by=name, channel="race")
    print(json.dumps({"name": name, "won": result.won}), flush=True)
    store.close()


if __name__ == "__main__":
    main()
