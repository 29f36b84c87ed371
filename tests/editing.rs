//! Editing experiments as a person would: `new`, the JSON Schema, help, completions and
//! errors that suggest the key meant.

mod common;

use std::fs;
use std::path::Path;

use common::{queuelab, read_csv};

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn new_writes_a_starter_that_checks_and_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let experiments = dir.path().join("experiments");
    queuelab()
        .current_dir(dir.path())
        .args(["new", "pool"])
        .assert()
        .success();
    let file = experiments.join("pool.toml");
    let text = fs::read_to_string(&file).expect("written");
    assert!(text.starts_with("#:schema ./experiment.schema.json\n"));
    for key in [
        "name",
        "repeats",
        "time_scale",
        "seed",
        "producers",
        "consumers",
        "items_per_producer",
        "produce_time",
        "consume_time",
        "consumer",
        "queue",
        "capacity",
        "work",
        "x",
        "log_x",
        "formats",
    ] {
        let line = text
            .lines()
            .find(|l| l.trim_start_matches("# ").starts_with(&format!("{key} = ")));
        let line = line.unwrap_or_else(|| panic!("`{key}` missing from the starter:\n{text}"));
        assert!(line.contains(" # "), "`{key}` has no comment: {line}");
    }
    assert!(
        experiments.join("experiment.schema.json").exists(),
        "the schema the first line names"
    );
    queuelab()
        .current_dir(dir.path())
        .args(["check", "experiments/pool.toml"])
        .assert()
        .success();
    queuelab()
        .current_dir(dir.path())
        .args([
            "run",
            "-q",
            "--time-scale",
            "0.1",
            "--repeats",
            "1",
            "experiments/pool.toml",
        ])
        .assert()
        .success();
    assert_eq!(
        read_csv(&dir.path().join("results/pool/summary.csv")).len(),
        3
    );
}

#[test]
fn new_shows_a_paired_sweep_and_copies_one_with_from() {
    let dir = tempfile::tempdir().expect("temp dir");
    queuelab()
        .args(["new", "starter", "--dir"])
        .arg(dir.path())
        .assert()
        .success();
    let text = fs::read_to_string(dir.path().join("starter.toml")).expect("written");
    assert!(
        text.contains("# together.topology = [\n#   { producers = 1, consumers = 1 },"),
        "{text}"
    );
    let paired = "#:schema ./experiment.schema.json\n# Question: what do topologies cost?\n\
                  name = \"suite\"\n[sweep]\ncapacity = [1, 2]\n\
                  together.topology = [  # spsc, mpsc, mpmc\n\
                  { producers = 1, consumers = 1 },\n{ producers = 4, consumers = 1 },\n\
                  { producers = 4, consumers = 4 },\n]\n[scenario]\nqueue = \"bounded\"\n";
    fs::write(dir.path().join("suite.toml"), paired).expect("write");
    queuelab()
        .args(["new", "suite_copy", "--from", "suite", "--dir"])
        .arg(dir.path())
        .assert()
        .success();
    let copy = fs::read_to_string(dir.path().join("suite_copy.toml")).expect("copied");
    assert_eq!(
        copy,
        paired.replace("name = \"suite\"", "name = \"suite_copy\""),
        "only the name moves"
    );
    let output = queuelab()
        .arg("check")
        .arg(dir.path().join("suite_copy.toml"))
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("6 scenarios"), "{stdout}");
    assert!(
        stdout.contains("capacity=2 producers=4 consumers=4"),
        "{stdout}"
    );
}

#[test]
fn new_never_overwrites() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("mine.toml");
    fs::write(&file, "# my own work\n").expect("write");
    let output = queuelab()
        .args(["new", "mine", "--dir"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("never overwrites"));
    assert_eq!(fs::read_to_string(&file).expect("kept"), "# my own work\n");
    queuelab()
        .args(["new", "../escape", "--dir"])
        .arg(dir.path())
        .assert()
        .code(2);
    // Named as its file, an experiment is still `mine`: never overwritten, never
    // `mine.toml.toml`.
    queuelab()
        .args(["new", "mine.toml", "--dir"])
        .arg(dir.path())
        .assert()
        .code(2);
    queuelab()
        .args(["new", "yours.toml", "--dir"])
        .arg(dir.path())
        .assert()
        .success();
    let text = fs::read_to_string(dir.path().join("yours.toml")).expect("written");
    assert!(text.contains("name = \"yours\""), "{text}");
    assert!(!dir.path().join("yours.toml.toml").exists());
    // A missing source is named once, as the error it is.
    let output = queuelab()
        .args(["new", "copy", "--from", "nowhere", "--dir"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
    assert!(stderr.contains("nowhere.toml"), "{stderr}");
}

#[test]
fn new_from_copies_an_experiment_under_a_new_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::copy(
        manifest().join("experiments/seed.toml"),
        dir.path().join("seed.toml"),
    )
    .expect("copy");
    queuelab()
        .args(["new", "seed_again", "--from", "seed", "--dir"])
        .arg(dir.path())
        .assert()
        .success();
    let text = fs::read_to_string(dir.path().join("seed_again.toml")).expect("written");
    assert!(text.contains("name = \"seed_again\"") && !text.contains("name = \"seed\""));
    assert!(
        text.contains("consumers = [1, 2, 4, 10, 20, 24, 30]"),
        "the sweep is kept"
    );
    let output = queuelab()
        .arg("check")
        .arg(dir.path().join("seed_again.toml"))
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&output.stdout).contains("experiment `seed_again`"));
}

#[test]
fn the_committed_schema_is_the_generated_one() {
    let output = queuelab().arg("schema").output().expect("runs");
    assert!(output.status.success());
    let committed = fs::read_to_string(manifest().join("experiments/experiment.schema.json"))
        .expect("committed");
    assert!(
        String::from_utf8_lossy(&output.stdout) == committed,
        "experiments/experiment.schema.json is stale: run `cargo run -- schema > experiments/experiment.schema.json`"
    );
    let schema: serde_json::Value = serde_json::from_str(&committed).expect("JSON");
    let scenario = &schema["properties"]["scenario"]["properties"];
    assert_eq!(
        scenario["consumer"]["enum"],
        serde_json::json!(["poll", "block"])
    );
    assert_eq!(scenario["producers"]["minimum"], 1);
    assert!(
        scenario["consume_time"]["description"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
    // A paired sweep's point takes exactly what [scenario] takes; a group's name is not
    // a scenario key; [plot] x and facet name a group as well as a key.
    let together = &schema["properties"]["sweep"]["properties"]["together"];
    assert_eq!(
        together["additionalProperties"]["items"]["properties"],
        *scenario
    );
    assert_eq!(together["additionalProperties"]["type"], "array");
    let keys: Vec<&str> = scenario
        .as_object()
        .expect("keys")
        .keys()
        .map(String::as_str)
        .collect();
    let mut excluded: Vec<&str> = together["propertyNames"]["not"]["enum"]
        .as_array()
        .expect("the scenario keys")
        .iter()
        .filter_map(|k| k.as_str())
        .collect();
    excluded.sort_unstable();
    assert_eq!(excluded, keys, "a group is not named as a scenario key");
    for key in ["x", "facet"] {
        let choices = &schema["properties"]["plot"]["properties"][key]["anyOf"];
        assert_eq!(
            choices[1]["pattern"], together["propertyNames"]["pattern"],
            "{key}"
        );
    }
}

#[test]
fn every_example_experiment_names_the_schema_and_states_its_question() {
    for path in common::example_files() {
        {
            let text = fs::read_to_string(&path).expect("read");
            assert!(
                text.starts_with("#:schema ./experiment.schema.json\n"),
                "{}",
                path.display()
            );
            assert!(
                text.lines()
                    .nth(1)
                    .is_some_and(|l| l.starts_with("# Question:")),
                "{}",
                path.display()
            );
        }
    }
}

/// The commands `queuelab --help` lists, but `help` itself.
fn commands() -> Vec<String> {
    let output = queuelab().arg("--help").output().expect("runs");
    let help = String::from_utf8_lossy(&output.stdout).into_owned();
    let listed = help
        .split("Commands:")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or_default()
        .to_string();
    listed
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(String::from)
        .collect()
}

#[test]
fn the_example_list_is_what_git_holds() {
    // A source package (no `.git`) has no list to check against; a checkout must give one.
    if !manifest().join(".git").exists() {
        eprintln!("not a git checkout: the example list is not checked against git");
        return;
    }
    let listed = std::process::Command::new("git")
        .args(["ls-files", "experiments/*.toml"])
        .current_dir(manifest())
        .output()
        .expect("git runs in a checkout");
    assert!(
        listed.status.success() && !listed.stdout.is_empty(),
        "git ls-files experiments/*.toml: {}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let mut in_git: Vec<String> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(|l| {
            l.trim_start_matches("experiments/")
                .trim_end_matches(".toml")
                .to_string()
        })
        .collect();
    in_git.sort();
    assert_eq!(in_git, common::EXAMPLES);
}

#[test]
fn every_command_has_a_purpose_and_an_example_in_its_help() {
    let commands = commands();
    assert!(commands.len() >= 8, "{commands:?}");
    for command in &commands {
        let command = command.as_str();
        let output = queuelab().args([command, "--help"]).output().expect("runs");
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{command}");
        assert!(
            help.contains("Example"),
            "{command} --help has no example:\n{help}"
        );
        assert!(
            help.contains(&format!("queuelab {command}")),
            "{command}: {help}"
        );
    }
}

#[test]
fn queuelab_alone_points_at_new_check_and_run_and_lists_every_command() {
    let output = queuelab().output().expect("runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    for start in ["queuelab new", "queuelab check", "queuelab run"] {
        assert!(text.contains(start), "{text}");
    }
    for command in commands() {
        assert!(
            text.contains(&format!("queuelab {command} ")),
            "{command} is not on the start screen:\n{text}"
        );
    }
    // Its run command must not write over the committed archive.
    for line in text.lines().filter(|l| l.contains("queuelab run")) {
        assert!(line.contains("--out scratch"), "{line}");
    }
}

/// The README's table row `| NAME | a | b | ... |` as its cells.
fn readme_row(readme: &str, name: &str) -> Vec<String> {
    let line = readme
        .lines()
        .find(|l| l.starts_with(&format!("| {name} |")))
        .unwrap_or_else(|| panic!("README has no row `{name}`"));
    line.trim_matches('|')
        .split('|')
        .skip(1)
        .map(|c| c.trim().to_string())
        .collect()
}

#[test]
fn the_readme_seed_table_is_the_committed_archive() {
    let readme = fs::read_to_string(manifest().join("README.md")).expect("README.md");
    let consumers = readme_row(&readme, "consumers");
    let measured = readme_row(&readme, "queuelab, s");
    let model = readme_row(&readme, "model, s");
    let summary = common::read_csv(&manifest().join("results/seed/summary.csv"));
    assert_eq!(consumers.len(), summary.len());
    for (i, row) in summary.iter().enumerate() {
        assert_eq!(consumers[i], row["consumers"]);
        let median: f64 = row["elapsed_median_s"].parse().expect("a number");
        assert_eq!(
            measured[i],
            format!("{median:.4}"),
            "consumers={}: README against results/seed/summary.csv",
            consumers[i]
        );
        let predicted: f64 = row["predicted_s"].parse().expect("a number");
        assert_eq!(model[i], format!("{predicted:.2}"));
    }
}

#[test]
fn completions_for_bash_zsh_and_fish_know_the_commands() {
    for shell in ["bash", "zsh", "fish"] {
        let output = queuelab()
            .args(["completions", shell])
            .output()
            .expect("runs");
        let script = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{shell}");
        assert!(
            script.contains("simulate") && script.contains("time-scale"),
            "{shell}"
        );
    }
}

#[test]
fn a_misspelt_key_gets_the_nearest_suggestion_and_a_caret() {
    let fixture = manifest().join("tests/fixtures/bad/unknown_scenario_key.toml");
    let output = queuelab().arg("check").arg(fixture).output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains("unknown key `consumer_time`; did you mean `consume_time`?"),
        "{stderr}"
    );
    assert!(
        stderr.contains("3 | consumer_time = \"250ms\"\n  | ^^^^^^^^^^^^^"),
        "{stderr}"
    );
}

/// Runs `new NAME --from FROM.toml` in a temporary folder holding `text` as FROM.toml and
/// returns the new file's text.
fn new_from(text: &str, name: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("from.toml"), text).expect("write");
    let output = queuelab()
        .args(["new", name, "--from", "from", "--dir"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let path = dir.path().join(format!("{name}.toml"));
    let output = queuelab().arg("check").arg(&path).output().expect("runs");
    assert!(
        String::from_utf8_lossy(&output.stdout).contains(&format!("experiment `{name}`")),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    fs::read_to_string(path).expect("written")
}

#[test]
fn new_from_leaves_a_name_line_inside_a_multi_line_string_alone() {
    // Line-ending backslashes keep the description one line, as it must be.
    let text = "# opening comment\ndescription = \"\"\"\\\nname = \"not a key\"\\\n\"\"\"\nname = \"old\"   # the old name\n\n# about the scenario\n[scenario]\nconsumers = 2 # two\n";
    let copied = new_from(text, "fresh");
    assert_eq!(
        copied,
        text.replace("name = \"old\"", "name = \"fresh\""),
        "only the name's value changes"
    );
}

#[test]
fn new_from_replaces_a_quoted_name_key() {
    let text = "\"name\" = \"old\"\nrepeats = 2 # kept\n";
    assert_eq!(
        new_from(text, "fresh"),
        "\"name\" = \"fresh\"\nrepeats = 2 # kept\n"
    );
}

#[test]
fn new_from_adds_a_name_below_the_opening_comments() {
    let text =
        "#:schema ./experiment.schema.json\n# Question: what if?\n\n[scenario]\nconsumers = 2\n";
    let copied = new_from(text, "fresh");
    assert!(
        copied.starts_with(
            "#:schema ./experiment.schema.json\n# Question: what if?\n\nname = \"fresh\"\n"
        ),
        "{copied}"
    );
    assert!(copied.contains("[scenario]\nconsumers = 2\n"), "{copied}");
}

#[test]
fn the_next_step_new_prints_pastes_into_a_shell_whatever_the_folder() {
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path().join("my experiments");
    let output = queuelab()
        .args(["new", "spaced", "--dir"])
        .arg(&dir)
        .output()
        .expect("runs");
    assert!(output.status.success(), "{output:?}");
    let said = String::from_utf8_lossy(&output.stdout);
    let quoted = format!("'{}'", dir.join("spaced.toml").display());
    assert!(
        said.contains(&format!("next: queuelab check {quoted}")),
        "{said}"
    );
}
