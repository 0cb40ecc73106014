//! Integration tests of the server, in-process through `router(state)` (no socket): the API, Dependency-Track's
//! upload and project routes, authentication and roles, and the OpenAPI document against the real routes.

mod api;
mod assess;
mod common;
mod openapi;
mod ot;
mod web;
mod webhooks;
