//! The asset inventory: one [`Asset`] per device or system in the plant with where each of its facts came
//! from, the [`Inventory`] of them, and how an incoming batch (an import, discovered devices) is merged into
//! it.
//!
//! # Importance
//!
//! The Factory Systems Guidelines ask for the importance of operations and assets, but their scale was not
//! confirmed in the sources cpsf was built from. cpsf uses its own three levels: `1` low, `2` medium, `3`
//! high ([`Importance`]). Text such as `high`, `高`, `H` is read as the same levels.
//!
//! # Merge rules
//!
//! An incoming asset is the same as an asset already in the inventory when, in this order of strength:
//! 1. their ids are equal;
//! 2. serial number and vendor are both known on both sides and equal (vendor compared after removing case,
//!    punctuation and legal-form suffixes such as `Inc.`, `GmbH`, `AG`, `Co., Ltd.`);
//! 3. they share a MAC address;
//! 4. they share an IP address and their VLANs are equal or unknown on either side;
//! 5. their names are equal (ignoring case and surrounding space).
//!
//! The first key that matches decides. A matched asset takes the incoming facts field by field:
//! - a value the inventory lacks is taken with its provenance;
//! - list fields (IP and MAC addresses, protocols, services, CPEs, linked SBOMs) are united;
//! - when both sides hold different values, the stronger source wins: `declared` beats `imported` beats
//!   `discovered` ([`MergeRules::rank`]); within one kind the newer fact wins (by the provenance date, when
//!   [`MergeRules::newer_wins`] and both dates are known); otherwise the inventory keeps its value. Every
//!   such difference is reported as a [`Conflict`], whichever side won.
//!
//! An asset that matches nothing is added; an id that is already taken gets a `-2`, `-3`, ... suffix.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::identity::DeviceIdentity;
use crate::text::{normalize_mac, normalize_name, normalize_vendor, slug};

/// What an asset is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssetKind {
    Plc,
    Hmi,
    ScadaServer,
    Dcs,
    EngineeringWorkstation,
    Historian,
    SafetyController,
    Robot,
    Drive,
    NetworkDevice,
    IotDevice,
    Sensor,
    ItServer,
    Other,
}

impl AssetKind {
    pub const ALL: [AssetKind; 14] = [
        AssetKind::Plc,
        AssetKind::Hmi,
        AssetKind::ScadaServer,
        AssetKind::Dcs,
        AssetKind::EngineeringWorkstation,
        AssetKind::Historian,
        AssetKind::SafetyController,
        AssetKind::Robot,
        AssetKind::Drive,
        AssetKind::NetworkDevice,
        AssetKind::IotDevice,
        AssetKind::Sensor,
        AssetKind::ItServer,
        AssetKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::Plc => "plc",
            AssetKind::Hmi => "hmi",
            AssetKind::ScadaServer => "scada-server",
            AssetKind::Dcs => "dcs",
            AssetKind::EngineeringWorkstation => "engineering-workstation",
            AssetKind::Historian => "historian",
            AssetKind::SafetyController => "safety-controller",
            AssetKind::Robot => "robot",
            AssetKind::Drive => "drive",
            AssetKind::NetworkDevice => "network-device",
            AssetKind::IotDevice => "iot-device",
            AssetKind::Sensor => "sensor",
            AssetKind::ItServer => "it-server",
            AssetKind::Other => "other",
        }
    }

    /// A Japanese label (our own choice of words).
    pub fn label_ja(self) -> &'static str {
        match self {
            AssetKind::Plc => "PLC",
            AssetKind::Hmi => "HMI",
            AssetKind::ScadaServer => "SCADAサーバー",
            AssetKind::Dcs => "DCS",
            AssetKind::EngineeringWorkstation => "エンジニアリングワークステーション",
            AssetKind::Historian => "ヒストリアン",
            AssetKind::SafetyController => "安全コントローラー",
            AssetKind::Robot => "ロボット",
            AssetKind::Drive => "ドライブ",
            AssetKind::NetworkDevice => "ネットワーク機器",
            AssetKind::IotDevice => "IoT機器",
            AssetKind::Sensor => "センサー",
            AssetKind::ItServer => "ITサーバー",
            AssetKind::Other => "その他",
        }
    }

    /// Read a kind from our names, their Japanese labels and common spellings (`Programmable Logic
    /// Controller`, `SCADA`, `EWS`, `switch`, `インバータ`, ...), case and punctuation ignored.
    pub fn parse(text: &str) -> Option<AssetKind> {
        let key = normalize_name(text);
        if key.is_empty() {
            return None;
        }
        for kind in AssetKind::ALL {
            if key == normalize_name(kind.as_str()) || key == normalize_name(kind.label_ja()) {
                return Some(kind);
            }
        }
        let kind = match key.as_str() {
            "programmable logic controller" | "controller" | "シーケンサ" | "シーケンサー" | "plc cpu" => {
                AssetKind::Plc
            }
            "human machine interface" | "operator panel" | "touch panel" | "タッチパネル" | "表示器" | "操作盤" => {
                AssetKind::Hmi
            }
            "scada" | "scada server" | "監視サーバー" | "監視サーバ" | "監視制御サーバー" => {
                AssetKind::ScadaServer
            }
            "distributed control system" => AssetKind::Dcs,
            "ews" | "engineering station" | "engineering pc" | "エンジニアリングpc" | "エンジニアリング端末" => {
                AssetKind::EngineeringWorkstation
            }
            "data historian" | "historian server" => AssetKind::Historian,
            "sis" | "safety plc" | "safety instrumented system" | "安全plc" => AssetKind::SafetyController,
            "industrial robot" | "産業用ロボット" => AssetKind::Robot,
            "vfd" | "inverter" | "servo" | "servo drive" | "motor drive" | "インバータ" | "インバーター" | "サーボ"
            | "サーボアンプ" => AssetKind::Drive,
            "switch"
            | "router"
            | "firewall"
            | "gateway"
            | "network"
            | "スイッチ"
            | "ルーター"
            | "ルータ"
            | "ファイアウォール"
            | "ゲートウェイ" => AssetKind::NetworkDevice,
            "iot" | "iot gateway" | "iot機器" => AssetKind::IotDevice,
            "transmitter" | "センサ" => AssetKind::Sensor,
            "server" | "it" | "pc" | "サーバー" | "サーバ" => AssetKind::ItServer,
            _ => return None,
        };
        Some(kind)
    }
}

impl fmt::Display for AssetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A calendar date, written `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Day(pub time::Date);

impl Day {
    /// The UTC day of a time in microseconds since the Unix epoch (capture timestamps); `None` out of range.
    pub fn from_unix_micros(micros: i64) -> Option<Day> {
        let secs = micros.div_euclid(1_000_000);
        time::OffsetDateTime::from_unix_timestamp(secs).ok().map(|t| Day(t.date()))
    }

    /// The day an Excel serial number stands for (1900 date system, days since 1899-12-30).
    pub fn from_excel_serial(serial: f64) -> Option<Day> {
        if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
            return None;
        }
        let base = time::Date::from_calendar_date(1899, time::Month::December, 30).ok()?;
        base.checked_add(time::Duration::days(serial.floor() as i64)).map(Day)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.0.year(), u8::from(self.0.month()), self.0.day())
    }
}

impl FromStr for Day {
    type Err = String;

    /// `2024-03-31`, `2024/3/31`, `2024.03.31`, `2024年3月31日`, and an ISO date-time (its date is taken).
    fn from_str(s: &str) -> Result<Day, String> {
        let expected = || format!("expected a date as YYYY-MM-DD, found `{s}`");
        let t = s.trim();
        let t = t.split(['T', ' ']).next().unwrap_or(t);
        let t = t.trim_end_matches('日');
        let parts: Vec<&str> = t.split(['-', '/', '.', '年', '月']).collect();
        let [y, m, d] = parts.as_slice() else { return Err(expected()) };
        let digits = |p: &str, max: usize| !p.is_empty() && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit());
        if !(y.len() == 4 && digits(y, 4) && digits(m, 2) && digits(d, 2)) {
            return Err(expected());
        }
        let (y, m, d): (i32, u8, u8) = (
            y.parse().map_err(|_| expected())?,
            m.parse().map_err(|_| expected())?,
            d.parse().map_err(|_| expected())?,
        );
        let month = time::Month::try_from(m).map_err(|_| expected())?;
        time::Date::from_calendar_date(y, month, d).map(Day).map_err(|_| format!("`{s}` is not a calendar date"))
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The importance of an asset, operation or zone on cpsf's own scale: 1 low, 2 medium, 3 high (the Factory
/// Systems Guidelines' own scale was not confirmed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Importance(u8);

impl Importance {
    pub const LOW: Importance = Importance(1);
    pub const MEDIUM: Importance = Importance(2);
    pub const HIGH: Importance = Importance(3);

    pub fn new(level: u8) -> Option<Importance> {
        (1..=3).contains(&level).then_some(Importance(level))
    }

    pub fn level(self) -> u8 {
        self.0
    }

    pub fn as_str(self) -> &'static str {
        match self.0 {
            1 => "low",
            2 => "medium",
            _ => "high",
        }
    }

    /// `1`..`3`, `low`/`medium`/`high` (`L`, `M`, `H`, `mid`), `低`/`中`/`高`, `小`/`中`/`大`.
    pub fn parse(text: &str) -> Option<Importance> {
        let level = match text.trim().to_lowercase().as_str() {
            "1" | "low" | "l" | "低" | "小" => 1,
            "2" | "medium" | "mid" | "m" | "中" => 2,
            "3" | "high" | "h" | "高" | "大" => 3,
            _ => return None,
        };
        Some(Importance(level))
    }
}

impl fmt::Display for Importance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Importance {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.0)
    }
}

impl<'de> Deserialize<'de> for Importance {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Importance, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(u64),
            Text(String),
        }
        let expected = "an importance of 1 (low), 2 (medium) or 3 (high)";
        match Raw::deserialize(d)? {
            Raw::Number(n) => u8::try_from(n)
                .ok()
                .and_then(Importance::new)
                .ok_or_else(|| serde::de::Error::custom(format!("expected {expected}, found {n}"))),
            Raw::Text(t) => Importance::parse(&t)
                .ok_or_else(|| serde::de::Error::custom(format!("expected {expected}, found `{t}`"))),
        }
    }
}

/// Where a fact came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// Written by a person (the plant file, the UI).
    Declared,
    /// Read from a spreadsheet or another tool's export.
    Imported,
    /// Seen in a network capture.
    Discovered,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Declared => "declared",
            SourceKind::Imported => "imported",
            SourceKind::Discovered => "discovered",
        }
    }

    pub fn parse(text: &str) -> Option<SourceKind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "declared" => Some(SourceKind::Declared),
            "imported" => Some(SourceKind::Imported),
            "discovered" => Some(SourceKind::Discovered),
            _ => None,
        }
    }
}

/// The provenance of a fact: declared, imported or discovered, when, and from which file or capture.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Source {
    pub kind: SourceKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Day>,
    /// The file or capture the fact was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Where in it: a row, a frame and protocol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Source {
    pub fn declared() -> Source {
        Source { kind: SourceKind::Declared, at: None, from: None, detail: None }
    }

    pub fn new(kind: SourceKind, at: Option<Day>, from: Option<&str>) -> Source {
        Source { kind, at, from: from.map(str::to_string), detail: None }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Source {
        self.detail = Some(detail.into());
        self
    }
}

impl fmt::Display for Source {
    /// `discovered 2025-03-01 line1.pcapng (frame 12, modbus)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.as_str())?;
        if let Some(at) = self.at {
            write!(f, " {at}")?;
        }
        if let Some(from) = &self.from {
            write!(f, " {from}")?;
        }
        if let Some(detail) = &self.detail {
            write!(f, " ({detail})")?;
        }
        Ok(())
    }
}

impl FromStr for Source {
    type Err = String;

    /// The form [`Source`]'s `Display` writes: `KIND [DATE] [FROM] [(DETAIL)]`.
    fn from_str(s: &str) -> Result<Source, String> {
        let mut rest = s.trim();
        let mut detail = None;
        if rest.ends_with(')')
            && let Some(open) = rest.rfind(" (")
        {
            detail = rest.get(open + 2..rest.len() - 1).map(str::to_string);
            rest = rest.get(..open).unwrap_or("").trim_end();
        }
        let (kind, rest) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let kind = SourceKind::parse(kind).ok_or_else(|| {
            format!("expected a source as `declared|imported|discovered [YYYY-MM-DD] [file]`, found `{s}`")
        })?;
        let rest = rest.trim();
        let (first, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let (at, from) = match first.parse::<Day>() {
            Ok(day) => (Some(day), after.trim()),
            Err(_) => (None, rest),
        };
        Ok(Source { kind, at, from: crate::text::non_empty(from), detail })
    }
}

/// Where an asset stands.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// The location as one free text, as a spreadsheet's `physical location` column gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl Location {
    pub fn is_empty(&self) -> bool {
        self.site.is_none()
            && self.building.is_none()
            && self.line.is_none()
            && self.cell.is_none()
            && self.text.is_none()
    }
}

/// Dates of an asset's life.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifecycle {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installed: Option<Day>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_of_support: Option<Day>,
}

impl Lifecycle {
    pub fn is_empty(&self) -> bool {
        self.installed.is_none() && self.end_of_support.is_none()
    }
}

/// An SBOM of the store linked to an asset, by product name and version.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SbomLink {
    pub product: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl fmt::Display for SbomLink {
    /// `product@version`, or the product alone.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.version {
            Some(v) => write!(f, "{}@{v}", self.product),
            None => f.write_str(&self.product),
        }
    }
}

impl FromStr for SbomLink {
    type Err = String;

    fn from_str(s: &str) -> Result<SbomLink, String> {
        let s = s.trim();
        let (product, version) = match s.rsplit_once('@') {
            Some((p, v)) if !p.trim().is_empty() && !v.trim().is_empty() => (p.trim(), Some(v.trim().to_string())),
            _ => (s, None),
        };
        if product.is_empty() {
            return Err("expected an SBOM as `product` or `product@version`".into());
        }
        Ok(SbomLink { product: product.to_string(), version })
    }
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// One device or system of the plant.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Asset {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AssetKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// Model name (`CPU 1516-3 PN/DP`, `CompactLogix 5380`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Product code, order number or catalog number (`6ES7 516-3AN01-0AB0`, `1769-L33ER`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hardware: Option<String>,
    /// Operating system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ips: Vec<IpAddr>,
    /// MAC addresses as `aa:bb:cc:dd:ee:ff`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub macs: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vlan: Option<u16>,
    /// Communication protocols the asset uses (`modbus`, `enip`, `s7comm`, `opcua`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub protocols: Vec<String>,
    /// Open ports and services (`tcp/502`, `http`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    #[serde(default, skip_serializing_if = "Location::is_empty")]
    pub location: Location,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importance: Option<Importance>,
    #[serde(default, skip_serializing_if = "Lifecycle::is_empty")]
    pub lifecycle: Lifecycle,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<Day>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sboms: Vec<SbomLink>,
    /// CPE 2.3 names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cpes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// Purdue level as written (`0`..`5`, `3.5`, `L2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purdue_level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_accounts: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Attributes without a field of their own (unmapped spreadsheet columns, protocol-specific facts), by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, String>,
    /// The source of every fact that has no entry in `provenance` (none: declared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// The source of single facts, by field name ([`AssetField::name`], or `extra.NAME`).
    #[serde(default, skip_serializing_if = "is_default")]
    pub provenance: BTreeMap<String, Source>,
}

/// The attributes of an asset, by the names used as column headers, provenance keys and in conflicts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AssetField {
    Id,
    Name,
    Kind,
    Vendor,
    Model,
    ProductCode,
    Serial,
    Firmware,
    Software,
    Hardware,
    Os,
    Ip,
    Mac,
    Vlan,
    Protocols,
    Services,
    Zone,
    PurdueLevel,
    Site,
    Building,
    Line,
    Cell,
    Location,
    Importance,
    Owner,
    UserAccounts,
    Logging,
    Installed,
    EndOfSupport,
    LastSeen,
    Sboms,
    Cpes,
    Description,
}

impl AssetField {
    /// Every field, in the column order of exports.
    pub const ALL: [AssetField; 33] = [
        AssetField::Id,
        AssetField::Name,
        AssetField::Kind,
        AssetField::Vendor,
        AssetField::Model,
        AssetField::ProductCode,
        AssetField::Serial,
        AssetField::Firmware,
        AssetField::Software,
        AssetField::Hardware,
        AssetField::Os,
        AssetField::Ip,
        AssetField::Mac,
        AssetField::Vlan,
        AssetField::Protocols,
        AssetField::Services,
        AssetField::Zone,
        AssetField::PurdueLevel,
        AssetField::Site,
        AssetField::Building,
        AssetField::Line,
        AssetField::Cell,
        AssetField::Location,
        AssetField::Importance,
        AssetField::Owner,
        AssetField::UserAccounts,
        AssetField::Logging,
        AssetField::Installed,
        AssetField::EndOfSupport,
        AssetField::LastSeen,
        AssetField::Sboms,
        AssetField::Cpes,
        AssetField::Description,
    ];

    /// The field's name: the column header of exports and the key of [`Asset::provenance`].
    pub fn name(self) -> &'static str {
        match self {
            AssetField::Id => "asset_id",
            AssetField::Name => "name",
            AssetField::Kind => "asset_type",
            AssetField::Vendor => "vendor",
            AssetField::Model => "model",
            AssetField::ProductCode => "product_code",
            AssetField::Serial => "serial_number",
            AssetField::Firmware => "firmware_version",
            AssetField::Software => "software_version",
            AssetField::Hardware => "hardware_version",
            AssetField::Os => "os",
            AssetField::Ip => "ip",
            AssetField::Mac => "mac",
            AssetField::Vlan => "vlan",
            AssetField::Protocols => "protocols",
            AssetField::Services => "ports_services",
            AssetField::Zone => "zone",
            AssetField::PurdueLevel => "purdue_level",
            AssetField::Site => "site",
            AssetField::Building => "building",
            AssetField::Line => "line",
            AssetField::Cell => "cell",
            AssetField::Location => "physical_location",
            AssetField::Importance => "importance",
            AssetField::Owner => "owner",
            AssetField::UserAccounts => "user_accounts",
            AssetField::Logging => "logging",
            AssetField::Installed => "installed",
            AssetField::EndOfSupport => "end_of_support",
            AssetField::LastSeen => "last_seen",
            AssetField::Sboms => "sboms",
            AssetField::Cpes => "cpes",
            AssetField::Description => "description",
        }
    }

    /// The Japanese header cpsf writes for the field (our own choice).
    pub fn name_ja(self) -> &'static str {
        match self {
            AssetField::Id => "資産ID",
            AssetField::Name => "資産名",
            AssetField::Kind => "機器種別",
            AssetField::Vendor => "メーカー",
            AssetField::Model => "型式",
            AssetField::ProductCode => "製品コード",
            AssetField::Serial => "シリアル番号",
            AssetField::Firmware => "ファームウェア",
            AssetField::Software => "ソフトウェアバージョン",
            AssetField::Hardware => "ハードウェアバージョン",
            AssetField::Os => "OS",
            AssetField::Ip => "IPアドレス",
            AssetField::Mac => "MACアドレス",
            AssetField::Vlan => "VLAN",
            AssetField::Protocols => "通信プロトコル",
            AssetField::Services => "ポート・サービス",
            AssetField::Zone => "ゾーン",
            AssetField::PurdueLevel => "パデューレベル",
            AssetField::Site => "拠点",
            AssetField::Building => "建屋",
            AssetField::Line => "ライン",
            AssetField::Cell => "セル",
            AssetField::Location => "設置場所",
            AssetField::Importance => "重要度",
            AssetField::Owner => "担当者",
            AssetField::UserAccounts => "ユーザーアカウント",
            AssetField::Logging => "ログ取得",
            AssetField::Installed => "導入日",
            AssetField::EndOfSupport => "サポート終了日",
            AssetField::LastSeen => "最終確認日",
            AssetField::Sboms => "SBOM",
            AssetField::Cpes => "CPE",
            AssetField::Description => "説明",
        }
    }

    pub fn from_name(name: &str) -> Option<AssetField> {
        AssetField::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether the field holds a list.
    pub fn is_list(self) -> bool {
        matches!(
            self,
            AssetField::Ip
                | AssetField::Mac
                | AssetField::Protocols
                | AssetField::Services
                | AssetField::Sboms
                | AssetField::Cpes
        )
    }

    /// What a value of the field must look like, for messages.
    pub fn expected(self) -> &'static str {
        match self {
            AssetField::Kind => {
                "an asset type (plc, hmi, scada-server, dcs, engineering-workstation, historian, safety-controller, robot, drive, network-device, iot-device, sensor, it-server, other)"
            }
            AssetField::Ip => "IPv4 or IPv6 addresses",
            AssetField::Mac => "MAC addresses (six hex bytes, e.g. 00:1b:1b:aa:bb:0c)",
            AssetField::Vlan => "a VLAN id from 0 to 4095",
            AssetField::Importance => "an importance of 1 (low), 2 (medium) or 3 (high)",
            AssetField::Installed | AssetField::EndOfSupport | AssetField::LastSeen => "a date as YYYY-MM-DD",
            AssetField::Sboms => "SBOMs as `product@version`",
            AssetField::Id => "an asset id",
            _ => "text",
        }
    }
}

impl fmt::Display for AssetField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Split a list cell: `;`, `|`, `、` and line breaks separate items (and `,` and spaces for addresses).
pub fn split_list(text: &str, addresses: bool) -> Vec<String> {
    text.split(|c: char| matches!(c, ';' | '|' | '\n' | '\r' | '、') || (addresses && (c == ',' || c.is_whitespace())))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn push_unique<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

impl Asset {
    /// An asset with only an id.
    pub fn new(id: impl Into<String>) -> Asset {
        Asset { id: id.into(), ..Asset::default() }
    }

    /// The values of a field as text (none, one, or several for a list field).
    pub fn get(&self, field: AssetField) -> Vec<String> {
        let one = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
        match field {
            AssetField::Id => vec![self.id.clone()],
            AssetField::Name => one(&self.name),
            AssetField::Kind => self.kind.iter().map(|k| k.as_str().to_string()).collect(),
            AssetField::Vendor => one(&self.vendor),
            AssetField::Model => one(&self.model),
            AssetField::ProductCode => one(&self.product_code),
            AssetField::Serial => one(&self.serial),
            AssetField::Firmware => one(&self.firmware),
            AssetField::Software => one(&self.software),
            AssetField::Hardware => one(&self.hardware),
            AssetField::Os => one(&self.os),
            AssetField::Ip => self.ips.iter().map(IpAddr::to_string).collect(),
            AssetField::Mac => self.macs.clone(),
            AssetField::Vlan => self.vlan.iter().map(u16::to_string).collect(),
            AssetField::Protocols => self.protocols.clone(),
            AssetField::Services => self.services.clone(),
            AssetField::Zone => one(&self.zone),
            AssetField::PurdueLevel => one(&self.purdue_level),
            AssetField::Site => one(&self.location.site),
            AssetField::Building => one(&self.location.building),
            AssetField::Line => one(&self.location.line),
            AssetField::Cell => one(&self.location.cell),
            AssetField::Location => one(&self.location.text),
            AssetField::Importance => self.importance.iter().map(Importance::to_string).collect(),
            AssetField::Owner => one(&self.owner),
            AssetField::UserAccounts => one(&self.user_accounts),
            AssetField::Logging => one(&self.logging),
            AssetField::Installed => self.lifecycle.installed.iter().map(Day::to_string).collect(),
            AssetField::EndOfSupport => self.lifecycle.end_of_support.iter().map(Day::to_string).collect(),
            AssetField::LastSeen => self.last_seen.iter().map(Day::to_string).collect(),
            AssetField::Sboms => self.sboms.iter().map(SbomLink::to_string).collect(),
            AssetField::Cpes => self.cpes.clone(),
            AssetField::Description => one(&self.description),
        }
    }

    /// Set a field from text (a list field from a list cell, see [`split_list`]); an empty text clears it.
    /// On a value the field cannot hold, the asset is unchanged and the error says what was expected.
    pub fn set(&mut self, field: AssetField, text: &str) -> Result<(), String> {
        let value = crate::text::non_empty(text);
        let bad = |found: &str| format!("expected {}, found `{found}`", field.expected());
        match field {
            AssetField::Id => match value {
                Some(v) => self.id = v,
                None => return Err("expected an asset id, found an empty cell".into()),
            },
            AssetField::Name => self.name = value,
            AssetField::Kind => {
                self.kind = match value {
                    Some(v) => Some(AssetKind::parse(&v).ok_or_else(|| bad(&v))?),
                    None => None,
                }
            }
            AssetField::Vendor => self.vendor = value,
            AssetField::Model => self.model = value,
            AssetField::ProductCode => self.product_code = value,
            AssetField::Serial => self.serial = value,
            AssetField::Firmware => self.firmware = value,
            AssetField::Software => self.software = value,
            AssetField::Hardware => self.hardware = value,
            AssetField::Os => self.os = value,
            AssetField::Ip => {
                let mut ips = Vec::new();
                for item in split_list(text, true) {
                    let ip = item.parse::<IpAddr>().map_err(|_| bad(&item))?;
                    push_unique(&mut ips, ip);
                }
                self.ips = ips;
            }
            AssetField::Mac => {
                let mut macs = Vec::new();
                for item in split_list(text, true) {
                    push_unique(&mut macs, normalize_mac(&item).ok_or_else(|| bad(&item))?);
                }
                self.macs = macs;
            }
            AssetField::Vlan => {
                self.vlan = match value {
                    Some(v) => Some(v.parse::<u16>().ok().filter(|n| *n <= 4095).ok_or_else(|| bad(&v))?),
                    None => None,
                }
            }
            AssetField::Protocols => self.protocols = dedup(split_list(text, false)),
            AssetField::Services => self.services = dedup(split_list(text, false)),
            AssetField::Zone => self.zone = value,
            AssetField::PurdueLevel => self.purdue_level = value,
            AssetField::Site => self.location.site = value,
            AssetField::Building => self.location.building = value,
            AssetField::Line => self.location.line = value,
            AssetField::Cell => self.location.cell = value,
            AssetField::Location => self.location.text = value,
            AssetField::Importance => {
                self.importance = match value {
                    Some(v) => Some(Importance::parse(&v).ok_or_else(|| bad(&v))?),
                    None => None,
                }
            }
            AssetField::Owner => self.owner = value,
            AssetField::UserAccounts => self.user_accounts = value,
            AssetField::Logging => self.logging = value,
            AssetField::Installed | AssetField::EndOfSupport | AssetField::LastSeen => {
                let day = match value {
                    Some(v) => Some(v.parse::<Day>().map_err(|_| bad(&v))?),
                    None => None,
                };
                match field {
                    AssetField::Installed => self.lifecycle.installed = day,
                    AssetField::EndOfSupport => self.lifecycle.end_of_support = day,
                    _ => self.last_seen = day,
                }
            }
            AssetField::Sboms => {
                let mut sboms = Vec::new();
                for item in split_list(text, false) {
                    push_unique(&mut sboms, item.parse::<SbomLink>().map_err(|_| bad(&item))?);
                }
                self.sboms = sboms;
            }
            AssetField::Cpes => self.cpes = dedup(split_list(text, false)),
            AssetField::Description => self.description = value,
        }
        Ok(())
    }

    /// The source of a field's value: its own provenance entry, else the asset's source, else declared.
    pub fn source_of(&self, key: &str) -> Source {
        self.provenance.get(key).or(self.source.as_ref()).cloned().unwrap_or_else(Source::declared)
    }

    /// The identifying facts for advisory matching: vendor, model name as product, product code (or the
    /// model name when there is none) as model number, firmware (or software) version, serial, CPEs.
    pub fn identity(&self) -> DeviceIdentity {
        DeviceIdentity {
            vendor: self.vendor.clone(),
            product: self.model.clone(),
            model: self.product_code.clone().or_else(|| self.model.clone()),
            version: self.firmware.clone().or_else(|| self.software.clone()),
            serial: self.serial.clone(),
            cpes: self.cpes.clone(),
        }
    }

    /// A name for messages: the name, else the id.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    /// An id from the asset's own facts: its name, else its first IP, MAC or serial number, else `asset`.
    pub fn suggested_id(&self) -> String {
        let from = |s: &str| slug(s);
        let candidates = [
            self.name.as_deref().map(from),
            self.ips.first().map(|ip| from(&ip.to_string())),
            self.macs.first().map(|m| from(m)),
            self.serial.as_deref().map(from),
        ];
        candidates.into_iter().flatten().find(|s| !s.is_empty()).unwrap_or_else(|| "asset".to_string())
    }
}

fn dedup(items: Vec<String>) -> Vec<String> {
    let mut out = Vec::new();
    for item in items {
        if !out.iter().any(|o: &String| o.eq_ignore_ascii_case(&item)) {
            out.push(item);
        }
    }
    out
}

/// How a merge settles differing values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeRules {
    /// Source kinds, strongest first.
    pub rank: [SourceKind; 3],
    /// Within one kind, the fact with the later date wins.
    pub newer_wins: bool,
}

impl Default for MergeRules {
    fn default() -> MergeRules {
        MergeRules { rank: [SourceKind::Declared, SourceKind::Imported, SourceKind::Discovered], newer_wins: true }
    }
}

impl MergeRules {
    fn strength(&self, kind: SourceKind) -> usize {
        self.rank.iter().position(|k| *k == kind).unwrap_or(self.rank.len())
    }

    /// Whether `incoming` should replace `existing`.
    fn incoming_wins(&self, existing: &Source, incoming: &Source) -> (bool, &'static str) {
        let (e, i) = (self.strength(existing.kind), self.strength(incoming.kind));
        if i < e {
            return (true, "stronger source");
        }
        if e < i {
            return (false, "stronger source");
        }
        if self.newer_wins
            && let (Some(a), Some(b)) = (existing.at, incoming.at)
            && a != b
        {
            return (b > a, "newer fact");
        }
        (false, "same kind and date: the inventory keeps its value")
    }
}

/// Which key matched an incoming asset to an inventory asset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchKey {
    Id,
    SerialVendor,
    Mac,
    IpVlan,
    Name,
}

/// An incoming asset merged into an inventory asset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Merged {
    pub into: String,
    pub from: String,
    pub matched_by: MatchKey,
}

/// Two different values for one fact of one asset, and which was kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub asset: String,
    pub field: String,
    pub kept: String,
    pub kept_source: Source,
    pub dropped: String,
    pub dropped_source: Source,
    /// Why the kept value won.
    pub reason: String,
}

/// What a merge did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MergeReport {
    /// Ids of the assets added (after any renaming).
    pub added: Vec<String>,
    /// Incoming ids renamed because the id was taken by an asset they did not match: (incoming, new id).
    pub renamed: Vec<(String, String)>,
    pub merged: Vec<Merged>,
    pub conflicts: Vec<Conflict>,
}

/// The assets of a plant, ids unique.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub assets: Vec<Asset>,
}

impl Inventory {
    pub fn new(assets: Vec<Asset>) -> Inventory {
        Inventory { assets }
    }

    pub fn get(&self, id: &str) -> Option<&Asset> {
        self.assets.iter().find(|a| a.id == id)
    }

    /// The inventory asset `incoming` is the same as, and by which key (see the module documentation).
    pub fn find_match(&self, incoming: &Asset) -> Option<(usize, MatchKey)> {
        if !incoming.id.is_empty()
            && let Some(i) = self.assets.iter().position(|a| a.id == incoming.id)
        {
            return Some((i, MatchKey::Id));
        }
        if let (Some(serial), Some(vendor)) = (&incoming.serial, &incoming.vendor) {
            let (s, v) = (serial.trim(), normalize_vendor(vendor));
            if !s.is_empty() && !v.is_empty() {
                let found = self.assets.iter().position(|a| {
                    a.serial.as_deref().is_some_and(|x| x.trim().eq_ignore_ascii_case(s))
                        && a.vendor.as_deref().is_some_and(|x| normalize_vendor(x) == v)
                });
                if let Some(i) = found {
                    return Some((i, MatchKey::SerialVendor));
                }
            }
        }
        if let Some(i) = self.assets.iter().position(|a| a.macs.iter().any(|m| incoming.macs.contains(m))) {
            return Some((i, MatchKey::Mac));
        }
        let vlan_ok = |a: &Asset| a.vlan.is_none() || incoming.vlan.is_none() || a.vlan == incoming.vlan;
        if let Some(i) = self.assets.iter().position(|a| vlan_ok(a) && a.ips.iter().any(|ip| incoming.ips.contains(ip)))
        {
            return Some((i, MatchKey::IpVlan));
        }
        if let Some(name) = incoming.name.as_deref().map(|n| n.trim().to_lowercase()).filter(|n| !n.is_empty())
            && let Some(i) =
                self.assets.iter().position(|a| a.name.as_deref().is_some_and(|n| n.trim().to_lowercase() == name))
        {
            return Some((i, MatchKey::Name));
        }
        None
    }

    /// Merge `incoming` assets in, one after another (so duplicates within the batch also merge), by the
    /// rules of the module documentation.
    pub fn merge(&mut self, incoming: Vec<Asset>, rules: &MergeRules) -> MergeReport {
        let mut report = MergeReport::default();
        for mut asset in incoming {
            match self.find_match(&asset) {
                Some((i, key)) => {
                    if let Some(existing) = self.assets.get_mut(i) {
                        report.merged.push(Merged {
                            into: existing.id.clone(),
                            from: asset.id.clone(),
                            matched_by: key,
                        });
                        merge_into(existing, asset, rules, &mut report.conflicts);
                    }
                }
                None => {
                    if asset.id.trim().is_empty() {
                        asset.id = asset.suggested_id();
                    }
                    let wanted = asset.id.clone();
                    let id = self.free_id(&wanted);
                    if id != wanted {
                        report.renamed.push((wanted, id.clone()));
                        asset.id = id;
                    }
                    report.added.push(asset.id.clone());
                    self.assets.push(asset);
                }
            }
        }
        report
    }

    /// `base`, or `base-2`, `base-3`, ... the first not taken.
    pub fn free_id(&self, base: &str) -> String {
        if self.get(base).is_none() {
            return base.to_string();
        }
        (2..).map(|n| format!("{base}-{n}")).find(|id| self.get(id).is_none()).unwrap_or_else(|| base.to_string())
    }
}

/// One scalar fact of an asset as a mutable slot, for the merge.
fn scalar_fields() -> [AssetField; 23] {
    [
        AssetField::Name,
        AssetField::Kind,
        AssetField::Vendor,
        AssetField::Model,
        AssetField::ProductCode,
        AssetField::Serial,
        AssetField::Firmware,
        AssetField::Software,
        AssetField::Hardware,
        AssetField::Os,
        AssetField::Vlan,
        AssetField::Zone,
        AssetField::PurdueLevel,
        AssetField::Site,
        AssetField::Building,
        AssetField::Line,
        AssetField::Cell,
        AssetField::Location,
        AssetField::Importance,
        AssetField::Owner,
        AssetField::UserAccounts,
        AssetField::Logging,
        AssetField::Description,
    ]
}

fn same_value(field: AssetField, a: &str, b: &str) -> bool {
    match field {
        AssetField::Vendor => normalize_vendor(a) == normalize_vendor(b),
        _ => a.trim().eq_ignore_ascii_case(b.trim()),
    }
}

fn merge_into(existing: &mut Asset, incoming: Asset, rules: &MergeRules, conflicts: &mut Vec<Conflict>) {
    let dated = [AssetField::Installed, AssetField::EndOfSupport, AssetField::LastSeen];
    for field in scalar_fields().into_iter().chain(dated) {
        let key = field.name();
        let (Some(new), old) = (incoming.get(field).into_iter().next(), existing.get(field).into_iter().next()) else {
            continue;
        };
        let new_source = incoming.source_of(key);
        match old {
            None => {
                if existing.set(field, &new).is_ok() {
                    set_provenance(existing, key, new_source);
                }
            }
            Some(old) if same_value(field, &old, &new) => {}
            Some(old) => {
                let old_source = existing.source_of(key);
                // `last_seen` is a time, not a claim: the later one is simply right.
                let (wins, reason) = if field == AssetField::LastSeen {
                    (new > old, "later sighting")
                } else {
                    rules.incoming_wins(&old_source, &new_source)
                };
                if wins && existing.set(field, &new).is_ok() {
                    set_provenance(existing, key, new_source.clone());
                    conflicts.push(Conflict {
                        asset: existing.id.clone(),
                        field: key.to_string(),
                        kept: new,
                        kept_source: new_source,
                        dropped: old,
                        dropped_source: old_source,
                        reason: reason.to_string(),
                    });
                } else if field != AssetField::LastSeen {
                    conflicts.push(Conflict {
                        asset: existing.id.clone(),
                        field: key.to_string(),
                        kept: old,
                        kept_source: old_source,
                        dropped: new,
                        dropped_source: new_source,
                        reason: reason.to_string(),
                    });
                }
            }
        }
    }
    // Lists: united; provenance is taken from the incoming side only for a list the inventory lacked.
    let lists: [(AssetField, bool); 6] = [
        (AssetField::Ip, existing.ips.is_empty()),
        (AssetField::Mac, existing.macs.is_empty()),
        (AssetField::Protocols, existing.protocols.is_empty()),
        (AssetField::Services, existing.services.is_empty()),
        (AssetField::Sboms, existing.sboms.is_empty()),
        (AssetField::Cpes, existing.cpes.is_empty()),
    ];
    for ip in &incoming.ips {
        push_unique(&mut existing.ips, *ip);
    }
    for mac in &incoming.macs {
        push_unique(&mut existing.macs, mac.clone());
    }
    for (list, new) in [
        (&mut existing.protocols, &incoming.protocols),
        (&mut existing.services, &incoming.services),
        (&mut existing.cpes, &incoming.cpes),
    ] {
        for item in new {
            if !list.iter().any(|x| x.eq_ignore_ascii_case(item)) {
                list.push(item.clone());
            }
        }
    }
    for sbom in &incoming.sboms {
        push_unique(&mut existing.sboms, sbom.clone());
    }
    for (field, was_empty) in lists {
        if was_empty && !incoming.get(field).is_empty() {
            set_provenance(existing, field.name(), incoming.source_of(field.name()));
        }
    }
    for (name, value) in &incoming.extra {
        let key = format!("extra.{name}");
        let new_source = incoming.source_of(&key);
        match existing.extra.get(name).cloned() {
            None => {
                existing.extra.insert(name.clone(), value.clone());
                set_provenance(existing, &key, new_source);
            }
            Some(old) if old.trim() == value.trim() => {}
            Some(old) => {
                let old_source = existing.source_of(&key);
                let (wins, reason) = rules.incoming_wins(&old_source, &new_source);
                let (kept, kept_source, dropped, dropped_source) = if wins {
                    existing.extra.insert(name.clone(), value.clone());
                    set_provenance(existing, &key, new_source.clone());
                    (value.clone(), new_source, old, old_source)
                } else {
                    (old, old_source, value.clone(), new_source)
                };
                conflicts.push(Conflict {
                    asset: existing.id.clone(),
                    field: key,
                    kept,
                    kept_source,
                    dropped,
                    dropped_source,
                    reason: reason.to_string(),
                });
            }
        }
    }
}

/// Record a field's source, leaving no entry when it equals the asset's default source.
fn set_provenance(asset: &mut Asset, key: &str, source: Source) {
    let default = asset.source.clone().unwrap_or_else(Source::declared);
    if source == default {
        asset.provenance.remove(key);
    } else {
        asset.provenance.insert(key.to_string(), source);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days() {
        assert_eq!("2024/3/9".parse::<Day>().map(|d| d.to_string()).as_deref(), Ok("2024-03-09"));
        assert_eq!("2024年3月9日".parse::<Day>().map(|d| d.to_string()).as_deref(), Ok("2024-03-09"));
        assert_eq!("2024-03-09T10:00:00Z".parse::<Day>().map(|d| d.to_string()).as_deref(), Ok("2024-03-09"));
        assert!("2024-02-30".parse::<Day>().is_err());
        assert!("24-02-03".parse::<Day>().is_err());
        assert!("".parse::<Day>().is_err());
        assert_eq!(Day::from_excel_serial(45000.0).map(|d| d.to_string()).as_deref(), Some("2023-03-15"));
        assert_eq!(Day::from_unix_micros(0).map(|d| d.to_string()).as_deref(), Some("1970-01-01"));
    }

    #[test]
    fn kinds_and_importance() {
        assert_eq!(AssetKind::parse("Programmable Logic Controller"), Some(AssetKind::Plc));
        assert_eq!(AssetKind::parse("SCADA_Server"), Some(AssetKind::ScadaServer));
        assert_eq!(AssetKind::parse("インバータ"), Some(AssetKind::Drive));
        assert_eq!(AssetKind::parse("ネットワーク機器"), Some(AssetKind::NetworkDevice));
        assert_eq!(AssetKind::parse("toaster"), None);
        assert_eq!(Importance::parse("高"), Some(Importance::HIGH));
        assert_eq!(Importance::parse("M"), Some(Importance::MEDIUM));
        assert_eq!(Importance::parse("4"), None);
    }
}
