"""Database rollback and reset through Node frameworks' migration CLIs, by any runner
(npx, pnpm, yarn, bun, npm run, node ace, node_modules/.bin): a wipe, a rollback of
every batch (`--batch=0`), a forced rollback (a production run), one step back taken
again and again (a loop, xargs, written out three times). One step back, once, stays
routine work, as it is for Rails and Laravel."""

from __future__ import annotations

import pytest
from policy_support import shell

from aegis_core.models import Action
from aegis_core.policy import default_policy
from aegis_core.policy.migrations import rolls_back

POLICY = default_policy()


@pytest.mark.parametrize("command", [
    "node ace migration:reset", "node ace migration:fresh", "node ace migration:refresh --seed", "node ace db:wipe",
    "node ace migration:rollback --batch=0", "node ace migration:rollback --batch 0",
    "node ace migration:rollback --force",
    "php artisan migrate:rollback --force", "npx sequelize-cli db:migrate:undo:all", "pnpm dlx sequelize-cli db:drop",
    "npx typeorm schema:drop", "npx typeorm-ts-node-commonjs schema:drop -d src/data-source.ts",
    "npx knex migrate:rollback --all", "node ./node_modules/.bin/knex migrate:rollback --all",
    "npx mikro-orm migration:fresh", "npx mikro-orm schema:drop --run", "npx drizzle-kit drop",
    "bunx prisma migrate reset", "npm exec prisma migrate reset", "npx prisma db push --force-reset",
    "npx sequelize-cli db:migrate:undo --to 20200101000000-create-users.js", "npx mikro-orm migration:down --to 0",
    "for i in 1 2 3 4 5; do npx typeorm migration:revert; done",
    "seq 10 | xargs -I{} npx sequelize-cli db:migrate:undo",
    "npx typeorm migration:revert && npx typeorm migration:revert && npx typeorm migration:revert",
    "while npx knex migrate:rollback; do :; done", "npm run db:reset", "pnpm db:reset", "npx medusa db:rollback --all",
    "NODE_ENV=production npx knex migrate:rollback --all", "npx turbo run db:reset",
    "npm run db:migrate:undo:all", "npm run migration:revert:all", "yarn db:rollback:all", "npm run prisma:reset",
])
def test_node_migration_destruction_is_asked(command: str) -> None:
    assert POLICY.evaluate(shell(command)).action is not Action.ALLOW


@pytest.mark.parametrize("command", [
    "npx typeorm migration:revert", "npx sequelize-cli db:migrate:undo", "npx knex migrate:rollback",
    "node ace migration:run", "node ace migration:status", "npx prisma migrate dev", "npx knex migrate:latest",
    "npx typeorm migration:run && npx typeorm migration:revert", "npx drizzle-kit generate", "npm run db:migrate",
    "for f in src/*.ts; do npx prettier --write \"$f\"; done",
])
def test_routine_migrations_stay_free(command: str) -> None:
    assert POLICY.evaluate(shell(command)).action is Action.ALLOW


@pytest.mark.parametrize(("words", "back"), [
    (["npx", "typeorm", "migration:revert"], "migration:revert"), (["knex", "migrate:rollback"], "migrate:rollback"),
    (["node", "ace", "migration:rollback"], "migration:rollback"), (["npx", "prisma", "migrate", "dev"], None),
    (["cat", "migration:revert"], None), (["npx", "knex", "migrate:rollback", "--help"], None),
])
def test_what_rolls_back_one_step(words: list[str], back: str | None) -> None:
    assert rolls_back(words) == back
