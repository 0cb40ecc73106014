//! ARP over Ethernet for IPv4 (EtherType 0x0806): the MAC/IP pair each sender declares for itself, in requests,
//! replies and gratuitous announcements alike. ARP probes (sender IP 0.0.0.0) declare only the MAC.

use std::net::{IpAddr, Ipv4Addr};

use super::octets::Octets;
use crate::model::{DeviceKey, Field, Mac, PacketMeta, Sink};

pub const NAME: &str = "arp";

/// Reads one ARP packet (the frame's payload after the EtherType).
pub fn decode(meta: &PacketMeta, msg: &[u8], sink: &mut Sink) {
    let mut o = Octets::new(msg);
    let (Some(htype), Some(ptype), Some(hlen), Some(plen), Some(_op)) =
        (o.u16be(), o.u16be(), o.u8(), o.u8(), o.u16be())
    else {
        sink.malformed(NAME);
        return;
    };
    // Other hardware or protocol types are not Ethernet/IPv4 ARP and are left alone.
    if (htype, ptype, hlen, plen) != (1, 0x0800, 6, 4) {
        return;
    }
    let (Some(sha), Some(spa)) = (o.array::<6>(), o.array::<4>()) else {
        sink.malformed(NAME);
        return;
    };
    let mac = Mac(sha);
    let ip = Ipv4Addr::from(spa);
    if mac.0 == [0; 6] || mac.is_multicast() {
        return;
    }
    let ip = (!ip.is_unspecified()).then_some(IpAddr::V4(ip));
    let mut fields = vec![(Field::DeclaredMac, mac.to_string())];
    if let Some(ip) = ip {
        fields.push((Field::DeclaredIp, ip.to_string()));
    }
    sink.observe(NAME, meta, DeviceKey { ip, mac: Some(mac) }, fields);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::octets::testing::shake;

    /// The reply in s7comm_reading_plc_status.pcap frame 4: 192.168.1.40 is at 00:1b:1b:23:eb:3b.
    const REPLY: &[u8] = b"\x00\x01\x08\x00\x06\x04\x00\x02\x00\x1b\x1b\x23\xeb\x3b\xc0\xa8\x01\x28\
\x90\xe6\xba\x84\x5e\x41\xc0\xa8\x01\x0a";

    #[test]
    fn decodes_the_sender_pair() {
        let mut sink = Sink::default();
        decode(&PacketMeta::default(), REPLY, &mut sink);
        let o = &sink.observations[0];
        assert_eq!(o.device.ip, Some("192.168.1.40".parse().unwrap()));
        assert_eq!(
            o.fields,
            vec![(Field::DeclaredMac, "00:1b:1b:23:eb:3b".into()), (Field::DeclaredIp, "192.168.1.40".into())]
        );
    }

    #[test]
    fn a_probe_declares_only_the_mac() {
        let mut probe = REPLY.to_vec();
        probe[14..18].copy_from_slice(&[0, 0, 0, 0]);
        let mut sink = Sink::default();
        decode(&PacketMeta::default(), &probe, &mut sink);
        assert_eq!(sink.observations[0].fields, vec![(Field::DeclaredMac, "00:1b:1b:23:eb:3b".into())]);
        assert_eq!(sink.observations[0].device.ip, None);
    }

    #[test]
    fn never_panics() {
        shake(REPLY, |m| {
            let mut sink = Sink::default();
            decode(&PacketMeta::default(), m, &mut sink);
        });
    }
}
