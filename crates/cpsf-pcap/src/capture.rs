//! Streaming reader of capture files: classic pcap (either byte order, micro- or nanosecond timestamps) and
//! pcapng (sections in either byte order, one interface description per interface with its link type and
//! timestamp resolution, enhanced, simple and obsolete packet blocks; other blocks skipped), over any
//! [`Read`], through one buffer that is refilled in large reads and reused for every packet.
//!
//! A file that ends inside a record or holds a block that cannot be right gives one [`CaptureError`] naming
//! the byte offset; the reader then stops (every later call returns `Ok(None)`). Nothing here panics.

use std::io::{ErrorKind, Read};

use crate::model::Micros;

/// LINKTYPE_NULL: BSD loopback, a 4-byte address family in the writer's byte order.
pub const LINKTYPE_NULL: u32 = 0;
/// LINKTYPE_ETHERNET.
pub const LINKTYPE_ETHERNET: u32 = 1;
/// LINKTYPE_LOOP: OpenBSD loopback, a 4-byte address family in network byte order.
pub const LINKTYPE_LOOP: u32 = 108;
/// LINKTYPE_RAW: raw IPv4 or IPv6, by the version nibble.
pub const LINKTYPE_RAW: u32 = 101;
/// LINKTYPE_LINUX_SLL: Linux cooked capture v1.
pub const LINKTYPE_LINUX_SLL: u32 = 113;
/// LINKTYPE_IPV4.
pub const LINKTYPE_IPV4: u32 = 228;
/// LINKTYPE_IPV6.
pub const LINKTYPE_IPV6: u32 = 229;
/// LINKTYPE_LINUX_SLL2: Linux cooked capture v2.
pub const LINKTYPE_LINUX_SLL2: u32 = 276;

/// The link types discovery decodes; packets of any other are counted and skipped.
pub fn link_type_supported(link_type: u32) -> bool {
    matches!(
        link_type,
        LINKTYPE_NULL
            | LINKTYPE_LOOP
            | LINKTYPE_ETHERNET
            | LINKTYPE_RAW
            | LINKTYPE_LINUX_SLL
            | LINKTYPE_IPV4
            | LINKTYPE_IPV6
            | LINKTYPE_LINUX_SLL2
    )
}

/// The first read asks for this much; the buffer only grows for a block larger than it.
const BUFFER_SIZE: usize = 1 << 21;
/// A packet or block larger than this is taken for corruption (Wireshark's own limit for most link types is
/// 256 KiB; a few reach megabytes).
pub const MAX_BLOCK: usize = 64 << 20;

const PCAP_MICROS: u32 = 0xa1b2_c3d4;
const PCAP_NANOS: u32 = 0xa1b2_3c4d;
const PCAPNG_SHB: u32 = 0x0a0d_0d0a;
const PCAPNG_BYTE_ORDER: u32 = 0x1a2b_3c4d;

/// Which container a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Pcap,
    Pcapng,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Pcap => "pcap",
            Format::Pcapng => "pcapng",
        }
    }
}

/// One captured packet, borrowed from the reader's buffer until the next call.
#[derive(Clone, Copy, Debug)]
pub struct Packet<'a> {
    pub link_type: u32,
    pub ts: Micros,
    /// The bytes captured (possibly fewer than were on the wire).
    pub data: &'a [u8],
    /// The packet's length on the wire.
    pub orig_len: u32,
}

/// Why a capture could not be read (further).
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("cannot read at byte {offset}: {source}")]
    Io { offset: u64, source: std::io::Error },
    #[error("not a pcap or pcapng file (it starts with {0})")]
    NotACapture(String),
    #[error("the file ends inside a {what} at byte {offset}")]
    Truncated { what: &'static str, offset: u64 },
    #[error("corrupt {what} at byte {offset}: {detail}")]
    Corrupt { what: &'static str, offset: u64, detail: String },
}

impl CaptureError {
    /// The byte offset the problem was found at, when there is one.
    pub fn offset(&self) -> Option<u64> {
        match self {
            CaptureError::Io { offset, .. }
            | CaptureError::Truncated { offset, .. }
            | CaptureError::Corrupt { offset, .. } => Some(*offset),
            CaptureError::NotACapture(_) => None,
        }
    }
}

/// A refillable window on a reader.
struct Window<R> {
    reader: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// File offset of `buf[start]`.
    offset: u64,
    eof: bool,
}

impl<R: Read> Window<R> {
    fn new(reader: R) -> Self {
        Window { reader, buf: vec![0; BUFFER_SIZE], start: 0, end: 0, offset: 0, eof: false }
    }

    fn available(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or(&[])
    }

    /// Make at least `need` bytes available unless the file ends first; true when they are.
    fn fill(&mut self, need: usize) -> Result<bool, CaptureError> {
        if self.end - self.start >= need {
            return Ok(true);
        }
        if need > self.buf.len() {
            let size = need.next_power_of_two().max(BUFFER_SIZE);
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            self.buf.resize(size, 0);
        } else if self.start + need > self.buf.len() {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        while self.end - self.start < need && !self.eof {
            let Some(space) = self.buf.get_mut(self.end..) else { break };
            match self.reader.read(space) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(CaptureError::Io { offset: self.offset + (self.end - self.start) as u64, source });
                }
            }
        }
        Ok(self.end - self.start >= need)
    }

    fn consume(&mut self, n: usize) {
        let n = n.min(self.end - self.start);
        self.start += n;
        self.offset += n as u64;
    }

    /// True when nothing is left: the end of the file was reached and every byte consumed.
    fn at_end(&mut self) -> Result<bool, CaptureError> {
        Ok(!self.fill(1)?)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Endian {
    Little,
    Big,
}

impl Endian {
    fn u16(self, b: &[u8], at: usize) -> u16 {
        let v = [b.get(at).copied().unwrap_or(0), b.get(at + 1).copied().unwrap_or(0)];
        match self {
            Endian::Little => u16::from_le_bytes(v),
            Endian::Big => u16::from_be_bytes(v),
        }
    }

    fn u32(self, b: &[u8], at: usize) -> u32 {
        let mut v = [0u8; 4];
        if let Some(s) = b.get(at..at + 4) {
            v.copy_from_slice(s);
        }
        match self {
            Endian::Little => u32::from_le_bytes(v),
            Endian::Big => u32::from_be_bytes(v),
        }
    }

    fn u64(self, b: &[u8], at: usize) -> u64 {
        let mut v = [0u8; 8];
        if let Some(s) = b.get(at..at + 8) {
            v.copy_from_slice(s);
        }
        match self {
            Endian::Little => u64::from_le_bytes(v),
            Endian::Big => u64::from_be_bytes(v),
        }
    }
}

/// How an interface's timestamp units become microseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Resolution {
    /// Units are 10^-k seconds with k ≥ 6: divide by 10^(k-6).
    Divide(u64),
    /// Units are 10^-k seconds with k < 6: multiply by 10^(6-k).
    Multiply(i64),
    /// Units are 2^-k seconds.
    Binary(u32),
}

impl Resolution {
    fn from_option(v: u8) -> Resolution {
        if v & 0x80 == 0 {
            let k = u32::from(v);
            if k >= 6 {
                // 10^(k-6) overflows u64 past k = 25: such a clock ticks slower than the division can tell.
                Resolution::Divide(10u64.checked_pow(k - 6).unwrap_or(u64::MAX))
            } else {
                Resolution::Multiply(10i64.pow(6 - k))
            }
        } else {
            Resolution::Binary(u32::from(v & 0x7f))
        }
    }

    fn micros(self, units: u64) -> Micros {
        match self {
            Resolution::Divide(d) => i64::try_from(units / d).unwrap_or(i64::MAX),
            Resolution::Multiply(m) => i64::try_from(units).unwrap_or(i64::MAX).saturating_mul(m),
            Resolution::Binary(k) => {
                let v = (u128::from(units) * 1_000_000) >> k.min(127);
                i64::try_from(v).unwrap_or(i64::MAX)
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Interface {
    link_type: u32,
    snaplen: u32,
    resolution: Resolution,
    /// if_tsoffset, in microseconds.
    offset: i64,
}

/// A packet found in the buffer: link type, time, start of its data, captured length, wire length.
type Found = (u32, Micros, usize, usize, u32);

enum State {
    Pcap { endian: Endian, nanos: bool, link_type: u32 },
    Pcapng { endian: Endian, interfaces: Vec<Interface> },
    Stopped,
}

/// Reads packets from a pcap or pcapng stream, one at a time.
pub struct CaptureReader<R> {
    window: Window<R>,
    state: State,
    format: Format,
    last_ts: Micros,
}

impl<R: Read> CaptureReader<R> {
    /// Read the file header (pcap) or the first section header (pcapng).
    pub fn new(reader: R) -> Result<Self, CaptureError> {
        let mut window = Window::new(reader);
        if !window.fill(4)? {
            return Err(CaptureError::NotACapture(describe_start(window.available())));
        }
        let head = window.available();
        let le = Endian::Little.u32(head, 0);
        let be = Endian::Big.u32(head, 0);
        let (state, format) = if le == PCAPNG_SHB {
            let mut reader = CaptureReader {
                window,
                state: State::Pcapng { endian: Endian::Little, interfaces: Vec::new() },
                format: Format::Pcapng,
                last_ts: 0,
            };
            reader.section_header()?;
            return Ok(reader);
        } else if let Some((endian, nanos)) = match (le, be) {
            (PCAP_MICROS, _) => Some((Endian::Little, false)),
            (PCAP_NANOS, _) => Some((Endian::Little, true)),
            (_, PCAP_MICROS) => Some((Endian::Big, false)),
            (_, PCAP_NANOS) => Some((Endian::Big, true)),
            _ => None,
        } {
            if !window.fill(24)? {
                return Err(CaptureError::Truncated { what: "pcap file header", offset: 0 });
            }
            let link_type = endian.u32(window.available(), 20) & 0xffff;
            window.consume(24);
            (State::Pcap { endian, nanos, link_type }, Format::Pcap)
        } else {
            return Err(CaptureError::NotACapture(describe_start(head)));
        };
        Ok(CaptureReader { window, state, format, last_ts: 0 })
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// Byte offset of the next unread record.
    pub fn offset(&self) -> u64 {
        self.window.offset
    }

    /// The next packet, `Ok(None)` at the end of the file (or after an error).
    pub fn next_packet(&mut self) -> Result<Option<Packet<'_>>, CaptureError> {
        let result = match self.state {
            State::Pcap { endian, nanos, link_type } => self.next_pcap(endian, nanos, link_type),
            State::Pcapng { .. } => self.next_pcapng(),
            State::Stopped => return Ok(None),
        };
        match result {
            Ok(Some((link_type, ts, start, len, orig_len))) => {
                let data = self.window.buf.get(start..start + len).unwrap_or(&[]);
                Ok(Some(Packet { link_type, ts, data, orig_len }))
            }
            Ok(None) => {
                self.state = State::Stopped;
                Ok(None)
            }
            Err(e) => {
                self.state = State::Stopped;
                Err(e)
            }
        }
    }

    /// One classic pcap record: (link type, time, start of data in the buffer, captured length, wire length).
    fn next_pcap(&mut self, endian: Endian, nanos: bool, link_type: u32) -> Result<Option<Found>, CaptureError> {
        if self.window.at_end()? {
            return Ok(None);
        }
        let offset = self.window.offset;
        if !self.window.fill(16)? {
            return Err(CaptureError::Truncated { what: "packet record header", offset });
        }
        let h = self.window.available();
        let secs = i64::from(endian.u32(h, 0));
        let frac = i64::from(endian.u32(h, 4));
        let caplen = endian.u32(h, 8) as usize;
        let orig_len = endian.u32(h, 12);
        if caplen > MAX_BLOCK {
            return Err(CaptureError::Corrupt {
                what: "packet record",
                offset,
                detail: format!("captured length {caplen} is beyond any capture's"),
            });
        }
        if !self.window.fill(16 + caplen)? {
            return Err(CaptureError::Truncated { what: "packet", offset });
        }
        let ts = secs * 1_000_000 + if nanos { frac / 1000 } else { frac };
        let start = self.window.start + 16;
        self.window.consume(16 + caplen);
        Ok(Some((link_type, ts, start, caplen, orig_len)))
    }

    /// Read the section header block at the current position (the first one, or a new section).
    fn section_header(&mut self) -> Result<(), CaptureError> {
        let offset = self.window.offset;
        if !self.window.fill(12)? {
            return Err(CaptureError::Truncated { what: "section header block", offset });
        }
        let h = self.window.available();
        let endian = match Endian::Little.u32(h, 8) {
            PCAPNG_BYTE_ORDER => Endian::Little,
            v if v.swap_bytes() == PCAPNG_BYTE_ORDER => Endian::Big,
            v => {
                return Err(CaptureError::Corrupt {
                    what: "section header block",
                    offset,
                    detail: format!("byte-order magic {v:#010x}"),
                });
            }
        };
        let len = endian.u32(h, 4) as usize;
        let body = self.block(offset, len, "section header block", endian)?;
        let _ = body;
        self.window.consume(len);
        self.state = State::Pcapng { endian, interfaces: Vec::new() };
        Ok(())
    }

    /// Check a block's total length and make the whole block available; returns its length.
    fn block(&mut self, offset: u64, len: usize, what: &'static str, endian: Endian) -> Result<usize, CaptureError> {
        if len < 12 || !len.is_multiple_of(4) || len > MAX_BLOCK {
            return Err(CaptureError::Corrupt { what, offset, detail: format!("block length {len}") });
        }
        if !self.window.fill(len)? {
            return Err(CaptureError::Truncated { what, offset });
        }
        let b = self.window.available();
        let trailer = endian.u32(b, len - 4) as usize;
        if trailer != len {
            return Err(CaptureError::Corrupt {
                what,
                offset,
                detail: format!("block length {len} at its start but {trailer} at its end"),
            });
        }
        Ok(len)
    }

    fn next_pcapng(&mut self) -> Result<Option<Found>, CaptureError> {
        loop {
            if self.window.at_end()? {
                return Ok(None);
            }
            let offset = self.window.offset;
            if !self.window.fill(8)? {
                return Err(CaptureError::Truncated { what: "block header", offset });
            }
            let State::Pcapng { endian, .. } = self.state else { return Ok(None) };
            let h = self.window.available();
            let block_type = endian.u32(h, 0);
            if block_type == PCAPNG_SHB {
                self.section_header()?;
                continue;
            }
            let len = endian.u32(h, 4) as usize;
            let what = match block_type {
                1 => "interface description block",
                2 => "packet block",
                3 => "simple packet block",
                6 => "enhanced packet block",
                _ => "block",
            };
            self.block(offset, len, what, endian)?;
            let base = self.window.start;
            let b = self.window.available();
            let body_len = len - 12;
            let found = match block_type {
                1 => {
                    let interface = read_interface(b, endian, len).ok_or(CaptureError::Corrupt {
                        what,
                        offset,
                        detail: "shorter than an interface description".into(),
                    })?;
                    if let State::Pcapng { interfaces, .. } = &mut self.state {
                        interfaces.push(interface);
                    }
                    None
                }
                6 | 2 => {
                    // Enhanced: interface u32, ts high, ts low, caplen, origlen. Obsolete: interface u16,
                    // drops u16, then the same.
                    if body_len < 20 {
                        return Err(CaptureError::Corrupt {
                            what,
                            offset,
                            detail: "shorter than its fixed fields".into(),
                        });
                    }
                    let iface = if block_type == 6 { endian.u32(b, 8) as usize } else { usize::from(endian.u16(b, 8)) };
                    let units = (u64::from(endian.u32(b, 12)) << 32) | u64::from(endian.u32(b, 16));
                    let caplen = endian.u32(b, 20) as usize;
                    let orig_len = endian.u32(b, 24);
                    if caplen > body_len - 20 {
                        return Err(CaptureError::Corrupt {
                            what,
                            offset,
                            detail: format!("captured length {caplen} exceeds the block"),
                        });
                    }
                    let interface = self.interface(iface).ok_or_else(|| CaptureError::Corrupt {
                        what,
                        offset,
                        detail: format!("interface {iface} was not described"),
                    })?;
                    let ts = interface.resolution.micros(units).saturating_add(interface.offset);
                    Some((interface.link_type, ts, base + 28, caplen, orig_len))
                }
                3 => {
                    if body_len < 4 {
                        return Err(CaptureError::Corrupt {
                            what,
                            offset,
                            detail: "shorter than its fixed field".into(),
                        });
                    }
                    let orig_len = endian.u32(b, 8);
                    let interface = self.interface(0).ok_or(CaptureError::Corrupt {
                        what,
                        offset,
                        detail: "no interface was described".into(),
                    })?;
                    let mut caplen = (orig_len as usize).min(body_len - 4);
                    if interface.snaplen > 0 {
                        caplen = caplen.min(interface.snaplen as usize);
                    }
                    Some((interface.link_type, self.last_ts, base + 12, caplen, orig_len))
                }
                _ => None,
            };
            self.window.consume(len);
            if let Some(p) = found {
                self.last_ts = p.1;
                return Ok(Some(p));
            }
        }
    }

    fn interface(&self, index: usize) -> Option<Interface> {
        match &self.state {
            State::Pcapng { interfaces, .. } => interfaces.get(index).copied(),
            _ => None,
        }
    }
}

/// An interface description block (whole block in `b`, `len` bytes).
fn read_interface(b: &[u8], endian: Endian, len: usize) -> Option<Interface> {
    if len < 20 {
        return None;
    }
    let link_type = u32::from(endian.u16(b, 8));
    let snaplen = endian.u32(b, 12);
    let mut resolution = Resolution::Divide(1);
    let mut offset = 0i64;
    // Options: code u16, length u16, value padded to 4.
    let mut at = 16;
    let end = len - 4;
    while at + 4 <= end {
        let code = endian.u16(b, at);
        let olen = usize::from(endian.u16(b, at + 2));
        let value = b.get(at + 4..(at + 4 + olen).min(end)).unwrap_or(&[]);
        match code {
            0 => break,
            9 if olen == 1 => resolution = Resolution::from_option(value.first().copied().unwrap_or(6)),
            14 if olen == 8 => offset = (endian.u64(value, 0) as i64).saturating_mul(1_000_000),
            _ => {}
        }
        at += 4 + olen.div_ceil(4) * 4;
    }
    Some(Interface { link_type, snaplen, resolution, offset })
}

fn describe_start(b: &[u8]) -> String {
    if b.is_empty() {
        return "nothing: the file is empty".into();
    }
    let hex: Vec<String> = b.iter().take(4).map(|x| format!("{x:02x}")).collect();
    format!("bytes {}", hex.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolutions() {
        assert_eq!(Resolution::from_option(6).micros(1_500_000), 1_500_000);
        assert_eq!(Resolution::from_option(9).micros(1_500_000_000), 1_500_000);
        assert_eq!(Resolution::from_option(3).micros(1500), 1_500_000);
        assert_eq!(Resolution::from_option(0x80 | 20).micros(1 << 20), 1_000_000);
        assert_eq!(Resolution::from_option(0xff).micros(u64::MAX), 0);
        assert_eq!(Resolution::from_option(127).micros(u64::MAX), 1);
    }
}
