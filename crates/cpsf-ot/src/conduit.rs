//! Observed traffic checked against the plant's zones and conduits: flows between zones that no conduit
//! allows, devices no asset accounts for, and protocols never declared for an asset or its zone.
//!
//! A flow endpoint is mapped to an asset by IP address (with a compatible VLAN: equal, or unknown on either
//! side) and, for layer-2 traffic without IP addresses, by MAC address; MAC addresses of routed traffic
//! belong to the router, so they are not used when an IP address is there. The asset's `zone` is the
//! endpoint's zone.
//!
//! - A flow inside one zone is fine.
//! - A flow between two zones is allowed when a conduit joins both zones, its direction lets the flow's
//!   source zone open the connection (the source is the side that sent first), and one of its channels
//!   matches the flow's protocol, server port and transport. Otherwise it is a [`Violation`] with the
//!   reason: no conduit, wrong direction, or protocol/port not allowed.
//! - An endpoint with an address no asset has is an [`UnknownDevice`] (broadcast, multicast, unspecified
//!   addresses are left out); its flows are counted as not zoned. An asset with no zone leaves its flows
//!   unzoned too.
//! - A protocol that neither an asset's `protocols` nor its zone's `protocols` name is a [`NewProtocol`] for
//!   that asset (once per asset and protocol). ARP, which every IPv4 device speaks, is never new.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use cpsf_pcap::model::{DeviceKey, Flow, Observation, Transport};
use serde::Serialize;

use crate::asset::Asset;
use crate::model::{Channel, ChannelTransport, Conduit, Direction, Plant};

/// One end of a flow as the report shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
}

/// Why a flow between zones is not allowed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum Breach {
    /// No conduit joins the two zones.
    NoConduit,
    /// Conduits join the zones but none lets this side open the connection.
    WrongDirection { conduits: Vec<String> },
    /// Conduits join the zones in this direction but none allows this protocol/port.
    NotAllowed { conduits: Vec<String> },
}

/// A flow between zones that no conduit allows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The flow's index in the input.
    pub flow: usize,
    pub src: Endpoint,
    pub dst: Endpoint,
    pub protocol: String,
    pub port: u16,
    pub transport: Transport,
    pub packets: u64,
    pub first: i64,
    pub last: i64,
    #[serde(flatten)]
    pub breach: Breach,
}

/// An address seen on the network that no asset has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnknownDevice {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vlan: Option<u16>,
    pub protocols: Vec<String>,
    pub flows: usize,
    /// First time seen (microseconds since the epoch), from flows or identity messages.
    pub first_seen: i64,
}

/// A protocol seen for an asset that neither it nor its zone declares.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewProtocol {
    pub asset: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    pub protocol: String,
    /// Whether the asset was the server side (the flow's destination) or the client side or it came from an
    /// identity message.
    pub role: &'static str,
    pub first_seen: i64,
}

/// The outcome of a check.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ConduitReport {
    pub flows: usize,
    pub inside_zone: usize,
    pub allowed: usize,
    /// Flows with an endpoint that is unknown or has no zone.
    pub unzoned: usize,
    pub violations: Vec<Violation>,
    pub unknown_devices: Vec<UnknownDevice>,
    pub new_protocols: Vec<NewProtocol>,
}

/// Whether an address names no single device (broadcast, multicast, unspecified).
fn not_a_device_ip(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_broadcast() || v4.is_multicast() || v4.is_unspecified(),
        IpAddr::V6(v6) => v6.is_multicast() || v6.is_unspecified(),
    }
}

/// Finds the asset of an address.
struct Index<'a> {
    assets: &'a [Asset],
}

impl<'a> Index<'a> {
    fn by_key(&self, key: &DeviceKey, vlan: Option<u16>) -> Option<&'a Asset> {
        if let Some(ip) = key.ip {
            return self
                .assets
                .iter()
                .find(|a| a.ips.contains(&ip) && (a.vlan.is_none() || vlan.is_none() || a.vlan == vlan));
        }
        let mac = key.mac?.to_string();
        self.assets.iter().find(|a| a.macs.contains(&mac))
    }
}

fn endpoint(key: &DeviceKey, asset: Option<&Asset>) -> Endpoint {
    Endpoint {
        ip: key.ip,
        mac: key.mac.map(|m| m.to_string()),
        asset: asset.map(|a| a.id.clone()),
        zone: asset.and_then(|a| a.zone.clone()),
    }
}

fn channel_matches(channel: &Channel, flow: &Flow) -> bool {
    let protocol_ok = channel.protocol.as_deref().is_none_or(|p| {
        let p = p.trim();
        p.eq_ignore_ascii_case(&flow.protocol) || {
            let generic = match flow.transport {
                Transport::Tcp => format!("tcp/{}", flow.port),
                Transport::Udp => format!("udp/{}", flow.port),
                Transport::Ethernet => format!("ethertype/0x{:04x}", flow.port),
                Transport::Ip => format!("ip/{}", flow.port),
            };
            p.eq_ignore_ascii_case(&generic)
        }
    });
    let ports_ok = channel.ports.is_empty() || channel.ports.contains(&flow.port);
    let transport_ok = channel.transport.is_none_or(|t| {
        matches!(
            (t, flow.transport),
            (ChannelTransport::Tcp, Transport::Tcp)
                | (ChannelTransport::Udp, Transport::Udp)
                | (ChannelTransport::Ethernet, Transport::Ethernet)
        )
    });
    protocol_ok && ports_ok && transport_ok
}

/// Whether a conduit lets `src_zone` open a connection to `dst_zone`.
fn direction_ok(conduit: &Conduit, src_zone: &str, dst_zone: &str) -> bool {
    let a = conduit.zones.first().map(String::as_str);
    let b = conduit.zones.get(1).map(String::as_str);
    match conduit.direction {
        Direction::Both => true,
        Direction::AToB => a == Some(src_zone) && b == Some(dst_zone),
        Direction::BToA => b == Some(src_zone) && a == Some(dst_zone),
    }
}

/// Check flows (and identity observations, for unknown devices and new protocols) against the plant.
pub fn check(plant: &Plant, flows: &[Flow], observations: &[Observation]) -> ConduitReport {
    let index = Index { assets: &plant.assets };
    let mut report = ConduitReport { flows: flows.len(), ..ConduitReport::default() };
    let mut unknown: BTreeMap<(Option<IpAddr>, Option<String>), UnknownDevice> = BTreeMap::new();
    let mut new: BTreeMap<(String, String), NewProtocol> = BTreeMap::new();
    let declared = |asset: &Asset, protocol: &str| {
        let zone_protocols =
            asset.zone.as_deref().and_then(|z| plant.zone(z)).map(|z| z.protocols.as_slice()).unwrap_or(&[]);
        asset.protocols.iter().chain(zone_protocols).any(|p| p.trim().eq_ignore_ascii_case(protocol))
    };
    let mut note_unknown = |key: &DeviceKey, vlan: Option<u16>, protocol: &str, ts: i64, is_flow: bool| {
        let ip = key.ip.filter(|ip| !not_a_device_ip(ip));
        let mac = key.mac.filter(|m| !m.is_multicast() && m.0 != [0; 6]).map(|m| m.to_string());
        if key.ip.is_some() && ip.is_none() {
            return;
        }
        if ip.is_none() && mac.is_none() {
            return;
        }
        // Routed traffic: the MAC is the router's, so an IP identifies the device alone.
        let mac = if ip.is_some() { None } else { mac };
        let entry = unknown.entry((ip, mac.clone())).or_insert_with(|| UnknownDevice {
            ip,
            mac,
            vlan,
            protocols: Vec::new(),
            flows: 0,
            first_seen: ts,
        });
        if !entry.protocols.iter().any(|p| p == protocol) {
            entry.protocols.push(protocol.to_string());
        }
        if is_flow {
            entry.flows += 1;
        }
        entry.first_seen = entry.first_seen.min(ts);
    };
    let mut note_protocol = |asset: &Asset, protocol: &str, role: &'static str, ts: i64| {
        if protocol.eq_ignore_ascii_case("arp") || declared(asset, protocol) {
            return;
        }
        let entry = new.entry((asset.id.clone(), protocol.to_ascii_lowercase())).or_insert_with(|| NewProtocol {
            asset: asset.id.clone(),
            zone: asset.zone.clone(),
            protocol: protocol.to_string(),
            role,
            first_seen: ts,
        });
        entry.first_seen = entry.first_seen.min(ts);
    };

    for (i, flow) in flows.iter().enumerate() {
        let src = index.by_key(&flow.src, flow.vlan);
        let dst = index.by_key(&flow.dst, flow.vlan);
        for (key, asset, role) in [(&flow.src, src, "client"), (&flow.dst, dst, "server")] {
            match asset {
                Some(a) => note_protocol(a, &flow.protocol, role, flow.first),
                None => note_unknown(key, flow.vlan, &flow.protocol, flow.first, true),
            }
        }
        let (Some(src_zone), Some(dst_zone)) =
            (src.and_then(|a| a.zone.as_deref()), dst.and_then(|a| a.zone.as_deref()))
        else {
            report.unzoned += 1;
            continue;
        };
        if src_zone == dst_zone {
            report.inside_zone += 1;
            continue;
        }
        let joining: Vec<&Conduit> = plant
            .conduits
            .iter()
            .filter(|c| c.zones.iter().any(|z| z == src_zone) && c.zones.iter().any(|z| z == dst_zone))
            .collect();
        let directed: Vec<&&Conduit> = joining.iter().filter(|c| direction_ok(c, src_zone, dst_zone)).collect();
        let allowed = directed.iter().any(|c| c.allow.is_empty() || c.allow.iter().any(|ch| channel_matches(ch, flow)));
        if allowed {
            report.allowed += 1;
            continue;
        }
        let ids = |list: &[&Conduit]| list.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        let breach = if joining.is_empty() {
            Breach::NoConduit
        } else if directed.is_empty() {
            Breach::WrongDirection { conduits: ids(&joining) }
        } else {
            Breach::NotAllowed { conduits: directed.iter().map(|c| c.id.clone()).collect() }
        };
        report.violations.push(Violation {
            flow: i,
            src: endpoint(&flow.src, src),
            dst: endpoint(&flow.dst, dst),
            protocol: flow.protocol.clone(),
            port: flow.port,
            transport: flow.transport,
            packets: flow.packets.iter().sum(),
            first: flow.first,
            last: flow.last,
            breach,
        });
    }
    for obs in observations {
        match index.by_key(&obs.device, None) {
            Some(a) => note_protocol(a, obs.protocol, "identity", obs.ts),
            None => note_unknown(&obs.device, None, obs.protocol, obs.ts, false),
        }
    }
    report.unknown_devices = unknown.into_values().collect();
    report.new_protocols = new.into_values().collect();
    report
}

/// The zones a set of flows touches, for diagrams: (source zone, destination zone, protocol) triples seen,
/// with counts. Unzoned endpoints are left out.
pub fn zone_matrix(plant: &Plant, flows: &[Flow]) -> BTreeMap<(String, String, String), usize> {
    let index = Index { assets: &plant.assets };
    let mut out = BTreeMap::new();
    for flow in flows {
        let zone = |k: &DeviceKey| index.by_key(k, flow.vlan).and_then(|a| a.zone.clone());
        if let (Some(s), Some(d)) = (zone(&flow.src), zone(&flow.dst)) {
            *out.entry((s, d, flow.protocol.clone())).or_insert(0) += 1;
        }
    }
    out
}

/// The distinct protocols declared anywhere in a plant (assets, zones, conduits), lower-cased.
pub fn declared_protocols(plant: &Plant) -> BTreeSet<String> {
    let assets = plant.assets.iter().flat_map(|a| a.protocols.iter());
    let zones = plant.zones.iter().flat_map(|z| z.protocols.iter());
    let conduits = plant.conduits.iter().flat_map(|c| c.allow.iter().filter_map(|ch| ch.protocol.as_ref()));
    assets.chain(zones).chain(conduits).map(|p| p.trim().to_ascii_lowercase()).collect()
}
