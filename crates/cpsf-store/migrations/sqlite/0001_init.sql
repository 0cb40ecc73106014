-- cpsf-store schema 1 for SQLite: users, tokens, products, versions, SBOMs, components, findings, triage, audit, meta.
-- Times are RFC 3339 UTC text with six fractional digits ('2026-01-02T03:04:05.000000Z'), so they order as text.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    created       TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    label      TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix     TEXT NOT NULL,
    created    TEXT NOT NULL,
    last_used  TEXT,
    revoked_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE products (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL
);

CREATE TABLE product_access (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    PRIMARY KEY (user_id, product_id)
);
CREATE INDEX product_access_product ON product_access (product_id);

CREATE TABLE versions (
    id              INTEGER PRIMARY KEY,
    product_id      INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    version         TEXT NOT NULL,
    created         TEXT NOT NULL,
    current_sbom_id INTEGER REFERENCES sboms (id),
    UNIQUE (product_id, version)
);
CREATE INDEX versions_current_sbom ON versions (current_sbom_id);

CREATE TABLE sboms (
    id              INTEGER PRIMARY KEY,
    version_id      INTEGER NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    format          TEXT NOT NULL,
    document        BLOB NOT NULL,
    sha256          TEXT NOT NULL,
    uploaded_at     TEXT NOT NULL,
    uploaded_by     TEXT NOT NULL,
    component_count INTEGER NOT NULL
);
CREATE INDEX sboms_version ON sboms (version_id);

CREATE TABLE components (
    id         INTEGER PRIMARY KEY,
    sbom_id    INTEGER NOT NULL REFERENCES sboms (id) ON DELETE CASCADE,
    bom_ref    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    group_name TEXT,
    version    TEXT,
    purl       TEXT,
    purl_key   TEXT,
    licenses   TEXT NOT NULL DEFAULT '[]',
    scope      TEXT CHECK (scope IN ('required', 'optional', 'dev')),
    direct     INTEGER CHECK (direct IN (0, 1)),
    UNIQUE (sbom_id, bom_ref)
);
CREATE INDEX components_purl ON components (purl);
CREATE INDEX components_purl_key ON components (purl_key, version);
CREATE INDEX components_name ON components (name_lower, version);

CREATE TABLE component_edges (
    sbom_id  INTEGER NOT NULL REFERENCES sboms (id) ON DELETE CASCADE,
    from_ref TEXT NOT NULL,
    to_ref   TEXT NOT NULL,
    PRIMARY KEY (sbom_id, from_ref, to_ref)
);

CREATE TABLE findings (
    id                INTEGER PRIMARY KEY,
    version_id        INTEGER NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    purl              TEXT NOT NULL,
    bom_ref           TEXT NOT NULL,
    component_name    TEXT NOT NULL,
    component_version TEXT,
    vuln_id           TEXT NOT NULL,
    aliases           TEXT NOT NULL DEFAULT '[]',
    summary           TEXT,
    severity          TEXT NOT NULL CHECK (severity IN ('unknown', 'none', 'low', 'medium', 'high', 'critical')),
    severity_rank     INTEGER NOT NULL,
    cvss_score        REAL,
    kev               INTEGER NOT NULL DEFAULT 0 CHECK (kev IN (0, 1)),
    epss              REAL,
    fixed_version     TEXT,
    first_seen        TEXT NOT NULL,
    opened_at         TEXT NOT NULL,
    last_seen         TEXT NOT NULL,
    fixed_at          TEXT,
    state             TEXT CHECK (state IN ('in_triage', 'exploitable', 'resolved', 'resolved_with_pedigree',
                                            'false_positive', 'not_affected')),
    UNIQUE (version_id, purl, vuln_id)
);
CREATE INDEX findings_vuln ON findings (vuln_id);
CREATE INDEX findings_open ON findings (fixed_at, severity_rank);
CREATE INDEX findings_opened ON findings (opened_at);

CREATE TABLE finding_analyses (
    id            INTEGER PRIMARY KEY,
    finding_id    INTEGER NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
    state         TEXT NOT NULL CHECK (state IN ('in_triage', 'exploitable', 'resolved', 'resolved_with_pedigree',
                                                 'false_positive', 'not_affected')),
    justification TEXT,
    responses     TEXT NOT NULL DEFAULT '[]',
    detail        TEXT,
    who           TEXT NOT NULL,
    at            TEXT NOT NULL
);
CREATE INDEX finding_analyses_finding ON finding_analyses (finding_id, id);

CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    who    TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE webhook_deliveries (
    id           INTEGER PRIMARY KEY,
    event        TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created      TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt TEXT NOT NULL,
    delivered_at TEXT,
    last_error   TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (delivered_at, next_attempt);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
