//! Integration tests of cpsf-pcap, built as one test binary. The decoder tests read the shared ICS captures and
//! captures they make, and compare what the decoders report with what tshark shows for the same packets.

mod arp;
mod bacnet;
mod decoders_all_captures;
mod dhcp;
mod enip;
mod frames;
mod lldp;
mod modbus;
mod pndcp;
mod s7comm;
mod tshark;
