//! Writes a synthetic plant capture with our own writer, for the benchmark (`bench/pcap.sh`) and the demo:
//! HMIs polling PLCs over Modbus/TCP (with an occasional Read Device Identification answer), an engineering
//! station reading S7 SZL identification, EtherNet/IP ListIdentity broadcasts and answers, BACnet I-Am
//! broadcasts, PROFINET DCP Identify answers, LLDP from switches, and IT traffic: bulk TCP (HTTP-like) and
//! DNS-like UDP. Every protocol message is laid out as its specification says, so tshark dissects it too.
//!
//! Usage: `gen_capture OUT.pcap [--size-mb N] [--mix plant|ot] [--seed N] [--pcapng]`
//! (`plant`: about two thirds of the bytes are bulk IT transfers; `ot`: control traffic only, small packets).

use std::io::{BufWriter, Write};
use std::net::{IpAddr, Ipv4Addr};

use cpsf_pcap::model::Mac;
use cpsf_pcap::write::{ByteOrder, PcapWriter, PcapngWriter, frame};

/// xorshift64*: reproducible, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

enum Out {
    Pcap(PcapWriter<BufWriter<std::fs::File>>),
    Pcapng(PcapngWriter<BufWriter<std::fs::File>>),
}

struct Gen {
    out: Out,
    rng: Rng,
    ts: i64,
    bytes: u64,
    packets: u64,
}

impl Gen {
    fn emit(&mut self, f: &[u8]) {
        // About 40 000 packets per second of capture time.
        self.ts += 1 + self.rng.below(48) as i64;
        let r = match &mut self.out {
            Out::Pcap(w) => w.packet(self.ts, f),
            Out::Pcapng(w) => w.packet(0, self.ts, f),
        };
        if let Err(e) = r {
            eprintln!("gen_capture: cannot write: {e}");
            std::process::exit(2);
        }
        self.bytes += f.len() as u64 + 16;
        self.packets += 1;
    }
}

#[derive(Clone, Copy)]
struct Host {
    mac: Mac,
    ip: Ipv4Addr,
}

fn host(oui: [u8; 3], n: u32, ip: [u8; 4]) -> Host {
    let b = n.to_be_bytes();
    Host { mac: Mac([oui[0], oui[1], oui[2], b[1], b[2], b[3]]), ip: Ipv4Addr::from(ip) }
}

/// One direction's next sequence number of a TCP connection.
struct Conn {
    client: Host,
    server: Host,
    cport: u16,
    sport: u16,
    cseq: u32,
    sseq: u32,
}

const PSH_ACK: u8 = 0x18;
const ACK: u8 = 0x10;

impl Conn {
    fn tcp(&self, from_client: bool, flags: u8, payload: &[u8]) -> Vec<u8> {
        let (a, b, ap, bp, seq, mut ack) = if from_client {
            (self.client, self.server, self.cport, self.sport, self.cseq, self.sseq)
        } else {
            (self.server, self.client, self.sport, self.cport, self.sseq, self.cseq)
        };
        if flags & ACK == 0 {
            ack = 0;
        }
        let seg = frame::tcp(IpAddr::V4(a.ip), IpAddr::V4(b.ip), ap, bp, seq, ack, flags, payload);
        frame::ethernet(b.mac, a.mac, &[], 0x0800, &frame::ipv4(a.ip, b.ip, 6, &seg))
    }

    fn send(&mut self, g: &mut Gen, from_client: bool, flags: u8, payload: &[u8]) {
        let f = self.tcp(from_client, flags, payload);
        g.emit(&f);
        let n = payload.len() as u32 + u32::from(flags & 0x03 != 0);
        if from_client {
            self.cseq = self.cseq.wrapping_add(n);
        } else {
            self.sseq = self.sseq.wrapping_add(n);
        }
    }

    fn open(&mut self, g: &mut Gen) {
        self.send(g, true, 0x02, &[]);
        self.send(g, false, 0x12, &[]);
        self.send(g, true, ACK, &[]);
    }

    fn close(&mut self, g: &mut Gen) {
        self.send(g, true, 0x11, &[]);
        self.send(g, false, 0x11, &[]);
        self.send(g, true, ACK, &[]);
    }
}

fn udp(a: Host, b: Host, dst_mac: Mac, ap: u16, bp: u16, payload: &[u8]) -> Vec<u8> {
    let d = frame::udp(IpAddr::V4(a.ip), IpAddr::V4(b.ip), ap, bp, payload);
    frame::ethernet(dst_mac, a.mac, &[], 0x0800, &frame::ipv4(a.ip, b.ip, 17, &d))
}

// ---- protocol payloads ----

fn mbap(tid: u16, unit: u8, pdu: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(7 + pdu.len());
    m.extend_from_slice(&tid.to_be_bytes());
    m.extend_from_slice(&0u16.to_be_bytes());
    m.extend_from_slice(&((pdu.len() + 1) as u16).to_be_bytes());
    m.push(unit);
    m.extend_from_slice(pdu);
    m
}

/// Read Device Identification (FC 43 / MEI 14) answer, basic objects 0-2.
fn modbus_identity(vendor: &str, code: &str, version: &str) -> Vec<u8> {
    let mut pdu = vec![0x2b, 0x0e, 0x01, 0x01, 0x00, 0x00, 3];
    for (id, v) in [(0u8, vendor), (1, code), (2, version)] {
        pdu.push(id);
        pdu.push(v.len() as u8);
        pdu.extend_from_slice(v.as_bytes());
    }
    pdu
}

fn enip_header(command: u16, data: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(24 + data.len());
    m.extend_from_slice(&command.to_le_bytes());
    m.extend_from_slice(&(data.len() as u16).to_le_bytes());
    m.extend_from_slice(&[0; 20]);
    m.extend_from_slice(data);
    m
}

/// ListIdentity answer with one CIP Identity item.
fn enip_identity(ip: Ipv4Addr, vendor: u16, product: u16, rev: (u8, u8), serial: u32, name: &str) -> Vec<u8> {
    let mut item = Vec::new();
    item.extend_from_slice(&1u16.to_le_bytes());
    item.extend_from_slice(&2u16.to_be_bytes());
    item.extend_from_slice(&44818u16.to_be_bytes());
    item.extend_from_slice(&ip.octets());
    item.extend_from_slice(&[0; 8]);
    item.extend_from_slice(&vendor.to_le_bytes());
    item.extend_from_slice(&0x0eu16.to_le_bytes());
    item.extend_from_slice(&product.to_le_bytes());
    item.extend_from_slice(&[rev.0, rev.1]);
    item.extend_from_slice(&0x0030u16.to_le_bytes());
    item.extend_from_slice(&serial.to_le_bytes());
    item.push(name.len() as u8);
    item.extend_from_slice(name.as_bytes());
    item.push(3);
    let mut data = Vec::new();
    data.extend_from_slice(&1u16.to_le_bytes());
    data.extend_from_slice(&0x000cu16.to_le_bytes());
    data.extend_from_slice(&(item.len() as u16).to_le_bytes());
    data.extend_from_slice(&item);
    enip_header(0x0063, &data)
}

/// TPKT + COTP data + an S7 PDU.
fn tpkt(s7: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(7 + s7.len());
    m.extend_from_slice(&[3, 0]);
    m.extend_from_slice(&((7 + s7.len()) as u16).to_be_bytes());
    m.extend_from_slice(&[2, 0xf0, 0x80]);
    m.extend_from_slice(s7);
    m
}

fn s7_userdata(pdu_ref: u16, params: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = vec![0x32, 0x07, 0, 0];
    m.extend_from_slice(&pdu_ref.to_be_bytes());
    m.extend_from_slice(&(params.len() as u16).to_be_bytes());
    m.extend_from_slice(&(data.len() as u16).to_be_bytes());
    m.extend_from_slice(params);
    m.extend_from_slice(data);
    m
}

/// Read-SZL request for SZL 0x0011 index 0.
fn szl_request(pdu_ref: u16) -> Vec<u8> {
    let params = [0x00, 0x01, 0x12, 0x04, 0x11, 0x44, 0x01, 0x00];
    let data = [0xff, 0x09, 0x00, 0x04, 0x00, 0x11, 0x00, 0x00];
    tpkt(&s7_userdata(pdu_ref, &params, &data))
}

/// Read-SZL answer: SZL 0x0011 (module identification), one record with the order number and version.
fn szl_response(pdu_ref: u16, order: &str, version: (u8, u8, u8)) -> Vec<u8> {
    let params = [0x00, 0x01, 0x12, 0x08, 0x12, 0x84, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00];
    let mut record = Vec::with_capacity(28);
    record.extend_from_slice(&1u16.to_be_bytes());
    let mut mlfb = order.as_bytes().to_vec();
    mlfb.resize(20, b' ');
    record.extend_from_slice(&mlfb);
    record.extend_from_slice(&0u16.to_be_bytes());
    record.extend_from_slice(&[0x56, version.0]);
    record.extend_from_slice(&[version.1, version.2]);
    let mut szl = Vec::new();
    szl.extend_from_slice(&0x0011u16.to_be_bytes());
    szl.extend_from_slice(&0u16.to_be_bytes());
    szl.extend_from_slice(&28u16.to_be_bytes());
    szl.extend_from_slice(&1u16.to_be_bytes());
    szl.extend_from_slice(&record);
    let mut data = vec![0xff, 0x09];
    data.extend_from_slice(&(szl.len() as u16).to_be_bytes());
    data.extend_from_slice(&szl);
    tpkt(&s7_userdata(pdu_ref, &params, &data))
}

/// BACnet/IP I-Am, broadcast.
fn bacnet_i_am(instance: u32, vendor: u8) -> Vec<u8> {
    let object = (8u32 << 22) | (instance & 0x3f_ffff);
    let mut apdu = vec![0x10, 0x00, 0xc4];
    apdu.extend_from_slice(&object.to_be_bytes());
    apdu.extend_from_slice(&[0x22, 0x05, 0xc4, 0x91, 0x00, 0x21, vendor]);
    let mut m = vec![0x81, 0x0b];
    m.extend_from_slice(&((4 + 2 + apdu.len()) as u16).to_be_bytes());
    m.extend_from_slice(&[0x01, 0x00]);
    m.extend_from_slice(&apdu);
    m
}

fn dcp_block(option: u8, sub: u8, data: &[u8]) -> Vec<u8> {
    let mut b = vec![option, sub];
    b.extend_from_slice(&((data.len() + 2) as u16).to_be_bytes());
    b.extend_from_slice(&[0, 0]);
    b.extend_from_slice(data);
    if b.len() % 2 == 1 {
        b.push(0);
    }
    b
}

/// PROFINET DCP Identify answer.
fn dcp_identify(xid: u32, station_type: &str, name: &str, vendor: u16, device: u16, ip: Ipv4Addr) -> Vec<u8> {
    let mut blocks = Vec::new();
    blocks.extend(dcp_block(2, 1, station_type.as_bytes()));
    blocks.extend(dcp_block(2, 2, name.as_bytes()));
    blocks.extend(dcp_block(2, 3, &[vendor.to_be_bytes(), device.to_be_bytes()].concat()));
    blocks.extend(dcp_block(2, 4, &[0x02, 0x00]));
    blocks.extend(dcp_block(1, 2, &[ip.octets(), [255, 255, 255, 0], [0, 0, 0, 0]].concat()));
    let mut m = vec![0xfe, 0xff, 0x05, 0x01];
    m.extend_from_slice(&xid.to_be_bytes());
    m.extend_from_slice(&[0, 0]);
    m.extend_from_slice(&(blocks.len() as u16).to_be_bytes());
    m.extend_from_slice(&blocks);
    m
}

fn lldp_tlv(kind: u8, value: &[u8]) -> Vec<u8> {
    let header = (u16::from(kind) << 9) | value.len() as u16;
    [&header.to_be_bytes()[..], value].concat()
}

fn lldp(chassis: Mac, port: &str, name: &str, descr: &str) -> Vec<u8> {
    let mut m = Vec::new();
    m.extend(lldp_tlv(1, &[&[4u8][..], &chassis.0].concat()));
    m.extend(lldp_tlv(2, &[&[7u8][..], port.as_bytes()].concat()));
    m.extend(lldp_tlv(3, &120u16.to_be_bytes()));
    m.extend(lldp_tlv(5, name.as_bytes()));
    m.extend(lldp_tlv(6, descr.as_bytes()));
    m.extend(lldp_tlv(0, &[]));
    m
}

fn dns_query(id: u16, name: &str, answer: Option<Ipv4Addr>) -> Vec<u8> {
    let mut m = Vec::new();
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(if answer.is_some() { &[0x81, 0x80] } else { &[0x01, 0x00] });
    m.extend_from_slice(&[0, 1, 0, u8::from(answer.is_some()), 0, 0, 0, 0]);
    for label in name.split('.') {
        m.push(label.len() as u8);
        m.extend_from_slice(label.as_bytes());
    }
    m.extend_from_slice(&[0, 0, 1, 0, 1]);
    if let Some(ip) = answer {
        m.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4]);
        m.extend_from_slice(&ip.octets());
    }
    m
}

const SIEMENS: [u8; 3] = [0x00, 0x1b, 0x1b];
const ROCKWELL: [u8; 3] = [0x00, 0x00, 0xbc];
const SCHNEIDER: [u8; 3] = [0x00, 0x00, 0x54];
const PHOENIX: [u8; 3] = [0x00, 0xa0, 0x45];
const HIRSCHMANN: [u8; 3] = [0x00, 0x80, 0x63];
const PC: [u8; 3] = [0x02, 0x50, 0x56];

fn main() {
    let mut args = std::env::args().skip(1);
    let mut out_path = None;
    let mut size_mb: u64 = 1024;
    let mut ot_only = false;
    let mut seed = 0x5eed_u64;
    let mut pcapng = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--size-mb" => size_mb = args.next().and_then(|v| v.parse().ok()).unwrap_or(size_mb),
            "--mix" => ot_only = args.next().as_deref() == Some("ot"),
            "--seed" => seed = args.next().and_then(|v| v.parse().ok()).unwrap_or(seed),
            "--pcapng" => pcapng = true,
            _ => out_path = Some(a),
        }
    }
    let Some(out_path) = out_path else {
        eprintln!("usage: gen_capture OUT.pcap [--size-mb N] [--mix plant|ot] [--seed N] [--pcapng]");
        std::process::exit(2);
    };
    let file = match std::fs::File::create(&out_path) {
        Ok(f) => BufWriter::with_capacity(1 << 20, f),
        Err(e) => {
            eprintln!("gen_capture: {out_path}: {e}");
            std::process::exit(2);
        }
    };
    let out = if pcapng {
        let mut w = PcapngWriter::new(file, ByteOrder::Little).expect("write the section header");
        w.interface(1, None).expect("write the interface");
        Out::Pcapng(w)
    } else {
        Out::Pcap(PcapWriter::new(file, 1, false, ByteOrder::Little).expect("write the file header"))
    };
    let mut g = Gen { out, rng: Rng(seed | 1), ts: 1_767_225_600_000_000, bytes: 24, packets: 0 };
    let limit = size_mb * 1024 * 1024;

    // The plant: PLCs of three vendors, HMIs, an engineering station, BACnet controllers, PROFINET devices,
    // switches, and an IT segment.
    let plcs: Vec<Host> = (0..48u32)
        .map(|i| host([SIEMENS, ROCKWELL, SCHNEIDER][i as usize % 3], 0x100 + i, [10, 10, 1, 10 + i as u8]))
        .collect();
    let hmis: Vec<Host> = (0..4u32).map(|i| host(PC, 0x200 + i, [10, 10, 0, 10 + i as u8])).collect();
    let eng = host(PC, 0x300, [10, 10, 0, 50]);
    let scanner = host(PC, 0x301, [10, 10, 0, 60]);
    let bacnet: Vec<Host> = (0..12u32).map(|i| host(SCHNEIDER, 0x400 + i, [10, 20, 0, 20 + i as u8])).collect();
    let io: Vec<Host> = (0..16u32).map(|i| host(PHOENIX, 0x500 + i, [10, 10, 2, 20 + i as u8])).collect();
    let switches: Vec<Host> = (0..6u32).map(|i| host(HIRSCHMANN, 0x600 + i, [10, 10, 9, 1 + i as u8])).collect();
    let it: Vec<Host> = (0..20u32).map(|i| host(PC, 0x700 + i, [10, 30, 0, 20 + i as u8])).collect();
    let historian = host(PC, 0x7ff, [10, 30, 0, 10]);
    let dns = host(PC, 0x7fe, [10, 30, 0, 2]);
    let broadcast = Host { mac: Mac([0xff; 6]), ip: Ipv4Addr::new(255, 255, 255, 255) };

    // Modbus sessions: each HMI polls twelve PLCs over one connection each.
    let mut modbus: Vec<Conn> = Vec::new();
    for (h, hmi) in hmis.iter().enumerate() {
        for k in 0..12 {
            let plc = plcs[(h * 12 + k) % plcs.len()];
            modbus.push(Conn {
                client: *hmi,
                server: plc,
                cport: 49152 + (h * 100 + k) as u16,
                sport: 502,
                cseq: 1000,
                sseq: 9000,
            });
        }
    }
    for c in modbus.iter_mut() {
        c.open(&mut g);
    }
    let siemens: Vec<Host> = plcs.iter().step_by(3).copied().collect();
    let mut s7: Vec<Conn> = siemens
        .iter()
        .enumerate()
        .map(|(i, plc)| Conn { client: eng, server: *plc, cport: 50000 + i as u16, sport: 102, cseq: 1, sseq: 1 })
        .collect();
    for c in s7.iter_mut() {
        c.open(&mut g);
    }
    let mut tid: u16 = 0;
    let mut http_port: u16 = 30000;
    let bulk = [b'x'; 1460];
    while g.bytes < limit {
        let roll = g.rng.below(1000);
        if roll < 820 {
            // A Modbus poll: read 10 holding registers; one in 400 polls asks for identity instead.
            let i = g.rng.below(modbus.len() as u64) as usize;
            let c = &mut modbus[i];
            tid = tid.wrapping_add(1);
            if g.rng.below(400) == 0 {
                c.send(&mut g, true, PSH_ACK, &mbap(tid, 1, &[0x2b, 0x0e, 0x01, 0x00]));
                let vendor = ["Schneider Electric", "Siemens", "Rockwell Automation"][i % 3];
                let pdu = modbus_identity(vendor, &format!("BMX P34 {}", 2000 + i), "v3.10");
                c.send(&mut g, false, PSH_ACK, &mbap(tid, 1, &pdu));
            } else {
                c.send(&mut g, true, PSH_ACK, &mbap(tid, 1, &[0x03, 0x00, 0x00, 0x00, 0x0a]));
                let mut pdu = vec![0x03, 20];
                pdu.extend_from_slice(&[0x12; 20]);
                c.send(&mut g, false, PSH_ACK, &mbap(tid, 1, &pdu));
            }
            c.send(&mut g, true, ACK, &[]);
        } else if roll < 850 {
            let i = g.rng.below(s7.len() as u64) as usize;
            let c = &mut s7[i];
            tid = tid.wrapping_add(1);
            c.send(&mut g, true, PSH_ACK, &szl_request(tid));
            c.send(&mut g, false, PSH_ACK, &szl_response(tid, "6ES7 315-2EH14-0AB0", (3, 2, 6)));
        } else if roll < 855 {
            // ListIdentity broadcast, answered by the Rockwell PLCs.
            let req = enip_header(0x0063, &[]);
            g.emit(&udp(scanner, broadcast, broadcast.mac, 44818, 44818, &req));
            for (i, plc) in plcs.iter().enumerate().skip(1).step_by(3).take(4) {
                let answer = enip_identity(
                    plc.ip,
                    1,
                    0x0036 + i as u16,
                    (20, 11),
                    0x6000_0000 | i as u32,
                    "1756-L71/B LOGIX5571",
                );
                g.emit(&udp(*plc, scanner, scanner.mac, 44818, 44818, &answer));
            }
        } else if roll < 875 {
            let i = g.rng.below(bacnet.len() as u64) as usize;
            let b = bacnet[i];
            let payload = bacnet_i_am(1000 + i as u32, 5);
            let bcast = Host { mac: broadcast.mac, ip: Ipv4Addr::new(10, 20, 0, 255) };
            g.emit(&udp(b, bcast, broadcast.mac, 47808, 47808, &payload));
        } else if roll < 880 {
            let i = g.rng.below(io.len() as u64) as usize;
            let d = io[i];
            let answer = dcp_identify(0x1000 + i as u32, "AXC F 2152", &format!("io-{i:02}"), 0x00b0, 0x0155, d.ip);
            g.emit(&frame::ethernet(eng.mac, d.mac, &[], 0x8892, &answer));
        } else if roll < 882 {
            let i = g.rng.below(switches.len() as u64) as usize;
            let s = switches[i];
            let payload = lldp(s.mac, &format!("port-{}", g.rng.below(24) + 1), &format!("sw-{i}"), "Hirschmann RS20");
            g.emit(&frame::ethernet(Mac([0x01, 0x80, 0xc2, 0, 0, 0x0e]), s.mac, &[], 0x88cc, &payload));
        } else if roll < 960 || ot_only {
            if ot_only {
                continue;
            }
            let i = g.rng.below(it.len() as u64) as usize;
            let client = it[i];
            let qid = g.rng.next() as u16;
            let name = format!("host{}.plant.example", g.rng.below(200));
            g.emit(&udp(client, dns, dns.mac, 40000 + qid % 20000, 53, &dns_query(qid, &name, None)));
            let answer = dns_query(qid, &name, Some(Ipv4Addr::new(10, 30, 1, (qid % 250) as u8)));
            g.emit(&udp(dns, client, client.mac, 53, 40000 + qid % 20000, &answer));
        } else {
            // A bulk transfer: request, 24 full segments, an ACK every other one, then close.
            let i = g.rng.below(it.len() as u64) as usize;
            http_port = if http_port >= 60000 { 30000 } else { http_port + 1 };
            let mut c = Conn { client: it[i], server: historian, cport: http_port, sport: 80, cseq: 7, sseq: 70_000 };
            c.open(&mut g);
            c.send(&mut g, true, PSH_ACK, b"GET /trend/export.csv HTTP/1.1\r\nHost: historian\r\n\r\n");
            for k in 0..24 {
                c.send(&mut g, false, ACK, &bulk);
                if k % 2 == 1 {
                    c.send(&mut g, true, ACK, &[]);
                }
            }
            c.close(&mut g);
        }
    }
    let flushed = match g.out {
        Out::Pcap(w) => w.into_inner().flush(),
        Out::Pcapng(w) => w.into_inner().flush(),
    };
    if let Err(e) = flushed {
        eprintln!("gen_capture: {out_path}: {e}");
        std::process::exit(2);
    }
    eprintln!("gen_capture: {out_path}: {} packets, {} bytes", g.packets, g.bytes);
}
