//! OPC UA binary (UA TCP / UA Secure Conversation) identity: the endpoint URL a client's Hello asks for, the
//! application descriptions and endpoints in GetEndpoints, FindServers and CreateSession messages, and the
//! client/server roles. Port 4843 carries OPC UA over TLS: only the roles (and the server name a TLS
//! ClientHello asks for) are read there. Chunks of a secured channel are never decrypted: a message body is
//! read only when it starts with the type id of one of the services above.

use super::tls_hello;
use crate::model::{Field, PacketMeta, Side, Sink};
use crate::proto::Framing;

pub const NAME: &str = "opcua";
/// 4840: UA TCP; 4843: UA TCP over TLS.
pub const PORTS: &[u16] = &[4840, 4843];

/// Largest message accepted in a stream; a header saying more is not OPC UA (the reassembler would
/// otherwise buffer that much).
const MAX_MESSAGE: usize = 16 << 20;
/// How deep DiagnosticInfo may nest before the message is called malformed.
const MAX_DIAG_DEPTH: u32 = 8;

const ROLE_CLIENT: &str = "opc ua client";
const ROLE_SERVER: &str = "opc ua server";

// Type ids (binary encoding, namespace 0) of the services read.
const FIND_SERVERS_REQUEST: u32 = 422;
const FIND_SERVERS_RESPONSE: u32 = 425;
const GET_ENDPOINTS_REQUEST: u32 = 428;
const GET_ENDPOINTS_RESPONSE: u32 = 431;
const CREATE_SESSION_REQUEST: u32 = 461;
const CREATE_SESSION_RESPONSE: u32 = 464;

/// Stream framing: 3-byte message type, 1-byte chunk type, u32 little-endian size (header included). A TLS
/// record (port 4843) is framed by its own header.
pub fn framing(buf: &[u8]) -> Framing {
    if let Some(f) = tls_hello::framing(buf) {
        return f;
    }
    let Some(&[t0, t1, t2, chunk, s0, s1, s2, s3]) = buf.first_chunk::<8>() else {
        return match buf.first_chunk::<3>() {
            Some(t) if !known_type(t) => Framing::NotThisProtocol,
            _ => Framing::NeedMore,
        };
    };
    if !known_type(&[t0, t1, t2]) || !matches!(chunk, b'F' | b'C' | b'A') {
        return Framing::NotThisProtocol;
    }
    let size = u32::from_le_bytes([s0, s1, s2, s3]) as usize;
    if !(8..=MAX_MESSAGE).contains(&size) {
        return Framing::NotThisProtocol;
    }
    Framing::Message(size)
}

fn known_type(t: &[u8; 3]) -> bool {
    matches!(t, b"HEL" | b"ACK" | b"ERR" | b"RHE" | b"OPN" | b"MSG" | b"CLO")
}

/// Decodes one framed message (or one TLS record on 4843).
pub fn decode(meta: &PacketMeta, _side: Side, msg: &[u8], sink: &mut Sink) {
    if tls_hello::is_record(msg) {
        tls_hello::decode(NAME, ROLE_CLIENT, ROLE_SERVER, meta, msg, sink);
        return;
    }
    let (Some(&[t0, t1, t2, chunk]), Some(body)) = (msg.first_chunk::<4>(), msg.get(8..)) else {
        sink.malformed(NAME);
        return;
    };
    let mut r = Reader::new(body);
    match &[t0, t1, t2] {
        b"HEL" => {
            // version, receive buffer, send buffer, max message size, max chunk count, endpoint URL.
            let url = r.skip(20).and_then(|()| r.string());
            let Some(url) = url else {
                sink.malformed(NAME);
                return;
            };
            sink.observe(NAME, meta, meta.source(), vec![(Field::Role, ROLE_CLIENT.into())]);
            let mut fields = vec![(Field::Role, ROLE_SERVER.into())];
            push_some(&mut fields, Field::EndpointUrl, url);
            sink.observe(NAME, meta, meta.destination(), fields);
        }
        b"ACK" => {
            if body.len() < 20 {
                sink.malformed(NAME);
                return;
            }
            sink.observe(NAME, meta, meta.source(), vec![(Field::Role, ROLE_SERVER.into())]);
        }
        b"RHE" => {
            // Reverse Hello, sent by the server: its application URI and an endpoint URL.
            let (Some(uri), Some(url)) = (r.string(), r.string()) else {
                sink.malformed(NAME);
                return;
            };
            let mut fields = vec![(Field::Role, ROLE_SERVER.into())];
            push_some(&mut fields, Field::ApplicationUri, uri);
            push_some(&mut fields, Field::EndpointUrl, url);
            sink.observe(NAME, meta, meta.source(), fields);
        }
        b"MSG" if matches!(chunk, b'F' | b'C') => {
            // Secure channel id, token id, sequence number, request id, then the body.
            if r.skip(16).is_none() {
                sink.malformed(NAME);
                return;
            }
            service(meta, chunk == b'F', &mut r, sink);
        }
        b"OPN" if matches!(chunk, b'F' | b'C') => {
            // The asymmetric header: secure channel id, security policy URI, sender certificate, receiver
            // thumbprint. Its body (OpenSecureChannel) names no application, so only the header is checked.
            let policy = r.skip(4).and_then(|()| r.string());
            if policy.is_none() {
                sink.malformed(NAME);
            }
        }
        _ => {}
    }
}

/// Reads a secure-conversation body: the service type id, then the services that carry identity.
/// `last` says the chunk is final (running out of bytes is then malformed; in a first chunk it is expected).
fn service(meta: &PacketMeta, last: bool, r: &mut Reader, sink: &mut Sink) {
    let Some(type_id) = r.type_id() else { return };
    let mut out = Found::default();
    let complete = match type_id {
        GET_ENDPOINTS_REQUEST | FIND_SERVERS_REQUEST => request_url(r, &mut out),
        GET_ENDPOINTS_RESPONSE => {
            response_header(r).and_then(|good| if good { endpoints(r, &mut out) } else { Some(()) })
        }
        FIND_SERVERS_RESPONSE => {
            response_header(r).and_then(|good| if good { find_servers(r, &mut out) } else { Some(()) })
        }
        CREATE_SESSION_REQUEST => create_session_request(r, &mut out),
        CREATE_SESSION_RESPONSE => {
            response_header(r).and_then(|good| if good { create_session_response(r, &mut out) } else { Some(()) })
        }
        _ => return,
    };
    if complete.is_none() && last {
        sink.malformed(NAME);
    }
    let (sender_role, receiver_role) = match type_id {
        GET_ENDPOINTS_REQUEST | FIND_SERVERS_REQUEST | CREATE_SESSION_REQUEST => (ROLE_CLIENT, ROLE_SERVER),
        _ => (ROLE_SERVER, ROLE_CLIENT),
    };
    let mut sender = out.sender;
    if !sender.iter().any(|(f, _)| *f == Field::Role) {
        sender.insert(0, (Field::Role, sender_role.into()));
    }
    let mut receiver = out.receiver;
    if !receiver.is_empty() && !receiver.iter().any(|(f, _)| *f == Field::Role) {
        receiver.insert(0, (Field::Role, receiver_role.into()));
    }
    sink.observe(NAME, meta, meta.source(), sender);
    sink.observe(NAME, meta, meta.destination(), receiver);
}

/// Facts about the sender and the receiver of one message.
#[derive(Default)]
struct Found {
    sender: Vec<(Field, String)>,
    receiver: Vec<(Field, String)>,
}

fn push_some(fields: &mut Vec<(Field, String)>, field: Field, value: Option<String>) {
    if let Some(v) = value {
        push(fields, field, v);
    }
}

/// Adds a fact once (descriptions repeat the same server in every endpoint).
fn push(fields: &mut Vec<(Field, String)>, field: Field, value: String) {
    if !value.is_empty() && !fields.iter().any(|(f, v)| *f == field && *v == value) {
        fields.push((field, value));
    }
}

/// GetEndpoints / FindServers request: the request header, then the endpoint URL the client asks for.
fn request_url(r: &mut Reader, out: &mut Found) -> Option<()> {
    request_header(r)?;
    push_some(&mut out.receiver, Field::EndpointUrl, r.string()?);
    Some(())
}

/// An array of EndpointDescription; the certificates are stated after the endpoints.
fn endpoints(r: &mut Reader, out: &mut Found) -> Option<()> {
    let n = r.array_len()?;
    let mut certs = Vec::new();
    let mut read = Some(());
    for _ in 0..n {
        match endpoint(r, &mut out.sender) {
            Some(cert) => certs.push(cert),
            None => {
                read = None;
                break;
            }
        }
    }
    for cert in certs {
        certificate(&mut out.sender, cert);
    }
    read
}

/// FindServers answers with application descriptions. A discovery server lists other servers too, so only a
/// lone description, or the discovery server's own, is taken as the sender's.
fn find_servers(r: &mut Reader, out: &mut Found) -> Option<()> {
    let n = r.array_len()?;
    let mut all = Vec::new();
    for _ in 0..n {
        let mut fields = Vec::new();
        let kind = application(r, &mut fields)?;
        all.push((kind, fields));
    }
    let lone = all.len() == 1;
    for (kind, fields) in all {
        if lone || kind == Some(3) {
            for (f, v) in fields {
                push(&mut out.sender, f, v);
            }
        }
    }
    Some(())
}

fn create_session_request(r: &mut Reader, out: &mut Found) -> Option<()> {
    request_header(r)?;
    application(r, &mut out.sender)?;
    // serverUri names the server the client means; endpointUrl the address it used.
    push_some(&mut out.receiver, Field::ApplicationUri, r.string()?);
    push_some(&mut out.receiver, Field::EndpointUrl, r.string()?);
    Some(())
}

fn create_session_response(r: &mut Reader, out: &mut Found) -> Option<()> {
    r.node_id()?; // session id
    r.node_id()?; // authentication token
    r.skip(8)?; // revised session timeout (Double)
    r.byte_string()?; // server nonce
    let cert = r.byte_string()?;
    let read = endpoints(r, out);
    certificate(&mut out.sender, cert);
    read
}

fn certificate(fields: &mut Vec<(Field, String)>, cert: Option<&[u8]>) {
    if let Some(c) = cert.filter(|c| !c.is_empty()) {
        push(fields, Field::Status, format!("server certificate {} bytes", c.len()));
    }
}

/// EndpointDescription: URL, the server's application description, certificate, security mode and policy,
/// user token policies, transport profile, security level.
/// Returns the server certificate.
fn endpoint<'a>(r: &mut Reader<'a>, fields: &mut Vec<(Field, String)>) -> Option<Option<&'a [u8]>> {
    let url = r.string()?;
    application(r, fields)?;
    let cert = r.byte_string()?;
    let mode = r.u32()?;
    let policy = r.string()?;
    if let Some(u) = &url {
        push(fields, Field::EndpointUrl, u.clone());
    }
    let mode = match mode {
        1 => "None".to_string(),
        2 => "Sign".to_string(),
        3 => "SignAndEncrypt".to_string(),
        n => format!("mode {n}"),
    };
    let status = format!(
        "endpoint {}: security mode {mode}, policy {}",
        url.as_deref().unwrap_or("(none)"),
        policy.as_deref().unwrap_or("(none)")
    );
    push(fields, Field::Status, status);
    let tokens = r.array_len()?;
    for _ in 0..tokens {
        r.string()?; // policy id
        r.u32()?; // token type
        r.string()?; // issued token type
        r.string()?; // issuer endpoint URL
        r.string()?; // security policy URI
    }
    r.string()?; // transport profile
    r.u8()?; // security level
    Some(cert)
}

/// ApplicationDescription; returns its application type.
fn application(r: &mut Reader, fields: &mut Vec<(Field, String)>) -> Option<Option<u32>> {
    let uri = r.string()?;
    let product = r.string()?;
    let name = r.localized_text()?;
    let kind = r.u32()?;
    push_some(fields, Field::ApplicationUri, uri);
    push_some(fields, Field::ProductUri, product);
    push_some(fields, Field::Name, name);
    let role = match kind {
        0 => ROLE_SERVER,
        1 => ROLE_CLIENT,
        2 => "opc ua client and server",
        3 => "opc ua discovery server",
        _ => "",
    };
    if !role.is_empty() && !fields.iter().any(|(f, _)| *f == Field::Role) {
        fields.insert(0, (Field::Role, role.into()));
    }
    r.string()?; // gateway server URI
    r.string()?; // discovery profile URI
    let urls = r.array_len()?;
    for _ in 0..urls {
        r.string()?;
    }
    Some(Some(kind))
}

fn request_header(r: &mut Reader) -> Option<()> {
    r.node_id()?; // authentication token
    r.skip(8 + 4 + 4)?; // timestamp, request handle, return diagnostics
    r.string()?; // audit entry id
    r.skip(4)?; // timeout hint
    r.extension_object()
}

/// ResponseHeader; says whether the service result is good (a bad result carries no body).
fn response_header(r: &mut Reader) -> Option<bool> {
    r.skip(8 + 4)?; // timestamp, request handle
    let result = r.u32()?;
    r.diagnostic_info(0)?;
    let n = r.array_len()?;
    for _ in 0..n {
        r.string()?;
    }
    r.extension_object()?;
    Some(result & 0x8000_0000 == 0)
}

/// A bounds-checked little-endian reader over OPC UA binary encoding.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    fn skip(&mut self, n: usize) -> Option<()> {
        self.take(n).map(|_| ())
    }

    fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).and_then(|s| s.first().copied())
    }

    fn u16(&mut self) -> Option<u16> {
        let s = self.take(2)?;
        Some(u16::from_le_bytes([*s.first()?, *s.get(1)?]))
    }

    fn u32(&mut self) -> Option<u32> {
        let s = self.take(4)?;
        Some(u32::from_le_bytes([*s.first()?, *s.get(1)?, *s.get(2)?, *s.get(3)?]))
    }

    /// An Int32 length: `None` inside for a null (-1), an error for other negatives or more than is left.
    fn length(&mut self) -> Option<Option<usize>> {
        let n = self.u32()? as i32;
        if n == -1 {
            return Some(None);
        }
        let n = usize::try_from(n).ok()?;
        (n <= self.remaining()).then_some(Some(n))
    }

    fn byte_string(&mut self) -> Option<Option<&'a [u8]>> {
        match self.length()? {
            None => Some(None),
            Some(n) => self.take(n).map(Some),
        }
    }

    fn string(&mut self) -> Option<Option<String>> {
        Some(self.byte_string()?.map(|b| String::from_utf8_lossy(b).into_owned()))
    }

    /// An array's element count (null and empty are 0). Every element takes at least one byte, so a count
    /// above what is left is malformed.
    fn array_len(&mut self) -> Option<usize> {
        Some(self.length()?.unwrap_or(0))
    }

    fn localized_text(&mut self) -> Option<Option<String>> {
        let mask = self.u8()?;
        if mask & 0x01 != 0 {
            self.string()?;
        }
        if mask & 0x02 != 0 { self.string() } else { Some(None) }
    }

    /// A NodeId or ExpandedNodeId; returns the numeric identifier in namespace 0 when it is one.
    fn node_id(&mut self) -> Option<Option<u32>> {
        let enc = self.u8()?;
        let id = match enc & 0x0f {
            0 => Some(u32::from(self.u8()?)),
            1 => {
                let ns = self.u8()?;
                let id = u32::from(self.u16()?);
                (ns == 0).then_some(id)
            }
            2 => {
                let ns = self.u16()?;
                let id = self.u32()?;
                (ns == 0).then_some(id)
            }
            3 => {
                self.skip(2)?;
                self.byte_string()?;
                None
            }
            4 => {
                self.skip(2 + 16)?;
                None
            }
            5 => {
                self.skip(2)?;
                self.byte_string()?;
                None
            }
            _ => return None,
        };
        if enc & 0x80 != 0 {
            self.byte_string()?; // namespace URI
        }
        if enc & 0x40 != 0 {
            self.skip(4)?; // server index
        }
        Some(id)
    }

    /// The type id that opens a service body: the binary-encoding node id, numeric in namespace 0.
    fn type_id(&mut self) -> Option<u32> {
        self.node_id()?
    }

    fn extension_object(&mut self) -> Option<()> {
        self.node_id()?;
        match self.u8()? {
            0 => Some(()),
            1 | 2 => self.byte_string().map(|_| ()),
            _ => None,
        }
    }

    fn diagnostic_info(&mut self, depth: u32) -> Option<()> {
        if depth > MAX_DIAG_DEPTH {
            return None;
        }
        let mask = self.u8()?;
        for bit in [0x01u8, 0x02, 0x04, 0x08] {
            if mask & bit != 0 {
                self.skip(4)?;
            }
        }
        if mask & 0x10 != 0 {
            self.string()?;
        }
        if mask & 0x20 != 0 {
            self.skip(4)?;
        }
        if mask & 0x40 != 0 {
            self.diagnostic_info(depth + 1)?;
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Vec<u8> {
        let mut o = (v.len() as u32).to_le_bytes().to_vec();
        o.extend_from_slice(v.as_bytes());
        o
    }

    fn hello(url: &str) -> Vec<u8> {
        let mut body = vec![0u8; 20];
        body.extend(s(url));
        let mut m = b"HELF".to_vec();
        m.extend(((body.len() + 8) as u32).to_le_bytes());
        m.extend(body);
        m
    }

    /// A GetEndpoints response with one endpoint, built from the encoding rules.
    fn get_endpoints_response() -> Vec<u8> {
        let mut b = vec![1, 0];
        b.extend(431u16.to_le_bytes());
        b.extend([0u8; 12]); // timestamp, request handle
        b.extend(0u32.to_le_bytes()); // good
        b.push(0); // diagnostics
        b.extend((-1i32).to_le_bytes()); // string table
        b.extend([0, 0, 0]); // additional header
        b.extend(1u32.to_le_bytes());
        b.extend(s("opc.tcp://plc:4840"));
        b.extend(s("urn:plc"));
        b.extend(s("urn:vendor:product"));
        b.push(3);
        b.extend(s("en"));
        b.extend(s("PLC 1"));
        b.extend(0u32.to_le_bytes());
        b.extend((-1i32).to_le_bytes());
        b.extend((-1i32).to_le_bytes());
        b.extend(0u32.to_le_bytes());
        b.extend(s("CERT"));
        b.extend(3u32.to_le_bytes());
        b.extend(s("http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256"));
        b.extend(0u32.to_le_bytes());
        b.extend(s("tp"));
        b.push(1);
        let mut m = b"MSGF".to_vec();
        m.extend(((b.len() + 24) as u32).to_le_bytes());
        m.extend([0u8; 16]);
        m.extend(b);
        m
    }

    fn meta() -> PacketMeta {
        PacketMeta {
            frame: 1,
            src_ip: Some([10, 0, 0, 1].into()),
            dst_ip: Some([10, 0, 0, 2].into()),
            src_port: 4840,
            dst_port: 50000,
            ..PacketMeta::default()
        }
    }

    #[test]
    fn reads_hello_and_endpoints() {
        let mut sink = Sink::default();
        let h = hello("opc.tcp://plc:4840");
        assert_eq!(framing(&h), Framing::Message(h.len()));
        decode(&meta(), Side::Client, &h, &mut sink);
        let m = get_endpoints_response();
        assert_eq!(framing(&m), Framing::Message(m.len()));
        decode(&meta(), Side::Server, &m, &mut sink);
        assert!(sink.malformed.is_empty(), "{:?}", sink.malformed);
        let last = sink.observations.last().map(|o| o.fields.clone()).unwrap_or_default();
        let want = [
            (Field::Role, "opc ua server"),
            (Field::ApplicationUri, "urn:plc"),
            (Field::ProductUri, "urn:vendor:product"),
            (Field::Name, "PLC 1"),
            (Field::EndpointUrl, "opc.tcp://plc:4840"),
            (
                Field::Status,
                "endpoint opc.tcp://plc:4840: security mode SignAndEncrypt, policy \
                 http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256",
            ),
            (Field::Status, "server certificate 4 bytes"),
        ];
        let got: Vec<(Field, &str)> = last.iter().map(|(f, v)| (*f, v.as_str())).collect();
        assert_eq!(got, want);
        assert_eq!(sink.observations[1].fields[1], (Field::EndpointUrl, "opc.tcp://plc:4840".into()));
    }

    #[test]
    fn framing_rejects_other_protocols() {
        assert_eq!(framing(b"GET / HTTP/1.1\r\n"), Framing::NotThisProtocol);
        assert_eq!(framing(b"HE"), Framing::NeedMore);
        assert_eq!(framing(b"HELF\x04\0\0\0"), Framing::NotThisProtocol);
        assert_eq!(framing(b"HELF\xff\xff\xff\x7f"), Framing::NotThisProtocol);
    }

    #[test]
    fn truncations_and_noise_never_panic() {
        let m = get_endpoints_response();
        for n in 0..m.len() {
            let mut sink = Sink::default();
            let _ = framing(&m[..n]);
            decode(&meta(), Side::Server, &m[..n], &mut sink);
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..2000 {
            let mut buf = b"MSGF".to_vec();
            for _ in 0..(x % 200) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                buf.push(x as u8);
            }
            // Half the time, give it a type id the decoder reads.
            if x & 1 == 0 && buf.len() >= 28 {
                buf[24..28].copy_from_slice(&[1, 0, 0xaf, 0x01]);
            }
            let mut sink = Sink::default();
            let _ = framing(&buf);
            decode(&meta(), Side::Server, &buf, &mut sink);
        }
    }
}
