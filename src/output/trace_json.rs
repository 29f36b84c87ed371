//! `trace/SCENARIO.json`: one traced run in the Chrome Trace Event format, which Perfetto
//! (ui.perfetto.dev) and chrome://tracing open. The threads' run and the model's replay
//! of the same draws are two processes of one file; each thread is a named track, with
//! complete ("X") slices for puts, produce times, work and waits, a flow arrow ("s" to
//! "f") from each item's put to its take, instants ("i") for empty polls and a counter
//! ("C") of the queue's depth. Timestamps are microseconds from the run's start.
//!
//! Owns this file and `write_traces`, which writes every traced scenario's files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use super::chart::TimelineChart;
use super::{Output, OutputError, RenderError, Results, write_outputs};
use crate::experiment::ChartFormat;
use crate::scenario::Scenario;
use crate::trace::{EVENT_CAP, Trace, TraceOptions, json_name};

/// The folder of trace files inside a results folder.
pub const TRACE_DIR: &str = "trace";

/// One scenario's traced run: the threads' (absent for `simulate`) and the model's.
#[derive(Clone, Debug)]
pub struct Traced {
    pub scenario: Scenario,
    pub repeat: u32,
    pub run_seed: u64,
    pub measured: Option<Trace>,
    pub model: Option<Trace>,
}

impl Traced {
    /// The sides present, with their process id and name.
    pub fn sides(&self) -> Vec<(u32, &'static str, &Trace)> {
        let mut sides = Vec::new();
        if let Some(trace) = &self.measured {
            sides.push((1, "measured (threads)", trace));
        }
        if let Some(trace) = &self.model {
            sides.push((2, "model", trace));
        }
        sides
    }
}

pub struct TraceJson(pub Arc<Traced>);

/// One Trace Event; absent fields are left out, as the format allows.
#[derive(Serialize)]
struct Event<'a> {
    name: &'a str,
    ph: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    cat: Option<&'static str>,
    ts: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    dur: Option<f64>,
    pid: u32,
    tid: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bp: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    s: Option<&'static str>,
    #[serde(skip_serializing_if = "Args::is_empty")]
    args: Args<'a>,
}

#[derive(Default, Serialize)]
struct Args<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sort_index: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    item: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    items: Option<i64>,
}

impl Args<'_> {
    fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.sort_index.is_none()
            && self.item.is_none()
            && self.items.is_none()
    }
}

/// The `traceEvents` array, written event by event as they are made: a run at the cap
/// makes a few million events, which as values would take several times the file's size.
struct Events {
    bytes: Vec<u8>,
    first: bool,
    error: Option<String>,
}

impl Events {
    fn new() -> Self {
        Events {
            bytes: b"{\"traceEvents\":[".to_vec(),
            first: true,
            error: None,
        }
    }

    fn push(&mut self, event: Event) {
        if !self.first {
            self.bytes.push(b',');
        }
        self.first = false;
        if let Err(e) = serde_json::to_writer(&mut self.bytes, &event) {
            self.error.get_or_insert(e.to_string());
        }
    }

    /// Closes the array and adds the file's other keys.
    fn finish(mut self, other: &OtherData) -> Result<Vec<u8>, RenderError> {
        if let Some(error) = self.error {
            return Err(RenderError(error));
        }
        self.bytes
            .extend_from_slice(b"],\"displayTimeUnit\":\"ms\",\"otherData\":");
        serde_json::to_writer(&mut self.bytes, other).map_err(|e| RenderError(e.to_string()))?;
        self.bytes.extend_from_slice(b"}\n");
        Ok(self.bytes)
    }
}

#[derive(Serialize)]
struct OtherData {
    scenario: String,
    repeat: u32,
    run_seed: u64,
    event_cap_per_run: usize,
    /// Per side: where recording stopped at the cap, in µs, or why nothing is missing.
    recording: Vec<String>,
}

fn us(ns: u64) -> f64 {
    ns as f64 / 1e3
}

impl Output for TraceJson {
    fn file_name(&self, _: &Results) -> String {
        format!("{TRACE_DIR}/{}", json_name(&self.0.scenario))
    }

    fn render(&self, _: &Results) -> Result<Vec<u8>, RenderError> {
        let traced = &self.0;
        let mut events = Events::new();
        let mut recording = Vec::new();
        let event = |name, ph, pid, tid, ts| Event {
            name,
            ph,
            cat: None,
            ts,
            dur: None,
            pid,
            tid,
            id: None,
            bp: None,
            s: None,
            args: Args::default(),
        };
        for (pid, process, trace) in traced.sides() {
            let timeline = crate::trace::Timeline::of(trace);
            recording.push(match trace.stopped_at_ns() {
                Some(ns) => format!(
                    "{process}: recording stopped at {} µs, when a thread reached its share of the {EVENT_CAP}-event cap",
                    us(ns)
                ),
                None => format!("{process}: every event recorded ({} events)", trace.events()),
            });
            events.push(Event {
                args: Args {
                    name: Some(process),
                    ..Args::default()
                },
                ..event("process_name", "M", pid, 0, 0.0)
            });
            for (index, track) in trace.tracks.iter().enumerate() {
                let tid = index as u32 + 1;
                let name = track.name();
                events.push(Event {
                    args: Args {
                        name: Some(&name),
                        ..Args::default()
                    },
                    ..event("thread_name", "M", pid, tid, 0.0)
                });
                events.push(Event {
                    args: Args {
                        sort_index: Some(tid.into()),
                        ..Args::default()
                    },
                    ..event("thread_sort_index", "M", pid, tid, 0.0)
                });
            }
            for span in &timeline.spans {
                events.push(Event {
                    cat: Some("thread"),
                    dur: Some(us(span.end_ns.saturating_sub(span.start_ns))),
                    args: Args {
                        item: span.item.filter(|i| *i != crate::trace::NO_ITEM),
                        ..Args::default()
                    },
                    ..event(
                        span.kind.name(),
                        "X",
                        pid,
                        span.track as u32 + 1,
                        us(span.start_ns),
                    )
                });
            }
            for &(track, ns) in &timeline.empty_polls {
                events.push(Event {
                    cat: Some("thread"),
                    s: Some("t"),
                    ..event("empty poll", "i", pid, track as u32 + 1, us(ns))
                });
            }
            for flow in &timeline.flows {
                // Measured and model items share numbers: the side tells their ids apart.
                let id = Some(flow.item.wrapping_mul(2) + u64::from(pid - 1));
                events.push(Event {
                    cat: Some("item"),
                    id,
                    args: Args {
                        item: Some(flow.item),
                        ..Args::default()
                    },
                    ..event(
                        "item",
                        "s",
                        pid,
                        flow.put_track as u32 + 1,
                        us(flow.put_called_ns),
                    )
                });
                events.push(Event {
                    cat: Some("item"),
                    id,
                    bp: Some("e"),
                    args: Args {
                        item: Some(flow.item),
                        ..Args::default()
                    },
                    ..event(
                        "item",
                        "f",
                        pid,
                        flow.take_track as u32 + 1,
                        us(flow.take_ns),
                    )
                });
            }
            // One value a microsecond (the last), the file's resolution: at zero time
            // thousands of changes fall within one.
            let mut depths = timeline.depth.iter().peekable();
            while let Some(&(ns, depth)) = depths.next() {
                if depths.peek().is_some_and(|next| next.0 / 1000 == ns / 1000) {
                    continue;
                }
                events.push(Event {
                    args: Args {
                        items: Some(depth),
                        ..Args::default()
                    },
                    ..event("queue depth", "C", pid, 0, us(ns))
                });
            }
            if let Some(ns) = trace.stopped_at_ns() {
                events.push(Event {
                    s: Some("p"),
                    ..event("recording stopped (event cap)", "i", pid, 0, us(ns))
                });
            }
        }
        events.finish(&OtherData {
            scenario: traced.scenario.to_string(),
            repeat: traced.repeat,
            run_seed: traced.run_seed,
            event_cap_per_run: EVENT_CAP,
            recording,
        })
    }
}

/// Writes each traced scenario's `trace/SCENARIO.json` and its timeline charts (in
/// `formats`) into `dir`; returns the paths written.
pub fn write_traces(
    dir: &Path,
    results: &Results,
    traced: Vec<Traced>,
    formats: &[ChartFormat],
    options: &TraceOptions,
) -> Result<Vec<PathBuf>, OutputError> {
    let folder = dir.join(TRACE_DIR);
    std::fs::create_dir_all(&folder).map_err(|error| OutputError::Write {
        path: folder.clone(),
        error,
    })?;
    let mut outputs: Vec<Box<dyn Output>> = Vec::new();
    for traced in traced {
        let traced = Arc::new(traced);
        outputs.push(Box::new(TraceJson(Arc::clone(&traced))));
        for format in formats {
            outputs.push(Box::new(TimelineChart {
                traced: Arc::clone(&traced),
                format: *format,
                window: options.window,
            }));
        }
    }
    write_outputs(dir, results, &outputs)
}
