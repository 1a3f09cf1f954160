"""Database destruction through framework commands: flushing, migrating to zero,
downgrading to base, resetting and dropping, in the common migration tools (Django,
Alembic/Flask-Migrate, Prisma, Rails, Laravel, Knex, Sequelize, TypeORM, Drizzle,
MikroORM, Ecto, Doctrine, Flyway, Liquibase, goose, migrate, dbmate, Diesel, SQLx,
EF Core, Supabase, Heroku) and the database servers' own drop commands."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from aegis_core.policy.cues import start_words
from aegis_core.policy.netchecks import SQL_CLIENTS, SQL_DESTRUCTIVE
from aegis_core.policy.words import WordAnswers

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
    (r"(?:manage\.py|django-admin|-m django) (?:\S+ )*?migrate (?:--\S+ )*[A-Za-z_]\w* \d{4}\w*\b",
     "Django migrate APP NNNN_name goes back to that migration, undoing every later one"),
    (r"\bsqlite-utils (?:\S+ )*?(?:drop-table|drop-view)\b", "sqlite-utils drops a table or view"),
    (r"(?i)\b(?:gradlew?|mvnw?) (?:\S+ )*?(?:flyway:?clean|liquibase:?(?:drop-?all|rollback)|flyway:?undo)\b",
     "a build tool's Flyway/Liquibase task drops or rolls back the database"),
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
    (r"(?i)\bliquibase (?:\S+ )*?(?:drop-?all|rollback-?to-?date)\b", "Liquibase drops or rolls back"),
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
    (r"\b(?:redis-cli|valkey-cli|keydb-cli)\b.*\b(?i:del|unlink)\b.*(?:\{stdin\}|\$\(\.\.\.\)|`)",
     "deletes Redis keys only known at run time"),
))
# Which destroyers may match a text, found in one pass: every match of a destroyer
# starts with one of its start words (cues.start_words, derived from the pattern
# itself), so a destroyer none of whose start words the text holds is not searched.
# The words are scanned longest first at every position; the word found at a position
# holds every shorter start word found there as its prefix, so each word answers for
# the destroyers of all its prefixes. A case-insensitive destroyer is always searched.
def _destroyer_cues() -> tuple[re.Pattern[str], dict[str, frozenset[int]], frozenset[int]]:
    by_word: dict[str, set[int]] = {}
    always: set[int] = set()
    for index, (pattern, _) in enumerate(_DESTROYERS):
        words = None if pattern.flags & re.IGNORECASE else start_words(pattern)
        if words is None:
            always.add(index)
            continue
        for word in words:
            by_word.setdefault(word, set()).add(index)
    ordered = sorted(by_word, key=lambda w: (-len(w), w))
    scan = re.compile("(?=(" + "|".join(re.escape(w) for w in ordered) + "))")
    answers = {word: frozenset(i for prefix, found in by_word.items() if word.startswith(prefix) for i in found)
               for word in ordered}
    return scan, answers, frozenset(always)


_DESTROYER_SCAN, _DESTROYERS_OF_WORD, _DESTROYERS_ALWAYS = _destroyer_cues()


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
    "python3.14", "uv", "poetry", "pipenv", "pdm", "hatch", "make", "just", "task", "sqlite-utils",
    "gradle", "gradlew", "mvn", "mvnw", "mvnd", "sbt"})
_FIRST_WORDS = re.compile(r"manage\.py|django|alembic|downgrade|prisma|rails|rake|artisan|knex|sequelize"
                          r"|typeorm|drizzle|mikro-orm|ecto|doctrine|flyway|liquibase|goose|migrate|dbmate"
                          r"|diesel|sqlx|ef database|supabase|pg:|hasura|drop|flush|FLUSH|mongo|pg_restore|etcdctl"
                          r"|atlas|sqitch|payload|turso|pscale|neonctl|d1 delete"
                          r"|\{stdin\}|-cli (?:\S+ )*?(?i:del|unlink) ")


# Library calls that drop or empty tables and collections (SQLAlchemy, Django and
# Rails models, Redis and Mongo clients), in code run by `python -c`, `rails runner`,
# `manage.py shell -c`...
DESTROYING_CALLS = re.compile(
    r"\bdrop_all\s*\(|\.drop_table\s*\(|\.drop_collection\s*\(|\.flushall\s*\(|\.flushdb\s*\(|dropDatabase"
    r"|\.delete_many\s*\(\s*\{\s*\}\s*\)|deleteMany\s*\(\s*\{\s*\}\s*\)|objects\s*\.\s*all\s*\(\s*\)\s*\.\s*delete\s*\("
    r"|\.(?:delete_all|destroy_all)\b|truncate_all|(?i:\b(?:drop\s+(?:table|database|schema)|truncate\s+table)\b)"
    # Laravel's query builder and Eloquent, SQLAlchemy's query, without a condition
    r"|::truncate\s*\(|->\s*truncate\s*\(|DB::table\([^)]*\)\s*->\s*delete\s*\(\s*\)"
    r"|::query\(\s*\)\s*->\s*delete\s*\(\s*\)|\.query\([^)]*\)\s*\.\s*delete\s*\(\s*\)")


def destroys_database(words: list[str]) -> str | None:
    """What this command line (its words) destroys in a database, or None."""
    text = " ".join(words)[:4000]
    if not _FIRST_WORDS.search(text):
        found = DESTROYING_CALLS.search(text) if "(" in text or "_all" in text or "rop " in text else None
        return f"code that drops or empties tables ({found.group(0)})" if found else None
    candidates = set(_DESTROYERS_ALWAYS)
    for word in _DESTROYER_SCAN.findall(text):
        candidates |= _DESTROYERS_OF_WORD[word]
    for index in sorted(candidates):  # in their order: the first that matches says what
        pattern, what = _DESTROYERS[index]
        if pattern.search(text):
            return what
    found = DESTROYING_CALLS.search(text)
    return f"code that drops or empties tables ({found.group(0)})" if found else None


# Any tool's migration or database subcommand, whatever the tool (the frameworks are
# too many to list: Adonis `node ace`, Yii `migrate/fresh`, CodeIgniter `spark`,
# CakePHP `migrations rollback`, Ecto `ecto.rollback`...), by what its words say: a
# noun of the database and a verb that wipes it, in one word (`migrate:fresh`,
# `db:wipe`, `migrate/refresh`, `schema.drop`, `reset-db`) or in two (`db reset`,
# `migrations rollback`).
_NOUN = r"(?:db|database|databases|schema|migrate|migrations?|ecto|prisma|typeorm|sequelize|knex|drizzle|mikro-?orm)"
# A rollback word that names its own extent: every migration.
_EVERY_SUFFIXES = tuple(f"{sep}{every}" for sep in ":./_-" for every in ("all", "everything"))
_WIPE = r"(?:fresh|refresh|reset|wipe|drop|drop[-_]?all|purge|truncate(?:[-_]?all)?|nuke|destroy|replant)"
_BACK = r"(?:rollback|roll[-_]?back|revert|downgrade|undo|down|redo)"
_WIPE_WORD = re.compile(rf"(?i)^(?:[\w-]*[:./_-])?{_NOUN}[:./_-]{_WIPE}(?:[:./_-]\w+)?$"
                        rf"|^{_WIPE}[:./_-]?(?:the[:._-]?)?{_NOUN}$")
_BACK_WORD = re.compile(rf"(?i)^(?:[\w-]*[:./_-])?{_NOUN}[:./_-]{_BACK}(?:[:./_-]\w+)?$")
_NOUN_WORD = re.compile(rf"(?i)^{_NOUN}$")
_WIPE_VERB = re.compile(rf"(?i)^{_WIPE}$")
_BACK_VERB = re.compile(rf"(?i)^{_BACK}$")
# Rolling back by a count (`-n 50`, `--step=20`, `STEP=5`, `rollbackCount 100`, a bare
# number) or to a target (`--to 0`, `-t 20200101`, `--target-version 0`, `VERSION=0`):
# one step back is routine work, many steps or a chosen target undo the schema.
_COUNT_OPTIONS = frozenset({"-n", "--n", "--step", "--steps", "-s", "--number", "--count", "--amount"})
_TARGET_OPTIONS = frozenset({"--to", "-t", "--target", "--target-version", "--version", "--to-change",
                             "--to-version", "--to-date", "-v", "--batch"})  # adonis: `--batch=0` is every batch
_INERT = frozenset({"--pretend", "--dry-run", "--sql", "--print", "--plan", "--help", "-h", "status", "list"})
_ENV_PRODUCTION = re.compile(r"(?i)^(?:RAILS|RACK|APP|NODE|MIX|FLASK|LARAVEL|ASPNETCORE|DOTNET|DJANGO|GO|DB)_?ENV"
                             r"(?:IRONMENT)?=[\"']?prod(?:uction)?[\"']?$")
_PRODUCTION_WORD = re.compile(r"(?i)^(?:--env(?:ironment)?=)?prod(?:uction)?$")
_DB_WRITING = re.compile(rf"(?i)^(?:[\w-]*[:./_-])?(?:{_NOUN}|seed|fixtures)(?:[:./_-]\w+)*$")
_MANY = 3
# A target relative to the newest migration: `@HEAD^`, `HEAD~2`, `-1`, `prev`.
_RELATIVE = re.compile(r"(?i)^(?:@?head(?:\^+|~(\d+))|-(\d+)|~(\d+)|prev(?:ious)?|last)$")
_COUNTED = re.compile(r"(?i)^rollback[-_]?count$")
# Migration tools whose own verbs (`dbmate rollback`, `goose down`) need no noun before them.
def _generated_destruction(subject: Subject) -> str | None:
    """A migration tool printing the statements of a destructive step, piped into a
    database client that runs them (`alembic downgrade base --sql | psql`, a `--pretend`
    or `--dry-run` printout fed on): the step runs after all."""
    seg, analysis = subject.segment, subject.analysis
    if seg is None or analysis is None:
        return None
    for i in seg.pipe_from:
        if i >= len(analysis.segments):
            continue
        up = analysis.segments[i]
        printed = [w for w in up.argv[1:] if w not in _INERT]
        if len(printed) == len(up.argv) - 1:
            continue  # it runs the step itself: judged as its own segment
        words = [*up.wrappers, up.program, *printed]
        found = generic_destroyer(words, up.assignments) or destroys_database(words)
        if found:
            return f"{found}: the statements {up.program} prints are run by {seg.program}"
    return None


_MIGRATION_TOOLS = frozenset({"dbmate", "goose", "migrate", "sqitch", "flyway", "liquibase", "alembic", "knex",
                              "diesel", "sqlx", "atlas", "hasura", "prisma", "typeorm", "sequelize", "sequelize-cli"})
# Programs whose words are text or file names, never a database command of their own.
_TEXT_TOOLS = frozenset({"cat", "less", "more", "head", "tail", "bat", "vim", "vi", "nvim", "nano", "emacs", "code",
                         "git", "grep", "egrep", "rg", "ag", "ack", "ls", "cp", "mv", "echo", "printf", "touch",
                         "mkdir", "find", "fd", "sed", "awk", "wc", "diff", "stat", "file", "tee", "ln", "open",
                         "man", "which", "type", "help", "tldr", "jq", "yq"})
_FILE_NAME = re.compile(r"\.(?:sql|py|rb|js|ts|php|sh|txt|md|json|ya?ml|toml|ex|exs|go|rs|java|kt|xml|log|bak)$")


def _steps(words: list[str], start: int) -> str | None:
    """How far a rollback at ``words[start]`` goes back, when that is more than a step."""
    rest = words[start + 1:]
    for i, word in enumerate(rest):
        option, eq, value = word.partition("=")
        if not eq and i + 1 < len(rest):
            value = rest[i + 1]
        if option.lower() in ("--all", "-all", "all", "--everything"):
            return "over every migration"
        if option in _COUNT_OPTIONS or option.upper() == "STEP" or (option.startswith("-n") and option[2:].isdigit()):
            number = option[2:] if option.startswith("-n") and option[2:].isdigit() else value
            if number.isdigit() and int(number) >= _MANY:
                return f"by {number} migrations"
        elif option in _TARGET_OPTIONS or option.upper() == "VERSION":
            back = _RELATIVE.match(value)
            if back is not None:
                steps = int(next((g for g in back.groups() if g), 0) or max(1, value.count("^")))
                if steps < _MANY:
                    continue  # `--to @HEAD^`, `-t -1`: a step back
                return f"by {steps} migrations ({value})"
            if value and not value.startswith("-"):
                return f"to the migration {value!r}, undoing every later one"
        elif i == 0 and _RELATIVE.match(word) and word.startswith("-"):  # `alembic downgrade -5`
            if int(word[1:]) >= _MANY:
                return f"by {word[1:]} migrations"
        elif word.isdigit() and int(word) >= _MANY and i == 0:
            return f"by {word} migrations"
    return None


# A migration program run through its build tool (`cargo run -p migration -- fresh`, SeaORM's
# migration crate; `go run ./cmd/migrate -- reset`; `dotnet run --project Migrator -- drop`):
# the verb after `--` is the migration program's own.
_BUILD_RUNNERS = frozenset({"cargo", "go", "dotnet", "swift", "mvn", "gradle", "npm", "pnpm", "yarn", "bun"})
_MIGRATION_HINT = re.compile(r"(?i)migrat|\bdb\b|database|schema|seed")


def _migration_binary(words: list[str]) -> str | None:
    if words[0] not in _BUILD_RUNNERS or "run" not in words[1:3]:
        return None
    cut = words.index("--")
    before, after = words[1:cut], [w for w in words[cut + 1:] if not w.startswith("-")]
    if not after or not any(_MIGRATION_HINT.search(w) for w in before):
        return None
    verb = after[0]
    if _WIPE_VERB.match(verb):
        return f"{' '.join(words[:cut])} -- {verb}: the migration program wipes, resets or drops the database"
    if _BACK_VERB.match(verb):
        how = _steps(words[cut:], words[cut:].index(verb))
        if how:
            return f"{' '.join(words[:cut])} -- {verb} rolls the database back {how}"
    return None


# What each word is to generic_destroyer, as bits: the same words come back call after
# call (`db`, `migrate`, `--env`, `production`), and each costs up to nine regex matches.
_IS_FILE_NAME, _IS_WIPE_WORD, _IS_BACK_WORD, _IS_BACK_VERB, _IS_NOUN, _IS_WIPE_VERB = 1, 2, 4, 8, 16, 32
_IS_ENV_PRODUCTION, _IS_PRODUCTION, _IS_DB_WRITING = 64, 128, 256
# A word with none of these bits cannot start a finding (see generic_destroyer).
_STARTS = _IS_WIPE_WORD | _IS_BACK_WORD | _IS_BACK_VERB | _IS_NOUN | _IS_ENV_PRODUCTION | _IS_PRODUCTION
_WORD_KINDS = WordAnswers()


def _kind_of_word(word: str) -> int:
    kind = _WORD_KINDS.get(word)
    if kind is None:
        kind = ((_IS_FILE_NAME if _FILE_NAME.search(word) else 0)
                | (_IS_WIPE_WORD if _WIPE_WORD.match(word) else 0)
                | (_IS_BACK_WORD if _BACK_WORD.match(word) or _COUNTED.match(word) else 0)
                | (_IS_BACK_VERB if _BACK_VERB.match(word) else 0)
                | (_IS_NOUN if _NOUN_WORD.match(word) else 0)
                | (_IS_WIPE_VERB if _WIPE_VERB.match(word) else 0)
                | (_IS_ENV_PRODUCTION if _ENV_PRODUCTION.match(word) else 0)
                | (_IS_PRODUCTION if _PRODUCTION_WORD.match(word) else 0)
                | (_IS_DB_WRITING if _DB_WRITING.match(word) else 0))
        _WORD_KINDS.keep(word, kind, word)
    return kind


def rolls_back(words: list[str]) -> str | None:
    """The word by which this command rolls a database back one step (`migration:revert`,
    `db rollback`), or None."""
    if words[0] in _TEXT_TOOLS or not _INERT.isdisjoint(words[1:]):
        return None
    migration_tool = words[0] in _MIGRATION_TOOLS
    for i in range(1, len(words)):
        kind = _kind_of_word(words[i])
        if kind & _IS_FILE_NAME:
            continue
        if kind & _IS_BACK_WORD or (migration_tool and kind & _IS_BACK_VERB) or (
                kind & _IS_NOUN and i + 1 < len(words) and _kind_of_word(words[i + 1]) & _IS_BACK_VERB):
            return words[i]
    return None


# A command line that repeats what it runs: a loop, xargs or parallel, or `seq N |`.
_REPEATS = re.compile(r"(?:^|[;&|(\s])(?:for|while|until|select)\s|\b(?:xargs|parallel|seq|yes|repeat|watch)\b")


def _repeated_rollback(subject: Subject, words: list[str]) -> str | None:
    """One step back, taken again and again: in a loop, through xargs, or written out
    several times (`for i in 1 2 3 4 5; do npx typeorm migration:revert; done`)."""
    analysis = subject.analysis
    if analysis is None:
        return None
    seg = subject.segment
    looped = (seg is not None and any(w in ("xargs", "parallel", "watch") for w in seg.wrappers)) \
        or _REPEATS.search(analysis.command) is not None
    if not looped and len(analysis.segments) < _MANY:
        return None  # nearly always: one command, run once
    back = rolls_back(words)
    if back is None:
        return None
    if looped:
        return f"{back} runs again and again (a loop, xargs): the database rolls back by many steps"
    same = sum(1 for other in analysis.segments if rolls_back([other.program, *other.argv[1:]]) == back)
    if same >= _MANY:
        return f"{back} runs {same} times: the database rolls back by many steps"
    return None


def generic_destroyer(words: list[str], assignments: tuple[str, ...] | list[str] = ()) -> str | None:
    """A migration or database command of any tool that wipes the database, rolls it
    back by many steps or to a target, or writes the production database."""
    if not _INERT.isdisjoint(words[1:]) or words[0] in _TEXT_TOOLS:
        return None
    if "--" in words:
        ran = _migration_binary(words)
        if ran:
            return ran
        words = [w for w in words if w != "--"]  # `cargo run -p migration -- down -n 10`
    kinds = [_kind_of_word(word) for word in words]
    starts = 0
    for kind in kinds[1:]:
        starts |= kind
    for assignment in assignments:
        starts |= _kind_of_word(assignment)
    if not starts & _STARTS:
        return None  # nearly always: no word of a database command
    migration_tool = words[0] in _MIGRATION_TOOLS
    count = len(words)
    for i in range(1, count):
        kind = kinds[i]
        if kind & _IS_FILE_NAME:
            continue  # `db/reset.sql` names a file; what runs it is judged by what it holds
        word = words[i]
        if kind & _IS_WIPE_WORD:
            return f"{word}: a database command that wipes, resets or drops it"
        if kind & _IS_BACK_WORD or (migration_tool and kind & _IS_BACK_VERB):
            if word.lower().endswith(_EVERY_SUFFIXES):  # `db:migrate:undo:all`, a package script's name
                return f"{word} rolls the database back over every migration"
            how = _steps(words, i)
            if how:
                return f"{word} rolls the database back {how}"
            if "--force" in words[i + 1:]:
                # adonis and Laravel refuse a rollback in production unless forced
                return f"{word} --force rolls back a database its tool guards (production)"
        if kind & _IS_NOUN and i + 1 < count:
            verb = words[i + 1]
            if kinds[i + 1] & _IS_WIPE_VERB:
                return f"{word} {verb}: a database command that wipes, resets or drops it"
            if kinds[i + 1] & _IS_BACK_VERB:
                how = _steps(words, i + 1)
                if how:
                    return f"{word} {verb} rolls the database back {how}"
    production = any(_kind_of_word(a) & _IS_ENV_PRODUCTION for a in assignments) \
        or any(kind & _IS_ENV_PRODUCTION for kind in kinds[1:])
    if not production:
        production = any(kinds[i] & _IS_PRODUCTION and words[i - 1] in ("--env", "-e", "--environment", "-E")
                         for i in range(2, count))
    if production and any((kinds[i] & _IS_DB_WRITING and (":" in words[i] or "." in words[i]))
                          or words[i] in ("migrate", "seed") for i in range(1, count)):
        return "writes the production database"
    return None


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
    fed = list(seg.pipe_from)
    if any(a.dynamic and a.text.startswith("<(") for a in seg.args[1:]):  # `psql < <(echo ...)`
        fed += [s.index for s in analysis.segments if s.via == "procsub"]
    for index in fed:
        if index < len(analysis.segments):
            upstream = analysis.segments[index]
            if upstream.program in ("echo", "printf", "cat"):
                parts.append(" ".join(upstream.argv[1:]) + "\n" + upstream.stdin_text)
    return "\n".join(parts)


# Framework consoles that run the code they are given (`rails runner CODE`, `artisan
# tinker --execute=CODE`, `manage.py shell -c CODE`, `flask shell <<< CODE`, `mix run
# -e CODE`): what the code does to the database is what the command does.
CONSOLES = frozenset({"runner", "r", "tinker", "shell", "console", "c", "run", "eval", "rpc"})
_CODE_OPTIONS = ("--execute", "-c", "--command", "-e", "--eval")
# Programs that run the SQL they are given (besides the clients in SQL_CLIENTS).
_SQLISH = re.compile(r"(?i)sql|^bq$|duckdb|clickhouse|trino|presto|beeline|hive|impala|cql|mongo|^sqlite-utils$"
                     r"|^turso$|^d1$|^dolt$|^neon")


def _console_code(seg: Segment) -> str:
    words = list(seg.argv[1:])
    if CONSOLES.isdisjoint(words):
        return ""
    code = []
    for i, word in enumerate(words):
        option, eq, value = word.partition("=")
        if option in _CODE_OPTIONS:
            code.append(value if eq else (words[i + 1] if i + 1 < len(words) else ""))
        elif word in ("runner", "r") and i + 1 < len(words) and not words[i + 1].startswith("-"):
            code.append(words[i + 1])
    return "\n".join([*code, seg.stdin_text])


def _console_destroys(seg: Segment, fed: str = "") -> str | None:
    code = (_console_code(seg) + ("\n" + fed if fed and not CONSOLES.isdisjoint(seg.argv[1:]) else ""))[:20_000]
    if not code.strip():
        return None
    found = DESTROYING_CALLS.search(code) or SQL_DESTRUCTIVE.search(code)
    return f"the code it runs drops or empties tables ({' '.join(found.group(0).split())[:60]})" if found else None


# Datastores whose HTTP API deletes what the URL names (Elasticsearch/OpenSearch,
# CouchDB, InfluxDB, ClickHouse, Qdrant, Solr, Neo4j, ArangoDB, Couchbase, Milvus,
# MinIO, Meilisearch, Typesense, Weaviate, Chroma), by their usual ports, and the
# requests that delete everything whatever the port.
_DATASTORE_PORTS = frozenset({"9200", "9201", "9300", "5984", "8086", "8123", "6333", "8983", "7474", "8529",
                              "8091", "19530", "9000", "9001", "7700", "8108"})
_DELETE_ALL = re.compile(r"(?i)/_all\b|/_delete_by_query|/\*(?:[/?]|$)|<delete>\s*<query>\s*\*:\*")
_HTTP_CLIENTS = frozenset({"curl", "wget", "http", "https", "xh", "xhs", "curlie", "httpie"})
_HOST_PORT = re.compile(r"^[\w.-]*:\d+(?:/|$)")  # httpie's `:9200/x` is localhost
_PORT = re.compile(r"^[a-z]+://(?:[^/@]*@)?(?:\[[^\]]*\]|[^/:?#]*):(\d+)")


# Parameters by which a datastore's HTTP API takes a statement (ClickHouse `?query=`,
# InfluxDB `q=`, Druid/CrateDB/Pinot `sql`/`stmt`), and the APIs that delete by range.
_STATEMENT_PARAMETER = re.compile(r"(?i)(?:^|[?&\s{\",])[\"']?(?:query|q|sql|stmt|statement|command)[\"']?\s*[=:]")
_RANGE_DELETE = re.compile(r"(?i)/api/v2/delete\b|/_delete_by_query\b|/delete_series\b|/admin/tsdb/delete_series")


_STATEMENT_WORDS = ("drop", "truncat", "delete", "alter", "flush")


def _statement_sent(seg: Segment, words: list[str]) -> str | None:
    """A destructive statement sent in a request's URL or body (`?query=DROP%20TABLE x`,
    `--data-urlencode 'q=DROP DATABASE m'`), to a datastore's port or under a parameter
    that a datastore runs."""
    from urllib.parse import unquote_plus

    lowered = " ".join(words).lower()
    if not any(word in lowered for word in _STATEMENT_WORDS):
        return None
    to_datastore = any((port := _PORT.match(w.lower())) is not None and port.group(1) in _DATASTORE_PORTS
                       for w in words if "://" in w)
    for word in words:
        if word.startswith("-") or len(word) > 20_000:
            continue
        text = unquote_plus(word) if "%" in word or "+" in word else word
        found = SQL_DESTRUCTIVE.search(text)
        if found and (to_datastore or _STATEMENT_PARAMETER.search(text)):
            return f"{seg.program} sends a destructive statement to a datastore ({' '.join(found.group(0).split())})"
    return None


def datastore_deletion(seg: Segment) -> str | None:
    """An HTTP DELETE sent to a datastore's API, a request that deletes everything, or
    a destructive statement sent to one."""
    words = list(seg.argv[1:])
    sent = _statement_sent(seg, words)
    if sent:
        return sent
    method = ""
    for i, word in enumerate(words):
        upper = word.upper()
        if upper in ("-XDELETE", "--REQUEST=DELETE", "-X=DELETE", "--METHOD=DELETE"):
            method = "DELETE"
        elif word in ("-X", "--request", "--method") and i + 1 < len(words):
            method = words[i + 1].upper() or method
        elif upper == "DELETE" and seg.program in ("http", "https", "xh", "xhs", "curlie", "httpie"):
            method = "DELETE"
    for word in words:
        if "://" not in word:
            if not _HOST_PORT.match(word):
                continue
            word = "http://" + word  # curl takes `localhost:9200/x` without a scheme
        if _DELETE_ALL.search(word) and (method in ("DELETE", "POST") or "_delete_by_query" in word):
            return f"{seg.program} asks a datastore to delete everything ({word[:80]})"
        if _RANGE_DELETE.search(word) and method != "GET":
            return f"{seg.program} asks a datastore to delete a range of its data ({word[:80]})"
        port = _PORT.match(word.lower())
        if method == "DELETE" and port and port.group(1) in _DATASTORE_PORTS:
            return f"{seg.program} sends DELETE to a datastore's API ({word[:80]})"
    return None


# The words db-reset cannot find anything without, in a program that only runs other
# tools (RUNS_DB_TOOLS): every way it finds something needs one of them in the
# segment's arguments, wrappers or stdin (or a console fed by a pipe), which
# checks.feature_bits looks for. Why each is needed: the database nouns and verbs of
# generic_destroyer, _migration_binary's hints and _RESET_TASK's task names (with
# "clear"); every alternative of DESTROYING_CALLS and SQL_DESTRUCTIVE starts with one
# (delete, drop, truncat, flush, update, remove...); every pattern of _DESTROYERS names
# its tool (flyway, goose, etcdctl, pg_restore, heroku... which a runner may run:
# `npx flyway clean`, `docker exec db pg_restore --clean`). A cue too many only runs
# the check; tests/policy/test_policy_fastpaths.py compares gated and ungated checks.
DB_CUES = re.compile(
    r"(?i)migrat|db|database|schema|ecto|seed|fixture|prod|drop|wipe|fresh|rollback|revert|downgrade|truncat"
    r"|delete|flush|purge|nuke|destroy|replant|undo|redo|reset|clear|update|remove|tinker|runner|shell|console"
    r"|execute|query|sql|manage|django|gradle|mvn|alembic|flask|prisma|rails|rake|artisan|knex|sequelize|typeorm"
    r"|drizzle|mikro|mix|flyway|liquibase|goose|diesel|dotnet|supabase|heroku|hasura|atlas|sqitch|payload|turso"
    r"|pscale|neon|wrangler|redis|valkey|mongo|pg_restore|etcd")
# Programs db-reset reads only with one of DB_CUES: package and task runners,
# containers, interpreters, platform CLIs that run a database tool rather than being one.
RUNS_DB_TOOLS = frozenset({
    "npx", "pnpx", "bunx", "npm", "pnpm", "yarn", "bun", "docker", "podman", "docker-compose", "kubectl", "fly",
    "flyctl", "railway", "render", "python", "python3", "py", "pypy3", "python3.8", "python3.9", "python3.10",
    "python3.11", "python3.12", "python3.13", "python3.14", "uv", "poetry", "pipenv", "pdm", "hatch", "make",
    "gmake", "just", "task", "mise", "composer", "php"})
# What db-reset needs in a segment's arguments before it can find anything, by program,
# for a program that gets the check only by a DB cue (checks.feature_bits): a cue is
# enough in a database tool, a runner of one, a build runner (_migration_binary), a
# Python or a program named like a SQL engine (DB_WORDS_ANY). In a text tool the check
# reads nothing but a console's code or a database shell (_console_destroys,
# _is_sql_client): one of _CONSOLE_WORDS is needed (DB_WORDS_CONSOLE). In any other
# program without assignments (their kinds count in generic_destroyer) a finding starts
# at one of _COMMAND_WORDS or at a word of generic_destroyer's _STARTS: rolls_back needs
# one too, and so does the SQL it runs (DB_WORDS_COMMAND). The gate reads the very
# words the check reads, so no spelling passes one and not the other;
# tests/policy/test_policy_fastpaths.py compares gated and ungated checks.
DB_WORDS_ANY, DB_WORDS_CONSOLE, DB_WORDS_COMMAND = 0, 1, 2
_CONSOLE_WORDS = CONSOLES | _DB_SHELLS
_COMMAND_WORDS = _CONSOLE_WORDS | _SQL_RUNNING
_READS_ANY_CUE = DB_PROGRAMS | SQL_CLIENTS | _TASK_RUNNERS | RUNS_DB_TOOLS | _BUILD_RUNNERS | _MIGRATION_TOOLS
_WORDS_NEEDED = WordAnswers()


def db_words_needed(program: str) -> int:
    """DB_WORDS_ANY, DB_WORDS_CONSOLE or DB_WORDS_COMMAND for ``program`` (see above)."""
    needed = _WORDS_NEEDED.get(program)
    if needed is None:
        if program in _READS_ANY_CUE or program.startswith("python") or _SQLISH.search(program):
            needed = DB_WORDS_ANY
        else:
            needed = DB_WORDS_CONSOLE if program in _TEXT_TOOLS else DB_WORDS_COMMAND
        _WORDS_NEEDED.keep(program, needed, program)
    return needed


def opens_console(word: str) -> bool:
    """``word`` opens a console or a database shell (DB_WORDS_CONSOLE)."""
    return word in _CONSOLE_WORDS


def opens_db_command(word: str) -> bool:
    """``word`` can start what db-reset finds in a program of DB_WORDS_COMMAND."""
    return word in _COMMAND_WORDS or bool(_kind_of_word(word) & _STARTS)


def register(check: Callable) -> None:
    @check("datastore-delete", 45, "HTTP DELETE to a datastore's API (Elasticsearch, CouchDB, InfluxDB...), or a "
           "request that deletes everything (_all, _delete_by_query, *:*)", programs=_HTTP_CLIENTS)
    def _datastore(subject: Subject) -> str | None:
        seg = subject.segment
        return datastore_deletion(seg) if seg is not None and seg.program in _HTTP_CLIENTS else None

    @check("db-reset", 45, "framework or server commands that drop, flush, reset or roll back a database "
           "(manage.py flush, migrate APP zero, alembic downgrade base, prisma migrate reset, rails db:drop, "
           "artisan migrate:fresh, dropdb, redis-cli FLUSHALL...), also piped into a client or called from "
           "code (db.drop_all(), User.delete_all), and package scripts or make targets named for it "
           "(npm run db:reset), in any tool's spelling (migrate:fresh, db wipe, migrations rollback -n 50), "
           "and writes to the production database",
           programs=(DB_PROGRAMS | SQL_CLIENTS | _TASK_RUNNERS) - RUNS_DB_TOOLS, needs=("inline", "dbwords"))
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
        if _is_sql_client(seg) and (seg.pipe_from or any(a.dynamic for a in seg.args[1:])):
            found = SQL_DESTRUCTIVE.search(_fed_text(subject)[:20_000])
            if found:
                return f"destructive statement piped into {seg.program}: {found.group(0).strip()}"
            generated = _generated_destruction(subject)
            if generated:
                return generated
        words = [seg.program, *seg.argv[1:]]
        generic = generic_destroyer(words, seg.assignments) or _console_destroys(
            seg, _fed_text(subject) if seg.pipe_from else "") or _repeated_rollback(subject, words)
        if generic:
            return generic
        if seg.program not in DB_PROGRAMS and not seg.program.startswith("python"):
            runs_sql = not _SQL_RUNNING.isdisjoint(words[1:]) and seg.program not in _TEXT_TOOLS
            if runs_sql or _SQLISH.search(seg.program):
                found = SQL_DESTRUCTIVE.search((" ".join(words) + "\n" + seg.stdin_text)[:20_000])
                if found:
                    return f"{seg.program} runs a destructive statement: {found.group(0).strip()}"
            return None
        if not _SQL_RUNNING.isdisjoint(words[1:]):
            # `prisma db execute --stdin <<< 'DROP SCHEMA ...'`, `wrangler d1 execute db --command ...`
            found = SQL_DESTRUCTIVE.search((" ".join(words) + "\n" + seg.stdin_text)[:20_000])
            if found:
                return f"{seg.program} runs a destructive statement: {found.group(0).strip()}"
        if "--pretend" in words or "--dry-run" in words:
            return None  # shows the statements, runs none
        return destroys_database([*seg.wrappers, *words])
