//! Integration tests of cpsf-pcap, as one test binary. The protocol identity decoders run over the shared ICS
//! captures (and captures built here) through test-only capture readers (`frames`, `frames2`) and are compared
//! field by field with tshark.

mod arp;
mod bacnet;
mod decoders_all_captures;
mod dhcp;
mod dnp3;
mod enip;
mod frames;
mod frames2;
mod goose;
mod hartip;
mod iec104;
mod lldp;
mod modbus;
mod mqtt;
mod noise2;
mod opcua;
mod pndcp;
mod s7comm;
mod snmp;
mod tshark;
