//! Devices seen in a capture turned into candidate assets for review and merge: every fact carries the
//! provenance "discovered on DATE from CAPTURE (frame N, protocol)", and a kind is suggested from the
//! protocols' roles.
//!
//! The capture side fills [`DiscoveredDevice`] (a device key, the facts with protocol and frame, and the
//! protocols its flows used), or hands its observations to [`from_observations`].
//!
//! # Fields
//!
//! vendor name → vendor; model name (else product name) → model; product code (else order number) →
//! product code (an order number beside a product code goes to `extra.order_number`); firmware version
//! (else revision) → firmware; software and hardware versions; serial number; name (else hostname) → name;
//! location → location text; description; declared IP and MAC addresses join the key's. Other facts
//! (vendor id, device type, role, protocol address, client id, URIs, status, plant id) are kept as
//! `extra.<field>` (for a protocol address: `extra.<protocol>_address`). When one field has several values,
//! the most frequent wins (the earliest frame on a tie) and the others are listed as alternatives.
//!
//! # Suggested kind (a heuristic, shown with its reason)
//!
//! 1. A device type or role text naming a kind (`Programmable Logic Controller`, `PLC`, `CPU`, `HMI`,
//!    `operator panel`, `drive`, `inverter`, `robot`, `switch`, `router`, `gateway`, `communications
//!    adapter`, `safety`, `sensor`, `encoder`) decides.
//! 2. Otherwise the protocol role: identity answered over Modbus (a server), EtherNet/IP, S7comm or PROFINET
//!    DCP (a device, or a controller) → plc; DNP3 outstation or IEC 104 controlled station → plc;
//!    DNP3 master or IEC 104 controlling station → scada-server; OPC UA server → scada-server; BACnet device
//!    → iot-device; MQTT client → iot-device; an LLDP or SNMP description naming a switch or router →
//!    network-device.
//! 3. Otherwise no suggestion.

use std::collections::BTreeMap;
use std::net::IpAddr;

use cpsf_pcap::model::{DeviceKey, Field, Observation};
use serde::Serialize;

use crate::asset::{Asset, AssetField, AssetKind, Day, Source, SourceKind};
use crate::text::normalize_mac;

/// One fact about a device as a capture showed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DiscoveredFact {
    pub field: Field,
    pub value: String,
    pub protocol: String,
    pub frame: u64,
}

/// What discovery knows about one device: the input of [`candidates`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DiscoveredDevice {
    pub key: DeviceKey,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vlan: Option<u16>,
    pub facts: Vec<DiscoveredFact>,
    /// Protocols its flows used (from the communication matrix), besides those of its facts.
    #[serde(default)]
    pub protocols: Vec<String>,
}

/// The capture the devices were seen in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capture {
    /// The capture's file name.
    pub name: String,
    /// The day of its first packet (or of the discovery run).
    pub date: Option<Day>,
}

/// A kind suggested for a candidate, with why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SuggestedKind {
    pub kind: AssetKind,
    pub reason: String,
}

/// A value of a field that lost to another one of the same device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Alternative {
    pub field: String,
    pub value: String,
    pub protocol: String,
    pub frame: u64,
}

/// A candidate asset for review.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    /// The asset, every fact with provenance `discovered`; `kind` set from the suggestion.
    pub asset: Asset,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested_kind: Option<SuggestedKind>,
    pub alternatives: Vec<Alternative>,
}

/// The devices of a discovery run as discovered devices: one fact per frame that stated a value (up to the
/// evidence discovery kept, so the most frequent value still wins), the device's first IP, MAC and VLAN as its
/// key, and every protocol it spoke.
pub fn from_discovery(discovery: &cpsf_pcap::discover::Discovery) -> Vec<DiscoveredDevice> {
    discovery
        .devices
        .iter()
        .map(|device| {
            let mut facts = Vec::new();
            for fact in &device.identity {
                for value in &fact.values {
                    let protocol = value.protocols.first().map_or("unknown", |p| p).to_string();
                    let frames: Vec<u64> = if value.evidence.is_empty() {
                        vec![0]
                    } else {
                        value.evidence.iter().map(|e| e.frame).collect()
                    };
                    for frame in frames {
                        facts.push(DiscoveredFact {
                            field: fact.field,
                            value: value.value.clone(),
                            protocol: protocol.clone(),
                            frame,
                        });
                    }
                }
            }
            facts.sort_by_key(|f| f.frame);
            DiscoveredDevice {
                key: device.key(),
                vlan: device.vlans.first().copied(),
                facts,
                protocols: device.protocols.iter().map(|p| p.protocol.clone()).collect(),
            }
        })
        .collect()
}

/// Group observations by device key into devices (facts in frame order).
pub fn from_observations(observations: &[Observation]) -> Vec<DiscoveredDevice> {
    let mut by_key: BTreeMap<DeviceKey, DiscoveredDevice> = BTreeMap::new();
    for obs in observations {
        let device = by_key.entry(obs.device).or_insert_with(|| DiscoveredDevice {
            key: obs.device,
            vlan: None,
            facts: Vec::new(),
            protocols: Vec::new(),
        });
        for (field, value) in &obs.fields {
            device.facts.push(DiscoveredFact {
                field: *field,
                value: value.clone(),
                protocol: obs.protocol.to_string(),
                frame: obs.frame,
            });
        }
    }
    let mut out: Vec<DiscoveredDevice> = by_key.into_values().collect();
    for d in &mut out {
        d.facts.sort_by_key(|f| f.frame);
    }
    out
}

/// Where a field's value goes on the asset.
enum Slot {
    Field(AssetField),
    /// Used only when the first field has no value.
    Fallback(AssetField, Field),
    Extra(&'static str),
    Address,
}

fn slot(field: Field) -> Slot {
    match field {
        Field::VendorName => Slot::Field(AssetField::Vendor),
        Field::ModelName => Slot::Field(AssetField::Model),
        Field::ProductName => Slot::Fallback(AssetField::Model, Field::ModelName),
        Field::ProductCode => Slot::Field(AssetField::ProductCode),
        Field::OrderNumber => Slot::Fallback(AssetField::ProductCode, Field::ProductCode),
        Field::FirmwareVersion => Slot::Field(AssetField::Firmware),
        Field::Revision => Slot::Fallback(AssetField::Firmware, Field::FirmwareVersion),
        Field::SoftwareVersion => Slot::Field(AssetField::Software),
        Field::HardwareVersion => Slot::Field(AssetField::Hardware),
        Field::SerialNumber => Slot::Field(AssetField::Serial),
        Field::Name => Slot::Field(AssetField::Name),
        Field::Hostname => Slot::Fallback(AssetField::Name, Field::Name),
        Field::Location => Slot::Field(AssetField::Location),
        Field::Description => Slot::Field(AssetField::Description),
        Field::DeclaredIp | Field::DeclaredMac => Slot::Address,
        Field::VendorId => Slot::Extra("vendor_id"),
        Field::DeviceType => Slot::Extra("device_type"),
        Field::Role => Slot::Extra("role"),
        Field::ProtocolAddress => Slot::Extra("protocol_address"),
        Field::ClientId => Slot::Extra("client_id"),
        Field::Username => Slot::Extra("username"),
        Field::ApplicationUri => Slot::Extra("application_uri"),
        Field::ProductUri => Slot::Extra("product_uri"),
        Field::EndpointUrl => Slot::Extra("endpoint_url"),
        Field::PlantId => Slot::Extra("plant_id"),
        Field::Status => Slot::Extra("status"),
    }
}

/// The winning value of a field: the most frequent, the earliest frame on a tie; and the others.
fn pick<'a>(facts: &[&'a DiscoveredFact]) -> Option<(&'a DiscoveredFact, Vec<&'a DiscoveredFact>)> {
    let mut counts: Vec<(&str, usize, &DiscoveredFact)> = Vec::new();
    for f in facts {
        let v = f.value.trim();
        if v.is_empty() {
            continue;
        }
        match counts.iter_mut().find(|(x, ..)| *x == v) {
            Some(entry) => entry.1 += 1,
            None => counts.push((v, 1, f)),
        }
    }
    // Earlier first: stable max by count keeps the first seen on ties.
    let mut best: Option<(usize, &DiscoveredFact)> = None;
    for (_, n, f) in &counts {
        if best.is_none_or(|(bn, _)| *n > bn) {
            best = Some((*n, f));
        }
    }
    let (_, winner) = best?;
    let others = counts.iter().filter(|(v, ..)| *v != winner.value.trim()).map(|(_, _, f)| *f).collect();
    Some((winner, others))
}

/// Candidate assets from discovered devices, each fact's source `discovered DATE CAPTURE (frame N,
/// PROTOCOL)`. Ids are `discovered-<ip or mac>`.
pub fn candidates(devices: &[DiscoveredDevice], capture: &Capture) -> Vec<Candidate> {
    devices.iter().map(|d| candidate(d, capture)).collect()
}

fn candidate(device: &DiscoveredDevice, capture: &Capture) -> Candidate {
    let base = Source::new(SourceKind::Discovered, capture.date, Some(&capture.name));
    let mut asset = Asset { source: Some(base.clone()), vlan: device.vlan, ..Asset::default() };
    if let Some(ip) = device.key.ip {
        asset.ips.push(ip);
    }
    if let Some(mac) = device.key.mac {
        asset.macs.push(mac.to_string());
    }
    let mut alternatives = Vec::new();
    let mut by_field: BTreeMap<Field, Vec<&DiscoveredFact>> = BTreeMap::new();
    for fact in &device.facts {
        by_field.entry(fact.field).or_default().push(fact);
    }
    let fact_source = |f: &DiscoveredFact| base.clone().with_detail(format!("frame {}, {}", f.frame, f.protocol));
    for (field, facts) in &by_field {
        match slot(*field) {
            Slot::Address => {
                for f in facts {
                    match field {
                        Field::DeclaredIp => {
                            if let Ok(ip) = f.value.trim().parse::<IpAddr>()
                                && !asset.ips.contains(&ip)
                            {
                                asset.ips.push(ip);
                            }
                        }
                        _ => {
                            if let Some(mac) = normalize_mac(&f.value)
                                && !asset.macs.contains(&mac)
                            {
                                asset.macs.push(mac);
                            }
                        }
                    }
                }
            }
            Slot::Extra(name) => {
                // Every distinct value is worth keeping (a device may have several roles or addresses).
                let mut values: Vec<(String, &DiscoveredFact)> = Vec::new();
                for f in facts {
                    let key = match field {
                        Field::ProtocolAddress => format!("{}_address", f.protocol),
                        _ => name.to_string(),
                    };
                    let v = f.value.trim();
                    if !v.is_empty() && !values.iter().any(|(k, x)| *k == key && x.value.trim() == v) {
                        values.push((key, f));
                    }
                }
                let mut grouped: BTreeMap<String, Vec<&DiscoveredFact>> = BTreeMap::new();
                for (k, f) in values {
                    grouped.entry(k).or_default().push(f);
                }
                for (key, list) in grouped {
                    let joined: Vec<&str> = list.iter().map(|f| f.value.trim()).collect();
                    asset.extra.insert(key.clone(), joined.join("; "));
                    if let Some(first) = list.first() {
                        asset.provenance.insert(format!("extra.{key}"), fact_source(first));
                    }
                }
            }
            Slot::Field(target) | Slot::Fallback(target, _) => {
                if let Slot::Fallback(_, preferred) = slot(*field)
                    && by_field.get(&preferred).is_some_and(|p| p.iter().any(|f| !f.value.trim().is_empty()))
                {
                    // The preferred field wins; this one is kept as an extra fact.
                    if let Some((winner, _)) = pick(facts) {
                        let key = field.as_str();
                        asset.extra.insert(key.to_string(), winner.value.trim().to_string());
                        asset.provenance.insert(format!("extra.{key}"), fact_source(winner));
                    }
                    continue;
                }
                let Some((winner, others)) = pick(facts) else { continue };
                if asset.set(target, winner.value.trim()).is_ok() {
                    asset.provenance.insert(target.name().to_string(), fact_source(winner));
                }
                alternatives.extend(others.into_iter().map(|f| Alternative {
                    field: target.name().to_string(),
                    value: f.value.trim().to_string(),
                    protocol: f.protocol.clone(),
                    frame: f.frame,
                }));
            }
        }
    }
    let mut protocols: Vec<String> = Vec::new();
    for p in device.facts.iter().map(|f| f.protocol.as_str()).chain(device.protocols.iter().map(String::as_str)) {
        if !protocols.iter().any(|x| x.eq_ignore_ascii_case(p)) {
            protocols.push(p.to_string());
        }
    }
    asset.protocols = protocols;
    let suggested = suggest_kind(device);
    asset.kind = suggested.as_ref().map(|s| s.kind);
    if let Some(s) = &suggested {
        asset
            .provenance
            .insert(AssetField::Kind.name().to_string(), base.clone().with_detail(format!("suggested: {}", s.reason)));
    }
    asset.id = match (device.key.ip, device.key.mac) {
        (Some(ip), _) => format!("discovered-{}", crate::text::slug(&ip.to_string())),
        (None, Some(mac)) => format!("discovered-{}", crate::text::slug(&mac.to_string())),
        (None, None) => format!("discovered-{}", asset.suggested_id()),
    };
    Candidate { asset, suggested_kind: suggested, alternatives }
}

/// A kind named by a device type, role or description text.
fn kind_from_text(text: &str) -> Option<AssetKind> {
    let t = format!(" {} ", crate::text::normalize_name(text));
    let has = |words: &[&str]| words.iter().any(|w| t.contains(&format!(" {w} ")));
    if has(&["safety"]) {
        Some(AssetKind::SafetyController)
    } else if has(&["programmable logic controller", "plc", "cpu"]) {
        Some(AssetKind::Plc)
    } else if has(&["human machine interface", "hmi", "operator panel", "operator interface"]) {
        Some(AssetKind::Hmi)
    } else if has(&["drive", "inverter", "vfd", "servo"]) {
        Some(AssetKind::Drive)
    } else if has(&["robot"]) {
        Some(AssetKind::Robot)
    } else if has(&["switch", "router", "gateway", "firewall", "communications adapter", "bridge"]) {
        Some(AssetKind::NetworkDevice)
    } else if has(&["sensor", "encoder", "transmitter", "photoelectric", "proximity"]) {
        Some(AssetKind::Sensor)
    } else {
        None
    }
}

/// Suggest a kind for a device (see the module documentation).
pub fn suggest_kind(device: &DiscoveredDevice) -> Option<SuggestedKind> {
    for f in &device.facts {
        if matches!(f.field, Field::DeviceType | Field::Role)
            && let Some(kind) = kind_from_text(&f.value)
        {
            return Some(SuggestedKind {
                kind,
                reason: format!("{} `{}` ({}, frame {})", f.field.as_str(), f.value.trim(), f.protocol, f.frame),
            });
        }
    }
    let role_of = |protocol: &str| -> Vec<String> {
        device
            .facts
            .iter()
            .filter(|f| f.protocol == protocol && f.field == Field::Role)
            .map(|f| crate::text::normalize_name(&f.value))
            .collect()
    };
    let speaks = |protocol: &str| device.facts.iter().any(|f| f.protocol == protocol);
    let suggestion = |kind: AssetKind, reason: &str| Some(SuggestedKind { kind, reason: reason.to_string() });
    let identity_fields = |protocol: &str| {
        device.facts.iter().any(|f| {
            f.protocol == protocol
                && matches!(
                    f.field,
                    Field::VendorName
                        | Field::ProductName
                        | Field::ProductCode
                        | Field::SerialNumber
                        | Field::OrderNumber
                )
        })
    };
    let roles = role_of("modbus");
    if identity_fields("modbus") || roles.iter().any(|r| r.contains("server") || r.contains("slave")) {
        return suggestion(AssetKind::Plc, "Modbus server (answers device identification)");
    }
    if identity_fields("enip") {
        return suggestion(AssetKind::Plc, "EtherNet/IP identity (ListIdentity answer)");
    }
    if speaks("s7comm") && (identity_fields("s7comm") || role_of("s7comm").iter().any(|r| r.contains("server"))) {
        return suggestion(AssetKind::Plc, "S7comm server (SZL identification)");
    }
    let dcp = role_of("pn-dcp");
    if speaks("pn-dcp") && (dcp.is_empty() || dcp.iter().any(|r| r.contains("device") || r.contains("controller"))) {
        return suggestion(AssetKind::Plc, "PROFINET DCP device");
    }
    for p in ["dnp3", "iec104"] {
        let roles = role_of(p);
        if roles.iter().any(|r| r.contains("outstation") || r.contains("controlled") || r.contains("slave")) {
            return suggestion(AssetKind::Plc, &format!("{p} outstation"));
        }
        if roles.iter().any(|r| r.contains("master") || r.contains("controlling")) {
            return suggestion(AssetKind::ScadaServer, &format!("{p} master"));
        }
    }
    if role_of("opcua").iter().any(|r| r.contains("server")) {
        return suggestion(AssetKind::ScadaServer, "OPC UA server");
    }
    if speaks("bacnet") {
        return suggestion(AssetKind::IotDevice, "BACnet device");
    }
    if role_of("mqtt").iter().any(|r| r.contains("client")) || device.facts.iter().any(|f| f.field == Field::ClientId) {
        return suggestion(AssetKind::IotDevice, "MQTT client");
    }
    for f in &device.facts {
        if matches!(f.protocol.as_str(), "lldp" | "snmp")
            && matches!(f.field, Field::Description | Field::Name)
            && kind_from_text(&f.value) == Some(AssetKind::NetworkDevice)
        {
            return suggestion(AssetKind::NetworkDevice, &format!("{} description names a network device", f.protocol));
        }
    }
    None
}
