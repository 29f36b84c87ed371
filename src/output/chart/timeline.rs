//! `trace/timeline_SCENARIO.png` and `.svg`: what every thread of one traced run did, the
//! threads above and the model's replay of the same draws below on one time axis, and
//! the queue's depth beneath both.
//!
//! One lane per thread; beyond `MOST_LANES` threads a side, neighbouring threads of one
//! role share a lane. Spans closer than a pixel merge, so the files stay small however
//! many events a run recorded. Fonts, palette and PNG encoding are the other charts'.

use std::collections::HashMap;
use std::sync::Arc;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};

use super::draw::{FRAME, GRID, INK, MUTED, at, dashed, path, put_text, rows_within};
use super::style::line_style;
use super::text::{self, PngCanvas};
use super::ticks::{AxisFit, Scale, Tick};
use crate::experiment::ChartFormat;
use crate::output::trace_json::{TRACE_DIR, Traced};
use crate::output::{Output, RenderError, Results};
use crate::trace::{Role, SpanKind, Timeline, Trace, Window, timeline_name};

/// Lanes a side shows at most; more threads share lanes.
pub const MOST_LANES: usize = 40;
/// Items whose path from put to take is drawn at most: more is a grey blur.
const MOST_FLOWS: usize = 400;

const WIDTH: u32 = 1600;
const PAD: f64 = 24.0;
const LABELS: f64 = 190.0;
const TITLE: f64 = 30.0;
const SUBTITLE: f64 = 19.0;
const LEGEND: f64 = 19.0;
const SECTION: f64 = 22.0;
const TICK: f64 = 20.0;
const DEPTH_HEIGHT: f64 = 200.0;

pub struct TimelineChart {
    pub traced: Arc<Traced>,
    pub format: ChartFormat,
    pub window: Option<Window>,
}

impl Output for TimelineChart {
    fn file_name(&self, _: &Results) -> String {
        let name = timeline_name(&self.traced.scenario, self.format.extension());
        format!("{TRACE_DIR}/{name}")
    }

    fn render(&self, _: &Results) -> Result<Vec<u8>, RenderError> {
        text::register().map_err(RenderError)?;
        let plan = Plan::new(&self.traced, self.window);
        bytes(&plan, self.format).map_err(|e| RenderError(format!("cannot draw the timeline: {e}")))
    }
}

fn bytes(plan: &Plan, format: ChartFormat) -> Result<Vec<u8>, String> {
    let size = (WIDTH, plan.height as u32);
    match format {
        ChartFormat::Png => {
            let mut pixels = vec![0u8; size.0 as usize * size.1 as usize * 3];
            {
                let root =
                    PngCanvas(BitMapBackend::with_buffer(&mut pixels, size)).into_drawing_area();
                draw(&root, plan)?;
                root.present().map_err(|e| e.to_string())?;
            }
            super::png::encode(&pixels, size.0, size.1)
        }
        ChartFormat::Svg => {
            let mut out = String::new();
            {
                let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
                draw(&root, plan)?;
                root.present().map_err(|e| e.to_string())?;
            }
            Ok(out.into_bytes())
        }
    }
}

/// One side (threads or model) laid out: its lanes and their pixel rows.
struct Side<'a> {
    title: &'static str,
    trace: &'a Trace,
    timeline: Timeline,
    /// Per track: its lane.
    lane_of: Vec<usize>,
    labels: Vec<String>,
    top: f64,
    lane_height: f64,
}

impl Side<'_> {
    fn lane_top(&self, lane: usize) -> f64 {
        self.top + lane as f64 * self.lane_height
    }
    fn bottom(&self) -> f64 {
        self.lane_top(self.labels.len())
    }
}

/// Everything placed.
struct Plan<'a> {
    title: String,
    /// Whether the threads' side is shown (not for `simulate`).
    measured: bool,
    subtitle: Vec<String>,
    sides: Vec<Side<'a>>,
    /// Shown interval in ns.
    from_ns: u64,
    to_ns: u64,
    left: f64,
    right: f64,
    legend_top: f64,
    depth_top: f64,
    depth_bottom: f64,
    depth_max: i64,
    height: f64,
}

/// Lanes for `trace`'s tracks: one each, or neighbouring threads of a role grouped so
/// that at most `MOST_LANES` remain.
fn lanes(trace: &Trace) -> (Vec<usize>, Vec<String>) {
    let group = trace.tracks.len().div_ceil(MOST_LANES).max(1);
    let mut lane_of = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    let mut members: Vec<(Role, u32, u32)> = Vec::new();
    for track in &trace.tracks {
        match members.last_mut() {
            Some((role, _, last))
                if *role == track.role && group > 1 && lane_of.len() % group != 0 =>
            {
                *last = track.number;
            }
            _ => members.push((track.role, track.number, track.number)),
        }
        lane_of.push(members.len() - 1);
    }
    for (role, first, last) in members {
        let word = match role {
            Role::Producer => "producer",
            Role::Consumer => "consumer",
        };
        labels.push(if first == last {
            format!("{word} {first}")
        } else {
            format!("{word}s {first}–{last}")
        });
    }
    (lane_of, labels)
}

impl<'a> Plan<'a> {
    fn new(traced: &'a Traced, window: Option<Window>) -> Self {
        let sides_in = traced.sides();
        let end = sides_in
            .iter()
            .map(|s| s.2.end_ns)
            .max()
            .unwrap_or(0)
            .max(1);
        let (from_ns, to_ns) = match window {
            Some(w) => (
                u64::try_from(w.start.as_nanos()).unwrap_or(u64::MAX),
                u64::try_from(w.end.as_nanos()).unwrap_or(u64::MAX),
            ),
            None => (0, end),
        };
        let scenario = &traced.scenario;
        let title = format!("{scenario}: every thread, repeat {}", traced.repeat);
        let mut subtitle = vec![format!(
            "{} × {} items, {} ({}); {}",
            plural(scenario.producers, "producer"),
            scenario.items_per_producer,
            plural(scenario.consumers, "consumer"),
            scenario.consumer.name(),
            if traced.measured.is_some() {
                "above: the threads as they ran; below: the model's replay of the same draws"
            } else {
                "the model's replay of the run's draws"
            }
        )];
        let mut notes = Vec::new();
        for (_, name, trace) in &sides_in {
            if let Some(ns) = trace.stopped_at_ns() {
                notes.push(format!(
                    "{name}: recording stopped at {} (event cap)",
                    short_time(ns)
                ));
            }
        }
        if window.is_some() {
            notes.push(format!(
                "window {} to {} of {}",
                super::ticks::label(from_ns as f64 / 1e9, Scale::Duration),
                super::ticks::label(to_ns as f64 / 1e9, Scale::Duration),
                super::ticks::label(end as f64 / 1e9, Scale::Duration)
            ));
        }
        if !notes.is_empty() {
            subtitle.push(notes.join("; "));
        }
        let legend_top = PAD + TITLE * 1.4 + SUBTITLE * 1.4 * subtitle.len() as f64;
        let mut y =
            legend_top + LEGEND * (0.6 + 1.6 * legend_rows(traced.measured.is_some()).len() as f64);
        let mut sides = Vec::new();
        let mut depth_max = 1;
        for (_, name, trace) in sides_in {
            let (lane_of, labels) = lanes(trace);
            let lane_height = (640.0 / labels.len().max(1) as f64).clamp(9.0, 22.0);
            let timeline = Timeline::of(trace);
            depth_max = timeline.depth.iter().map(|d| d.1).fold(depth_max, i64::max);
            let top = y + SECTION * 1.5;
            let side = Side {
                title: name,
                trace,
                timeline,
                lane_of,
                labels,
                top,
                lane_height,
            };
            y = side.bottom() + 12.0;
            sides.push(side);
        }
        // Room above for the section's title and the top tick's label.
        let depth_top = y + SECTION * 1.5 + TICK * 0.6;
        let depth_bottom = depth_top + DEPTH_HEIGHT;
        Plan {
            title,
            measured: traced.measured.is_some(),
            subtitle,
            sides,
            from_ns,
            to_ns,
            left: PAD + LABELS,
            // Room for half the last tick's label.
            right: f64::from(WIDTH) - PAD - 36.0,
            legend_top,
            depth_top,
            depth_bottom,
            depth_max,
            height: (depth_bottom + TICK * 3.5).ceil(),
        }
    }

    /// The pixel of run time `ns`, clamped to the plot.
    fn x(&self, ns: u64) -> f64 {
        let span = (self.to_ns - self.from_ns).max(1) as f64;
        let f = (ns as f64 - self.from_ns as f64) / span;
        self.left + f.clamp(0.0, 1.0) * (self.right - self.left)
    }

    fn visible(&self, start: u64, end: u64) -> bool {
        end >= self.from_ns && start <= self.to_ns
    }

    fn depth_y(&self, depth: i64) -> f64 {
        let f = depth.max(0) as f64 / self.depth_max as f64;
        self.depth_bottom - f * (self.depth_bottom - self.depth_top)
    }

    fn time_ticks(&self) -> Vec<Tick> {
        let to_px = |s: f64| self.x((s * 1e9) as u64);
        let extent = |label: &str| text::width(label, TICK);
        AxisFit {
            low: self.from_ns as f64 / 1e9,
            high: self.to_ns as f64 / 1e9,
            log: false,
            scale: Scale::Duration,
            to_px: &to_px,
            extent: &extent,
            gap: TICK,
        }
        .ticks()
    }

    fn depth_ticks(&self) -> Vec<Tick> {
        let to_px = |v: f64| self.depth_y(v.round() as i64);
        let extent = |_: &str| TICK;
        AxisFit {
            low: 0.0,
            high: self.depth_max as f64,
            log: false,
            scale: Scale::Count,
            to_px: &to_px,
            extent: &extent,
            gap: TICK * 0.4,
        }
        .ticks()
    }
}

/// A moment to three significant figures: `81.7 ms`, `2.40 s`.
fn short_time(ns: u64) -> String {
    if ns == 0 {
        return "0 s".to_string();
    }
    let s = ns as f64 / 1e9;
    let (value, unit) = match s {
        s if s >= 1.0 => (s, "s"),
        s if s >= 1e-3 => (s * 1e3, "ms"),
        s => (s * 1e6, "µs"),
    };
    let decimals = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    format!("{value:.decimals$} {unit}")
}

fn plural(n: u32, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn tint(colour: RGBColor, keep: f64) -> RGBColor {
    let mix = |c: u8| (f64::from(c) * keep + 255.0 * (1.0 - keep)).round() as u8;
    RGBColor(mix(colour.0), mix(colour.1), mix(colour.2))
}

/// The colour of a span of `kind`, and the share of the lane's height it fills.
fn look(kind: SpanKind) -> Option<(RGBColor, f64)> {
    match kind {
        SpanKind::Produce => Some((tint(line_style(5).colour, 0.45), 0.5)),
        SpanKind::Put => Some((INK, 0.9)),
        SpanKind::Blocked => Some((line_style(1).colour, 0.9)),
        SpanKind::Work => Some((line_style(0).colour, 0.8)),
        SpanKind::PollWait => Some((RGBColor(205, 205, 205), 0.5)),
        SpanKind::Idle => None,
    }
}

fn empty_poll_colour() -> RGBColor {
    line_style(4).colour
}

fn flow_colour() -> RGBColor {
    tint(line_style(2).colour, 0.55)
}

fn depth_model_colour() -> RGBColor {
    line_style(1).colour
}

type DrawResult = Result<(), String>;

fn rect<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x0, y0, x1, y1): (f64, f64, f64, f64),
    colour: RGBColor,
) -> DrawResult {
    root.draw(&Rectangle::new([at(x0, y0), at(x1, y1)], colour.filled()))
        .map_err(|e| e.to_string())
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, plan: &Plan) -> DrawResult {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let w = f64::from(WIDTH);
    let centre = (HPos::Center, VPos::Top);
    put_text(root, &plan.title, TITLE, INK, centre, (w / 2.0, PAD))?;
    let mut y = PAD + TITLE * 1.4;
    for line in &plan.subtitle {
        put_text(root, line, SUBTITLE, MUTED, centre, (w / 2.0, y))?;
        y += SUBTITLE * 1.4;
    }
    draw_legend(root, plan)?;
    let ticks = plan.time_ticks();
    // Grid lines through every section, so a moment reads across threads and model.
    let first_top = plan.sides.first().map_or(plan.depth_top, |s| s.top);
    for tick in &ticks {
        let x = plan.x((tick.value * 1e9) as u64);
        path(
            root,
            vec![(x, first_top), (x, plan.depth_bottom)],
            GRID.stroke_width(1),
        )?;
    }
    for side in &plan.sides {
        draw_side(root, plan, side)?;
    }
    draw_depth(root, plan)?;
    for tick in &ticks {
        let x = plan.x((tick.value * 1e9) as u64);
        path(
            root,
            vec![(x, plan.depth_bottom), (x, plan.depth_bottom + 6.0)],
            FRAME.stroke_width(1),
        )?;
        put_text(
            root,
            &tick.label,
            TICK,
            INK,
            centre,
            (x, plan.depth_bottom + 9.0),
        )?;
    }
    put_text(
        root,
        "time since the run started",
        TICK,
        MUTED,
        centre,
        (
            (plan.left + plan.right) / 2.0,
            plan.depth_bottom + TICK * 2.2,
        ),
    )
}

/// The legend's entries: label and colour.
fn legend_entries(measured: bool) -> Vec<(&'static str, RGBColor)> {
    let entries = [
        ("produce", tint(line_style(5).colour, 0.45)),
        ("put", INK),
        ("blocked put", line_style(1).colour),
        ("work", line_style(0).colour),
        ("wait for next poll", RGBColor(205, 205, 205)),
        ("empty poll", empty_poll_colour()),
        ("item put → taken", flow_colour()),
        ("depth: measured", line_style(0).colour),
        ("depth: model (dashed)", depth_model_colour()),
    ];
    // Without the threads' side there is no measured depth to tell the model's from.
    entries
        .into_iter()
        .filter(|e| measured || e.0 != "depth: measured")
        .collect()
}

const SWATCH: f64 = 28.0;

fn entry_width(label: &str) -> f64 {
    SWATCH + 8.0 + text::width(label, LEGEND) + 26.0
}

/// The legend's entries in rows that fit the width.
fn legend_rows(measured: bool) -> Vec<Vec<(&'static str, RGBColor)>> {
    let room = f64::from(WIDTH) - 2.0 * PAD;
    rows_within(legend_entries(measured), room, |e| entry_width(e.0))
}

fn draw_legend<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, plan: &Plan) -> DrawResult {
    let mut y = plan.legend_top + LEGEND * 0.8;
    for row in legend_rows(plan.measured) {
        let total: f64 = row.iter().map(|e| entry_width(e.0)).sum::<f64>() - 26.0;
        let mut x = (f64::from(WIDTH) - total) / 2.0;
        for (label, colour) in row {
            match label {
                "empty poll" => rect(root, (x + 12.0, y - 9.0, x + 15.0, y + 9.0), colour)?,
                "put" => rect(root, (x + 13.0, y - 9.0, x + 15.0, y + 9.0), colour)?,
                "depth: measured" => {
                    path(root, vec![(x, y), (x + SWATCH, y)], colour.stroke_width(2))?
                }
                "item put → taken" => path(
                    root,
                    vec![(x, y + 7.0), (x + SWATCH, y - 7.0)],
                    colour.stroke_width(2),
                )?,
                "depth: model (dashed)" => dashed(
                    root,
                    &[(x, y), (x + SWATCH, y)],
                    (6.0, 4.0),
                    colour.stroke_width(2),
                )?,
                _ => rect(root, (x, y - 7.0, x + SWATCH, y + 7.0), colour)?,
            }
            put_text(
                root,
                label,
                LEGEND,
                INK,
                (HPos::Left, VPos::Center),
                (x + SWATCH + 8.0, y),
            )?;
            x += entry_width(label);
        }
        y += LEGEND * 1.6;
    }
    Ok(())
}

fn draw_side<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    plan: &Plan,
    side: &Side,
) -> DrawResult {
    put_text(
        root,
        side.title,
        SECTION,
        INK,
        (HPos::Left, VPos::Bottom),
        (PAD, side.top - 4.0),
    )?;
    let lh = side.lane_height;
    let label_em = (lh * 0.8).min(15.0);
    // Too small to read beside every lane: label every few.
    let every = if label_em < 10.0 {
        (10.0 / label_em).ceil() as usize
    } else {
        1
    };
    for (lane, label) in side.labels.iter().enumerate() {
        let top = side.lane_top(lane);
        if lane % 2 == 1 {
            rect(
                root,
                (plan.left, top, plan.right, top + lh),
                RGBColor(246, 246, 246),
            )?;
        }
        if lane % every == 0 {
            put_text(
                root,
                label,
                label_em.max(10.0),
                MUTED,
                (HPos::Right, VPos::Center),
                (plan.left - 8.0, top + lh / 2.0),
            )?;
        }
    }
    // Spans by lane and kind in time order, merged where they touch on screen.
    let mut spans: Vec<(usize, u8, f64, f64, SpanKind)> = side
        .timeline
        .spans
        .iter()
        .filter(|s| plan.visible(s.start_ns, s.end_ns))
        .map(|s| {
            let lane = side.lane_of.get(s.track).copied().unwrap_or(0);
            (
                lane,
                s.kind as u8,
                plan.x(s.start_ns),
                plan.x(s.end_ns),
                s.kind,
            )
        })
        .collect();
    spans.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then(a.2.total_cmp(&b.2)));
    let mut merged: Vec<(usize, f64, f64, SpanKind)> = Vec::new();
    for (lane, _, x0, x1, kind) in spans {
        match merged.last_mut() {
            Some(last) if last.0 == lane && last.3 == kind && x0 <= last.2 + 0.5 => {
                last.2 = last.2.max(x1)
            }
            _ => merged.push((lane, x0, x1, kind)),
        }
    }
    // Long spans first, so a put's mark stays visible on top of a produce time.
    for (lane, x0, x1, kind) in merged {
        let Some((colour, fill)) = look(kind) else {
            continue;
        };
        let mid = side.lane_top(lane) + lh / 2.0;
        let half = (lh * fill / 2.0).max(1.0);
        let x1 = if kind == SpanKind::Put {
            x0.max(x1).max(x0 + 1.5)
        } else {
            x1.max(x0 + 1.0)
        };
        rect(root, (x0, mid - half, x1, mid + half), colour)?;
    }
    let mut polls: HashMap<(usize, i64), ()> = HashMap::new();
    for &(track, ns) in &side.timeline.empty_polls {
        if !plan.visible(ns, ns) {
            continue;
        }
        let lane = side.lane_of.get(track).copied().unwrap_or(0);
        let x = plan.x(ns);
        if polls.insert((lane, x.round() as i64), ()).is_some() {
            continue;
        }
        let top = side.lane_top(lane);
        rect(
            root,
            (x - 1.0, top + 1.0, x + 1.0, top + lh - 1.0),
            empty_poll_colour(),
        )?;
    }
    let flows: Vec<_> = side
        .timeline
        .flows
        .iter()
        .filter(|f| plan.visible(f.put_returned_ns, f.take_ns))
        .collect();
    if flows.len() <= MOST_FLOWS {
        for flow in flows {
            let lane = |track: usize| side.lane_of.get(track).copied().unwrap_or(0);
            let from = (
                plan.x(flow.put_returned_ns),
                side.lane_top(lane(flow.put_track)) + lh / 2.0,
            );
            let to = (
                plan.x(flow.take_ns),
                side.lane_top(lane(flow.take_track)) + lh / 2.0,
            );
            path(root, vec![from, to], flow_colour().stroke_width(1))?;
        }
    }
    let frame = [
        (plan.left, side.top),
        (plan.right, side.top),
        (plan.right, side.bottom()),
        (plan.left, side.bottom()),
        (plan.left, side.top),
    ];
    path(root, frame.to_vec(), FRAME.stroke_width(1))
}

fn draw_depth<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, plan: &Plan) -> DrawResult {
    put_text(
        root,
        "queue depth (items)",
        SECTION,
        INK,
        (HPos::Left, VPos::Bottom),
        (PAD, plan.depth_top - TICK * 0.6 - 4.0),
    )?;
    for tick in plan.depth_ticks() {
        let y = plan.depth_y(tick.value.round() as i64);
        path(
            root,
            vec![(plan.left, y), (plan.right, y)],
            GRID.stroke_width(1),
        )?;
        put_text(
            root,
            &tick.label,
            TICK,
            INK,
            (HPos::Right, VPos::Center),
            (plan.left - 8.0, y),
        )?;
    }
    for side in &plan.sides {
        let mut points = Vec::new();
        let mut last = 0;
        for &(ns, depth) in &side.timeline.depth {
            if ns < plan.from_ns {
                last = depth;
                continue;
            }
            if ns > plan.to_ns {
                break;
            }
            let x = plan.x(ns);
            if points.is_empty() {
                points.push((plan.left, plan.depth_y(last)));
            }
            points.push((x, plan.depth_y(last)));
            points.push((x, plan.depth_y(depth)));
            last = depth;
        }
        if points.is_empty() {
            points.push((plan.left, plan.depth_y(last)));
        }
        // Past where recording stopped the depth is unknown: the line ends there.
        let known = side.trace.stopped_at_ns().unwrap_or(u64::MAX);
        let end = plan.x(side.trace.end_ns.min(known).min(plan.to_ns));
        points.push((end, plan.depth_y(last)));
        if side.title == "model" {
            dashed(
                root,
                &points,
                (6.0, 4.0),
                depth_model_colour().stroke_width(2),
            )?;
        } else {
            path(root, points, line_style(0).colour.stroke_width(2))?;
        }
    }
    let frame = [
        (plan.left, plan.depth_top),
        (plan.right, plan.depth_top),
        (plan.right, plan.depth_bottom),
        (plan.left, plan.depth_bottom),
        (plan.left, plan.depth_top),
    ];
    path(root, frame.to_vec(), FRAME.stroke_width(1))
}
