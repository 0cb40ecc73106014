//! Protocol identity decoders, one module per protocol. Each knows how to find its messages (ports or EtherType)
//! and, for TCP, how long a message is in a byte stream (so the reassembler hands over whole messages), and
//! turns a message into [`Observation`](crate::model::Observation)s. Decoders never panic on any input: a
//! message they recognise but cannot read is counted as malformed and skipped.

use crate::model::{PacketMeta, Side, Sink};

pub mod arp;
pub mod bacnet;
mod ber;
pub mod dhcp;
pub mod dnp3;
pub mod enip;
pub mod goose;
pub mod hartip;
pub mod iec104;
pub mod lldp;
pub mod modbus;
pub mod mqtt;
mod octets;
pub mod opcua;
pub mod pndcp;
pub mod s7comm;
pub mod snmp;
mod tls_hello;

/// How much of a TCP stream's buffered bytes the next message takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// Not enough bytes yet to tell; wait for more.
    NeedMore,
    /// The next message is this many bytes (at least 1).
    Message(usize),
    /// The bytes do not start a message of this protocol: the stream is abandoned for it.
    NotThisProtocol,
}

/// A protocol carried over TCP: a well-known port, message framing in the stream, and decoding of one message.
pub struct TcpProtocol {
    pub name: &'static str,
    pub ports: &'static [u16],
    pub framing: fn(&[u8]) -> Framing,
    /// `side` says whether the sender is the client (towards the well-known port) or the server.
    pub decode: fn(&PacketMeta, Side, &[u8], &mut Sink),
}

/// A protocol carried in UDP datagrams.
pub struct UdpProtocol {
    pub name: &'static str,
    pub ports: &'static [u16],
    pub decode: fn(&PacketMeta, Side, &[u8], &mut Sink),
}

/// A layer-2 protocol by EtherType.
pub struct EtherProtocol {
    pub name: &'static str,
    pub ethertype: u16,
    pub decode: fn(&PacketMeta, &[u8], &mut Sink),
}

/// The TCP protocols discovery decodes.
pub fn tcp() -> &'static [TcpProtocol] {
    &[
        TcpProtocol { name: opcua::NAME, ports: opcua::PORTS, framing: opcua::framing, decode: opcua::decode },
        TcpProtocol { name: dnp3::NAME, ports: dnp3::PORTS, framing: dnp3::framing, decode: dnp3::decode },
        TcpProtocol { name: iec104::NAME, ports: iec104::PORTS, framing: iec104::framing, decode: iec104::decode },
        TcpProtocol { name: mqtt::NAME, ports: mqtt::PORTS, framing: mqtt::framing, decode: mqtt::decode },
        TcpProtocol { name: hartip::NAME, ports: hartip::PORTS, framing: hartip::framing, decode: hartip::decode },
        TcpProtocol { name: modbus::NAME, ports: &[502], framing: modbus::framing, decode: modbus::decode },
        TcpProtocol { name: enip::NAME, ports: &[44818], framing: enip::framing, decode: enip::decode },
        TcpProtocol { name: s7comm::NAME, ports: &[102], framing: s7comm::framing, decode: s7comm::decode },
    ]
}

/// The UDP protocols discovery decodes.
pub fn udp() -> &'static [UdpProtocol] {
    &[
        UdpProtocol { name: dnp3::NAME, ports: dnp3::PORTS, decode: dnp3::decode },
        UdpProtocol { name: snmp::NAME, ports: snmp::PORTS, decode: snmp::decode },
        UdpProtocol { name: hartip::NAME, ports: hartip::PORTS, decode: hartip::decode },
        UdpProtocol { name: enip::NAME, ports: &[44818], decode: enip::decode },
        UdpProtocol { name: enip::IO_NAME, ports: &[2222], decode: enip::decode_io },
        UdpProtocol { name: bacnet::NAME, ports: &[47808], decode: bacnet::decode },
        UdpProtocol { name: dhcp::NAME, ports: &[67, 68], decode: dhcp::decode },
    ]
}

/// The layer-2 protocols discovery decodes.
pub fn ether() -> &'static [EtherProtocol] {
    &[
        EtherProtocol { name: goose::NAME, ethertype: goose::ETHERTYPE, decode: goose::decode },
        EtherProtocol { name: pndcp::NAME, ethertype: 0x8892, decode: pndcp::decode },
        EtherProtocol { name: lldp::NAME, ethertype: 0x88cc, decode: lldp::decode },
        EtherProtocol { name: arp::NAME, ethertype: 0x0806, decode: arp::decode },
    ]
}
