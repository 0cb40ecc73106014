//! Turns a source tree into an inventory: lockfile detection and parsing (pure) and discovery (the only disk IO).

pub mod discover;
pub mod lockfile;
pub mod text;

pub use discover::{DiscoverOptions, DiscoverProgress, discover};
pub use lockfile::{FileSource, LockfileError, LockfileInput, LockfileKind, MemorySource, Parsed, parse_lockfile};
