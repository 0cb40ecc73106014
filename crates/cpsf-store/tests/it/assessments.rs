//! Assessments (revisions and conflicts), evidence files, supplier questionnaires and invitations, and the facts
//! automatic evidence reads.

use cpsf_store::{Analysis, AnalysisState, NewAssessment, NewEvidenceFile, Severity, StoreError, Submission};
use serde_json::json;
use time::macros::datetime;

use crate::fixtures::{finding, small_app};
use crate::harness::TestStore;

fn new_assessment(id: &str, kind: &str, name: &str) -> NewAssessment {
    NewAssessment {
        id: id.to_owned(),
        catalog: "meti-cmg-3.0".to_owned(),
        scope_kind: kind.to_owned(),
        scope_name: name.to_owned(),
        document: json!({ "id": id, "results": [] }).to_string(),
    }
}

fn hash(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

fn actions(t: &TestStore, n: u32) -> Vec<String> {
    t.list_audit(n, 0).unwrap().into_iter().map(|e| e.action).collect()
}

pub fn assessments_keep_revisions(t: &TestStore) {
    let created = t.create_assessment(&new_assessment("a-1", "company", "ACME"), "alice").unwrap();
    assert_eq!((created.revision, created.created_by.as_str()), (1, "alice"));
    assert_eq!(t.assessment("a-1").unwrap().unwrap(), created);
    assert!(t.assessment("nope").unwrap().is_none());
    t.create_assessment(&new_assessment("a-0", "supplier", "Parts Co"), "alice").unwrap();
    let listed: Vec<(String, String)> =
        t.list_assessments().unwrap().into_iter().map(|a| (a.scope_kind, a.scope_name)).collect();
    assert_eq!(listed, [("company".into(), "ACME".into()), ("supplier".into(), "Parts Co".into())]);

    // Updates need the revision they were based on; a stale one is a conflict and changes nothing.
    let doc2 = json!({ "id": "a-1", "results": [{ "entry": "X", "status": "implemented" }] }).to_string();
    let updated = t.update_assessment("a-1", 1, &doc2, "bob", "assessment.edit", &json!({ "entry": "X" })).unwrap();
    assert_eq!(updated.revision, 2);
    assert_eq!(updated.document, doc2);
    assert!(updated.updated >= created.updated);
    match t.update_assessment("a-1", 1, "{}", "carol", "assessment.edit", &json!({})) {
        Err(StoreError::Conflict { what }) => assert!(what.contains("revision 2 now"), "{what}"),
        other => panic!("expected Conflict, got {other:?}"),
    }
    assert_eq!(t.assessment("a-1").unwrap().unwrap().document, doc2, "the stale write stored nothing");
    assert!(matches!(
        t.update_assessment("missing", 1, "{}", "bob", "assessment.edit", &json!({})),
        Err(StoreError::NotFound { .. })
    ));
    // Refused before the database: a document that is no JSON object, an unknown scope kind, a taken id.
    assert!(matches!(
        t.update_assessment("a-1", 2, "[1]", "bob", "assessment.edit", &json!({})),
        Err(StoreError::Invalid { .. })
    ));
    assert!(matches!(
        t.create_assessment(&new_assessment("a-2", "planet", "Earth"), "alice"),
        Err(StoreError::Invalid { .. })
    ));
    let mut bad = new_assessment("a-3", "site", "Plant 1");
    bad.document = "not json".into();
    assert!(matches!(t.create_assessment(&bad, "alice"), Err(StoreError::Invalid { .. })));
    assert!(matches!(
        t.create_assessment(&new_assessment("a-1", "site", "Plant 1"), "alice"),
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(actions(t, 3), ["assessment.edit", "assessment.create", "assessment.create"]);
    let last = &t.list_audit(1, 0).unwrap()[0];
    assert_eq!((last.who.as_str(), last.target.as_str()), ("bob", "assessment:a-1"));
}

pub fn evidence_files_are_stored_with_the_document(t: &TestStore) {
    t.create_assessment(&new_assessment("a-1", "company", "ACME"), "alice").unwrap();
    let files = [
        NewEvidenceFile {
            entry: "ID.AM-1".into(),
            name: "inventory.xlsx".into(),
            media_type: "application/octet-stream".into(),
            content: b"\x00\x01binary\xff".to_vec(),
        },
        NewEvidenceFile {
            entry: "ID.AM-2".into(),
            name: "policy.txt".into(),
            media_type: "text/plain".into(),
            content: b"policy".to_vec(),
        },
    ];
    let (updated, stored) = t
        .update_assessment_with_files("a-1", 1, &files, "bob", "assessment.edit", &json!({}), &|stored| {
            let ids: Vec<i64> = stored.iter().map(|f| f.id).collect();
            Ok(json!({ "files": ids }).to_string())
        })
        .unwrap();
    assert_eq!(updated.revision, 2);
    assert_eq!(stored.len(), 2);
    assert_eq!(updated.document, json!({ "files": [stored[0].id, stored[1].id] }).to_string());
    assert_eq!(
        stored[1].sha256, "823412d1eacb67956220e532959f0104603057c88704863ca38e7cd188fda812",
        "SHA-256 of `policy`"
    );
    assert_eq!(stored[1].size, 6);
    let (info, content) = t.evidence_file("a-1", stored[0].id).unwrap().unwrap();
    assert_eq!(info, stored[0]);
    assert_eq!(content, b"\x00\x01binary\xff");
    assert!(t.evidence_file("other", stored[0].id).unwrap().is_none(), "a file belongs to its assessment");
    assert_eq!(t.evidence_files("a-1").unwrap(), stored);

    // A document that fails to build, or a stale revision, leaves no file behind.
    let failed = t.update_assessment_with_files("a-1", 2, &files[..1], "bob", "assessment.edit", &json!({}), &|_| {
        Err(StoreError::Invalid { what: "no".into() })
    });
    assert!(matches!(failed, Err(StoreError::Invalid { .. })));
    let stale = t.update_assessment_with_files("a-1", 1, &files[..1], "bob", "assessment.edit", &json!({}), &|_| {
        Ok("{}".into())
    });
    assert!(matches!(stale, Err(StoreError::Conflict { .. })));
    assert_eq!(t.evidence_files("a-1").unwrap().len(), 2);
    assert_eq!(t.assessment("a-1").unwrap().unwrap().revision, 2);
    assert_eq!(actions(t, 3), ["assessment.edit", "assessment.evidence", "assessment.evidence"]);
}

pub fn questionnaires_are_answered_through_invites(t: &TestStore) {
    let entries = vec!["ID.AM-1".to_owned(), "PR.AC-1".to_owned()];
    let q = t.create_questionnaire("Suppliers 2026", "meti-cmg-3.0", &entries, "alice").unwrap();
    assert_eq!(t.questionnaire(q.id).unwrap().unwrap(), q);
    assert_eq!(t.list_questionnaires().unwrap(), std::slice::from_ref(&q));
    assert!(matches!(t.create_questionnaire("Empty", "meti-cmg-3.0", &[], "alice"), Err(StoreError::Invalid { .. })));
    assert_eq!(t.questionnaire_counts().unwrap(), (0, 0));

    let now = datetime!(2026-03-01 00:00 UTC);
    let expires = datetime!(2026-03-15 00:00 UTC);
    let parts = t.create_invite(q.id, "Parts Co", "qa@parts.example", &hash(1), expires, "alice").unwrap();
    let late = t.create_invite(q.id, "Late Ltd", "", &hash(2).to_uppercase(), now, "alice").unwrap();
    assert!(matches!(t.create_invite(q.id, "Dup", "", &hash(1), expires, "alice"), Err(StoreError::Conflict { .. })));
    assert!(matches!(
        t.create_invite(q.id + 99, "X", "", &hash(3), expires, "alice"),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(t.create_invite(q.id, "X", "", "abc", expires, "alice"), Err(StoreError::Invalid { .. })));
    assert_eq!(t.questionnaire_counts().unwrap(), (2, 0));

    // The link works until it expires; the hash is compared in lower case.
    let (found, with) = t.invite_by_token(&hash(1).to_uppercase(), now).unwrap().expect("a live invitation");
    assert_eq!((found.clone(), with.id), (parts.clone(), q.id));
    assert!(t.invite_by_token(&hash(1), expires).unwrap().is_none(), "expired at its expiry");
    assert!(t.invite_by_token(&hash(2), now).unwrap().is_none(), "Late Ltd's link expired already");
    assert!(t.invite_by_token(&hash(9), now).unwrap().is_none());

    // Answering creates the supplier's assessment, stores the files and marks the invitation answered.
    let mut supplier = new_assessment("s-1", "supplier", "Parts Co");
    supplier.catalog = q.catalog.clone();
    let files = [NewEvidenceFile {
        entry: "ID.AM-1".into(),
        name: "sbom.cdx.json".into(),
        media_type: "application/json".into(),
        content: b"{}".to_vec(),
    }];
    let submission = Submission { invite_id: parts.id, assessment: &supplier, revision: None, files: &files, now };
    let (stored, stored_files) = t
        .submit_answers(&submission, "supplier:Parts Co", &|f| {
            Ok(json!({ "answered": true, "files": f.len() }).to_string())
        })
        .unwrap();
    assert_eq!(stored.revision, 2, "created, then given its document");
    assert_eq!(stored.document, json!({ "answered": true, "files": 1 }).to_string());
    assert_eq!(stored_files[0].uploaded_by, "supplier:Parts Co");
    assert_eq!(t.questionnaire_counts().unwrap(), (2, 1));
    let invites = t.list_invites(q.id).unwrap();
    assert_eq!(invites.len(), 2);
    assert!(invites[0].submitted && invites[0].answered_at.is_some());
    assert_eq!(invites[0].assessment_id.as_deref(), Some("s-1"));
    assert!(!invites[1].submitted && invites[1].assessment_id.is_none());
    assert_eq!(invites[1], late);

    // Answering again updates the same assessment (at the revision read); a stale or second "new" answer conflicts.
    assert!(matches!(
        t.submit_answers(&submission, "supplier:Parts Co", &|_| Ok("{}".into())),
        Err(StoreError::Conflict { .. })
    ));
    let again = Submission { revision: Some(2), files: &[], ..submission.clone() };
    let (updated, _) = t.submit_answers(&again, "supplier:Parts Co", &|_| Ok(json!({ "v": 3 }).to_string())).unwrap();
    assert_eq!(updated.revision, 3);
    assert!(matches!(
        t.submit_answers(&again, "supplier:Parts Co", &|_| Ok("{}".into())),
        Err(StoreError::Conflict { .. })
    ));
    // After the expiry nothing is accepted.
    let expired = Submission { revision: Some(3), now: expires, ..again.clone() };
    assert!(matches!(
        t.submit_answers(&expired, "supplier:Parts Co", &|_| Ok("{}".into())),
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(t.assessment("s-1").unwrap().unwrap().revision, 3);

    let overview = t.supplier_overview().unwrap();
    let names: Vec<(&str, bool)> =
        overview.iter().map(|r| (r.invite.supplier.as_str(), r.assessment.is_some())).collect();
    assert_eq!(names, [("Late Ltd", false), ("Parts Co", true)]);
    assert_eq!(overview[1].questionnaire.title, "Suppliers 2026");
    assert_eq!(overview[1].assessment.as_ref().unwrap().document, json!({ "v": 3 }).to_string());
    let recent = actions(t, 5);
    assert_eq!(recent[0], "questionnaire.answer");
    assert!(recent.contains(&"questionnaire.invite".to_owned()));
}

pub fn evidence_facts_are_read(t: &TestStore) {
    t.ensure_product("empty", "ci").unwrap();
    let first = t.ingest_sbom("shop", "1.0", &small_app("2.14.1"), "ci", true).unwrap();
    let second = t.ingest_sbom("shop", "2.0", &small_app("2.17.1"), "ci", true).unwrap();
    let latest = t.latest_sboms().unwrap();
    assert_eq!(latest.len(), 2);
    assert_eq!((latest[0].product.as_str(), latest[0].sbom.clone()), ("empty", None));
    let (id, version, _) = latest[1].sbom.clone().expect("shop has an SBOM");
    assert_eq!((id, version.as_str()), (second.sbom_id, "2.0"), "the SBOM uploaded last");

    let t1 = datetime!(2026-02-01 00:00 UTC);
    let log4j = "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1";
    let api = "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1";
    let changes = t
        .record_findings(
            first.version_id,
            &[finding(log4j, "CVE-2021-44228", Severity::Critical), finding(api, "CVE-2021-45046", Severity::High)],
            t1,
        )
        .unwrap();
    let analysis = Analysis { state: AnalysisState::InTriage, justification: None, responses: vec![], detail: None };
    t.triage(changes.new[0].id, &analysis, "erin").unwrap();
    let facts = t.open_finding_facts().unwrap();
    let seen: Vec<(Severity, bool)> = facts.iter().map(|f| (f.severity, f.triaged)).collect();
    assert_eq!(seen, [(Severity::Critical, true), (Severity::High, false)]);
    assert!(facts.iter().all(|f| f.product == "shop" && f.opened_at == t1));
    // A fixed finding is not open any more.
    t.record_findings(first.version_id, &[finding(log4j, "CVE-2021-44228", Severity::Critical)], t1).unwrap();
    assert_eq!(t.open_finding_facts().unwrap().len(), 1);
}
