-- cpsf-store schema 3 for SQLite: assessments against framework catalogs (the document as JSON, with a revision
-- for optimistic concurrency), evidence files attached to them, supplier questionnaires and their invitations.
CREATE TABLE assessments (
    id         TEXT PRIMARY KEY,
    catalog    TEXT NOT NULL,
    scope_kind TEXT NOT NULL CHECK (scope_kind IN ('company', 'site', 'product', 'supplier')),
    scope_name TEXT NOT NULL,
    document   TEXT NOT NULL,
    revision   INTEGER NOT NULL,
    created    TEXT NOT NULL,
    updated    TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX assessments_scope ON assessments (scope_kind, scope_name);

CREATE TABLE evidence_files (
    id            INTEGER PRIMARY KEY,
    assessment_id TEXT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    entry         TEXT NOT NULL,
    name          TEXT NOT NULL,
    media_type    TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    size          INTEGER NOT NULL,
    content       BLOB NOT NULL,
    uploaded_by   TEXT NOT NULL,
    uploaded_at   TEXT NOT NULL
);
CREATE INDEX evidence_files_assessment ON evidence_files (assessment_id, entry);

CREATE TABLE questionnaires (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL,
    catalog    TEXT NOT NULL,
    entries    TEXT NOT NULL DEFAULT '[]',
    created_by TEXT NOT NULL,
    created    TEXT NOT NULL
);

CREATE TABLE questionnaire_invites (
    id               INTEGER PRIMARY KEY,
    questionnaire_id INTEGER NOT NULL REFERENCES questionnaires (id) ON DELETE CASCADE,
    supplier         TEXT NOT NULL,
    contact          TEXT NOT NULL,
    token_sha256     TEXT NOT NULL UNIQUE,
    expires_at       TEXT NOT NULL,
    created          TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    answered_at      TEXT,
    submitted        INTEGER NOT NULL DEFAULT 0 CHECK (submitted IN (0, 1)),
    assessment_id    TEXT REFERENCES assessments (id) ON DELETE SET NULL
);
CREATE INDEX questionnaire_invites_questionnaire ON questionnaire_invites (questionnaire_id);
