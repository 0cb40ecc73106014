//! Times as the store keeps them: UTC, to the microsecond (what PostgreSQL's `timestamptz` holds), and as fixed-width
//! RFC 3339 text on SQLite so that text order is time order.

use time::format_description::FormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// `2026-01-02T03:04:05.000006Z`: always six fractional digits, always `Z`.
const SQLITE_FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// The time in UTC, truncated to whole microseconds, so what is read back equals what was written.
pub(crate) fn normalize(t: OffsetDateTime) -> OffsetDateTime {
    let t = t.to_offset(UtcOffset::UTC);
    let micros = t.microsecond();
    t.replace_nanosecond(micros * 1_000).unwrap_or(t)
}

/// Now, normalized.
pub(crate) fn now() -> OffsetDateTime {
    normalize(OffsetDateTime::now_utc())
}

/// The SQLite text form of a time.
pub(crate) fn sqlite_text(t: OffsetDateTime) -> String {
    let t = normalize(t);
    // Years outside 0000-9999 cannot be written in this format; fall back to RFC 3339's own form.
    t.format(SQLITE_FORMAT).or_else(|_| t.format(&time::format_description::well_known::Rfc3339)).unwrap_or_default()
}
