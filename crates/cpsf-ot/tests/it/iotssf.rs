//! IoT-SSF categorisation with the built-in (unverified) scheme and with a scheme loaded from a file.

use cpsf_ot::iotssf::{self, Incident, IotSsfError, Scheme, Subject};

use crate::common::text;

fn subject(levels: &[(u8, u8)]) -> Subject {
    Subject {
        id: "boiler-monitor".into(),
        name: None,
        incidents: levels
            .iter()
            .map(|(r, e)| Incident {
                description: format!("incident {r}/{e}"),
                recovery: *r,
                economic: *e,
                assets: vec![],
            })
            .collect(),
    }
}

#[test]
fn builtin_scheme_is_marked_unverified() {
    let scheme = Scheme::builtin();
    assert!(scheme.problems().is_empty(), "{:?}", scheme.problems());
    let c = iotssf::categorize(&scheme, &subject(&[(1, 1), (2, 2), (1, 3)])).unwrap();
    assert_eq!((c.category.as_str(), c.driving_incident), ("III", 1));
    assert!(!c.verified);
    assert!(c.note.as_deref().unwrap().contains("not confirmed"));
    let ids: Vec<&str> = c.viewpoints.iter().map(|v| v.viewpoint.as_str()).collect();
    assert_eq!(ids, ["design", "verification", "operation", "supply-chain", "assurance"]);
    assert_eq!(iotssf::categorize(&scheme, &subject(&[(3, 3)])).unwrap().category, "IV");
    assert_eq!(iotssf::categorize(&scheme, &subject(&[(1, 1)])).unwrap().category, "I");
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["verified"], false);
}

#[test]
fn errors() {
    let scheme = Scheme::builtin();
    let err = iotssf::categorize(&scheme, &subject(&[(1, 1), (4, 1)])).unwrap_err();
    assert!(matches!(err, IotSsfError::Incident { index: 1, .. }), "{err}");
    assert!(err.to_string().contains("recovery"), "{err}");
    assert!(matches!(iotssf::categorize(&scheme, &subject(&[])), Err(IotSsfError::NoIncident(_))));
}

#[test]
fn official_table_from_a_file() {
    let scheme = Scheme::from_yaml("iotssf-scheme.yaml", &text("iotssf-scheme.yaml")).unwrap();
    let c = iotssf::categorize(&scheme, &subject(&[(1, 4), (2, 1)])).unwrap();
    assert_eq!(c.category, "B");
    assert!(c.verified);
    assert_eq!(c.note.as_deref(), Some("Test data only."));
    assert!(c.viewpoints.is_empty(), "category B lists no viewpoints");
    let c = iotssf::categorize(&scheme, &subject(&[(2, 2)])).unwrap();
    assert_eq!(c.category, "C");
    assert_eq!(c.viewpoints.len(), 2);
    assert_eq!(c.viewpoints[1].title, "Viewpoint two");
    // Out of this scheme's range though inside the built-in one.
    assert!(iotssf::categorize(&scheme, &subject(&[(3, 1)])).is_err());
    // A broken table is refused with every reason.
    let broken = text("iotssf-scheme.yaml")
        .replace("  - [B, C, C, C]", "  - [B, C, Z]")
        .replace("viewpoint: v2", "viewpoint: v9");
    let err = Scheme::from_yaml("broken.yaml", &broken).unwrap_err().to_string();
    assert!(err.contains("table row 2: expected 4 cells"), "{err}");
    assert!(err.contains("`Z` is not a category"), "{err}");
    assert!(err.contains("`v9` is not a viewpoint"), "{err}");
    let err = Scheme::from_yaml("x.yaml", "format: cpsf-iotssf-scheme/1\nid: [\n").unwrap_err().to_string();
    assert!(err.contains("line"), "{err}");
}

#[test]
fn subjects_kept_in_the_plant_file() {
    let plant = crate::common::plant();
    assert_eq!(plant.iotssf.len(), 1);
    let c = iotssf::categorize(&Scheme::builtin(), &plant.iotssf[0]).unwrap();
    assert_eq!((c.category.as_str(), c.driving_incident), ("IV", 0));
    let bad = text("plant.yaml").replace("economic: 2, assets: [plc-1]", "economic: 2, assets: [plc-9]");
    let err = cpsf_ot::model::read_plant("plant.yaml", &bad).unwrap_err().to_string();
    assert!(err.contains("iotssf[0].incidents[0].assets[0]: no asset with id `plc-9`"), "{err}");
}
