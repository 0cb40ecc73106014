//! cpsf serve: the team server. `app` holds the state, authentication and `router(state)`; `api` the JSON
//! handlers (with Dependency-Track's upload and project routes); `monitor` matches stored SBOMs against the
//! advisory database; `web` is the browser UI; `auth`, `dtrack`, `webhook` and `i18n` are the pieces they share.
//! Frameworks: `assess_api` holds the catalog, assessment and questionnaire API and the operations the UI shares,
//! `web_assess` their pages and the public supplier page, `facts` what automatic evidence is evaluated over.
//! Factory systems and IoT: `ot_api` holds the plant, asset, capture, discovered-device and device-advisory API
//! and the operations `web_ot` (their pages) and `demo` (`cpsf demo`'s plant) share with it.

pub mod api;
pub mod app;
pub mod assess_api;
pub mod auth;
pub mod demo;
pub mod dtrack;
pub mod error;
pub mod export;
pub mod facts;
pub mod i18n;
pub mod monitor;
pub mod ot_api;
pub mod serve;
pub mod tls;
pub mod web;
pub mod web_assess;
pub mod web_ot;
pub mod webhook;

pub use app::{AppState, Config, router};
