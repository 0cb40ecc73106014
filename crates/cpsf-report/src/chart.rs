//! The report's two charts, the radar of scores by category and the trend of the overall score: their geometry
//! (computed once, so the HTML's inline SVG and the PDF's paths draw the same picture) and their SVG.

use std::f64::consts::PI;
use std::fmt::Write as _;

pub use cpsf_assess::report::{RadarAxis, TrendPoint};

use crate::html::escape;

/// Colours shared by the SVG and the PDF (RGB).
pub(crate) const ACCENT: (u8, u8, u8) = (0x1f, 0x4e, 0x79);
pub(crate) const GRID: (u8, u8, u8) = (0xc8, 0xcd, 0xd3);
pub(crate) const MUTED: (u8, u8, u8) = (0x5f, 0x66, 0x6d);
pub(crate) const INK: (u8, u8, u8) = (0x1a, 0x1a, 0x1a);

/// Where a label's x coordinate is: at the start, middle or end of the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

/// A piece of chart text; `y` is the baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub x: f64,
    pub y: f64,
    pub anchor: Anchor,
    pub size: f64,
    pub muted: bool,
    pub text: String,
}

/// The radar chart's geometry, in a `width` × `height` box with the origin at the top left.
#[derive(Clone, Debug, PartialEq)]
pub struct Radar {
    pub width: f64,
    pub height: f64,
    pub center: (f64, f64),
    /// The grid polygons at 25, 50, 75 and 100.
    pub grid: Vec<Vec<(f64, f64)>>,
    /// The outer end of each axis' spoke.
    pub spokes: Vec<(f64, f64)>,
    /// The value polygon's corners, one per axis.
    pub values: Vec<(f64, f64)>,
    /// Whether each axis has counted entries (an axis without is drawn at 0 and marked).
    pub counted: Vec<bool>,
    pub labels: Vec<Label>,
}

/// Axes with more than this many spokes are labelled with their ids, which are short.
const MAX_TITLED_AXES: usize = 10;

/// A score as the report prints it: one decimal, without a trailing `.0`.
pub fn format_score(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map_or(s.clone(), str::to_string)
}

/// A rough width of `text` in ems, for fitting chart labels when no font is at hand (the SVG): wide for
/// CJK and full-width characters, narrower for the rest.
pub(crate) fn approx_em(text: &str) -> f64 {
    text.chars()
        .map(|c| {
            if crate::layout::is_wide(c) {
                1.0
            } else if c.is_ascii_uppercase() {
                0.68
            } else {
                0.56
            }
        })
        .sum()
}

/// `text` cut to at most `max_em` ems (by [`approx_em`]), with an ellipsis when cut.
fn fit(text: &str, max_em: f64) -> String {
    if approx_em(text) <= max_em {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = approx_em("…");
    for c in text.chars() {
        let w = approx_em(c.encode_utf8(&mut [0; 4]));
        if used + w > max_em {
            break;
        }
        used += w;
        out.push(c);
    }
    out.trim_end().to_string() + "…"
}

/// The radar geometry of `axes` in a box `size` high and 1.6 × `size` wide; `None` for fewer than three axes.
pub fn radar(axes: &[RadarAxis], size: f64) -> Option<Radar> {
    let n = axes.len();
    if n < 3 || !size.is_finite() || size <= 0.0 {
        return None;
    }
    let width = size * 1.6;
    let height = size;
    let (cx, cy) = (width / 2.0, height / 2.0);
    let radius = size * 0.34;
    let font = size / 30.0;
    let small = size / 38.0;
    let angle = |i: usize| -PI / 2.0 + (i as f64) * 2.0 * PI / (n as f64);
    let at = |r: f64, i: usize| (cx + r * angle(i).cos(), cy + r * angle(i).sin());
    let grid = [25.0, 50.0, 75.0, 100.0].iter().map(|level| (0..n).map(|i| at(radius * level / 100.0, i)).collect());
    let spokes = (0..n).map(|i| at(radius, i)).collect();
    let values = axes
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let counted = a.counted > 0 && a.value.is_finite();
            at(if counted { radius * a.value.clamp(0.0, 100.0) / 100.0 } else { 0.0 }, i)
        })
        .collect();
    let mut labels = Vec::new();
    for level in [25.0, 50.0, 75.0, 100.0] {
        labels.push(Label {
            x: cx + small * 0.4,
            y: cy - radius * level / 100.0 + small * 1.05,
            anchor: Anchor::Start,
            size: small,
            muted: true,
            text: format_score(level),
        });
    }
    let gap = size * 0.035;
    let line = font * 1.25;
    for (i, axis) in axes.iter().enumerate() {
        let (cos, sin) = (angle(i).cos(), angle(i).sin());
        let (x, y) = at(radius + gap, i);
        let anchor = if cos > 0.25 {
            Anchor::Start
        } else if cos < -0.25 {
            Anchor::End
        } else {
            Anchor::Middle
        };
        let avail = match anchor {
            Anchor::Middle => size * 0.55,
            Anchor::Start => width - x - font * 0.3,
            Anchor::End => x - font * 0.3,
        };
        let block = line + small * 1.2;
        let top = if sin < -0.5 {
            y - block
        } else if sin > 0.5 {
            y
        } else {
            y - block / 2.0
        };
        let name = if n > MAX_TITLED_AXES || axis.label.trim().is_empty() { &axis.id } else { &axis.label };
        labels.push(Label { x, y: top + font * 0.95, anchor, size: font, muted: false, text: fit(name, avail / font) });
        let value = if axis.counted > 0 { format_score(axis.value) } else { "–".to_string() };
        labels.push(Label { x, y: top + line + small * 0.95, anchor, size: small, muted: true, text: value });
    }
    Some(Radar {
        width,
        height,
        center: (cx, cy),
        grid: grid.collect(),
        spokes,
        values,
        counted: axes.iter().map(|a| a.counted > 0).collect(),
        labels,
    })
}

/// The trend chart's geometry, in a `width` × `height` box.
#[derive(Clone, Debug, PartialEq)]
pub struct Trend {
    pub width: f64,
    pub height: f64,
    /// The plot area: left, top, right, bottom.
    pub plot: (f64, f64, f64, f64),
    /// Horizontal grid lines (y) at 0, 25, 50, 75, 100.
    pub gridlines: Vec<f64>,
    /// Runs of consecutive scored points, each drawn as one line.
    pub segments: Vec<Vec<(f64, f64)>>,
    pub points: Vec<(f64, f64)>,
    pub labels: Vec<Label>,
}

/// Seconds since 1970 of an RFC 3339 time (or a bare date), `None` when it is not one.
fn timestamp(text: &str) -> Option<i64> {
    let text = text.trim();
    let date = text.get(..10)?;
    let mut parts = date.split('-');
    let (y, m, d): (i64, i64, i64) =
        (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Days from the civil date (proleptic Gregorian), after Howard Hinnant's well-known method.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let mut seconds = days * 86_400;
    let rest = text.get(10..).unwrap_or("");
    if let Some(time) = rest.strip_prefix(['T', 't', ' ']) {
        let hms: Vec<i64> = time.get(..8)?.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
        if let [h, mi, s] = hms[..] {
            seconds += h * 3600 + mi * 60 + s;
        }
        let zone = time.get(8..).unwrap_or("");
        let zone = zone.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
        if let Some(sign) = zone.chars().next().filter(|c| *c == '+' || *c == '-') {
            let hm: Vec<i64> = zone.get(1..)?.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
            let offset = hm.first().copied().unwrap_or(0) * 3600 + hm.get(1).copied().unwrap_or(0) * 60;
            seconds -= if sign == '+' { offset } else { -offset };
        }
    }
    Some(seconds)
}

/// The trend geometry of `points` in a `width` × `height` box. Points are placed by time when every time
/// parses and they span some time, else evenly; points without a score break the line.
pub fn trend(points: &[TrendPoint], width: f64, height: f64) -> Trend {
    let width = if width.is_finite() && width > 60.0 { width } else { 60.0 };
    let height = if height.is_finite() && height > 40.0 { height } else { 40.0 };
    let font = (height / 20.0).clamp(6.0, 9.0);
    let (left, top, right, bottom) = (font * 3.2, font * 1.6, width - font * 1.2, height - font * 2.4);
    let y_of = |v: f64| bottom - (bottom - top) * v.clamp(0.0, 100.0) / 100.0;
    let gridlines: Vec<f64> = [0.0, 25.0, 50.0, 75.0, 100.0].iter().map(|v| y_of(*v)).collect();
    let mut labels: Vec<Label> = [0.0, 25.0, 50.0, 75.0, 100.0]
        .iter()
        .map(|v| Label {
            x: left - font * 0.4,
            y: y_of(*v) + font * 0.35,
            anchor: Anchor::End,
            size: font,
            muted: true,
            text: format_score(*v),
        })
        .collect();
    let pad = font;
    let (x0, x1) = (left + pad, right - pad);
    let times: Option<Vec<i64>> = points.iter().map(|p| timestamp(&p.at)).collect();
    let span = times.as_ref().and_then(|t| Some((*t.iter().min()?, *t.iter().max()?))).filter(|(a, b)| b > a);
    let xs: Vec<f64> = match (times, span) {
        (Some(times), Some((min, max))) => {
            times.iter().map(|t| x0 + (x1 - x0) * ((t - min) as f64) / ((max - min) as f64)).collect()
        }
        _ if points.len() == 1 => vec![(x0 + x1) / 2.0],
        _ => {
            let step = (x1 - x0) / (points.len().saturating_sub(1).max(1) as f64);
            (0..points.len()).map(|i| x0 + step * i as f64).collect()
        }
    };
    let mut segments: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    let mut dots = Vec::new();
    for (p, x) in points.iter().zip(&xs) {
        match p.overall {
            Some(v) if v.is_finite() => {
                let pt = (*x, y_of(v));
                current.push(pt);
                dots.push(pt);
                if points.len() <= 12 {
                    labels.push(Label {
                        x: *x,
                        y: pt.1 - font * 0.55,
                        anchor: Anchor::Middle,
                        size: font * 0.85,
                        muted: false,
                        text: format_score(v),
                    });
                }
            }
            _ => {
                if current.len() > 1 {
                    segments.push(std::mem::take(&mut current));
                }
                current.clear();
            }
        }
    }
    if current.len() > 1 {
        segments.push(current);
    }
    let date = |p: &TrendPoint| p.at.chars().take(10).collect::<String>();
    let base = bottom + font * 1.5;
    match (points.first(), points.last(), xs.first(), xs.last()) {
        (Some(first), Some(_), Some(fx), _) if points.len() == 1 => {
            labels.push(Label { x: *fx, y: base, anchor: Anchor::Middle, size: font, muted: true, text: date(first) });
        }
        (Some(first), Some(last), Some(fx), Some(lx)) => {
            labels.push(Label { x: *fx, y: base, anchor: Anchor::Start, size: font, muted: true, text: date(first) });
            if date(first) != date(last) || (lx - fx) > font * 12.0 {
                labels.push(Label { x: *lx, y: base, anchor: Anchor::End, size: font, muted: true, text: date(last) });
            }
        }
        _ => {}
    }
    Trend { width, height, plot: (left, top, right, bottom), gridlines, segments, points: dots, labels }
}

fn rgb((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn points_attr(points: &[(f64, f64)]) -> String {
    points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ")
}

fn svg_label(out: &mut String, label: &Label) {
    let anchor = match label.anchor {
        Anchor::Start => "start",
        Anchor::Middle => "middle",
        Anchor::End => "end",
    };
    let _ = write!(
        out,
        r#"<text x="{:.1}" y="{:.1}" font-size="{:.1}" text-anchor="{anchor}" fill="{}">{}</text>"#,
        label.x,
        label.y,
        label.size,
        rgb(if label.muted { MUTED } else { INK }),
        escape(&label.text)
    );
}

/// The radar chart as inline SVG (no external references), `size` high; empty for fewer than three axes.
pub fn radar_svg(axes: &[RadarAxis], size: f64) -> String {
    let Some(r) = radar(axes, size) else { return String::new() };
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="chart radar" viewBox="0 0 {w:.1} {h:.1}" width="{w:.0}" height="{h:.0}" role="img">"#,
        w = r.width,
        h = r.height
    );
    for (i, polygon) in r.grid.iter().enumerate() {
        let width = if i + 1 == r.grid.len() { 1.2 } else { 0.8 };
        let _ = write!(
            out,
            r#"<polygon points="{}" fill="none" stroke="{}" stroke-width="{width}"/>"#,
            points_attr(polygon),
            rgb(GRID)
        );
    }
    for (x, y) in &r.spokes {
        let _ = write!(
            out,
            r#"<line x1="{:.1}" y1="{:.1}" x2="{x:.1}" y2="{y:.1}" stroke="{}" stroke-width="0.8"/>"#,
            r.center.0,
            r.center.1,
            rgb(GRID)
        );
    }
    let _ = write!(
        out,
        r#"<polygon class="value" points="{}" fill="{a}" fill-opacity="0.25" stroke="{a}" stroke-width="2"/>"#,
        points_attr(&r.values),
        a = rgb(ACCENT)
    );
    for ((x, y), counted) in r.values.iter().zip(&r.counted) {
        let fill = if *counted { rgb(ACCENT) } else { "#ffffff".to_string() };
        let _ = write!(
            out,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="{:.1}" fill="{fill}" stroke="{}" stroke-width="1"/>"#,
            r.height / 130.0,
            rgb(ACCENT)
        );
    }
    for label in &r.labels {
        svg_label(&mut out, label);
    }
    out.push_str("</svg>");
    out
}

/// The trend chart as inline SVG, `width` × `height`; with no points it is an empty frame.
pub fn trend_svg(points: &[TrendPoint], width: f64, height: f64) -> String {
    let t = trend(points, width, height);
    let (left, _, right, bottom) = t.plot;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="chart trend" viewBox="0 0 {w:.1} {h:.1}" width="{w:.0}" height="{h:.0}" role="img">"#,
        w = t.width,
        h = t.height
    );
    for y in &t.gridlines {
        let _ = write!(
            out,
            r#"<line x1="{left:.1}" y1="{y:.1}" x2="{right:.1}" y2="{y:.1}" stroke="{}" stroke-width="0.8"/>"#,
            rgb(GRID)
        );
    }
    let _ = write!(
        out,
        r#"<line x1="{left:.1}" y1="{bottom:.1}" x2="{right:.1}" y2="{bottom:.1}" stroke="{}" stroke-width="1"/>"#,
        rgb(MUTED)
    );
    for segment in &t.segments {
        let _ = write!(
            out,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
            points_attr(segment),
            rgb(ACCENT)
        );
    }
    for (x, y) in &t.points {
        let _ = write!(out, r#"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="{}"/>"#, rgb(ACCENT));
    }
    for label in &t.labels {
        svg_label(&mut out, label);
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis(id: &str, value: f64, counted: usize) -> RadarAxis {
        RadarAxis { id: id.into(), label: format!("{id} <b>"), value, counted }
    }

    #[test]
    fn radar_needs_three_axes() {
        assert!(radar_svg(&[axis("A", 50.0, 1), axis("B", 50.0, 1)], 300.0).is_empty());
        let svg = radar_svg(&[axis("A", 100.0, 1), axis("B", 50.0, 1), axis("C", 0.0, 0)], 300.0);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<polygon").count(), 5, "{svg}");
        assert!(svg.contains("A &lt;b&gt;") && !svg.contains("<b>"));
    }

    #[test]
    fn radar_geometry_puts_values_on_their_spokes() {
        let r = radar(&[axis("A", 100.0, 1), axis("B", 50.0, 1), axis("C", 80.0, 0)], 300.0).unwrap();
        // First axis points straight up; full score reaches the spoke's end.
        assert!((r.values[0].0 - r.spokes[0].0).abs() < 1e-9 && (r.values[0].1 - r.spokes[0].1).abs() < 1e-9);
        assert!(r.values[0].1 < r.center.1);
        // Half score is half way along the second spoke; an uncounted axis sits at the centre.
        let half = ((r.spokes[1].0 + r.center.0) / 2.0, (r.spokes[1].1 + r.center.1) / 2.0);
        assert!((r.values[1].0 - half.0).abs() < 1e-9 && (r.values[1].1 - half.1).abs() < 1e-9);
        assert_eq!(r.values[2], r.center);
        assert!(r.labels.iter().any(|l| l.text == "–"));
    }

    #[test]
    fn long_labels_are_cut() {
        let long = "A very long category title that cannot possibly fit beside the chart at all";
        let axes: Vec<RadarAxis> =
            (0..4).map(|i| RadarAxis { id: format!("X{i}"), label: long.into(), value: 10.0, counted: 1 }).collect();
        let r = radar(&axes, 200.0).unwrap();
        assert!(r.labels.iter().any(|l| l.text.ends_with('…')));
        let many: Vec<RadarAxis> = (0..12).map(|i| axis(&format!("ID.{i}"), 10.0, 1)).collect();
        let r = radar(&many, 200.0).unwrap();
        assert!(r.labels.iter().any(|l| l.text == "ID.3"));
    }

    #[test]
    fn trend_handles_none_one_and_gaps() {
        let empty = trend_svg(&[], 400.0, 160.0);
        assert!(empty.contains("<svg") && !empty.contains("<circle"));
        let one = trend(&[TrendPoint { at: "2025-01-01T00:00:00Z".into(), overall: Some(40.0) }], 400.0, 160.0);
        assert_eq!(one.points.len(), 1);
        assert!(one.segments.is_empty());
        let pts = vec![
            TrendPoint { at: "2025-01-01T00:00:00Z".into(), overall: Some(10.0) },
            TrendPoint { at: "2025-01-02T00:00:00Z".into(), overall: Some(20.0) },
            TrendPoint { at: "2025-01-03T00:00:00Z".into(), overall: None },
            TrendPoint { at: "2025-01-11T00:00:00Z".into(), overall: Some(90.0) },
        ];
        let t = trend(&pts, 400.0, 160.0);
        assert_eq!(t.points.len(), 3);
        assert_eq!(t.segments.len(), 1);
        // Placed by time: the gap of eight days is wider than the one of one day.
        assert!(t.points[2].0 - t.points[1].0 > 5.0 * (t.points[1].0 - t.points[0].0));
        // Higher scores are higher up.
        assert!(t.points[2].1 < t.points[0].1);
    }

    #[test]
    fn timestamps_parse_with_offsets() {
        assert_eq!(timestamp("1970-01-02"), Some(86_400));
        assert_eq!(timestamp("1970-01-01T09:00:00+09:00"), Some(0));
        assert_eq!(timestamp("2000-03-01T00:00:00Z").map(|s| s / 86_400), Some(11_017));
        assert_eq!(timestamp("yesterday"), None);
    }

    #[test]
    fn scores_print_without_trailing_zero() {
        assert_eq!(format_score(75.0), "75");
        assert_eq!(format_score(62.5), "62.5");
    }
}
