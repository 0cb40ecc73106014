//! Which decoder a port or EtherType belongs to: the protocol lists of [`crate::proto`] (or a test's own)
//! turned into direct lookup tables, built once per discovery run.

use crate::model::{Side, Transport};
use crate::proto::{self, EtherProtocol, TcpProtocol, UdpProtocol};

/// The protocols discovery decodes. [`Registry::default`] is the crate's own decoders.
#[derive(Clone, Copy)]
pub struct Registry {
    pub tcp: &'static [TcpProtocol],
    pub udp: &'static [UdpProtocol],
    pub ether: &'static [EtherProtocol],
}

impl Default for Registry {
    fn default() -> Self {
        Registry { tcp: proto::tcp(), udp: proto::udp(), ether: proto::ether() }
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("tcp", &self.tcp.iter().map(|p| p.name).collect::<Vec<_>>())
            .field("udp", &self.udp.iter().map(|p| p.name).collect::<Vec<_>>())
            .field("ether", &self.ether.iter().map(|p| p.name).collect::<Vec<_>>())
            .finish()
    }
}

/// Port → protocol tables (index + 1, 0 for none), so a packet costs one array read per port.
pub(crate) struct Lookup {
    pub registry: Registry,
    tcp: Box<[u16]>,
    udp: Box<[u16]>,
}

impl Lookup {
    pub fn new(registry: Registry) -> Self {
        let mut tcp = vec![0u16; 65536].into_boxed_slice();
        for (i, p) in registry.tcp.iter().enumerate().rev() {
            for &port in p.ports {
                if let Some(slot) = tcp.get_mut(usize::from(port)) {
                    *slot = u16::try_from(i + 1).unwrap_or(0);
                }
            }
        }
        let mut udp = vec![0u16; 65536].into_boxed_slice();
        for (i, p) in registry.udp.iter().enumerate().rev() {
            for &port in p.ports {
                if let Some(slot) = udp.get_mut(usize::from(port)) {
                    *slot = u16::try_from(i + 1).unwrap_or(0);
                }
            }
        }
        Lookup { registry, tcp, udp }
    }

    pub fn tcp_port(&self, port: u16) -> Option<&'static TcpProtocol> {
        let i = usize::from(*self.tcp.get(usize::from(port))?);
        self.registry.tcp.get(i.checked_sub(1)?)
    }

    pub fn udp_port(&self, port: u16) -> Option<&'static UdpProtocol> {
        let i = usize::from(*self.udp.get(usize::from(port))?);
        self.registry.udp.get(i.checked_sub(1)?)
    }

    pub fn ether(&self, ethertype: u16) -> Option<&'static EtherProtocol> {
        self.registry.ether.iter().find(|p| p.ethertype == ethertype)
    }

    /// The TCP protocol of a connection between these ports: the server port's, else the other's.
    pub fn tcp_protocol(&self, server_port: u16, other_port: u16) -> Option<&'static TcpProtocol> {
        self.tcp_port(server_port).or_else(|| self.tcp_port(other_port))
    }

    pub fn udp_protocol(&self, src_port: u16, dst_port: u16) -> Option<&'static UdpProtocol> {
        self.udp_port(dst_port).or_else(|| self.udp_port(src_port))
    }

    /// Whether a TCP or UDP port is one a decoder claims.
    pub fn known_port(&self, transport: Transport, port: u16) -> bool {
        match transport {
            Transport::Tcp => self.tcp_port(port).is_some(),
            Transport::Udp => self.udp_port(port).is_some(),
            _ => false,
        }
    }

    /// A row's protocol name: the decoder's, else `tcp/PORT`, `udp/PORT`, `ethertype/0xNNNN`, `llc/0xNN` or an
    /// IP protocol's name.
    pub fn label(&self, transport: Transport, port: u16) -> String {
        match transport {
            Transport::Tcp => self.tcp_port(port).map_or_else(|| format!("tcp/{port}"), |p| p.name.to_string()),
            Transport::Udp => self.udp_port(port).map_or_else(|| format!("udp/{port}"), |p| p.name.to_string()),
            Transport::Ethernet if port < 0x0600 => match port {
                0x42 => "stp".to_string(),
                _ => format!("llc/{port:#04x}"),
            },
            Transport::Ethernet => {
                self.ether(port).map_or_else(|| format!("ethertype/{port:#06x}"), |p| p.name.to_string())
            }
            Transport::Ip => match port {
                1 => "icmp".to_string(),
                2 => "igmp".to_string(),
                47 => "gre".to_string(),
                50 => "esp".to_string(),
                58 => "icmpv6".to_string(),
                89 => "ospf".to_string(),
                103 => "pim".to_string(),
                112 => "vrrp".to_string(),
                132 => "sctp".to_string(),
                _ => format!("ip/{port}"),
            },
        }
    }
}

/// Which side sent a message: towards the protocol's port is the client, from it the server.
pub fn side(ports: &[u16], src_port: u16, dst_port: u16) -> Side {
    match (ports.contains(&src_port), ports.contains(&dst_port)) {
        (false, true) => Side::Client,
        (true, false) => Side::Server,
        _ => Side::Unknown,
    }
}
