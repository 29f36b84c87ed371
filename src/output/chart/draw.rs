//! Laying out and drawing a `ChartData`: title, subtitle, a legend above the panels
//! (never over data), panels on shared axes, axis titles and notes.
//!
//! Positions are computed here in pixels, from the font's own metrics, so the same layout
//! serves the tests (label boxes) and both image formats. plotters draws the primitives.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_backend::FontTransform;
use plotters_backend::text_anchor::{HPos, Pos, VPos};

use super::style::{LineStyle, line_style, marker};
use super::text::{self, PngCanvas};
use super::ticks::{AxisFit, Tick};
use super::{ChartData, Point, Series, XAxis};
use crate::experiment::Bars;

pub const SIZE: (u32, u32) = (1600, 1000);
pub(super) const PAD: f64 = 24.0;
/// Text sizes, as the em in pixels: readable on a projector at 1600 × 1000.
pub(super) const TITLE: f64 = 36.0;
pub(super) const SUBTITLE: f64 = 22.0;
pub(super) const LEGEND: f64 = 24.0;
pub(super) const TICK: f64 = 24.0;
pub(super) const AXIS: f64 = 26.0;
pub(super) const PANEL: f64 = 24.0;
pub(super) const NOTE: f64 = 20.0;

pub(super) const INK: RGBColor = RGBColor(34, 34, 34);
pub(super) const MUTED: RGBColor = RGBColor(90, 90, 90);
pub(super) const GRID: RGBColor = RGBColor(225, 225, 225);
pub(super) const FRAME: RGBColor = RGBColor(170, 170, 170);

/// The least height of a panel's plot, between its title and its x labels: room for
/// three y ticks.
const MIN_PLOT: f64 = 120.0;

/// The image's size in pixels: `SIZE`, taller where its rows of panels (each a title,
/// a plot of at least `MIN_PLOT` and x labels) need more, so no panel is squashed.
pub fn image_size(data: &ChartData) -> (u32, u32) {
    let grid = grid(data);
    let standard = head_within(data, f64::from(SIZE.1));
    let room = standard.panels_bottom - standard.panels_top;
    let versions = matches!(data.x, XAxis::Versions { .. });
    let labels = TICK * 1.8 + label_room(if versions { 2 } else { 1 }, TICK);
    let needed = grid.rows as f64 * (grid.title_band + 6.0 + MIN_PLOT + labels);
    if needed <= room {
        return SIZE;
    }
    (SIZE.0, SIZE.1 + (needed - room).ceil() as u32)
}

pub fn svg_bytes(data: &ChartData) -> Result<Vec<u8>, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, image_size(data)).into_drawing_area();
        draw(&root, data)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(out.into_bytes())
}

pub fn png_bytes(data: &ChartData) -> Result<Vec<u8>, String> {
    let (width, height) = image_size(data);
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    {
        let root =
            PngCanvas(BitMapBackend::with_buffer(&mut pixels, (width, height))).into_drawing_area();
        draw(&root, data)?;
        root.present().map_err(|e| e.to_string())?;
    }
    super::png::encode(&pixels, width, height)
}

/// A value-to-pixel mapping along one axis.
#[derive(Clone, Copy, Debug)]
pub struct Map {
    pub low: f64,
    pub high: f64,
    pub log: bool,
    /// Pixels of `low` and `high` (y runs upwards: `from` below `to`).
    pub from: f64,
    pub to: f64,
}

impl Map {
    pub fn px(&self, v: f64) -> f64 {
        let t = |v: f64| if self.log { v.log10() } else { v };
        let span = t(self.high) - t(self.low);
        let f = if span > 0.0 {
            (t(v) - t(self.low)) / span
        } else {
            0.5
        };
        self.from + f * (self.to - self.from)
    }
}

/// One panel placed: its plot rectangle and its ticks.
#[derive(Clone, Debug)]
pub struct PanelBox {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
    pub x: Map,
    pub y: Map,
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    /// The x labels' type size: smaller only where words would not fit otherwise.
    pub x_em: f64,
    /// The panel's title as drawn: its lines above the frame, bottom line last.
    pub title: Vec<String>,
    /// The title's type size: one for every panel of a chart.
    pub title_em: f64,
}

/// Where everything goes.
#[derive(Clone, Debug)]
pub struct Layout {
    pub subtitle: Vec<String>,
    pub legend: Vec<Vec<(Swatch, String)>>,
    pub legend_top: f64,
    pub panels: Vec<PanelBox>,
    pub panels_top: f64,
    pub panels_bottom: f64,
}

/// What a legend entry shows before its label.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Swatch {
    Line(LineStyle),
    Bar(LineStyle),
    Model,
    Fit,
    /// A pale band: an interval.
    Band,
    /// A dashed vertical rule: the two sides are not comparable.
    Rule,
    /// No mark: the legend's title, the key whose values the entries after it name.
    Title,
}

const SWATCH: f64 = 44.0;

pub(super) fn legend_entries(data: &ChartData) -> Vec<(Swatch, String)> {
    let bars = matches!(data.x, XAxis::Words { .. });
    let mut entries: Vec<(Swatch, String)> = data
        .lines
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let label = match (label.is_empty(), data.model_only) {
                (true, true) => "model".to_string(),
                (true, false) => "measured".to_string(),
                (false, _) => label.clone(),
            };
            let style = line_style(i);
            (
                if bars {
                    Swatch::Bar(style)
                } else {
                    Swatch::Line(style)
                },
                label,
            )
        })
        .collect();
    if let Some(key) = &data.legend_title {
        entries.insert(0, (Swatch::Title, format!("{key}:")));
    }
    let all = || data.panels.iter().flat_map(|p| p.series.iter());
    if all().any(|s| !s.model.is_empty()) {
        entries.push((Swatch::Model, "model prediction".to_string()));
    }
    if all().any(|s| !s.fit.is_empty()) {
        entries.push((Swatch::Fit, "USL fit".to_string()));
    }
    if all().any(|s| !s.band.is_empty()) {
        entries.push((Swatch::Band, "95% interval of the median".to_string()));
    }
    if !data.rules.is_empty() {
        entries.push((Swatch::Rule, "not comparable across".to_string()));
    }
    entries
}

/// Greedy rows of legend entries within `width`.
pub(super) fn legend_rows(
    entries: Vec<(Swatch, String)>,
    width: f64,
) -> Vec<Vec<(Swatch, String)>> {
    rows_within(entries, width, entry_width)
}

/// `entries` in rows, in order, each as full as fits within `width` (a wider entry alone);
/// every legend packs its entries so, whatever its swatches.
pub(super) fn rows_within<T>(
    entries: impl IntoIterator<Item = T>,
    width: f64,
    entry_width: impl Fn(&T) -> f64,
) -> Vec<Vec<T>> {
    let mut rows: Vec<Vec<T>> = Vec::new();
    let mut used = f64::INFINITY;
    for entry in entries {
        let w = entry_width(&entry);
        if used + w > width {
            rows.push(Vec::new());
            used = 0.0;
        }
        used += w;
        if let Some(row) = rows.last_mut() {
            row.push(entry);
        }
    }
    rows
}

fn entry_width((swatch, label): &(Swatch, String)) -> f64 {
    let mark = match swatch {
        Swatch::Title => 0.0,
        _ => SWATCH + 10.0,
    };
    mark + text::width(label, LEGEND) + LEGEND * 1.4
}

/// A word tick's label as lines within `width`, broken at spaces; one line when it fits.
pub(super) fn wrap_words(label: &str, em: f64, width: f64) -> Vec<String> {
    if text::width(label, em) <= width {
        return vec![label.to_string()];
    }
    let mut lines: Vec<String> = Vec::new();
    for word in label.split(' ') {
        match lines.last_mut() {
            Some(line) if text::width(&format!("{line} {word}"), em) <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// Greedy lines of `text`'s ` · `-separated parts within `width`.
fn wrap(text: &str, em: f64, width: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for part in text.split(" · ") {
        match lines.last_mut() {
            Some(line) if text::width(&format!("{line} · {part}"), em) <= width => {
                line.push_str(" · ");
                line.push_str(part);
            }
            _ => lines.push(part.to_string()),
        }
    }
    lines
}

/// The range a y axis spans over `series`: all values with room around them; a linear y
/// from 0.
fn y_range<'a>(series: impl Iterator<Item = &'a Series>, log_y: bool) -> (f64, f64) {
    let values = series.flat_map(|s| {
        s.points
            .iter()
            .flat_map(|p| [p.min, p.max, p.median])
            .chain(s.model.iter().map(|m| m.1))
            .chain(s.fit.iter().map(|f| f.1))
            .chain(s.band.iter().flat_map(|b| [b.1, b.2]))
    });
    let (low, high) = bounds(values, log_y);
    if !low.is_finite() {
        return if log_y { (0.1, 10.0) } else { (0.0, 1.0) };
    }
    if log_y {
        (low / 1.3, high.max(low) * 1.3)
    } else if low >= 0.0 {
        (0.0, if high > 0.0 { high * 1.08 } else { 1.0 })
    } else {
        let width = (high - low).max(1e-12);
        (low - width * 0.05, high + width * 0.05)
    }
}

fn x_range(data: &ChartData) -> (f64, f64, bool) {
    match &data.x {
        XAxis::Words { names, .. } => (-0.5, names.len().max(1) as f64 - 0.5, false),
        XAxis::Versions { names, .. } => (-0.5, names.len().max(1) as f64 - 0.5, false),
        XAxis::Numbers { log, .. } => {
            let xs = data
                .panels
                .iter()
                .flat_map(|p| &p.series)
                .flat_map(|s| s.points.iter().map(|p| p.x));
            let (low, high) = bounds(xs, *log);
            if !low.is_finite() {
                return if *log {
                    (0.1, 10.0, true)
                } else {
                    (0.0, 1.0, false)
                };
            }
            if *log {
                (low / 1.15, high.max(low) * 1.15, true)
            } else {
                let width = (high - low).max(high.abs() * 0.2).max(1e-9);
                (low - width * 0.05, high + width * 0.05, false)
            }
        }
    }
}

pub(super) fn bounds(values: impl Iterator<Item = f64>, log: bool) -> (f64, f64) {
    values
        .filter(|v| v.is_finite() && (!log || *v > 0.0))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        })
}

/// Most columns of panels: four panels of a 1600-pixel image are each wide enough for a
/// title and an axis; more panels take more rows (and a taller image) instead.
pub(super) const MOST_COLUMNS: usize = 4;

pub(super) fn grid_shape(n: usize) -> (usize, usize) {
    let cols = match n {
        0..=3 => n.max(1),
        4 => 2,
        _ => ((n as f64).sqrt().ceil() as usize).min(MOST_COLUMNS),
    };
    (cols, n.div_ceil(cols).max(1))
}

/// Lines a panel's title may take, and its smallest type as a share of `PANEL`.
const TITLE_LINES: usize = 3;
const TITLE_SCALES: [f64; 3] = [1.0, 0.85, 0.7];

/// Panels in a grid: its columns and rows, a cell's width, and every panel's title
/// fitted to it.
pub(super) struct Grid {
    pub cols: usize,
    pub rows: usize,
    pub cell_w: f64,
    /// Each panel's title in lines, in type `title_em`, taking `title_band` above a frame.
    pub titles: Vec<Vec<String>>,
    pub title_em: f64,
    pub title_band: f64,
}

/// The grid of `data`'s panels: `grid_shape`'s columns, fewer where a title would
/// otherwise be cut (a shorter title is worth a taller image).
pub(super) fn grid(data: &ChartData) -> Grid {
    let w = f64::from(SIZE.0);
    let left = PAD + AXIS * 1.5;
    let n = data.panels.len();
    let titles: Vec<Option<&str>> = data.panels.iter().map(|p| p.title.as_deref()).collect();
    let mut cols = grid_shape(n).0;
    loop {
        let cell_w = (w - PAD - left) / cols as f64;
        let (fitted, title_em, cut) = fit_titles(&titles, cell_w - 2.0 * PANEL);
        if !cut || cols == 1 {
            let lines = fitted.iter().map(Vec::len).max().unwrap_or(0);
            return Grid {
                cols,
                rows: n.div_ceil(cols).max(1),
                cell_w,
                titles: fitted,
                title_em,
                title_band: if lines > 0 {
                    title_band(lines, title_em)
                } else {
                    0.0
                },
            };
        }
        cols -= 1;
    }
}

/// Every panel's title within `width` pixels, in one type size for all: the largest at
/// which each fits on at most `TITLE_LINES` lines broken at spaces. Where even the
/// smallest does not, a line too wide, or the last line kept, ends in "…", and the
/// last value returned is true.
pub(super) fn fit_titles(titles: &[Option<&str>], width: f64) -> (Vec<Vec<String>>, f64, bool) {
    let wrapped = |em: f64| -> Vec<Vec<String>> {
        titles
            .iter()
            .map(|t| t.map_or_else(Vec::new, |t| wrap_words(t, em, width)))
            .collect()
    };
    let fits = |lines: &Vec<String>, em: f64| {
        lines.len() <= TITLE_LINES && lines.iter().all(|l| text::width(l, em) <= width)
    };
    for scale in TITLE_SCALES {
        let em = PANEL * scale;
        let all = wrapped(em);
        if all.iter().all(|lines| fits(lines, em)) {
            return (all, em, false);
        }
    }
    let em = PANEL * TITLE_SCALES[TITLE_SCALES.len() - 1];
    let cut = wrapped(em)
        .into_iter()
        .map(|mut lines| {
            let more = lines.len() > TITLE_LINES;
            lines.truncate(TITLE_LINES);
            let last = lines.len().saturating_sub(1);
            for (i, line) in lines.iter_mut().enumerate() {
                *line = shortened(line, em, width, more && i == last);
            }
            lines
        })
        .collect();
    (cut, em, true)
}

/// `line` within `width`, cut at a character and ended with "…" where it is too wide or
/// where `cut` says text follows it that is not shown.
fn shortened(line: &str, em: f64, width: f64, cut: bool) -> String {
    if !cut && text::width(line, em) <= width {
        return line.to_string();
    }
    let mut kept: Vec<char> = line.chars().collect();
    loop {
        let candidate = format!("{}…", kept.iter().collect::<String>());
        if kept.is_empty() || text::width(&candidate, em) <= width {
            return candidate;
        }
        kept.pop();
    }
}

/// The height above a panel's frame its title takes: one line of `PANEL` type takes
/// `PANEL` × 1.6.
pub(super) fn title_band(lines: usize, em: f64) -> f64 {
    PANEL * 0.4 + lines as f64 * em * 1.2
}

/// What sits above the panels: the subtitle's lines, the legend's rows, and where the
/// legend and the panels start.
pub(super) struct Head {
    pub subtitle: Vec<String>,
    pub legend: Vec<Vec<(Swatch, String)>>,
    pub legend_top: f64,
    pub panels_top: f64,
    /// Where the panels end, above the axis title and the notes.
    pub panels_bottom: f64,
}

pub(super) fn head(data: &ChartData) -> Head {
    head_within(data, f64::from(image_size(data).1))
}

/// What sits above the panels of an image `h` pixels tall.
fn head_within(data: &ChartData, h: f64) -> Head {
    let w = f64::from(SIZE.0);
    let mut y = PAD + TITLE * 1.35;
    let subtitle = wrap(&data.subtitle, SUBTITLE, w - 2.0 * PAD);
    y += subtitle.len() as f64 * SUBTITLE * 1.35 + 6.0;
    let legend = legend_rows(legend_entries(data), w - 2.0 * PAD);
    let legend_top = y;
    y += legend.len() as f64 * LEGEND * 1.6 + 8.0;
    let notes_height = data.notes.len() as f64 * NOTE * 1.4;
    Head {
        subtitle,
        legend,
        legend_top,
        panels_top: y,
        panels_bottom: h - PAD - notes_height - AXIS * 1.5,
    }
}

/// Places every element of `data` on a `SIZE` image.
pub fn layout(data: &ChartData) -> Layout {
    let Head {
        subtitle,
        legend,
        legend_top,
        panels_top,
        panels_bottom,
    } = head(data);
    let left = PAD + AXIS * 1.5;
    let Grid {
        cols,
        rows,
        cell_w,
        titles,
        title_em,
        title_band,
    } = grid(data);
    let cell_h = (panels_bottom - panels_top) / rows as f64;
    let cell = Cell {
        w: cell_w,
        h: cell_h,
        plot_top: title_band + 6.0,
    };
    let (axes, x_labels) = place_axes(data, &cell);
    let x_map = axes.x;
    let panels = axes
        .y
        .into_iter()
        .zip(titles)
        .enumerate()
        .map(|(i, ((y_map, y_ticks), title))| {
            let (cx, cy) = (
                left + (i % cols) as f64 * cell_w,
                panels_top + (i / cols) as f64 * cell_h,
            );
            let shift = |m: Map, d: f64| Map {
                from: m.from + d,
                to: m.to + d,
                ..m
            };
            PanelBox {
                left: cx + x_map.from,
                top: cy + cell.plot_top,
                right: cx + x_map.to,
                bottom: cy + y_map.from,
                x: shift(x_map, cx),
                y: shift(y_map, cy),
                x_ticks: x_labels.ticks.clone(),
                y_ticks,
                x_em: x_labels.em,
                title,
                title_em,
            }
        })
        .collect();
    Layout {
        subtitle,
        legend,
        legend_top,
        panels,
        panels_top,
        panels_bottom,
    }
}

/// One panel's cell, before it is placed: its size, and where its plot starts under the
/// panel's title.
struct Cell {
    w: f64,
    h: f64,
    plot_top: f64,
}

/// Each panel's y axis with its ticks, and the x axis all panels share, within a cell.
struct Axes {
    y: Vec<(Map, Vec<Tick>)>,
    x: Map,
}

/// The x ticks as placed: their labels, the labels' type size and the lines the tallest
/// takes.
struct XLabels {
    ticks: Vec<Tick>,
    em: f64,
    lines: usize,
}

/// The height `lines` of x labels at type size `em` take beyond one line of ticks.
fn label_room(lines: usize, em: f64) -> f64 {
    lines as f64 * em * 1.2 - TICK * 1.2
}

/// Axes and x labels that fit each other. How many lines words wrap onto is known only
/// once the x axis is placed, so the axes are placed again with room for them; versions
/// take their two lines (a commit over its date) from the start.
fn place_axes(data: &ChartData, cell: &Cell) -> (Axes, XLabels) {
    let least = if matches!(data.x, XAxis::Versions { .. }) {
        2
    } else {
        1
    };
    let first = axes(data, cell, label_room(least, TICK));
    let labels = x_labels(data, &first.x);
    let room = label_room(labels.lines, labels.em);
    (axes(data, cell, room), labels)
}

/// The axes in `cell`, with `room` pixels under the plot for x labels taller than one
/// line of ticks.
fn axes(data: &ChartData, cell: &Cell, room: f64) -> Axes {
    let bottom = cell.h - TICK * 1.8 - room;
    let y = y_axes(data, cell.plot_top, bottom);
    let label_w = y
        .iter()
        .flat_map(|axis| &axis.1)
        .map(|t| text::width(&t.label, TICK))
        .fold(0.0, f64::max);
    let (low, high, log) = x_range(data);
    let x = Map {
        low,
        high,
        log,
        from: label_w + 14.0,
        to: cell.w - TICK * 1.8,
    };
    Axes { y, x }
}

/// Each panel's y axis between the pixels `top` and `bottom`: its own where
/// `y_per_panel`, else one for all (every panel has one height, so one set of ticks
/// serves all and the panels compare).
fn y_axes(data: &ChartData, top: f64, bottom: f64) -> Vec<(Map, Vec<Tick>)> {
    if data.y_per_panel {
        data.panels
            .iter()
            .map(|p| y_axis(data, y_range(p.series.iter(), data.log_y), top, bottom))
            .collect()
    } else {
        let all = data.panels.iter().flat_map(|p| &p.series);
        let shared = y_axis(data, y_range(all, data.log_y), top, bottom);
        vec![shared; data.panels.len()]
    }
}

/// The x ticks along `x`, labelled as the axis reads.
fn x_labels(data: &ChartData, x: &Map) -> XLabels {
    let (ticks, lines) = match &data.x {
        XAxis::Words { names, .. } => return word_labels(names, x),
        XAxis::Versions { names, .. } => (version_ticks(names, x), 2),
        XAxis::Numbers { scale, .. } => {
            let fit = AxisFit {
                low: x.low,
                high: x.high,
                log: x.log,
                scale: *scale,
                to_px: &|v| x.px(v),
                extent: &|s| text::width(s, TICK),
                gap: TICK * 0.8,
            };
            (fit.ticks(), 1)
        }
    };
    XLabels {
        ticks,
        em: TICK,
        lines,
    }
}

/// A tick per word, at 0, 1, 2, ...: words wider than their bar group (a group's
/// `bounded × 100`) take more lines, and a word wider still a smaller type, so no two
/// labels touch.
fn word_labels(names: &[String], x: &Map) -> XLabels {
    let slot = (x.px(1.0) - x.px(0.0)).abs() - TICK * 0.8;
    let widest = names
        .iter()
        .flat_map(|n| n.split(' '))
        .map(|w| text::width(w, TICK))
        .fold(0.0, f64::max);
    let em = if widest > slot {
        (TICK * slot / widest).max(TICK * 0.5)
    } else {
        TICK
    };
    let lines: Vec<Vec<String>> = names.iter().map(|n| wrap_words(n, em, slot)).collect();
    XLabels {
        em,
        lines: lines.iter().map(Vec::len).max().unwrap_or(1),
        ticks: lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| Tick {
                value: i as f64,
                label: l.join("\n"),
            })
            .collect(),
    }
}

/// A y axis from `low` to `high` between the pixels `top` and `bottom` of a panel, with
/// its ticks.
fn y_axis(data: &ChartData, (low, high): (f64, f64), top: f64, bottom: f64) -> (Map, Vec<Tick>) {
    let map = Map {
        low,
        high,
        log: data.log_y,
        from: bottom,
        to: top,
    };
    let ticks = AxisFit {
        low,
        high,
        log: data.log_y,
        scale: data.y_scale,
        to_px: &|v| map.px(v),
        extent: &|_| TICK * 1.2,
        gap: TICK * 0.5,
    }
    .ticks();
    (map, ticks)
}

/// Every version named if the names fit, else every n-th counting back from the newest,
/// which is always named.
fn version_ticks(names: &[(String, String)], x: &Map) -> Vec<Tick> {
    let widest = names
        .iter()
        .map(|(commit, date)| text::width(commit, TICK).max(text::width(date, TICK)))
        .fold(0.0, f64::max);
    let apart = (x.px(1.0) - x.px(0.0)).abs().max(1e-9);
    let every = ((widest + TICK * 0.8) / apart).ceil().max(1.0) as usize;
    let mut ticks: Vec<Tick> = (0..names.len())
        .rev()
        .step_by(every)
        .map(|i| Tick {
            value: i as f64,
            label: names[i].0.clone(),
        })
        .collect();
    ticks.reverse();
    ticks
}

type DrawResult = Result<(), String>;

/// A panel's frame, (left, top, right, bottom), and its title's lines above it in type
/// `em`, the last just above the frame.
pub(super) fn frame_and_title<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (left, top, right, bottom): (f64, f64, f64, f64),
    (title, em): (&[String], f64),
) -> Result<(), String> {
    let frame = Rectangle::new([at(left, top), at(right, bottom)], FRAME.stroke_width(1));
    root.draw(&frame).map_err(|e| e.to_string())?;
    let above = (HPos::Center, VPos::Bottom);
    for (i, line) in title.iter().enumerate() {
        let up = (title.len() - 1 - i) as f64 * em * 1.2;
        put_text(
            root,
            line,
            em,
            INK,
            above,
            ((left + right) / 2.0, top - 8.0 - up),
        )?;
    }
    Ok(())
}

pub(super) fn at(x: f64, y: f64) -> (i32, i32) {
    (x.round() as i32, y.round() as i32)
}

pub(super) fn put_text<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &str,
    em: f64,
    colour: RGBColor,
    (h, v): (HPos, VPos),
    pos: (f64, f64),
) -> DrawResult {
    let style = text::style(em, colour).pos(Pos::new(h, v));
    root.draw_text(s, &style, at(pos.0, pos.1))
        .map_err(|e| e.to_string())
}

pub(super) fn path<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    points: Vec<(f64, f64)>,
    style: ShapeStyle,
) -> DrawResult {
    let points: Vec<(i32, i32)> = points.into_iter().map(|p| at(p.0, p.1)).collect();
    root.draw(&PathElement::new(points, style))
        .map_err(|e| e.to_string())
}

/// `points` as dashes of `on` pixels with `off` pixels between, along the polyline.
pub(super) fn dashed<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    points: &[(f64, f64)],
    (on, off): (f64, f64),
    style: ShapeStyle,
) -> DrawResult {
    let mut dash: Vec<(f64, f64)> = Vec::new();
    let mut phase = 0.0; // distance into the current on+off period
    for pair in points.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        let length = ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt();
        let mut done = 0.0;
        while done < length {
            let in_on = phase < on;
            let left = if in_on { on - phase } else { on + off - phase };
            let step = left.min(length - done);
            let f0 = done / length;
            let f1 = (done + step) / length;
            let p = |f: f64| (x0 + (x1 - x0) * f, y0 + (y1 - y0) * f);
            if in_on {
                if dash.is_empty() {
                    dash.push(p(f0));
                }
                dash.push(p(f1));
            } else if !dash.is_empty() {
                path(root, std::mem::take(&mut dash), style)?;
            }
            done += step;
            phase = (phase + step) % (on + off);
        }
    }
    if dash.len() > 1 {
        path(root, dash, style)?;
    }
    Ok(())
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, data: &ChartData) -> DrawResult {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    if data.bars == Bars::Horizontal && matches!(data.x, XAxis::Words { .. }) {
        return super::hbars::draw(root, data);
    }
    let layout = layout(data);
    draw_head(
        root,
        data,
        &layout.subtitle,
        &layout.legend,
        layout.legend_top,
    )?;
    if data.panels.is_empty() {
        return draw_nothing_to_draw(root, data, &layout);
    }
    for (panel, placed) in data.panels.iter().zip(&layout.panels) {
        draw_panel(root, data, panel, placed)?;
    }
    let x_title = match &data.x {
        XAxis::Numbers { title, .. }
        | XAxis::Words { title, .. }
        | XAxis::Versions { title, .. } => title,
    };
    let bottom = layout.panels_bottom;
    draw_foot(
        root,
        data,
        (&data.y_title, layout.panels_top),
        (x_title, bottom),
    )
}

/// A chart with no panel (a history of one version): its notes, which say why, where
/// the panels would be.
fn draw_nothing_to_draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    layout: &Layout,
) -> DrawResult {
    let w = f64::from(SIZE.0);
    let middle = (layout.panels_top + layout.panels_bottom) / 2.0;
    let first = middle - (data.notes.len() as f64 - 1.0) * AXIS * 0.7;
    for (i, note) in data.notes.iter().enumerate() {
        let y = first + i as f64 * AXIS * 1.4;
        let centre = (HPos::Center, VPos::Center);
        put_text(root, note, AXIS * 0.8, MUTED, centre, (w / 2.0, y))?;
    }
    Ok(())
}

/// The title, the subtitle's lines and the legend.
pub(super) fn draw_head<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    subtitle: &[String],
    legend: &[Vec<(Swatch, String)>],
    legend_top: f64,
) -> DrawResult {
    let w = f64::from(SIZE.0);
    let centre = (HPos::Center, VPos::Top);
    // A title wider than the image (a group of three keys on x) takes smaller type.
    let width = text::width(&data.title, TITLE);
    let em = TITLE * ((w - 2.0 * PAD) / width).min(1.0);
    put_text(root, &data.title, em, INK, centre, (w / 2.0, PAD))?;
    let mut y = PAD + TITLE * 1.35;
    for line in subtitle {
        put_text(root, line, SUBTITLE, MUTED, centre, (w / 2.0, y))?;
        y += SUBTITLE * 1.35;
    }
    draw_legend(root, legend, legend_top)
}

/// The axis titles, `left` turned up beside the panels from `top` (its text and the
/// panels' top) and `below` under them (its text and the panels' bottom), and the notes.
pub(super) fn draw_foot<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    (left_title, top): (&str, f64),
    (below, bottom): (&str, f64),
) -> DrawResult {
    let w = f64::from(SIZE.0);
    let middle = (top + bottom) / 2.0;
    let rotated = text::style(AXIS, INK)
        .pos(Pos::new(HPos::Center, VPos::Top))
        .transform(FontTransform::Rotate270);
    root.draw_text(left_title, &rotated, at(PAD, middle))
        .map_err(|e| e.to_string())?;
    let left = PAD + AXIS * 1.5;
    put_text(
        root,
        below,
        AXIS,
        INK,
        (HPos::Center, VPos::Top),
        ((left + w - PAD) / 2.0, bottom + 4.0),
    )?;
    let mut y = bottom + AXIS * 1.5;
    for note in &data.notes {
        put_text(root, note, NOTE, MUTED, (HPos::Left, VPos::Top), (PAD, y))?;
        y += NOTE * 1.4;
    }
    Ok(())
}

fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    legend: &[Vec<(Swatch, String)>],
    legend_top: f64,
) -> DrawResult {
    let w = f64::from(SIZE.0);
    // Bars mark the model thin and dark across each bar; lines wide beneath the line.
    let bars = legend
        .iter()
        .flatten()
        .any(|e| matches!(e.0, Swatch::Bar(_)));
    let model = if bars {
        ((8.0, 5.0), INK.stroke_width(2))
    } else {
        ((12.0, 8.0), MUTED.stroke_width(7))
    };
    let mut y = legend_top + LEGEND * 0.8;
    for row in legend {
        let total: f64 = row.iter().map(entry_width).sum::<f64>() - LEGEND * 1.4;
        let mut x = (w - total) / 2.0;
        for entry in row {
            let (swatch, label) = entry;
            let mut text_x = x + SWATCH + 10.0;
            match swatch {
                Swatch::Line(style) => {
                    path(
                        root,
                        vec![(x, y), (x + SWATCH, y)],
                        style.colour.stroke_width(3),
                    )?;
                    marker(root, *style, at(x + SWATCH / 2.0, y), 7).map_err(|e| e.to_string())?;
                }
                Swatch::Bar(style) => {
                    let bar = Rectangle::new(
                        [at(x + 6.0, y - 10.0), at(x + SWATCH - 6.0, y + 10.0)],
                        style.colour.filled(),
                    );
                    root.draw(&bar).map_err(|e| e.to_string())?;
                }
                Swatch::Model => {
                    dashed(root, &[(x, y), (x + SWATCH, y)], model.0, model.1)?;
                }
                Swatch::Fit => {
                    dashed(
                        root,
                        &[(x, y), (x + SWATCH, y)],
                        (3.0, 5.0),
                        MUTED.stroke_width(2),
                    )?;
                }
                Swatch::Band => {
                    let band = Rectangle::new(
                        [at(x, y - 10.0), at(x + SWATCH, y + 10.0)],
                        MUTED.mix(BAND_OPACITY).filled(),
                    );
                    root.draw(&band).map_err(|e| e.to_string())?;
                }
                Swatch::Rule => {
                    let middle = x + SWATCH / 2.0;
                    dashed(
                        root,
                        &[(middle, y - 13.0), (middle, y + 13.0)],
                        RULE_DASHES,
                        INK.stroke_width(2),
                    )?;
                }
                Swatch::Title => text_x = x,
            }
            put_text(
                root,
                label,
                LEGEND,
                INK,
                (HPos::Left, VPos::Center),
                (text_x, y),
            )?;
            x += entry_width(entry);
        }
        y += LEGEND * 1.6;
    }
    Ok(())
}

fn draw_panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    panel: &super::Panel,
    b: &PanelBox,
) -> DrawResult {
    let words = matches!(data.x, XAxis::Words { .. });
    for tick in &b.y_ticks {
        let y = b.y.px(tick.value);
        path(root, vec![(b.left, y), (b.right, y)], GRID.stroke_width(1))?;
        put_text(
            root,
            &tick.label,
            TICK,
            INK,
            (HPos::Right, VPos::Center),
            (b.left - 8.0, y),
        )?;
    }
    for tick in &b.x_ticks {
        let x = b.x.px(tick.value);
        if !words {
            path(root, vec![(x, b.top), (x, b.bottom)], GRID.stroke_width(1))?;
        }
        let below = (HPos::Center, VPos::Top);
        let line_at = |i: usize| (x, b.bottom + 8.0 + i as f64 * b.x_em * 1.2);
        let lines = tick.label.lines().count();
        for (i, line) in tick.label.lines().enumerate() {
            put_text(root, line, b.x_em, INK, below, line_at(i))?;
        }
        if let XAxis::Versions { names, .. } = &data.x
            && let Some((_, date)) = names.get(tick.value as usize)
        {
            put_text(root, date, b.x_em, MUTED, below, line_at(lines))?;
        }
    }
    frame_and_title(
        root,
        (b.left, b.top, b.right, b.bottom),
        (&b.title, b.title_em),
    )?;
    if words {
        return draw_bars(root, panel, b, &data.lines);
    }
    for series in &panel.series {
        draw_band(root, series, b)?;
    }
    for &x in &data.rules {
        let x = b.x.px(x);
        dashed(
            root,
            &[(x, b.top), (x, b.bottom)],
            RULE_DASHES,
            INK.stroke_width(2),
        )?;
    }
    let xy = |x: f64, y: f64| (b.x.px(x), b.y.px(y));
    // Fits and the model first, so the measurement is drawn over them.
    for series in &panel.series {
        let colour = line_style(series.line).colour;
        let fit: Vec<(f64, f64)> = series.fit.iter().map(|f| xy(f.0, f.1)).collect();
        dashed(root, &fit, (3.0, 6.0), colour.stroke_width(2))?;
        let model: Vec<(f64, f64)> = series.model.iter().map(|m| xy(m.0, m.1)).collect();
        if model.len() == 1 {
            let (x, y) = model[0];
            dashed(
                root,
                &[(x - 16.0, y), (x + 16.0, y)],
                (6.0, 4.0),
                colour.stroke_width(2),
            )?;
        } else {
            // Wider than the measured line, so where the two agree its dashes show on
            // both sides of the measurement drawn over it.
            dashed(root, &model, (12.0, 8.0), colour.stroke_width(7))?;
        }
    }
    for series in &panel.series {
        draw_measured(root, series, b)?;
    }
    Ok(())
}

fn draw_measured<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    series: &Series,
    b: &PanelBox,
) -> DrawResult {
    let style = line_style(series.line);
    let xy = |x: f64, y: f64| (b.x.px(x), b.y.px(y));
    for p in &series.points {
        whisker(root, b.x.px(p.x), p, b, style.colour, 7.0)?;
    }
    let line: Vec<(f64, f64)> = series.points.iter().map(|p| xy(p.x, p.median)).collect();
    path(root, line.clone(), style.colour.stroke_width(3))?;
    let radius = marker_radius(&line);
    if radius < MIN_MARKER {
        return Ok(());
    }
    for (x, y) in line {
        marker(root, style, at(x, y), radius).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Markers smaller than this are left out: the line alone reads better than a bead.
const MIN_MARKER: i32 = 3;

/// A marker's radius: 7 pixels, less where points stand closer than three radii apart
/// (a hundred versions in a small panel), so markers never run into each other.
pub(super) fn marker_radius(points: &[(f64, f64)]) -> i32 {
    let closest = points
        .windows(2)
        .map(|w| (w[1].0 - w[0].0).abs())
        .fold(f64::INFINITY, f64::min);
    (closest / 3.0).floor().min(7.0) as i32
}

/// How strongly a band's colour covers what is under it: pale, so lines read through.
const BAND_OPACITY: f64 = 0.2;
const RULE_DASHES: (f64, f64) = (10.0, 7.0);

/// The series' band, in its colour, pale: an area from low to high along its points, or a
/// narrow bar where it has one point.
fn draw_band<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    series: &Series,
    b: &PanelBox,
) -> DrawResult {
    let fill = line_style(series.line).colour.mix(BAND_OPACITY).filled();
    let corners: Vec<(i32, i32)> = match series.band.as_slice() {
        [] => return Ok(()),
        [(x, low, high)] => {
            let x = b.x.px(*x);
            vec![
                at(x - 8.0, b.y.px(*high)),
                at(x + 8.0, b.y.px(*high)),
                at(x + 8.0, b.y.px(*low)),
                at(x - 8.0, b.y.px(*low)),
            ]
        }
        band => {
            let upper = band
                .iter()
                .map(|(x, _, high)| at(b.x.px(*x), b.y.px(*high)));
            let lower = band
                .iter()
                .rev()
                .map(|(x, low, _)| at(b.x.px(*x), b.y.px(*low)));
            upper.chain(lower).collect()
        }
    };
    root.draw(&Polygon::new(corners, fill))
        .map_err(|e| e.to_string())
}

fn whisker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x: f64,
    p: &Point,
    b: &PanelBox,
    colour: RGBColor,
    cap: f64,
) -> DrawResult {
    let (low, high) = (b.y.px(p.min), b.y.px(p.max));
    if (low - high).abs() < 1.0 {
        return Ok(());
    }
    let s = colour.stroke_width(2);
    path(root, vec![(x, low), (x, high)], s)?;
    path(root, vec![(x - cap, low), (x + cap, low)], s)?;
    path(root, vec![(x - cap, high), (x + cap, high)], s)
}

/// Grouped bars: a group per word of x, a bar per line, whiskers min–max, and the model
/// as a dashed mark across its bar. A line keeps its place in every group and panel, so
/// a bar left out is an empty slot that says why (`mutex: not run`), turned up along it.
fn draw_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    panel: &super::Panel,
    b: &PanelBox,
    lines: &[String],
) -> DrawResult {
    let n = lines.len().max(1) as f64;
    let group = 0.8;
    let base = b.bottom;
    let centre = |x: f64, line: usize| x - group / 2.0 + (line as f64 + 0.5) * group / n;
    let half = (b.x.px(group / n) - b.x.px(0.0)) / 2.0 * 0.9;
    for series in &panel.series {
        let style = line_style(series.line);
        for p in &series.points {
            let x = b.x.px(centre(p.x, series.line));
            let top = b.y.px(p.median);
            let bar = Rectangle::new(
                [at(x - half, top), at(x + half, base)],
                style.colour.filled(),
            );
            root.draw(&bar).map_err(|e| e.to_string())?;
            whisker(root, x, p, b, INK, (half * 0.4).min(10.0))?;
        }
        for m in &series.model {
            let (x, y) = (b.x.px(centre(m.0, series.line)), b.y.px(m.1));
            dashed(
                root,
                &[(x - half, y), (x + half, y)],
                (8.0, 5.0),
                INK.stroke_width(2),
            )?;
        }
    }
    // Slots too narrow for the words leave the legend and the gap to say it.
    let em = (half * 1.4).min(AXIS * 0.7);
    if em < 10.0 {
        return Ok(());
    }
    for gap in &panel.gaps {
        let words = match super::hbars::bar_words(&lines[gap.line]) {
            line if line.is_empty() => gap.why.words().to_string(),
            line => format!("{line}: {}", gap.why.words()),
        };
        let turned = super::text::style(em, MUTED)
            .pos(Pos::new(HPos::Left, VPos::Center))
            .transform(FontTransform::Rotate270);
        let x = b.x.px(centre(gap.x, gap.line));
        root.draw_text(&words, &turned, at(x, base - 8.0))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
