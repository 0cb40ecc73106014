//! Shared bodies of the fuzz targets: feed arbitrary bytes to one parser and check the output's invariants.
//!
//! A lockfile target's input is the lockfile's text, optionally followed by files of the tree around it, each
//! introduced by a separator line naming the file relative to the lockfile's directory:
//!
//! ```text
//! <lockfile text>
//! --8<-- ../pom.xml
//! <parent POM text>
//! --8<-- requirements/base.txt
//! <included requirements text>
//! ```
//!
//! `run.sh` builds such seeds from each fixture scenario, so the parsers' neighbour-file paths (`package.json`,
//! `composer.json`, `pyproject.toml`, `Pipfile`, `go.sum`, parent POMs, `-r`/`-c` includes) start from real
//! files. An input without a separator gets the format's usual neighbours with the lockfile's own bytes, so
//! those paths are still reached (and cycles such as a POM being its own parent are tried).

use std::collections::BTreeMap;

use cpsf_inventory::lockfile::{LockfileInput, MemorySource, join_normalized, parse_lockfile};

pub use cpsf_inventory::lockfile::LockfileKind;

/// Starts a neighbour file in a lockfile target's input; the rest of that line is its path.
pub const SEPARATOR: &str = "\n--8<-- ";

/// The directory the fuzzed lockfile sits in: deep enough for `../` and `../../` paths to stay inside the tree.
const DIR: &str = "w/x/y";

/// At most this many neighbour files are taken from one input (or from its `-r`/`-c` lines).
const MAX_NEIGHBOURS: usize = 16;

/// A kind's lockfile name (relative to [`DIR`]) and the files beside it that its parser reads.
fn layout(kind: LockfileKind) -> (&'static str, &'static [&'static str]) {
    use LockfileKind as K;
    const NODE: &[&str] = &["package.json"];
    const PYPROJECT: &[&str] = &["pyproject.toml"];
    match kind {
        K::CargoLock => ("Cargo.lock", &[]),
        K::NpmPackageLock => ("package-lock.json", NODE),
        K::YarnLock => ("yarn.lock", NODE),
        K::PnpmLock => ("pnpm-lock.yaml", NODE),
        K::BunLock => ("bun.lock", NODE),
        // Plus whatever its `-r`/`-c` lines name, see `includes`.
        K::Requirements => ("requirements.txt", &[]),
        K::PoetryLock => ("poetry.lock", PYPROJECT),
        K::PipfileLock => ("Pipfile.lock", &["Pipfile"]),
        K::UvLock => ("uv.lock", PYPROJECT),
        K::PdmLock => ("pdm.lock", PYPROJECT),
        K::PyLock => ("pylock.toml", PYPROJECT),
        K::GoMod => ("go.mod", &["go.sum"]),
        K::GemfileLock => ("Gemfile.lock", &[]),
        K::ComposerLock => ("composer.lock", &["composer.json"]),
        K::NugetPackagesLock => ("packages.lock.json", &[]),
        K::NugetPackagesConfig => ("packages.config", &[]),
        K::MavenPom => ("pom.xml", &["../pom.xml"]),
        K::GradleLockfile => ("gradle.lockfile", &[]),
        K::GradleVerificationMetadata => ("gradle/verification-metadata.xml", &[]),
        K::PubspecLock => ("pubspec.lock", &[]),
        K::MixLock => ("mix.lock", &[]),
        K::ConanLock => ("conan.lock", &[]),
        K::SwiftPackageResolved => ("Package.resolved", &[]),
        K::PodfileLock => ("Podfile.lock", &[]),
        K::RenvLock => ("renv.lock", &[]),
    }
}

/// The files a requirements text includes with `-r`/`--requirement`/`-c`/`--constraint`.
fn includes(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            ["--requirement", "--constraint", "-r", "-c"].iter().find_map(|opt| {
                let value = line.strip_prefix(opt)?.trim_start_matches(['=', ' ', '\t']);
                value.split_whitespace().next()
            })
        })
        .take(MAX_NEIGHBOURS)
        .collect()
}

/// Upper bound of the line numbers a text can have, whatever a parser counts as a line break.
fn max_line(text: &str) -> u64 {
    let breaks =
        text.chars().filter(|c| matches!(c, '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}'));
    breaks.count() as u64 + 1
}

/// Parse `data` as a lockfile of `kind` in a tree with the neighbour files the input carries (see the module
/// documentation), then check what every parser promises: no panic, every component has a `bom_ref`, a
/// component with a purl has the purl's canonical form as `bom_ref` and that form parses back to itself, every
/// line of a component's location exists in the file it names, and an error's line exists in the lockfile (or is
/// the line just after its end).
pub fn lockfile(kind: LockfileKind, data: &[u8]) {
    let Ok(data) = std::str::from_utf8(data) else { return };
    let (file, usual) = layout(kind);
    let path = format!("{DIR}/{file}");
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let mut parts = data.split(SEPARATOR);
    let text = parts.next().unwrap_or_default();

    let mut tree = MemorySource::default();
    let mut carried = false;
    for part in parts.take(MAX_NEIGHBOURS) {
        carried = true;
        let (name, content) = part.split_once('\n').unwrap_or((part, ""));
        tree = tree.with(&join_normalized(dir, name.trim()), content);
    }
    if !carried {
        let extra = if kind == LockfileKind::Requirements { includes(text) } else { Vec::new() };
        for name in usual.iter().copied().chain(extra) {
            tree = tree.with(&join_normalized(dir, name), text);
        }
    }
    // Last, so that a carried file of the same name cannot stand in for the lockfile.
    let tree = tree.with(&path, text);

    let input = LockfileInput { path: &path, text, source: &tree };
    match parse_lockfile(kind, &input) {
        Ok(parsed) => {
            // Line bounds of every file of the tree, counted once.
            let lines: BTreeMap<&str, u64> = tree.0.iter().map(|(p, t)| (p.as_str(), max_line(t))).collect();
            for c in &parsed.components {
                assert!(!c.bom_ref.is_empty(), "a component without bom-ref: {c:?}");
                if let Some(purl) = &c.purl {
                    let canonical = purl.to_string();
                    assert_eq!(c.bom_ref, canonical, "bom-ref is not the canonical purl");
                    check_purl_round_trip(&canonical);
                }
                for loc in &c.locations {
                    let Some(line) = loc.line else { continue };
                    let Some(&max) = lines.get(loc.path.as_str()) else {
                        panic!("component {} located in {}, which is not in the tree", c.bom_ref, loc.path)
                    };
                    assert!(
                        line >= 1 && u64::from(line) <= max,
                        "component {} at {}:{line}, beyond that file's {max} lines",
                        c.bom_ref,
                        loc.path
                    );
                }
            }
        }
        Err(e) => {
            // One line of slack: libyaml reports an error at the end of a stream whose last line has no line
            // break on the line after it (cosmetic, and common to every YAML format).
            if let Some(line) = e.line {
                let max = max_line(text);
                assert!(
                    line >= 1 && u64::from(line) <= max + 1,
                    "error at line {line}, beyond the lockfile's {max} lines: {e}"
                );
            }
        }
    }
}

/// Every format `sbom_read` writes a document back in.
const WRITE_FORMATS: &[cpsf_sbom::SbomFormat] = {
    use cpsf_sbom::{CycloneDxVersion as C, SbomFormat as F, SpdxVersion as S};
    &[
        F::CycloneDxJson(C::V1_4),
        F::CycloneDxJson(C::V1_6),
        F::CycloneDxXml(C::V1_6),
        F::SpdxJson(S::V2_3),
        F::SpdxTagValue(S::V2_3),
        F::SpdxYaml(S::V2_3),
        F::Spdx3JsonLd,
    ]
};

/// Read `data` as an SBOM of any format; when that works, validate it, write it in every format and read
/// each written document back. Only panics are findings here: a reader may refuse what a writer wrote for
/// reasons the writer's warnings explain.
pub fn sbom_read(data: &[u8]) {
    let Ok(read) = cpsf_sbom::read(data, "fuzz") else { return };
    let _ = cpsf_sbom::schema::validate(&read);
    for &format in WRITE_FORMATS {
        if let Ok((written, _warnings)) = cpsf_sbom::write(&read.inventory, format) {
            let _ = cpsf_sbom::read(written.as_bytes(), "fuzz-written");
        }
    }
}

/// Parse `data` as a purl; a parsed purl must survive a round trip through its canonical form.
pub fn purl_parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(purl) = text.parse::<cpsf_model::Purl>() {
        check_purl_round_trip(&purl.to_string());
    }
}

/// A canonical purl string parses, and prints as itself.
fn check_purl_round_trip(canonical: &str) {
    let again: cpsf_model::Purl = match canonical.parse() {
        Ok(p) => p,
        Err(e) => panic!("canonical form `{canonical}` does not parse: {e}"),
    };
    assert_eq!(again.to_string(), canonical, "canonical form is stable");
}

/// A catalog file: the schema check and parse, the structural rules, an OSCAL export in both languages (read back
/// when the catalog is valid, keeping its entry count), and an empty assessment scored and reported over it.
pub fn catalog_read(data: &[u8]) {
    use cpsf_catalog::{Lang, export, import, validate};
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(catalog) = cpsf_catalog::load::parse("fuzz.yaml", text) else { return };
    let valid = validate::problems(&catalog, validate::Strictness::Imported).is_empty();
    for lang in Lang::ALL {
        let oscal = export::oscal::catalog(&catalog, lang).to_string();
        let options = import::ImportOptions { id: None, lang };
        let back = import::oscal::read("fuzz.json", &oscal, &options);
        if valid && !catalog.entries.is_empty() {
            let back = back.expect("a valid catalog's OSCAL export imports");
            assert_eq!(back.catalog.entries.len(), catalog.entries.len(), "entries survive the OSCAL round trip");
        }
    }
    assessment_over(&catalog);
}

/// An assessment of `catalog`: scored, its gaps listed, its report built, written and read back.
fn assessment_over(catalog: &cpsf_catalog::Catalog) {
    use cpsf_assess::{Assessment, Scope, ScopeKind, io, report, score};
    let scope = Scope { name: "fuzz".into(), kind: ScopeKind::Company };
    let mut a = Assessment::new(catalog, scope, cpsf_catalog::Lang::Ja, "2026-01-01T00:00:00Z");
    score::record_snapshot(catalog, &mut a, "2026-01-01T00:00:00Z");
    let _ = score::gaps(catalog, &a, "2026-01-01");
    let _ = report::build(catalog, &a, cpsf_catalog::Lang::En, "2026-01-01T00:00:00Z", "2026-01-01");
    let back = io::parse("fuzz.yaml", &io::to_yaml(&a)).expect("a written assessment reads back");
    assert_eq!(back, a, "assessment YAML round trip");
}

/// Catalog import: the bytes through each reader (OSCAL JSON, CSV, CISO Assistant YAML). An import that
/// succeeds must pass the rules for imported catalogs and carry an assessment.
pub fn catalog_import(data: &[u8]) {
    use cpsf_catalog::import::{self, Format, ImportOptions};
    use cpsf_catalog::validate;
    let Ok(text) = std::str::from_utf8(data) else { return };
    let options = ImportOptions { id: None, lang: cpsf_catalog::Lang::En };
    for format in [Format::Oscal, Format::Csv, Format::Ciso] {
        let Ok(imported) = import::read(format, "fuzz", text, &options) else { continue };
        let problems = validate::problems(&imported.catalog, validate::Strictness::Imported);
        assert!(problems.is_empty(), "an import passes the imported-catalog rules: {problems:?}");
        let yaml = serde_norway::to_string(&imported.catalog).expect("an imported catalog serializes");
        if let Err(e) = cpsf_catalog::load::parse("imported.yaml", &yaml) {
            panic!("an imported catalog loads as a file (schema included): {e}");
        }
        assessment_over(&imported.catalog);
    }
}

/// An assessment file: parsed, reconciled with the shipped catalog it names (or CPSF's), scored and reported.
pub fn assessment_read(data: &[u8]) {
    use cpsf_assess::{io, report, score};
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(mut a) = io::parse("fuzz.yaml", text) else { return };
    let Some(catalog) = cpsf_catalog::builtin::get(&a.catalog).or_else(|| cpsf_catalog::builtin::get("meti-cpsf-1.0"))
    else {
        return;
    };
    let _ = io::reconcile(&mut a, catalog);
    let _ = score::compute(catalog, &a);
    let _ = score::gaps(catalog, &a, "2026-01-01");
    let _ = report::build(catalog, &a, cpsf_catalog::Lang::Ja, "2026-01-01T00:00:00Z", "2026-01-01");
}

/// A capture file (pcap or pcapng) through discovery with the crate's decoders, and every rendering of the
/// result; then again with a stand-in TCP protocol on the ICS ports whose framing takes any bytes (a length
/// from the first two), and a small stream bound, so reassembly's buffering, holes and oversize messages are
/// reached whatever the real decoders accept. Checks: the packet totals agree, every flow counted a packet,
/// the JSON and CycloneDX renderings are JSON objects with one component per device.
pub fn pcap_discover(data: &[u8]) {
    use cpsf_pcap::discover::{Options, discover_bytes};
    use cpsf_pcap::model::{Field, PacketMeta, Side, Sink};
    use cpsf_pcap::output;
    use cpsf_pcap::proto::{Framing, TcpProtocol};
    use cpsf_pcap::registry::Registry;

    fn framing(b: &[u8]) -> Framing {
        match b {
            [0xff, ..] => Framing::NotThisProtocol,
            [hi, lo, ..] => Framing::Message(usize::from(u16::from_be_bytes([*hi, *lo])) % 4096 + 1),
            _ => Framing::NeedMore,
        }
    }
    fn decode(meta: &PacketMeta, side: Side, message: &[u8], sink: &mut Sink) {
        let text = String::from_utf8_lossy(message.get(..message.len().min(32)).unwrap_or(&[])).into_owned();
        let device = if side == Side::Server { meta.source() } else { meta.destination() };
        sink.observe("stand-in", meta, device, vec![(Field::Description, text)]);
    }
    static STAND_IN: [TcpProtocol; 1] =
        [TcpProtocol { name: "stand-in", ports: &[502, 102, 44818, 20000, 2404, 4840, 1883], framing, decode }];

    let check = |options: &Options| {
        let found = discover_bytes(&[("fuzz.pcap", data)], options);
        let per_file: u64 = found.files.iter().map(|f| f.packets).sum();
        assert_eq!(per_file, found.counters.packets, "the files' packets add up to the total");
        assert!(found.flows.iter().all(|f| f.packets[0] + f.packets[1] > 0), "every flow counted a packet");
        let _ = output::table(&found, true);
        let _ = output::csv_devices(&found);
        let _ = output::csv_flows(&found);
        assert!(output::json(&found).is_object());
        let bom = output::cyclonedx(&found, &output::BomMeta::default());
        assert!(bom["components"].as_array().is_some_and(|c| c.len() == found.devices.len()));
    };
    check(&Options { system_oui: false, ..Options::default() });
    let registry = Registry { tcp: &STAND_IN, ..Registry::default() };
    check(&Options { registry, system_oui: false, stream_limit: 1024, ..Options::default() });
}
