-- cpsf-store schema 2 for PostgreSQL: web sessions, kept in the store so that several servers share them.
CREATE TABLE sessions (
    id_hash TEXT COLLATE "C" PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf    TEXT COLLATE "C" NOT NULL,
    created TIMESTAMPTZ NOT NULL,
    expires TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires);
