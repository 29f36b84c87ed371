//! `queuelab new`: writes a starter experiment a person edits, never over an existing one.
//!
//! Owns choosing the text (the format's starter, or a copy of another experiment under a
//! new name) and creating the file. The text comes from `experiment::format`.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item, Table, Value};

use crate::experiment::{self, format, schema};
use crate::pipeline::Failure;
use crate::settings::{NAME_RULE, is_plain_name};

/// Writes `dir/NAME.toml` (and the schema beside it if missing); returns what was done.
pub fn new_experiment(name: &str, from: Option<&Path>, dir: &Path) -> Result<String, Failure> {
    // `new probe.toml` names the file; the experiment is `probe`, not `probe.toml.toml`.
    let name = name.strip_suffix(".toml").unwrap_or(name);
    if !is_plain_name(name) {
        return Err(Failure::BadInput(format!(
            "`{name}` is not an experiment name: use {NAME_RULE}"
        )));
    }
    let path = dir.join(format!("{name}.toml"));
    // A link counts, even one to nothing: writing would go wherever it points.
    if path.symlink_metadata().is_ok() {
        return Err(Failure::BadInput(format!(
            "{} exists already; `new` never overwrites an experiment: choose another name",
            path.display()
        )));
    }
    let text = match from {
        Some(from) => renamed_copy(&source_path(from, dir), name)?,
        None => format::starter(name),
    };
    if let Err(rejected) = experiment::parse(&path, &text) {
        return Err(Failure::Failed(format!(
            "the new experiment would not be valid:\n{rejected}"
        )));
    }
    crate::pipeline::create_folder(dir, "the experiment")?;
    create_new(&path, &text)?;
    let mut said = format!("wrote {}\n", path.display());
    let schema_path = dir.join("experiment.schema.json");
    if !schema_path.exists() && create_new(&schema_path, &schema::schema_text()).is_ok() {
        said.push_str(&format!(
            "wrote {} (editors read it for completion)\n",
            schema_path.display()
        ));
    }
    // Quoted as the shell needs, so the hint pastes as it is.
    said.push_str(&format!(
        "next: queuelab check {0}, then queuelab run {0}\n",
        crate::pipeline::print::shell_quote(&path.to_string_lossy())
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

/// The text of experiment `from`, validated, with its `name` set to `name`. The change
/// goes through the TOML document, so only the `name` value moves: a `name = ...` inside a
/// multi-line string, comments and layout elsewhere stay as they were.
fn renamed_copy(from: &Path, name: &str) -> Result<String, Failure> {
    // The loader's own messages open with "error:", as the command's does.
    let experiment = experiment::load(from).map_err(|rejected| {
        Failure::BadInput(format!(
            "--from {} cannot be copied:\n{rejected}",
            from.display()
        ))
    })?;
    let mut document: DocumentMut = experiment
        .source
        .parse()
        .map_err(|e| Failure::BadInput(format!("--from {}: not TOML: {e}", from.display())))?;
    let root = document.as_table_mut();
    if let Some(value) = root.get_mut("name").and_then(Item::as_value_mut) {
        // Keep the value's own spacing and trailing comment.
        let decor = value.decor().clone();
        *value = Value::from(name);
        *value.decor_mut() = decor;
    } else {
        let opening = first_table_prefix(root);
        root.insert("name", toml_edit::value(name));
        if let Some(opening) = opening {
            // The opening comments (`#:schema` first of all) stay above the new line.
            if let Some(mut key) = root.key_mut("name") {
                key.leaf_decor_mut().set_prefix(opening);
            }
            set_first_table_prefix(root, "\n");
        }
    }
    Ok(document.to_string())
}

/// The comments above the first table header when the root holds no keys: they open the
/// file, and stay above a key inserted at the root.
fn first_table_prefix(root: &Table) -> Option<String> {
    if root.iter().any(|(_, item)| item.is_value()) {
        return None;
    }
    let table = first_table(root)?;
    let prefix = table.decor().prefix()?.as_str()?;
    Some(prefix.to_string())
}

fn set_first_table_prefix(root: &mut Table, prefix: &str) {
    let first = root
        .iter()
        .filter_map(|(key, item)| Some((key.to_string(), item.as_table()?.position()?)))
        .min_by_key(|(_, position)| *position);
    if let Some((key, _)) = first
        && let Some(table) = root.get_mut(&key).and_then(Item::as_table_mut)
    {
        table.decor_mut().set_prefix(prefix);
    }
}

fn first_table(root: &Table) -> Option<&Table> {
    root.iter()
        .filter_map(|(_, item)| item.as_table())
        .filter(|t| t.position().is_some())
        .min_by_key(|t| t.position())
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
