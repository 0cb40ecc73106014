//! The OpenAPI document describes exactly the routes the router serves, and is valid JSON of version 3.1.

use std::collections::BTreeSet;

use cpsf_server::api::OPENAPI;
use cpsf_server::app::api_routes;

#[test]
fn document_matches_routes() {
    let doc: serde_json::Value = serde_json::from_str(OPENAPI).expect("openapi.json is JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            documented.insert((method.to_ascii_uppercase(), path.clone()));
        }
    }
    let served: BTreeSet<(String, String)> =
        api_routes().into_iter().map(|(m, p, _)| (m.as_str().to_owned(), p.to_owned())).collect();
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(undocumented.is_empty(), "routes missing from openapi.json: {undocumented:?}");
    assert!(unserved.is_empty(), "openapi.json documents routes that do not exist: {unserved:?}");
    // Every $ref resolves.
    let text = OPENAPI;
    for piece in text.split("\"$ref\": \"#/components/schemas/").skip(1) {
        let name = piece.split('"').next().unwrap();
        assert!(doc["components"]["schemas"].get(name).is_some(), "unresolved $ref {name}");
    }
}
