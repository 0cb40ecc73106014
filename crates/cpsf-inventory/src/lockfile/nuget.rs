//! Parsers for NuGet packages.lock.json and packages.config (being written).

use super::{LockfileError, LockfileInput, Parsed};

pub fn parse_packages_lock(_input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    Err(LockfileError::unsupported(None, "parser not written yet"))
}

pub fn parse_packages_config(_input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    Err(LockfileError::unsupported(None, "parser not written yet"))
}
