//! Where and when results were made: queuelab version, git commit, host, CPU, OS and
//! times, so an archived number is never separated from its machine.
//!
//! Owns reading these from the system; it never fails, answering "unknown" instead.

use std::path::Path;
use std::process::Command;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// The machine and moment of a set of results; saved as `meta.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Environment {
    pub queuelab_version: String,
    /// `git rev-parse HEAD` where the experiment file lives, `-dirty` if it has changes.
    pub git_commit: Option<String>,
    pub host: String,
    pub cpu_model: String,
    pub cpus: usize,
    pub os: String,
    pub started: String,
    pub finished: String,
}

impl Environment {
    /// Reads the environment now; `started` is when the runs began.
    pub fn read(experiment_file: &Path, started: SystemTime) -> Self {
        Environment {
            queuelab_version: env!("CARGO_PKG_VERSION").to_string(),
            git_commit: git_commit(experiment_file),
            host: host(),
            cpu_model: cpu_model(),
            cpus: crate::model::machine_cores(),
            os: os(),
            started: timestamp(started),
            finished: timestamp(SystemTime::now()),
        }
    }
}

/// UTC, to the second, as RFC 3339.
pub fn timestamp(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

fn git_commit(file: &Path) -> Option<String> {
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let git = |args: &[&str]| {
        let output = Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
    };
    let commit = git(&["rev-parse", "HEAD"])?;
    let dirty =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    Some(if dirty {
        format!("{commit}-dirty")
    } else {
        commit
    })
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "unknown".to_string())
}

fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    info.lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, model)| model.trim().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

fn os() -> String {
    let release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let name = release
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|n| n.trim_matches('"').to_string())
        .unwrap_or_else(|| std::env::consts::OS.to_string());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("{name}, kernel {}", kernel.trim())
        .trim_end_matches(", kernel ")
        .to_string()
}
