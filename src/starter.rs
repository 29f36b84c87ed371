//! `queuelab new`: writes a starter experiment a person edits, never over an existing one.
//!
//! Owns choosing the text (the format's starter, or a copy of another experiment under a
//! new name) and creating the file. The text comes from `experiment::format`.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::experiment::{self, format, schema};
use crate::pipeline::Failure;
use crate::settings::{NAME_RULE, is_plain_name};

/// Writes `dir/NAME.toml` (and the schema beside it if missing); returns what was done.
pub fn new_experiment(name: &str, from: Option<&Path>, dir: &Path) -> Result<String, Failure> {
    if !is_plain_name(name) {
        return Err(Failure::BadInput(format!(
            "`{name}` is not an experiment name: use {NAME_RULE}"
        )));
    }
    let path = dir.join(format!("{name}.toml"));
    if path.exists() {
        return Err(Failure::BadInput(format!(
            "{} exists already; `new` never overwrites an experiment: choose another name",
            path.display()
        )));
    }
    let text = match from {
        Some(from) => renamed_copy(&source_path(from, dir), name)?,
        None => format::starter(name),
    };
    if let Err(errors) = experiment::parse(&path, &text) {
        let detail: Vec<String> = errors.iter().map(ToString::to_string).collect();
        return Err(Failure::Failed(format!(
            "the new experiment would not be valid:\n{}",
            detail.join("")
        )));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::Failed(format!("cannot create {}: {e}", dir.display())))?;
    create_new(&path, &text)?;
    let mut said = format!("wrote {}\n", path.display());
    let schema_path = dir.join("experiment.schema.json");
    if !schema_path.exists() && create_new(&schema_path, &schema::schema_text()).is_ok() {
        said.push_str(&format!(
            "wrote {} (editors read it for completion)\n",
            schema_path.display()
        ));
    }
    said.push_str(&format!(
        "next: queuelab check {0}, then queuelab run {0}\n",
        path.display()
    ));
    Ok(said)
}

/// `--from seed` means `DIR/seed.toml`; anything with a `/` or `.toml` is a path.
fn source_path(from: &Path, dir: &Path) -> PathBuf {
    let text = from.to_string_lossy();
    if text.contains('/') || text.ends_with(".toml") {
        from.to_path_buf()
    } else {
        dir.join(format!("{text}.toml"))
    }
}

/// The text of experiment `from`, validated, with its `name` set to `name`.
fn renamed_copy(from: &Path, name: &str) -> Result<String, Failure> {
    let experiment = experiment::load(from).map_err(|errors| {
        let detail: Vec<String> = errors.iter().map(ToString::to_string).collect();
        Failure::BadInput(format!("--from {}: {}", from.display(), detail.join("")))
    })?;
    let name_line = format!("name = \"{name}\"");
    let mut replaced = false;
    let mut lines: Vec<String> = Vec::new();
    for line in experiment.source.lines() {
        let is_name = !replaced && line.trim_start().starts_with("name") && line.contains('=');
        let is_name = is_name && line.split('=').next().is_some_and(|k| k.trim() == "name");
        lines.push(if is_name {
            name_line.clone()
        } else {
            line.to_string()
        });
        replaced |= is_name;
    }
    if !replaced {
        // Before the first table or key, after the opening comments.
        let at = lines
            .iter()
            .position(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty());
        lines.insert(at.unwrap_or(lines.len()), name_line);
    }
    Ok(lines.join("\n") + "\n")
}

/// Writes `text` whole under a temporary name, then links it into place: the link fails
/// rather than replace a file that appeared meanwhile.
fn create_new(path: &Path, text: &str) -> Result<(), Failure> {
    let fail = |e: std::io::Error| Failure::Failed(format!("cannot write {}: {e}", path.display()));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".tmp-{}-{name}", std::process::id()));
    let written = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut file| {
            file.write_all(text.as_bytes())
                .and_then(|()| file.sync_all())
        })
        .and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    written.map_err(fail)
}
