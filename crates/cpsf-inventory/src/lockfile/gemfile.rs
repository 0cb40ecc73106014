//! Parser for gemfile lockfiles (being written).

use super::{LockfileError, LockfileInput, Parsed};

pub fn parse(_input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    Err(LockfileError::unsupported(None, "parser not written yet"))
}
