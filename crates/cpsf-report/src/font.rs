//! Fonts for the PDF: finding a font that can draw the report's language on this machine (or the one a user
//! names), choosing the Japanese face of a font collection, and measuring text with the font's own advances.

use std::path::{Path, PathBuf};

use cpsf_catalog::Lang;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::raw::FileRef;
use skrifa::string::StringId;
use skrifa::{FontRef, MetadataProvider};

use crate::ReportError;

/// Where the PDF's font comes from.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum FontSource {
    /// This file (TrueType, OpenType or a collection; in a collection the Japanese face is chosen).
    File(PathBuf),
    /// Search: `CPSF_REPORT_FONT`, then the usual places of Japanese-capable fonts (see [`find_font`]).
    #[default]
    Auto,
}

/// The environment variable that names the PDF font file.
pub const FONT_ENV: &str = "CPSF_REPORT_FONT";

/// Japanese-capable fonts, in order of preference, where Linux distributions, macOS and Windows install them.
const JAPANESE_FONTS: &[&str] = &[
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipagp.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/ipa-gothic/ipag.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/takao-gothic/TakaoPGothic.ttf",
    "/usr/share/fonts/truetype/takao-gothic/TakaoGothic.ttf",
    "/System/Library/Fonts/ヒラギノ角ゴシック W3.ttc",
    "C:\\Windows\\Fonts\\YuGothR.ttc",
    "C:\\Windows\\Fonts\\msgothic.ttc",
];

/// Latin-only fonts, acceptable for English reports when no Japanese-capable font is installed.
const LATIN_FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/Library/Fonts/Arial.ttf",
    "C:\\Windows\\Fonts\\arial.ttf",
];

/// Find a font for a report in `lang`: the file `CPSF_REPORT_FONT` names, else the first installed
/// Japanese-capable font of a list of usual places, else (English only) a Latin font. Returns the file and
/// the face index within it (the Japanese face of a collection).
pub fn find_font(lang: Lang) -> Result<(PathBuf, u32), ReportError> {
    search(lang).map(|(path, _, index)| (path, index))
}

/// [`find_font`], keeping the bytes it read.
fn search(lang: Lang) -> Result<(PathBuf, Vec<u8>, u32), ReportError> {
    if let Some(value) = std::env::var_os(FONT_ENV).filter(|v| !v.is_empty()) {
        return open(&PathBuf::from(value), lang);
    }
    let mut tried: Vec<String> = Vec::new();
    let latin: &[&str] = if lang == Lang::En { LATIN_FONTS } else { &[] };
    for candidate in JAPANESE_FONTS.iter().chain(latin) {
        let path = Path::new(candidate);
        tried.push((*candidate).to_string());
        if !path.is_file() {
            continue;
        }
        if let Ok(found) = open(path, lang) {
            return Ok(found);
        }
    }
    Err(ReportError::NoFont { lang: lang.code().to_string(), tried })
}

/// Read the font file at `path` and choose its face for `lang`.
fn open(path: &Path, lang: Lang) -> Result<(PathBuf, Vec<u8>, u32), ReportError> {
    let data = read(path)?;
    let index = choose_face(path, &data, lang)?;
    Ok((path.to_path_buf(), data, index))
}

/// Resolve `source` to the font file, its bytes and the face index.
pub(crate) fn load(source: &FontSource, lang: Lang) -> Result<(PathBuf, Vec<u8>, u32), ReportError> {
    match source {
        FontSource::File(path) => open(path, lang),
        FontSource::Auto => search(lang),
    }
}

fn read(path: &Path) -> Result<Vec<u8>, ReportError> {
    std::fs::read(path).map_err(|e| ReportError::FontRead { path: path.display().to_string(), message: e.to_string() })
}

/// The face of `data` to use: in a collection, the first face whose family names Japanese (`JP`, `Japanese`)
/// and that can draw the language, else the first face that can. Errors when no face can draw `lang`.
fn choose_face(path: &Path, data: &[u8], lang: Lang) -> Result<u32, ReportError> {
    let file = FileRef::new(data).map_err(|e| ReportError::FontRead {
        path: path.display().to_string(),
        message: format!("not a TrueType/OpenType font or collection ({e})"),
    })?;
    let faces: Vec<(u32, FontRef<'_>)> =
        file.fonts().enumerate().filter_map(|(i, f)| Some((u32::try_from(i).ok()?, f.ok()?))).collect();
    let usable = |font: &FontRef<'_>| covers(font, lang);
    let japanese_name = |font: &FontRef<'_>| {
        [StringId::TYPOGRAPHIC_FAMILY_NAME, StringId::FAMILY_NAME].into_iter().any(|id| {
            font.localized_strings(id).any(|s| {
                let name = s.to_string();
                name.contains(" JP") || name.contains("Japanese")
            })
        })
    };
    if let Some((i, _)) = faces.iter().find(|(_, f)| usable(f) && japanese_name(f)) {
        return Ok(*i);
    }
    if let Some((i, _)) = faces.iter().find(|(_, f)| usable(f)) {
        return Ok(*i);
    }
    Err(ReportError::FontCoverage { path: path.display().to_string(), lang: lang.code().to_string() })
}

/// Whether `font` has glyphs for the basic letters of `lang` (Japanese: kana and common kanji too).
fn covers(font: &FontRef<'_>, lang: Lang) -> bool {
    let charmap = font.charmap();
    let latin = "Aa0".chars().all(|c| charmap.map(c).is_some());
    match lang {
        Lang::En => latin,
        Lang::Ja => latin && "あア評価".chars().all(|c| charmap.map(c).is_some()),
    }
}

/// One glyph of shaped text: glyph id, advance in ems, and the byte range of its character in the text.
#[derive(Clone, Debug)]
pub(crate) struct Glyph {
    pub id: u32,
    pub advance: f32,
    pub range: std::ops::Range<usize>,
}

/// Text mapped to glyphs. `text` is what is drawn (characters the font lacks replaced), so that the PDF's text
/// layer says what the page shows.
#[derive(Clone, Debug)]
pub(crate) struct Shaped {
    pub text: String,
    pub glyphs: Vec<Glyph>,
}

/// Measures and maps text with one font face: one glyph per character, advances from the font's metrics. No
/// kerning or ligatures, which keeps measuring and drawing identical.
pub(crate) struct Shaper<'a> {
    charmap: skrifa::charmap::Charmap<'a>,
    metrics: GlyphMetrics<'a>,
    units_per_em: f32,
}

impl<'a> Shaper<'a> {
    pub fn new(data: &'a [u8], index: u32) -> Option<Shaper<'a>> {
        let font = FontRef::from_index(data, index).ok()?;
        let units_per_em = f32::from(font.metrics(Size::unscaled(), LocationRef::default()).units_per_em.max(1));
        Some(Shaper {
            charmap: font.charmap(),
            metrics: font.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em,
        })
    }

    /// The glyph for `c` and its advance in ems, or `None` when the font lacks it.
    fn glyph(&self, c: char) -> Option<(u32, f32)> {
        let id = self.charmap.map(c)?;
        let advance = self.metrics.advance_width(id).unwrap_or(0.0) / self.units_per_em;
        Some((id.to_u32(), advance))
    }

    /// The character drawn for `c`: itself when the font has it, else a close replacement, else `?`.
    fn drawable(&self, c: char) -> char {
        let c = match c {
            '\t' | '\u{a0}' | '\u{2002}'..='\u{200a}' => ' ',
            c if c.is_control() => ' ',
            c => c,
        };
        if self.glyph(c).is_some() {
            return c;
        }
        let replacement = match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201c}' | '\u{201d}' => '"',
            '\u{2026}' => '.',
            '\u{3000}' => ' ',
            _ => '?',
        };
        if self.glyph(replacement).is_some() { replacement } else { ' ' }
    }

    /// Width of `text` in ems.
    pub fn width_em(&self, text: &str) -> f32 {
        text.chars().map(|c| self.glyph(self.drawable(c)).map_or(0.0, |(_, a)| a)).sum()
    }

    /// Width of `text` at `size` points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        self.width_em(text) * size
    }

    /// Map `text` to glyphs.
    pub fn shape(&self, text: &str) -> Shaped {
        let mut out = String::with_capacity(text.len());
        let mut glyphs = Vec::with_capacity(text.len());
        for c in text.chars() {
            let c = self.drawable(c);
            let start = out.len();
            out.push(c);
            let (id, advance) = self.glyph(c).unwrap_or((0, 0.0));
            glyphs.push(Glyph { id, advance, range: start..out.len() });
        }
        Shaped { text: out, glyphs }
    }
}
