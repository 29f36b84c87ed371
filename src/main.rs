//! The `queuelab` command line: parses arguments, calls the library, maps failures to
//! exit codes (2 for bad input, 1 for a failed run).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, CommandFactory, Parser, Subcommand};
use queuelab::experiment::schema;
use queuelab::pipeline::{self, Failure, Overrides, RunOptions, status};
use queuelab::settings::{self, RunOrder, Setting};
use queuelab::starter;
use queuelab::trace;

/// A lab for producer-consumer concurrency: sweep producers, consumers and queue kinds
/// with real threads, and see a model's prediction beside every measurement.
#[derive(Parser)]
#[command(name = "queuelab", version, about, long_about = None)]
#[command(after_help = OVERVIEW)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

/// `--noise` of `compare` and `history`: changes smaller than this percentage are noise.
const NOISE_PCT: f64 = 2.0;

const COMPARE_HELP: &str = "\
Example:
  queuelab compare results/seed results-after-change/seed --fail-if-slower 5

The ratio is B's median over A's, with a 95% interval from a seeded bootstrap of both sides.
B is slower (faster) when the whole interval lies above (below) 1 and the change is at least
--noise percent.";

const HISTORY_HELP: &str = "\
Examples:
  queuelab history results/seed
  queuelab history results/queue_impls --metric ns_per_item --since v0.1 --limit 20

Reads every commit of the current branch that changed DIR/runs.csv (with the experiment.toml
and meta.json beside it), and the working tree's runs.csv when it differs from the committed
one. Versions made at another time_scale, seed or host, or of a changed experiment.toml, are
not compared: the chart draws a rule there and breaks its lines. Steps between comparable
versions are judged by compare's rule. Writes history.csv and history_METRIC.png/.svg (in the
newest version's [plot] formats) into --out; nothing in DIR.";

const RUN_EXAMPLES: &str = "\
Examples:
  queuelab run experiments/seed.toml --time-scale 0.25 --out scratch
  queuelab run experiments/seed.toml --jobs 21
  queuelab run experiments/seed.toml --resume      (after an interruption)
  queuelab run experiments/channel_suite.toml      (crossbeam-channel's benchmark suite;
                                                    keep the machine idle)

Without --out, runs go to results/NAME/, the archive meant for git. A run of the same file
at another --time-scale, --seed or --repeats than the runs there is refused; add --replace
to replace them, or write elsewhere (--out scratch, ignored by git).

Ctrl-C stops launching runs and saves what finished; a second Ctrl-C quits at once.";

const PLOT_HELP: &str = "\
Examples:
  queuelab plot results/seed
  queuelab plot results/queue_impls --x producers --y throughput --facet queue_impl
  queuelab plot results/channel_suite --x topology --y throughput --facet capacity_class
                                        (topology and capacity_class: groups)

With --x and --y, writes METRIC_vs_KEY.png/.svg (METRIC_vs_KEY_by_FACET with --facet) in each
folder, in its [plot] formats, and nothing else. KEY is a swept key, a group of keys that
vary together (bars, one per point), or a key of a group. Where the folder's [plot] says
bars = \"horizontal\", bars run across, whiskers are the median's 95% interval and each panel
has its own scale, as in benchmark plots.";

/// What `queuelab` alone prints: where to start.
const OVERVIEW: &str = "\
Start here:
  queuelab new my_question             write experiments/my_question.toml, every key explained
  queuelab check experiments/*.toml    validate; list scenarios, predictions and run time
  queuelab run experiments/seed.toml --time-scale 0.2 --out scratch
                                       run with real threads, 5x faster, into scratch/seed/
Then:
  queuelab plot results/seed           redraw summary, charts and report from runs.csv
  queuelab compare scratch/seed scratch/seed-model
                                       B against A, scenario by scenario, with a verdict
                                       (after `simulate ... --time-scale 0.2 --out scratch`:
                                       both sides need one time_scale)
  queuelab history results/seed        the archive across its git commits: steps, chart
  queuelab simulate experiments/seed.toml
                                       the model alone, in virtual time
  queuelab schema                      the JSON Schema of experiment files, for editors
  queuelab completions bash            a completion script for bash, zsh or fish
Without --out, run writes results/NAME/, the archive meant for git.
queuelab help COMMAND tells more.";

#[derive(Subcommand)]
enum Command {
    /// Run experiments with real threads and write results/NAME/.
    #[command(after_help = RUN_EXAMPLES)]
    Run(RunArgs),
    /// Validate experiments; list their scenarios, predictions and estimated run time.
    #[command(
        after_help = "Examples:\n  queuelab check experiments/*.toml\n  queuelab check experiments/seed.toml --jobs 21 --time-scale 0.2"
    )]
    Check {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        #[command(flatten)]
        overrides: OverrideArgs,
        /// Estimate the run time for N runs at once (default: the file's `jobs`).
        #[arg(allow_negative_numbers = true, long, short, value_name = "N", value_parser = count_parser(settings::JOBS))]
        jobs: Option<u64>,
    },
    /// Model experiments in virtual time alone, in moments; writes results/NAME-model/.
    #[command(after_help = "Example:\n  queuelab simulate experiments/seed.toml")]
    Simulate(OutputArgs),
    /// Redraw summary, charts and report of results folders from their CSV, without rerunning;
    /// with --x and --y, draw one more chart of any view instead.
    #[command(after_help = PLOT_HELP)]
    Plot {
        /// Results folders (each holding runs.csv and experiment.toml).
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
        /// Draw only a chart against this swept key or group (numbers or durations: lines; words
        /// or a group of keys that vary together: bars).
        #[arg(long, value_name = "KEY", requires = "y")]
        x: Option<String>,
        /// The metric of that chart.
        #[arg(long, value_name = "METRIC", requires = "x", value_parser = metric_parser())]
        y: Option<String>,
        /// One panel per value of this swept key or group, on shared axes (with horizontal
        /// bars, each on its own scale).
        #[arg(long, value_name = "KEY", requires = "x")]
        facet: Option<String>,
    },
    /// Compare two results folders scenario by scenario: ratio B/A with a 95% interval and a verdict.
    #[command(after_help = COMPARE_HELP)]
    Compare {
        /// The baseline results folder.
        a: PathBuf,
        /// The results folder compared against it.
        b: PathBuf,
        /// Folder for compare.csv and the chart (by default one git ignores).
        #[arg(long, default_value = "scratch/compare", value_name = "DIR")]
        out: PathBuf,
        /// Exit with 1 if a scenario is slower, beyond noise, by more than PCT percent.
        #[arg(allow_negative_numbers = true, long, value_name = "PCT", value_parser = parse_percent)]
        fail_if_slower: Option<f64>,
        /// Changes smaller than PCT percent are within noise, however consistent.
        #[arg(allow_negative_numbers = true, long, value_name = "PCT", default_value_t = NOISE_PCT, value_parser = parse_percent)]
        noise: f64,
    },
    /// An archive across git commits: every committed version of DIR/runs.csv summarised,
    /// the steps beyond noise between comparable versions, history.csv and a chart.
    #[command(after_help = HISTORY_HELP)]
    History {
        /// A results folder in a git repository (holding runs.csv and experiment.toml).
        dir: PathBuf,
        /// The measure followed.
        #[arg(long, default_value = "elapsed", value_name = "METRIC", value_parser = metric_parser())]
        metric: String,
        /// Only versions committed after REV, set against the version in force at REV.
        #[arg(long, value_name = "REV")]
        since: Option<String>,
        /// Only the newest N committed versions, after --since's base, which stays (the
        /// working tree's is added when it differs).
        #[arg(allow_negative_numbers = true, long, value_name = "N", value_parser = parse_limit)]
        limit: Option<usize>,
        /// Changes smaller than PCT percent are within noise, however consistent.
        #[arg(allow_negative_numbers = true, long, value_name = "PCT", default_value_t = NOISE_PCT, value_parser = parse_percent)]
        noise: f64,
        /// Folder for history.csv and the charts (default: scratch/history/NAME, ignored by git).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Write a starter experiment, every key with its default and a comment; never overwrites.
    #[command(
        after_help = "Examples:\n  queuelab new pool_size\n  queuelab new faster_seed --from seed\n\n\
                      The starter's [sweep] ends with a commented-out paired sweep, keys that \
                      vary together:\n  together.topology = [{ producers = 1, consumers = 1 }, \
                      { producers = 4, consumers = 1 }]"
    )]
    New {
        /// Name of the experiment: writes DIR/NAME.toml.
        name: String,
        /// Start from this experiment (a name in DIR, or a path) instead of the defaults.
        #[arg(long, value_name = "EXPERIMENT")]
        from: Option<PathBuf>,
        /// Folder of experiments.
        #[arg(long, default_value = "experiments", value_name = "DIR")]
        dir: PathBuf,
    },
    /// Print the JSON Schema of experiment files, for editor completion and checking.
    #[command(after_help = "Example:\n  queuelab schema > experiments/experiment.schema.json")]
    Schema,
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  queuelab completions bash > ~/.local/share/bash-completion/completions/queuelab\n  queuelab completions zsh > ~/.zfunc/_queuelab\n  queuelab completions fish > ~/.config/fish/completions/queuelab.fish"
    )]
    Completions {
        /// bash, zsh or fish (also elvish, powershell).
        shell: clap_complete::Shell,
    },
}

#[derive(Args)]
struct OutputArgs {
    /// Experiment files (TOML).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Folder that receives one results folder per experiment.
    #[arg(long, default_value = "results", value_name = "DIR")]
    out: PathBuf,
    /// Print only the final table; no progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// Record what every thread did in one run of each scenario, beside the model's replay
    /// of the same draws: OUT/NAME/trace/SCENARIO.json (Perfetto) and timeline charts.
    #[arg(long)]
    trace: bool,
    /// The repeat traced (default 1).
    #[arg(allow_negative_numbers = true, long, value_name = "N", requires = "trace", value_parser = count_parser(settings::REPEATS))]
    trace_repeat: Option<u64>,
    /// Zoom the timeline charts into START..END of the run's time (after time_scale),
    /// durations as in experiment files, e.g. 2s..3500ms.
    #[arg(long, value_name = "START..END", requires = "trace", value_parser = trace::parse_window)]
    trace_window: Option<trace::Window>,
    #[command(flatten)]
    overrides: OverrideArgs,
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    output: OutputArgs,
    /// Runs made at once (overrides `jobs`; default 1). Sleeping runs barely interfere;
    /// spinning runs share the cores.
    #[arg(allow_negative_numbers = true, long, short, value_name = "N", value_parser = count_parser(settings::JOBS))]
    jobs: Option<u64>,
    /// Keep the runs already in OUT/NAME/runs.csv and make only the missing ones.
    #[arg(long)]
    resume: bool,
    /// With --resume, discard the earlier runs made by another experiment file, time_scale
    /// or seed (they cannot be mixed in) and keep those that match.
    #[arg(long, requires = "resume")]
    force: bool,
    /// Replace OUT/NAME/ even if its runs were made at another time_scale, seed or repeats.
    #[arg(long, conflicts_with = "resume")]
    replace: bool,
    /// Run experiments estimated at over an hour without asking.
    #[arg(long, short)]
    yes: bool,
    /// Most threads the runs made at once (--jobs) may start together (default, and at
    /// most: what the system allows).
    #[arg(allow_negative_numbers = true, long, value_name = "N", value_parser = count_parser((1, u64::MAX)))]
    max_threads: Option<u64>,
}

#[derive(Args)]
struct OverrideArgs {
    /// Runs of every scenario (overrides `repeats`).
    #[arg(allow_negative_numbers = true, long, value_name = "N", value_parser = count_parser(settings::REPEATS))]
    repeats: Option<u64>,
    /// Multiply every duration by X, e.g. 0.01 to run 100× faster (overrides `time_scale`).
    #[arg(allow_negative_numbers = true, long, value_name = "X", value_parser = parse_time_scale)]
    time_scale: Option<f64>,
    /// Seed of the random draws (overrides `seed`).
    #[arg(allow_negative_numbers = true, long, value_name = "N", value_parser = count_parser((0, u64::MAX)))]
    seed: Option<u64>,
    /// Uncounted runs of every scenario made first (overrides `warmup`).
    #[arg(allow_negative_numbers = true, long, value_name = "N", value_parser = count_parser(settings::WARMUP))]
    warmup: Option<u64>,
    /// Order of runs (overrides `order`).
    #[arg(long, value_name = "ORDER", value_parser = order_parser())]
    order: Option<RunOrder>,
}

/// A whole number within a setting's range, as the experiment file takes it.
fn count_parser((min, max): (u64, u64)) -> impl Fn(&str) -> Result<u64, String> + Clone {
    move |text: &str| match text.parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "`{text}` is not a whole number from {min} to {max}"
        )),
    }
}

/// One of the metrics charts draw: listed in the help, completed by the shell.
fn metric_parser() -> PossibleValuesParser {
    PossibleValuesParser::new(queuelab::output::metric_names())
}

/// One of the run orders, by the words the experiment file takes.
fn order_parser() -> impl TypedValueParser<Value = RunOrder> {
    PossibleValuesParser::new(RunOrder::NAMES).try_map(|word| {
        RunOrder::from_name(&word).ok_or_else(|| format!("`{word}` is not an order"))
    })
}

fn parse_time_scale(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if settings::is_time_scale(x) => Ok(x),
        _ => Err(format!(
            "`{text}` is not a time scale: give {}",
            Setting::TimeScale.spec().accepts.allowed()
        )),
    }
}

/// A percentage threshold: a finite number, at least 0. `NaN` would compare false with
/// everything and so silently turn every verdict and gate off.
fn parse_percent(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        // `-0` is 0: a gate of "-0%" reads as a sign error.
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x + 0.0),
        _ => Err(format!(
            "`{text}` is not a percentage: give a finite number, 0 or more"
        )),
    }
}

/// A count of versions: a whole number from 1 (`--limit 0` would show nothing).
fn parse_limit(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "`{text}` is not a count of versions: give a whole number from 1"
        )),
    }
}

impl From<OverrideArgs> for Overrides {
    fn from(args: OverrideArgs) -> Self {
        // The parsers above hold each count within its setting's range, so it fits a u32.
        let small = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        Overrides {
            repeats: args.repeats.map(small),
            time_scale: args.time_scale,
            seed: args.seed,
            warmup: args.warmup.map(small),
            order: args.order,
        }
    }
}

impl OutputArgs {
    fn split(self) -> (Vec<PathBuf>, RunOptions) {
        let options = RunOptions {
            out: self.out,
            overrides: self.overrides.into(),
            quiet: self.quiet,
            trace: self.trace.then(|| trace::TraceOptions {
                // Within settings::REPEATS, so a u32.
                repeat: u32::try_from(self.trace_repeat.unwrap_or(1)).unwrap_or(u32::MAX),
                window: self.trace_window,
            }),
            ..RunOptions::default()
        };
        (self.files, options)
    }
}

impl RunArgs {
    fn split(self) -> (Vec<PathBuf>, RunOptions) {
        let (files, options) = self.output.split();
        let options = RunOptions {
            jobs: self.jobs.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            resume: self.resume,
            force: self.force,
            replace: self.replace,
            yes: self.yes,
            max_threads: self.max_threads,
            ..options
        };
        (files, options)
    }
}

/// First Ctrl-C (or SIGTERM or SIGHUP, as `timeout`, a CI job's cancel or a closed
/// terminal send): start no more runs, abandon those in flight, save what finished.
/// Second: quit at once; every file is whole, as each is renamed into place.
fn stop_on_ctrl_c(cancel: Arc<AtomicBool>) {
    let handler = move || {
        if cancel.swap(true, Ordering::SeqCst) {
            let go_on = match queuelab::pipeline::resume_with() {
                Some(command) => format!(" Go on with:\n  {command}"),
                None => String::new(),
            };
            status(&format!(
                "\nstopped at once; every file written so far is whole (runs.csv holds the runs \
                 saved so far, if any).{go_on}"
            ));
            std::process::exit(queuelab::pipeline::INTERRUPTED_EXIT);
        }
        status(
            "\nstopping: no new runs, runs in flight abandoned; interrupt again (Ctrl-C) to quit \
             at once",
        );
    };
    if let Err(error) = ctrlc::set_handler(handler) {
        status(&format!(
            "warning: Ctrl-C will stop at once, without saving: {error}"
        ));
    }
}

/// A write past the file size limit (`ulimit -f`) fails with an error queuelab reports,
/// as a full disk does, rather than killing the process mid-write (SIGXFSZ's default).
fn writes_past_the_size_limit_fail() {
    // SAFETY: sets a signal's disposition to ignored, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

fn main() -> ExitCode {
    writes_past_the_size_limit_fail();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_said(&e),
    };
    let Some(command) = cli.command else {
        return write_stdout(&format!(
            "queuelab {}: {}\n\n{OVERVIEW}\n",
            env!("CARGO_PKG_VERSION"),
            about()
        ));
    };
    let result = match command {
        Command::Run(args) => {
            let (files, options) = args.split();
            stop_on_ctrl_c(Arc::clone(&options.cancel));
            pipeline::run(&files, &options)
        }
        Command::Simulate(args) => {
            let (files, options) = args.split();
            pipeline::simulate(&files, &options)
        }
        Command::Check {
            files,
            overrides,
            jobs,
        } => pipeline::check(
            &files,
            &overrides.into(),
            jobs.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
        ),
        Command::New { name, from, dir } => starter::new_experiment(&name, from.as_deref(), &dir),
        Command::Schema => Ok(schema::schema_text()),
        Command::Plot {
            dirs,
            x: Some(x),
            y: Some(y),
            facet,
        } => pipeline::plot_view(&dirs, &pipeline::View { x, y, facet }),
        Command::Plot { dirs, .. } => pipeline::plot(&dirs),
        Command::Compare {
            a,
            b,
            out,
            fail_if_slower,
            noise,
        } => {
            let options = pipeline::CompareOptions {
                out,
                fail_if_slower_pct: fail_if_slower,
                noise_pct: noise,
            };
            pipeline::compare(&a, &b, &options)
        }
        Command::History {
            dir,
            metric,
            since,
            limit,
            noise,
            out,
        } => {
            let options = pipeline::HistoryOptions {
                metric,
                since,
                limit,
                noise_pct: noise,
                out,
            };
            pipeline::history(&dir, &options)
        }
        Command::Completions { shell } => {
            // Into memory first: written to stdout directly, a closed pipe would panic.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "queuelab", &mut script);
            Ok(String::from_utf8_lossy(&script).into_owned())
        }
    };
    match result {
        Ok(text) => write_stdout(&text),
        Err(failure) => {
            let mut code = ExitCode::from(exit_code(&failure));
            if let Failure::Unmet { said, .. } | Failure::Interrupted { said, .. } = &failure {
                // Why (and how to go on) reaches stderr even when stdout fails.
                let written = write_stdout(said);
                if written != ExitCode::SUCCESS {
                    code = written;
                }
            }
            status(&failure.to_text());
            code
        }
    }
}

/// Everything a command prints on stdout goes through here, once. A reader that stopped
/// reading (`| head -1`) is not an error: exit 0 quietly, as ripgrep does. Any other
/// failure (`> /dev/full`) is exit 1 with a message; results files are already whole.
/// Control characters quoted from a file (a commit subject, a description) are shown as
/// symbols, as `status` shows them.
fn write_stdout(text: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(queuelab::visible::visible(text).as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            status(&format!("error: cannot write to standard output: {e}"));
            ExitCode::from(1)
        }
    }
}

/// What clap answers instead of a command: help and the version on stdout, as any other
/// output (a stdout that cannot be written is exit 1, said), usage errors as clap says
/// them (exit 2).
fn clap_said(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let written = e.print().and_then(|()| std::io::stdout().flush());
            match written {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => {
                    status(&format!("error: cannot write to standard output: {e}"));
                    ExitCode::from(1)
                }
            }
        }
        _ => e.exit(),
    }
}

fn exit_code(failure: &Failure) -> u8 {
    failure.exit_code() as u8
}

fn about() -> String {
    Cli::command()
        .get_about()
        .map(|a| a.to_string())
        .unwrap_or_default()
}
