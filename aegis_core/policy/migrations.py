"""Database destruction through framework commands: flushing, migrating to zero,
downgrading to base, resetting and dropping, in the common migration tools (Django,
Alembic/Flask-Migrate, Prisma, Rails, Laravel, Knex, Sequelize, TypeORM, Drizzle,
MikroORM, Ecto, Doctrine, Flyway, Liquibase, goose, migrate, dbmate, Diesel, SQLx,
EF Core, Supabase, Heroku) and the database servers' own drop commands."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from aegis_core.policy.netchecks import SQL_CLIENTS, SQL_DESTRUCTIVE

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject
    from aegis_core.policy.shell import Segment

# Each: a regex over the command's words joined by single spaces (program included,
# whatever runs it: `python manage.py`, `npx prisma`, `bundle exec rails`, `docker
# compose exec web ...`), and what it destroys.
_DESTROYERS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern), what) for pattern, what in (
    (r"(?:manage\.py|django-admin|-m django) (?:\S+ )*?(?:flush|reset_db|reset_schema|sqlflush|drop_test_database)\b",
     "Django flush/reset_db empties the database"),
    (r"(?:manage\.py|django-admin|-m django) (?:\S+ )*?migrate (?:--\S+ )*\S+ zero\b",
     "Django migrate APP zero undoes every migration of the app (drops its tables)"),
    (r"\b(?:alembic|flask db|db) (?:\S+ )*?downgrade (?:(?:--\S+|-x \S+) )*(?:base|-\d{2,}|[1-9]\d*:base)\b"
     r"(?!.*--sql)", "downgrade to base drops every table the migrations made"),
    (r"\bprisma (?:\S+ )*?(?:migrate reset|db push (?:\S+ )*?--(?:force-reset|accept-data-loss)"
     r"|migrate dev (?:\S+ )*?--force)\b", "Prisma resets or rewrites the database"),
    (r"\b(?:rails|rake) (?:\S+ )*?(?:db:(?:drop|reset|purge|truncate_all|schema:load|structure:load"
     r"|migrate:reset|seed:replant|setup)|db:migrate VERSION=0\b|db:rollback STEP=\d{2,})",
     "Rails drops, resets or reloads the database"),
    (r"\bartisan (?:\S+ )*?(?:migrate:(?:fresh|reset|refresh)|db:wipe|schema:dump --prune)\b",
     "Laravel wipes, resets or rolls back the database"),
    (r"\bknex (?:\S+ )*?migrate:rollback (?:\S+ )*?--all\b", "Knex rolls back migrations"),
    (r"\bsequelize(?:-cli)? (?:\S+ )*?(?:db:drop|db:migrate:undo:all|db:seed:undo:all)\b",
     "Sequelize drops the database or undoes every migration"),
    (r"\btypeorm(?:-ts-node-\w+)? (?:\S+ )*?(?:schema:drop|schema:sync)\b",
     "TypeORM drops or rewrites the schema"),
    (r"\bdrizzle-kit (?:\S+ )*?(?:drop|push (?:\S+ )*?--force)\b", "Drizzle drops migrations or forces a push"),
    (r"\bmikro-orm (?:\S+ )*?(?:schema:drop|schema:fresh|migration:fresh)\b", "MikroORM drops the schema"),
    (r"\bmix (?:\S+ )*?ecto\.(?:drop|reset|rollback (?:\S+ )*?--all)\b", "Ecto drops or resets the database"),
    (r"\bconsole (?:\S+ )*?doctrine:(?:database:drop|schema:drop|fixtures:load(?! .*--append)|migrations:migrate"
     r" (?:\S+ )*?(?:first|0)\b)", "Doctrine drops or purges the database"),
    (r"\bflyway (?:\S+ )*?clean\b", "flyway clean drops every object in the schemas"),
    (r"\bliquibase (?:\S+ )*?(?:drop-all|dropAll|rollback-count|rollback-to-date)\b", "Liquibase drops or rolls back"),
    (r"\bgoose (?:\S+ )*?(?:reset|down-to 0)\b", "goose rolls back every migration"),
    (r"\bmigrate (?:\S+ )*?(?:drop|down (?:\S+ )*?-all|force)\b", "migrate drops the database or rolls back all"),
    (r"\bdbmate (?:\S+ )*?drop\b", "dbmate drops the database"),
    (r"\bdiesel (?:\S+ )*?(?:database reset|database drop|migration redo (?:\S+ )*?--all|migration revert "
     r"(?:\S+ )*?--all)\b", "Diesel resets or drops the database"),
    (r"\bsqlx (?:\S+ )*?database (?:drop|reset)\b", "SQLx drops or resets the database"),
    (r"\bdotnet ef (?:\S+ )*?database (?:drop|update 0)\b", "EF Core drops the database or reverts everything"),
    (r"\bsupabase (?:\S+ )*?db reset\b", "supabase db reset wipes the database"),
    (r"\bheroku (?:\S+ )*?pg:(?:reset|killall)\b", "heroku pg:reset wipes the database"),
    (r"\bhasura (?:\S+ )*?migrate apply (?:\S+ )*?--down all\b", "Hasura rolls back every migration"),
    (r"\batlas (?:\S+ )*?schema clean\b", "atlas schema clean drops every object in the schema"),
    (r"\bsqitch (?:\S+ )*?revert\b(?!.*(?:--to|--to-change|-t) )",
     "sqitch revert without a target reverts every change"),
    (r"\bpayload (?:\S+ )*?migrate:(?:fresh|reset|down)\b", "Payload drops or rolls back the database"),
    (r"\b(?:turso (?:\S+ )*?db (?:destroy|delete)|pscale (?:\S+ )*?database delete|neonctl (?:\S+ )*?(?:databases? "
     r"delete|branches reset)|wrangler (?:\S+ )*?d1 delete)\b", "deletes or resets a hosted database"),
    (r"\b(?:dropdb|dropuser)\b", "drops a PostgreSQL database or role"),
    (r"\bmysqladmin (?:\S+ )*?drop\b", "mysqladmin drop drops a database"),
    (r"\b(?:redis-cli|valkey-cli|keydb-cli) (?:\S+ )*?(?:flushall|flushdb|FLUSHALL|FLUSHDB)\b",
     "deletes every key in the Redis database"),
    (r"\b(?:mongo|mongosh)\b.*?(?:dropDatabase|\.drop\(|deleteMany\(\s*\{\s*\}|remove\(\s*\{\s*\})",
     "drops or empties a MongoDB database or collection"),
    (r"\bpg_restore (?:\S+ )*?(?:--clean|-c)\b", "pg_restore --clean drops objects before restoring"),
    (r"\betcdctl (?:\S+ )*?del (?:\S+ )*?--prefix\b", "etcdctl del --prefix deletes every key under the prefix"),
    (r"\b(?:redis-cli|valkey-cli|keydb-cli)\b.*\b(?i:del|unlink)\b.*\{stdin\}",
     "deletes Redis keys only known at run time"),
))
# Programs that run one of the above (directly, through a package runner, a container
# or a platform CLI).
DB_PROGRAMS = frozenset({
    "manage.py", "django-admin", "alembic", "flask", "prisma", "rails", "rake", "artisan", "knex", "sequelize",
    "sequelize-cli", "typeorm", "typeorm-ts-node-commonjs", "typeorm-ts-node-esm", "drizzle-kit", "mikro-orm",
    "mix", "console", "symfony", "flyway", "liquibase", "goose", "migrate", "dbmate", "diesel", "sqlx", "dotnet",
    "supabase", "heroku", "hasura", "atlas", "sqitch", "payload", "turso", "pscale", "neonctl", "wrangler",
    "dropdb", "dropuser", "mysqladmin", "redis-cli", "valkey-cli", "keydb-cli",
    "mongo", "mongosh", "pg_restore", "etcdctl", "php", "npx", "pnpx", "bunx", "npm", "pnpm", "yarn", "bun",
    "docker", "podman", "docker-compose", "kubectl", "fly", "flyctl", "railway", "render", "python", "python3",
    "py", "pypy3", "python3.8", "python3.9", "python3.10", "python3.11", "python3.12", "python3.13",
    "python3.14", "uv", "poetry", "pipenv", "pdm", "hatch", "make", "just", "task"})
_FIRST_WORDS = re.compile(r"manage\.py|django|alembic|downgrade|prisma|rails|rake|artisan|knex|sequelize"
                          r"|typeorm|drizzle|mikro-orm|ecto|doctrine|flyway|liquibase|goose|migrate|dbmate"
                          r"|diesel|sqlx|ef database|supabase|pg:|hasura|drop|flush|FLUSH|mongo|pg_restore|etcdctl"
                          r"|atlas|sqitch|payload|turso|pscale|neonctl|d1 delete"
                          r"|\{stdin\}")


# Library calls that drop or empty tables and collections (SQLAlchemy, Django and
# Rails models, Redis and Mongo clients), in code run by `python -c`, `rails runner`,
# `manage.py shell -c`...
DESTROYING_CALLS = re.compile(
    r"\bdrop_all\s*\(|\.drop_table\s*\(|\.drop_collection\s*\(|\.flushall\s*\(|\.flushdb\s*\(|dropDatabase"
    r"|\.delete_many\s*\(\s*\{\s*\}\s*\)|deleteMany\s*\(\s*\{\s*\}\s*\)|objects\s*\.\s*all\s*\(\s*\)\s*\.\s*delete\s*\("
    r"|\.(?:delete_all|destroy_all)\b|truncate_all|(?i:\b(?:drop\s+(?:table|database|schema)|truncate\s+table)\b)")


def destroys_database(words: list[str]) -> str | None:
    """What this command line (its words) destroys in a database, or None."""
    text = " ".join(words)[:4000]
    if not _FIRST_WORDS.search(text):
        found = DESTROYING_CALLS.search(text) if "(" in text or "_all" in text or "rop " in text else None
        return f"code that drops or empties tables ({found.group(0)})" if found else None
    for pattern, what in _DESTROYERS:
        if pattern.search(text):
            return what
    found = DESTROYING_CALLS.search(text)
    return f"code that drops or empties tables ({found.group(0)})" if found else None


# Package scripts and make targets named for wiping a database (`npm run db:reset`,
# `make drop-db`): what they run is not shown, what they are for is.
_RESET_TASK = re.compile(r"(?i)^(?:[\w-]*[:_-])?(?:db|database|schema|data|redis|mongo)[:_-]?(?:reset|drop|wipe|flush"
                         r"|nuke|purge|destroy|truncate|fresh|clear|rollback-all)\b|^(?:[\w-]*[:_-])?(?:reset|drop|wipe"
                         r"|flush|nuke|purge|destroy|truncate)[:_-]?(?:the[:_-]?)?(?:db|database|schema|data)\b")
_RESET_WORDS = re.compile(r"(?i)reset|drop|wipe|flush|nuke|purge|destroy|truncate|fresh|clear|rollback")
_TASK_RUNNERS = frozenset({"npm", "yarn", "pnpm", "bun", "make", "gmake", "just", "task", "mise", "composer", "rake"})
# Words by which a framework or platform tool runs SQL it is given.
_SQL_RUNNING = frozenset({"execute", "exec", "query", "shell", "pg:psql", "sql", "--command", "--stdin", "runsql"})
# Database shells other than the clients themselves.
_DB_SHELLS = frozenset({"dbshell", "dbconsole"})


def _is_sql_client(seg: Segment) -> bool:
    return seg.program in SQL_CLIENTS or not _DB_SHELLS.isdisjoint(seg.argv[1:])


def _fed_text(subject: Subject) -> str:
    """What the segments piped into this one print, when the command shows it
    (``echo 'DROP ...' | psql``, ``cat <<EOF | psql``)."""
    seg = subject.segment
    analysis = subject.analysis
    if seg is None or analysis is None:
        return ""
    parts = []
    for index in seg.pipe_from:
        if index < len(analysis.segments):
            upstream = analysis.segments[index]
            if upstream.program in ("echo", "printf", "cat"):
                parts.append(" ".join(upstream.argv[1:]) + "\n" + upstream.stdin_text)
    return "\n".join(parts)


def register(check: Callable) -> None:
    @check("db-reset", 45, "framework or server commands that drop, flush, reset or roll back a database "
           "(manage.py flush, migrate APP zero, alembic downgrade base, prisma migrate reset, rails db:drop, "
           "artisan migrate:fresh, dropdb, redis-cli FLUSHALL...), also piped into a client or called from "
           "code (db.drop_all(), User.delete_all), and package scripts or make targets named for it "
           "(npm run db:reset)", programs=DB_PROGRAMS | SQL_CLIENTS | _TASK_RUNNERS, needs=("inline",))
    def _db(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None:
            return None
        if seg.inline_code is not None:
            found = DESTROYING_CALLS.search(seg.inline_code[1][:20_000])
            if found:
                return f"{seg.inline_code[0]} code drops or empties tables ({found.group(0)})"
        if seg.program in _TASK_RUNNERS and _RESET_WORDS.search(" ".join(seg.argv[1:])):
            for word in seg.argv[1:]:
                if not word.startswith("-") and _RESET_TASK.search(word):
                    return f"{seg.program} {word}: a task named for wiping a database"
        if seg.pipe_from and _is_sql_client(seg):
            found = SQL_DESTRUCTIVE.search(_fed_text(subject)[:20_000])
            if found:
                return f"destructive statement piped into {seg.program}: {found.group(0).strip()}"
        if seg.program not in DB_PROGRAMS and not seg.program.startswith("python"):
            return None
        words = [seg.program, *seg.argv[1:]]
        if not _SQL_RUNNING.isdisjoint(words[1:]):
            # `prisma db execute --stdin <<< 'DROP SCHEMA ...'`, `wrangler d1 execute db --command ...`
            found = SQL_DESTRUCTIVE.search((" ".join(words) + "\n" + seg.stdin_text)[:20_000])
            if found:
                return f"{seg.program} runs a destructive statement: {found.group(0).strip()}"
        return destroys_database([*seg.wrappers, *words])
