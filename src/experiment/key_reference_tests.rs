//! Every key is told the same way everywhere: its help (which `new`, the schema and
//! `--help` show) names each word it takes, and README's key reference names every key,
//! each of its words, and the default and range the key table gives.

use super::format::{PlotKey, ReportKey};
use crate::scenario::{Accepts, KeySpec, ScenarioKey};
use crate::settings::Setting;

/// Every key of the file by table (`""` the top), as the key tables hold them.
fn tables() -> Vec<(&'static str, Vec<KeySpec>)> {
    vec![
        ("", Setting::ALL.iter().map(|s| s.spec()).collect()),
        (
            "scenario",
            ScenarioKey::ALL.iter().map(|k| k.spec()).collect(),
        ),
        ("plot", PlotKey::ALL.iter().map(|k| k.spec()).collect()),
        ("report", ReportKey::ALL.iter().map(|k| k.spec()).collect()),
    ]
}

fn words(accepts: Accepts) -> &'static [&'static str] {
    match accepts {
        Accepts::Words(words) | Accepts::WordList(words) => words,
        _ => &[],
    }
}

#[test]
fn each_key_s_help_names_every_word_it_takes() {
    for (_, specs) in tables() {
        for spec in specs {
            let help = spec.help_line();
            for word in words(spec.accepts) {
                assert!(
                    help.contains(&format!("\"{word}\"")),
                    "`{}`'s help leaves out \"{word}\": {help}",
                    spec.name
                );
            }
        }
    }
}

/// README's reference block: its lines under each `[table]`, comments and all.
fn readme_tables() -> Vec<(String, Vec<String>)> {
    let readme = include_str!("../../README.md");
    let block = readme
        .split("```toml\nname = ")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("README's key reference opens with `name = `");
    let mut tables = vec![(String::new(), Vec::new())];
    for line in format!("name = {block}").lines() {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            tables.push((name.to_string(), Vec::new()));
        } else if let Some((_, lines)) = tables.last_mut() {
            lines.push(line.to_string());
        }
    }
    tables
}

/// A default as a value, so `1.0` and `1` are one default.
fn value(text: &str) -> toml::Value {
    let parsed: toml::Table = toml::from_str(&format!("v = {text}")).expect("a TOML value");
    match &parsed["v"] {
        toml::Value::Integer(n) => toml::Value::Float(*n as f64),
        other => other.clone(),
    }
}

#[test]
fn readme_s_key_reference_names_every_key_its_words_and_its_default() {
    let readme = readme_tables();
    for (table, specs) in tables() {
        let (_, lines) = readme
            .iter()
            .find(|(name, _)| name == table)
            .unwrap_or_else(|| panic!("README's key reference has no [{table}]"));
        for spec in specs {
            let written = format!("{} = ", spec.name);
            let line = lines
                .iter()
                .find(|l| l.trim_start_matches("# ").starts_with(&written))
                .unwrap_or_else(|| panic!("README's [{table}] leaves out `{}`", spec.name));
            for word in words(spec.accepts) {
                assert!(
                    line.contains(word),
                    "README's `{}` leaves out {word}",
                    spec.name
                );
            }
            // A default is told, or is the value the line sets.
            if let Some(default) = spec.default {
                let set = line.split_once(" = ").map_or("", |(_, v)| v);
                let said = match line.split_once("default ") {
                    Some((_, said)) => said.trim_end_matches(')'),
                    None => set.split(" #").next().unwrap_or(""),
                };
                let said = said.trim();
                assert_eq!(
                    value(said),
                    value(default),
                    "README's default of `{}`",
                    spec.name
                );
            }
            if let Accepts::Count { min, max } = spec.accepts {
                let range = line
                    .split_whitespace()
                    .find(|w| w.contains(".."))
                    .unwrap_or_else(|| panic!("README's `{}` gives no range", spec.name));
                let range = range.trim_matches(|c| "(),;:".contains(c));
                let (low, high) = range.split_once("..").expect("a range");
                let high: f64 = high.parse().expect("a number");
                assert_eq!(
                    (low.parse::<u64>().ok(), high),
                    (Some(min), max as f64),
                    "README's range of `{}`",
                    spec.name
                );
            }
        }
    }
}

/// The starter's comment shows each distribution as a file writes it: every one of them,
/// each accepted as written.
#[test]
fn the_starter_s_distribution_examples_are_every_distribution_and_valid() {
    let starter = super::format::starter("x");
    let comment = starter
        .lines()
        .skip_while(|l| !l.starts_with("# Durations:"))
        .take(2)
        .collect::<Vec<_>>()
        .join("\n");
    let examples: Vec<&str> = comment
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split('}').next())
        .collect();
    let named: Vec<&str> = crate::scenario::Dist::NAMES
        .iter()
        .copied()
        .filter(|d| examples.iter().any(|e| e.contains(&format!("\"{d}\""))))
        .collect();
    assert_eq!(named, crate::scenario::Dist::NAMES, "{comment}");
    for example in examples {
        let file = format!("[scenario]\nconsume_time = {{{example}}}\n");
        let parsed = super::parse(std::path::Path::new("x.toml"), &file);
        assert!(parsed.is_ok(), "{example}: {:?}", parsed.err());
    }
}
