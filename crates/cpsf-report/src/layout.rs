//! Line breaking for the PDF: Latin text breaks at spaces, Japanese text between any two characters (keeping
//! closing punctuation off the start of a line and opening brackets off its end), and a word longer than the
//! line is split wherever it must be.

/// Characters set on a full-width cell: CJK ideographs, kana, CJK punctuation and full-width forms. A line may
/// break before and after them.
pub(crate) fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA960..=0xA97F
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFF61..=0xFF9F
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

/// Characters that may not begin a line (closing brackets, Japanese stops and commas, prolonged sound mark,
/// small kana), so they stay with the character before them.
fn no_start(c: char) -> bool {
    matches!(
        c,
        '、' | '。'
            | '，'
            | '．'
            | '・'
            | '：'
            | '；'
            | '？'
            | '！'
            | 'ー'
            | '）'
            | '」'
            | '』'
            | '】'
            | '〕'
            | '〉'
            | '》'
            | '］'
            | '｝'
            | 'ぁ'
            | 'ぃ'
            | 'ぅ'
            | 'ぇ'
            | 'ぉ'
            | 'っ'
            | 'ゃ'
            | 'ゅ'
            | 'ょ'
            | 'ァ'
            | 'ィ'
            | 'ゥ'
            | 'ェ'
            | 'ォ'
            | 'ッ'
            | 'ャ'
            | 'ュ'
            | 'ョ'
            | '々'
            | ')'
            | ']'
            | '}'
            | ','
            | '.'
            | ':'
            | ';'
            | '!'
            | '?'
    )
}

/// Characters that may not end a line (opening brackets), so they stay with the character after them.
fn no_end(c: char) -> bool {
    matches!(c, '（' | '「' | '『' | '【' | '〔' | '〈' | '《' | '［' | '｛' | '(' | '[' | '{')
}

enum Atom {
    Word(String),
    Space,
}

/// Split one paragraph (no newlines) into unbreakable pieces and spaces.
fn atoms(text: &str) -> Vec<Atom> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut break_after = false;
    for c in text.chars() {
        if c == ' ' {
            if !current.is_empty() {
                out.push(Atom::Word(std::mem::take(&mut current)));
            }
            if !matches!(out.last(), Some(Atom::Space)) {
                out.push(Atom::Space);
            }
            break_after = false;
            continue;
        }
        let wide = is_wide(c);
        let glued = no_start(c) || current.chars().last().is_some_and(no_end);
        if (wide || break_after) && !glued && !current.is_empty() {
            out.push(Atom::Word(std::mem::take(&mut current)));
        }
        current.push(c);
        break_after = wide && !no_end(c);
    }
    if !current.is_empty() {
        out.push(Atom::Word(current));
    }
    out
}

/// Break `text` into lines no wider than `max` as measured by `width`. Newlines in `text` are kept as line
/// breaks; spaces at a break are dropped. There is always at least one line.
pub(crate) fn wrap(text: &str, max: f32, width: &dyn Fn(&str) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    let space = width(" ");
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut line_width = 0.0f32;
        let mut pending_space = false;
        for atom in atoms(paragraph.trim_end_matches('\r')) {
            let word = match atom {
                Atom::Space => {
                    pending_space = !line.is_empty();
                    continue;
                }
                Atom::Word(word) => word,
            };
            let w = width(&word);
            let gap = if pending_space { space } else { 0.0 };
            pending_space = false;
            if w <= max {
                if line.is_empty() {
                    line_width = w;
                } else if line_width + gap + w <= max {
                    if gap > 0.0 {
                        line.push(' ');
                    }
                    line_width += gap + w;
                } else {
                    lines.push(std::mem::take(&mut line));
                    line_width = w;
                }
                line.push_str(&word);
                continue;
            }
            // Longer than a line: start it on a fresh line and cut it wherever it must be.
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            line_width = 0.0;
            for c in word.chars() {
                let mut buf = [0u8; 4];
                let cw = width(c.encode_utf8(&mut buf));
                if !line.is_empty() && line_width + cw > max {
                    lines.push(std::mem::take(&mut line));
                    line_width = 0.0;
                }
                line.push(c);
                line_width += cw;
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One unit per narrow character, two per wide one.
    fn units(s: &str) -> f32 {
        s.chars().map(|c| if is_wide(c) { 2.0 } else { 1.0 }).sum()
    }

    #[test]
    fn latin_breaks_at_spaces() {
        let lines = wrap("the quick brown fox jumps", 11.0, &units);
        assert_eq!(lines, ["the quick", "brown fox", "jumps"]);
        assert!(lines.iter().all(|l| units(l) <= 11.0));
    }

    #[test]
    fn long_words_are_cut_only_when_they_must_be() {
        let lines = wrap("a supercalifragilistic b", 8.0, &units);
        assert_eq!(lines, ["a", "supercal", "ifragili", "stic b"]);
    }

    #[test]
    fn japanese_breaks_between_characters_but_not_before_closing_punctuation() {
        // Twelve units per line: six wide characters.
        let lines = wrap("資産の台帳を作成し、定期的に更新する。", 12.0, &units);
        assert_eq!(lines.concat(), "資産の台帳を作成し、定期的に更新する。");
        assert!(lines.iter().all(|l| units(l) <= 12.0), "{lines:?}");
        assert!(lines.iter().all(|l| !l.starts_with('、') && !l.starts_with('。')), "{lines:?}");
        assert!(lines.len() >= 3);
    }

    #[test]
    fn mixed_text_keeps_latin_words_whole() {
        let lines = wrap("SBOMを作成するprocessを定める", 10.0, &units);
        assert!(lines.iter().any(|l| l.contains("process")), "{lines:?}");
        assert!(lines.iter().any(|l| l.contains("SBOM")), "{lines:?}");
    }

    #[test]
    fn opening_brackets_stay_with_what_follows() {
        let lines = wrap("あいう「えお」", 6.0, &units);
        assert!(lines.iter().all(|l| !l.ends_with('「')), "{lines:?}");
    }

    #[test]
    fn newlines_are_kept_and_empty_text_is_one_line() {
        assert_eq!(wrap("a\nb", 10.0, &units), ["a", "b"]);
        assert_eq!(wrap("", 10.0, &units), [""]);
    }
}
