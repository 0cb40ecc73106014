//! TCP stream reassembly for connections a decoder claims: bytes delivered in sequence order per direction,
//! out-of-order segments held (up to a per-direction bound, past which the stream resynchronises and a gap is
//! counted), retransmitted bytes dropped, SYN/FIN/RST followed; the protocol's framing cuts whole messages,
//! which go to its decoder with the sender's side. A direction whose bytes are not the protocol's is
//! abandoned. Memory per connection is bounded by twice the limit.

use crate::decode::{Tcp, tcp_flags};
use crate::model::{PacketMeta, Side, Sink};
use crate::proto::{Framing, TcpProtocol};

/// What reassembly counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct TcpStats {
    /// Whole messages handed to decoders.
    pub messages: u64,
    /// Segments whose bytes had all been delivered already.
    pub retransmissions: u64,
    /// Segments held because they came before the bytes preceding them.
    pub out_of_order: u64,
    /// Holes never filled: the stream was resynchronised past them (or closed with bytes still held).
    pub gaps: u64,
    /// Directions given up because their bytes did not frame as the protocol's messages.
    pub abandoned: u64,
    /// Messages longer than the buffer bound, skipped unread.
    pub oversize: u64,
}

#[derive(Default)]
struct Direction {
    /// The next sequence number expected; unknown until the first segment (or SYN) of this direction.
    next: Option<u32>,
    /// In-order bytes not yet making a whole message.
    buf: Vec<u8>,
    /// Segments past a hole, by sequence number (in stream order from `next`).
    held: Vec<(u32, Vec<u8>)>,
    held_bytes: usize,
    /// Bytes of an oversize message still to discard.
    skip: usize,
    fin: bool,
    abandoned: bool,
}

/// How a direction's bytes reach the decoder (the parts of a call that stay the same for each message).
struct Deliver<'a> {
    proto: &'static TcpProtocol,
    meta: &'a PacketMeta,
    side: Side,
    limit: usize,
}

impl Direction {
    /// Frame and decode `bytes`, which follow everything delivered before.
    fn deliver(&mut self, mut bytes: &[u8], d: &Deliver<'_>, sink: &mut Sink, stats: &mut TcpStats) {
        if self.abandoned {
            return;
        }
        if self.skip > 0 {
            let k = self.skip.min(bytes.len());
            self.skip -= k;
            bytes = bytes.get(k..).unwrap_or(&[]);
        }
        if bytes.is_empty() {
            return;
        }
        if self.buf.is_empty() {
            let used = self.frame(bytes, d, sink, stats);
            if let Some(rest) = bytes.get(used..)
                && !self.abandoned
            {
                self.buf.extend_from_slice(rest);
            }
        } else {
            self.buf.extend_from_slice(bytes);
            let buf = std::mem::take(&mut self.buf);
            let used = self.frame(&buf, d, sink, stats);
            self.buf = buf;
            self.buf.drain(..used.min(self.buf.len()));
        }
        if self.abandoned {
            self.buf = Vec::new();
        } else if self.buf.len() > d.limit {
            // The framing keeps asking for more than the bound: not a stream we can follow.
            self.abandon(stats);
        }
    }

    /// Cut whole messages off the front of `data`; returns how many bytes were used (or are to be skipped).
    fn frame(&mut self, data: &[u8], d: &Deliver<'_>, sink: &mut Sink, stats: &mut TcpStats) -> usize {
        let mut at = 0;
        while let Some(rest) = data.get(at..) {
            if rest.is_empty() {
                break;
            }
            match (d.proto.framing)(rest) {
                Framing::NeedMore => break,
                Framing::Message(0) => {
                    self.abandon(stats);
                    return data.len();
                }
                Framing::Message(n) => match rest.get(..n) {
                    Some(message) => {
                        (d.proto.decode)(d.meta, d.side, message, sink);
                        stats.messages += 1;
                        at += n;
                    }
                    None if n > d.limit => {
                        stats.oversize += 1;
                        self.skip = n - rest.len();
                        return data.len();
                    }
                    None => break,
                },
                Framing::NotThisProtocol => {
                    self.abandon(stats);
                    return data.len();
                }
            }
        }
        at
    }

    fn abandon(&mut self, stats: &mut TcpStats) {
        if !self.abandoned {
            stats.abandoned += 1;
        }
        self.abandoned = true;
        self.buf = Vec::new();
        self.held = Vec::new();
        self.held_bytes = 0;
    }

    fn segment(&mut self, tcp: &Tcp<'_>, d: &Deliver<'_>, sink: &mut Sink, stats: &mut TcpStats) {
        let mut seq = tcp.seq;
        let mut payload = tcp.payload;
        if tcp.flags & tcp_flags::SYN != 0 {
            // A new connection in this direction: its data starts after the SYN.
            if self.next.is_some_and(|n| n != seq.wrapping_add(1)) || self.next.is_none() {
                *self = Direction::default();
            }
            seq = seq.wrapping_add(1);
            self.next = Some(seq);
        }
        if self.abandoned {
            if tcp.flags & tcp_flags::FIN != 0 {
                self.fin = true;
            }
            return;
        }
        if !payload.is_empty() {
            let next = *self.next.get_or_insert(seq);
            let ahead = seq.wrapping_sub(next);
            if ahead == 0 {
                self.accept(payload, seq, d, sink, stats);
            } else if ahead > u32::MAX / 2 {
                // Starts before `next`: a retransmission, whole or in part.
                let behind = next.wrapping_sub(seq) as usize;
                match payload.get(behind..) {
                    Some(rest) if !rest.is_empty() => {
                        payload = rest;
                        self.accept(payload, next, d, sink, stats);
                    }
                    _ => stats.retransmissions += 1,
                }
            } else if self.held_bytes + payload.len() > d.limit {
                // Too much waiting on a hole: give up on it and carry on from here.
                stats.gaps += 1;
                self.buf.clear();
                self.held.clear();
                self.held_bytes = 0;
                self.skip = 0;
                self.accept(payload, seq, d, sink, stats);
            } else {
                self.hold(seq, payload, next, stats);
            }
        }
        if tcp.flags & tcp_flags::FIN != 0 {
            self.fin = true;
        }
    }

    /// Deliver bytes starting at `next`, then whatever held segments they reach.
    fn accept(&mut self, payload: &[u8], seq: u32, d: &Deliver<'_>, sink: &mut Sink, stats: &mut TcpStats) {
        let mut next = seq.wrapping_add(payload.len() as u32);
        self.next = Some(next);
        self.deliver(payload, d, sink, stats);
        while let Some((s, _)) = self.held.first() {
            let ahead = s.wrapping_sub(next);
            if ahead != 0 && ahead <= u32::MAX / 2 {
                break;
            }
            let (s, bytes) = self.held.remove(0);
            self.held_bytes -= bytes.len();
            let behind = next.wrapping_sub(s) as usize;
            if let Some(rest) = bytes.get(behind..)
                && !rest.is_empty()
            {
                next = next.wrapping_add(rest.len() as u32);
                self.next = Some(next);
                self.deliver(rest, d, sink, stats);
            }
        }
    }

    fn hold(&mut self, seq: u32, payload: &[u8], next: u32, stats: &mut TcpStats) {
        let rel = seq.wrapping_sub(next);
        let at = self.held.partition_point(|(s, _)| s.wrapping_sub(next) < rel);
        if let Some((s, b)) = self.held.get(at)
            && *s == seq
            && b.len() >= payload.len()
        {
            stats.retransmissions += 1;
            return;
        }
        stats.out_of_order += 1;
        self.held_bytes += payload.len();
        self.held.insert(at, (seq, payload.to_vec()));
    }

    fn done(&self) -> bool {
        self.fin || self.abandoned
    }
}

/// The reassembly state of one connection.
pub struct Reassembler {
    proto: &'static TcpProtocol,
    dirs: [Direction; 2],
    reset: bool,
}

impl Reassembler {
    pub fn new(proto: &'static TcpProtocol) -> Self {
        Reassembler { proto, dirs: [Direction::default(), Direction::default()], reset: false }
    }

    pub fn protocol(&self) -> &'static TcpProtocol {
        self.proto
    }

    /// One segment sent in direction `dir` (0 or 1, the caller's choice, kept for the connection).
    #[allow(clippy::too_many_arguments)]
    pub fn segment(
        &mut self,
        dir: usize,
        tcp: &Tcp<'_>,
        meta: &PacketMeta,
        side: Side,
        limit: usize,
        sink: &mut Sink,
        stats: &mut TcpStats,
    ) {
        if tcp.flags & tcp_flags::RST != 0 {
            self.reset = true;
        }
        if self.reset && tcp.flags & tcp_flags::SYN != 0 {
            // A new connection on the same ports.
            self.reset = false;
            self.dirs = [Direction::default(), Direction::default()];
        }
        if self.reset {
            self.close(stats);
            return;
        }
        let d = Deliver { proto: self.proto, meta, side, limit };
        if let Some(direction) = self.dirs.get_mut(dir) {
            direction.segment(tcp, &d, sink, stats);
        }
    }

    /// Both directions finished (FIN or given up), or the connection was reset.
    pub fn finished(&self) -> bool {
        self.reset || self.dirs.iter().all(Direction::done)
    }

    /// Drop what is buffered, counting held segments as a gap.
    pub fn close(&mut self, stats: &mut TcpStats) {
        for d in &mut self.dirs {
            if !d.held.is_empty() {
                stats.gaps += 1;
            }
            d.buf = Vec::new();
            d.held = Vec::new();
            d.held_bytes = 0;
        }
    }

    /// Bytes buffered (in order and held) in both directions.
    pub fn buffered(&self) -> usize {
        self.dirs.iter().map(|d| d.buf.len() + d.held_bytes).sum()
    }
}
