//! R package versions (CRAN, Bioconductor), as R's `package_version` orders them: numbers separated by `.` or
//! `-`, compared number by number; when one is a prefix of the other, the longer is greater (`1.0 < 1.0.0`).

use std::cmp::Ordering;

use crate::num::Span;

#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    numbers: Span,
}

pub(crate) fn parse(text: &str) -> Result<Parsed, String> {
    check_numbers(text, |c| c == b'.' || c == b'-')?;
    Ok(Parsed { numbers: Span::new(0, text.len()) })
}

/// Non-empty digit runs separated by single separator bytes.
pub(crate) fn check_numbers(text: &str, is_sep: impl Fn(u8) -> bool) -> Result<(), String> {
    if text.is_empty() {
        return Err("empty".into());
    }
    for part in text.as_bytes().split(|&c| is_sep(c)) {
        if part.is_empty() {
            return Err("empty number".into());
        }
        if let Some(&c) = part.iter().find(|c| !c.is_ascii_digit()) {
            return Err(format!("{:?} is not a digit or separator", c as char));
        }
    }
    Ok(())
}

/// Number lists, a proper prefix first.
pub(crate) fn compare_lists(a: &[u8], b: &[u8], is_sep: impl Fn(u8) -> bool + Copy) -> Ordering {
    let mut xs = a.split(|&c| is_sep(c));
    let mut ys = b.split(|&c| is_sep(c));
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let ord = crate::num::cmp_digits(x, y);
                if ord != Ordering::Equal {
                    return ord;
                }
            }
        }
    }
}

pub(crate) fn compare(a: &str, pa: &Parsed, b: &str, pb: &Parsed) -> Ordering {
    compare_lists(pa.numbers.bytes(a), pb.numbers.bytes(b), |c| c == b'.' || c == b'-')
}

#[cfg(test)]
mod tests {
    use crate::Scheme;
    use std::cmp::Ordering::*;

    #[test]
    fn r_package_versions() {
        let c = |a, b| Scheme::Cran.compare(a, b).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c("0.01.0", "0.1-0"), Equal);
        assert_eq!(c("0.9", "0.75"), Less);
        assert_eq!(c("0.1.0", "0.1.0.0"), Less);
        assert!(Scheme::Cran.parse("1.0a").is_err());
        assert!(Scheme::Cran.parse("1..0").is_err());
    }
}
