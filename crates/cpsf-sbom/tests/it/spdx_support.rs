//! Shared by the SPDX tests: a realistic inventory, the facts a round trip must keep, the shared test data
//! root, and running `sbomcheck` (ntia-conformance-checker) on a written document.

use std::path::{Path, PathBuf};

use cpsf_model::{Component, ComponentKind, Hash, HashAlgorithm, Inventory, Party, Purl, Scope, SkippedFile, Tool};

fn purl(text: &str) -> Purl {
    text.parse().unwrap()
}

fn component(p: &str, line: u32, path: &str) -> Component {
    Component::from_purl(purl(p)).at(path, Some(line))
}

/// A web shop's inventory: npm, Cargo, Maven and PyPI components with suppliers, hashes, licences (one free
/// text), direct/transitive, a development and an optional dependency, and edges.
pub fn sample_inventory() -> Inventory {
    let mut express = component("pkg:npm/express@4.18.2", 12, "web/package-lock.json");
    express.direct = Some(true);
    express.scope = Some(Scope::Required);
    express.supplier = Some(Party::named("OpenJS Foundation"));
    express.licenses = vec!["MIT".into()];
    express.hashes = vec![
        Hash::from_sri(
            "sha512-5/PsL6iGPdfQ/lKM1UuielYgv3BUoJfz1aUwU9vHZ+J7gyvwdQXFEBIEIaxeGf0GIcreATNyBExtalisDbuMqQ==",
        )
        .unwrap(),
    ];
    express.download_location = Some("https://registry.npmjs.org/express/-/express-4.18.2.tgz".into());
    express.dependencies.insert("pkg:npm/accepts@1.3.8".into());

    let mut accepts = component("pkg:npm/accepts@1.3.8", 40, "web/package-lock.json");
    accepts.direct = Some(false);
    accepts.scope = Some(Scope::Required);
    accepts.supplier = Some(Party {
        name: "Douglas Christopher Wilson".into(),
        email: Some("doug@somethingdoug.com".into()),
        url: None,
    });
    accepts.licenses = vec!["MIT".into()];
    accepts.author = Some("Douglas Christopher Wilson (doug@somethingdoug.com)".into());

    let mut types_node = component("pkg:npm/%40types/node@20.11.5", 77, "web/package-lock.json");
    types_node.direct = Some(true);
    types_node.scope = Some(Scope::Dev);
    types_node.supplier = Some(Party::named("DefinitelyTyped"));
    types_node.licenses = vec!["MIT".into()];
    types_node.dependencies.insert("pkg:npm/undici-types@5.26.5".into());

    let mut undici = component("pkg:npm/undici-types@5.26.5", 90, "web/package-lock.json");
    undici.direct = Some(false);
    undici.scope = Some(Scope::Dev);
    undici.supplier = Some(Party::named("Node.js Foundation"));
    undici.licenses = vec!["MIT".into()];

    let mut serde = component("pkg:cargo/serde@1.0.197", 210, "api/Cargo.lock");
    serde.direct = Some(true);
    serde.supplier = Some(Party::named("serde-rs project"));
    serde.licenses = vec!["MIT OR Apache-2.0".into()];
    serde.hashes = vec![
        Hash::hex(HashAlgorithm::Sha256, "3fb1c873e1b9b056a4dc4c0c198b24c3ffa059243875552b2bd0933b1aee4ce2").unwrap(),
    ];
    serde.download_location = Some("https://crates.io/api/v1/crates/serde/1.0.197/download".into());

    let mut lang3 = component("pkg:maven/org.apache.commons/commons-lang3@3.14.0", 31, "batch/pom.xml");
    lang3.direct = Some(true);
    lang3.supplier = Some(Party::named("The Apache Software Foundation"));
    lang3.licenses = vec!["Apache License, Version 2.0".into()];
    lang3.hashes = vec![Hash::hex(HashAlgorithm::Sha1, "1ed471194b02f2c6cb734a0cd6f6f107c673afae").unwrap()];
    lang3.description = Some(
        "Apache Commons Lang, a package of Java utility classes for the\nclasses that are in java.lang's hierarchy."
            .into(),
    );

    let mut requests = component("pkg:pypi/requests@2.31.0", 4, "tools/requirements.txt");
    requests.direct = Some(true);
    requests.scope = Some(Scope::Optional);
    requests.supplier = Some(Party::named("Python Software Foundation"));
    requests.licenses = vec!["Apache-2.0".into()];
    requests.hashes = vec![
        Hash::hex(HashAlgorithm::Sha256, "58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f").unwrap(),
    ];

    let mut inventory = Inventory::default();
    inventory.extend_components([express, accepts, types_node, undici, serde, lang3, requests]);
    let root = Component {
        bom_ref: "cpsf-root:acme-webshop".into(),
        kind: ComponentKind::Application,
        name: "acme-webshop".into(),
        version: Some("2.4.0".into()),
        supplier: Some(Party::named("ACME Corp")),
        dependencies: inventory.direct_refs().into_iter().collect(),
        ..Component::default()
    };
    inventory.metadata.component = Some(root);
    inventory.metadata.supplier = Some(Party::named("ACME Corp"));
    inventory.metadata.authors =
        vec![Party { name: "Hanako Yamada".into(), email: Some("hanako@acme.example".into()), url: None }];
    inventory.metadata.tools =
        vec![Tool { name: "cpsf".into(), version: Some(env!("CARGO_PKG_VERSION").into()), vendor: None }];
    inventory.metadata.timestamp = Some("2026-11-25T09:30:00Z".into());
    inventory.metadata.serial_number = Some("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79".into());
    inventory.sources = vec![
        "api/Cargo.lock".into(),
        "batch/pom.xml".into(),
        "tools/requirements.txt".into(),
        "web/package-lock.json".into(),
    ];
    inventory.skipped =
        vec![SkippedFile { path: "legacy/yarn.lock".into(), reason: "line 7: expected `version`".into() }];
    inventory
}

/// What a round trip must keep, rendered as sorted text lines so a difference reads well.
pub fn facts(inventory: &Inventory) -> Vec<String> {
    let mut out = Vec::new();
    let m = &inventory.metadata;
    out.push(format!("timestamp {:?}", m.timestamp));
    out.push(format!("authors {:?}", m.authors));
    out.push(format!("tools {:?}", m.tools.iter().map(|t| (&t.name, &t.version)).collect::<Vec<_>>()));
    out.push(format!("supplier {:?}", m.supplier));
    out.push(format!("sources {:?}", inventory.sources));
    out.push(format!("skipped {:?}", inventory.skipped));
    if let Some(root) = &m.component {
        out.push(format!("root {} {:?} {:?} deps {:?}", root.name, root.version, root.supplier, root.dependencies));
    }
    for c in &inventory.components {
        out.push(format!(
            "component {} name={} group={:?} version={:?} purl={:?} kind={:?} scope={:?} direct={:?} supplier={:?} author={:?} licenses={} hashes={:?} download={:?} description={:?} locations={:?} deps={:?}",
            c.bom_ref,
            c.name,
            c.group,
            c.version,
            c.purl.as_ref().map(|p| p.to_string()),
            c.kind,
            c.scope,
            c.direct,
            c.supplier,
            c.author,
            c.licenses.join(" AND "),
            c.hashes,
            c.download_location,
            c.description,
            c.locations,
            c.dependencies,
        ));
    }
    out
}

/// Assert two inventories have the same facts, showing the differing lines.
pub fn assert_same_facts(expected: &Inventory, actual: &Inventory, what: &str) {
    let (e, a) = (facts(expected), facts(actual));
    let missing: Vec<&String> = e.iter().filter(|l| !a.contains(l)).collect();
    let extra: Vec<&String> = a.iter().filter(|l| !e.contains(l)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}: facts differ\n  expected but missing:\n    {}\n  found instead:\n    {}",
        missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n    "),
        extra.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n    ")
    );
}

/// The shared test data root (`CPSF_TEST_DATA`, default `../shared/data` beside the repository).
pub fn shared_data() -> Option<PathBuf> {
    let root = std::env::var_os("CPSF_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if root.is_dir() {
        Some(root)
    } else {
        eprintln!("SKIPPED: CPSF_TEST_DATA not found ({})", root.display());
        None
    }
}

/// Our own fixtures.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/spdx").join(name)
}

/// Every file under `dir` (recursively), sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Whether `sbomcheck` can be run; prints the SKIPPED line when not.
pub fn sbomcheck_available() -> bool {
    let ok = std::process::Command::new("sbomcheck").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("SKIPPED: sbomcheck not installed");
    }
    ok
}

/// Run `sbomcheck -s <spec> -r json FILE` on `text` and return its JSON report.
pub fn sbomcheck(text: &str, file_name: &str, spec: &str) -> serde_json::Value {
    let dir = std::env::temp_dir().join(format!("cpsf-spdx-sbomcheck-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(file_name);
    std::fs::write(&path, text).unwrap();
    let output = std::process::Command::new("sbomcheck")
        .args(["-s", spec, "-c", "ntia", "-r", "json", "-q"])
        .arg(&path)
        .output()
        .expect("run sbomcheck");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let _ = std::fs::remove_file(&path);
    serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("sbomcheck gave no JSON report ({e}):\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr))
    })
}

/// With `CPSF_DUMP_DIR` set, keep a written document there for reading by eye.
pub fn dump(name: &str, text: &str) {
    if let Some(dir) = std::env::var_os("CPSF_DUMP_DIR") {
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(Path::new(&dir).join(name), text);
    }
}
