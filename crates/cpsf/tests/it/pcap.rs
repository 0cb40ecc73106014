//! `cpsf pcap discover` on the shared ICS captures: every capture gives output and exit 0 in every format, the
//! CycloneDX output is valid against the official 1.6 schema, a truncated copy of a capture gives a warning
//! naming it and the byte offset while the other files are still read, and unreadable input exits 2.

use std::path::{Path, PathBuf};

use crate::serve::{cpsf, scratch};

fn shared_captures() -> Option<Vec<PathBuf>> {
    let root = std::env::var_os("CPSF_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let dir = root.join("ics-pcap");
    if !dir.is_dir() {
        eprintln!("SKIPPED: shared captures not found ({})", dir.display());
        return None;
    }
    let mut files = Vec::new();
    for sub in std::fs::read_dir(&dir).unwrap().flatten() {
        if sub.path().is_dir() {
            for f in std::fs::read_dir(sub.path()).unwrap().flatten() {
                let p = f.path();
                if p.extension().is_some_and(|x| x == "pcap" || x == "pcapng") {
                    files.push(p);
                }
            }
        }
    }
    files.sort();
    Some(files)
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = cpsf().args(args).output().expect("cpsf runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_shared_capture_gives_output_in_every_format() {
    let Some(files) = shared_captures() else { return };
    assert!(files.len() >= 20);
    for file in &files {
        let f = file.to_str().unwrap();
        let (code, out, err) = run(&["pcap", "discover", f]);
        assert_eq!(code, 0, "{f}: {err}");
        assert!(out.starts_with("Devices ("), "{f}: {out}");
        assert!(out.contains("Communication matrix ("), "{f}");
        let (code, out, err) = run(&["pcap", "discover", "--format", "json", f]);
        assert_eq!(code, 0, "{f}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["format"], "cpsf-pcap-discovery");
        assert!(v["counters"]["packets"].as_u64().unwrap() > 0, "{f}");
        assert!(!v["flows"].as_array().unwrap().is_empty(), "{f}");
    }
}

#[test]
fn cyclonedx_output_is_valid_against_the_official_schema() {
    let Some(files) = shared_captures() else { return };
    let dir = scratch("pcap-cdx");
    let out = dir.join("devices.cdx.json");
    let mut args = vec!["pcap", "discover", "-f", "cyclonedx", "--reproducible", "-o", out.to_str().unwrap()];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let report = cpsf_sbom::schema::validate_cyclonedx(&doc, cpsf_sbom::CycloneDxVersion::V1_6);
    assert!(report.valid, "{:?}", report.errors);
    let components = doc["components"].as_array().unwrap();
    assert!(components.len() > 10, "{} devices", components.len());
    assert!(components.iter().all(|c| c["type"] == "device"));
    let props = |c: &serde_json::Value, name: &str| -> Vec<String> {
        c["properties"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["name"] == name)
            .map(|p| p["value"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(components.iter().all(|c| !props(c, "cpsf:first-seen").is_empty()));
    assert!(components.iter().any(|c| !props(c, "cpsf:ip").is_empty()));
    assert!(components.iter().any(|c| !props(c, "cpsf:mac").is_empty()));
    // Reproducible: the same bytes again.
    let first = std::fs::read(&out).unwrap();
    assert_eq!(run(&args).0, 0);
    assert_eq!(std::fs::read(&out).unwrap(), first);
}

#[test]
fn a_truncated_capture_is_a_warning_and_the_other_files_are_read() {
    let Some(files) = shared_captures() else { return };
    let source = files.iter().find(|f| f.ends_with("enip/enip_test.pcap")).expect("enip_test.pcap");
    let other = files.iter().find(|f| f.ends_with("s7comm/s7ident.pcap")).expect("s7ident.pcap");
    let dir = scratch("pcap-truncated");
    let cut = dir.join("cut.pcap");
    let bytes = std::fs::read(source).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() - 10]).unwrap();
    let (code, out, err) = run(&["pcap", "discover", "-f", "json", cut.to_str().unwrap(), other.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("cut.pcap: byte "), "{err}");
    assert!(err.contains("the file ends inside a packet"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["files"][0]["packets"], 10, "the packets before the cut are read");
    assert!(v["files"][0]["error"].is_string());
    assert_eq!(v["files"][1]["packets"], 36);
    assert!(v["files"][1]["error"].is_null());
    assert_eq!(v["counters"]["files_with_errors"], 1);
}

#[test]
fn csv_of_devices_and_of_flows() {
    let Some(files) = shared_captures() else { return };
    let f = files.iter().find(|f| f.ends_with("bacnet/bacnet_example.pcap")).unwrap().to_str().unwrap();
    let (code, out, _) = run(&["pcap", "discover", "-f", "csv", f]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("ip,mac,mac_vendor,vendor,model,firmware,serial,name,protocols,vlans,first_seen,last_seen\r\n")
    );
    assert!(out.lines().count() > 2);
    let (code, out, _) = run(&["pcap", "discover", "-f", "csv", "--flows", f]);
    assert_eq!(code, 0);
    assert!(out.starts_with("src_ip,src_mac,dst_ip,dst_mac,vlan,transport,protocol,port,"));
    assert!(out.lines().skip(1).all(|l| l.split(',').count() == 14), "{out}");
}

#[test]
fn nothing_readable_exits_2_and_a_missing_oui_file_too() {
    let dir = scratch("pcap-bad");
    let junk = dir.join("junk.pcap");
    std::fs::write(&junk, b"not a capture at all").unwrap();
    let (code, _, err) = run(&["pcap", "discover", junk.to_str().unwrap(), "/nonexistent/x.pcap"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("junk.pcap: not a pcap or pcapng file"), "{err}");
    assert!(err.contains("no capture could be read"), "{err}");
    let (code, _, err) = run(&["pcap", "discover", "--oui", "/nonexistent/oui.csv", junk.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("no such OUI registry file"), "{err}");
}
