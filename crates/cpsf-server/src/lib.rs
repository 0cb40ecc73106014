//! cpsf serve: the team server. Authentication primitives (`auth`) first; the HTTP API, web UI and monitoring build on them.

pub mod auth;
