//! Running tshark as the reference for the decoder tests: its field values per frame, or its packet details as
//! text. When tshark is not installed the comparisons are skipped (the tests' hard-coded values still apply).

use std::path::Path;
use std::process::Command;

/// Whether tshark can be run; prints the SKIPPED line once per call site when not.
pub fn available() -> bool {
    let found = Command::new("tshark").arg("-v").output().is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("SKIPPED: tshark not installed (comparison with tshark)");
    }
    found
}

/// One displayed frame: its number and, per requested field, the values of its occurrences.
#[derive(Debug)]
pub struct Row {
    pub frame: u64,
    pub values: Vec<Vec<String>>,
}

impl Row {
    /// The values of the `i`-th requested field (after `frame.number`).
    pub fn get(&self, i: usize) -> &[String] {
        self.values.get(i).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The first value of the `i`-th requested field, or "".
    pub fn first(&self, i: usize) -> &str {
        self.get(i).first().map(String::as_str).unwrap_or("")
    }
}

const AGGREGATOR: char = '\u{1f}';

/// `tshark -r FILE -Y FILTER -T fields -e frame.number -e FIELD...`, every occurrence of each field.
pub fn fields(file: &Path, filter: &str, names: &[&str]) -> Vec<Row> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r").arg(file).args(["-Y", filter, "-T", "fields", "-E", "occurrence=a", "-E", "separator=/t"]);
    cmd.arg("-E").arg(format!("aggregator={AGGREGATOR}"));
    cmd.args(["-e", "frame.number"]);
    for n in names {
        cmd.args(["-e", n]);
    }
    let out = cmd.output().expect("tshark runs");
    assert!(out.status.success(), "tshark failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(|line| {
            let mut cols = line.split('\t');
            let frame = cols.next().unwrap_or("").parse().expect("frame number");
            let values = cols
                .map(|c| if c.is_empty() { Vec::new() } else { c.split(AGGREGATOR).map(str::to_string).collect() })
                .collect();
            Row { frame, values }
        })
        .collect()
}

/// `tshark -r FILE -Y FILTER -O PROTOCOLS`: the packet details, split by frame (number, lines).
pub fn details(file: &Path, filter: &str, protocols: &str) -> Vec<(u64, Vec<String>)> {
    let out =
        Command::new("tshark").arg("-r").arg(file).args(["-Y", filter, "-O", protocols]).output().expect("tshark runs");
    assert!(out.status.success(), "tshark failed: {}", String::from_utf8_lossy(&out.stderr));
    let mut frames: Vec<(u64, Vec<String>)> = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some(rest) = line.strip_prefix("Frame ") {
            let n = rest.split(':').next().unwrap_or("").parse().expect("frame number");
            frames.push((n, Vec::new()));
        } else if let Some((_, lines)) = frames.last_mut() {
            lines.push(line.to_string());
        }
    }
    frames
}

/// tshark's value names for a field (`tshark -G values`, lines `V<TAB>field<TAB>value<TAB>name`).
pub fn value_names(field: &str) -> std::collections::BTreeMap<u32, String> {
    let out = Command::new("tshark").args(["-G", "values"]).output().expect("tshark runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut c = l.split('\t');
            if c.next() != Some("V") || c.next() != Some(field) {
                return None;
            }
            Some((c.next()?.parse().ok()?, c.next()?.to_string()))
        })
        .collect()
}
