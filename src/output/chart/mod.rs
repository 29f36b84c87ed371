//! Charts against the sweep's x key, drawn with plotters from the summaries alone.
//!
//! One file per chart kind implements `ChartKind` (what goes on the y axis); drawing,
//! series, legend and formats are shared here, so a new chart is one new file. Text uses
//! DejaVu Sans compiled into the binary: no system fonts or fontconfig needed.

mod elapsed;
mod throughput;
mod wait;

use std::sync::Once;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;

use super::{Output, RenderError, Results};
use crate::experiment::ChartFormat;
use crate::scenario::ScenarioKey;
use crate::stats::{Summary, Usl};

pub use elapsed::Elapsed;
pub use throughput::Throughput;
pub use wait::WaitP99;

/// Every kind of chart, in the order they are written.
pub const KINDS: [&dyn ChartKind; 3] = [&Elapsed, &Throughput, &WaitP99];

const SIZE: (u32, u32) = (1200, 750);
const FONT: &str = "sans-serif";
/// Tableau 10: distinguishable, and readable by most colour-blind people.
const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// What one kind of chart plots against x.
pub trait ChartKind: Sync {
    /// File name stem: `elapsed` gives `elapsed_vs_consumers.png`.
    fn stem(&self) -> &'static str;
    fn y_title(&self) -> &'static str;
    /// `(min, median, max)` of the measure for one scenario, if it was measured.
    fn measured(&self, summary: &Summary) -> Option<(f64, f64, f64)>;
    /// The model's value, drawn dashed, where the model predicts this measure.
    fn model(&self, summary: &Summary) -> Option<f64>;
    /// The fit of the scenario's line, drawn dotted, where this chart draws one.
    fn fit(&self, _summary: &Summary) -> Option<Usl> {
        None
    }
    /// Where the legend hides the least: elapsed falls with x, so upper right is free.
    fn legend_at(&self) -> SeriesLabelPosition {
        SeriesLabelPosition::UpperRight
    }
}

/// A chart of one kind in one image format.
pub struct Chart {
    pub kind: &'static dyn ChartKind,
    pub format: ChartFormat,
}

impl Output for Chart {
    fn wanted(&self, results: &Results) -> bool {
        results
            .summaries
            .iter()
            .any(|s| self.kind.measured(s).is_some())
    }

    fn file_name(&self, results: &Results) -> String {
        let x = results.experiment.plot.x.name();
        format!("{}_vs_{x}.{}", self.kind.stem(), self.format.extension())
    }

    fn render(&self, results: &Results) -> Result<Vec<u8>, RenderError> {
        render(&ChartData::new(self.kind, results), self.format)
    }
}

/// Draws `data` as an image file of `format`, in memory.
pub fn render(data: &ChartData, format: ChartFormat) -> Result<Vec<u8>, RenderError> {
    register_font().map_err(RenderError)?;
    let drawn = match format {
        ChartFormat::Png => png_bytes(data),
        ChartFormat::Svg => svg_bytes(data),
    };
    drawn.map_err(|e| RenderError(format!("cannot draw the chart: {e}")))
}

fn svg_bytes(data: &ChartData) -> Result<Vec<u8>, String> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, SIZE).into_drawing_area();
        draw(&root, data).and_then(|()| root.present().map_err(|e| e.to_string()))?;
    }
    Ok(text.into_bytes())
}

/// Draws into an RGB buffer and encodes it as PNG, as plotters' file backend would.
fn png_bytes(data: &ChartData) -> Result<Vec<u8>, String> {
    use plotters::prelude::{BitMapBackend, IntoDrawingArea};
    let (width, height) = SIZE;
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, SIZE).into_drawing_area();
        draw(&root, data).and_then(|()| root.present().map_err(|e| e.to_string()))?;
    }
    let mut bytes = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new(&mut bytes);
    image::ImageEncoder::write_image(encoder, &pixels, width, height, image::ColorType::Rgb8)
        .map_err(|e| e.to_string())?;
    Ok(bytes)
}

fn register_font() -> Result<(), String> {
    static ONCE: Once = Once::new();
    let mut result = Ok(());
    ONCE.call_once(|| {
        result = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
            .map_err(|_| "the built-in DejaVu Sans font could not be loaded".to_string());
    });
    result
}

/// One line of a chart: a value of every swept key other than x.
pub struct Series {
    pub label: String,
    /// `(x, min, median, max)`, sorted by x.
    pub points: Vec<(f64, f64, f64, f64)>,
    /// The model's values, drawn dashed.
    pub model: Vec<(f64, f64)>,
    /// The line's fitted scalability curve, `(x, y)` at fine steps, drawn dotted.
    pub fit: Vec<(f64, f64)>,
}

/// What a chart shows, with the results already reduced to numbers.
pub struct ChartData {
    pub title: String,
    pub x_title: String,
    pub y_title: &'static str,
    pub log_x: bool,
    pub log_y: bool,
    pub legend_at: SeriesLabelPosition,
    pub series: Vec<Series>,
}

impl ChartData {
    fn new(kind: &dyn ChartKind, results: &Results) -> Self {
        let experiment = results.experiment;
        let x = experiment.plot.x;
        let mut series: Vec<Series> = Vec::new();
        let mut fits: Vec<Option<Usl>> = Vec::new();
        for summary in results.summaries {
            let (label, x_value) = experiment.line_of(summary.scenario);
            let Some(x_value) = x_value else {
                continue;
            };
            let Some((min, median, max)) = kind.measured(summary) else {
                continue;
            };
            // One line (no label) is drawn as `measured`; see `draw_on`.
            let label = label.unwrap_or_default();
            let index = match series.iter().position(|s| s.label == label) {
                Some(i) => i,
                None => {
                    series.push(Series {
                        label,
                        points: Vec::new(),
                        model: Vec::new(),
                        fit: Vec::new(),
                    });
                    fits.push(None);
                    series.len() - 1
                }
            };
            series[index].points.push((x_value, min, median, max));
            if let Some(model) = kind.model(summary) {
                series[index].model.push((x_value, model));
            }
            fits[index] = fits[index].or(kind.fit(summary));
        }
        for s in &mut series {
            s.points.sort_by(|a, b| a.0.total_cmp(&b.0));
            s.model.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        for (s, usl) in series.iter_mut().zip(fits) {
            if let (Some(usl), Some(first), Some(last)) = (usl, s.points.first(), s.points.last()) {
                s.fit = curve(&usl, first.0, last.0);
            }
        }
        let scale = experiment.time_scale;
        let scale_note = if scale == 1.0 {
            String::new()
        } else {
            format!(" (time_scale {scale})")
        };
        let source = if results.source == crate::record::Source::Model {
            ", model only"
        } else {
            ""
        };
        ChartData {
            title: format!(
                "{}: {} vs {}{scale_note}{source}",
                experiment.name,
                kind.stem(),
                x.name()
            ),
            x_title: axis_title(x),
            y_title: kind.y_title(),
            log_x: experiment.plot.log_x,
            log_y: experiment.plot.log_y,
            legend_at: kind.legend_at(),
            series,
        }
    }

    fn x_range(&self) -> (f64, f64) {
        let xs = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0));
        pad(bounds(xs), self.log_x, 0.05)
    }

    fn y_range(&self) -> (f64, f64) {
        let ys = self.series.iter().flat_map(|s| {
            let measured = s.points.iter().flat_map(|p| [p.1, p.3]);
            measured.chain(s.model.iter().map(|m| m.1))
        });
        let (low, high) = bounds(ys);
        if self.log_y || !high.is_finite() {
            // `pad` also makes an empty range drawable: plotters loops forever on one.
            pad((low, high), self.log_y, 0.0)
        } else {
            (0.0, high * 1.08 + f64::EPSILON)
        }
    }
}

/// The fitted law from `from` to `to` consumers in 100 steps: smooth at any width.
fn curve(usl: &Usl, from: f64, to: f64) -> Vec<(f64, f64)> {
    (0..=100)
        .map(|i| from + (to - from) * f64::from(i) / 100.0)
        .map(|n| (n, usl.throughput(n)))
        .collect()
}

pub fn axis_title(x: ScenarioKey) -> String {
    match x {
        ScenarioKey::ProduceTime | ScenarioKey::ConsumeTime => format!("{} (ms)", x.name()),
        _ => x.name().replace('_', " "),
    }
}

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        })
}

/// Widens a range by `fraction` of its width (or by a factor on a log axis), and makes
/// an empty or single-value range drawable.
fn pad((low, high): (f64, f64), log: bool, fraction: f64) -> (f64, f64) {
    if !low.is_finite() {
        return if log { (0.1, 10.0) } else { (0.0, 1.0) };
    }
    if log {
        let low = low.max(1e-9);
        return (low / 1.25, high.max(low) * 1.25);
    }
    let width = (high - low).max(high.abs() * 0.1).max(1e-9);
    (low - width * fraction, high + width * fraction)
}

/// A tick label without trailing zeros: `4`, `0.25`, `1.5`.
fn tick(value: f64) -> String {
    let text = format!("{value:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

fn darker(RGBColor(r, g, b): RGBColor) -> RGBColor {
    RGBColor(r / 2, g / 2, b / 2)
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, data: &ChartData) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (x0, x1) = data.x_range();
    let (y0, y1) = data.y_range();
    match (data.log_x, data.log_y) {
        (false, false) => draw_on(root, data, x0..x1, y0..y1),
        (true, false) => draw_on(root, data, (x0..x1).log_scale(), y0..y1),
        (false, true) => draw_on(root, data, x0..x1, (y0..y1).log_scale()),
        (true, true) => draw_on(root, data, (x0..x1).log_scale(), (y0..y1).log_scale()),
    }
}

fn draw_on<DB, X, Y>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    x: X,
    y: Y,
) -> Result<(), String>
where
    DB: DrawingBackend,
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let mut chart = ChartBuilder::on(root)
        .caption(&data.title, (FONT, 30))
        .margin(20)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d(x, y)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(&data.x_title)
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .y_desc(data.y_title)
        .label_style((FONT, 18))
        .axis_desc_style((FONT, 20))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(err)?;
    let single = data.series.len() == 1;
    for (i, series) in data.series.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let line = colour.stroke_width(3);
        let label = if single {
            "measured".to_string()
        } else {
            series.label.clone()
        };
        chart
            .draw_series(LineSeries::new(
                series.points.iter().map(|p| (p.0, p.2)),
                line,
            ))
            .map_err(err)?
            .label(format!("{label} (median, min–max)"))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 30, y)], line));
        let bars = series
            .points
            .iter()
            .map(|p| ErrorBar::new_vertical(p.0, p.1, p.2, p.3, colour.stroke_width(2), 12));
        chart.draw_series(bars).map_err(err)?;
        chart
            .draw_series(
                series
                    .points
                    .iter()
                    .map(|p| Circle::new((p.0, p.2), 5, colour.filled())),
            )
            .map_err(err)?;
    }
    // The model goes on top, dark and dashed, so it shows even where it matches exactly.
    for (i, series) in data.series.iter().enumerate() {
        if series.model.is_empty() {
            continue;
        }
        let colour = if single {
            RGBColor(20, 20, 20)
        } else {
            darker(PALETTE[i % PALETTE.len()])
        };
        let dashed = colour.stroke_width(2);
        let label = if single {
            "model".to_string()
        } else {
            format!("{} model", series.label)
        };
        chart
            .draw_series(DashedLineSeries::new(
                series.model.iter().copied(),
                10,
                6,
                dashed,
            ))
            .map_err(err)?
            .label(label)
            .legend(move |(x, y)| {
                // Two short strokes read as a dashed line in the legend.
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (12, 0)], dashed)
                    + PathElement::new(vec![(18, 0), (30, 0)], dashed)
            });
    }
    for (i, series) in data.series.iter().enumerate() {
        if series.fit.is_empty() {
            continue;
        }
        let colour = if single {
            RGBColor(214, 39, 40)
        } else {
            PALETTE[i % PALETTE.len()]
        };
        let dotted = colour.stroke_width(2);
        let label = if single {
            "USL fit".to_string()
        } else {
            format!("{} USL fit", series.label)
        };
        chart
            .draw_series(DashedLineSeries::new(
                series.fit.iter().copied(),
                3,
                5,
                dotted,
            ))
            .map_err(err)?
            .label(label)
            .legend(move |(x, y)| {
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (4, 0)], dotted)
                    + PathElement::new(vec![(9, 0), (13, 0)], dotted)
                    + PathElement::new(vec![(18, 0), (22, 0)], dotted)
                    + PathElement::new(vec![(27, 0), (30, 0)], dotted)
            });
    }
    chart
        .configure_series_labels()
        .label_font((FONT, 18))
        .legend_area_size(45)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(180, 180, 180))
        .position(data.legend_at.clone())
        .draw()
        .map_err(err)
}
