//! The store test suite: every test is written once, as a function of a [`harness::TestStore`], and run on SQLite
//! (a temporary file) and on PostgreSQL (a temporary database) when `CPSF_TEST_POSTGRES_URL` names a server.

mod assessments;
mod audit;
mod concurrency;
mod findings;
mod fixtures;
mod harness;
mod ingest;
mod plant;
mod schema;
mod search;
mod users;

/// One `#[test]` per backend for each listed test function.
macro_rules! on_both_backends {
    ($($module:ident :: $test:ident),+ $(,)?) => {
        mod sqlite {
            $(#[test] fn $test() { crate::harness::run_sqlite(stringify!($test), crate::$module::$test) })+
        }
        mod postgres {
            $(#[test] fn $test() { crate::harness::run_postgres(stringify!($test), crate::$module::$test) })+
        }
    };
}

on_both_backends!(
    schema::migrations_are_applied_once,
    schema::a_newer_schema_is_refused,
    ingest::an_sbom_reads_back_as_uploaded,
    ingest::a_new_upload_becomes_the_current_sbom,
    ingest::without_auto_create_unknown_products_are_not_found,
    ingest::a_failed_upload_leaves_nothing,
    ingest::ten_thousand_components_are_ingested,
    findings::findings_are_reconciled,
    findings::findings_are_filtered,
    findings::triage_keeps_its_history,
    search::the_portfolio_is_searched,
    users::users_and_roles,
    users::tokens_of_disabled_users_are_refused,
    users::product_access_is_granted_and_revoked,
    users::sessions_expire_and_end,
    audit::audit_entries_are_listed_newest_first,
    audit::meta_and_webhook_queue,
    concurrency::concurrent_ingests_lose_nothing,
    concurrency::a_store_is_shared_across_threads,
    assessments::assessments_keep_revisions,
    assessments::evidence_files_are_stored_with_the_document,
    assessments::questionnaires_are_answered_through_invites,
    assessments::evidence_facts_are_read,
    plant::plants_keep_revisions,
    plant::captures_keep_summaries_and_small_bytes,
    plant::device_advisories_and_asset_findings,
);

/// Servers starting together on one new database: each migration is applied once.
#[test]
fn sqlite_concurrent_opens_migrate_once() {
    harness::with_sqlite_location("concurrent_open", schema::concurrent_opens_migrate_once);
}

#[test]
fn postgres_concurrent_opens_migrate_once() {
    harness::with_postgres_location("concurrent_open", schema::concurrent_opens_migrate_once);
}

/// PostgreSQL only: a client whose connection was cut is replaced.
#[test]
fn postgres_reconnects_after_the_connection_is_cut() {
    harness::run_postgres("reconnect", concurrency::broken_connections_are_replaced);
}
