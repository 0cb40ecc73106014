-- cpsf-store schema 4 for SQLite: factory systems and IoT. One plant document per site (the cpsf-ot plant as JSON:
-- operations, zones, conduits, scenarios, measures, IoT-SSF subjects and the asset inventory, with a revision for
-- optimistic concurrency), the captures uploaded for a site (their discovery summary; the raw bytes only when
-- small), device advisories (CSAF documents) and the findings they give on assets, reconciled like software
-- findings (new, still present, fixed, reopened; never deleted).
CREATE TABLE plants (
    site       TEXT PRIMARY KEY,
    document   TEXT NOT NULL,
    revision   INTEGER NOT NULL,
    created    TEXT NOT NULL,
    updated    TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE captures (
    id          INTEGER PRIMARY KEY,
    site        TEXT NOT NULL REFERENCES plants (site) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    summary     TEXT NOT NULL,
    content     BLOB,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX captures_site ON captures (site, id);

CREATE TABLE device_advisories (
    id          INTEGER PRIMARY KEY,
    tracking_id TEXT NOT NULL UNIQUE,
    title       TEXT,
    publisher   TEXT,
    document    TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);

CREATE TABLE asset_findings (
    id         INTEGER PRIMARY KEY,
    site       TEXT NOT NULL REFERENCES plants (site) ON DELETE CASCADE,
    asset_id   TEXT NOT NULL,
    advisory   TEXT NOT NULL,
    vuln       TEXT NOT NULL,
    cve        TEXT,
    title      TEXT,
    product    TEXT NOT NULL,
    status     TEXT NOT NULL,
    matched_by TEXT NOT NULL,
    confidence TEXT NOT NULL,
    cvss       REAL,
    detail     TEXT NOT NULL DEFAULT '{}',
    first_seen TEXT NOT NULL,
    opened_at  TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    fixed_at   TEXT,
    UNIQUE (site, asset_id, advisory, vuln)
);
CREATE INDEX asset_findings_site ON asset_findings (site, asset_id);
