//! Scores, rollups, the gap list order, edits with history, overrides and file round trips.

use cpsf_assess::edit::{Update, apply};
use cpsf_assess::score::{GapReason, compute, gaps};
use cpsf_assess::{CheckResult, Status, io};

use crate::common::{NOW, assessment, catalog};

fn set(a: &mut cpsf_assess::Assessment, c: &cpsf_catalog::Catalog, entry: &str, status: Status) {
    apply(a, c, entry, &Update { status: Some(status), ..Update::default() }, "tester", NOW).expect("edit applies");
}

#[test]
fn weighted_average_excludes_not_applicable_and_not_assessed() {
    let c = catalog();
    let mut a = assessment(&c);
    assert_eq!(a.results.len(), 5, "one result per assessable entry");
    assert_eq!(a.results[0].title.as_deref(), Some("台帳"), "titles in the chosen language");
    set(&mut a, &c, "A-1", Status::Implemented); // weight 2 → 2
    set(&mut a, &c, "A-2", Status::Partially); // 0.5
    set(&mut a, &c, "B-1", Status::NotImplemented); // 0
    set(&mut a, &c, "B-2", Status::NotApplicable); // excluded
    let s = compute(&c, &a);
    // (2*1 + 1*0.5 + 1*0) / (2 + 1 + 1) = 0.625
    assert_eq!(s.overall.score, Some(62.5));
    assert_eq!(s.overall.counted, 3);
    assert_eq!(s.overall.not_applicable, 1);
    assert_eq!(s.overall.not_assessed, 1);
    // Category A: (2 + 0.5) / 3 = 83.3; B: 0 / 1.
    assert_eq!(s.by_entry["A"].score, Some(83.3));
    assert_eq!(s.by_entry["B"].score, Some(0.0));
    assert_eq!(s.by_entry["B"].assessable, 3);
}

#[test]
fn nothing_scored_is_none_not_zero() {
    let c = catalog();
    let a = assessment(&c);
    assert_eq!(compute(&c, &a).overall.score, None);
}

#[test]
fn gaps_are_ordered_by_priority() {
    let c = catalog();
    let mut a = assessment(&c);
    set(&mut a, &c, "A-1", Status::Partially);
    set(&mut a, &c, "A-2", Status::NotImplemented);
    set(&mut a, &c, "B-1", Status::Partially);
    apply(&mut a, &c, "B-1", &Update { due: Some("2026-01-01".into()), ..Update::default() }, "t", NOW).unwrap();
    set(&mut a, &c, "B-2", Status::Implemented);
    let list = gaps(&c, &a, "2026-11-26");
    let order: Vec<(&str, GapReason)> = list.iter().map(|g| (g.entry.as_str(), g.reason)).collect();
    assert_eq!(
        order,
        vec![
            ("A-2", GapReason::NotImplemented),
            ("B-1", GapReason::Partially), // overdue comes first among partials
            ("A-1", GapReason::Partially),
            ("B-3", GapReason::NotAssessed),
        ]
    );
    assert!(list[1].overdue);
}

#[test]
fn edits_are_validated_and_recorded() {
    let c = catalog();
    let mut a = assessment(&c);
    let bad_level = apply(&mut a, &c, "A-1", &Update { level: Some("l9".into()), ..Update::default() }, "t", NOW);
    assert!(bad_level.unwrap_err().to_string().contains("level: expected one of l1, l2, l3"));
    let bad_due = apply(&mut a, &c, "A-1", &Update { due: Some("tomorrow".into()), ..Update::default() }, "t", NOW);
    assert!(bad_due.unwrap_err().to_string().contains("due: expected a date"));
    let group = apply(&mut a, &c, "A", &Update { status: Some(Status::Implemented), ..Update::default() }, "t", NOW);
    assert!(group.unwrap_err().to_string().contains("not assessed itself"));
    assert!(a.history.is_empty(), "failed edits leave no history");
    let n = apply(
        &mut a,
        &c,
        "A-1",
        &Update {
            status: Some(Status::Implemented),
            level: Some("l2".into()),
            owner: Some("佐藤".into()),
            ..Update::default()
        },
        "alice",
        NOW,
    )
    .unwrap();
    assert_eq!(n, 3);
    assert_eq!(a.history[0].field, "status");
    assert_eq!(a.history[0].from.as_deref(), Some("not-assessed"));
    assert_eq!(a.history[0].to.as_deref(), Some("implemented"));
    assert_eq!(a.history[0].by, "alice");
    assert_eq!(compute(&c, &a).maturity, Some((2.0, 1)));
    let missing = apply(
        &mut a,
        &c,
        "A-1",
        &Update { override_result: Some((CheckResult::Met, "  ".into())), ..Update::default() },
        "alice",
        NOW,
    );
    assert!(missing.unwrap_err().to_string().contains("justification is required"));
}

#[test]
fn yaml_round_trip_and_reconcile() {
    let c = catalog();
    let mut a = assessment(&c);
    set(&mut a, &c, "B-2", Status::Implemented);
    let dir = std::env::temp_dir().join(format!("cpsf-assess-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("a.yaml");
    io::write_file(&path, &a).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("# cpsf assessment of catalog `test-cat`"));
    let mut back = io::read_file(&path).unwrap();
    assert_eq!(back, a);
    // An entry the catalog no longer has is kept and reported; a missing one is added.
    back.results.retain(|r| r.entry != "A-2");
    back.results.push(cpsf_assess::EntryResult::new("Z-9"));
    let warnings = io::reconcile(&mut back, &c);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("`Z-9`"));
    assert_eq!(
        back.results.iter().map(|r| r.entry.as_str()).collect::<Vec<_>>(),
        ["A-1", "A-2", "B-1", "B-2", "B-3", "Z-9"]
    );
    // A bad file names the line.
    let err = io::parse("bad.yaml", "format: cpsf-assessment/1\nid: x\n  catalog: [\n").unwrap_err().to_string();
    assert!(err.starts_with("bad.yaml: line"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
