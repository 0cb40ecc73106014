//! The PDF report: the same sections as the HTML, laid out on A4 pages by a small layout engine of our own
//! (text measured with the font's advances and wrapped, tables as rows of wrapped cells, page breaks with
//! repeated table headers, the charts drawn as paths with the SVG's geometry, page numbers in the footer) and
//! written with krilla, which embeds a subset of the font and a ToUnicode map so the text can be extracted.

use std::collections::HashMap;
use std::sync::Arc;

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, LineJoin, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};

use cpsf_assess::Status;
use cpsf_assess::report::{EntryLine, Report};
use cpsf_catalog::Lang;

use crate::chart::{self, ACCENT, Anchor, GRID, INK, Label, MUTED, format_score};
use crate::font::{FontSource, Shaped, Shaper};
use crate::layout;
use crate::text::{self, t};
use crate::{ReportError, font};

type Rgb = (u8, u8, u8);

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 50.0;
const TOP: f32 = 54.0;
const BOTTOM: f32 = PAGE_H - 62.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
const LEFT: f32 = MARGIN_X;

const BODY: f32 = 9.0;
const SMALL: f32 = 7.5;
const TABLE: f32 = 8.2;

const SOFT: Rgb = (0xf3, 0xf6, 0xf9);
const LINE: Rgb = (0xd5, 0xda, 0xe0);
const RED: Rgb = (0xb0, 0x00, 0x20);
const ORANGE_INK: Rgb = (0x8a, 0x45, 0x00);
const ORANGE_BG: Rgb = (0xff, 0xf3, 0xe0);
const ORANGE_LINE: Rgb = (0xe3, 0xa3, 0x5c);
const BLUE_BG: Rgb = (0xe8, 0xf0, 0xf8);
const BLUE_LINE: Rgb = (0x9d, 0xb8, 0xd3);

#[derive(Clone, Copy, Debug)]
struct Style {
    size: f32,
    color: Rgb,
    bold: bool,
}

const fn style(size: f32, color: Rgb, bold: bool) -> Style {
    Style { size, color, bold }
}

fn status_color(status: Status) -> Rgb {
    match status {
        Status::Implemented => (0x1b, 0x6e, 0x3a),
        Status::Partially => (0x8a, 0x61, 0x00),
        Status::NotImplemented => RED,
        Status::NotAssessed | Status::NotApplicable => MUTED,
    }
}

/// One drawing operation, in points from the page's top left; text `y` is the baseline.
enum Op {
    Text { x: f32, y: f32, style: Style, shaped: Shaped },
    Rect { x: f32, y: f32, w: f32, h: f32, fill: Option<Rgb>, stroke: Option<(Rgb, f32)> },
    Line { from: (f32, f32), to: (f32, f32), color: Rgb, width: f32 },
    Poly { points: Vec<(f32, f32)>, closed: bool, fill: Option<(Rgb, f32)>, stroke: Option<(Rgb, f32)> },
    Circle { center: (f32, f32), r: f32, fill: Option<Rgb>, stroke: Option<(Rgb, f32)> },
}

/// A small boxed word after a line: "unverified" or "from automatic evidence".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Badge {
    Unverified,
    Auto,
}

impl Badge {
    fn text(self, lang: Lang) -> &'static str {
        match self {
            Badge::Unverified => t(lang, "unverified"),
            Badge::Auto => text::extra(lang, "auto_status"),
        }
    }

    fn colors(self) -> (Rgb, Rgb, Rgb) {
        match self {
            Badge::Unverified => (ORANGE_INK, ORANGE_BG, ORANGE_LINE),
            Badge::Auto => (ACCENT, BLUE_BG, BLUE_LINE),
        }
    }
}

/// Text to lay out in a box: parts each start on a new line and wrap; the badge follows the last line.
#[derive(Clone, Debug, Default)]
struct Cell {
    parts: Vec<(String, Style)>,
    badge: Option<Badge>,
    indent: f32,
    right: bool,
}

impl Cell {
    fn new(text: impl Into<String>, style: Style) -> Cell {
        Cell { parts: vec![(text.into(), style)], ..Cell::default() }
    }

    fn and(mut self, text: impl Into<String>, style: Style) -> Cell {
        self.parts.push((text.into(), style));
        self
    }

    fn badge(mut self, badge: Option<Badge>) -> Cell {
        self.badge = badge;
        self
    }

    fn right(mut self) -> Cell {
        self.right = true;
        self
    }
}

/// One laid-out line of a cell.
struct Laid {
    text: String,
    style: Style,
    width: f32,
    badge: Option<(f32, Badge)>,
    height: f32,
}

fn line_height(size: f32) -> f32 {
    size * 1.45
}

/// The page flow: the pages done so far, the one being filled, and the position on it.
struct Flow<'a> {
    sh: &'a Shaper<'a>,
    lang: Lang,
    done: Vec<Vec<Op>>,
    page: Vec<Op>,
    y: f32,
}

impl<'a> Flow<'a> {
    fn new(sh: &'a Shaper<'a>, lang: Lang) -> Flow<'a> {
        Flow { sh, lang, done: Vec::new(), page: Vec::new(), y: TOP }
    }

    fn break_page(&mut self) {
        self.done.push(std::mem::take(&mut self.page));
        self.y = TOP;
    }

    /// Start a new page unless `height` more fits on this one (or this one is still empty).
    fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP + 0.5 {
            self.break_page();
        }
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        self.sh.width(text, size)
    }

    fn text(&mut self, x: f32, baseline: f32, style: Style, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        self.page.push(Op::Text { x, y: baseline, style, shaped: self.sh.shape(text) });
    }

    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        layout::wrap(text, max.max(size), &|s| self.sh.width(s, size))
    }

    fn badge_size(&self, badge: Badge) -> (f32, f32) {
        (self.width(badge.text(self.lang), SMALL) + 6.0, SMALL * 1.5)
    }

    /// Lay `cell` out in `width` points, at most `max_lines` lines (the last one cut with an ellipsis).
    fn lay(&self, cell: &Cell, width: f32, max_lines: usize) -> Vec<Laid> {
        let width = (width - cell.indent).max(10.0);
        let mut out: Vec<Laid> = Vec::new();
        for (text, style) in &cell.parts {
            for line in self.wrap(text, style.size, width) {
                let w = self.width(&line, style.size);
                out.push(Laid { text: line, style: *style, width: w, badge: None, height: line_height(style.size) });
            }
        }
        if out.len() > max_lines {
            out.truncate(max_lines.max(1));
            if let Some(last) = out.last_mut() {
                last.text.push('…');
            }
        }
        if let Some(badge) = cell.badge {
            let (bw, bh) = self.badge_size(badge);
            match out.last_mut() {
                Some(last) if last.width + 4.0 + bw <= width => {
                    last.badge = Some((if last.text.is_empty() { 0.0 } else { last.width + 4.0 }, badge));
                    last.height = last.height.max(bh + 2.0);
                }
                _ => out.push(Laid {
                    text: String::new(),
                    style: style(SMALL, INK, false),
                    width: 0.0,
                    badge: Some((0.0, badge)),
                    height: bh + 2.0,
                }),
            }
        }
        out
    }

    /// Draw one laid-out line whose box starts at `top`; `right` aligns it to `x + width`.
    fn draw_laid(&mut self, x: f32, top: f32, laid: &Laid, right_edge: Option<f32>) {
        let x = match right_edge {
            Some(edge) => edge - laid.width,
            None => x,
        };
        let baseline = top + (laid.height - laid.style.size) / 2.0 + laid.style.size * 0.88;
        self.text(x, baseline, laid.style, &laid.text);
        if let Some((offset, badge)) = laid.badge {
            let (bw, bh) = self.badge_size(badge);
            let (ink, bg, border) = badge.colors();
            let by = top + (laid.height - bh) / 2.0;
            self.page.push(Op::Rect {
                x: x + offset,
                y: by,
                w: bw,
                h: bh,
                fill: Some(bg),
                stroke: Some((border, 0.6)),
            });
            let label = badge.text(self.lang);
            self.text(x + offset + 3.0, by + bh / 2.0 + SMALL * 0.36, style(SMALL, ink, false), label);
        }
    }

    /// Continue on a new page unless this one is still empty.
    fn fresh_page(&mut self) {
        if self.y > TOP + 0.5 || !self.page.is_empty() {
            self.break_page();
        }
    }

    fn space(&mut self, h: f32) {
        self.y += h;
    }

    /// A paragraph across the content width (or from `indent`), breaking pages between lines.
    fn paragraph(&mut self, cell: &Cell) {
        for laid in self.lay(cell, CONTENT_W, usize::MAX) {
            self.ensure(laid.height);
            self.draw_laid(LEFT + cell.indent, self.y, &laid, None);
            self.y += laid.height;
        }
    }

    /// A section heading (`level` 1) or sub-heading (2), kept with what follows.
    fn heading(&mut self, text: &str, level: u8, badge: Option<Badge>) {
        let (size, color, before, after) = match level {
            1 => (13.0, ACCENT, 16.0, 6.0),
            _ => (10.0, INK, 9.0, 3.0),
        };
        let cell = Cell::new(text, style(size, color, true)).badge(badge);
        let lines = self.lay(&cell, CONTENT_W, 4);
        let height: f32 = lines.iter().map(|l| l.height).sum();
        self.ensure(before + height + after + 4.0 * line_height(BODY));
        if self.y > TOP + 0.5 {
            self.y += before;
        }
        for laid in &lines {
            self.draw_laid(LEFT, self.y, laid, None);
            self.y += laid.height;
        }
        if level == 1 {
            self.page.push(Op::Line {
                from: (LEFT, self.y + 1.0),
                to: (LEFT + CONTENT_W, self.y + 1.0),
                color: ACCENT,
                width: 1.2,
            });
            self.y += 2.0;
        }
        self.y += after;
    }

    /// A key and its value side by side; the value wraps and may continue on the next page.
    fn key_value(&mut self, key: &str, value: &Cell, key_width: f32) {
        let key_lines = self.wrap(key, BODY, key_width - 6.0);
        let lines = self.lay(value, CONTENT_W - key_width, usize::MAX);
        let first = lines.first().map_or(line_height(BODY), |l| l.height);
        self.ensure(first.max(line_height(BODY) * key_lines.len() as f32));
        let page = self.done.len();
        let mut key_y = self.y;
        for k in &key_lines {
            let laid = Laid {
                text: k.clone(),
                style: style(BODY, MUTED, false),
                width: 0.0,
                badge: None,
                height: line_height(BODY),
            };
            self.draw_laid(LEFT, key_y, &laid, None);
            key_y += laid.height;
        }
        for laid in &lines {
            self.ensure(laid.height);
            self.draw_laid(LEFT + key_width + value.indent, self.y, laid, None);
            self.y += laid.height;
        }
        if self.done.len() == page {
            self.y = self.y.max(key_y);
        }
    }

    /// A table: a header row repeated on every page, then rows of wrapped cells, striped.
    fn table(&mut self, columns: &[(String, f32, bool)], rows: &[Vec<Cell>]) {
        const PAD: f32 = 3.0;
        let max_lines = ((BOTTOM - TOP) / line_height(TABLE) * 0.6) as usize;
        let header: Vec<Cell> = columns
            .iter()
            .map(|(title, _, right)| {
                let cell = Cell::new(title.clone(), style(SMALL, INK, true));
                if *right { cell.right() } else { cell }
            })
            .collect();
        let measure = |flow: &Flow<'_>, cells: &[Cell]| -> (Vec<Vec<Laid>>, f32) {
            let laid: Vec<Vec<Laid>> =
                cells.iter().zip(columns).map(|(cell, (_, w, _))| flow.lay(cell, w - 2.0 * PAD, max_lines)).collect();
            let height = laid.iter().map(|l| l.iter().map(|x| x.height).sum::<f32>()).fold(0.0, f32::max) + 2.0 * PAD;
            (laid, height)
        };
        let (header_laid, header_height) = measure(self, &header);
        let draw_row = |flow: &mut Flow<'_>, cells: &[Cell], laid: &[Vec<Laid>], height: f32, fill: Option<Rgb>| {
            if let Some(fill) = fill {
                flow.page.push(Op::Rect {
                    x: LEFT,
                    y: flow.y,
                    w: CONTENT_W,
                    h: height,
                    fill: Some(fill),
                    stroke: None,
                });
            }
            let mut x = LEFT;
            for ((cell, lines), (_, w, _)) in cells.iter().zip(laid).zip(columns) {
                let mut top = flow.y + PAD;
                for line in lines {
                    let edge = cell.right.then_some(x + w - PAD);
                    flow.draw_laid(x + PAD + cell.indent, top, line, edge);
                    top += line.height;
                }
                x += w;
            }
            flow.y += height;
            flow.page.push(Op::Line { from: (LEFT, flow.y), to: (LEFT + CONTENT_W, flow.y), color: LINE, width: 0.5 });
        };
        let first_height = rows.first().map_or(0.0, |r| measure(self, r).1);
        self.ensure(header_height + first_height);
        draw_row(self, &header, &header_laid, header_height, Some(SOFT));
        for (i, row) in rows.iter().enumerate() {
            let (laid, height) = measure(self, row);
            if self.y + height > BOTTOM {
                self.break_page();
                draw_row(self, &header, &header_laid, header_height, Some(SOFT));
            }
            let stripe = (i % 2 == 1).then_some((0xfa, 0xfb, 0xfc));
            draw_row(self, row, &laid, height, stripe);
        }
        self.y += 6.0;
    }

    fn label(&mut self, ox: f32, oy: f32, label: &Label) {
        let size = label.size as f32;
        let w = self.width(&label.text, size);
        let x = ox + label.x as f32;
        let x = match label.anchor {
            Anchor::Start => x,
            Anchor::Middle => x - w / 2.0,
            Anchor::End => x - w,
        };
        self.text(x, oy + label.y as f32, style(size, if label.muted { MUTED } else { INK }, false), &label.text);
    }

    fn radar(&mut self, r: &chart::Radar) {
        let (w, h) = (r.width as f32, r.height as f32);
        self.ensure(h + 4.0);
        let (ox, oy) = (LEFT + (CONTENT_W - w) / 2.0, self.y);
        let at = |(x, y): (f64, f64)| (ox + x as f32, oy + y as f32);
        for (i, polygon) in r.grid.iter().enumerate() {
            let width = if i + 1 == r.grid.len() { 0.9 } else { 0.6 };
            let points = polygon.iter().copied().map(at).collect();
            self.page.push(Op::Poly { points, closed: true, fill: None, stroke: Some((GRID, width)) });
        }
        let center = at(r.center);
        for spoke in &r.spokes {
            self.page.push(Op::Line { from: center, to: at(*spoke), color: GRID, width: 0.6 });
        }
        let values: Vec<(f32, f32)> = r.values.iter().copied().map(at).collect();
        self.page.push(Op::Poly {
            points: values.clone(),
            closed: true,
            fill: Some((ACCENT, 0.25)),
            stroke: Some((ACCENT, 1.5)),
        });
        for (point, counted) in values.iter().zip(&r.counted) {
            let fill = if *counted { ACCENT } else { (0xff, 0xff, 0xff) };
            self.page.push(Op::Circle { center: *point, r: h / 130.0, fill: Some(fill), stroke: Some((ACCENT, 0.8)) });
        }
        for label in &r.labels {
            self.label(ox, oy, label);
        }
        self.y += h + 4.0;
    }

    fn trend(&mut self, tr: &chart::Trend) {
        let (w, h) = (tr.width as f32, tr.height as f32);
        self.ensure(h + 4.0);
        let (ox, oy) = (LEFT + (CONTENT_W - w) / 2.0, self.y);
        let at = |(x, y): (f64, f64)| (ox + x as f32, oy + y as f32);
        let (left, _, right, bottom) = tr.plot;
        for y in &tr.gridlines {
            self.page.push(Op::Line { from: at((left, *y)), to: at((right, *y)), color: GRID, width: 0.6 });
        }
        self.page.push(Op::Line { from: at((left, bottom)), to: at((right, bottom)), color: MUTED, width: 0.8 });
        for segment in &tr.segments {
            let points = segment.iter().copied().map(at).collect();
            self.page.push(Op::Poly { points, closed: false, fill: None, stroke: Some((ACCENT, 1.5)) });
        }
        for point in &tr.points {
            self.page.push(Op::Circle { center: at(*point), r: 2.4, fill: Some(ACCENT), stroke: None });
        }
        for label in &tr.labels {
            self.label(ox, oy, label);
        }
        self.y += h + 4.0;
    }

    /// Finish: the pages, each with its footer (report name on the left, page n / m on the right).
    fn finish(mut self, footer: &str) -> Vec<Vec<Op>> {
        self.done.push(std::mem::take(&mut self.page));
        let mut pages = std::mem::take(&mut self.done);
        let total = pages.len();
        let footer_line = PAGE_H - 44.0;
        let baseline = footer_line + 14.0;
        for (i, ops) in pages.iter_mut().enumerate() {
            let number = format!("{} / {total}", i + 1);
            let nw = self.width(&number, SMALL);
            let max = CONTENT_W - nw - 20.0;
            let mut left = self.wrap(footer, SMALL, max).into_iter().next().unwrap_or_default();
            if left.chars().count() < footer.chars().count() {
                left.push('…');
            }
            ops.push(Op::Line {
                from: (LEFT, footer_line),
                to: (LEFT + CONTENT_W, footer_line),
                color: LINE,
                width: 0.5,
            });
            let muted = style(SMALL, MUTED, false);
            ops.push(Op::Text { x: LEFT, y: baseline, style: muted, shaped: self.sh.shape(&left) });
            ops.push(Op::Text { x: LEFT + CONTENT_W - nw, y: baseline, style: muted, shaped: self.sh.shape(&number) });
        }
        pages
    }
}

/// Render `report` as a PDF with the font `font` names (or finds).
pub fn render(report: &Report, font: &FontSource) -> Result<Vec<u8>, ReportError> {
    let (path, data, index) = font::load(font, report.lang)?;
    let data = Arc::new(data);
    let shaper = Shaper::new(data.as_slice(), index).ok_or_else(|| ReportError::FontRead {
        path: path.display().to_string(),
        message: format!("face {index} cannot be read"),
    })?;
    let pages = layout_report(report, &shaper);
    let font = Font::new(data.clone().into(), index).ok_or_else(|| ReportError::FontRead {
        path: path.display().to_string(),
        message: format!("face {index} cannot be read"),
    })?;
    let mut document = Document::new();
    let title = format!("{} — {} — {}", t(report.lang, "report"), report.catalog.title, report.assessment.scope_name);
    document.set_metadata(
        Metadata::new().title(title).language(report.lang.code().to_string()).creator("cpsf".to_string()),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| ReportError::Pdf("bad page size".into()))?;
    for ops in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in &ops {
            draw(&mut surface, &font, op);
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| ReportError::Pdf(e.to_string()))
}

fn fill_of(color: Rgb, opacity: f32) -> Fill {
    Fill {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        opacity: NormalizedF32::new(opacity).unwrap_or(NormalizedF32::ONE),
        rule: FillRule::NonZero,
    }
}

fn stroke_of(color: Rgb, width: f32) -> Stroke {
    Stroke {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        width,
        line_join: LineJoin::Round,
        ..Stroke::default()
    }
}

fn draw(surface: &mut Surface<'_>, font: &Font, op: &Op) {
    match op {
        Op::Text { x, y, style, shaped } => {
            let glyphs: Vec<KrillaGlyph> = shaped
                .glyphs
                .iter()
                .map(|g| KrillaGlyph {
                    glyph_id: GlyphId::new(g.id),
                    text_range: g.range.clone(),
                    x_advance: g.advance,
                    x_offset: 0.0,
                    y_offset: 0.0,
                    y_advance: 0.0,
                    location: None,
                })
                .collect();
            surface.set_fill(Some(fill_of(style.color, 1.0)));
            // Bold without a bold face: the same colour stroked thinly around the filled glyphs.
            surface.set_stroke(style.bold.then(|| stroke_of(style.color, style.size * 0.035)));
            surface.draw_glyphs(Point::from_xy(*x, *y), &glyphs, font.clone(), &shaped.text, style.size, false);
        }
        Op::Rect { x, y, w, h, fill, stroke } => {
            let mut pb = PathBuilder::new();
            pb.move_to(*x, *y);
            pb.line_to(x + w, *y);
            pb.line_to(x + w, y + h);
            pb.line_to(*x, y + h);
            pb.close();
            shape(surface, pb, fill.map(|c| (c, 1.0)), *stroke);
        }
        Op::Line { from, to, color, width } => {
            let mut pb = PathBuilder::new();
            pb.move_to(from.0, from.1);
            pb.line_to(to.0, to.1);
            shape(surface, pb, None, Some((*color, *width)));
        }
        Op::Poly { points, closed, fill, stroke } => {
            let mut pb = PathBuilder::new();
            for (i, (x, y)) in points.iter().enumerate() {
                if i == 0 {
                    pb.move_to(*x, *y);
                } else {
                    pb.line_to(*x, *y);
                }
            }
            if *closed {
                pb.close();
            }
            shape(surface, pb, *fill, *stroke);
        }
        Op::Circle { center: (cx, cy), r, fill, stroke } => {
            // Four cubic Béziers, the usual circle approximation.
            let k = 0.552_284_8 * r;
            let mut pb = PathBuilder::new();
            pb.move_to(cx + r, *cy);
            pb.cubic_to(cx + r, cy + k, cx + k, cy + r, *cx, cy + r);
            pb.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, *cy);
            pb.cubic_to(cx - r, cy - k, cx - k, cy - r, *cx, cy - r);
            pb.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, *cy);
            pb.close();
            shape(surface, pb, fill.map(|c| (c, 1.0)), *stroke);
        }
    }
}

fn shape(surface: &mut Surface<'_>, pb: PathBuilder, fill: Option<(Rgb, f32)>, stroke: Option<(Rgb, f32)>) {
    let Some(path) = pb.finish() else { return };
    surface.set_fill(fill.map(|(c, o)| fill_of(c, o)));
    surface.set_stroke(stroke.map(|(c, w)| stroke_of(c, w)));
    surface.draw_path(&path);
}

/// Lay the whole report out into pages of drawing operations.
fn layout_report(report: &Report, sh: &Shaper<'_>) -> Vec<Vec<Op>> {
    let lang = report.lang;
    let mut flow = Flow::new(sh, lang);
    title_block(&mut flow, report);
    summary(&mut flow, report);
    scores(&mut flow, report);
    gaps(&mut flow, report);
    flow.heading(t(lang, "method"), 1, None);
    flow.paragraph(&Cell::new(&report.method, style(BODY, INK, false)));
    appendix(&mut flow, report);
    let footer = format!("{} — {} — {}", t(lang, "report"), report.catalog.title, report.assessment.scope_name);
    flow.finish(&footer)
}

fn title_block(flow: &mut Flow<'_>, report: &Report) {
    let lang = report.lang;
    flow.paragraph(&Cell::new(t(lang, "report"), style(BODY, MUTED, false)));
    flow.paragraph(&Cell::new(&report.catalog.title, style(18.0, ACCENT, true)));
    if let Some(title) = report.assessment.title.as_deref().filter(|s| !s.trim().is_empty()) {
        flow.paragraph(&Cell::new(title, style(11.0, INK, false)));
    }
    flow.space(6.0);
    let body = style(BODY, INK, false);
    let a = &report.assessment;
    flow.key_value(t(lang, "catalog"), &Cell::new(text::catalog_line(report), body), 90.0);
    flow.key_value(t(lang, "scope"), &Cell::new(format!("{} ({})", a.scope_name, a.scope_kind), body), 90.0);
    flow.key_value(t(lang, "generated"), &Cell::new(&report.generated, body), 90.0);
    flow.key_value(t(lang, "updated"), &Cell::new(text::updated_line(report), body), 90.0);
}

fn summary(flow: &mut Flow<'_>, report: &Report) {
    let lang = report.lang;
    flow.heading(t(lang, "summary"), 1, None);
    let (done, all) = text::coverage(report);
    let mut tiles: Vec<(String, String)> = vec![
        (text::score_or(lang, report.overall.score), t(lang, "overall").to_string()),
        (format!("{done} / {all}"), t(lang, "entries_assessed").to_string()),
    ];
    if let Some(m) = &report.maturity {
        tiles.push((format_score(m.average), format!("{}\n{}", t(lang, "maturity"), text::maturity_line(lang, m))));
    }
    let gap = 10.0;
    let tile_w = (CONTENT_W - gap * 2.0) / 3.0;
    let big = style(20.0, ACCENT, true);
    let small = style(SMALL, MUTED, false);
    let laid: Vec<Vec<Laid>> = tiles
        .iter()
        .map(|(value, label)| flow.lay(&Cell::new(value, big).and(label, small), tile_w - 16.0, 8))
        .collect();
    let height = laid.iter().map(|l| l.iter().map(|x| x.height).sum::<f32>()).fold(0.0, f32::max) + 14.0;
    flow.ensure(height);
    for (i, lines) in laid.iter().enumerate() {
        let x = LEFT + i as f32 * (tile_w + gap);
        flow.page.push(Op::Rect { x, y: flow.y, w: tile_w, h: height, fill: Some(SOFT), stroke: Some((LINE, 0.6)) });
        let mut top = flow.y + 7.0;
        for line in lines {
            flow.draw_laid(x + 8.0, top, line, None);
            top += line.height;
        }
    }
    flow.y += height + 10.0;
    let columns: Vec<(String, f32, bool)> = report
        .status_counts
        .iter()
        .map(|(_, title, _)| (title.clone(), CONTENT_W / report.status_counts.len().max(1) as f32, true))
        .collect();
    let row: Vec<Cell> = report
        .status_counts
        .iter()
        .map(|(id, _, n)| {
            let color = Status::parse(id).map_or(INK, status_color);
            Cell::new(n.to_string(), style(BODY, color, true)).right()
        })
        .collect();
    flow.table(&columns, &[row]);
    flow.heading(text::extra(lang, "top_gaps"), 2, None);
    if report.gaps.is_empty() {
        flow.paragraph(&Cell::new(t(lang, "no_gaps"), style(BODY, INK, false)));
    }
    for g in report.gaps.iter().take(5) {
        let cell = Cell::new(format!("{} {}", g.entry, g.title), style(BODY, INK, false))
            .and(g.reason_title.clone(), style(SMALL, MUTED, false))
            .badge((!g.verified).then_some(Badge::Unverified));
        flow.key_value(&format!("{}.", g.rank), &cell, 18.0);
    }
    if report.gaps.len() > 5 {
        flow.paragraph(&Cell::new(text::more_gaps(lang, report.gaps.len() - 5), style(SMALL, MUTED, false)));
    }
    if report.unverified_entries > 0 {
        flow.space(8.0);
        let cell = Cell::new(
            text::unverified_count(lang, report.unverified_entries, report.entries.len()),
            style(BODY, ORANGE_INK, true),
        )
        .and(t(lang, "unverified_note"), style(BODY, INK, false));
        let lines = flow.lay(&cell, CONTENT_W - 16.0, 12);
        let height = lines.iter().map(|l| l.height).sum::<f32>() + 10.0;
        flow.ensure(height);
        flow.page.push(Op::Rect {
            x: LEFT,
            y: flow.y,
            w: CONTENT_W,
            h: height,
            fill: Some((0xff, 0xfa, 0xf3)),
            stroke: None,
        });
        flow.page.push(Op::Rect { x: LEFT, y: flow.y, w: 3.0, h: height, fill: Some(ORANGE_LINE), stroke: None });
        let mut top = flow.y + 5.0;
        for line in &lines {
            flow.draw_laid(LEFT + 10.0, top, line, None);
            top += line.height;
        }
        flow.y += height;
    }
}

fn scores(flow: &mut Flow<'_>, report: &Report) {
    let lang = report.lang;
    flow.heading(t(lang, "scores"), 1, None);
    if report.groups.is_empty() {
        flow.paragraph(&Cell::new(t(lang, "none"), style(BODY, MUTED, false)));
    } else {
        let fixed = [62.0, 42.0, 50.0, 50.0, 50.0];
        let columns = vec![
            (t(lang, "group").to_string(), CONTENT_W - fixed.iter().sum::<f32>(), false),
            (text::extra(lang, "kind").to_string(), fixed[0], false),
            (t(lang, "score").to_string(), fixed[1], true),
            (t(lang, "counted").to_string(), fixed[2], true),
            (Status::NotApplicable.title(lang).to_string(), fixed[3], true),
            (Status::NotAssessed.title(lang).to_string(), fixed[4], true),
        ];
        let cell = |s: String| Cell::new(s, style(TABLE, INK, false)).right();
        let rows: Vec<Vec<Cell>> = report
            .groups
            .iter()
            .map(|g| {
                let mut node = Cell::new(format!("{} {}", g.id, g.title), style(TABLE, INK, g.depth == 0));
                node.indent = 9.0 * g.depth.min(8) as f32;
                vec![
                    node,
                    Cell::new(&g.kind, style(TABLE, MUTED, false)),
                    Cell::new(text::score_or(lang, g.score.score), style(TABLE, INK, true)).right(),
                    cell(format!("{} / {}", g.score.counted, g.score.assessable)),
                    cell(g.score.not_applicable.to_string()),
                    cell(g.score.not_assessed.to_string()),
                ]
            })
            .collect();
        flow.table(&columns, &rows);
    }
    // A chart's heading stays on the chart's page.
    let radar = chart::radar(&report.radar, f64::from(CONTENT_W / 1.6).min(290.0));
    flow.ensure(radar.as_ref().map_or(0.0, |r| r.height as f32) + 40.0);
    flow.heading(t(lang, "radar"), 2, None);
    match radar {
        Some(radar) => flow.radar(&radar),
        None => flow.paragraph(&Cell::new(text::extra(lang, "radar_too_few"), style(BODY, MUTED, false))),
    }
    let trend = chart::trend(&report.trend, f64::from(CONTENT_W), 150.0);
    flow.ensure(trend.height as f32 + 40.0);
    flow.heading(t(lang, "trend"), 2, None);
    flow.trend(&trend);
    if !report.trend.iter().any(|p| p.overall.is_some()) {
        flow.paragraph(&Cell::new(text::extra(lang, "trend_none"), style(BODY, MUTED, false)));
    }
}

fn gaps(flow: &mut Flow<'_>, report: &Report) {
    let lang = report.lang;
    flow.heading(t(lang, "gaps"), 1, None);
    if report.gaps.is_empty() {
        flow.paragraph(&Cell::new(t(lang, "no_gaps"), style(BODY, INK, false)));
        return;
    }
    let fixed = [22.0, 100.0, 62.0, 64.0];
    let columns = vec![
        (t(lang, "rank").to_string(), fixed[0], true),
        (t(lang, "entry").to_string(), CONTENT_W - fixed.iter().sum::<f32>(), false),
        (t(lang, "reason").to_string(), fixed[1], false),
        (t(lang, "owner").to_string(), fixed[2], false),
        (t(lang, "due").to_string(), fixed[3], false),
    ];
    let body = style(TABLE, INK, false);
    let rows: Vec<Vec<Cell>> = report
        .gaps
        .iter()
        .map(|g| {
            let mut due = Cell::new(g.due.clone().unwrap_or_default(), body);
            if g.overdue {
                due = due.and(t(lang, "overdue"), style(TABLE, RED, true));
            }
            vec![
                Cell::new(g.rank.to_string(), body).right(),
                Cell::new(format!("{} {}", g.entry, g.title), body).badge((!g.verified).then_some(Badge::Unverified)),
                Cell::new(&g.reason_title, body),
                Cell::new(g.owner.clone().unwrap_or_default(), body),
                due,
            ]
        })
        .collect();
    flow.table(&columns, &rows);
}

fn appendix(flow: &mut Flow<'_>, report: &Report) {
    let lang = report.lang;
    flow.fresh_page();
    flow.heading(t(lang, "appendix"), 1, None);
    let overdue: HashMap<&str, bool> = report.gaps.iter().map(|g| (g.entry.as_str(), g.overdue)).collect();
    for (i, e) in report.entries.iter().enumerate() {
        if i > 0 {
            flow.ensure(6.0 * line_height(BODY));
            flow.space(4.0);
            flow.page.push(Op::Line { from: (LEFT, flow.y), to: (LEFT + CONTENT_W, flow.y), color: LINE, width: 0.5 });
            flow.space(2.0);
        }
        entry(flow, lang, e, overdue.get(e.id.as_str()).copied().unwrap_or(false));
    }
}

fn entry(flow: &mut Flow<'_>, lang: Lang, e: &EntryLine, overdue: bool) {
    flow.heading(&format!("{}  {}", e.id, e.title), 2, (!e.verified).then_some(Badge::Unverified));
    let body = style(BODY, INK, false);
    let muted = style(SMALL, MUTED, false);
    const KEY: f32 = 92.0;
    if !e.summary.trim().is_empty() {
        flow.paragraph(&Cell::new(&e.summary, style(BODY, MUTED, false)));
    }
    let status = Cell::new(&e.status_title, style(BODY, status_color(e.status), true))
        .badge(e.status_automatic.then_some(Badge::Auto));
    flow.key_value(t(lang, "status"), &status, KEY);
    if let Some(level) = &e.level {
        flow.key_value(t(lang, "level"), &Cell::new(level, body), KEY);
    }
    flow.key_value(t(lang, "owner"), &Cell::new(e.owner.as_deref().unwrap_or("—"), body), KEY);
    let mut due = Cell::new(e.due.as_deref().unwrap_or("—"), body);
    if overdue && e.due.is_some() {
        due = due.and(t(lang, "overdue"), style(BODY, RED, true));
    }
    flow.key_value(t(lang, "due"), &due, KEY);
    if let Some(comments) = e.comments.as_deref().filter(|c| !c.trim().is_empty()) {
        flow.key_value(t(lang, "comments"), &Cell::new(comments, body), KEY);
    }
    let evidence = if e.evidence.is_empty() {
        Cell::new(t(lang, "none"), body)
    } else {
        let mut cell = Cell::default();
        for ev in &e.evidence {
            cell = cell.and(format!("{}: {}", ev.kind, ev.label), body);
            let mut detail = ev.detail.clone().filter(|d| *d != ev.label).unwrap_or_default();
            if !detail.is_empty() {
                detail.push(' ');
            }
            detail.push_str(&format!("({})", ev.added));
            cell = cell.and(detail, muted);
        }
        cell
    };
    flow.key_value(t(lang, "evidence"), &evidence, KEY);
    if !e.automatic.is_empty() {
        let mut cell = Cell::default();
        for a in &e.automatic {
            cell = cell
                .and(format!("{}: {}", a.requirement, a.result_title), style(BODY, INK, false))
                .and(a.observed.clone(), style(BODY, MUTED, false))
                .and(format!("{} — {}", a.evaluated, a.data), muted);
        }
        flow.key_value(t(lang, "automatic"), &cell, KEY);
    }
    if let Some((result, justification, by_at)) = &e.override_ {
        let cell = Cell::new(format!("{result} — {}: {justification}", text::extra(lang, "justification")), body)
            .and(by_at.clone(), muted);
        flow.key_value(t(lang, "override"), &cell, KEY);
    }
    let provenance =
        Cell::new(&e.provenance, style(SMALL + 0.5, MUTED, false)).badge((!e.verified).then_some(Badge::Unverified));
    flow.key_value(t(lang, "provenance"), &provenance, KEY);
}
