//! `summary.json`: the summary for other tools, one object per scenario with every run's
//! time, after hyperfine's JSON export.

use serde_json::{Map, Value, json};

use std::collections::HashMap;

use super::{Output, RenderError, Results, json_bytes};
use crate::record::{RunRecord, by_scenario};
use crate::scenario::ScenarioKey;

pub struct SummaryJson;

impl Output for SummaryJson {
    fn file_name(&self, _: &Results) -> String {
        "summary.json".to_string()
    }

    fn render(&self, results: &Results) -> Result<Vec<u8>, RenderError> {
        let e = results.experiment;
        let runs: HashMap<usize, Vec<&RunRecord>> = by_scenario(results.runs).into_iter().collect();
        let scenarios: Vec<Value> = results
            .summaries
            .iter()
            .map(|s| scenario(results, s, runs.get(&s.scenario).map_or(&[], Vec::as_slice)))
            .collect();
        let document = json!({
            "experiment": e.name,
            "source": results.source.name(),
            "time_scale": e.time_scale,
            "seed": e.seed,
            "results": scenarios,
        });
        json_bytes(&document)
    }
}

/// A number, or null where there is none (JSON has no NaN).
fn number(value: f64) -> Value {
    serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
}

/// Summary `s` as an object, with `runs`, its scenario's runs in repeat order.
fn scenario(results: &Results, s: &crate::stats::Summary, runs: &[&RunRecord]) -> Value {
    let scenario = &results.experiment.scenarios[s.scenario];
    let parameters: Map<String, Value> = ScenarioKey::ALL
        .iter()
        .map(|k| (k.name().to_string(), Value::from(scenario.value_text(*k))))
        .collect();
    let e = &s.elapsed_s;
    json!({
        "scenario": scenario.label,
        "parameters": parameters,
        "runs": s.runs,
        "median": number(e.median),
        "median_interval": [number(s.median_interval_s.0), number(s.median_interval_s.1)],
        "mean": number(e.mean),
        "mean_interval": [number(s.mean_interval_s.0), number(s.mean_interval_s.1)],
        "stddev": number(e.sd),
        "min": number(e.min),
        "max": number(e.max),
        "times": runs.iter().map(|r| number(r.elapsed_s)).collect::<Vec<_>>(),
        "outliers": s.outliers.iter().map(|o| number(*o)).collect::<Vec<_>>(),
        "throughput_median_per_s": number(s.throughput_per_s.median),
        "predicted": number(s.predicted_s),
        "error_pct": number(s.error_pct),
        "speedup": number(s.speedup),
        "efficiency": number(s.efficiency),
        "scaling": scaling(s),
        "queue": queue(s),
        "theory": super::theory::json(s),
    })
}

/// Each queue metric measured beside the model: `{ "wait_p99_s": { "measured": ..,
/// "predicted": .., "error_pct": .. }, ... }`.
fn queue(s: &crate::stats::Summary) -> Value {
    let metrics: Map<String, Value> = s
        .queue
        .iter()
        .map(|(metric, p)| {
            let paired = json!({
                "measured": number(p.measured),
                "predicted": number(p.predicted),
                "error_pct": number(p.error_pct),
            });
            (metric.name().to_string(), paired)
        })
        .collect();
    Value::Object(metrics)
}

/// The line's USL fit: null where none was asked for, `"fit": null` where too few points.
fn scaling(s: &crate::stats::Summary) -> Value {
    let Some(scaling) = s.scaling else {
        return Value::Null;
    };
    let fit = scaling.usl.map(|usl| {
        json!({
            "throughput_1_per_s": number(usl.x1),
            "sigma": number(usl.sigma),
            "kappa": number(usl.kappa),
            "peak_consumers": usl.peak().map(number),
            "r2": number(usl.r2),
        })
    });
    json!({ "points": scaling.points, "in_fit": scaling.in_fit, "fit": fit })
}
