//! Renderings of a [`Discovery`]: a text table (devices, then the communication matrix, then the counts), JSON
//! in our own shape, CSV (devices, or flows), and a CycloneDX 1.6 document with one `device` component per
//! device (a hardware inventory; the caller validates it against the official schema).
//!
//! The JSON shape (`cpsf-pcap-discovery`, version 1):
//!
//! ```text
//! { "format": "cpsf-pcap-discovery", "version": 1,
//!   "files":    [ { "path", "format": "pcap"|"pcapng"|null, "packets", "bytes", "first", "last", "error" } ],
//!   "devices":  [ { "ips": [..], "macs": [..], "mac_vendor", "vlans": [..], "first_seen", "last_seen",
//!                   "protocols": [ { "protocol", "client", "server" } ],
//!                   "identity": { "<field>": [ { "value", "count", "protocols": [..],
//!                                                "evidence": [ { "file", "frame" } ] } ] } } ],
//!   "flows":    [ { "src": { "ip", "mac" }, "dst": { "ip", "mac" }, "vlan", "transport", "protocol", "port",
//!                   "packets": [src→dst, dst→src], "bytes": [..], "first", "last" } ],
//!   "counters": { "packets", "bytes", "malformed": { layer: n }, "malformed_messages": { protocol: n },
//!                 "skipped_link_types": { "N": n }, "ip_fragments", "tcp": { .. }, "observations",
//!                 "files_with_errors" },
//!   "warnings": [..] }
//! ```
//!
//! Times are RFC 3339 in UTC with microseconds; fields are named as [`Field::as_str`] says; identity values are
//! most frequent first.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::discover::{Device, Discovery, Evidence};
use crate::model::{DeviceKey, Field, Micros};

/// A capture time as RFC 3339 (UTC, microseconds).
pub fn time(ts: Micros) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ts) * 1000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
    t.format(&format).unwrap_or_default()
}

/// The headline facts of a device, each from the first field that has a value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub vendor: Option<String>,
    pub model: Option<String>,
    pub firmware: Option<String>,
    pub serial: Option<String>,
    pub name: Option<String>,
}

fn first_of(device: &Device, fields: &[Field]) -> Option<String> {
    fields.iter().find_map(|f| device.best(*f)).map(str::to_string)
}

/// The vendor (as the device states it), model, firmware, serial number and name of a device.
pub fn summary(device: &Device) -> Summary {
    Summary {
        vendor: first_of(device, &[Field::VendorName]),
        model: first_of(device, &[Field::ModelName, Field::ProductName, Field::OrderNumber, Field::ProductCode]),
        firmware: first_of(device, &[Field::FirmwareVersion, Field::SoftwareVersion, Field::Revision]),
        serial: first_of(device, &[Field::SerialNumber]),
        name: first_of(device, &[Field::Name, Field::Hostname, Field::ClientId]),
    }
}

fn protocols(device: &Device) -> String {
    device
        .protocols
        .iter()
        .map(|p| match (p.client, p.server) {
            (true, true) => format!("{} (client, server)", p.protocol),
            (false, true) => format!("{} (server)", p.protocol),
            _ => p.protocol.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn key_text(k: &DeviceKey) -> String {
    match (k.ip, k.mac) {
        (Some(ip), Some(mac)) => format!("{ip} ({mac})"),
        (Some(ip), None) => ip.to_string(),
        (None, Some(mac)) => mac.to_string(),
        (None, None) => "-".to_string(),
    }
}

fn join<T: ToString>(items: &[T]) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ")
}

/// Rows as aligned columns.
fn columns(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |out: &mut String, cells: &mut dyn Iterator<Item = &str>| {
        let mut text = String::new();
        for (i, (c, w)) in cells.zip(&widths).enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            text.push_str(c);
            for _ in c.chars().count()..*w {
                text.push(' ');
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(out, &mut header.iter().copied());
    for r in rows {
        line(out, &mut r.iter().map(String::as_str));
    }
}

/// The text report: devices, the matrix (unless `flows` is false), then counts and warnings.
pub fn table(d: &Discovery, flows: bool) -> String {
    let mut out = String::new();
    let dash = |v: Option<String>| v.unwrap_or_else(|| "-".to_string());
    let _ = writeln!(out, "Devices ({})", d.devices.len());
    let rows: Vec<Vec<String>> = d
        .devices
        .iter()
        .map(|dev| {
            let s = summary(dev);
            vec![
                if dev.ips.is_empty() { "-".to_string() } else { join(&dev.ips) },
                if dev.macs.is_empty() { "-".to_string() } else { join(&dev.macs) },
                dash(s.vendor.or_else(|| dev.mac_vendor.as_ref().map(|v| format!("{v} (by MAC)")))),
                dash(s.model),
                dash(s.firmware),
                dash(s.serial),
                dash(s.name),
                protocols(dev),
            ]
        })
        .collect();
    columns(&mut out, &["IP", "MAC", "VENDOR", "MODEL", "FIRMWARE", "SERIAL", "NAME", "PROTOCOLS"], &rows);
    if flows {
        let _ = writeln!(out, "\nCommunication matrix ({} flows)", d.flows.len());
        let rows: Vec<Vec<String>> = d
            .flows
            .iter()
            .map(|f| {
                vec![
                    key_text(&f.src),
                    key_text(&f.dst),
                    f.vlan.map_or_else(|| "-".to_string(), |v| v.to_string()),
                    f.protocol.clone(),
                    format!("{}/{}", f.packets[0], f.packets[1]),
                    format!("{}/{}", f.bytes[0], f.bytes[1]),
                    time(f.first),
                    time(f.last),
                ]
            })
            .collect();
        columns(
            &mut out,
            &["SOURCE", "DESTINATION", "VLAN", "PROTOCOL", "PACKETS →/←", "BYTES →/←", "FIRST", "LAST"],
            &rows,
        );
    }
    let c = &d.counters;
    let _ = writeln!(
        out,
        "\n{} packets, {} bytes in {} files; {} identity messages; TCP: {} messages reassembled, {} retransmissions, {} out of order, {} gaps",
        c.packets,
        c.bytes,
        d.files.len(),
        c.observations,
        c.tcp.messages,
        c.tcp.retransmissions,
        c.tcp.out_of_order,
        c.tcp.gaps
    );
    if !c.malformed.is_empty() {
        let parts: Vec<String> = c.malformed.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let _ = writeln!(out, "malformed packets by layer: {}", parts.join(", "));
    }
    if !c.malformed_messages.is_empty() {
        let parts: Vec<String> = c.malformed_messages.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let _ = writeln!(out, "malformed messages by protocol: {}", parts.join(", "));
    }
    out
}

fn evidence_json(d: &Discovery, e: &Evidence) -> Value {
    json!({ "file": d.files.get(e.file).map(|f| f.path.as_str()), "frame": e.frame })
}

fn key_json(k: &DeviceKey) -> Value {
    json!({ "ip": k.ip.map(|i| i.to_string()), "mac": k.mac.map(|m| m.to_string()) })
}

/// The JSON document (shape in the module documentation).
pub fn json(d: &Discovery) -> Value {
    let devices: Vec<Value> = d
        .devices
        .iter()
        .map(|dev| {
            let mut identity = serde_json::Map::new();
            for fact in &dev.identity {
                let values: Vec<Value> = fact
                    .values
                    .iter()
                    .map(|v| {
                        json!({
                            "value": v.value,
                            "count": v.count,
                            "protocols": v.protocols,
                            "evidence": v.evidence.iter().map(|e| evidence_json(d, e)).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                identity.insert(fact.field.as_str().to_string(), Value::Array(values));
            }
            json!({
                "ips": dev.ips.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "macs": dev.macs.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "mac_vendor": dev.mac_vendor,
                "vlans": dev.vlans,
                "first_seen": time(dev.first_seen),
                "last_seen": time(dev.last_seen),
                "protocols": dev.protocols.iter().map(|p| json!({ "protocol": p.protocol, "client": p.client, "server": p.server })).collect::<Vec<_>>(),
                "identity": identity,
            })
        })
        .collect();
    let flows: Vec<Value> = d
        .flows
        .iter()
        .map(|f| {
            json!({
                "src": key_json(&f.src),
                "dst": key_json(&f.dst),
                "vlan": f.vlan,
                "transport": f.transport,
                "protocol": f.protocol,
                "port": f.port,
                "packets": f.packets,
                "bytes": f.bytes,
                "first": time(f.first),
                "last": time(f.last),
            })
        })
        .collect();
    let files: Vec<Value> = d
        .files
        .iter()
        .map(|f| {
            json!({
                "path": f.path,
                "format": f.format,
                "packets": f.packets,
                "bytes": f.bytes,
                "first": f.first.map(time),
                "last": f.last.map(time),
                "error": f.error,
            })
        })
        .collect();
    json!({
        "format": "cpsf-pcap-discovery",
        "version": 1,
        "files": files,
        "devices": devices,
        "flows": flows,
        "counters": serde_json::to_value(&d.counters).unwrap_or(Value::Null),
        "warnings": d.warnings,
    })
}

/// A CSV field, quoted when it must be.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_line(out: &mut String, cells: &[String]) {
    let line: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

/// Devices as CSV: one row per device, several values of a cell separated by spaces (protocols by `;`).
pub fn csv_devices(d: &Discovery) -> String {
    let mut out = String::new();
    csv_line(
        &mut out,
        &[
            "ip",
            "mac",
            "mac_vendor",
            "vendor",
            "model",
            "firmware",
            "serial",
            "name",
            "protocols",
            "vlans",
            "first_seen",
            "last_seen",
        ]
        .map(String::from),
    );
    for dev in &d.devices {
        let s = summary(dev);
        csv_line(
            &mut out,
            &[
                join(&dev.ips),
                join(&dev.macs),
                dev.mac_vendor.clone().unwrap_or_default(),
                s.vendor.unwrap_or_default(),
                s.model.unwrap_or_default(),
                s.firmware.unwrap_or_default(),
                s.serial.unwrap_or_default(),
                s.name.unwrap_or_default(),
                dev.protocols.iter().map(|p| p.protocol.as_str()).collect::<Vec<_>>().join(";"),
                join(&dev.vlans),
                time(dev.first_seen),
                time(dev.last_seen),
            ],
        );
    }
    out
}

/// The communication matrix as CSV.
pub fn csv_flows(d: &Discovery) -> String {
    let mut out = String::new();
    csv_line(
        &mut out,
        &[
            "src_ip",
            "src_mac",
            "dst_ip",
            "dst_mac",
            "vlan",
            "transport",
            "protocol",
            "port",
            "packets_src_dst",
            "packets_dst_src",
            "bytes_src_dst",
            "bytes_dst_src",
            "first",
            "last",
        ]
        .map(String::from),
    );
    let opt = |v: Option<String>| v.unwrap_or_default();
    for f in &d.flows {
        let transport = match f.transport {
            crate::model::Transport::Tcp => "tcp",
            crate::model::Transport::Udp => "udp",
            crate::model::Transport::Ethernet => "ethernet",
            crate::model::Transport::Ip => "ip",
        };
        csv_line(
            &mut out,
            &[
                opt(f.src.ip.map(|i| i.to_string())),
                opt(f.src.mac.map(|m| m.to_string())),
                opt(f.dst.ip.map(|i| i.to_string())),
                opt(f.dst.mac.map(|m| m.to_string())),
                opt(f.vlan.map(|v| v.to_string())),
                transport.to_string(),
                f.protocol.clone(),
                f.port.to_string(),
                f.packets[0].to_string(),
                f.packets[1].to_string(),
                f.bytes[0].to_string(),
                f.bytes[1].to_string(),
                time(f.first),
                time(f.last),
            ],
        );
    }
    out
}

/// Document-level values of a CycloneDX rendering that the caller decides.
#[derive(Clone, Debug, Default)]
pub struct BomMeta {
    /// `urn:uuid:...`
    pub serial_number: Option<String>,
    /// RFC 3339.
    pub timestamp: Option<String>,
    pub tool_version: String,
}

/// At most this many evidence frames per device go into a CycloneDX component.
const MAX_BOM_EVIDENCE: usize = 16;

/// A CycloneDX 1.6 document: one `device` component per device.
pub fn cyclonedx(d: &Discovery, meta: &BomMeta) -> Value {
    let components: Vec<Value> = d
        .devices
        .iter()
        .enumerate()
        .map(|(i, dev)| {
            let s = summary(dev);
            let key = dev.key();
            let name = s.model.clone().or_else(|| s.name.clone()).unwrap_or_else(|| {
                key.ip.map(|ip| ip.to_string()).or(key.mac.map(|m| m.to_string())).unwrap_or_default()
            });
            let mut props: Vec<Value> = Vec::new();
            let mut prop = |name: &str, value: String| {
                if !value.is_empty() {
                    props.push(json!({ "name": name, "value": value }));
                }
            };
            for ip in &dev.ips {
                prop("cpsf:ip", ip.to_string());
            }
            for mac in &dev.macs {
                prop("cpsf:mac", mac.to_string());
            }
            if let Some(v) = &dev.mac_vendor {
                prop("cpsf:mac-vendor", v.clone());
            }
            for v in &dev.vlans {
                prop("cpsf:vlan", v.to_string());
            }
            if let Some(serial) = &s.serial {
                prop("cpsf:serial-number", serial.clone());
            }
            if let Some(n) = &s.name {
                prop("cpsf:device-name", n.clone());
            }
            prop("cpsf:protocols", dev.protocols.iter().map(|p| p.protocol.as_str()).collect::<Vec<_>>().join(","));
            prop("cpsf:first-seen", time(dev.first_seen));
            prop("cpsf:last-seen", time(dev.last_seen));
            let mut evidence = Vec::new();
            for fact in &dev.identity {
                for v in &fact.values {
                    prop(&format!("cpsf:identity:{}", fact.field.as_str()), v.value.clone());
                    for e in &v.evidence {
                        let file = d.files.get(e.file).map_or("", |f| f.path.as_str());
                        let text = format!("{file}#{} ({})", e.frame, v.protocols.join(","));
                        if evidence.len() < MAX_BOM_EVIDENCE && !evidence.contains(&text) {
                            evidence.push(text);
                        }
                    }
                }
            }
            for e in evidence {
                prop("cpsf:evidence", e);
            }
            let mut c = serde_json::Map::new();
            c.insert("type".into(), json!("device"));
            c.insert("bom-ref".into(), json!(format!("device-{}", i + 1)));
            if let Some(v) = &s.vendor {
                c.insert("manufacturer".into(), json!({ "name": v }));
            }
            c.insert("name".into(), json!(name));
            if let Some(fw) = &s.firmware {
                c.insert("version".into(), json!(fw));
            }
            c.insert("properties".into(), Value::Array(props));
            Value::Object(c)
        })
        .collect();
    let mut doc = serde_json::Map::new();
    doc.insert("bomFormat".into(), json!("CycloneDX"));
    doc.insert("specVersion".into(), json!("1.6"));
    if let Some(s) = &meta.serial_number {
        doc.insert("serialNumber".into(), json!(s));
    }
    doc.insert("version".into(), json!(1));
    let mut metadata = serde_json::Map::new();
    if let Some(t) = &meta.timestamp {
        metadata.insert("timestamp".into(), json!(t));
    }
    metadata.insert(
        "tools".into(),
        json!({ "components": [ { "type": "application", "name": "cpsf", "version": meta.tool_version } ] }),
    );
    metadata.insert(
        "properties".into(),
        json!(d.files.iter().map(|f| json!({ "name": "cpsf:capture", "value": f.path })).collect::<Vec<_>>()),
    );
    doc.insert("metadata".into(), Value::Object(metadata));
    doc.insert("components".into(), Value::Array(components));
    Value::Object(doc)
}
