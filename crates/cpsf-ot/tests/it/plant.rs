//! The plant file: reading, derived importance, SL gaps, structural problems with lines, and writing.

use cpsf_ot::model::{self, Fr, MeasureKind, MeasureStatus, PlantError};

use crate::common::{plant, text};

#[test]
fn reads_the_fixture() {
    let p = plant();
    assert_eq!(p.name.as_deref(), Some("Example molding plant"));
    assert_eq!((p.operations.len(), p.zones.len(), p.conduits.len(), p.assets.len()), (2, 3, 2, 4));
    assert_eq!(p.measures[0].kind, MeasureKind::SystemConfiguration);
    assert_eq!(p.measures[0].status, MeasureStatus::InProgress);
    assert_eq!(p.measures[0].due.map(|d| d.to_string()).as_deref(), Some("2026-03-31"));
    assert_eq!(p.measures[1].status, MeasureStatus::Planned);
}

#[test]
fn zone_importance_is_the_maximum() {
    let p = plant();
    // control: plc-1 has 2, operation `molding` (3) names the zone.
    assert_eq!(p.zone_importance("control").map(|i| i.level()), Some(3));
    // operations: scada-1 has none, `reporting` (1) links scada-1.
    assert_eq!(p.zone_importance("operations").map(|i| i.level()), Some(1));
    assert_eq!(p.zone_importance("field"), None);
}

#[test]
fn security_level_gaps() {
    let gaps = plant().sl_gaps();
    let got: Vec<(Fr, u8, u8)> = gaps.iter().map(|g| (g.fr, g.target, g.achieved)).collect();
    assert_eq!(got, [(Fr::Iac, 2, 1), (Fr::Rdf, 2, 1)]);
    assert!(gaps.iter().all(|g| g.zone == "operations"));
}

#[test]
fn write_and_read_back() {
    let p = plant();
    let yaml = model::write_plant(&p).unwrap();
    let back = model::read_plant("back.yaml", &yaml).unwrap();
    assert_eq!(back, p);
}

#[test]
fn syntax_errors_name_line_and_field() {
    let bad = text("plant.yaml").replace("    importance: 2\n", "    importance: 7\n");
    let err = model::read_plant("plant.yaml", &bad).unwrap_err();
    let PlantError::Syntax { line, message, .. } = &err else { panic!("{err}") };
    assert!(line.is_some(), "{err}");
    assert!(message.contains("importance") || message.contains("1 (low)"), "{message}");
    let err = model::read_plant("p.yaml", "format: cpsf-plant/1\nzones:\n  - name: no id\n").unwrap_err();
    assert!(err.to_string().contains("line 3") && err.to_string().contains("id"), "{err}");
    let err =
        model::read_plant("p.yaml", "format: cpsf-plant/1\nassets:\n  - id: a\n    ips: [10.0.0.256]\n").unwrap_err();
    assert!(err.to_string().contains("line 4"), "{err}");
}

#[test]
fn structural_problems_have_lines() {
    let bad = text("plant.yaml")
        .replace("zones: [operations, control]", "zones: [operations, nowhere]")
        .replace("catalog_entry: measures-physical", "catalog_entry: measures-imaginary")
        .replace("macs: [\"00:1b:1b:00:00:03\"]", "macs: [\"00-1B-1B-00-00-03\"]")
        .replace("format: cpsf-plant/1", "format: cpsf-plant/9")
        .replace("tre: 1, ra: 1}\n    sl_achieved", "tre: 1, ra: 9}\n    sl_achieved");
    let err = model::read_plant("plant.yaml", &bad).unwrap_err();
    let PlantError::Invalid { problems, .. } = &err else { panic!("{err}") };
    let text = err.to_string();
    for want in [
        "format: expected `cpsf-plant/1`",
        "conduits[0].zones[1]: no zone with id `nowhere`",
        "measures[1].catalog_entry: `meti-factory-1.0` has no entry `measures-imaginary`",
        "zones[0].sl_target.ra: expected a security level from 0 to 4, found 9",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    let conduit = problems.iter().find(|p| p.path == "conduits[0].zones[1]").unwrap();
    assert_eq!(conduit.line, Some(text_line(&bad, "  - id: ops-to-control")));
    assert!(problems.iter().any(|p| p.path.starts_with("assets[3].macs")));
}

fn text_line(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l == needle).map(|i| i + 1).unwrap()
}

#[test]
fn duplicate_ids_and_bad_conduits() {
    let yaml = "format: cpsf-plant/1\nzones:\n  - id: a\n  - id: a\n  - id: b\n  - id: c\nconduits:\n  - id: x\n    zones: [a]\n  - id: y\n    zones: [a, b, c]\n    direction: a-to-b\n";
    let err = model::read_plant("p.yaml", yaml).unwrap_err().to_string();
    assert!(err.contains("line 4: zones[1].id: id `a` is used twice"), "{err}");
    assert!(err.contains("conduits[0].zones: expected two zones"), "{err}");
    assert!(err.contains("conduits[1].zones: a conduit joining more than two zones"), "{err}");
}
