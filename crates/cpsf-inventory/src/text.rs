//! Line lookup for parsers that read whole documents (JSON, TOML, YAML) and must still say "file:line".

/// Maps byte offsets to 1-based line numbers.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { text, starts }
    }

    /// 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> u32 {
        (self.starts.partition_point(|&s| s <= offset)) as u32
    }

    /// 1-based line of the first occurrence of `needle`, if any.
    pub fn find(&self, needle: &str) -> Option<u32> {
        self.text.find(needle).map(|o| self.line_of(o))
    }

    /// 1-based line of the first occurrence of `needle` at or after line `from` (1-based).
    pub fn find_from(&self, needle: &str, from: u32) -> Option<u32> {
        let start = *self.starts.get(from.saturating_sub(1) as usize)?;
        self.text[start..].find(needle).map(|o| self.line_of(start + o))
    }

    /// The text this index covers.
    pub fn text(&self) -> &'a str {
        self.text
    }
}

/// The line of a `serde_json` error, which counts lines from 1 already.
pub fn json_error_line(e: &serde_json::Error) -> Option<u32> {
    (e.line() > 0).then_some(e.line() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_based() {
        let idx = LineIndex::new("a\nbb\nccc\n");
        assert_eq!(idx.line_of(0), 1);
        assert_eq!(idx.line_of(2), 2);
        assert_eq!(idx.find("ccc"), Some(3));
        assert_eq!(idx.find_from("b", 3), None);
        assert_eq!(idx.find("zz"), None);
    }
}
