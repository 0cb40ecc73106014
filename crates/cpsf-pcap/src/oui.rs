//! MAC vendors from the OUI: the IEEE registry's CSV (Debian's `ieee-data` installs it at
//! [`SYSTEM_OUI_CSV`], or a file named by the user) when there is one, else our own small table of industrial
//! vendors. Only the OUIs asked for are kept from the registry, so reading it costs one pass and no memory.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use crate::model::Mac;
use crate::oui_table::ICS_OUIS;

/// Where Debian's `ieee-data` package puts the IEEE MA-L registry.
pub const SYSTEM_OUI_CSV: &str = "/usr/share/ieee-data/oui.csv";

/// The vendor of an OUI from the built-in table.
pub fn builtin(oui: [u8; 3]) -> Option<&'static str> {
    ICS_OUIS.binary_search_by(|(o, _)| o.cmp(&oui)).ok().and_then(|i| ICS_OUIS.get(i)).map(|(_, v)| *v)
}

/// Whether a MAC carries a vendor's OUI (universally administered, unicast).
pub fn has_oui(mac: Mac) -> bool {
    mac.0[0] & 0x03 == 0
}

/// Read the OUIs in `wanted` from an IEEE registry CSV (`Registry,Assignment,Organization Name,...`; MA-L rows
/// only, as a 6-hex-digit assignment). A line that does not read is skipped.
pub fn read_registry(path: &Path, wanted: &[[u8; 3]]) -> std::io::Result<BTreeMap<[u8; 3], String>> {
    let file = std::fs::File::open(path)?;
    let mut found = BTreeMap::new();
    for line in std::io::BufReader::new(file).split(b'\n') {
        let line = line?;
        let line = String::from_utf8_lossy(&line);
        let mut fields = csv_fields(&line).into_iter();
        let (Some(_registry), Some(assignment), Some(name)) = (fields.next(), fields.next(), fields.next()) else {
            continue;
        };
        let Some(oui) = parse_oui(&assignment) else { continue };
        if wanted.contains(&oui) {
            found.insert(oui, name.trim().trim_end_matches([',', ' ']).to_string());
        }
    }
    Ok(found)
}

fn parse_oui(s: &str) -> Option<[u8; 3]> {
    let s = s.trim();
    if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let v = u32::from_str_radix(s, 16).ok()?;
    let [_, a, b, c] = v.to_be_bytes();
    Some([a, b, c])
}

/// Split one CSV line (double-quoted fields may hold commas and doubled quotes).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(ICS_OUIS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(builtin([0x00, 0x00, 0xbc]), Some("Rockwell Automation"));
        assert_eq!(builtin([0x00, 0x0e, 0x8c]), Some("Siemens"));
        assert_eq!(builtin([0x12, 0x34, 0x56]), None);
    }

    #[test]
    fn csv() {
        assert_eq!(csv_fields(r#"MA-L,0080F4,"A, ""B""",x"#), vec!["MA-L", "0080F4", "A, \"B\"", "x"]);
        assert_eq!(parse_oui("0000BC"), Some([0, 0, 0xbc]));
        assert_eq!(parse_oui("0000B"), None);
    }
}
