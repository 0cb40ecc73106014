//! The demo plant `cpsf demo` loads (and the server's tests reuse): one site with four zones on Purdue levels,
//! conduits with their allowed protocols, twelve assets of invented vendors, a capture written by cpsf-pcap's own
//! writer (Modbus/TCP device identification, EtherNet/IP ListIdentity, S7 SZL, PROFINET DCP, LLDP, ARP, MQTT,
//! OPC UA), two SBOMs and an advisory database with invented records, a CSAF advisory, IoT-SSF subjects and a
//! `meti-factory-1.0` assessment.
//!
//! Every name is invented (vendors "Example Automation", "Sample Controls", ...; CVE-2099-* ids; the publisher
//! `example.invalid`). The capture holds, on purpose: a sensor in the cell zone talking MQTT to the historian in
//! the DMZ (no conduit joins them: a violation), a laptop no asset accounts for (an unknown device), and the HMI
//! talking OPC UA, which neither it nor its zone declares (a new protocol). Its identity messages disagree with
//! the inventory in places (the EtherNet/IP serial number of the welding PLC), so the review shows conflicts.

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use cpsf_assess::{Assessment, Scope, ScopeKind};
use cpsf_ot::asset::Day;
use cpsf_ot::model::Plant;
use cpsf_pcap::model::Mac;
use cpsf_pcap::write::{ByteOrder, PcapngWriter, frame};
use cpsf_store::{NewAssessment, NewSbom, Store};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::error::ApiError;
use crate::ot_api;

/// The demo's site.
pub const SITE: &str = "example-works";
/// The capture's file name.
pub const CAPTURE_NAME: &str = "line1-demo.pcapng";
/// The catalog of the demo assessment.
pub const CATALOG: &str = "meti-factory-1.0";

/// The demo plant as YAML (format `cpsf-plant/1`), its assets declared on `day`.
pub fn plant_yaml(day: Day) -> String {
    PLANT.replace("DAY", &day.to_string())
}

/// The demo plant, read and checked as any plant file is.
pub fn plant(day: Day) -> Result<Plant, ApiError> {
    ot_api::parse_plant("demo plant", &plant_yaml(day))
        .map_err(|e| ApiError::Internal(format!("the demo plant is not valid: {}", e.message)))
}

const PLANT: &str = r#"format: cpsf-plant/1
name: Example Works, press line 1
description: An invented plant for the cpsf hands-on exercise.
operations:
  - {id: op-press, name: Stamping on press line 1, importance: 3, zones: [cell, control]}
  - {id: op-monitoring, name: Production monitoring and reporting, importance: 2, zones: [dmz, enterprise]}
zones:
  - id: enterprise
    name: Enterprise network
    purdue_level: "4"
    sl_target: {iac: 1, uc: 1, si: 1, dc: 1, rdf: 1, tre: 1, ra: 1}
  - id: dmz
    name: Industrial DMZ
    purdue_level: "3.5"
    sl_target: {iac: 2, uc: 2, si: 2, dc: 2, rdf: 2, tre: 2, ra: 2}
    sl_achieved: {iac: 2, uc: 2, si: 2, dc: 2, rdf: 2, tre: 1, ra: 2}
  - id: control
    name: Control network
    purdue_level: "2"
    sl_target: {iac: 2, uc: 2, si: 2, dc: 1, rdf: 2, tre: 1, ra: 2}
    sl_achieved: {iac: 1, uc: 1, si: 2, dc: 1, rdf: 1, tre: 1, ra: 2}
  - id: cell
    name: Cell zone, press line 1
    purdue_level: "1"
    sl_target: {iac: 2, uc: 2, si: 2, dc: 1, rdf: 2, tre: 1, ra: 3}
conduits:
  - id: c-enterprise-dmz
    name: Reports from the historian
    zones: [enterprise, dmz]
    direction: a-to-b
    allow: [{ports: [443], transport: tcp}]
  - id: c-dmz-control
    name: Historian collects from SCADA
    zones: [dmz, control]
    direction: a-to-b
    allow: [{protocol: opcua, ports: [4840]}]
  - id: c-control-cell
    name: Supervision and engineering of the cell
    zones: [control, cell]
    direction: a-to-b
    allow: [{protocol: modbus, ports: [502]}, {protocol: enip, ports: [44818]}, {protocol: s7comm, ports: [102]}]
threats:
  - {id: t-rogue-device, title: A device brought into the cell network, zones: [cell]}
  - {id: t-plc-firmware, title: A known flaw in the PLC firmware is exploited, assets: [plc-press]}
damage_scenarios:
  - id: d-press-stops
    title: The press stops or moves unexpectedly
    importance: 3
    assets: [plc-press, hmi-line1]
    operations: [op-press]
    threats: [t-plc-firmware, t-rogue-device]
measures:
  - {id: m-firmware, title: Update the press PLC firmware to 2.5.0, kind: system-configuration, catalog_entry: meti-factory-1.0:measures-system, status: planned, assets: [plc-press], threats: [t-plc-firmware]}
  - {id: m-ports, title: Lock unused switch ports in the cell cabinet, kind: physical, catalog_entry: measures-physical, status: in-progress, zones: [cell], threats: [t-rogue-device]}
  - {id: m-rules, title: Rules for bringing devices into the plant, kind: organizational, catalog_entry: measures-organisational, status: done}
assets:
  - {id: plc-press, name: Press PLC, kind: plc, vendor: Example Automation, model: EA-5100, product_code: EA5100-CPU, serial: EA51-000123, firmware: 2.4.1, ips: [10.20.1.10], macs: ["02:ea:00:01:00:10"], protocols: [modbus], zone: cell, purdue_level: "1", importance: 3, location: {site: Example Works, line: Press line 1}, source: {kind: declared, at: DAY}}
  - {id: plc-weld, name: Welding PLC, kind: plc, vendor: Sample Controls, model: SC-Logix 300, product_code: "300", serial: SCL300-4711, firmware: "5.02", ips: [10.20.1.11], macs: ["02:5c:00:01:00:11"], protocols: [enip], zone: cell, purdue_level: "1", importance: 2, source: {kind: declared, at: DAY}}
  - {id: plc-pack, name: Packing PLC, kind: plc, vendor: Demo Industrie, model: DI-310, product_code: DI 310-2AB00-0AB0, firmware: V3.2.8, ips: [10.20.1.12], macs: ["02:d1:00:01:00:12"], protocols: [s7comm, pn-dcp], zone: cell, purdue_level: "1", importance: 2, source: {kind: declared, at: DAY}}
  - {id: robot-1, name: Handling robot, kind: robot, vendor: Sample Robotics, model: SR-6 Arm, firmware: 1.8.0, ips: [10.20.1.20], macs: ["02:5b:00:01:00:20"], protocols: [pn-dcp], zone: cell, purdue_level: "1", importance: 2, source: {kind: declared, at: DAY}}
  - {id: drive-1, name: Press main drive, kind: drive, vendor: Example Automation, model: EA-Drive 22, firmware: "1.03", ips: [10.20.1.21], macs: ["02:ea:00:01:00:21"], protocols: [enip], zone: cell, purdue_level: "0", importance: 2, source: {kind: declared, at: DAY}}
  - {id: switch-cell, name: Cell switch, kind: network-device, vendor: Example Networks, model: EN-IES 8T, firmware: 4.1.2, ips: [10.20.1.2], macs: ["02:e0:00:01:00:02"], protocols: [lldp], zone: cell, purdue_level: "1", importance: 2, source: {kind: declared, at: DAY}}
  - {id: sensor-1, name: Vibration sensor, kind: sensor, vendor: Sample Sensing, model: SS-Vib 200, firmware: 0.9.4, ips: [10.20.1.40], macs: ["02:55:00:01:00:40"], protocols: [mqtt], zone: cell, purdue_level: "1", importance: 1, source: {kind: declared, at: DAY}}
  - {id: hmi-line1, name: Line 1 HMI, kind: hmi, vendor: Example Automation, model: EA-HMI 700, firmware: 3.0.0, ips: [10.20.2.20], macs: ["02:ea:00:02:00:20"], protocols: [modbus], zone: control, purdue_level: "2", importance: 3, sboms: [{product: hmi-runtime, version: 3.0.0}], source: {kind: declared, at: DAY}}
  - {id: scada-1, name: SCADA server, kind: scada-server, vendor: Example Automation, model: EA-SCADA Server, software: "7.1", ips: [10.20.2.10], macs: ["02:ea:00:02:00:10"], protocols: [opcua, modbus, enip], zone: control, purdue_level: "2", importance: 3, sboms: [{product: scada-server, version: 7.1.0}], source: {kind: declared, at: DAY}}
  - {id: ews-1, name: Engineering workstation, kind: engineering-workstation, vendor: Example Computers, model: EC Workstation 5, firmware: 1.12.0, os: Windows 10 IoT Enterprise, ips: [10.20.2.30], macs: ["02:ec:00:02:00:30"], protocols: [s7comm], zone: control, purdue_level: "2", importance: 2, source: {kind: declared, at: DAY}}
  - {id: historian-1, name: Plant historian, kind: historian, vendor: Example Automation, model: EA-Historian, firmware: 5.0.2, software: "5.0", ips: [10.10.3.10], macs: ["02:ea:00:03:00:10"], protocols: [opcua, tcp/443], zone: dmz, purdue_level: "3.5", importance: 2, source: {kind: declared, at: DAY}}
  - {id: erp-1, name: Reporting server, kind: it-server, vendor: Example Computers, model: EC Server 2U, firmware: 2.3.1, ips: [10.10.1.10], macs: ["02:ec:00:04:00:10"], protocols: [tcp/443], zone: enterprise, purdue_level: "4", importance: 1, source: {kind: declared, at: DAY}}
iotssf:
  - id: sensor-1
    name: Vibration sensor of the press
    incidents:
      - {description: Vibration readings are falsified and bearing damage goes unnoticed, recovery: 2, economic: 2, assets: [sensor-1]}
  - id: plc-press
    name: Press PLC
    incidents:
      - {description: The press moves while an operator is at the die, recovery: 3, economic: 2, assets: [plc-press]}
      - {description: The line stops for a shift, recovery: 1, economic: 2, assets: [plc-press]}
"#;

// ---------------------------------------------------------------------------------------------------------------
// The capture

fn ip(a: u8, b: u8, c: u8, d: u8) -> Ipv4Addr {
    Ipv4Addr::new(a, b, c, d)
}

/// A host of the capture: its MAC and IPv4 address.
#[derive(Clone, Copy)]
struct Host {
    mac: Mac,
    ip: Ipv4Addr,
}

fn host(mac: [u8; 6], addr: Ipv4Addr) -> Host {
    Host { mac: Mac(mac), ip: addr }
}

/// Writes frames with advancing timestamps.
struct Writer {
    out: PcapngWriter<Vec<u8>>,
    ts: i64,
}

impl Writer {
    fn emit(&mut self, data: &[u8]) -> std::io::Result<()> {
        self.ts += 1_500;
        self.out.packet(0, self.ts, data)
    }
}

/// One TCP connection with its sequence numbers.
struct Tcp {
    client: Host,
    server: Host,
    cport: u16,
    sport: u16,
    cseq: u32,
    sseq: u32,
}

const SYN: u8 = 0x02;
const ACK: u8 = 0x10;
const PSH_ACK: u8 = 0x18;
const FIN_ACK: u8 = 0x11;

impl Tcp {
    fn new(client: Host, server: Host, cport: u16, sport: u16) -> Tcp {
        Tcp { client, server, cport, sport, cseq: 1_000, sseq: 50_000 }
    }

    fn send(&mut self, w: &mut Writer, from_client: bool, flags: u8, payload: &[u8]) -> std::io::Result<()> {
        let (a, b, ap, bp, seq, ack) = if from_client {
            (self.client, self.server, self.cport, self.sport, self.cseq, self.sseq)
        } else {
            (self.server, self.client, self.sport, self.cport, self.sseq, self.cseq)
        };
        let ack = if flags & ACK == 0 { 0 } else { ack };
        let segment = frame::tcp(IpAddr::V4(a.ip), IpAddr::V4(b.ip), ap, bp, seq, ack, flags, payload);
        w.emit(&frame::ethernet(b.mac, a.mac, &[], 0x0800, &frame::ipv4(a.ip, b.ip, 6, &segment)))?;
        let used = u32::try_from(payload.len()).unwrap_or(0) + u32::from(flags & 0x03 != 0);
        if from_client {
            self.cseq = self.cseq.wrapping_add(used);
        } else {
            self.sseq = self.sseq.wrapping_add(used);
        }
        Ok(())
    }

    fn open(&mut self, w: &mut Writer) -> std::io::Result<()> {
        self.send(w, true, SYN, &[])?;
        self.send(w, false, SYN | ACK, &[])?;
        self.send(w, true, ACK, &[])
    }

    /// A request and its answer.
    fn exchange(&mut self, w: &mut Writer, request: &[u8], answer: &[u8]) -> std::io::Result<()> {
        self.send(w, true, PSH_ACK, request)?;
        self.send(w, false, PSH_ACK, answer)?;
        self.send(w, true, ACK, &[])
    }

    fn close(&mut self, w: &mut Writer) -> std::io::Result<()> {
        self.send(w, true, FIN_ACK, &[])?;
        self.send(w, false, FIN_ACK, &[])?;
        self.send(w, true, ACK, &[])
    }
}

fn udp(w: &mut Writer, a: Host, b: Host, ap: u16, bp: u16, payload: &[u8]) -> std::io::Result<()> {
    let d = frame::udp(IpAddr::V4(a.ip), IpAddr::V4(b.ip), ap, bp, payload);
    w.emit(&frame::ethernet(b.mac, a.mac, &[], 0x0800, &frame::ipv4(a.ip, b.ip, 17, &d)))
}

fn be16(n: usize) -> [u8; 2] {
    u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes()
}

fn le16(n: usize) -> [u8; 2] {
    u16::try_from(n).unwrap_or(u16::MAX).to_le_bytes()
}

/// Modbus/TCP application header around a PDU.
fn mbap(tid: u16, unit: u8, pdu: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(7 + pdu.len());
    m.extend_from_slice(&tid.to_be_bytes());
    m.extend_from_slice(&[0, 0]);
    m.extend_from_slice(&be16(pdu.len() + 1));
    m.push(unit);
    m.extend_from_slice(pdu);
    m
}

/// Read Device Identification (function 43, MEI 14) answer with the basic and regular objects.
fn modbus_identity(objects: &[(u8, &str)]) -> Vec<u8> {
    let mut pdu = vec![0x2b, 0x0e, 0x02, 0x82, 0x00, 0x00, u8::try_from(objects.len()).unwrap_or(0)];
    for (id, value) in objects {
        pdu.push(*id);
        pdu.push(u8::try_from(value.len()).unwrap_or(0));
        pdu.extend_from_slice(value.as_bytes());
    }
    pdu
}

fn enip_header(command: u16, data: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(24 + data.len());
    m.extend_from_slice(&command.to_le_bytes());
    m.extend_from_slice(&le16(data.len()));
    m.extend_from_slice(&[0; 20]);
    m.extend_from_slice(data);
    m
}

/// EtherNet/IP ListIdentity answer with one CIP identity item.
fn enip_identity(
    addr: Ipv4Addr,
    vendor: u16,
    device_type: u16,
    product: u16,
    rev: (u8, u8),
    serial: u32,
    name: &str,
) -> Vec<u8> {
    let mut item = Vec::new();
    item.extend_from_slice(&1u16.to_le_bytes());
    item.extend_from_slice(&2u16.to_be_bytes());
    item.extend_from_slice(&44818u16.to_be_bytes());
    item.extend_from_slice(&addr.octets());
    item.extend_from_slice(&[0; 8]);
    item.extend_from_slice(&vendor.to_le_bytes());
    item.extend_from_slice(&device_type.to_le_bytes());
    item.extend_from_slice(&product.to_le_bytes());
    item.extend_from_slice(&[rev.0, rev.1]);
    item.extend_from_slice(&0x0030u16.to_le_bytes());
    item.extend_from_slice(&serial.to_le_bytes());
    item.push(u8::try_from(name.len()).unwrap_or(0));
    item.extend_from_slice(name.as_bytes());
    item.push(3);
    let mut data = Vec::new();
    data.extend_from_slice(&1u16.to_le_bytes());
    data.extend_from_slice(&0x000cu16.to_le_bytes());
    data.extend_from_slice(&le16(item.len()));
    data.extend_from_slice(&item);
    enip_header(0x0063, &data)
}

/// TPKT and COTP data around an S7 PDU.
fn tpkt(s7: &[u8]) -> Vec<u8> {
    let mut m = vec![3, 0];
    m.extend_from_slice(&be16(7 + s7.len()));
    m.extend_from_slice(&[2, 0xf0, 0x80]);
    m.extend_from_slice(s7);
    m
}

fn s7_userdata(pdu_ref: u16, params: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = vec![0x32, 0x07, 0, 0];
    m.extend_from_slice(&pdu_ref.to_be_bytes());
    m.extend_from_slice(&be16(params.len()));
    m.extend_from_slice(&be16(data.len()));
    m.extend_from_slice(params);
    m.extend_from_slice(data);
    m
}

/// Read-SZL request for SZL 0x0011 (module identification).
fn szl_request(pdu_ref: u16) -> Vec<u8> {
    let params = [0x00, 0x01, 0x12, 0x04, 0x11, 0x44, 0x01, 0x00];
    let data = [0xff, 0x09, 0x00, 0x04, 0x00, 0x11, 0x00, 0x00];
    tpkt(&s7_userdata(pdu_ref, &params, &data))
}

/// Read-SZL answer: SZL 0x0011 with the module record (order number, hardware version) and the firmware record.
fn szl_response(pdu_ref: u16, order: &str, hardware: (u8, u8), firmware: (u8, u8, u8)) -> Vec<u8> {
    let params = [0x00, 0x01, 0x12, 0x08, 0x12, 0x84, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00];
    let record = |index: u16, text: &str, ausbg: [u8; 2], ausbe: [u8; 2]| {
        let mut r = Vec::with_capacity(28);
        r.extend_from_slice(&index.to_be_bytes());
        let mut mlfb = text.as_bytes().to_vec();
        mlfb.resize(20, b' ');
        r.extend_from_slice(&mlfb);
        r.extend_from_slice(&0u16.to_be_bytes());
        r.extend_from_slice(&ausbg);
        r.extend_from_slice(&ausbe);
        r
    };
    let mut szl = Vec::new();
    szl.extend_from_slice(&0x0011u16.to_be_bytes());
    szl.extend_from_slice(&0u16.to_be_bytes());
    szl.extend_from_slice(&28u16.to_be_bytes());
    szl.extend_from_slice(&2u16.to_be_bytes());
    szl.extend(record(1, order, [0x00, hardware.0], [0x00, hardware.1]));
    szl.extend(record(7, "", [0x56, firmware.0], [firmware.1, firmware.2]));
    let mut data = vec![0xff, 0x09];
    data.extend_from_slice(&be16(szl.len()));
    data.extend_from_slice(&szl);
    tpkt(&s7_userdata(pdu_ref, &params, &data))
}

fn dcp_block(option: u8, sub: u8, data: &[u8]) -> Vec<u8> {
    let mut b = vec![option, sub];
    b.extend_from_slice(&be16(data.len() + 2));
    b.extend_from_slice(&[0, 0]);
    b.extend_from_slice(data);
    if b.len() % 2 == 1 {
        b.push(0);
    }
    b
}

/// PROFINET DCP Identify answer.
fn dcp_identify(xid: u32, station_type: &str, name: &str, vendor: u16, device: u16, addr: Ipv4Addr) -> Vec<u8> {
    let mut blocks = Vec::new();
    blocks.extend(dcp_block(2, 1, station_type.as_bytes()));
    blocks.extend(dcp_block(2, 2, name.as_bytes()));
    blocks.extend(dcp_block(2, 3, &[vendor.to_be_bytes(), device.to_be_bytes()].concat()));
    blocks.extend(dcp_block(2, 4, &[0x01, 0x00]));
    blocks.extend(dcp_block(1, 2, &[addr.octets(), [255, 255, 255, 0], [0, 0, 0, 0]].concat()));
    let mut m = vec![0xfe, 0xff, 0x05, 0x01];
    m.extend_from_slice(&xid.to_be_bytes());
    m.extend_from_slice(&[0, 0]);
    m.extend_from_slice(&be16(blocks.len()));
    m.extend_from_slice(&blocks);
    m
}

/// PROFINET DCP Identify-all request.
fn dcp_identify_request(xid: u32) -> Vec<u8> {
    let mut m = vec![0xfe, 0xfe, 0x05, 0x00];
    m.extend_from_slice(&xid.to_be_bytes());
    m.extend_from_slice(&[0x00, 0x80, 0x00, 0x04, 0xff, 0xff, 0x00, 0x00]);
    m
}

fn lldp_tlv(kind: u8, value: &[u8]) -> Vec<u8> {
    let header = (u16::from(kind) << 9) | u16::try_from(value.len()).unwrap_or(0);
    [&header.to_be_bytes()[..], value].concat()
}

fn lldp(chassis: Mac, port: &str, name: &str, description: &str, management: Ipv4Addr) -> Vec<u8> {
    let mut m = Vec::new();
    m.extend(lldp_tlv(1, &[&[4u8][..], &chassis.0].concat()));
    m.extend(lldp_tlv(2, &[&[7u8][..], port.as_bytes()].concat()));
    m.extend(lldp_tlv(3, &120u16.to_be_bytes()));
    m.extend(lldp_tlv(5, name.as_bytes()));
    m.extend(lldp_tlv(6, description.as_bytes()));
    m.extend(lldp_tlv(8, &[&[5u8, 1][..], &management.octets(), &[2, 0, 0, 0, 1, 0]].concat()));
    m.extend(lldp_tlv(0, &[]));
    m
}

fn arp(op: u16, sender: Host, target_mac: Mac, target_ip: Ipv4Addr) -> Vec<u8> {
    let mut m = vec![0, 1, 8, 0, 6, 4];
    m.extend_from_slice(&op.to_be_bytes());
    m.extend_from_slice(&sender.mac.0);
    m.extend_from_slice(&sender.ip.octets());
    m.extend_from_slice(&target_mac.0);
    m.extend_from_slice(&target_ip.octets());
    m
}

fn mqtt_connect(client_id: &str) -> Vec<u8> {
    let mut body = vec![0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, 0x02, 0x00, 0x3c];
    body.extend_from_slice(&be16(client_id.len()));
    body.extend_from_slice(client_id.as_bytes());
    let mut m = vec![0x10, u8::try_from(body.len()).unwrap_or(0)];
    m.extend(body);
    m
}

fn opcua_hello(url: &str) -> Vec<u8> {
    let mut body = Vec::new();
    for v in [0u32, 65_536, 65_536, 0, 0] {
        body.extend_from_slice(&v.to_le_bytes());
    }
    body.extend_from_slice(&u32::try_from(url.len()).unwrap_or(0).to_le_bytes());
    body.extend_from_slice(url.as_bytes());
    let mut m = b"HELF".to_vec();
    m.extend_from_slice(&u32::try_from(8 + body.len()).unwrap_or(0).to_le_bytes());
    m.extend(body);
    m
}

fn opcua_ack() -> Vec<u8> {
    let mut m = b"ACKF".to_vec();
    m.extend_from_slice(&28u32.to_le_bytes());
    for v in [0u32, 65_536, 65_536, 0, 0] {
        m.extend_from_slice(&v.to_le_bytes());
    }
    m
}

/// The demo capture (pcapng), its packets starting at `start` (microseconds since the epoch).
pub fn capture(start: i64) -> Result<Vec<u8>, ApiError> {
    write_capture(start).map_err(|e| ApiError::Internal(format!("writing the demo capture: {e}")))
}

fn write_capture(start: i64) -> std::io::Result<Vec<u8>> {
    let mut out = PcapngWriter::new(Vec::new(), ByteOrder::Little)?;
    out.interface(1, None)?;
    let mut w = Writer { out, ts: start };
    let plc_press = host([0x02, 0xea, 0, 1, 0, 0x10], ip(10, 20, 1, 10));
    let plc_weld = host([0x02, 0x5c, 0, 1, 0, 0x11], ip(10, 20, 1, 11));
    let plc_pack = host([0x02, 0xd1, 0, 1, 0, 0x12], ip(10, 20, 1, 12));
    let robot = host([0x02, 0x5b, 0, 1, 0, 0x20], ip(10, 20, 1, 20));
    let drive = host([0x02, 0xea, 0, 1, 0, 0x21], ip(10, 20, 1, 21));
    let switch = host([0x02, 0xe0, 0, 1, 0, 0x02], ip(10, 20, 1, 2));
    let sensor = host([0x02, 0x55, 0, 1, 0, 0x40], ip(10, 20, 1, 40));
    let hmi = host([0x02, 0xea, 0, 2, 0, 0x20], ip(10, 20, 2, 20));
    let scada = host([0x02, 0xea, 0, 2, 0, 0x10], ip(10, 20, 2, 10));
    let ews = host([0x02, 0xec, 0, 2, 0, 0x30], ip(10, 20, 2, 30));
    let historian = host([0x02, 0xea, 0, 3, 0, 0x10], ip(10, 10, 3, 10));
    let erp = host([0x02, 0xec, 0, 4, 0, 0x10], ip(10, 10, 1, 10));
    let laptop = host([0x02, 0x99, 0, 0, 0, 0x99], ip(10, 20, 1, 99));
    let broadcast = Mac([0xff; 6]);

    // ARP in the cell: the press PLC answers the switch.
    w.emit(&frame::ethernet(broadcast, switch.mac, &[], 0x0806, &arp(1, switch, Mac([0; 6]), plc_press.ip)))?;
    w.emit(&frame::ethernet(switch.mac, plc_press.mac, &[], 0x0806, &arp(2, plc_press, switch.mac, switch.ip)))?;

    // LLDP from the cell switch.
    let lldp_dst = Mac([0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e]);
    let lldp_frame = lldp(switch.mac, "port-1", "sw-cell-1", "Example Networks EN-IES 8T 4.1.2", switch.ip);
    w.emit(&frame::ethernet(lldp_dst, switch.mac, &[], 0x88cc, &lldp_frame))?;

    // The HMI polls the press PLC over Modbus/TCP and asks for its identity once (control → cell: allowed).
    let mut modbus = Tcp::new(hmi, plc_press, 49_152, 502);
    modbus.open(&mut w)?;
    for tid in 1..=3u16 {
        let mut answer = vec![0x03, 4];
        answer.extend_from_slice(&[0x00, 0x2a, 0x01, 0x00]);
        modbus.exchange(&mut w, &mbap(tid, 1, &[0x03, 0x00, 0x00, 0x00, 0x02]), &mbap(tid, 1, &answer))?;
    }
    let identity =
        modbus_identity(&[(0, "Example Automation"), (1, "EA5100-CPU"), (2, "2.4.1"), (4, "EA-5100"), (5, "EA-5100")]);
    modbus.exchange(&mut w, &mbap(4, 1, &[0x2b, 0x0e, 0x02, 0x00]), &mbap(4, 1, &identity))?;
    modbus.close(&mut w)?;

    // The SCADA server asks the welding PLC and the drive for their EtherNet/IP identity (control → cell and
    // inside the cell from the welding PLC).
    let request = enip_header(0x0063, &[]);
    udp(&mut w, scada, plc_weld, 50_000, 44818, &request)?;
    udp(
        &mut w,
        plc_weld,
        scada,
        44818,
        50_000,
        &enip_identity(plc_weld.ip, 0x7ab1, 0x0e, 300, (5, 2), 0x0000_4712, "SC-Logix 300"),
    )?;
    udp(&mut w, plc_weld, drive, 50_001, 44818, &request)?;
    udp(
        &mut w,
        drive,
        plc_weld,
        44818,
        50_001,
        &enip_identity(drive.ip, 0x7ab0, 0x02, 22, (1, 3), 0x0022_0001, "EA-Drive 22"),
    )?;

    // The engineering workstation reads the packing PLC's module identification over S7comm.
    let mut s7 = Tcp::new(ews, plc_pack, 50_102, 102);
    s7.open(&mut w)?;
    s7.exchange(&mut w, &szl_request(1), &szl_response(1, "DI 310-2AB00-0AB0", (3, 0), (3, 2, 8)))?;
    s7.close(&mut w)?;

    // The packing PLC identifies PROFINET devices in the cell: the robot answers.
    let dcp_multicast = Mac([0x01, 0x0e, 0xcf, 0x00, 0x00, 0x00]);
    w.emit(&frame::ethernet(dcp_multicast, plc_pack.mac, &[], 0x8892, &dcp_identify_request(0x0000_1001)))?;
    let answer = dcp_identify(0x0000_1001, "SR-6 Arm", "robot-1", 0x0abc, 0x0006, robot.ip);
    w.emit(&frame::ethernet(plc_pack.mac, robot.mac, &[], 0x8892, &answer))?;

    // The historian (DMZ) collects from the SCADA server over OPC UA (allowed), and the reporting server
    // (enterprise) fetches a report from the historian over HTTPS (allowed).
    let mut opcua = Tcp::new(historian, scada, 51_000, 4840);
    opcua.open(&mut w)?;
    opcua.exchange(&mut w, &opcua_hello("opc.tcp://10.20.2.10:4840"), &opcua_ack())?;
    opcua.close(&mut w)?;
    let mut https = Tcp::new(erp, historian, 52_000, 443);
    https.open(&mut w)?;
    https.exchange(&mut w, &[0x17, 0x03, 0x03, 0x00, 0x04, 1, 2, 3, 4], &[0x17, 0x03, 0x03, 0x00, 0x04, 5, 6, 7, 8])?;
    https.close(&mut w)?;

    // A new protocol: the HMI talks OPC UA to the SCADA server (inside the control zone), which the inventory
    // does not declare for the HMI.
    let mut hmi_opcua = Tcp::new(hmi, scada, 49_200, 4840);
    hmi_opcua.open(&mut w)?;
    hmi_opcua.exchange(&mut w, &opcua_hello("opc.tcp://10.20.2.10:4840"), &opcua_ack())?;
    hmi_opcua.close(&mut w)?;

    // The violation: the vibration sensor (cell) publishes over MQTT straight to the historian (DMZ); no conduit
    // joins the cell and the DMZ.
    let mut mqtt = Tcp::new(sensor, historian, 40_000, 1883);
    mqtt.open(&mut w)?;
    mqtt.exchange(&mut w, &mqtt_connect("ss-vib-200-0042"), &[0x20, 0x02, 0x00, 0x00])?;
    let mut publish = vec![0x30, 0];
    publish.extend_from_slice(&be16(13));
    publish.extend_from_slice(b"press/1/vibra");
    publish.extend_from_slice(b"0.42");
    let remaining = u8::try_from(publish.len() - 2).unwrap_or(0);
    if let Some(len) = publish.get_mut(1) {
        *len = remaining;
    }
    mqtt.send(&mut w, true, PSH_ACK, &publish)?;
    mqtt.close(&mut w)?;

    // An unknown device: a laptop in the cell asks for the press PLC's address and reads its registers.
    w.emit(&frame::ethernet(broadcast, laptop.mac, &[], 0x0806, &arp(1, laptop, Mac([0; 6]), plc_press.ip)))?;
    w.emit(&frame::ethernet(laptop.mac, plc_press.mac, &[], 0x0806, &arp(2, plc_press, laptop.mac, laptop.ip)))?;
    let mut rogue = Tcp::new(laptop, plc_press, 55_555, 502);
    rogue.open(&mut w)?;
    let mut answer = vec![0x03, 4];
    answer.extend_from_slice(&[0x00, 0x2a, 0x01, 0x00]);
    rogue.exchange(&mut w, &mbap(9, 1, &[0x03, 0x00, 0x00, 0x00, 0x02]), &mbap(9, 1, &answer))?;
    rogue.close(&mut w)?;
    Ok(w.out.into_inner())
}

// ---------------------------------------------------------------------------------------------------------------
// SBOMs, advisory records, the CSAF advisory

/// The two SBOMs (product, version, CycloneDX 1.6 JSON) linked to the HMI and the SCADA server.
pub fn sboms() -> Vec<(&'static str, &'static str, String)> {
    let bom = |product: &str, version: &str, components: &[(&str, &str, &str)]| {
        let list: Vec<Value> = components
            .iter()
            .map(|(purl, name, v)| {
                json!({ "type": "library", "name": name, "version": v, "purl": purl, "bom-ref": purl,
                        "supplier": { "name": "Example Automation" } })
            })
            .collect();
        let refs: Vec<&str> = components.iter().map(|(purl, ..)| *purl).collect();
        json!({
            "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "serialNumber": format!("urn:uuid:{}", uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("cpsf-demo:{product}@{version}").as_bytes())),
            "metadata": {
                "timestamp": "2099-01-01T00:00:00Z",
                "authors": [{ "name": "Example Automation" }],
                "supplier": { "name": "Example Automation" },
                "component": { "type": "application", "name": product, "version": version, "bom-ref": product,
                               "supplier": { "name": "Example Automation" } }
            },
            "components": list,
            "dependencies": [ { "ref": product, "dependsOn": refs } ],
        })
        .to_string()
    };
    vec![
        (
            "hmi-runtime",
            "3.0.0",
            bom(
                "hmi-runtime",
                "3.0.0",
                &[
                    ("pkg:npm/example-hmi-widgets@1.4.2", "example-hmi-widgets", "1.4.2"),
                    ("pkg:npm/example-chart-kit@2.0.1", "example-chart-kit", "2.0.1"),
                ],
            ),
        ),
        (
            "scada-server",
            "7.1.0",
            bom(
                "scada-server",
                "7.1.0",
                &[
                    ("pkg:pypi/example-opcua-stack@0.9.0", "example-opcua-stack", "0.9.0"),
                    ("pkg:pypi/example-historian-client@1.1.0", "example-historian-client", "1.1.0"),
                ],
            ),
        ),
    ]
}

/// OSV records (invented) for the advisory database: one for a component of each SBOM.
pub fn osv_records() -> Vec<(String, Value)> {
    let record =
        |id: &str, cve: &str, summary: &str, ecosystem: &str, name: &str, kind: &str, fixed: &str, score: &str| {
            (
                format!("{id}.json"),
                json!({
                    "schema_version": "1.6.0",
                    "id": id,
                    "modified": "2099-01-10T00:00:00Z",
                    "published": "2099-01-10T00:00:00Z",
                    "aliases": [cve],
                    "summary": summary,
                    "severity": [{ "type": "CVSS_V3", "score": score }],
                    "affected": [{
                        "package": { "ecosystem": ecosystem, "name": name },
                        "ranges": [{ "type": kind, "events": [{ "introduced": "0" }, { "fixed": fixed }] }]
                    }],
                    "references": [{ "type": "ADVISORY", "url": "https://example.invalid/advisories/" }]
                }),
            )
        };
    vec![
        record(
            "DEMO-2099-0101",
            "CVE-2099-0101",
            "Invented for the cpsf demo: example-chart-kit renders labels without escaping",
            "npm",
            "example-chart-kit",
            "SEMVER",
            "2.0.5",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        ),
        record(
            "DEMO-2099-0102",
            "CVE-2099-0102",
            "Invented for the cpsf demo: example-opcua-stack accepts oversized chunks",
            "PyPI",
            "example-opcua-stack",
            "ECOSYSTEM",
            "1.0.0",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
        ),
    ]
}

/// The CSAF 2.0 advisory (invented): the press PLC's firmware below 2.5.0 and the HMI below 3.1.0 are affected.
pub fn csaf() -> String {
    let helper = |model: &str| json!({ "model_numbers": [model] });
    json!({
        "document": {
            "category": "csaf_security_advisory",
            "csaf_version": "2.0",
            "lang": "en",
            "title": "Example Automation EA-5100 PLC and EA-HMI 700: Modbus handling flaws (invented for the cpsf demo)",
            "publisher": { "category": "vendor", "name": "Example Automation PSIRT", "namespace": "https://example.invalid" },
            "distribution": { "tlp": { "label": "WHITE" } },
            "notes": [{ "category": "legal_disclaimer", "text": "Invented for the cpsf hands-on exercise; no such product exists." }],
            "tracking": {
                "id": "EXA-SA-2099-001",
                "status": "final",
                "version": "1",
                "initial_release_date": "2099-01-15T00:00:00Z",
                "current_release_date": "2099-01-15T00:00:00Z",
                "revision_history": [{ "date": "2099-01-15T00:00:00Z", "number": "1", "summary": "Initial release" }]
            }
        },
        "product_tree": {
            "branches": [{
                "category": "vendor",
                "name": "Example Automation",
                "branches": [
                    {
                        "category": "product_name",
                        "name": "EA-5100",
                        "branches": [
                            { "category": "product_version_range", "name": "vers:generic/<2.5.0",
                              "product": { "name": "Example Automation EA-5100 firmware below 2.5.0", "product_id": "CSAFPID-0001",
                                           "product_identification_helper": helper("EA5100-CPU") } },
                            { "category": "product_version", "name": "2.5.0",
                              "product": { "name": "Example Automation EA-5100 firmware 2.5.0", "product_id": "CSAFPID-0002",
                                           "product_identification_helper": helper("EA5100-CPU") } }
                        ]
                    },
                    {
                        "category": "product_name",
                        "name": "EA-HMI 700",
                        "branches": [
                            { "category": "product_version_range", "name": "vers:generic/<3.1.0",
                              "product": { "name": "Example Automation EA-HMI 700 below 3.1.0", "product_id": "CSAFPID-0003",
                                           "product_identification_helper": helper("EA-HMI 700") } }
                        ]
                    }
                ]
            }]
        },
        "vulnerabilities": [
            {
                "cve": "CVE-2099-0001",
                "title": "Stack overflow in the Modbus device identification handler",
                "notes": [{ "category": "summary", "text": "A crafted Modbus request can stop the PLC or run code on it." }],
                "product_status": { "known_affected": ["CSAFPID-0001"], "fixed": ["CSAFPID-0002"] },
                "scores": [{ "products": ["CSAFPID-0001"], "cvss_v3": { "version": "3.1", "baseScore": 9.8, "baseSeverity": "CRITICAL",
                             "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" } }],
                "remediations": [{ "category": "vendor_fix", "details": "Update the firmware to 2.5.0.", "product_ids": ["CSAFPID-0001"] }]
            },
            {
                "cve": "CVE-2099-0002",
                "title": "HMI project files are read without authentication",
                "notes": [{ "category": "summary", "text": "Anyone on the control network can download the HMI project." }],
                "product_status": { "known_affected": ["CSAFPID-0003"] },
                "scores": [{ "products": ["CSAFPID-0003"], "cvss_v3": { "version": "3.1", "baseScore": 7.5, "baseSeverity": "HIGH",
                             "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N" } }],
                "remediations": [{ "category": "mitigation", "details": "Block TCP 8080 to the HMI at the control network's edge.", "product_ids": ["CSAFPID-0003"] }]
            }
        ]
    })
    .to_string()
}

// ---------------------------------------------------------------------------------------------------------------
// Loading

/// What [`load`] stored.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub site: String,
    pub assets: usize,
    pub capture: i64,
    pub violations: usize,
    pub candidates: usize,
    pub asset_findings: usize,
    pub software_findings: usize,
    pub assessment: String,
}

/// Import the demo's OSV records into the advisory database at `advisory_db` (created when missing).
pub fn import_advisories(advisory_db: &Path) -> Result<usize, ApiError> {
    let dir = std::env::temp_dir().join(format!("cpsf-demo-osv-{}-{}", std::process::id(), uuid::Uuid::new_v4()));
    let io = |e: std::io::Error| ApiError::Internal(format!("{}: {e}", dir.display()));
    std::fs::create_dir_all(&dir).map_err(io)?;
    let result = (|| {
        for (name, record) in osv_records() {
            std::fs::write(dir.join(name), record.to_string()).map_err(io)?;
        }
        let mut db = cpsf_vuln::store::Store::open(advisory_db)
            .map_err(|e| ApiError::Internal(format!("{}: {e}", advisory_db.display())))?;
        let report = cpsf_vuln::import::import_paths(&mut db, std::slice::from_ref(&dir), &|_| {})
            .map_err(|e| ApiError::Internal(format!("importing the demo advisories: {e}")))?;
        Ok(report.records)
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Load the demo into `store` as `who`: the plant, the SBOMs (matched against `advisory_db`, which
/// [`import_advisories`] fills), the capture, the CSAF advisory and an evaluated assessment.
pub fn load(store: &Store, advisory_db: &Path, who: &str, now: OffsetDateTime) -> Result<Loaded, ApiError> {
    let today = Day(now.date());
    let plant = plant(today)?;
    let assets = plant.assets.len();
    ot_api::save_plant_sync(store, SITE, Some(0), &plant, who, json!({ "via": "cpsf demo" }))?;

    let mut software_findings = 0;
    for (product, version, document) in sboms() {
        let read = cpsf_sbom::read(document.as_bytes(), product)
            .map_err(|e| ApiError::Internal(format!("the demo SBOM of {product} does not read: {e}")))?;
        let upload = NewSbom {
            format: read.format.to_string(),
            document: document.into_bytes(),
            components: read.inventory.components,
        };
        let ingested = store.ingest_sbom(product, version, &upload, who, true)?;
        let rematch =
            crate::monitor::rematch_version(store, Some(advisory_db), ingested.version_id, ingested.sbom_id, now)?;
        software_findings += rematch.changes.new.len();
    }

    // The capture's packets are from the last hour.
    let start = (now - time::Duration::hours(1)).unix_timestamp().saturating_mul(1_000_000);
    let bytes = capture(start)?;
    let uploaded = ot_api::add_capture_sync(store, SITE, CAPTURE_NAME, bytes, usize::MAX, who)?;

    let upload = ot_api::add_advisory_sync(store, csaf().as_bytes(), who)?;
    let asset_findings = upload.sites.iter().map(|(_, c)| c.new.len()).sum();

    // The assessment of the site against the Factory Systems Guidelines, with its automatic evidence.
    let catalogs = cpsf_catalog::CatalogSet::builtin();
    let catalog =
        catalogs.get(CATALOG).map_err(|e| ApiError::Internal(format!("the demo needs catalog {CATALOG}: {e}")))?;
    let stamp = cpsf_assess::rfc3339(now);
    let mut doc = Assessment::new(
        catalog,
        Scope { name: SITE.to_owned(), kind: ScopeKind::Site },
        cpsf_catalog::Lang::Ja,
        &stamp,
    );
    doc.title = Some("Example Works: self-assessment (demo)".to_owned());
    cpsf_assess::score::record_snapshot(catalog, &mut doc, &stamp);
    let text = |doc: &Assessment| {
        serde_json::to_string(doc).map_err(|e| ApiError::Internal(format!("writing the demo assessment: {e}")))
    };
    let stored = store.create_assessment(
        &NewAssessment {
            id: doc.id.clone(),
            catalog: CATALOG.to_owned(),
            scope_kind: ScopeKind::Site.as_str().to_owned(),
            scope_name: SITE.to_owned(),
            document: text(&doc)?,
        },
        who,
    )?;
    let facts = crate::facts::gather(store, Some(advisory_db), now)?;
    cpsf_assess::evidence::refresh(catalog, &mut doc, &facts, now);
    store.update_assessment(
        &stored.id,
        stored.revision,
        &text(&doc)?,
        who,
        "assessment.evaluate",
        &json!({ "data": facts.source }),
    )?;

    Ok(Loaded {
        site: SITE.to_owned(),
        assets,
        capture: uploaded.info.id,
        violations: uploaded.report.violations.len(),
        candidates: uploaded.candidates,
        asset_findings,
        software_findings,
        assessment: stored.id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_plant_is_valid_and_its_advisory_reads() {
        let plant = plant(Day(time::macros::date!(2026 - 01 - 15))).unwrap();
        assert_eq!(plant.zones.len(), 4);
        assert!(plant.assets.len() >= 10);
        let advisory = cpsf_ot::csaf::read("demo", &csaf()).unwrap();
        assert!(advisory.warnings.is_empty(), "{:?}", advisory.warnings);
        let report = cpsf_ot::csaf::match_assets(&[advisory], &plant.assets);
        let affected: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.status == cpsf_ot::csaf::Status::Affected)
            .map(|f| f.asset.as_str())
            .collect();
        assert_eq!(affected, ["plc-press", "hmi-line1"]);
    }
}
