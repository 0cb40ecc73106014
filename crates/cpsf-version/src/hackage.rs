//! Haskell package versions (Hackage), as `Data.Version` orders them: numbers separated by `.`, compared number
//! by number; when one is a prefix of the other, the longer is greater (`1.0 < 1.0.0`).

use std::cmp::Ordering;

use crate::cran::{check_numbers, compare_lists};
use crate::num::Span;

#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    numbers: Span,
}

pub(crate) fn parse(text: &str) -> Result<Parsed, String> {
    check_numbers(text, |c| c == b'.')?;
    Ok(Parsed { numbers: Span::new(0, text.len()) })
}

pub(crate) fn compare(a: &str, pa: &Parsed, b: &str, pb: &Parsed) -> Ordering {
    compare_lists(pa.numbers.bytes(a), pb.numbers.bytes(b), |c| c == b'.')
}

#[cfg(test)]
mod tests {
    use crate::Scheme;
    use std::cmp::Ordering::*;

    #[test]
    fn haskell_versions() {
        let c = |a, b| Scheme::Hackage.compare(a, b).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c("1.0", "1.0.0"), Less);
        assert_eq!(c("0.1.26.0", "0"), Greater);
        assert!(Scheme::Hackage.parse("1-0").is_err());
    }
}
