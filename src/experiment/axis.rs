//! What a sweep varies, as charts and reports name it: a key swept on its own, or a group
//! of keys that vary together (`together.topology = [{ producers = 1, consumers = 1 }, ...]`).
//!
//! Owns how an axis reads a scenario's value (a number, or words such as `4 × 1`) and
//! which keys it spans. It does not parse (see `sweep`) nor draw (see `output::chart`).

use crate::scenario::{Scenario, ScenarioKey};

/// Joins a group's keys and values, in titles and on ticks: `producers × consumers`, `4 × 1`.
pub const GROUP_JOIN: &str = " × ";

/// One thing a sweep varies, or a chart puts on an axis or in panels.
#[derive(Clone, Debug, PartialEq)]
pub enum Axis {
    /// One key: swept on its own, or (on a chart) one key of a group.
    Key(ScenarioKey),
    /// Keys that vary together, point by point.
    Group(Group),
}

/// Keys that vary together, named in the file: `together.NAME`.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub name: String,
    /// In the order the first point gives them; labels list them so.
    pub keys: Vec<ScenarioKey>,
    /// Pairs `(a, b)` where each value of `a` goes with one value of `b` over the
    /// points: a chart's x and facet tied so would leave most of each panel empty.
    pub determines: Vec<(ScenarioKey, ScenarioKey)>,
}

impl Group {
    /// Whether `key` decides the rest of the group (its value tells every other key's,
    /// as where each point has its own), so it can be a chart's x with one line running
    /// through the group.
    pub fn decided_by(&self, key: ScenarioKey) -> bool {
        self.keys.contains(&key)
            && self
                .keys
                .iter()
                .filter(|&&other| other != key)
                .all(|&other| self.determines.contains(&(key, other)))
    }
}

impl Axis {
    /// The name `[plot] x`, `plot --x` and chart file names use.
    pub fn name(&self) -> &str {
        match self {
            Axis::Key(key) => key.name(),
            Axis::Group(group) => &group.name,
        }
    }

    /// The keys it spans.
    pub fn keys(&self) -> &[ScenarioKey] {
        match self {
            Axis::Key(key) => std::slice::from_ref(key),
            Axis::Group(group) => &group.keys,
        }
    }

    /// Whether it shares a key with `other`.
    pub fn overlaps(&self, other: &Axis) -> bool {
        self.keys().iter().any(|k| other.keys().contains(k))
    }

    /// The scenario's value as a number on a chart axis; `None` for words (a group is
    /// always words).
    pub fn number(&self, scenario: &Scenario) -> Option<f64> {
        match self {
            Axis::Key(key) => scenario.axis_value(*key),
            Axis::Group(_) => None,
        }
    }

    /// The scenario's value in words: `4`, `250ms`, `none` (no capacity), or a group's
    /// values joined (`4 × 1`), leaving out keys with no value (an unbounded queue's
    /// capacity).
    pub fn words(&self, scenario: &Scenario) -> String {
        let values: Vec<String> = self
            .keys()
            .iter()
            .map(|k| scenario.value_text(*k))
            .filter(|v| !v.is_empty())
            .collect();
        if values.is_empty() {
            "none".to_string()
        } else {
            values.join(GROUP_JOIN)
        }
    }
}

/// `axes` with the keys of each group after it: everything a chart may put on its x
/// axis or in panels.
pub fn with_group_keys<'a>(axes: impl IntoIterator<Item = &'a Axis>) -> Vec<Axis> {
    let mut all = Vec::new();
    for axis in axes {
        all.push(axis.clone());
        if let Axis::Group(group) = axis {
            all.extend(group.keys.iter().map(|k| Axis::Key(*k)));
        }
    }
    all
}

/// The keys of `axis`'s group that it decides, among the swept `axes`: with x =
/// consumers in a group where every point has its own consumers, one chart line runs
/// through the group and producers go along with it.
pub fn decided_in_group<'a>(
    axes: impl IntoIterator<Item = &'a Axis>,
    axis: &Axis,
) -> Vec<ScenarioKey> {
    let Axis::Key(key) = axis else {
        return Vec::new();
    };
    axes.into_iter()
        .find_map(|a| match a {
            Axis::Group(g) if g.decided_by(*key) => Some(g),
            _ => None,
        })
        .map(|g| g.keys.iter().copied().filter(|k| k != key).collect())
        .unwrap_or_default()
}

/// The keys `axis`'s values decide besides its own: those of its group
/// (`decided_in_group`), and the queue where it holds a capacity (`none` is the
/// unbounded one).
pub fn decided_with<'a>(axes: impl IntoIterator<Item = &'a Axis>, axis: &Axis) -> Vec<ScenarioKey> {
    let mut decided = decided_in_group(axes, axis);
    if axis.keys().contains(&ScenarioKey::Capacity) {
        decided.push(ScenarioKey::Queue);
    }
    decided
}

/// Where one of x and the facet decides a key of the other (`capacity` and `queue`):
/// which decides (x or the facet) and the key decided. Each panel would then hold one
/// value of x, or x one of each panel's, and the rest of the chart stand empty.
pub fn decides_the_other<'a>(
    axes: &[Axis],
    x: &'a Axis,
    facet: &'a Axis,
) -> Option<(&'a Axis, ScenarioKey)> {
    // Tied within a group (`Group::determines`), or a capacity's queue.
    let tied = |by: &Axis| {
        let mut keys = decided_with(axes, by);
        for axis in axes {
            if let Axis::Group(g) = axis {
                keys.extend(
                    g.determines
                        .iter()
                        .filter(|(a, _)| by.keys() == [*a])
                        .map(|(_, b)| *b),
                );
            }
        }
        keys
    };
    let decided = |by: &Axis, of: &Axis| tied(by).into_iter().find(|k| of.keys().contains(k));
    decided(facet, x)
        .map(|key| (facet, key))
        .or_else(|| decided(x, facet).map(|key| (x, key)))
}
