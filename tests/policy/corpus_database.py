# ruff: noqa: E501  (one case per line reads better than wrapped ones)
"""Corpus: database destruction through migrations, framework commands and the
servers' own tools, plain and run through package runners, containers, platform CLIs
and pipes. Routine look-alikes: migrating forward, one step back, reading."""

DANGEROUS = [
    "python manage.py flush --noinput", "./manage.py flush", "python manage.py migrate app zero", "python manage.py reset_db --noinput",
    "django-admin flush", "alembic downgrade base", "flask db downgrade base", "npx prisma migrate reset --force",
    "npx prisma db push --force-reset", "pnpm prisma migrate reset", "rails db:drop", "bin/rails db:reset",
    "bundle exec rake db:schema:load", "rails db:migrate VERSION=0", "php artisan migrate:fresh --seed", "php artisan db:wipe",
    "php artisan migrate:reset", "npx knex migrate:rollback --all", "npx sequelize-cli db:drop", "npx sequelize-cli db:migrate:undo:all",
    "npx typeorm schema:drop", "npx drizzle-kit drop", "mix ecto.reset", "mix ecto.drop", "php bin/console doctrine:database:drop --force",
    "flyway clean", "goose postgres \"dbname=x\" reset", "migrate -path db -database \"$DB\" drop -f", "dbmate drop",
    "diesel database reset", "sqlx database drop", "dotnet ef database drop -f", "dotnet ef database update 0", "supabase db reset",
    "heroku pg:reset DATABASE_URL --confirm app", "dropdb prod", "dropdb -h db.internal app", "mysqladmin -f drop app",
    "redis-cli -n 0 FLUSHALL", "redis-cli flushdb", "mongosh app --eval 'db.dropDatabase()'", "mongosh app --eval 'db.users.deleteMany({})'",
    "pg_restore --clean -d app dump.sql", "echo 'DROP DATABASE prod;' | psql", "printf 'TRUNCATE users;' | mysql app",
    "python -c \"from app import db; db.drop_all()\"", "rails runner 'User.delete_all'",
    "python manage.py shell -c \"from app.models import User; User.objects.all().delete()\"",
]

DISGUISED = [
    "bash -c 'python manage.py flush --noinput'", "env DJANGO_SETTINGS_MODULE=app.settings python manage.py flush",
    "docker compose exec -T web python manage.py migrate app zero", "uv run alembic downgrade base",
    "poetry run python manage.py reset_db", "pnpm exec prisma migrate reset --force", "yarn prisma db push --accept-data-loss",
    "bundle exec rails db:drop DISABLE_DATABASE_ENVIRONMENT_CHECK=1", "RAILS_ENV=production bin/rails db:reset",
    "heroku run rails db:schema:load", "kubectl exec deploy/web -- python manage.py flush --noinput",
    "echo yes | php artisan migrate:fresh", "eval \"php artisan db:wipe --force\"", "sh -c \"npx sequelize-cli db:migrate:undo:all\"",
    "python3.12 manage.py flush --no-input", "timeout 60 alembic downgrade base", "nice dropdb app",
    "psql \"$DATABASE_URL\" <<'EOF'\nDROP SCHEMA public CASCADE;\nEOF", "cat <<'EOF' | psql app\nDROP TABLE users;\nEOF",
]

ROUTINE = [
    "python manage.py migrate", "python manage.py makemigrations", "python manage.py showmigrations", "alembic upgrade head",
    "alembic downgrade -1", "alembic history", "alembic downgrade base --sql > downgrade.sql", "npx prisma migrate dev --name init",
    "npx prisma generate", "npx prisma db push", "rails db:migrate", "rails db:rollback", "rails db:seed", "rails db:create",
    "php artisan migrate", "php artisan migrate:status", "php artisan migrate:rollback", "npx knex migrate:latest",
    "npx sequelize-cli db:migrate", "mix ecto.migrate", "mix ecto.create", "flyway migrate", "flyway info", "goose up",
    "dbmate up", "diesel migration run", "sqlx migrate run", "dotnet ef database update", "redis-cli GET session:1",
    "redis-cli PING", "psql -c 'SELECT count(*) FROM users'", "sqlite3 db.sqlite3 .schema", "createdb app_test",
    "pg_dump app > backup.sql", "mongosh --eval 'db.users.find().limit(5)'", "mysql -e 'SHOW TABLES' app",
    "npm run db:seed", "npm run db:migrate", "make clean", "redis-cli --scan --pattern 'sess:*' | head",
]
