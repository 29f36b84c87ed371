//! Timelines of one run: what every thread did and when, recorded by the runner's threads
//! and by the model alike, so the two can be set side by side.
//!
//! Owns the event vocabulary, the per-thread recorders (a no-op one, so a run without
//! `--trace` is compiled without any recording at all), the cap on events per run and
//! the options of `--trace`. Writing files is `output`'s (`trace_json`, `chart::timeline`).

mod timeline;

use std::time::Duration;

use crate::scenario::duration::parse_duration;
use crate::scenario::{ConsumerStyle, Scenario};

pub use timeline::{Flow, Span, SpanKind, Timeline};

/// Most events one run records, over all its threads (24 bytes each: 24 MB at most).
/// Each thread gets an equal share, allocated before the run starts; a thread that has
/// used its share records nothing more, and the outputs say from when.
pub const EVENT_CAP: usize = 1_000_000;

/// The item number of an event about no item (an empty poll, a producer done).
pub const NO_ITEM: u64 = u64::MAX;

/// What a thread did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum What {
    /// A producer called put with the item.
    PutCalled,
    /// The put found the queue full (or a rendezvous with nobody taking): it blocks.
    PutBlocked,
    /// The put returned: the item is on the queue (or handed over).
    PutReturned,
    /// A consumer took the item.
    Take,
    /// A poll found the queue empty.
    EmptyPoll,
    /// A consumer starts the item's consume time (blocking: its work; polling: the wait
    /// until its next poll, which is its work too).
    WorkStart,
    WorkEnd,
    /// A producer has spent the produce time after its last put.
    Done,
}

/// One thing one thread did: when (nanoseconds from the run's start), what, and to which
/// item (`NO_ITEM` if none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub ns: u64,
    pub item: u64,
    pub what: What,
}

/// Which thread a track is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Producer,
    Consumer,
}

/// Records one thread's events. Its methods take the clock as a closure, so a recorder
/// that records nothing reads no clock either.
pub trait Recorder: Send {
    /// Whether it records: a constant, so code only a trace needs is compiled away.
    const ON: bool;
    fn record(&mut self, what: What, item: u64, now_ns: impl FnOnce() -> u64);
}

/// The recorder of a run without `--trace`: zero-sized, every call compiled away.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoTrace;

impl Recorder for NoTrace {
    const ON: bool = false;
    #[inline(always)]
    fn record(&mut self, _: What, _: u64, _: impl FnOnce() -> u64) {}
}

/// One thread's events, in a buffer allocated up front: recording never allocates.
#[derive(Clone, Debug, PartialEq)]
pub struct Track {
    pub role: Role,
    /// Producer or consumer number, from 0.
    pub number: u32,
    pub events: Vec<Event>,
    /// When the first event that found the buffer full happened: nothing after it was
    /// recorded on this thread.
    pub stopped_at_ns: Option<u64>,
}

impl Track {
    /// A track with room for `cap` events, allocated and written once now: the kernel
    /// maps a page when it is first touched, which would otherwise happen mid-run.
    pub fn with_cap(role: Role, number: u32, cap: usize) -> Self {
        let blank = Event {
            ns: 0,
            item: NO_ITEM,
            what: What::Done,
        };
        let mut events = Vec::with_capacity(cap);
        events.resize(cap, blank);
        events.clear();
        Track {
            role,
            number,
            events,
            stopped_at_ns: None,
        }
    }

    /// `producer 3`, `consumer 0`.
    pub fn name(&self) -> String {
        let role = match self.role {
            Role::Producer => "producer",
            Role::Consumer => "consumer",
        };
        format!("{role} {}", self.number)
    }
}

impl Recorder for Track {
    const ON: bool = true;
    #[inline]
    fn record(&mut self, what: What, item: u64, now_ns: impl FnOnce() -> u64) {
        // `len < capacity` keeps `push` from ever reallocating.
        if self.events.len() < self.events.capacity() {
            self.events.push(Event {
                ns: now_ns(),
                item,
                what,
            });
        } else if self.stopped_at_ns.is_none() {
            self.stopped_at_ns = Some(now_ns());
        }
    }
}

/// Each thread's share of `EVENT_CAP` in a run of `threads` threads.
pub fn cap_per_thread(threads: u64) -> usize {
    EVENT_CAP / usize::try_from(threads.max(1)).unwrap_or(usize::MAX)
}

/// Empty tracks for every thread of `scenario`, producers first, each with its share of
/// the cap allocated, or less where the thread cannot record more: a producer records at
/// most 3 events an item and its end, a blocking consumer 3 an item (a polling one also
/// its empty polls, which nothing bounds).
pub fn tracks_for(scenario: &Scenario) -> (Vec<Track>, Vec<Track>) {
    let share = cap_per_thread(scenario.threads());
    let at_most = |events: u64| usize::try_from(events).map_or(share, |n| n.min(share));
    let producer = at_most(
        scenario
            .items_per_producer
            .saturating_mul(3)
            .saturating_add(1),
    );
    let consumer = match scenario.consumer {
        ConsumerStyle::Block => at_most(scenario.total_items().saturating_mul(3)),
        ConsumerStyle::Poll => share,
    };
    let producers = (0..scenario.producers)
        .map(|p| Track::with_cap(Role::Producer, p, producer))
        .collect();
    let consumers = (0..scenario.consumers)
        .map(|c| Track::with_cap(Role::Consumer, c, consumer))
        .collect();
    (producers, consumers)
}

/// Everything one run recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// Producers first, then consumers, each in number order.
    pub tracks: Vec<Track>,
    /// When the run ended (all producers done, every item counted): what threads did
    /// after it (being stopped) is not part of the run.
    pub end_ns: u64,
}

impl Trace {
    /// The earliest time a thread stopped recording, if any did.
    pub fn stopped_at_ns(&self) -> Option<u64> {
        self.tracks.iter().filter_map(|t| t.stopped_at_ns).min()
    }

    /// Events recorded over all tracks.
    pub fn events(&self) -> usize {
        self.tracks.iter().map(|t| t.events.len()).sum()
    }

    /// Drops what threads did after the run ended: they were being stopped, which the
    /// model does not model.
    pub fn trim_to_end(&mut self) {
        let end = self.end_ns;
        for track in &mut self.tracks {
            track.events.retain(|e| e.ns <= end);
        }
    }
}

/// What `--trace` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceOptions {
    /// The repeat traced, from 1.
    pub repeat: u32,
    /// The interval the timeline chart shows, in the run's own time (after time_scale).
    pub window: Option<Window>,
}

impl Default for TraceOptions {
    fn default() -> Self {
        TraceOptions {
            repeat: 1,
            window: None,
        }
    }
}

/// An interval of a run, from `start` to `end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: Duration,
    pub end: Duration,
}

/// Parses `START..END` with durations in the experiment file's grammar (`2s..3.5s`).
pub fn parse_window(text: &str) -> Result<Window, String> {
    let rule = "write START..END, two durations such as 2s..3.5s, START before END";
    let Some((start, end)) = text.split_once("..") else {
        return Err(format!("`{text}` is not a window: {rule}"));
    };
    let start = parse_duration(start).map_err(|e| format!("window start: {e}"))?;
    let end = parse_duration(end).map_err(|e| format!("window end: {e}"))?;
    if start >= end {
        return Err(format!(
            "`{text}` is not a window: its start is not before its end; {rule}"
        ));
    }
    Ok(Window { start, end })
}

/// Refuses a traced repeat the experiment does not make.
pub fn check_repeat(options: &TraceOptions, repeats: u32, file: &str) -> Result<(), String> {
    if options.repeat == 0 || options.repeat > repeats {
        return Err(format!(
            "{file}: --trace-repeat {} is not a repeat of this experiment: give 1 to {repeats}",
            options.repeat
        ));
    }
    Ok(())
}

/// A file name for scenario `scenario`: its number and label, with anything but letters,
/// digits, `-`, `.` and `=` made `_` (so no `/`, no spaces), at most 100 characters.
pub fn file_stem(scenario: &Scenario) -> String {
    let label: String = scenario
        .label
        .chars()
        .map(|c| if kept_in_file_names(c) { c } else { '_' })
        .take(LABEL_CHARS)
        .collect();
    format!("{:03}_{label}", scenario.index + 1)
}

/// Most characters of a label in a file name.
const LABEL_CHARS: usize = 90;

/// Whether a label's character stays as it is in a file name (others become `_`).
fn kept_in_file_names(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-.=".contains(c)
}

/// The name of `scenario`'s trace file in `trace/`: `NNN_LABEL.json`.
pub fn json_name(scenario: &Scenario) -> String {
    format!("{}.json", file_stem(scenario))
}

/// The name of `scenario`'s timeline chart in `trace/`, in the format of `extension`:
/// `timeline_NNN_LABEL.EXT`.
pub fn timeline_name(scenario: &Scenario, extension: &str) -> String {
    format!("timeline_{}.{extension}", file_stem(scenario))
}

/// The `file_stem` in a name `json_name` or `timeline_name` gives (as PNG or SVG), if
/// `name` is one `file_stem` could have made: a scenario number from 1, written as it
/// writes it, and a label of its alphabet. How a trace file left by another experiment is
/// known; a person's file of another name (`999_my notes.json`, `000_x.json`) is not one.
pub fn stem_of(name: &str) -> Option<&str> {
    let stem = match name.strip_prefix("timeline_") {
        Some(rest) => rest
            .strip_suffix(".png")
            .or_else(|| rest.strip_suffix(".svg"))?,
        None => name.strip_suffix(".json")?,
    };
    let (number, label) = stem.split_once('_')?;
    let as_written = number
        .parse::<u64>()
        .is_ok_and(|n| n >= 1 && format!("{n:03}") == number);
    let label_chars = label.chars().count();
    let label_ok = (1..=LABEL_CHARS).contains(&label_chars)
        && label.chars().all(|c| c == '_' || kept_in_file_names(c));
    (as_written && label_ok).then_some(stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_trace_files_are_named_as_traces() {
        assert_eq!(stem_of("001_consumers=1.json"), Some("001_consumers=1"));
        assert_eq!(stem_of("timeline_012_all.svg"), Some("012_all"));
        assert_eq!(stem_of("timeline_012_all.png"), Some("012_all"));
        assert_eq!(stem_of("1234_x.json"), Some("1234_x"));
        for other in [
            "notes.json",
            "01_x.json",
            "001_.json",
            "timeline_001_x.pdf",
            "001_x.csv",
            "000_x.json",
            "0001_x.json",
            "+01_x.json",
            "999_my notes.json",
            "001_ü.json",
            "timeline_042_draft (copy).png",
        ] {
            assert_eq!(stem_of(other), None, "{other}");
        }
    }

    #[test]
    fn a_full_track_stops_recording_and_says_when() {
        let mut track = Track::with_cap(Role::Consumer, 0, 2);
        for ns in 0..5 {
            track.record(What::Take, ns, || ns * 10);
        }
        assert_eq!(track.events.len(), 2);
        assert_eq!(track.events.capacity(), 2, "never grown");
        assert_eq!(track.stopped_at_ns, Some(20));
        assert_eq!(track.name(), "consumer 0");
    }

    #[test]
    fn windows_parse_in_the_experiment_grammar() {
        let w = parse_window("2s..3500ms").expect("valid");
        assert_eq!(
            (w.start, w.end),
            (Duration::from_secs(2), Duration::from_millis(3500))
        );
        for bad in ["2s", "3s..2s", "1s..1s", "2..3s", "a..b", "1s..2 s"] {
            assert!(parse_window(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn file_stems_are_safe_names() {
        let mut scenario = crate::experiment::parse(
            std::path::Path::new("t.toml"),
            "[scenario]\nproducers = 1\nconsumers = 1\nitems_per_producer = 1\n",
        )
        .expect("valid")
        .scenarios[0]
            .clone();
        scenario.index = 11;
        scenario.label = "queue=bounded/4, work=spin ../x".to_string();
        let stem = file_stem(&scenario);
        assert_eq!(stem, "012_queue=bounded_4__work=spin_.._x");
        assert!(!stem.contains('/') && !stem.contains(' '));
    }

    #[test]
    fn a_traced_repeat_must_be_made() {
        let options = |repeat| TraceOptions {
            repeat,
            window: None,
        };
        assert!(check_repeat(&options(1), 3, "f").is_ok());
        assert!(check_repeat(&options(3), 3, "f").is_ok());
        assert!(check_repeat(&options(4), 3, "f").is_err());
        assert!(check_repeat(&options(0), 3, "f").is_err());
    }
}
