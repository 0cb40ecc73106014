//! What discovery reports: packet metadata as the decoders see it, the identity facts a protocol message
//! carries about a device (each with the frame it came from), and the names of those facts.

use std::net::IpAddr;

use serde::Serialize;

/// A MAC address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Mac(pub [u8; 6]);

impl std::fmt::Display for Mac {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let b = self.0;
        write!(f, "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", b[0], b[1], b[2], b[3], b[4], b[5])
    }
}

impl Serialize for Mac {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Mac {
    pub fn is_multicast(&self) -> bool {
        self.0[0] & 1 == 1
    }

    /// The first three bytes (the OUI of a universally administered address).
    pub fn oui(&self) -> [u8; 3] {
        [self.0[0], self.0[1], self.0[2]]
    }
}

/// Time of a packet, microseconds since the Unix epoch.
pub type Micros = i64;

/// The transport a message came over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Tcp,
    Udp,
    /// A layer-2 protocol (PROFINET DCP, LLDP, ARP, GOOSE, ...), by EtherType (or, below 0x0600, an 802.2 LLC
    /// frame by its DSAP).
    Ethernet,
    /// Another IP protocol (ICMP, IGMP, ...), by protocol number.
    Ip,
}

/// Where a packet came from and went, as far as its headers say.
#[derive(Clone, Copy, Debug, Default)]
pub struct PacketMeta {
    /// 1-based frame number in its capture (as Wireshark counts).
    pub frame: u64,
    pub ts: Micros,
    pub src_mac: Option<Mac>,
    pub dst_mac: Option<Mac>,
    pub vlan: Option<u16>,
    pub src_ip: Option<IpAddr>,
    pub dst_ip: Option<IpAddr>,
    pub src_port: u16,
    pub dst_port: u16,
}

/// Which side of a conversation a message was sent by, when the protocol's ports say: the client side sends
/// requests to the well-known port, the server side answers from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Client,
    Server,
    Unknown,
}

/// A fact about a device, by name (`snake_case` in output).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The vendor's name as the device states it.
    VendorName,
    /// A numeric vendor id of the protocol's registry (CIP, BACnet, PROFINET).
    VendorId,
    /// A device type / profile, name or number.
    DeviceType,
    ProductCode,
    ProductName,
    ModelName,
    /// An order number (Siemens MLFB) or part number.
    OrderNumber,
    FirmwareVersion,
    HardwareVersion,
    /// A revision as the protocol gives it (e.g. CIP major.minor).
    Revision,
    SoftwareVersion,
    SerialNumber,
    /// PROFINET name of station, S7 module/system name, BACnet object name, LLDP system name, SNMP sysName.
    Name,
    PlantId,
    Location,
    Description,
    /// The role the device plays in the protocol (master/outstation, controller/device, client/server, broker).
    Role,
    /// A protocol-level address (Modbus unit, DNP3 address, IEC 104 common address, BACnet device instance).
    ProtocolAddress,
    ClientId,
    Username,
    Hostname,
    ApplicationUri,
    ProductUri,
    EndpointUrl,
    /// An IP address the device declares (DCP, LLDP management address, DHCP).
    DeclaredIp,
    DeclaredMac,
    Status,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::VendorName => "vendor_name",
            Field::VendorId => "vendor_id",
            Field::DeviceType => "device_type",
            Field::ProductCode => "product_code",
            Field::ProductName => "product_name",
            Field::ModelName => "model_name",
            Field::OrderNumber => "order_number",
            Field::FirmwareVersion => "firmware_version",
            Field::HardwareVersion => "hardware_version",
            Field::Revision => "revision",
            Field::SoftwareVersion => "software_version",
            Field::SerialNumber => "serial_number",
            Field::Name => "name",
            Field::PlantId => "plant_id",
            Field::Location => "location",
            Field::Description => "description",
            Field::Role => "role",
            Field::ProtocolAddress => "protocol_address",
            Field::ClientId => "client_id",
            Field::Username => "username",
            Field::Hostname => "hostname",
            Field::ApplicationUri => "application_uri",
            Field::ProductUri => "product_uri",
            Field::EndpointUrl => "endpoint_url",
            Field::DeclaredIp => "declared_ip",
            Field::DeclaredMac => "declared_mac",
            Field::Status => "status",
        }
    }
}

/// Which device a fact is about: the sender of the message (an answer describes its sender), or the
/// receiver (a request names who it asks), as addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct DeviceKey {
    pub ip: Option<IpAddr>,
    pub mac: Option<Mac>,
}

/// One message's facts about one device.
#[derive(Clone, Debug, Serialize)]
pub struct Observation {
    pub device: DeviceKey,
    /// The protocol, e.g. `modbus`, `enip`, `s7comm`, `bacnet`, `pn-dcp`, `opcua`, `dnp3`, `iec104`, `mqtt`,
    /// `lldp`, `snmp`, `dhcp`, `arp`.
    pub protocol: &'static str,
    pub frame: u64,
    pub ts: Micros,
    pub fields: Vec<(Field, String)>,
}

/// Where the decoders put what they find, and what they count.
#[derive(Debug, Default)]
pub struct Sink {
    pub observations: Vec<Observation>,
    /// Messages a decoder recognised but could not read (truncated, malformed), by protocol.
    pub malformed: Vec<(&'static str, u64)>,
}

impl Sink {
    pub fn observe(
        &mut self,
        protocol: &'static str,
        meta: &PacketMeta,
        device: DeviceKey,
        fields: Vec<(Field, String)>,
    ) {
        if !fields.is_empty() {
            self.observations.push(Observation { device, protocol, frame: meta.frame, ts: meta.ts, fields });
        }
    }

    pub fn malformed(&mut self, protocol: &'static str) {
        match self.malformed.iter_mut().find(|(p, _)| *p == protocol) {
            Some((_, n)) => *n += 1,
            None => self.malformed.push((protocol, 1)),
        }
    }
}

impl PacketMeta {
    /// The sender as a device key.
    pub fn source(&self) -> DeviceKey {
        DeviceKey { ip: self.src_ip, mac: self.src_mac }
    }

    /// The receiver as a device key.
    pub fn destination(&self) -> DeviceKey {
        DeviceKey { ip: self.dst_ip, mac: self.dst_mac }
    }
}

/// One row of the communication matrix: who talked to whom, over what, how much, and when.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Flow {
    /// The side that sent first (the client of a TCP connection, the sender of a datagram or frame).
    pub src: DeviceKey,
    pub dst: DeviceKey,
    pub vlan: Option<u16>,
    pub transport: Transport,
    /// The protocol's name when a decoder claims the port or EtherType (`modbus`, `lldp`, ...), otherwise
    /// `tcp/PORT`, `udp/PORT` or `ethertype/0xNNNN`.
    pub protocol: String,
    /// The server port (TCP, UDP) or EtherType.
    pub port: u16,
    /// Packets and bytes (whole frames) in each direction: src→dst, dst→src.
    pub packets: [u64; 2],
    pub bytes: [u64; 2],
    pub first: Micros,
    pub last: Micros,
}
