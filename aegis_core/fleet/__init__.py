"""Fleet mode: many machines' daemons sharing one PostgreSQL (``[store] url``). Each
daemon still judges calls itself; approvals, votes, grants, sessions and the audit
trail are shared (docs/fleet.md)."""
