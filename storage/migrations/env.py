"""Alembic environment: runs migrations on the engine handed over by storage.migrate."""

from __future__ import annotations

from alembic import context

from storage.models import Base

config = context.config
target_metadata = Base.metadata
# Any fixed number unique to this application's advisory locks.
MIGRATION_LOCK_ID = 7_141_925


def run_migrations_online() -> None:
    """Run migrations inside one transaction on the configured engine."""
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds tables; with foreign keys enforced, dropping the old
            # copy of a referenced table would delete or reject the rows pointing at it.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        elif connection.dialect.name == "postgresql":
            # A migration may rewrite a large table: the serving statement time-out does not apply
            # (SET LOCAL ends with this transaction, so the pooled connection keeps its limit).
            connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite cannot ALTER most things in place; batch mode copies the table.
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Several processes may start at once (web ×N and the clock): one migrates, the
                # others wait here and then find nothing left to do. Released at commit.
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})")
            context.run_migrations()
        connection.commit()
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run `arising migrate`.")
run_migrations_online()
