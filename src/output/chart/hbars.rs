//! Horizontal bars (`[plot] bars = "horizontal"`): x's words down each panel, a bar per
//! line across them, the measure along the bottom and whiskers for the median's 95%
//! interval: the layout of benchmark plots such as crossbeam-channel's, read for which
//! is faster, and whether two differ at all.
//!
//! Every position is computed here in pixels from the font's metrics, as `draw` does for
//! lines and vertical bars, so tests read the label boxes; the title, legend, axis titles
//! and primitives are `draw`'s. A line keeps its place in every group, so a bar left out
//! is a gap that says `not run` (or `not measured`) rather than a shift of the others.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};

use super::draw::{
    AXIS, GRID, Grid, Head, INK, MUTED, Map, PAD, TICK, at, bounds, dashed, draw_foot, draw_head,
    frame_and_title, grid, head, path, put_text, wrap_words,
};
use super::style::line_style;
use super::text;
use super::ticks::{AxisFit, Tick};
use super::{ChartData, Panel, Point, Series, XAxis};

/// Pixels between a bar's end (or its whisker's) and its label, and after the label.
const LABEL_GAP: f64 = 6.0;
/// The share of a word's slot its group of bars fills.
const GROUP: f64 = 0.9;
/// Largest and smallest type of a bar's label: smaller bars go without one (the legend
/// names them).
const LABEL_EM: (f64, f64) = (20.0, 11.0);

/// Text and the box it takes, in pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub text: String,
    pub em: f64,
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

impl Label {
    /// `text` starting at `left`, centred on `middle`.
    fn at(text: &str, em: f64, left: f64, middle: f64) -> Self {
        Label {
            text: text.to_string(),
            em,
            left,
            top: middle - em * 0.6,
            right: left + text::width(text, em),
            bottom: middle + em * 0.6,
        }
    }

    /// Whether the two boxes share any pixel.
    #[cfg(test)]
    pub fn overlaps(&self, other: &Label) -> bool {
        self.left < other.right
            && other.left < self.right
            && self.top < other.bottom
            && other.top < self.bottom
    }
}

/// One bar placed: its band across the panel and where its values fall.
#[derive(Clone, Debug)]
pub struct Bar {
    pub line: usize,
    pub top: f64,
    pub bottom: f64,
    /// Pixels of the axis's start, the median and the whisker's ends.
    pub start: f64,
    pub median: f64,
    pub low: f64,
    pub high: f64,
    pub model: Option<f64>,
    /// The line's words after the bar; `None` where bars are too thin for text.
    pub label: Option<Label>,
}

/// One panel placed.
#[derive(Clone, Debug)]
pub struct HPanel {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
    /// The measure's value to an x pixel.
    pub value: Map,
    pub ticks: Vec<Tick>,
    /// x's words down the left: each label's lines and its middle.
    pub categories: Vec<(f64, Vec<String>)>,
    pub category_em: f64,
    /// Where one word's group of bars ends and the next begins.
    pub separators: Vec<f64>,
    pub bars: Vec<Bar>,
    /// `not run` where a line has no bar.
    pub gaps: Vec<Label>,
    /// The panel's title as drawn: its lines above the frame, and their type size.
    pub title: Vec<String>,
    pub title_em: f64,
}

/// Where everything goes.
#[derive(Clone, Debug)]
pub struct HLayout {
    pub panels: Vec<HPanel>,
    pub panels_bottom: f64,
}

/// A line's words on its bar: the values of its legend label, `crossbeam` for
/// `queue_impl=crossbeam`.
pub(super) fn bar_words(line: &str) -> String {
    let values: Vec<&str> = line
        .split(", ")
        .map(|part| part.split_once('=').map_or(part, |(_, v)| v))
        .collect();
    values.join(", ")
}

/// The words down the left: wrapped within a third of a panel, a word wider than that
/// in smaller type. Returns each label's lines, the type size and the widest line.
fn category_labels(names: &[String], cell_w: f64) -> (Vec<Vec<String>>, f64, f64) {
    let most = cell_w * 0.3;
    let widest = names
        .iter()
        .flat_map(|n| n.split(' '))
        .map(|w| text::width(w, TICK))
        .fold(0.0, f64::max);
    let em = if widest > most {
        (TICK * most / widest).max(TICK * 0.5)
    } else {
        TICK
    };
    let lines: Vec<Vec<String>> = names.iter().map(|n| wrap_words(n, em, most)).collect();
    let width = lines
        .iter()
        .flatten()
        .map(|l| text::width(l, em))
        .fold(0.0, f64::max);
    (lines, em, width)
}

/// The model's value for the bar of `point`, if the model predicts it.
fn model_of(series: &Series, point: &Point) -> Option<f64> {
    series.model.iter().find(|m| m.0 == point.x).map(|m| m.1)
}

/// Where a bar's marks end on the right: its label goes after this.
fn end_of(series: &Series, point: &Point) -> f64 {
    let model = model_of(series, point).unwrap_or(point.max);
    point.max.max(point.median).max(model)
}

/// Where a value lands as a share of the axis, on a linear or log axis.
fn share(v: f64, low: f64, high: f64, log: bool) -> f64 {
    let t = |v: f64| if log { v.log10() } else { v };
    (t(v) - t(low)) / (t(high) - t(low))
}

/// A panel's range of the measure: from 0 (or, on a log axis, below the least value),
/// and far enough right that each bar's label fits after its whisker within `width`
/// pixels; false where a label could not fit in most of the width.
fn value_range(
    data: &ChartData,
    panel: &Panel,
    width: f64,
    label_em: Option<f64>,
) -> (f64, f64, bool) {
    let log = data.log_y;
    let points = || {
        panel
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(move |p| (s, p)))
    };
    let ends = points().map(|(s, p)| end_of(s, p));
    let (least, most) = bounds(
        points()
            .flat_map(|(_, p)| [p.min, p.median, p.max])
            .chain(ends),
        log,
    );
    if !least.is_finite() {
        return (
            if log { 0.1 } else { 0.0 },
            if log { 10.0 } else { 1.0 },
            true,
        );
    }
    let low = if log { least / 1.3 } else { 0.0 };
    let mut high = if log { most * 1.3 } else { most * 1.08 };
    if high <= low {
        high = low + 1.0;
    }
    let Some(em) = label_em else {
        return (low, high, true);
    };
    let unlabelled = high;
    for (series, point) in points() {
        let end = end_of(series, point);
        let label = text::width(&bar_words(&data.lines[series.line]), em);
        // The share of the axis the bar may reach with its label after it.
        let room = 1.0 - (2.0 * LABEL_GAP + label) / width;
        if room < 0.5 {
            // One name too wide: the panel's bars go without names (the legend gives
            // them), and its axis ends where the bars do, not where names would have.
            return (low, unlabelled, false);
        }
        if share(end, low, high, log) > room {
            high = if log {
                10f64.powf(low.log10() + (end.log10() - low.log10()) / room)
            } else {
                low + (end - low) / room
            };
        }
    }
    (low, high, true)
}

/// Places every element of a horizontal bar chart.
pub fn layout(data: &ChartData) -> HLayout {
    let Head {
        panels_top,
        panels_bottom,
        ..
    } = head(data);
    let names: &[String] = match &data.x {
        XAxis::Words { names, .. } => names,
        XAxis::Numbers { .. } | XAxis::Versions { .. } => &[],
    };
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
    let (labels, category_em, labels_w) = category_labels(names, cell_w);
    let (plot_left, plot_right) = (labels_w + 14.0, cell_w - 20.0);
    let (plot_top, plot_bottom) = (title_band + 6.0, cell_h - TICK * 1.8 - 10.0);
    let slot = (plot_bottom - plot_top) / names.len().max(1) as f64;
    // A word's group of bars fills 90% of its slot, a band per line.
    let band = slot * GROUP / data.lines.len().max(1) as f64;
    let named = data.lines.iter().any(|l| !l.is_empty());
    // A label is 1.2 em tall: no taller than its band, so neighbours never touch.
    let em = (band / 1.2).min(LABEL_EM.0);
    let label_em = (named && em >= LABEL_EM.1).then_some(em);
    let width = plot_right - plot_left;
    // One range for all panels unless each has its own: the widest, labels fitting in all.
    let shared = data
        .panels
        .iter()
        .map(|p| value_range(data, p, width, label_em))
        .fold((f64::INFINITY, f64::NEG_INFINITY, true), |a, r| {
            (a.0.min(r.0), a.1.max(r.1), a.2 && r.2)
        });
    let panels = data
        .panels
        .iter()
        .zip(titles)
        .enumerate()
        .map(|(i, (panel, title))| {
            let (cx, cy) = (
                left + (i % cols) as f64 * cell_w,
                panels_top + (i / cols) as f64 * cell_h,
            );
            let (low, high, fits) = if data.y_per_panel {
                value_range(data, panel, width, label_em)
            } else {
                shared
            };
            // A gap's words sit in its empty band: they need its height, not the room
            // after a bar that names would take.
            let gap_em = label_em;
            let label_em = label_em.filter(|_| fits);
            let value = Map {
                low,
                high,
                log: data.log_y,
                from: plot_left + cx,
                to: plot_right + cx,
            };
            let ticks = AxisFit {
                low,
                high,
                log: data.log_y,
                scale: data.y_scale,
                to_px: &|v| value.px(v),
                extent: &|s| text::width(s, TICK),
                gap: TICK * 0.8,
            }
            .ticks();
            let top = cy + plot_top;
            // The band of line `line` in the group of word `x`: its top and bottom.
            let band_of = |x: f64, line: usize| {
                let group = top + (x + (1.0 - GROUP) / 2.0) * slot + line as f64 * band;
                (group + band * 0.1, group + band * 0.9)
            };
            let middle = |(a, b): (f64, f64)| (a + b) / 2.0;
            let start = value.px(low);
            let mut bars = Vec::new();
            for series in &panel.series {
                for p in &series.points {
                    let (bar_top, bar_bottom) = band_of(p.x, series.line);
                    let model = model_of(series, p);
                    let label = label_em.map(|em| {
                        let words = bar_words(&data.lines[series.line]);
                        let at = value.px(end_of(series, p)) + LABEL_GAP;
                        Label::at(&words, em, at, middle((bar_top, bar_bottom)))
                    });
                    bars.push(Bar {
                        line: series.line,
                        top: bar_top,
                        bottom: bar_bottom,
                        start,
                        median: value.px(p.median),
                        low: value.px(p.min),
                        high: value.px(p.max),
                        model: model.map(|m| value.px(m)),
                        label,
                    });
                }
            }
            // Bars too thin for their names are too thin for a gap's words: the legend
            // and the empty band say it.
            let gaps = panel
                .gaps
                .iter()
                .filter(|_| gap_em.is_some())
                .map(|g| {
                    let band = band_of(g.x, g.line);
                    let words = match bar_words(&data.lines[g.line]) {
                        words if words.is_empty() => g.why.words().to_string(),
                        words => format!("{words}: {}", g.why.words()),
                    };
                    Label::at(&words, em, start + LABEL_GAP, middle(band))
                })
                .collect();
            HPanel {
                left: cx + plot_left,
                top,
                right: cx + plot_right,
                bottom: cy + plot_bottom,
                value,
                ticks,
                categories: labels
                    .iter()
                    .enumerate()
                    .map(|(k, l)| (top + (k as f64 + 0.5) * slot, l.clone()))
                    .collect(),
                category_em,
                separators: (1..names.len()).map(|k| top + k as f64 * slot).collect(),
                bars,
                gaps,
                title,
                title_em,
            }
        })
        .collect();
    HLayout {
        panels,
        panels_bottom,
    }
}

type DrawResult = Result<(), String>;

pub fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, data: &ChartData) -> DrawResult {
    let head = head(data);
    draw_head(root, data, &head.subtitle, &head.legend, head.legend_top)?;
    let placed = layout(data);
    for b in &placed.panels {
        draw_frame(root, b)?;
        for bar in &b.bars {
            draw_bar(root, bar)?;
        }
        for gap in &b.gaps {
            label(root, gap, MUTED)?;
        }
    }
    let x_title = match &data.x {
        XAxis::Numbers { title, .. }
        | XAxis::Words { title, .. }
        | XAxis::Versions { title, .. } => title,
    };
    draw_foot(
        root,
        data,
        (x_title, head.panels_top),
        (&data.y_title, placed.panels_bottom),
    )
}

fn label<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    l: &Label,
    colour: RGBColor,
) -> DrawResult {
    let middle = (l.top + l.bottom) / 2.0;
    put_text(
        root,
        &l.text,
        l.em,
        colour,
        (HPos::Left, VPos::Center),
        (l.left, middle),
    )
}

/// Grid, ticks, words down the left, the frame and the panel's title.
fn draw_frame<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, b: &HPanel) -> DrawResult {
    for tick in &b.ticks {
        let x = b.value.px(tick.value);
        path(root, vec![(x, b.top), (x, b.bottom)], GRID.stroke_width(1))?;
        put_text(
            root,
            &tick.label,
            TICK,
            INK,
            (HPos::Center, VPos::Top),
            (x, b.bottom + 8.0),
        )?;
    }
    for y in &b.separators {
        path(
            root,
            vec![(b.left, *y), (b.right, *y)],
            GRID.stroke_width(1),
        )?;
    }
    for (middle, lines) in &b.categories {
        let first = middle - (lines.len() as f64 - 1.0) * b.category_em * 0.6;
        for (i, line) in lines.iter().enumerate() {
            put_text(
                root,
                line,
                b.category_em,
                INK,
                (HPos::Right, VPos::Center),
                (b.left - 8.0, first + i as f64 * b.category_em * 1.2),
            )?;
        }
    }
    frame_and_title(
        root,
        (b.left, b.top, b.right, b.bottom),
        (&b.title, b.title_em),
    )
}

/// The bar to its median, the whisker across its middle, the model as a dashed mark
/// across it, and its label.
fn draw_bar<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, bar: &Bar) -> DrawResult {
    let style = line_style(bar.line);
    let rect = Rectangle::new(
        [at(bar.start, bar.top), at(bar.median, bar.bottom)],
        style.colour.filled(),
    );
    root.draw(&rect).map_err(|e| e.to_string())?;
    let middle = (bar.top + bar.bottom) / 2.0;
    if (bar.high - bar.low).abs() >= 1.0 {
        let cap = ((bar.bottom - bar.top) * 0.3).min(10.0);
        let s = INK.stroke_width(2);
        path(root, vec![(bar.low, middle), (bar.high, middle)], s)?;
        path(
            root,
            vec![(bar.low, middle - cap), (bar.low, middle + cap)],
            s,
        )?;
        path(
            root,
            vec![(bar.high, middle - cap), (bar.high, middle + cap)],
            s,
        )?;
    }
    if let Some(model) = bar.model {
        dashed(
            root,
            &[(model, bar.top - 2.0), (model, bar.bottom + 2.0)],
            (6.0, 4.0),
            INK.stroke_width(2),
        )?;
    }
    match &bar.label {
        Some(l) => label(root, l, INK),
        None => Ok(()),
    }
}
