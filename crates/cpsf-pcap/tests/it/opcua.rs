//! OPC UA identities on the shared captures: hard-coded expectations, and the same frames compared with
//! tshark's OPC UA fields (endpoint URLs, application URIs, product URIs, application names and types,
//! security modes and policies, certificate sizes).

use std::path::Path;

use cpsf_pcap::model::{Field, Observation};

use super::frames2::*;

/// Services whose identity fields the decoder reads (GetEndpoints, FindServers, CreateSession).
const SERVICES: [&str; 6] = ["422", "425", "428", "431", "461", "464"];

fn run(rel: &str) -> Option<(std::path::PathBuf, Vec<Observation>)> {
    let path = ics_pcap(rel)?;
    let run = run_tcp(&read(&path), tcp_proto("opcua"));
    assert!(run.sink.malformed.is_empty(), "{rel}: {:?}", run.sink.malformed);
    Some((path, run.sink.observations))
}

fn role_of_type(t: &str) -> &'static str {
    match t {
        "0x00000000" => "opc ua server",
        "0x00000001" => "opc ua client",
        "0x00000002" => "opc ua client and server",
        _ => "opc ua discovery server",
    }
}

fn mode_name(m: &str) -> String {
    match m {
        "0x00000001" => "None".into(),
        "0x00000002" => "Sign".into(),
        "0x00000003" => "SignAndEncrypt".into(),
        other => other.into(),
    }
}

/// Compares every frame tshark shows a Hello or one of the read services in with what the decoder found in
/// that frame; returns how many frames were compared.
fn compare_with_tshark(path: &Path, obs: &[Observation]) -> usize {
    let fields = [
        "opcua.transport.type",
        "opcua.servicenodeid.numeric",
        "opcua.transport.endpoint",
        "opcua.EndpointUrl",
        "opcua.ApplicationUri",
        "opcua.ServerUri",
        "opcua.ProductUri",
        "opcua.loctext.Text",
        "opcua.ApplicationType",
        "opcua.MessageSecurityMode",
        "opcua.SecurityPolicyUri",
        "opcua.ServerCertificate",
    ];
    // Without this, tshark's sequence analysis calls two segments of opcua_with-gap.pcap spurious
    // retransmissions and never reassembles the CreateSession response.
    let rows = tshark(path, &["tcp.analyze_sequence_numbers:FALSE"], "opcua", &fields);
    let ours = |field: Field| values(obs, field);
    let (urls, uris, products, names, roles, statuses) = (
        ours(Field::EndpointUrl),
        ours(Field::ApplicationUri),
        ours(Field::ProductUri),
        ours(Field::Name),
        ours(Field::Role),
        ours(Field::Status),
    );
    let mut compared = 0;
    for (frame, row) in &rows {
        let col = |i: usize| row.get(i).cloned().unwrap_or_default();
        let hello = col(0).iter().any(|t| t == "HEL");
        if !hello && !col(1).iter().any(|s| SERVICES.contains(&s.as_str())) {
            continue;
        }
        compared += 1;
        let get = |m: &std::collections::BTreeMap<u64, Vec<String>>| m.get(frame).cloned().unwrap_or_default();
        let nonempty = |v: Vec<String>| set(v.into_iter().filter(|s| !s.is_empty()));
        assert_eq!(get(&urls), nonempty([col(2), col(3)].concat()), "frame {frame}: endpoint URLs");
        assert_eq!(get(&uris), nonempty([col(4), col(5)].concat()), "frame {frame}: application URIs");
        assert_eq!(get(&products), nonempty(col(6)), "frame {frame}: product URIs");
        assert_eq!(get(&names), nonempty(col(7)), "frame {frame}: application names");
        for t in col(8) {
            assert!(get(&roles).contains(&role_of_type(&t).to_string()), "frame {frame}: application type {t}");
        }
        let status = get(&statuses);
        let modes =
            set(status.iter().filter_map(|s| s.split("security mode ").nth(1)?.split(',').next().map(str::to_string)));
        assert_eq!(modes, set(col(9).iter().map(|m| mode_name(m))), "frame {frame}: security modes");
        for s in &status {
            if let Some(policy) = s.split(", policy ").nth(1) {
                assert!(col(10).iter().any(|p| p == policy), "frame {frame}: policy {policy}");
            }
        }
        let certs = set(status.iter().filter(|s| s.starts_with("server certificate")).cloned());
        let tshark_certs =
            // A null certificate shows as `<MISSING>`.
            set(col(11).iter().filter(|c| !c.is_empty() && !c.starts_with('<')).map(|c| format!("server certificate {} bytes", c.len() / 2)));
        assert_eq!(certs, tshark_certs, "frame {frame}: certificates");
    }
    // Every frame the decoder reported is a Hello, an Acknowledge, or one of the compared services.
    for o in obs {
        let row = rows.get(&o.frame).unwrap_or_else(|| panic!("frame {} is not OPC UA for tshark", o.frame));
        let kinds = row.first().cloned().unwrap_or_default();
        let services = row.get(1).cloned().unwrap_or_default();
        assert!(
            kinds.iter().any(|k| k == "HEL" || k == "ACK") || services.iter().any(|s| SERVICES.contains(&s.as_str())),
            "frame {}: {kinds:?} {services:?}",
            o.frame
        );
    }
    compared
}

#[test]
fn getendpoints_open62541() {
    let Some((path, obs)) = run("opcua/open62541_client-server-getEndpoints.pcap") else { return };
    assert_eq!(
        lines(&obs),
        [
            "5 ::1 role=opc ua client",
            "5 ::1 role=opc ua server; endpoint_url=opc.tcp://localhost:4840",
            "7 ::1 role=opc ua server",
            "13 ::1 role=opc ua client",
            "13 ::1 role=opc ua server; endpoint_url=opc.tcp://localhost:4840",
            // The server answered GetEndpoints with no endpoints (a null array).
            "15 ::1 role=opc ua server",
        ]
    );
    if have_tshark() {
        assert_eq!(compare_with_tshark(&path, &obs), 3);
    }
}

#[test]
fn create_session_python_opcua() {
    let Some((path, obs)) = run("opcua/python_opcua-client-server_minimal.pcap") else { return };
    assert_eq!(
        lines(&obs),
        [
            "7 127.0.0.1 role=opc ua client",
            "7 127.0.0.1 role=opc ua server; endpoint_url=opc.tcp://localhost:4840/freeopcua/server/",
            "9 127.0.0.1 role=opc ua server",
            "15 127.0.0.1 role=opc ua client; application_uri=urn:freeopcua:client; \
             product_uri=urn:freeopcua.github.io:client; name=Pure Python Client",
            "15 127.0.0.1 role=opc ua server; endpoint_url=opc.tcp://localhost:4840/freeopcua/server/",
            "17 127.0.0.1 role=opc ua client and server; application_uri=urn:freeopcua:python:server; \
             product_uri=urn:freeopcua.github.io:python:server; name=FreeOpcUa Python Server; \
             endpoint_url=opc.tcp://127.0.0.1:4840/freeopcua/server/; \
             status=endpoint opc.tcp://127.0.0.1:4840/freeopcua/server/: security mode None, \
             policy http://opcfoundation.org/UA/SecurityPolicy#None",
        ]
    );
    if have_tshark() {
        assert_eq!(compare_with_tshark(&path, &obs), 3);
    }
}

#[test]
fn create_session_response_across_segments() {
    let Some((path, obs)) = run("opcua/opcua_with-gap.pcap") else { return };
    let policy = "http://opcfoundation.org/UA/SecurityPolicy#";
    let url = "opc.tcp://192.168.11.34:4840";
    let endpoints: Vec<String> = [
        ("None", "None"),
        ("Sign", "Basic128Rsa15"),
        ("Sign", "Basic256"),
        ("Sign", "Basic256Sha256"),
        ("SignAndEncrypt", "Basic128Rsa15"),
        ("SignAndEncrypt", "Basic256"),
        ("SignAndEncrypt", "Basic256Sha256"),
    ]
    .iter()
    .map(|(m, p)| format!("; status=endpoint {url}: security mode {m}, policy {policy}{p}"))
    .collect();
    assert_eq!(
        lines(&obs),
        [
            "4 192.168.11.33 role=opc ua client".to_string(),
            format!("4 192.168.11.34 role=opc ua server; endpoint_url={url}"),
            "6 192.168.11.34 role=opc ua server".into(),
            "10 192.168.11.33 role=opc ua client; application_uri=urn:MES::FraunhoferIOSB:SiLab UA-Client; \
             product_uri=urn:FraunhoferIOSB:SiLabUAServer:Client; name=SiLab OPC UA Server-Client"
                .into(),
            format!("10 192.168.11.34 role=opc ua server; endpoint_url={url}"),
            // The response is 13990 bytes in 11 segments; it completes in frame 30.
            format!(
                "30 192.168.11.34 role=opc ua server; application_uri=urn:00:06:71:33:05:02; \
                 product_uri=urn:Softing:SoftingOPCUAGateway; name=Softing OPC UA Gateway; endpoint_url={url}{}; \
                 status=server certificate 1038 bytes",
                endpoints.concat()
            ),
        ]
    );
    if have_tshark() {
        assert_eq!(compare_with_tshark(&path, &obs), 3);
    }
}
