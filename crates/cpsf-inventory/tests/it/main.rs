//! Integration tests of the lockfile parsers, one module per format, built as one test binary.
//! One binary per crate keeps the build small: every test binary links all of the crate's dependencies.

mod bun;
mod cargo;
mod cocoapods;
mod common;
mod composer;
mod conan;
mod gemfile;
mod gomod;
mod gradle;
mod maven;
mod mix;
mod npm;
mod nuget;
mod pdm;
mod pipfile;
mod pnpm;
mod poetry;
mod pubspec;
mod pylock;
mod renv;
mod requirements;
mod swift;
mod uv;
mod yarn;
