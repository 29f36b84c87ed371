//! A trace read as a timeline: the spans each thread spent putting, producing, working or
//! waiting, its empty polls, each item's path from put to take, and the queue's depth.
//!
//! Owns only this reading of the events, which the trace file and the timeline chart
//! share; neither draws nor writes here.

use std::collections::HashMap;

use super::{Role, Trace, What};

/// What a thread spent a span of time on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpanKind {
    /// A put from its call to its return, that did not block.
    Put,
    /// A put that blocked on a full queue (or a rendezvous), until it returned.
    Blocked,
    /// A producer's produce time after a put (a sleep or a spin).
    Produce,
    /// A consumer's consume time for an item.
    Work,
    /// A polling consumer waiting for its next poll after finding the queue empty.
    PollWait,
    /// A blocking consumer waiting for an item.
    Idle,
}

impl SpanKind {
    pub fn name(self) -> &'static str {
        match self {
            SpanKind::Put => "put",
            SpanKind::Blocked => "blocked put",
            SpanKind::Produce => "produce",
            SpanKind::Work => "work",
            SpanKind::PollWait => "wait for next poll",
            SpanKind::Idle => "wait for an item",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Span {
    /// Index into `Trace::tracks`.
    pub track: usize,
    pub kind: SpanKind,
    pub start_ns: u64,
    pub end_ns: u64,
    /// The item, for puts and work.
    pub item: Option<u64>,
}

/// One item from its producer to its consumer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Flow {
    pub item: u64,
    pub put_track: usize,
    pub put_called_ns: u64,
    pub put_returned_ns: u64,
    pub take_track: usize,
    pub take_ns: u64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timeline {
    pub spans: Vec<Span>,
    /// `(track, ns)` of every empty poll.
    pub empty_polls: Vec<(usize, u64)>,
    /// Items whose put and take were both recorded, in order of take.
    pub flows: Vec<Flow>,
    /// The queue's depth after each change, `(ns, items)`, up to where recording stopped.
    pub depth: Vec<(u64, i64)>,
}

impl Timeline {
    pub fn of(trace: &Trace) -> Self {
        let mut timeline = Timeline::default();
        let mut puts: HashMap<u64, (usize, u64, u64)> = HashMap::new();
        let mut takes: Vec<(u64, usize, u64)> = Vec::new();
        for (index, track) in trace.tracks.iter().enumerate() {
            let mut span = |kind, start_ns, end_ns, item| {
                timeline.spans.push(Span {
                    track: index,
                    kind,
                    start_ns,
                    end_ns,
                    item,
                })
            };
            // The open span: what the thread is doing since when.
            let mut open: Option<(SpanKind, u64, Option<u64>)> = None;
            for event in &track.events {
                let t = event.ns;
                let item = Some(event.item);
                match (track.role, event.what) {
                    (Role::Producer, What::PutCalled) => {
                        if let Some((kind, start, item)) = open.take() {
                            span(kind, start, t, item);
                        }
                        open = Some((SpanKind::Put, t, item));
                    }
                    (Role::Producer, What::PutBlocked) => {
                        if let Some((_, start, item)) = open {
                            open = Some((SpanKind::Blocked, start, item));
                        }
                    }
                    (Role::Producer, What::PutReturned) => {
                        let called = match open.take() {
                            Some((kind, start, item)) => {
                                span(kind, start, t, item);
                                start
                            }
                            None => t,
                        };
                        puts.insert(event.item, (index, called, t));
                        open = Some((SpanKind::Produce, t, None));
                    }
                    (Role::Producer, What::Done) => {
                        if let Some((kind, start, item)) = open.take() {
                            span(kind, start, t, item);
                        }
                    }
                    (Role::Consumer, What::Take) => {
                        if let Some((kind, start, item)) = open.take() {
                            span(kind, start, t, item);
                        }
                        takes.push((event.item, index, t));
                    }
                    (Role::Consumer, What::WorkStart) => open = Some((SpanKind::Work, t, item)),
                    (Role::Consumer, What::WorkEnd) => {
                        if let Some((kind, start, item)) = open.take() {
                            span(kind, start, t, item);
                        }
                        open = Some((SpanKind::Idle, t, None));
                    }
                    (Role::Consumer, What::EmptyPoll) => {
                        if let Some((kind, start, item)) = open.take() {
                            span(kind, start, t, item);
                        }
                        timeline.empty_polls.push((index, t));
                        open = Some((SpanKind::PollWait, t, None));
                    }
                    _ => {}
                }
            }
            // A span still open at the end lasts until the run's end, or until the
            // thread stopped recording.
            if let Some((kind, start, item)) = open {
                let end = track.stopped_at_ns.unwrap_or(trace.end_ns).max(start);
                span(kind, start, end, item);
            }
        }
        timeline
            .spans
            .retain(|s| s.end_ns > s.start_ns || s.kind != SpanKind::Idle);
        takes.sort_by_key(|&(_, _, t)| t);
        let mut changes: Vec<(u64, i64)> = Vec::new();
        for &(item, take_track, take_ns) in &takes {
            if let Some(&(put_track, called, returned)) = puts.get(&item) {
                timeline.flows.push(Flow {
                    item,
                    put_track,
                    put_called_ns: called,
                    put_returned_ns: returned,
                    take_track,
                    take_ns,
                });
            }
        }
        changes.extend(puts.values().map(|&(_, _, returned)| (returned, 1)));
        changes.extend(takes.iter().map(|&(_, _, t)| (t, -1)));
        // Puts before takes at one instant, as the model orders them.
        changes.sort_by_key(|&(t, change)| (t, -change));
        // At and after the first moment a thread stopped recording, puts or takes are
        // missing: the depth is known only before it.
        let until = trace.stopped_at_ns().unwrap_or(u64::MAX);
        let mut depth = 0;
        timeline.depth.push((0, 0));
        for (t, change) in changes.into_iter().filter(|&(t, _)| t < until) {
            depth += change;
            match timeline.depth.last_mut() {
                Some(last) if last.0 == t => last.1 = depth,
                _ => timeline.depth.push((t, depth)),
            }
        }
        timeline
    }
}
