//! The Factory Systems Guidelines' model of a plant as one YAML document (`plant.yaml`, format
//! `cpsf-plant/1`): operations (業務) with importance, zones with optional Purdue level and IEC 62443-3-2
//! style security levels (SL-T, SL-A over the seven foundational requirements), conduits between zones
//! (allowed protocols and ports, direction), damage scenarios and threats, the measure plan tied to the
//! `meti-factory-1.0` catalog, and the assets.
//!
//! ```yaml
//! format: cpsf-plant/1
//! name: Example plant
//! operations:
//!   - {id: molding, name: Injection molding, importance: 3, zones: [control]}
//! zones:
//!   - id: control
//!     name: Control network
//!     purdue_level: "1"
//!     sl_target: {iac: 2, uc: 2, si: 2, dc: 1, rdf: 2, tre: 1, ra: 2}
//! conduits:
//!   - id: ops-to-control
//!     zones: [operations, control]      # a, b
//!     direction: a-to-b                 # a-to-b | b-to-a | both (who may open the connection)
//!     allow: [{protocol: modbus, ports: [502]}]
//! measures:
//!   - {id: m1, title: Split the line network, kind: system-configuration,
//!      catalog_entry: meti-factory-1.0:measures-system, status: planned, due: 2026-03-31}
//! assets:
//!   - {id: plc-1, name: Press PLC, kind: plc, zone: control, ips: [10.0.1.10], importance: 3}
//! iotssf:                               # assumed incidents for IoT-SSF (see `iotssf`)
//!   - id: plc-1
//!     incidents: [{description: Press moves unexpectedly, recovery: 3, economic: 2, assets: [plc-1]}]
//! ```
//!
//! A zone's importance is derived: the highest importance of its assets and of the operations linked to it
//! (directly, or through one of its assets).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::asset::{Asset, Day, Importance};

/// The value of a plant file's `format` key.
pub const FORMAT: &str = "cpsf-plant/1";

/// The catalog measure plan items link to.
pub const MEASURE_CATALOG: &str = "meti-factory-1.0";

/// An operation of the factory (業務).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importance: Option<Importance>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assets: Vec<String>,
}

/// The seven IEC 62443 foundational requirements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fr {
    /// FR 1 identification and authentication control.
    Iac,
    /// FR 2 use control.
    Uc,
    /// FR 3 system integrity.
    Si,
    /// FR 4 data confidentiality.
    Dc,
    /// FR 5 restricted data flow.
    Rdf,
    /// FR 6 timely response to events.
    Tre,
    /// FR 7 resource availability.
    Ra,
}

impl Fr {
    pub const ALL: [Fr; 7] = [Fr::Iac, Fr::Uc, Fr::Si, Fr::Dc, Fr::Rdf, Fr::Tre, Fr::Ra];

    pub fn as_str(self) -> &'static str {
        match self {
            Fr::Iac => "iac",
            Fr::Uc => "uc",
            Fr::Si => "si",
            Fr::Dc => "dc",
            Fr::Rdf => "rdf",
            Fr::Tre => "tre",
            Fr::Ra => "ra",
        }
    }
}

/// A security level vector over the seven foundational requirements (0 to 4 each; a missing one is not set).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityLevels {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iac: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uc: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub si: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dc: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rdf: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tre: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ra: Option<u8>,
}

impl SecurityLevels {
    pub fn get(&self, fr: Fr) -> Option<u8> {
        match fr {
            Fr::Iac => self.iac,
            Fr::Uc => self.uc,
            Fr::Si => self.si,
            Fr::Dc => self.dc,
            Fr::Rdf => self.rdf,
            Fr::Tre => self.tre,
            Fr::Ra => self.ra,
        }
    }

    /// The same level for every requirement.
    pub fn uniform(level: u8) -> SecurityLevels {
        let l = Some(level);
        SecurityLevels { iac: l, uc: l, si: l, dc: l, rdf: l, tre: l, ra: l }
    }
}

/// One requirement where the achieved level falls short of the target (a missing achieved level counts as 0).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SlGap {
    pub zone: String,
    pub fr: Fr,
    pub target: u8,
    pub achieved: u8,
}

/// A zone: assets and operations of similar content and importance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Purdue level as written (`0`..`5`, `3.5`, `DMZ`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purdue_level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sl_target: Option<SecurityLevels>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sl_achieved: Option<SecurityLevels>,
    /// Protocols in use inside the zone (besides each asset's own).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub protocols: Vec<String>,
}

/// Which side of a conduit may open a connection (send first).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// From the first zone to the second.
    AToB,
    /// From the second zone to the first.
    BToA,
    #[default]
    Both,
}

/// Transport of an allowed channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelTransport {
    Tcp,
    Udp,
    Ethernet,
}

/// One kind of traffic a conduit allows. Every part given must match; an empty entry allows everything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Channel {
    /// A protocol name as discovery reports it (`modbus`, `s7comm`, `opcua`, `tcp/8080`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Server ports (or EtherTypes for layer 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<ChannelTransport>,
}

/// A conduit between zones.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Conduit {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The zones joined: `[a, b]` (more than two only with direction `both`).
    pub zones: Vec<String>,
    #[serde(default)]
    pub direction: Direction,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<Channel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sl_target: Option<SecurityLevels>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A damage scenario: what could go wrong, for which assets, zones and operations, through which threats.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DamageScenario {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importance: Option<Importance>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assets: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threats: Vec<String>,
}

/// A threat, in the plant's own words.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Threat {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assets: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<String>,
}

/// The kind of a measure, as the Factory Systems Guidelines sort them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MeasureKind {
    SystemConfiguration,
    Physical,
    Organizational,
}

impl MeasureKind {
    /// The `meti-factory-1.0` entry for the kind.
    pub fn catalog_entry(self) -> &'static str {
        match self {
            MeasureKind::SystemConfiguration => "measures-system",
            MeasureKind::Physical => "measures-physical",
            MeasureKind::Organizational => "measures-organisational",
        }
    }
}

/// Where a measure stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MeasureStatus {
    #[default]
    Planned,
    InProgress,
    Done,
    Deferred,
    Rejected,
}

/// One item of the measure plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    pub id: String,
    pub title: String,
    pub kind: MeasureKind,
    /// An entry of `meti-factory-1.0`, as `meti-factory-1.0:ENTRY` or `ENTRY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog_entry: Option<String>,
    #[serde(default)]
    pub status: MeasureStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Day>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threats: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub damage_scenarios: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assets: Vec<String>,
}

/// A plant: the model and its assets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plant {
    pub format: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<Operation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<Zone>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conduits: Vec<Conduit>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub damage_scenarios: Vec<DamageScenario>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threats: Vec<Threat>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measures: Vec<Measure>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assets: Vec<Asset>,
    /// Devices and systems with their assumed incidents, for IoT-SSF categorisation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub iotssf: Vec<crate::iotssf::Subject>,
}

impl Default for Plant {
    fn default() -> Plant {
        Plant {
            format: FORMAT.to_string(),
            name: None,
            description: None,
            operations: Vec::new(),
            zones: Vec::new(),
            conduits: Vec::new(),
            damage_scenarios: Vec::new(),
            threats: Vec::new(),
            measures: Vec::new(),
            assets: Vec::new(),
            iotssf: Vec::new(),
        }
    }
}

/// One thing wrong in a plant file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlantProblem {
    /// The line the item starts on, when the file is in block style.
    pub line: Option<usize>,
    /// Where: `zones[2].sl_target.iac`, `assets[0].zone`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for PlantProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// Why a plant file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PlantError {
    #[error("{origin}: {message}")]
    Syntax { origin: String, line: Option<usize>, message: String },
    #[error("{origin}: not a valid plant file:\n{}", problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid { origin: String, problems: Vec<PlantProblem> },
    #[error("writing the plant file: {0}")]
    Write(String),
}

/// Read a plant file (YAML or JSON). Syntax and type errors name the line and column and the field; the
/// structural rules ([`Plant::problems`]) are checked after.
pub fn read_plant(origin: &str, text: &str) -> Result<Plant, PlantError> {
    let plant: Plant = serde_norway::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line());
        let message = match e.location() {
            Some(l) => format!("line {}, column {}: {e}", l.line(), l.column()),
            None => e.to_string(),
        };
        PlantError::Syntax { origin: origin.to_string(), line, message }
    })?;
    let mut problems = plant.problems();
    if !problems.is_empty() {
        let lines = ItemLines::scan(text);
        for p in &mut problems {
            p.line = lines.line_of(&p.path);
        }
        return Err(PlantError::Invalid { origin: origin.to_string(), problems });
    }
    Ok(plant)
}

/// The plant as YAML.
pub fn write_plant(plant: &Plant) -> Result<String, PlantError> {
    serde_norway::to_string(plant).map_err(|e| PlantError::Write(e.to_string()))
}

/// The lines list items start on in a block-style YAML file, by `section[index]`.
struct ItemLines {
    items: BTreeMap<(String, usize), usize>,
}

impl ItemLines {
    fn scan(text: &str) -> ItemLines {
        struct Section {
            name: String,
            item_indent: Option<usize>,
            count: usize,
        }
        let mut items = BTreeMap::new();
        let mut section: Option<Section> = None;
        for (n, raw) in text.lines().enumerate() {
            let body = raw.trim_start();
            if body.is_empty() || body.starts_with('#') {
                continue;
            }
            let indent = raw.len() - body.len();
            let is_item = body.starts_with("- ") || body == "-";
            match &mut section {
                Some(sec) if is_item => {
                    let first = *sec.item_indent.get_or_insert(indent);
                    if first == indent {
                        items.insert((sec.name.clone(), sec.count), n + 1);
                        sec.count += 1;
                    }
                }
                _ if indent == 0 => {
                    section = body.split_once(':').map(|(k, _)| Section {
                        name: k.trim().to_string(),
                        item_indent: None,
                        count: 0,
                    });
                }
                _ => {}
            }
        }
        ItemLines { items }
    }

    /// The line of the item a path like `zones[2].sl_target` is in.
    fn line_of(&self, path: &str) -> Option<usize> {
        let head = path.split('.').next()?;
        let (name, rest) = head.split_once('[')?;
        let index: usize = rest.trim_end_matches(']').parse().ok()?;
        self.items.get(&(name.to_string(), index)).copied()
    }
}

impl Plant {
    pub fn zone(&self, id: &str) -> Option<&Zone> {
        self.zones.iter().find(|z| z.id == id)
    }

    pub fn asset(&self, id: &str) -> Option<&Asset> {
        self.assets.iter().find(|a| a.id == id)
    }

    /// The assets placed in a zone.
    pub fn zone_assets<'a>(&'a self, zone: &'a str) -> impl Iterator<Item = &'a Asset> + 'a {
        self.assets.iter().filter(move |a| a.zone.as_deref() == Some(zone))
    }

    /// A zone's importance: the highest of its assets' and of the operations linked to it or to one of its
    /// assets. `None` when none of them has an importance.
    pub fn zone_importance(&self, zone: &str) -> Option<Importance> {
        let assets: BTreeSet<&str> = self.zone_assets(zone).map(|a| a.id.as_str()).collect();
        let from_assets = self.zone_assets(zone).filter_map(|a| a.importance);
        let from_operations = self
            .operations
            .iter()
            .filter(|o| o.zones.iter().any(|z| z == zone) || o.assets.iter().any(|a| assets.contains(a.as_str())))
            .filter_map(|o| o.importance);
        from_assets.chain(from_operations).max()
    }

    /// Per zone, the requirements whose achieved level is below the target.
    pub fn sl_gaps(&self) -> Vec<SlGap> {
        let mut out = Vec::new();
        for zone in &self.zones {
            let Some(target) = &zone.sl_target else { continue };
            for fr in Fr::ALL {
                let Some(t) = target.get(fr) else { continue };
                let a = zone.sl_achieved.as_ref().and_then(|s| s.get(fr)).unwrap_or(0);
                if a < t {
                    out.push(SlGap { zone: zone.id.clone(), fr, target: t, achieved: a });
                }
            }
        }
        out
    }

    /// The structural rules: the format, unique non-empty ids per kind, references that resolve, security
    /// levels from 0 to 4, conduits joining two distinct known zones (more only with direction `both`), MAC
    /// addresses in canonical form, measure catalog entries that exist in `meti-factory-1.0`.
    pub fn problems(&self) -> Vec<PlantProblem> {
        let mut out = Vec::new();
        let mut push = |path: String, message: String| out.push(PlantProblem { line: None, path, message });
        if self.format != FORMAT {
            push("format".into(), format!("expected `{FORMAT}`, found `{}`", self.format));
        }
        fn ids<'a>(
            section: &str,
            list: impl Iterator<Item = &'a str>,
            push: &mut impl FnMut(String, String),
        ) -> BTreeSet<String> {
            let mut seen = BTreeSet::new();
            for (i, id) in list.enumerate() {
                if id.trim().is_empty() {
                    push(format!("{section}[{i}].id"), "expected a non-empty id".into());
                } else if !seen.insert(id.to_string()) {
                    push(format!("{section}[{i}].id"), format!("id `{id}` is used twice"));
                }
            }
            seen
        }
        let operations = ids("operations", self.operations.iter().map(|o| o.id.as_str()), &mut push);
        let zones = ids("zones", self.zones.iter().map(|z| z.id.as_str()), &mut push);
        ids("conduits", self.conduits.iter().map(|c| c.id.as_str()), &mut push);
        let scenarios = ids("damage_scenarios", self.damage_scenarios.iter().map(|d| d.id.as_str()), &mut push);
        let threats = ids("threats", self.threats.iter().map(|t| t.id.as_str()), &mut push);
        ids("measures", self.measures.iter().map(|m| m.id.as_str()), &mut push);
        let assets = ids("assets", self.assets.iter().map(|a| a.id.as_str()), &mut push);

        let check = |refs: &[String],
                     known: &BTreeSet<String>,
                     what: &str,
                     path: String,
                     push: &mut dyn FnMut(String, String)| {
            for (j, r) in refs.iter().enumerate() {
                if !known.contains(r) {
                    push(format!("{path}[{j}]"), format!("no {what} with id `{r}`"));
                }
            }
        };
        for (i, o) in self.operations.iter().enumerate() {
            check(&o.zones, &zones, "zone", format!("operations[{i}].zones"), &mut push);
            check(&o.assets, &assets, "asset", format!("operations[{i}].assets"), &mut push);
        }
        for (i, z) in self.zones.iter().enumerate() {
            for (name, levels) in [("sl_target", &z.sl_target), ("sl_achieved", &z.sl_achieved)] {
                for fr in Fr::ALL {
                    if let Some(l) = levels.as_ref().and_then(|s| s.get(fr))
                        && l > 4
                    {
                        push(
                            format!("zones[{i}].{name}.{}", fr.as_str()),
                            format!("expected a security level from 0 to 4, found {l}"),
                        );
                    }
                }
            }
        }
        for (i, c) in self.conduits.iter().enumerate() {
            if c.zones.len() < 2 {
                push(format!("conduits[{i}].zones"), "expected two zones (a, b)".into());
            } else if c.zones.len() > 2 && c.direction != Direction::Both {
                push(
                    format!("conduits[{i}].zones"),
                    "a conduit joining more than two zones must have direction `both`".into(),
                );
            }
            let distinct: BTreeSet<&String> = c.zones.iter().collect();
            if distinct.len() != c.zones.len() {
                push(format!("conduits[{i}].zones"), "a zone is listed twice".into());
            }
            check(&c.zones, &zones, "zone", format!("conduits[{i}].zones"), &mut push);
            for fr in Fr::ALL {
                if let Some(l) = c.sl_target.as_ref().and_then(|s| s.get(fr))
                    && l > 4
                {
                    push(
                        format!("conduits[{i}].sl_target.{}", fr.as_str()),
                        format!("expected a security level from 0 to 4, found {l}"),
                    );
                }
            }
        }
        for (i, d) in self.damage_scenarios.iter().enumerate() {
            check(&d.assets, &assets, "asset", format!("damage_scenarios[{i}].assets"), &mut push);
            check(&d.zones, &zones, "zone", format!("damage_scenarios[{i}].zones"), &mut push);
            check(&d.operations, &operations, "operation", format!("damage_scenarios[{i}].operations"), &mut push);
            check(&d.threats, &threats, "threat", format!("damage_scenarios[{i}].threats"), &mut push);
        }
        for (i, t) in self.threats.iter().enumerate() {
            check(&t.assets, &assets, "asset", format!("threats[{i}].assets"), &mut push);
            check(&t.zones, &zones, "zone", format!("threats[{i}].zones"), &mut push);
        }
        let catalog = cpsf_catalog::builtin::get(MEASURE_CATALOG);
        for (i, m) in self.measures.iter().enumerate() {
            check(&m.threats, &threats, "threat", format!("measures[{i}].threats"), &mut push);
            check(
                &m.damage_scenarios,
                &scenarios,
                "damage scenario",
                format!("measures[{i}].damage_scenarios"),
                &mut push,
            );
            check(&m.zones, &zones, "zone", format!("measures[{i}].zones"), &mut push);
            check(&m.assets, &assets, "asset", format!("measures[{i}].assets"), &mut push);
            if let Some(entry) = &m.catalog_entry {
                let (cat, id) = match entry.split_once(':') {
                    Some((c, e)) => (c, e),
                    None => (MEASURE_CATALOG, entry.as_str()),
                };
                if cat != MEASURE_CATALOG {
                    push(
                        format!("measures[{i}].catalog_entry"),
                        format!("expected an entry of `{MEASURE_CATALOG}`, found catalog `{cat}`"),
                    );
                } else if let Some(catalog) = catalog
                    && catalog.entry(id).is_none()
                {
                    push(
                        format!("measures[{i}].catalog_entry"),
                        format!("`{MEASURE_CATALOG}` has no entry `{id}` (see `cpsf catalog show {MEASURE_CATALOG}`)"),
                    );
                }
            }
        }
        for (i, subject) in self.iotssf.iter().enumerate() {
            for (j, incident) in subject.incidents.iter().enumerate() {
                check(&incident.assets, &assets, "asset", format!("iotssf[{i}].incidents[{j}].assets"), &mut push);
            }
        }
        for (i, a) in self.assets.iter().enumerate() {
            if let Some(z) = &a.zone
                && !zones.contains(z)
            {
                push(format!("assets[{i}].zone"), format!("no zone with id `{z}`"));
            }
            for (j, mac) in a.macs.iter().enumerate() {
                match crate::text::normalize_mac(mac) {
                    None => push(
                        format!("assets[{i}].macs[{j}]"),
                        format!("expected a MAC address (six hex bytes), found `{mac}`"),
                    ),
                    Some(canonical) if canonical != *mac => push(
                        format!("assets[{i}].macs[{j}]"),
                        format!("expected the canonical form `{canonical}`, found `{mac}`"),
                    ),
                    Some(_) => {}
                }
            }
            if let Some(v) = a.vlan
                && v > 4095
            {
                push(format!("assets[{i}].vlan"), format!("expected a VLAN id from 0 to 4095, found {v}"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_lines() {
        let text = "format: cpsf-plant/1\nzones:\n  - id: a\n    name: A\n  - id: b\n    sl_target:\n      - x\nassets:\n- id: p\n";
        let lines = ItemLines::scan(text);
        assert_eq!(lines.line_of("zones[0].id"), Some(3));
        assert_eq!(lines.line_of("zones[1].sl_target.iac"), Some(5));
        assert_eq!(lines.line_of("assets[0].zone"), Some(9));
        assert_eq!(lines.line_of("zones[2]"), None);
        assert_eq!(lines.line_of("format"), None);
    }
}
