//! Import into the advisory database: every record of the shared advisory data, incremental re-import, withdrawn records, malformed input as warnings, and the embedded OSV schema equal to the official copy.

use std::path::{Path, PathBuf};

use cpsf_vuln::import::{OSV_SCHEMA, import_paths};
use cpsf_vuln::store::Store;

use crate::common;
use common::scratch;

fn no_progress(_: &str) {}

#[test]
fn embedded_osv_schema_is_the_official_one() {
    let Some(data) = common::shared("") else { return };
    let official = std::fs::read_to_string(data.join("osv-schema/validation/schema.json")).unwrap();
    assert_eq!(OSV_SCHEMA, official, "schema/osv-schema.json differs from the official copy");
}

/// Every OSV record of the shared data is read; records that break the schema are warned about with a reason.
#[test]
fn every_shared_record_imports() {
    let Some(data) = common::shared("") else { return };
    let dir = scratch("all");
    let mut store = Store::open(&dir.join("db.sqlite")).unwrap();
    let advisories = data.join("advisories");
    let paths = vec![
        advisories.join("rustsec-osv"),
        advisories.join("golang-vulndb"),
        advisories.join("pypa-advisory-database"),
        advisories.join("ghsa-maven-sample"),
        advisories.join("cisa-kev"),
    ];
    let report = import_paths(&mut store, &paths, &no_progress).unwrap();
    // Count the records on disk independently.
    let mut expected = 0usize;
    for (dir, ext) in [("rustsec-osv/crates", "json"), ("golang-vulndb/data/osv", "json")] {
        expected += std::fs::read_dir(advisories.join(dir))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == ext))
            .count();
    }
    let mut pypa = 0usize;
    for pkg in std::fs::read_dir(advisories.join("pypa-advisory-database/vulns")).unwrap() {
        let pkg = pkg.unwrap().path();
        if pkg.is_dir() {
            pypa += std::fs::read_dir(pkg)
                .unwrap()
                .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "yaml"))
                .count();
        }
    }
    expected += pypa;
    let ghsa: serde_json::Value = serde_json::from_slice(
        &std::fs::read(advisories.join("ghsa-maven-sample/zeppelin-server.vulnerabilities.json")).unwrap(),
    )
    .unwrap();
    expected += ghsa["vulns"].as_array().unwrap().len();

    assert_eq!(report.rejected, 0, "unusable records: {:#?}", report.warnings);
    assert_eq!(report.records, expected, "records read");
    let stats = store.stats().unwrap();
    assert!(stats.records as usize <= expected && stats.records as usize >= expected - 400, "{stats:?}");
    for warning in report.warnings.iter().filter(|w| w.contains("breaks the OSV schema")) {
        // The warning names the file (or archive entry) and the field.
        assert!(warning.contains("advisories"), "{warning}");
        assert!(warning.contains(": /") || warning.contains("(record)"), "{warning}");
    }
    println!(
        "{} records, {} schema violations, {} warnings; stored {}",
        report.records,
        report.schema_violations,
        report.warnings.len(),
        stats.records
    );
    for w in report.warnings.iter().filter(|w| w.contains("breaks the OSV schema")).take(10) {
        println!("  {w}");
    }
    let ecosystems: Vec<&str> = stats.by_ecosystem.iter().map(|(e, _, _)| e.as_str()).collect();
    for e in ["crates.io", "Go", "PyPI", "Maven"] {
        assert!(ecosystems.contains(&e), "{e} missing from {ecosystems:?}");
    }

    // Re-import: nothing changes.
    let again = import_paths(&mut store, &paths[..1], &no_progress).unwrap();
    assert_eq!(again.counts.added + again.counts.updated, 0, "{:?}", again.counts);
    assert!(again.counts.unchanged > 1000);
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const RECORD: &str = r#"{
  "schema_version": "1.6.0",
  "id": "TEST-2024-0001",
  "modified": "2024-01-01T00:00:00Z",
  "aliases": ["CVE-2024-99999"],
  "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
    "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.0"}]}]}]
}"#;

#[test]
fn reimport_replaces_only_newer_records_and_withdrawn_stop_matching() {
    let dir = scratch("incremental");
    let mut store = Store::open(&dir.join("db.sqlite")).unwrap();
    let file = write(&dir, "a.json", RECORD);
    let first = import_paths(&mut store, std::slice::from_ref(&file), &no_progress).unwrap();
    assert_eq!(first.counts.added, 1);
    assert_eq!(store.ids_for("npm", "left-pad").unwrap(), vec!["TEST-2024-0001"]);

    // Older copy: ignored.
    let older = RECORD.replace("2024-01-01T00:00:00Z", "2023-06-01T00:00:00Z").replace("1.3.0", "9.9.9");
    let f = write(&dir, "older.json", &older);
    let r = import_paths(&mut store, &[f], &no_progress).unwrap();
    assert_eq!(r.counts.unchanged, 1);
    let stored = store.advisory("TEST-2024-0001").unwrap().unwrap();
    assert!(format!("{stored:?}").contains("1.3.0"));

    // Newer copy that renames the package: replaces, and the old package no longer points at it.
    let newer = RECORD.replace("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z").replace("left-pad", "right-pad");
    let f = write(&dir, "newer.json", &newer);
    let r = import_paths(&mut store, &[f], &no_progress).unwrap();
    assert_eq!(r.counts.updated, 1);
    assert!(store.ids_for("npm", "left-pad").unwrap().is_empty());
    assert_eq!(store.ids_for("npm", "right-pad").unwrap().len(), 1);

    // Withdrawn: kept, but no longer a candidate.
    let withdrawn = newer
        .replace("2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z")
        .replace("\"aliases\"", "\"withdrawn\": \"2024-03-01T00:00:00Z\",\n  \"aliases\"");
    let f = write(&dir, "withdrawn.json", &withdrawn);
    let r = import_paths(&mut store, &[f], &no_progress).unwrap();
    assert_eq!((r.counts.updated, r.counts.withdrawn), (1, 1));
    assert!(store.ids_for("npm", "right-pad").unwrap().is_empty());
    assert_eq!(store.stats().unwrap().withdrawn, 1);
}

#[test]
fn malformed_input_is_a_warning_and_the_rest_imports() {
    let dir = scratch("malformed");
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    write(&src, "good.json", RECORD);
    write(&src, "broken.json", "{\"id\": \"X\",");
    write(&src, "noid.json", r#"{"modified": "2024-01-01T00:00:00Z", "affected": []}"#);
    write(
        &src,
        "badrange.json",
        &RECORD.replace("TEST-2024-0001", "TEST-2024-0002").replace(r#"{"introduced": "0"}, "#, ""),
    );
    write(&src, "bad.yaml", "id: [unclosed\n");
    write(&src, "notes.txt", "ignored: not an advisory file");
    let mut store = Store::open(&dir.join("db.sqlite")).unwrap();
    let report = import_paths(&mut store, &[src.clone(), dir.join("missing-dir")], &no_progress).unwrap();
    let all = report.warnings.join("\n");
    assert!(all.contains("broken.json: line 1 column"), "{all}");
    assert!(all.contains("noid.json: id: missing; record skipped"), "{all}");
    assert!(all.contains("badrange.json (TEST-2024-0002)") || all.contains("badrange.json"), "{all}");
    assert!(all.contains("affected[0].ranges[0].events: no `introduced` event"), "{all}");
    assert!(all.contains("bad.yaml: line 2: not valid YAML"), "{all}");
    assert!(all.contains("missing-dir: cannot read"), "{all}");
    assert!(!all.contains("notes.txt"), "{all}");
    assert_eq!(report.counts.added, 2, "good.json and badrange.json (kept without its bad range)");
    assert_eq!(report.rejected, 1);
    // The record whose only range was unusable is kept (its package is indexed) but can match nothing.
    let mut ids = store.ids_for("npm", "left-pad").unwrap();
    ids.sort();
    assert_eq!(ids, vec!["TEST-2024-0001", "TEST-2024-0002"]);
    let kept = store.advisory("TEST-2024-0002").unwrap().unwrap();
    assert!(kept.affected[0].ranges.is_empty());
}

#[test]
fn zip_archives_import_like_directories() {
    let dir = scratch("zip");
    let path = dir.join("all.zip");
    {
        let file = std::fs::File::create(&path).unwrap();
        let mut zip = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("TEST-2024-0001.json", options).unwrap();
        std::io::Write::write_all(&mut zip, RECORD.as_bytes()).unwrap();
        zip.start_file("TEST-2024-0003.json", options).unwrap();
        std::io::Write::write_all(&mut zip, RECORD.replace("TEST-2024-0001", "TEST-2024-0003").as_bytes()).unwrap();
        zip.start_file("broken.json", options).unwrap();
        std::io::Write::write_all(&mut zip, b"[").unwrap();
        zip.finish().unwrap();
    }
    let mut store = Store::open(&dir.join("db.sqlite")).unwrap();
    let report = import_paths(&mut store, &[path], &no_progress).unwrap();
    assert_eq!(report.counts.added, 2);
    assert!(report.warnings.iter().any(|w| w.contains("all.zip!/broken.json")), "{:?}", report.warnings);
    let mut ids = store.ids_for("npm", "left-pad").unwrap();
    ids.sort();
    assert_eq!(ids, vec!["TEST-2024-0001", "TEST-2024-0003"]);
}

/// Looking up many packages at once reads the ecosystem's slice of the index instead of probing it per
/// package; both ways give the same answer.
#[test]
fn lookups_by_probe_and_by_slice_agree() {
    let dir = scratch("lookups");
    let mut store = Store::open(&dir.join("db.sqlite")).unwrap();
    let other = RECORD.replace("TEST-2024-0001", "TEST-2024-0009").replace("left-pad", "right-pad");
    let withdrawn = RECORD
        .replace("TEST-2024-0001", "TEST-2024-0010")
        .replace("\"aliases\"", "\"withdrawn\": \"2024-03-01T00:00:00Z\",\n  \"aliases\"");
    let mut files =
        vec![write(&dir, "a.json", RECORD), write(&dir, "b.json", &other), write(&dir, "c.json", &withdrawn)];
    // Enough other packages that one key is looked up by probing and fifty by reading the slice.
    for i in 0..10 {
        let record =
            RECORD.replace("TEST-2024-0001", &format!("TEST-2024-01{i:02}")).replace("left-pad", &format!("pad-{i}"));
        files.push(write(&dir, &format!("pad-{i}.json"), &record));
    }
    import_paths(&mut store, &files, &no_progress).unwrap();
    let few = store.ids_for_many("npm", &["pad-3", "left-pad"]).unwrap();
    let mut many_keys: Vec<String> = (0..50).map(|i| format!("unknown-{i}")).collect();
    many_keys.extend(["left-pad".to_owned(), "pad-3".to_owned()]);
    let many = store.ids_for_many("npm", &many_keys).unwrap();
    assert_eq!(few, many);
    assert_eq!(many.get("left-pad").map(Vec::as_slice), Some(&["TEST-2024-0001".to_owned()][..]));
    assert_eq!(many.get("pad-3").map(Vec::as_slice), Some(&["TEST-2024-0103".to_owned()][..]));
    assert!(!many.contains_key("right-pad"), "not asked for");
    // Without the slice sizes the import keeps in `meta`, the lookups count the slice and answer the same.
    drop(store);
    let conn = rusqlite::Connection::open(dir.join("db.sqlite")).unwrap();
    assert_eq!(conn.execute("DELETE FROM meta WHERE key = 'affected_rows:npm'", []).unwrap(), 1);
    drop(conn);
    let store = Store::open_read_only(&dir.join("db.sqlite")).unwrap();
    assert_eq!(store.ids_for_many("npm", &["pad-3", "left-pad"]).unwrap(), few);
    assert_eq!(store.ids_for_many("npm", &many_keys).unwrap(), many);
}

/// A version 1 database (its `affected` table without the withdrawn mark) is migrated in place by a
/// writable open; a read-only open refuses it and says how to bring it up to date.
#[test]
fn version_1_databases_are_migrated() {
    let dir = scratch("migrate");
    let path = dir.join("db.sqlite");
    let withdrawn = RECORD
        .replace("TEST-2024-0001", "TEST-2024-0010")
        .replace("\"aliases\"", "\"withdrawn\": \"2024-03-01T00:00:00Z\",\n  \"aliases\"");
    {
        let mut store = Store::open(&path).unwrap();
        let files = [write(&dir, "a.json", RECORD), write(&dir, "w.json", &withdrawn)];
        import_paths(&mut store, &files, &no_progress).unwrap();
    }
    // The version 1 layout of the same data.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TABLE affected_1 (ecosystem TEXT NOT NULL, package TEXT NOT NULL, id TEXT NOT NULL);
             INSERT INTO affected_1 SELECT ecosystem, package, id FROM affected;
             DROP TABLE affected;
             ALTER TABLE affected_1 RENAME TO affected;
             CREATE INDEX affected_package ON affected (ecosystem, package);
             CREATE INDEX affected_id ON affected (id);
             PRAGMA user_version = 1;",
        )
        .unwrap();
    let refused = Store::open_read_only(&path).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(refused.contains("schema version 1") && refused.contains("cpsf db import"), "{refused}");
    drop(Store::open(&path).unwrap());
    let store = Store::open_read_only(&path).unwrap();
    assert_eq!(store.ids_for("npm", "left-pad").unwrap(), vec!["TEST-2024-0001"], "the withdrawn record is not");
    let stats = store.stats().unwrap();
    assert_eq!((stats.records, stats.withdrawn), (2, 1));
}
