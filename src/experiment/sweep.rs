//! `[sweep]`: keys swept alone (`consumers = [1, 4]`) and groups of keys that vary
//! together (`together.topology = [{ producers = 1, consumers = 1 }, ...]`), read into
//! dimensions, and their cartesian product over `[scenario]` into scenarios, less the
//! combinations `exclude` leaves out (`exclude = [{ queue_impl = "mutex", capacity = 0 }]`).
//!
//! Every value is read by the same key table as `[scenario]` (`keys::parse_value`), so a
//! value in a group is refused with the same words as anywhere else. It does not read
//! `[plot]` nor the top-level settings (see `parse`).

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::Written;
use super::axis::{Axis, Group};
use super::keys::{KeyValue, type_name};
use super::parse::{Cx, Placed, Span, read_setting, scenario_defaults, sub_table};
use crate::scenario::key::MAX_QUEUE_BYTES;
use crate::scenario::{
    ConsumerStyle, QueueBound, QueueImpl, QueueKind, Scenario, ScenarioKey, TimeSpec, WorkKind,
    quoted_list,
};

/// A sweep larger than this is a typo: it would not finish.
pub const MAX_SCENARIOS: usize = 100_000;

/// The `[sweep]` key that holds groups.
pub const TOGETHER: &str = "together";

/// The `[sweep]` key that lists combinations of swept values to leave out.
pub const EXCLUDE: &str = "exclude";

/// A group's name: it names chart files (`elapsed_vs_topology.png`) and `[plot] x`.
pub const GROUP_NAME_RULE: &str =
    "letters, digits, _ and - only, at most 100 characters, and not a scenario key";

/// The JSON Schema's pattern of `GROUP_NAME_RULE` (the scenario keys are excluded apart).
pub const GROUP_NAME_PATTERN: &str = "^[A-Za-z0-9_-]{1,100}$";

/// An example group, for messages.
const EXAMPLE: &str = "together.topology = [{ producers = 1, consumers = 1 }, { producers = 4, \
                       consumers = 1 }]";

/// The settings one value of a dimension makes: one key for a key swept alone, the
/// group's keys for a point of a group.
pub type Point = Vec<(ScenarioKey, Placed)>;

/// One entry of `[sweep]` as read: a key alone or a group, and its values in file order.
pub struct Dimension {
    pub axis: Axis,
    /// Where its name is written: dimensions vary in this order, the last fastest.
    pub at: Span,
    pub points: Vec<Point>,
}

impl Dimension {
    /// The dotted key a value of `key` in this dimension is reported under.
    pub fn path(&self, key: ScenarioKey) -> String {
        match &self.axis {
            Axis::Key(_) => format!("sweep.{}", key.name()),
            Axis::Group(g) => format!("sweep.{TOGETHER}.{}.{}", g.name, key.name()),
        }
    }
}

/// One entry of `exclude`: scenarios with all of these values are left out.
pub struct Exclusion {
    /// The entry, for messages.
    pub at: Span,
    pub values: Point,
}

/// The names `[sweep]` accepts, for suggestions.
fn sweep_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = ScenarioKey::NAMES.to_vec();
    names.extend([TOGETHER, EXCLUDE]);
    names
}

/// The sweep's dimensions in file order, and its exclusions; a dimension or exclusion
/// with any bad value is reported and left out, so what is kept is whole.
pub fn read_sweep(cx: &mut Cx, top: &DeTable) -> (Vec<Dimension>, Vec<Exclusion>) {
    let Some(table) = sub_table(cx, top, "sweep") else {
        return (Vec::new(), Vec::new());
    };
    let mut dimensions = Vec::new();
    let mut excluded = None;
    for (key, value) in table.iter() {
        if key.get_ref().as_ref() == TOGETHER {
            dimensions.extend(read_together(cx, value));
            continue;
        }
        if key.get_ref().as_ref() == EXCLUDE {
            excluded = Some(value);
            continue;
        }
        let Some(scenario_key) = ScenarioKey::from_name(key.get_ref()) else {
            cx.unknown_key(key, "sweep.", &sweep_names());
            continue;
        };
        if let Some(points) = read_list(cx, scenario_key, value) {
            dimensions.push(Dimension {
                axis: Axis::Key(scenario_key),
                at: key.span(),
                points,
            });
        }
    }
    dimensions.sort_by_key(|d| d.at.start);
    refuse_keys_swept_twice(cx, &mut dimensions);
    let exclusions = excluded.map_or_else(Vec::new, |v| read_exclude(cx, v, &dimensions));
    (dimensions, exclusions)
}

/// `exclude = [{ key = value, ... }, ...]`: each entry names values of swept keys, and
/// the scenarios that have all of them are not made. A key that is not swept would leave
/// out every scenario or none, so it is refused.
fn read_exclude(cx: &mut Cx, value: &Spanned<DeValue>, dimensions: &[Dimension]) -> Vec<Exclusion> {
    let path = format!("sweep.{EXCLUDE}");
    let example = "exclude = [{ queue_impl = \"mutex\", capacity = 0 }]";
    let list = match value.get_ref() {
        DeValue::Array(list) if !list.is_empty() => list,
        other => {
            let found = match other {
                DeValue::Array(_) => "an empty list".to_string(),
                other => type_name(other).to_string(),
            };
            let message = format!(
                "`{EXCLUDE}` takes a list of tables, each naming values of swept keys whose \
                 scenarios are left out, found {found}; write `{example}`"
            );
            cx.error(value.span(), &path, message);
            return Vec::new();
        }
    };
    let swept: Vec<ScenarioKey> = dimensions
        .iter()
        .flat_map(|d| d.axis.keys().iter().copied())
        .collect();
    let names: Vec<&str> = swept.iter().map(|k| k.name()).collect();
    let mut exclusions = Vec::new();
    for item in list.iter() {
        let Some(values) = read_point(cx, &format!("{path}."), item) else {
            continue;
        };
        if values.is_empty() {
            let message = format!("an entry names at least one swept key and value: `{example}`");
            cx.error(item.span(), &path, message);
            continue;
        }
        let mut whole = true;
        for (key, (_, span)) in &values {
            if !swept.contains(key) {
                let message = format!(
                    "`{}` is not swept, so leaving out its value would leave out every \
                     scenario or none; `{EXCLUDE}` names values of swept keys: {}",
                    key.name(),
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                );
                cx.error(span.clone(), &format!("{path}.{}", key.name()), message);
                whole = false;
            }
        }
        if whole {
            exclusions.push(Exclusion {
                at: item.span(),
                values,
            });
        }
    }
    exclusions
}

/// The values of a key swept alone, each a point of one setting.
fn read_list(cx: &mut Cx, key: ScenarioKey, value: &Spanned<DeValue>) -> Option<Vec<Point>> {
    let path = format!("sweep.{}", key.name());
    let DeValue::Array(list) = value.get_ref() else {
        let message = format!(
            "a swept key takes a list of values, found {}; each value: {}",
            type_name(value.get_ref()),
            key.allowed()
        );
        cx.error(value.span(), &path, message);
        return None;
    };
    if list.is_empty() {
        let message = "an empty list sweeps nothing: give at least one value".to_string();
        cx.error(value.span(), &path, message);
        return None;
    }
    let mut points = Vec::new();
    // By text, which is canonical (`0.25s` and `250ms` are both `250ms`): a hash set,
    // since a sweep may list 100,000 values.
    let mut listed: HashSet<String> = HashSet::new();
    for item in list.iter() {
        let Some(setting) = read_setting(cx, key, item, &path) else {
            continue;
        };
        if !listed.insert(setting.text()) {
            cx.error(item.span(), &path, "this value is listed twice".to_string());
            continue;
        }
        points.push(vec![(key, (setting, item.span()))]);
    }
    (points.len() == list.len()).then_some(points)
}

/// `together`: a table of named groups.
fn read_together(cx: &mut Cx, value: &Spanned<DeValue>) -> Vec<Dimension> {
    let path = format!("sweep.{TOGETHER}");
    let DeValue::Table(groups) = value.get_ref() else {
        let message = format!(
            "`{TOGETHER}` holds named groups of keys that vary together, found {}; write \
             `{EXAMPLE}`",
            type_name(value.get_ref())
        );
        cx.error(value.span(), &path, message);
        return Vec::new();
    };
    if groups.is_empty() {
        let message = format!("`{TOGETHER}` names no group; write `{EXAMPLE}`");
        cx.error(value.span(), &path, message);
        return Vec::new();
    }
    groups
        .iter()
        .filter_map(|(name, points)| read_group(cx, name, points))
        .collect()
}

/// One group: `NAME = [{ key = value, ... }, ...]`.
fn read_group(
    cx: &mut Cx,
    name: &Spanned<std::borrow::Cow<str>>,
    value: &Spanned<DeValue>,
) -> Option<Dimension> {
    let group_name = name.get_ref().as_ref();
    let path = format!("sweep.{TOGETHER}.{group_name}");
    let plain = !group_name.is_empty()
        && group_name.len() <= 100
        && group_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-".contains(c));
    if !plain || ScenarioKey::from_name(group_name).is_some() {
        let message = format!(
            "`{group_name}` cannot name a group; a group's name is {GROUP_NAME_RULE}, such as \
             `topology`"
        );
        cx.error(name.span(), &path, message);
        return None;
    }
    let DeValue::Array(list) = value.get_ref() else {
        let message = format!(
            "a group takes a list of points, each a table of the keys that vary together, \
             found {}; write `{EXAMPLE}`",
            type_name(value.get_ref())
        );
        cx.error(value.span(), &path, message);
        return None;
    };
    if list.is_empty() {
        let message = "an empty list sweeps nothing: give at least one point".to_string();
        cx.error(value.span(), &path, message);
        return None;
    }
    let prefix = format!("{path}.");
    let read: Vec<Option<Point>> = list
        .iter()
        .map(|item| read_point(cx, &prefix, item))
        .collect();
    let points: Vec<(Point, Span)> = read
        .into_iter()
        .zip(list.iter())
        .filter_map(|(point, item)| Some((point?, item.span())))
        .collect();
    if points.len() < list.len() {
        return None;
    }
    let mut keys: Vec<ScenarioKey> = Vec::new();
    for (key, _) in points.iter().flat_map(|(p, _)| p) {
        if !keys.contains(key) {
            keys.push(*key);
        }
    }
    if keys.len() < 2 {
        let alone = keys.first().map_or("consumers", |k| k.name());
        let message = format!(
            "a group varies at least two keys together; one key is swept alone, as \
             `{alone} = [...]`"
        );
        cx.error(value.span(), &path, message);
        return None;
    }
    if !every_point_sets_the_group(cx, &path, &keys, &points) {
        return None;
    }
    let points: Vec<Point> = points
        .into_iter()
        .map(|(mut point, _)| {
            point.sort_by_key(|(k, _)| keys.iter().position(|g| g == k));
            point
        })
        .collect();
    let determines = ties(&keys, &points);
    Some(Dimension {
        axis: Axis::Group(Group {
            name: group_name.to_string(),
            keys,
            determines,
        }),
        at: name.span(),
        points,
    })
}

/// The pairs `(a, b)` of a group's keys where each value of `a` goes with one value of
/// `b` over its points: a panel per value of `a` holds one `b`.
fn ties(keys: &[ScenarioKey], points: &[Point]) -> Vec<(ScenarioKey, ScenarioKey)> {
    let value = |point: &Point, key: ScenarioKey| {
        point
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, (v, _))| v.text())
    };
    let mut ties = Vec::new();
    for &a in keys {
        for &b in keys.iter().filter(|&&b| b != a) {
            let mut with: HashMap<Option<String>, Option<String>> = HashMap::new();
            let one_each = points
                .iter()
                .all(|p| with.entry(value(p, a)).or_insert_with(|| value(p, b)) == &value(p, b));
            if one_each {
                ties.push((a, b));
            }
        }
    }
    ties
}

/// One point of a group (or entry of `exclude`): a table of scenario keys, each value
/// read as anywhere else; `prefix` is the dotted path its keys are reported under.
fn read_point(cx: &mut Cx, prefix: &str, item: &Spanned<DeValue>) -> Option<Point> {
    let DeValue::Table(table) = item.get_ref() else {
        let message = if prefix.starts_with(&format!("sweep.{EXCLUDE}")) {
            format!(
                "an entry of `{EXCLUDE}` is a table of swept keys and values, such as \
                 {{ queue_impl = \"mutex\", capacity = 0 }}, found {}",
                type_name(item.get_ref())
            )
        } else {
            format!(
                "a point of a group is a table of the keys that vary together, such as \
                 {{ producers = 1, consumers = 1 }}, found {}",
                type_name(item.get_ref())
            )
        };
        cx.error(item.span(), prefix.trim_end_matches('.'), message);
        return None;
    };
    let mut entries: Vec<_> = table.iter().collect();
    // The table iterates by name; labels follow the order the file writes.
    entries.sort_by_key(|(key, _)| key.span().start);
    let mut point = Vec::new();
    let mut whole = true;
    for (key, value) in entries {
        let Some(scenario_key) = ScenarioKey::from_name(key.get_ref()) else {
            cx.unknown_key(key, prefix, &ScenarioKey::NAMES);
            whole = false;
            continue;
        };
        let path = format!("{prefix}{}", scenario_key.name());
        match read_setting(cx, scenario_key, value, &path) {
            Some(setting) => point.push((scenario_key, (setting, value.span()))),
            None => whole = false,
        }
    }
    whole.then_some(point)
}

/// Every point sets every key of the group, but for the capacity of an unbounded queue,
/// which has none; and no two points are the same. Errors name the point.
fn every_point_sets_the_group(
    cx: &mut Cx,
    path: &str,
    keys: &[ScenarioKey],
    points: &[(Point, Span)],
) -> bool {
    let names: Vec<&str> = keys.iter().map(|k| k.name()).collect();
    // Each point's values by their canonical text, and where the point starts.
    let mut listed: HashMap<String, usize> = HashMap::new();
    let mut whole = true;
    for (point, span) in points {
        let get = |key: ScenarioKey| point.iter().find(|(k, _)| *k == key).map(|(_, p)| p);
        let unbounded = matches!(
            get(ScenarioKey::Queue),
            Some((KeyValue::Queue(QueueBound::Unbounded), _))
        );
        if unbounded && let Some((_, at)) = get(ScenarioKey::Capacity) {
            let message = "`capacity` applies only to queue = \"bounded\"; leave it out of \
                           this point"
                .to_string();
            cx.error(at.clone(), &format!("{path}.capacity"), message);
            whole = false;
            continue;
        }
        let missing: Vec<&str> = keys
            .iter()
            .filter(|k| get(**k).is_none())
            .filter(|k| !(unbounded && **k == ScenarioKey::Capacity))
            .map(|k| k.name())
            .collect();
        if !missing.is_empty() {
            let message = format!(
                "this point leaves out {}: every point of a group sets the same keys ({}){}",
                missing
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                names.join(", "),
                if missing.contains(&"capacity") {
                    "; only a point with queue = \"unbounded\" leaves out capacity"
                } else {
                    ""
                }
            );
            cx.error(span.clone(), path, message);
            whole = false;
            continue;
        }
        let text: Vec<String> = keys
            .iter()
            .map(|k| get(*k).map(|(v, _)| v.text()).unwrap_or_default())
            .collect();
        if let Some(first) = listed.insert(text.join("\u{1f}"), span.start) {
            let message = format!(
                "this point is listed twice (first at line {})",
                cx.line_of(first)
            );
            cx.error(span.clone(), path, message);
            whole = false;
        }
    }
    whole
}

/// A key varies in one place only: a later dimension that varies a key again is
/// reported, naming the line of the first, and left out.
fn refuse_keys_swept_twice(cx: &mut Cx, dimensions: &mut Vec<Dimension>) {
    let mut kept: Vec<Dimension> = Vec::new();
    for dimension in dimensions.drain(..) {
        let twice = dimension.axis.keys().iter().find_map(|key| {
            let first = kept.iter().find(|d| d.axis.keys().contains(key))?;
            Some((*key, first))
        });
        let Some((key, first)) = twice else {
            kept.push(dimension);
            continue;
        };
        let here = dimension
            .points
            .first()
            .and_then(|p| p.iter().find(|(k, _)| *k == key))
            .map_or(dimension.at.clone(), |(_, (_, span))| span.clone());
        let message = format!(
            "`{}` already varies at line {} ({}); a key varies in one place: sweep it alone \
             or in one group",
            key.name(),
            cx.line_of(first.at.start),
            where_it_varies(first, key)
        );
        cx.error(here, &dimension.path(key), message);
    }
    *dimensions = kept;
}

fn where_it_varies(dimension: &Dimension, key: ScenarioKey) -> String {
    match &dimension.axis {
        Axis::Key(_) => format!("sweep.{}", key.name()),
        Axis::Group(g) => format!("in group `{}`", g.name),
    }
}

/// The cartesian product of the dimensions over the base scenario, the last fastest,
/// less the combinations `exclusions` leave out; scenarios are numbered as kept.
pub fn expand(
    cx: &mut Cx,
    base: &[(ScenarioKey, Placed)],
    dimensions: &[Dimension],
    exclusions: &[Exclusion],
    time_scale: f64,
) -> Vec<Scenario> {
    let total = dimensions
        .iter()
        .try_fold(1usize, |n, d| n.checked_mul(d.points.len()));
    if total.is_none_or(|n| n > MAX_SCENARIOS) {
        let span = dimensions.first().map_or(0..0, |d| d.at.clone());
        cx.error(
            span,
            "sweep",
            format!("the sweep makes more than {MAX_SCENARIOS} scenarios"),
        );
        return Vec::new();
    }
    let total = total.unwrap_or(0);
    let defaults = scenario_defaults();
    let mut points = Vec::with_capacity(total);
    // Per entry: the scenarios it leaves out, and those no entry before it does.
    let mut left_out = vec![0usize; exclusions.len()];
    let mut first_to_leave_out = vec![0usize; exclusions.len()];
    // A capacity given is used even if every bounded scenario is left out.
    let mut bounded_left_out = false;
    for index in 0..total {
        let mut settings: Vec<(ScenarioKey, &Placed)> = defaults
            .iter()
            .filter(|(k, _)| !base.iter().any(|(b, _)| b == k))
            .chain(base)
            .map(|(k, p)| (*k, p))
            .collect();
        let mut parts: Vec<Vec<String>> = Vec::new();
        let mut rest = index;
        for dimension in dimensions.iter().rev() {
            let point = &dimension.points[rest % dimension.points.len()];
            rest /= dimension.points.len();
            let mut part = Vec::new();
            for (key, placed) in point {
                settings.retain(|(k, _)| k != key);
                settings.push((*key, placed));
                part.push(format!("{}={}", key.name(), placed.0.text()));
            }
            parts.push(part);
        }
        let matched: Vec<usize> = (0..exclusions.len())
            .filter(|&e| leaves_out(&exclusions[e], &settings))
            .collect();
        if let Some(&first) = matched.first() {
            first_to_leave_out[first] += 1;
            for e in matched {
                left_out[e] += 1;
            }
            bounded_left_out |= settings.iter().any(|(k, p)| {
                *k == ScenarioKey::Queue && p.0 == KeyValue::Queue(QueueBound::Bounded)
            });
            continue;
        }
        parts.reverse();
        let label = if parts.is_empty() {
            "all".to_string()
        } else {
            parts.concat().join(" ")
        };
        points.push(build(points.len(), label, &settings, time_scale));
    }
    let counts = LeftOut {
        any: &left_out,
        first: &first_to_leave_out,
    };
    refuse_exclusions_that_leave_out_nothing(cx, exclusions, &counts, total, points.len());
    check_capacity(cx, base, dimensions, &points, bounded_left_out);
    let scenarios: Vec<Scenario> = points.into_iter().filter_map(Result::ok).collect();
    refuse_the_same_scenario_twice(cx, dimensions, &scenarios);
    scenarios
}

/// A scenario's settings as its run uses them: times as drawn (`TimeSpec::as_drawn`), a
/// time whose every draw comes to the same whole nanoseconds at the scenario's time scale
/// as those nanoseconds, and no kind of work where there is no work (every time zero).
fn as_run(scenario: &Scenario) -> Vec<String> {
    let as_run = |time: &TimeSpec| {
        let drawn = time.as_drawn();
        match drawn.sampler(scenario.time_scale).only_ns() {
            Some(ns) => format!("{ns}ns"),
            None => drawn.label(),
        }
    };
    let (produce, consume) = (
        as_run(&scenario.produce_time),
        as_run(&scenario.consume_time),
    );
    let no_work = produce == "0ns" && consume == "0ns";
    ScenarioKey::ALL
        .iter()
        .map(|&key| match key {
            ScenarioKey::ProduceTime => produce.clone(),
            ScenarioKey::ConsumeTime => consume.clone(),
            ScenarioKey::Work if no_work => String::new(),
            _ => scenario.value_text(key),
        })
        .collect()
}

/// Two scenarios of the same settings would be one run made twice under two labels (the
/// capacities swept beside an unbounded queue, which has none): refused where the value
/// that makes no difference is swept, once. Not in an archive's copy, written before this
/// rule: its runs are read as they were made.
fn refuse_the_same_scenario_twice(cx: &mut Cx, dimensions: &[Dimension], scenarios: &[Scenario]) {
    // Nor where a capacity already was refused for the unbounded queue alone: said once.
    let capacity_refused = cx.errors.iter().any(|d| d.key.ends_with(".capacity"));
    if cx.written == Written::Archived || capacity_refused {
        return;
    }
    let mut first: HashMap<Vec<String>, usize> = HashMap::new();
    for (at, scenario) in scenarios.iter().enumerate() {
        let settings = as_run(scenario);
        let Some(&earlier) = first.get(&settings) else {
            first.insert(settings, at);
            continue;
        };
        let earlier = &scenarios[earlier];
        // The setting the two labels differ in is the one that makes no difference.
        let parts: Vec<&str> = earlier.label.split(' ').collect();
        let differs = scenario.label.split(' ').find(|part| !parts.contains(part));
        let key = differs
            .and_then(|part| part.split_once('='))
            .and_then(|(name, _)| ScenarioKey::ALL.into_iter().find(|k| k.name() == name));
        let dimension =
            key.and_then(|key| dimensions.iter().find(|d| d.axis.keys().contains(&key)));
        let (span, path) = match (key, dimension) {
            (Some(key), Some(d)) => (d.at.clone(), d.path(key)),
            _ => (
                dimensions.first().map_or(0..0, |d| d.at.clone()),
                "sweep".to_string(),
            ),
        };
        let drawn = |s: &Scenario| (s.produce_time.as_drawn(), s.consume_time.as_drawn());
        let scale_words = match cx.time_scale {
            Some(_) => "--time-scale",
            None => "time_scale",
        };
        let scaled;
        let why = match key {
            Some(key @ (ScenarioKey::ProduceTime | ScenarioKey::ConsumeTime))
                if drawn(scenario) != drawn(earlier) =>
            {
                let at = ScenarioKey::ALL.iter().position(|k| *k == key);
                let ns = at.and_then(|at| as_run(scenario).get(at).cloned());
                scaled = format!(
                    "at {scale_words} {} both times come to {} (times run in whole \
                     nanoseconds); use times further apart or a larger time scale",
                    scenario.time_scale,
                    ns.unwrap_or_default().replace("ns", " ns")
                );
                scaled.as_str()
            }
            Some(ScenarioKey::ProduceTime | ScenarioKey::ConsumeTime) => {
                "their times are drawn alike: a distribution with no spread is a fixed time"
            }
            Some(ScenarioKey::Work) if drawn(scenario) != (TimeSpec::ZERO, TimeSpec::ZERO) => {
                scaled = format!(
                    "at {scale_words} {} both times come to 0 ns: there is no work to sleep or \
                     spin",
                    scenario.time_scale
                );
                scaled.as_str()
            }
            Some(ScenarioKey::Work) => {
                "with no produce or consume time there is no work to sleep or spin"
            }
            Some(ScenarioKey::Capacity) => {
                "an unbounded queue has no capacity. To sweep capacities of bounded queues \
                 beside one unbounded queue, list them as points of a group: \
                 together.queue_size = [{ queue = \"unbounded\" }, { queue = \"bounded\", \
                 capacity = 5 }, ...]"
            }
            _ => "the value that differs makes no difference to the run",
        };
        let message = format!(
            "scenario `{}` is the same run as `{}`: {why}",
            scenario.label, earlier.label
        );
        cx.error(span, &path, message);
        return;
    }
}

/// Whether a scenario of `settings` has every value `exclusion` names. A capacity is
/// compared only where the queue is bounded: an unbounded queue has none.
fn leaves_out(exclusion: &Exclusion, settings: &[(ScenarioKey, &Placed)]) -> bool {
    let get = |key: ScenarioKey| settings.iter().find(|(k, _)| *k == key).map(|(_, p)| &p.0);
    let bounded = matches!(
        get(ScenarioKey::Queue),
        Some(KeyValue::Queue(QueueBound::Bounded))
    );
    exclusion.values.iter().all(|(key, (value, _))| {
        let has = match key {
            ScenarioKey::Capacity if !bounded => None,
            _ => get(*key),
        };
        has.is_some_and(|v| v.text() == value.text())
    })
}

/// How many scenarios each `exclude` entry leaves out, in all and before any other entry.
struct LeftOut<'a> {
    any: &'a [usize],
    first: &'a [usize],
}

/// An entry that leaves out nothing is a typo (a value no scenario has), and one that
/// leaves out only what entries before it do is one written twice; leaving out every
/// scenario leaves nothing to run.
fn refuse_exclusions_that_leave_out_nothing(
    cx: &mut Cx,
    exclusions: &[Exclusion],
    counts: &LeftOut,
    total: usize,
    kept: usize,
) {
    let path = format!("sweep.{EXCLUDE}");
    for (e, exclusion) in exclusions.iter().enumerate() {
        let message = match (counts.any[e], counts.first[e]) {
            (0, _) => "no scenario has all of these values, so this entry leaves out \
                       nothing; each value must be one the sweep makes"
                .to_string(),
            (_, 0) => "every scenario this entry leaves out, the entries before it leave out \
                       already; remove it"
                .to_string(),
            _ => continue,
        };
        cx.error(exclusion.at.clone(), &path, message);
    }
    if kept == 0 && total > 0 {
        let span = exclusions.first().map_or(0..0, |e| e.at.clone());
        let message =
            format!("`{EXCLUDE}` leaves out all {total} scenarios: nothing is left to run");
        cx.error(span, &path, message);
    }
}

/// Bytes as MiB with two decimals, as a limit's error gives them.
fn mib(bytes: u64) -> String {
    // Rounded up: a byte over the limit must not read as the limit.
    let hundredths = (bytes as f64 * 100.0 / f64::from(1u32 << 20)).ceil() / 100.0;
    let mib = format!("{hundredths:.2}");
    mib.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A combination of settings no queue can run.
enum Invalid {
    /// A bounded queue without a capacity; the span is where `queue` was set.
    NoCapacity(Span),
    /// A rendezvous asked of an implementation without one; the span is where
    /// `queue_impl` was set.
    NoRendezvous(Span),
    /// Slots of more than `MAX_QUEUE_BYTES` (capacity × item_bytes); the span is where
    /// `capacity` was set.
    QueueTooLarge(Span, u64, u64),
}

fn build(
    index: usize,
    label: String,
    settings: &[(ScenarioKey, &Placed)],
    time_scale: f64,
) -> Result<Scenario, Invalid> {
    // Every key but capacity has a default (tested), so each is found.
    let get = |key| settings.iter().find(|(k, _)| *k == key).map(|(_, p)| &p.0);
    let count = |key| match get(key) {
        Some(KeyValue::Count(n)) => *n,
        _ => 0,
    };
    let time = |key| match get(key) {
        Some(KeyValue::Time(t)) => t.clone(),
        _ => TimeSpec::Fixed(Duration::ZERO),
    };
    let span = |key| {
        settings
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, p)| p.1.clone())
            .unwrap_or(0..0)
    };
    let queue = match (get(ScenarioKey::Queue), get(ScenarioKey::Capacity)) {
        (Some(KeyValue::Queue(QueueBound::Bounded)), Some(KeyValue::Count(capacity))) => {
            QueueKind::Bounded {
                capacity: *capacity,
            }
        }
        (Some(KeyValue::Queue(QueueBound::Bounded)), _) => {
            return Err(Invalid::NoCapacity(span(ScenarioKey::Queue)));
        }
        _ => QueueKind::Unbounded,
    };
    let queue_impl = match get(ScenarioKey::QueueImpl) {
        Some(KeyValue::QueueImpl(q)) => *q,
        _ => QueueImpl::Crossbeam,
    };
    if queue.capacity() == Some(0) && !queue_impl.has_rendezvous() {
        return Err(Invalid::NoRendezvous(span(ScenarioKey::QueueImpl)));
    }
    let item_bytes = count(ScenarioKey::ItemBytes);
    if let Some(capacity) = queue.capacity()
        && capacity.saturating_mul(item_bytes) > MAX_QUEUE_BYTES
    {
        let at = span(ScenarioKey::Capacity);
        return Err(Invalid::QueueTooLarge(at, capacity, item_bytes));
    }
    Ok(Scenario {
        index,
        label,
        producers: count(ScenarioKey::Producers) as u32,
        consumers: count(ScenarioKey::Consumers) as u32,
        items_per_producer: count(ScenarioKey::ItemsPerProducer),
        item_bytes,
        produce_time: time(ScenarioKey::ProduceTime),
        consume_time: time(ScenarioKey::ConsumeTime),
        consumer: match get(ScenarioKey::Consumer) {
            Some(KeyValue::Consumer(ConsumerStyle::Poll)) => ConsumerStyle::Poll,
            _ => ConsumerStyle::Block,
        },
        queue,
        queue_impl,
        work: match get(ScenarioKey::Work) {
            Some(KeyValue::Work(WorkKind::Spin)) => WorkKind::Spin,
            _ => WorkKind::Sleep,
        },
        time_scale,
    })
}

/// Where the sweep varies the implementation, how to leave its rendezvous out instead.
fn exclude_hint(dimensions: &[Dimension]) -> String {
    let swept = |key| dimensions.iter().any(|d| d.axis.keys().contains(&key));
    if !swept(ScenarioKey::QueueImpl) {
        return String::new();
    }
    let capacity = if swept(ScenarioKey::Capacity) {
        ", capacity = 0"
    } else {
        ""
    };
    format!(
        "; or leave those scenarios out with `{EXCLUDE} = [{{ queue_impl = \"mutex\"{capacity} }}]` \
         in [sweep]"
    )
}

/// `capacity` only means something for a bounded queue, and a bounded queue needs one.
fn check_capacity(
    cx: &mut Cx,
    base: &[(ScenarioKey, Placed)],
    dimensions: &[Dimension],
    points: &[Result<Scenario, Invalid>],
    bounded_left_out: bool,
) {
    // Where the file set each swept value, by key and place: a map, as a group may hold
    // 100,000 points.
    let swept_at: HashMap<(ScenarioKey, usize), String> = dimensions
        .iter()
        .flat_map(|d| {
            d.points
                .iter()
                .flatten()
                .map(move |(k, (_, span))| ((*k, span.start), d.path(*k)))
        })
        .collect();
    // The dotted key of the value at `span`.
    let origin = |key: ScenarioKey, span: &Span| {
        swept_at
            .get(&(key, span.start))
            .cloned()
            .unwrap_or_else(|| format!("scenario.{}", key.name()))
    };
    // A capacity that was given but refused is already reported where it stands.
    let capacity_refused = cx.errors.iter().any(|d| d.key.ends_with(".capacity"));
    // A refused `exclude` entry may be the one meant to leave these out.
    let exclude_refused = cx
        .errors
        .iter()
        .any(|d| d.key.starts_with(&format!("sweep.{EXCLUDE}")));
    for point in points {
        match point {
            Err(Invalid::NoCapacity(_)) if capacity_refused => {}
            Err(Invalid::NoCapacity(span)) => {
                let message = "a bounded queue needs `capacity` (0 for a rendezvous)".to_string();
                cx.error(span.clone(), &origin(ScenarioKey::Queue, span), message);
            }
            Err(Invalid::NoRendezvous(_)) if exclude_refused => {}
            Err(Invalid::NoRendezvous(span)) => {
                let message = format!(
                    "\"mutex\" (a Mutex<VecDeque>) cannot hand over without holding an item, \
                     so capacity 0 needs queue_impl {}{}",
                    quoted_list(&QueueImpl::with_rendezvous()),
                    exclude_hint(dimensions)
                );
                cx.error(span.clone(), &origin(ScenarioKey::QueueImpl, span), message);
            }
            Err(Invalid::QueueTooLarge(span, capacity, item_bytes)) => {
                let message = format!(
                    "capacity {capacity} of {item_bytes}-byte items is {} MiB of slots, \
                     allocated before the run; at most {} MiB (capacity × item_bytes): \
                     lower capacity or item_bytes",
                    // Not rounded down: 1024.06 MiB would read as the limit itself.
                    mib(capacity.saturating_mul(*item_bytes)),
                    MAX_QUEUE_BYTES >> 20
                );
                cx.error(span.clone(), &origin(ScenarioKey::Capacity, span), message);
            }
            Ok(_) => {}
        }
    }
    let any_bounded = bounded_left_out
        || points
            .iter()
            .any(|p| matches!(p, Ok(s) if s.queue.capacity().is_some() ) || p.is_err());
    let capacity_spans = base
        .iter()
        .filter(|(k, _)| *k == ScenarioKey::Capacity)
        .map(|(_, (_, span))| span.clone())
        .chain(dimensions.iter().filter_map(|d| {
            d.points
                .iter()
                .flatten()
                .find(|(k, _)| *k == ScenarioKey::Capacity)
                .map(|(_, (_, span))| span.clone())
        }));
    if !any_bounded {
        for span in capacity_spans.collect::<Vec<_>>() {
            let message = "`capacity` applies only to queue = \"bounded\"; this queue is unbounded"
                .to_string();
            let key = origin(ScenarioKey::Capacity, &span);
            cx.error(span, &key, message);
        }
    }
}
