//! Integration tests of cpsf-pcap, as one test binary. The protocol identity decoders of OPC UA, DNP3,
//! IEC 60870-5-104, MQTT, SNMP, GOOSE and HART-IP run over the shared ICS captures (and captures built here)
//! through a test-only capture reader (`frames2`), and are compared field by field with tshark.

mod dnp3;
mod frames2;
mod goose;
mod hartip;
mod iec104;
mod mqtt;
mod noise2;
mod opcua;
mod snmp;
