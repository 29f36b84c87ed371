//! Walks the spanned TOML document, checks every key against the file format, and builds
//! the `Experiment`. Problems are collected, not returned at the first, so `check` can
//! report them all at once. `[sweep]` itself is read and expanded by `sweep`.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::axis::with_group_keys;
use super::format::{self, PlotKey, ReportKey};
use super::keys::{KeyValue, count, integer, parse_value, type_name};
use super::sweep::{Dimension, expand, read_sweep};
use super::{Axis, Bars, ChartFormat, Experiment, PlotSettings, ReportSettings, Swept, Written};
use crate::diagnostic::{Diagnostic, Rejected};
use crate::scenario::{Accepts, KeySpec, QueueImpl, Scenario, ScenarioKey, quoted_list};
use crate::settings::{NAME_RULE, RunOrder, Setting, is_plain_name, is_time_scale};
use crate::suite::{Case, Published, case_of};

pub type Span = Range<usize>;
/// A scenario key's value and where the file gives it.
pub type Placed = (KeyValue, Span);

/// Nesting deeper than this (brackets, braces or dotted key parts on one line) is not an
/// experiment: it is refused with its line before the TOML parser meets it.
const MAX_NESTING: usize = 32;

pub struct Cx<'a> {
    file: &'a Path,
    source: &'a str,
    pub errors: Vec<Diagnostic>,
    /// Where each reported problem was, so the same one is told once (a hash set: a file
    /// may hold tens of thousands of problems).
    seen: HashSet<(usize, usize, String)>,
    /// Problems found beyond those shown.
    not_shown: usize,
    pub written: Written,
    /// `--time-scale`, which the runs use in place of the file's `time_scale`: scenarios
    /// are checked at the scale they will run at.
    pub time_scale: Option<f64>,
}

impl<'a> Cx<'a> {
    fn new(file: &'a Path, source: &'a str) -> Self {
        Cx {
            file,
            source,
            errors: Vec::new(),
            seen: HashSet::new(),
            not_shown: 0,
            written: Written::Now,
            time_scale: None,
        }
    }

    pub fn error(&mut self, span: Span, key: &str, message: String) {
        if !self.seen.insert((span.start, span.end, key.to_string())) {
            return;
        }
        if self.errors.len() >= Rejected::SHOWN {
            self.not_shown += 1;
            return;
        }
        let diagnostic = Diagnostic::at(self.file, self.source, span, key, message);
        self.errors.push(diagnostic);
    }

    /// The 1-based line of byte `offset`, for messages that name another line.
    pub fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.source.len());
        self.source.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The problems, in file order.
    fn rejected(mut self) -> Rejected {
        self.errors.sort_by_key(|d| (d.line, d.column));
        Rejected {
            diagnostics: self.errors,
            not_shown: self.not_shown,
        }
    }

    /// Reports a key that is not one of `allowed`, suggesting the nearest one.
    pub fn unknown_key(
        &mut self,
        key: &Spanned<std::borrow::Cow<str>>,
        prefix: &str,
        allowed: &[&str],
    ) {
        let name = key.get_ref().as_ref();
        let nearest = allowed
            .iter()
            .map(|a| (strsim::jaro_winkler(name, a), *a))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let hint = match nearest {
            Some((_, a)) => format!("; did you mean `{a}`?"),
            None => format!("; allowed: {}", allowed.join(", ")),
        };
        let message = format!("unknown key `{name}`{hint}");
        self.error(key.span(), &format!("{prefix}{name}"), message);
    }
}

pub fn parse(file: &Path, source: &str) -> Result<Experiment, Rejected> {
    parse_written(file, source, Written::Now, None)
}

/// As `parse`, for a file written `written` (see `Written`), at `time_scale` where the
/// command line sets one over the file's.
pub fn parse_written(
    file: &Path,
    source: &str,
    written: Written,
    time_scale: Option<f64>,
) -> Result<Experiment, Rejected> {
    let mut cx = Cx::new(file, source);
    cx.written = written;
    cx.time_scale = time_scale;
    check_nesting(&mut cx);
    if cx.has_errors() {
        return Err(cx.rejected());
    }
    let (document, syntax) = DeTable::parse_recoverable(source);
    for error in &syntax {
        let span = error.span().unwrap_or(0..0);
        let said = error.message().trim();
        let twice = (said == "duplicate key")
            .then(|| Some((set_twice(source, &span)?, unquoted_key(source, &span)?)))
            .flatten();
        let (message, key) = match twice {
            Some((message, key)) => (message, key),
            None => (
                format!("TOML syntax: {said}"),
                bare_key(source, &span).unwrap_or_default(),
            ),
        };
        cx.error(span, key, message);
    }
    if cx.has_errors() {
        // A document rebuilt around syntax errors would only add confusing follow-ups.
        return Err(cx.rejected());
    }
    let top = document.get_ref();
    if top.is_empty() {
        let message =
            "the file sets nothing: an experiment needs at least a [scenario] or a [sweep]; \
                       `queuelab new NAME` writes a starter"
                .to_string();
        return Err(Rejected::one(Diagnostic::at(
            file,
            source,
            0..0,
            "",
            message,
        )));
    }
    for (key, _) in top.iter() {
        if !format::top_names().contains(&key.get_ref().as_ref()) {
            cx.unknown_key(key, "", &format::top_names());
        }
    }
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned());
    let name = read_name(&mut cx, top, stem.unwrap_or_default());
    let description = read_spec(&mut cx, top, "", Setting::Description.spec(), text);
    let repeats = read_spec(&mut cx, top, "", Setting::Repeats.spec(), count_of) as u32;
    let time_scale = read_spec(&mut cx, top, "", Setting::TimeScale.spec(), scale);
    let time_scale = cx.time_scale.unwrap_or(time_scale);
    let seed = read_spec(&mut cx, top, "", Setting::Seed.spec(), count_of);
    let jobs = read_spec(&mut cx, top, "", Setting::Jobs.spec(), count_of) as usize;
    let warmup = read_spec(&mut cx, top, "", Setting::Warmup.spec(), count_of) as u32;
    let order = read_spec(&mut cx, top, "", Setting::Order.spec(), |v, _| {
        word_of(v, RunOrder::from_name)
    });
    let base = read_scenario_table(&mut cx, top);
    let (dimensions, exclusions) = read_sweep(&mut cx, top);
    let plot = read_plot(&mut cx, top, &dimensions);
    let scenarios = expand(&mut cx, &base, &dimensions, &exclusions, time_scale);
    // Checked: a sweep beyond the limit is already reported, and makes no scenarios.
    let made = dimensions
        .iter()
        .try_fold(1usize, |n, d| n.checked_mul(d.points.len()))
        .unwrap_or(0);
    let excluded = made.saturating_sub(scenarios.len());
    let report = read_report(&mut cx, top, &scenarios);
    let sweep = dimensions
        .into_iter()
        .map(|d| Swept {
            count: d.points.len(),
            axis: d.axis,
        })
        .collect();
    if let Some(problem) = crate::settings::too_many_runs(scenarios.len(), repeats, warmup) {
        let span = top.get("repeats").map_or(0..0, |v| v.span());
        cx.error(span, "repeats", problem);
    }
    if cx.has_errors() {
        return Err(cx.rejected());
    }
    Ok(Experiment {
        file: file.to_path_buf(),
        source: source.to_string(),
        name,
        description,
        repeats,
        time_scale,
        seed,
        jobs,
        warmup,
        order,
        sweep,
        excluded,
        scenarios,
        plot,
        report,
    })
}

/// `[report]`: a published benchmark to compare with needs scenarios that are its cases,
/// each case once per implementation, or the comparison would say nothing.
fn read_report(cx: &mut Cx, top: &DeTable, scenarios: &[Scenario]) -> ReportSettings {
    let empty = DeTable::default();
    let table = sub_table(cx, top, "report").unwrap_or(&empty);
    for (key, _) in table.iter() {
        if !format::report_names().contains(&key.get_ref().as_ref()) {
            cx.unknown_key(key, "report.", &format::report_names());
        }
    }
    let spec = ReportKey::CompareWith.spec();
    let path = format!("report.{}", spec.name);
    let compare_with = read(cx, table, &path, None, &spec.accepts.allowed(), |v| {
        word_of(v, Published::from_name).map(Some)
    });
    if let (Some(published), Some(value)) = (compare_with, table.get(spec.name))
        && !scenarios.is_empty()
        && let Err(message) = suite_cases(published, scenarios)
    {
        cx.error(value.span(), &path, message);
    }
    ReportSettings { compare_with }
}

/// Whether `scenarios` hold cases of `published`'s suite, each case once per
/// implementation; the error says what a case is or which two scenarios are one.
fn suite_cases(published: Published, scenarios: &[Scenario]) -> Result<(), String> {
    let Published::CrossbeamChannel = published;
    let mut seen: HashMap<(Case, QueueImpl), &str> = HashMap::new();
    for scenario in scenarios {
        let Some(case) = case_of(scenario) else {
            continue;
        };
        if let Some(first) = seen.insert((case, scenario.queue_impl), &scenario.label) {
            return Err(format!(
                "scenarios `{first}` and `{}` are one case of the suite ({} {}) for \
                 queue_impl {}: a comparison needs each case once per implementation",
                scenario.label,
                case.class.name(),
                case.topology.name(),
                scenario.queue_impl.name()
            ));
        }
    }
    if seen.is_empty() {
        return Err(format!(
            "no scenario is a case of the suite: {}",
            crate::suite::CASE_RULE
        ));
    }
    Ok(())
}

/// Refuses a line nested deeper than `MAX_NESTING`, naming its line and first key, where
/// the TOML parser would only say "recursion limit" at line 1. Brackets and dots inside
/// strings and comments are not counted.
fn check_nesting(cx: &mut Cx) {
    let source = cx.source;
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let (mut depth, mut deepest, mut dots) = (0usize, 0usize, 0usize);
        let mut quote: Option<char> = None;
        let mut at_key = true;
        for c in line.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') => break,
                (None, '[' | '{') => depth += 1,
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                (None, '.') if at_key => dots += 1,
                (None, '=') => at_key = false,
                _ => {}
            }
            deepest = deepest.max(depth);
        }
        if deepest.max(dots) > MAX_NESTING {
            let key = line
                .trim_start_matches(|c: char| c.is_whitespace() || c == '[')
                .split(|c: char| !(c.is_ascii_alphanumeric() || "_-".contains(c)))
                .next()
                .unwrap_or_default();
            let message = format!(
                "nested more than {MAX_NESTING} levels deep; an experiment needs at most a table \
                 of tables"
            );
            let start = offset + (line.len() - line.trim_start().len());
            cx.error(start..start + key.len().max(1), key, message);
        }
        offset += line.len();
    }
}

/// Reads the optional key `spec` of `table` (at `prefix` + its name) with `convert`; a
/// bad value is reported and the spec's default used, converted by the same `convert`.
fn read_spec<T>(
    cx: &mut Cx,
    table: &DeTable,
    prefix: &str,
    spec: KeySpec,
    convert: impl Fn(&DeValue, Accepts) -> Result<T, String>,
) -> T {
    let default = spec
        .default
        .and_then(|text| DeValue::parse(text).ok())
        .map(|value| convert(value.get_ref(), spec.accepts));
    let Some(Ok(default)) = default else {
        panic!("the format's default for `{}` must be valid", spec.name)
    };
    let path = format!("{prefix}{}", spec.name);
    let allowed = spec.accepts.allowed();
    read(cx, table, &path, default, &allowed, |v| {
        convert(v, spec.accepts)
    })
}

/// A count within the spec's range (seeds: any `u64`).
fn count_of(value: &DeValue, accepts: Accepts) -> Result<u64, String> {
    match accepts {
        Accepts::Count { min, max } => count(value, min, max),
        _ => count(value, 0, u64::MAX),
    }
}

/// A time scale: a number within the settings' range.
fn scale(value: &DeValue, _: Accepts) -> Result<f64, String> {
    let x =
        number(value).ok_or_else(|| format!("expected a number, found {}", type_name(value)))?;
    if is_time_scale(x) {
        Ok(x)
    } else {
        Err("out of range".to_string())
    }
}

fn text(value: &DeValue, accepts: Accepts) -> Result<String, String> {
    let text = value
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("expected a string, found {}", type_name(value)))?;
    // A line break in a description would open new sections of the report it heads.
    if accepts == Accepts::Line && text.contains(['\n', '\r']) {
        return Err(
            "one line: no line breaks (it heads the report, where more lines \
                    would read as its own sections)"
                .to_string(),
        );
    }
    Ok(text)
}

/// A word of a word enum, read by `from_name`.
fn word_of<T>(value: &DeValue, from_name: impl Fn(&str) -> Option<T>) -> Result<T, String> {
    let DeValue::String(word) = value else {
        return Err(format!("expected a string, found {}", type_name(value)));
    };
    from_name(word).ok_or_else(|| format!("`{word}` is not known"))
}

/// The scenario defaults, read from the format like any value in a file.
pub fn scenario_defaults() -> Vec<(ScenarioKey, Placed)> {
    ScenarioKey::ALL
        .iter()
        .filter_map(|key| {
            let value = DeValue::parse(key.spec().default?).ok()?;
            Some((*key, (parse_value(*key, value.get_ref()).ok()?, 0..0)))
        })
        .collect()
}

/// The key at `span`, bare or in quotes (without escapes), as a dotted path names it.
fn unquoted_key<'s>(source: &'s str, span: &Span) -> Option<&'s str> {
    let text = source.get(span.clone())?;
    let inner = ['"', '\'']
        .iter()
        .find_map(|q| text.strip_prefix(*q)?.strip_suffix(*q))
        .filter(|inner| !inner.contains('\\'));
    match inner {
        Some(inner) if !inner.is_empty() && !inner.contains(['.', '"', '\'']) => Some(inner),
        _ => bare_key(source, span),
    }
}

/// TOML's "duplicate key" in the person's words: which key, and the line that set it
/// first where one before it sets that name (bare or quoted, as a key or a [table]).
fn set_twice(source: &str, span: &Span) -> Option<String> {
    let name = unquoted_key(source, span)?;
    let line_of = |at: usize| source[..at].matches('\n').count() + 1;
    let here = line_of(span.start);
    let sets_it = |line: &str| {
        let line = line.trim_start().trim_start_matches('[').trim_start();
        [name.to_string(), format!("\"{name}\""), format!("'{name}'")]
            .iter()
            .any(|written| {
                line.strip_prefix(written.as_str())
                    .is_some_and(|rest| rest.trim_start().starts_with(['=', ']', '.']))
            })
    };
    // A key set twice is set twice in one table: look back only to its header.
    let before: Vec<&str> = source.lines().take(here - 1).collect();
    let is_header = |line: &str| line.trim_start().starts_with('[');
    let header = source.lines().nth(here - 1).is_some_and(is_header);
    let from = match header {
        true => 0,
        false => before
            .iter()
            .rposition(|l| is_header(l))
            .map_or(0, |at| at + 1),
    };
    // Set twice on one line (in an inline table): the line names itself.
    let line_start = source[..span.start].rfind('\n').map_or(0, |at| at + 1);
    let earlier_on_line = &source[line_start..span.start];
    let on_this_line = earlier_on_line
        .match_indices(name)
        .any(|(at, _)| sets_it(&earlier_on_line[at..]));
    let first = match on_this_line {
        true => Some(here - 1),
        false => (from..before.len()).find(|&at| sets_it(before[at])),
    };
    Some(match first {
        Some(at) => format!(
            "`{name}` is set twice (first on line {}); a key or table is set once",
            at + 1
        ),
        None => format!("`{name}` is set twice; a key or table is set once"),
    })
}

/// The text under a syntax error's span when it is a bare key, such as a duplicate key.
fn bare_key<'s>(source: &'s str, span: &Span) -> Option<&'s str> {
    let text = source.get(span.clone())?;
    let bare = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-".contains(c));
    bare.then_some(text)
}

/// Reads the optional key at dotted path `key` of `table` with `convert`; a bad value is
/// reported and `default` used.
fn read<T>(
    cx: &mut Cx,
    table: &DeTable,
    key: &str,
    default: T,
    allowed: &str,
    convert: impl Fn(&DeValue) -> Result<T, String>,
) -> T {
    let name = key.rsplit('.').next().unwrap_or(key);
    let Some(value) = table.get(name) else {
        return default;
    };
    match convert(value.get_ref()) {
        Ok(v) => v,
        Err(why) => {
            let found = describe(value.get_ref());
            let message = if why.starts_with("expected") {
                format!("{why}; allowed: {allowed}")
            } else {
                format!("{why}: found {found}; allowed: {allowed}")
            };
            cx.error(value.span(), key, message);
            default
        }
    }
}

fn describe(value: &DeValue) -> String {
    match value {
        DeValue::String(s) => format!("\"{s}\""),
        DeValue::Integer(i) => i.as_str().to_string(),
        DeValue::Float(f) => f.as_str().to_string(),
        DeValue::Boolean(b) => b.to_string(),
        other => type_name(other).to_string(),
    }
}

fn number(value: &DeValue) -> Option<f64> {
    match value {
        DeValue::Float(f) => f.as_str().replace('_', "").parse().ok(),
        // Any integer TOML can write, negative ones too: a range check then says what is
        // wrong with `-2`, not that it is no number.
        DeValue::Integer(int) => integer(int).map(|n| n as f64),
        _ => None,
    }
}

/// The results folder name: a plain file name, so it cannot escape `--out`.
fn read_name(cx: &mut Cx, top: &DeTable, stem: String) -> String {
    if top.get("name").is_none() && !is_plain_name(&stem) {
        // The stem obeys the same rule as `name`: `...toml` would otherwise be `..`.
        let message = format!(
            "the file name `{stem}` cannot name a results folder ({NAME_RULE}); \
             add a line `name = \"...\"` that does"
        );
        cx.error(0..0, "name", message);
    }
    read(cx, top, "name", stem, NAME_RULE, |v| {
        let name = text(v, Accepts::Text)?;
        if !is_plain_name(&name) {
            return Err("not a plain file name".to_string());
        }
        Ok(name)
    })
}

/// A table-valued top-level key, or `None` (reported) when it is something else.
pub fn sub_table<'a, 'i>(cx: &mut Cx, top: &'a DeTable<'i>, key: &str) -> Option<&'a DeTable<'i>> {
    let value = top.get(key)?;
    match value.get_ref() {
        DeValue::Table(table) => Some(table),
        other => {
            let message = format!("expected a table [{key}], found {}", type_name(other));
            cx.error(value.span(), key, message);
            None
        }
    }
}

fn read_scenario_table(cx: &mut Cx, top: &DeTable) -> Vec<(ScenarioKey, Placed)> {
    let Some(table) = sub_table(cx, top, "scenario") else {
        return Vec::new();
    };
    let mut settings = Vec::new();
    for (key, value) in table.iter() {
        let Some(scenario_key) = ScenarioKey::from_name(key.get_ref()) else {
            cx.unknown_key(key, "scenario.", &scenario_key_names());
            continue;
        };
        let path = format!("scenario.{}", scenario_key.name());
        if let Some(setting) = read_setting(cx, scenario_key, value, &path) {
            settings.push((scenario_key, (setting, value.span())));
        }
    }
    settings
}

fn scenario_key_names() -> Vec<&'static str> {
    ScenarioKey::ALL.iter().map(|k| k.name()).collect()
}

pub fn read_setting(
    cx: &mut Cx,
    key: ScenarioKey,
    value: &Spanned<DeValue>,
    path: &str,
) -> Option<KeyValue> {
    match parse_value(key, value.get_ref()) {
        Ok(setting) => Some(setting),
        Err(error) => {
            cx.error(error.span.unwrap_or(value.span()), path, error.message);
            None
        }
    }
}

fn read_plot(cx: &mut Cx, top: &DeTable, dimensions: &[Dimension]) -> PlotSettings {
    let axes = with_group_keys(dimensions.iter().map(|d| &d.axis));
    let consumers = Axis::Key(ScenarioKey::Consumers);
    let default_x = match dimensions.first() {
        Some(first) if !dimensions.iter().any(|d| d.axis == consumers) => first.axis.clone(),
        _ => consumers,
    };
    // Without a [plot] table, every plot key takes its default, as from an empty one.
    let empty = DeTable::default();
    let table = sub_table(cx, top, "plot").unwrap_or(&empty);
    for (key, _) in table.iter() {
        if !format::plot_names().contains(&key.get_ref().as_ref()) {
            cx.unknown_key(key, "plot.", &format::plot_names());
        }
    }
    let drawable: Vec<&str> = axes
        .iter()
        .filter(|a| on_axis(a, dimensions))
        .map(|a| a.name())
        .collect();
    let x_allowed = if dimensions.is_empty() {
        "a scenario key".to_string()
    } else if drawable.is_empty() {
        "none of the swept keys can be an axis; sweep a count, words or fixed durations".to_string()
    } else {
        format!(
            "a swept key with numbers, fixed durations or words, a group (words) or a key of \
             a group: {}",
            drawable.join(", ")
        )
    };
    let named = |v: &DeValue| -> Result<Axis, String> {
        let DeValue::String(name) = v else {
            return Err(format!("expected a string, found {}", type_name(v)));
        };
        if let Some(axis) = axes.iter().find(|a| a.name() == name.as_ref() as &str) {
            return Ok(axis.clone());
        }
        match ScenarioKey::from_name(name) {
            Some(key) if dimensions.is_empty() => Ok(Axis::Key(key)),
            Some(_) => Err("not a swept key".to_string()),
            None if dimensions.is_empty() => Err("not a scenario key".to_string()),
            None => Err("not a swept key or group".to_string()),
        }
    };
    let x = read(cx, table, "plot.x", default_x, &x_allowed, |v| {
        let axis = named(v)?;
        if on_axis(&axis, dimensions) {
            Ok(axis)
        } else {
            Err(format!(
                "`{}` is swept over random times here, and an axis needs numbers, words \
                 or fixed durations",
                axis.name()
            ))
        }
    });
    // Panels split by what x does not already show: the rejected choice is not offered.
    let names: Vec<&str> = axes
        .iter()
        .filter(|a| !a.overlaps(&x) && super::axis::decides_the_other(&axes, &x, a).is_none())
        .map(|a| a.name())
        .collect();
    let facet_allowed = match names.is_empty() {
        true => "a swept key or group besides x's; sweep another to draw panels".to_string(),
        false => format!("a swept key or group besides x's: {}", names.join(", ")),
    };
    let written = cx.written;
    let facet = read(cx, table, "plot.facet", None, &facet_allowed, |v| {
        let axis = named(v)?;
        if !axes.contains(&axis) {
            Err("not a swept key or group".to_string())
        } else if axis.overlaps(&x) {
            Err(format!(
                "`{}` shares a key with x (`{}`); panels need another swept key or group",
                axis.name(),
                x.name()
            ))
        } else if let Some(decides) = super::axis::decides_the_other(&axes, &x, &axis)
            && written == Written::Now
        {
            // An archive's copy, written before this rule, keeps its facet: its charts
            // are drawn as they were.
            Err(decided_words(&x, &axis, decides))
        } else {
            Ok(Some(axis))
        }
    });
    let bars = read_spec(cx, table, "plot.", PlotKey::Bars.spec(), |v, _| {
        word_of(v, Bars::from_name)
    });
    refuse_bars_without_words(cx, table, &x, bars);
    PlotSettings {
        x,
        log_x: read_spec(cx, table, "plot.", PlotKey::LogX.spec(), boolean),
        log_y: read_spec(cx, table, "plot.", PlotKey::LogY.spec(), boolean),
        formats: read_formats(cx, table),
        facet,
        bars,
    }
}

/// Why a facet and an x of which one (`by`) decides the other's `key` make no chart:
/// each panel would hold one value of x, or x one in each panel. `plot --x --facet` says
/// the same.
pub fn decided_words(x: &Axis, facet: &Axis, (by, key): (&Axis, ScenarioKey)) -> String {
    let why = match key {
        ScenarioKey::Queue => " (a capacity says whether the queue is bounded)",
        _ => " (in their group, each of its values goes with one of the other's)",
    };
    format!(
        "`{}` with x = `{}`: `{}` decides `{}`{why}, so most of each panel would be empty; \
         panels need a key that x neither decides nor is decided by",
        facet.name(),
        x.name(),
        by.name(),
        key.name()
    )
}

/// Horizontal bars need x to be words or a group: against numbers a chart draws lines.
fn refuse_bars_without_words(cx: &mut Cx, table: &DeTable, x: &Axis, bars: Bars) {
    let words = match x {
        Axis::Group(_) => true,
        Axis::Key(key) => matches!(key.spec().accepts, Accepts::Words(_)),
    };
    if bars == Bars::Horizontal
        && !words
        && let Some(value) = table.get(PlotKey::Bars.spec().name)
    {
        let message = format!(
            "horizontal bars need x to be a key of words or a group; x = `{}` has numbers, \
             which a chart draws as lines",
            x.name()
        );
        cx.error(value.span(), "plot.bars", message);
    }
}

/// `formats`: each item is checked where it stands, so an unknown format is pointed at
/// itself rather than at the whole list.
fn read_formats(cx: &mut Cx, table: &DeTable) -> Vec<ChartFormat> {
    let spec = PlotKey::Formats.spec();
    let default = read_spec(cx, &DeTable::default(), "plot.", spec, formats);
    let Some(value) = table.get(spec.name) else {
        return default;
    };
    let DeValue::Array(list) = value.get_ref() else {
        return read_spec(cx, table, "plot.", spec, formats);
    };
    let mut chosen = Vec::new();
    let mut bad = false;
    for item in list.iter() {
        let word = word_of(item.get_ref(), ChartFormat::from_name);
        let message = match word {
            Ok(format) if !chosen.contains(&format) => {
                chosen.push(format);
                continue;
            }
            Ok(_) => "this format is listed twice".to_string(),
            Err(why) => format!("{why}; allowed: {}", quoted_list(ChartFormat::NAMES)),
        };
        cx.error(item.span(), "plot.formats", message);
        bad = true;
    }
    if bad { default } else { chosen }
}

fn boolean(value: &DeValue, _: Accepts) -> Result<bool, String> {
    value
        .as_bool()
        .ok_or_else(|| format!("expected a boolean, found {}", type_name(value)))
}

/// Whether `axis` can be an x axis: counts and words (bars) always, a group always (its
/// points read as words); times only when every swept value is fixed.
fn on_axis(axis: &Axis, dimensions: &[Dimension]) -> bool {
    let Axis::Key(key) = axis else {
        return true;
    };
    if key.is_count() || matches!(key.spec().accepts, Accepts::Words(_)) {
        return true;
    }
    let is_time = matches!(key, ScenarioKey::ProduceTime | ScenarioKey::ConsumeTime);
    is_time
        && dimensions
            .iter()
            .flat_map(|d| d.points.iter().flatten())
            .filter(|(k, _)| k == key)
            .all(|(_, (value, _))| matches!(value, KeyValue::Time(t) if t.fixed().is_some()))
}

fn formats(value: &DeValue, _: Accepts) -> Result<Vec<ChartFormat>, String> {
    let DeValue::Array(list) = value else {
        return Err(format!("expected a list, found {}", type_name(value)));
    };
    let mut formats = Vec::new();
    for item in list.iter() {
        let format = word_of(item.get_ref(), ChartFormat::from_name)
            .map_err(|_| "unknown format".to_string())?;
        if formats.contains(&format) {
            return Err("a format is listed twice".to_string());
        }
        formats.push(format);
    }
    Ok(formats)
}
