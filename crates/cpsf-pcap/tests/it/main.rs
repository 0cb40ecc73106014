//! Integration tests of cpsf-pcap, as one test binary. The protocol identity decoders run over the shared ICS
//! captures (and captures built here) through test-only capture readers (`frames`, `frames2`) and are compared
//! field by field with tshark; captures written by our own writer are read back (`capture`), header decoding
//! runs through discovery (`decode`), TCP reassembly with a toy protocol (`reassembly`), the communication matrix
//! and device merging (`matrix`), and the shared ICS captures are compared with tshark's counts (`shared`).

mod arp;
mod bacnet;
mod capture;
mod common;
mod decode;
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
mod matrix;
mod modbus;
mod mqtt;
mod noise2;
mod opcua;
mod pipeline;
mod pndcp;
mod reassembly;
mod s7comm;
mod shared;
mod snmp;
mod tshark;
