//! cpsf serve: the team server. Authentication primitives (`auth`), the HTTP error type (`error`), webhook
//! signatures (`webhook`) and Dependency-Track's upload format (`dtrack`); the API, web UI and monitoring build on them.

pub mod auth;
pub mod dtrack;
pub mod error;
pub mod i18n;
pub mod webhook;
