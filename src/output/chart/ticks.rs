//! Axis ticks a person reads: 1-2-5 steps, SI numbers (`40 M`, `2.5 k`) and durations
//! (`250 ms`, `40 µs`), item sizes (`4 KiB`), and never two labels that collide.
//!
//! Which ticks fit is decided from the label boxes measured with the chart's own font, so
//! a tick set is only chosen when each label keeps a gap from the next.

use crate::scenario::key::ITEM_BYTES;

/// How an axis's values read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// Plain quantities (items/s): SI prefixes from a thousand up.
    Number,
    /// Whole numbers of things (threads, items, bytes, a queue's depth): as `Number`,
    /// ticked only at whole values, since 2.5 consumers is no point on the axis.
    Count,
    /// Seconds, labelled in s, ms, µs or ns.
    Duration,
    /// Item sizes in bytes (`item_bytes`): ticked only at sizes an item may have (powers
    /// of two from 8), labelled `64 B`, `4 KiB`.
    Bytes,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub value: f64,
    pub label: String,
}

/// Most ticks on an axis: more reads as clutter however well they fit.
const MOST: usize = 8;

/// An axis being ticked: its range, scale, where values land in pixels, and how much room
/// a label takes along the axis.
pub struct AxisFit<'a> {
    pub low: f64,
    pub high: f64,
    pub log: bool,
    pub scale: Scale,
    /// A value's pixel position along the axis.
    pub to_px: &'a dyn Fn(f64) -> f64,
    /// A label's extent along the axis, in pixels (its width on x, its height on y).
    pub extent: &'a dyn Fn(&str) -> f64,
    /// Pixels kept clear between neighbouring labels.
    pub gap: f64,
}

impl AxisFit<'_> {
    /// Whether labels of `ticks` keep `gap` from each other.
    pub fn fits(&self, ticks: &[Tick]) -> bool {
        let mut spans: Vec<(f64, f64)> = ticks
            .iter()
            .map(|t| {
                let at = (self.to_px)(t.value);
                let half = (self.extent)(&t.label) / 2.0;
                (at - half, at + half)
            })
            .collect();
        spans.sort_by(|a, b| a.0.total_cmp(&b.0));
        spans.windows(2).all(|w| w[1].0 - w[0].1 >= self.gap)
    }

    /// The densest readable tick set that fits; at worst the two ends' nearest ticks, or
    /// one tick.
    pub fn ticks(&self) -> Vec<Tick> {
        let candidates = match (self.scale, self.log) {
            (Scale::Bytes, log) => item_sizes(self.low, self.high, log),
            (_, true) => log_candidates(self.low, self.high),
            (_, false) => linear_candidates(self.low, self.high),
        };
        let mut fallback: Option<Vec<Tick>> = None;
        for mut values in candidates {
            if self.scale == Scale::Count {
                values.retain(|v| v.fract() == 0.0);
            }
            if values.is_empty() {
                continue;
            }
            let ticks = labelled(&values, self.scale, self.log);
            if ticks.len() <= MOST && self.fits(&ticks) {
                if ticks.len() >= 2 {
                    return ticks;
                }
                fallback.get_or_insert(ticks);
            }
        }
        fallback.unwrap_or_default()
    }
}

/// Multiples of 1-2-5 steps within the range, densest first (at most `MOST` ticks).
fn linear_candidates(low: f64, high: f64) -> Vec<Vec<f64>> {
    if !(low.is_finite() && high.is_finite()) || high <= low {
        return vec![vec![low]];
    }
    let span = high - low;
    let mut exponent = (span / MOST as f64).log10().floor() as i32 - 1;
    let mut out = Vec::new();
    while out.len() < 12 {
        for m in [1.0, 2.0, 5.0] {
            let step = m * 10f64.powi(exponent);
            let first = (low / step - 1e-9).ceil() as i64;
            let last = (high / step + 1e-9).floor() as i64;
            if last - first + 1 > MOST as i64 {
                continue;
            }
            out.push(
                (first..=last)
                    .map(|k| clean(k as f64 * step, step))
                    .collect(),
            );
        }
        exponent += 1;
    }
    out
}

/// The item sizes queuelab takes (`ITEM_BYTES`) within the range, densest first: every
/// one, then every 2nd, 3rd, ... counted from the largest, evenly spread on a log axis.
/// On a linear axis, where small sizes crowd at one end, also the largest few (all but
/// the smallest, all but the two smallest, ...), by how many they hold.
fn item_sizes(low: f64, high: f64, log: bool) -> Vec<Vec<f64>> {
    let sizes: Vec<f64> = ITEM_BYTES
        .iter()
        .map(|&b| b as f64)
        .filter(|b| (low..=high).contains(b))
        .rev()
        .collect();
    let strides = (1..=sizes.len()).map(|every| sizes.iter().step_by(every).copied().collect());
    let mut out: Vec<Vec<f64>> = strides.collect();
    if !log {
        out.extend((1..=sizes.len()).map(|n| sizes[..n].to_vec()));
        // Stable: of two sets as dense, the evenly strided one first.
        out.sort_by_key(|ticks| std::cmp::Reverse(ticks.len()));
    }
    for ticks in &mut out {
        ticks.reverse();
    }
    out
}

/// Rounds away the float noise of `k × step` (0.30000000000000004 → 0.3).
fn clean(value: f64, step: f64) -> f64 {
    let digits = (-step.log10().floor()).max(0.0) as i32 + 2;
    let f = 10f64.powi(digits);
    (value * f).round() / f
}

/// On a log axis: 1-2-5 in each decade, then decades, then every 2nd, 5th, 10th decade;
/// where the range is under a decade, also 1..9 and plain linear steps.
fn log_candidates(low: f64, high: f64) -> Vec<Vec<f64>> {
    if !(low > 0.0 && high > low) {
        return vec![vec![low.max(f64::MIN_POSITIVE)]];
    }
    let (d0, d1) = (low.log10().floor() as i32, high.log10().ceil() as i32);
    let within = |v: &f64| *v >= low * (1.0 - 1e-9) && *v <= high * (1.0 + 1e-9);
    let tier = |mantissas: &[f64], every: i32| -> Vec<f64> {
        (d0..=d1)
            .filter(|d| d.rem_euclid(every) == 0)
            .flat_map(|d| mantissas.iter().map(move |m| m * 10f64.powi(d)))
            .map(|v| clean(v, v / 10.0))
            .filter(within)
            .collect()
    };
    let mut out = vec![tier(&[1.0, 2.0, 5.0], 1)];
    if out[0].len() < 3 {
        // A narrow range: 1-2-5 leaves too few; every integer mantissa, then linear steps.
        out.insert(0, tier(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], 1));
        out.extend(linear_candidates(low, high));
    }
    for every in [1, 2, 3, 5, 10, 20, 50, 100] {
        out.push(tier(&[1.0], every));
    }
    out
}

/// Labels for `values`, each with as few decimals as it needs. On a linear axis every
/// label takes the unit of the largest (`0.5 s, 1 s, 1.5 s`), so they read as one scale;
/// on a log axis each takes its own (`500 k, 1 M`).
fn labelled(values: &[f64], scale: Scale, log: bool) -> Vec<Tick> {
    let largest = values.iter().map(|v| v.abs()).fold(0.0, f64::max);
    values
        .iter()
        .map(|&value| Tick {
            value,
            label: match (log, scale) {
                (true, _) => label(value, scale),
                // 0 to 1000 reads better plain than as 0 to 1 k.
                (_, Scale::Bytes) => label(value, scale),
                (false, Scale::Number | Scale::Count) if largest < 1e4 => {
                    label_in(value, (1.0, ""))
                }
                (false, _) => label_in(value, unit_of(largest, scale)),
            },
        })
        .collect()
}

/// One value as a tick label in its own unit: `0`, `250 ms`, `1.5 s`, `40 M`, `2.5 k`.
pub fn label(value: f64, scale: Scale) -> String {
    label_in(value, unit_of(value.abs(), scale))
}

fn label_in(value: f64, (divisor, unit): (f64, &str)) -> String {
    if value == 0.0 {
        return "0".to_string();
    }
    format!("{}{unit}", shortest(value / divisor))
}

/// The divisor and unit a magnitude reads in.
fn unit_of(magnitude: f64, scale: Scale) -> (f64, &'static str) {
    match scale {
        Scale::Duration => match magnitude {
            m if m >= 1.0 => (1.0, " s"),
            m if m >= 1e-3 => (1e-3, " ms"),
            m if m >= 1e-6 => (1e-6, " µs"),
            _ => (1e-9, " ns"),
        },
        Scale::Bytes => match magnitude {
            m if m >= 1024.0 * 1024.0 => (1024.0 * 1024.0, " MiB"),
            m if m >= 1024.0 => (1024.0, " KiB"),
            _ => (1.0, " B"),
        },
        Scale::Number | Scale::Count => match magnitude {
            m if m >= 1e9 => (1e9, " G"),
            m if m >= 1e6 => (1e6, " M"),
            m if m >= 1e3 => (1e3, " k"),
            _ => (1.0, ""),
        },
    }
}

/// The fewest decimals (up to 6) that give `value` back.
fn shortest(value: f64) -> String {
    for decimals in 0..6 {
        let text = format!("{value:.decimals$}");
        if let Ok(back) = text.parse::<f64>()
            && (back - value).abs() <= value.abs() * 1e-9
        {
            return text;
        }
    }
    format!("{value:.6}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_in_si_and_durations() {
        let n = |v| label(v, Scale::Number);
        let d = |v| label(v, Scale::Duration);
        assert_eq!(
            [n(40e6), n(2500.0), n(4.0), n(0.25), n(0.0), n(1e9)],
            ["40 M", "2.5 k", "4", "0.25", "0", "1 G"]
        );
        assert_eq!(
            [d(0.25), d(1.5), d(40e-6), d(17e-9), d(24.75)],
            ["250 ms", "1.5 s", "40 µs", "17 ns", "24.75 s"]
        );
    }

    /// Labels 12 px per character, 8 px apart.
    fn fit<'a>(low: f64, high: f64, log: bool, to_px: &'a dyn Fn(f64) -> f64) -> AxisFit<'a> {
        AxisFit {
            low,
            high,
            log,
            scale: Scale::Number,
            to_px,
            extent: &|s: &str| s.chars().count() as f64 * 12.0,
            gap: 8.0,
        }
    }

    #[test]
    fn log_ticks_are_1_2_5_or_decades_and_never_repeat() {
        let (low, high): (f64, f64) = (5e5, 5e7);
        let map = move |v: f64| (v.log10() - low.log10()) / (high.log10() - low.log10()) * 900.0;
        let ticks = fit(low, high, true, &map).ticks();
        let labels: Vec<&str> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(
            labels,
            ["500 k", "1 M", "2 M", "5 M", "10 M", "20 M", "50 M"]
        );
        let narrow = move |v: f64| (v.log10() - low.log10()) / (high.log10() - low.log10()) * 200.0;
        let few = fit(low, high, true, &narrow).ticks();
        let labels: Vec<&str> = few.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["1 M", "10 M"]);
    }

    #[test]
    fn linear_ticks_step_by_1_2_5() {
        let map = |v: f64| v / 30.0 * 1000.0;
        let ticks = fit(0.0, 30.0, false, &map).ticks();
        let values: Vec<f64> = ticks.iter().map(|t| t.value).collect();
        assert_eq!(values, [0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0]);
        let durations = labelled(&[0.0, 0.5, 1.0, 1.5], Scale::Duration, false);
        let labels: Vec<&str> = durations.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0", "0.5 s", "1 s", "1.5 s"]);
        let counts = labelled(&[0.0, 500.0, 1000.0], Scale::Number, false);
        let labels: Vec<&str> = counts.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0", "500", "1000"]);
        let many = labelled(&[0.0, 2e4, 4e4], Scale::Number, false);
        let labels: Vec<&str> = many.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0", "20 k", "40 k"]);
    }

    /// A sweep of 1 and 2 consumers: a plain number axis ticks between them, a count
    /// axis only where a count can be; a single count still gets its tick.
    #[test]
    fn count_axes_tick_only_at_whole_values() {
        let map = |v: f64| (v - 0.95) / 1.1 * 1000.0;
        let values = |scale| {
            let ticks = AxisFit {
                scale,
                ..fit(0.95, 2.05, false, &map)
            }
            .ticks();
            ticks.iter().map(|t| t.value).collect::<Vec<f64>>()
        };
        assert!(values(Scale::Number).iter().any(|v| v.fract() != 0.0));
        assert_eq!(values(Scale::Count), [1.0, 2.0]);
        let one = |v: f64| (v - 3.9) / 0.2 * 1000.0;
        let single = AxisFit {
            scale: Scale::Count,
            ..fit(3.9, 4.1, false, &one)
        };
        let ticks: Vec<f64> = single.ticks().iter().map(|t| t.value).collect();
        assert_eq!(ticks, [4.0]);
    }

    /// An item_bytes axis ticks only at sizes an item may have, labelled as sizes: evenly
    /// spread on a log axis, the largest few on a linear one (whose margin reaches below
    /// zero), never at 10 or 12 bytes.
    #[test]
    fn item_size_axes_tick_only_at_sizes_an_item_may_have() {
        let (low, high): (f64, f64) = (6.0, 80000.0);
        let log_px = move |v: f64| (v.log10() - low.log10()) / (high.log10() - low.log10()) * 900.0;
        let labels = |fit: AxisFit| {
            let ticks = AxisFit {
                scale: Scale::Bytes,
                ..fit
            }
            .ticks();
            assert!(
                ticks.iter().all(|t| ITEM_BYTES.contains(&(t.value as u64))),
                "{ticks:?}"
            );
            ticks.into_iter().map(|t| t.label).collect::<Vec<String>>()
        };
        assert_eq!(
            labels(fit(low, high, true, &log_px)),
            [
                "16 B", "64 B", "256 B", "1 KiB", "4 KiB", "16 KiB", "64 KiB"
            ]
        );
        let linear_px = |v: f64| (v + 3000.0) / 70000.0 * 900.0;
        let linear = labels(fit(-3000.0, 67000.0, false, &linear_px));
        assert!(linear.len() >= 2 && linear.len() < 8, "{linear:?}");
        assert_eq!(linear.last().map(String::as_str), Some("64 KiB"));
        let small = |v: f64| (v - 7.0) / 10.0 * 900.0;
        assert_eq!(labels(fit(7.0, 17.0, false, &small)), ["8 B", "16 B"]);
    }
}
