//! Integration tests of the model: the purl test suite and the purl fuzz regressions, built as one test binary.
//! One binary per crate keeps the build small: every test binary links all of the crate's dependencies.

mod purl_conformance;
mod purl_fuzz_regressions;
