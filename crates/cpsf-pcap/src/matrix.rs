//! The communication matrix: one row per (client, server, VLAN, transport, server port or EtherType), with
//! packets and bytes in each direction and the first and last time seen, and the rule that says which port of a
//! conversation is the server's when no SYN said so.

use foldhash::HashMap;
use foldhash::HashMapExt;

use crate::model::{DeviceKey, Flow, Micros, Transport};
use crate::registry::Lookup;

/// What identifies a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FlowKey {
    pub src: DeviceKey,
    pub dst: DeviceKey,
    pub vlan: Option<u16>,
    pub transport: Transport,
    pub port: u16,
}

#[derive(Clone, Debug)]
struct Row {
    key: FlowKey,
    packets: [u64; 2],
    bytes: [u64; 2],
    first: Micros,
    last: Micros,
}

/// Rows by key, counted as packets arrive.
#[derive(Default)]
pub struct Matrix {
    index: HashMap<FlowKey, u32>,
    rows: Vec<Row>,
}

/// A row and which way the current packet goes on it (0: src→dst, 1: dst→src).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowRef {
    pub row: u32,
    pub dir: u8,
}

impl Matrix {
    pub fn new() -> Self {
        Matrix { index: HashMap::with_capacity(1024), rows: Vec::new() }
    }

    /// The row for `key` as seen from the current packet's sender. With `either_way`, a row keyed the other way
    /// round (`dst` as the sender) is the same conversation; otherwise the key's orientation is the truth
    /// (the client side is known).
    pub fn row(&mut self, key: FlowKey, either_way: bool) -> RowRef {
        if let Some(&row) = self.index.get(&key) {
            return RowRef { row, dir: 0 };
        }
        if either_way {
            let swapped = FlowKey { src: key.dst, dst: key.src, ..key };
            if let Some(&row) = self.index.get(&swapped) {
                return RowRef { row, dir: 1 };
            }
        }
        let row = u32::try_from(self.rows.len()).unwrap_or(u32::MAX);
        self.rows.push(Row { key, packets: [0; 2], bytes: [0; 2], first: Micros::MAX, last: Micros::MIN });
        self.index.insert(key, row);
        RowRef { row, dir: 0 }
    }

    /// Count one packet of `bytes` at `ts` on a row.
    #[inline]
    pub fn count(&mut self, at: RowRef, bytes: u64, ts: Micros) {
        if let Some(r) = self.rows.get_mut(at.row as usize) {
            let d = usize::from(at.dir & 1);
            if let (Some(p), Some(b)) = (r.packets.get_mut(d), r.bytes.get_mut(d)) {
                *p += 1;
                *b += bytes;
            }
            r.first = r.first.min(ts);
            r.last = r.last.max(ts);
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Every row as a [`Flow`], labelled by the decoders' names, sorted by source, destination, VLAN,
    /// transport and port.
    pub(crate) fn flows(&self, lookup: &Lookup) -> Vec<Flow> {
        let mut flows: Vec<Flow> = self
            .rows
            .iter()
            .filter(|r| r.packets[0] + r.packets[1] > 0)
            .map(|r| Flow {
                src: r.key.src,
                dst: r.key.dst,
                vlan: r.key.vlan,
                transport: r.key.transport,
                protocol: lookup.label(r.key.transport, r.key.port),
                port: r.key.port,
                packets: r.packets,
                bytes: r.bytes,
                first: r.first,
                last: r.last,
            })
            .collect();
        flows.sort_by(|a, b| {
            (a.src, a.dst, a.vlan, a.transport, a.port).cmp(&(b.src, b.dst, b.vlan, b.transport, b.port))
        });
        flows
    }
}

/// Which of two ports is the server's, by a rule that gives the same answer for both directions: a port a
/// decoder claims, else a port below 1024 against one above, else the lower port. (A SYN, when seen, says it
/// better; see the connection table.)
pub(crate) fn server_port(lookup: &Lookup, transport: Transport, a: u16, b: u16) -> u16 {
    match (lookup.known_port(transport, a), lookup.known_port(transport, b)) {
        (true, false) => return a,
        (false, true) => return b,
        _ => {}
    }
    a.min(b)
}
