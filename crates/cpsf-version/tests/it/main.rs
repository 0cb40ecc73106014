//! Integration tests of the version comparators (OSV ordering, vers-spec, Maven oracle, robustness), built as one test binary.
//! One binary per crate keeps the build small: every test binary links all of the crate's dependencies.

mod common;
mod maven_oracle;
mod osv_ordering;
mod robustness;
mod vers_spec;
