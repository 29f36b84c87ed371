//! The committed versions of a file, read through the `git` command: which commits changed
//! it, oldest first, and what it held at each.
//!
//! Owns running git and reading what it prints; it knows nothing of results folders.
//! The `git` command rather than a library: any machine whose results are in git has it,
//! it costs no build time, and it reads every repository git itself can (worktrees,
//! packs, alternates, new object formats). All blobs come through one `git cat-file
//! --batch` process, so a hundred versions cost one process, not a hundred.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A commit that changed the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commit {
    pub hash: String,
    /// The shortest unambiguous prefix, as `git log` abbreviates it.
    pub short: String,
    /// The author date, ISO 8601: when the change was made, whatever rebases did later.
    pub date: String,
    pub subject: String,
}

/// Why git could not tell.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("cannot run the git command ({0}); history reads the archive's versions through git")]
    Missing(std::io::Error),
    #[error(
        "{dir} is not in a git repository ({said}): history reads the versions of its files committed to git"
    )]
    NotARepository { dir: PathBuf, said: String },
    #[error(
        "{top} is a shallow clone: its history stops where the clone was cut, so the versions \
         before it are missing; `git fetch --unshallow` fetches the rest"
    )]
    Shallow { top: PathBuf },
    #[error("--since `{rev}` is not a commit of {top}{said}")]
    UnknownRevision {
        rev: String,
        top: PathBuf,
        said: String,
    },
    #[error("{0}")]
    Path(String),
    #[error("git {args} failed: {said}")]
    Failed { args: String, said: String },
}

/// The repository that holds a folder, from its top.
#[derive(Debug)]
pub struct Repository {
    pub top: PathBuf,
}

impl Repository {
    /// The repository holding `dir` (an existing folder), refusing a shallow clone, whose
    /// history would silently start at its cut.
    pub fn containing(dir: &Path) -> Result<Repository, GitError> {
        let output = plain_git()
            .arg("-C")
            .arg(dir)
            .args(["rev-parse", "--show-toplevel", "--is-shallow-repository"])
            .output()
            .map_err(GitError::Missing)?;
        if !output.status.success() {
            return Err(GitError::NotARepository {
                dir: dir.to_path_buf(),
                said: said(&output.stderr),
            });
        }
        let text = String::from_utf8_lossy(&output.stdout);
        let mut lines = text.lines();
        let top = PathBuf::from(lines.next().unwrap_or_default());
        if lines.next() == Some("true") {
            return Err(GitError::Shallow { top });
        }
        Ok(Repository { top })
    }

    /// `dir` as a path inside the repository, `/`-separated as git names paths; empty
    /// for the top itself.
    pub fn path_of(&self, dir: &Path) -> Result<String, GitError> {
        let real = |p: &Path| {
            p.canonicalize()
                .map_err(|e| GitError::Path(format!("{}: {e}", p.display())))
        };
        let (dir_real, top_real) = (real(dir)?, real(&self.top)?);
        let inside = dir_real.strip_prefix(&top_real).map_err(|_| {
            GitError::Path(format!(
                "{} is not inside {}",
                dir.display(),
                self.top.display()
            ))
        })?;
        let parts: Option<Vec<&str>> = inside.iter().map(|part| part.to_str()).collect();
        let path = parts
            .map(|parts| parts.join("/"))
            .filter(|p| !p.contains('\n'))
            .ok_or_else(|| {
                GitError::Path(format!(
                    "{}: history reads folders whose path is text without line breaks",
                    dir.display()
                ))
            })?;
        Ok(path)
    }

    /// Every commit reachable from HEAD that changed `path` (added, modified or deleted
    /// it), oldest first, in commit order (never a parent after its child). With `since`,
    /// only those after it, and apart, the commit that made the version in force at
    /// `since`, as the base the rest are set against (none if `path` had no commit by
    /// then). A repository without commits has none.
    pub fn commits_changing(
        &self,
        path: &str,
        since: Option<&str>,
    ) -> Result<(Option<Commit>, Vec<Commit>), GitError> {
        if !self.has_commits()? {
            return Ok((None, Vec::new()));
        }
        let Some(since) = since else {
            return Ok((None, self.log(&["HEAD"], path)?));
        };
        let base = self.commit_named(since)?;
        let in_force = self.log(&["-1", &base], path)?.pop();
        Ok((in_force, self.log(&[&format!("{base}..HEAD")], path)?))
    }

    /// The contents of each `(commit, path)`, or `None` where the commit has no such file
    /// (deleted, or never added), all through one `git cat-file --batch`.
    pub fn read_files(
        &self,
        wanted: &[(String, String)],
    ) -> Result<Vec<Option<Vec<u8>>>, GitError> {
        let mut child = self
            .git()
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(GitError::Missing)?;
        let requests: String = wanted
            .iter()
            .map(|(commit, path)| format!("{commit}:{path}\n"))
            .collect();
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| failed("cat-file", "no stdin"))?;
        // Written from a thread: git answers as it reads, and both pipes would fill.
        let writer = std::thread::spawn(move || stdin.write_all(requests.as_bytes()));
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| failed("cat-file", "no stdout"))?;
        let read = read_batch(BufReader::new(stdout), wanted.len());
        let wrote = writer.join();
        let output = child
            .wait_with_output()
            .map_err(|e| failed("cat-file --batch", &e.to_string()))?;
        if !output.status.success() || !matches!(wrote, Ok(Ok(()))) {
            return Err(failed("cat-file --batch", &said(&output.stderr)));
        }
        read.map_err(|e| failed("cat-file --batch", &e))
    }

    fn has_commits(&self) -> Result<bool, GitError> {
        let output = self
            .git()
            .args(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
            .output()
            .map_err(GitError::Missing)?;
        Ok(output.status.success())
    }

    /// The full hash of the commit `rev` names; refused before git sees it if it would
    /// read as an option.
    fn commit_named(&self, rev: &str) -> Result<String, GitError> {
        let unknown = |said: String| GitError::UnknownRevision {
            rev: rev.to_string(),
            top: self.top.clone(),
            said,
        };
        if rev.starts_with('-') || rev.is_empty() {
            return Err(unknown(": a revision does not start with `-`".to_string()));
        }
        let output = self
            .git()
            .args(["rev-parse", "--verify", "--quiet"])
            .arg(format!("{rev}^{{commit}}"))
            .output()
            .map_err(GitError::Missing)?;
        let hash = String::from_utf8_lossy(&output.stdout).trim().to_string();
        if !output.status.success() || hash.is_empty() {
            return Err(unknown(String::new()));
        }
        Ok(hash)
    }

    /// `git log` of `revs` for `path`, oldest first.
    fn log(&self, revs: &[&str], path: &str) -> Result<Vec<Commit>, GitError> {
        let output = self
            .git()
            .args(["log", "--topo-order", "-z", "--no-color"])
            .arg("--format=%H%x00%h%x00%aI%x00%s")
            .args(revs)
            .arg("--")
            .arg(if path.is_empty() { "." } else { path })
            .output()
            .map_err(GitError::Missing)?;
        if !output.status.success() {
            return Err(failed("log", &said(&output.stderr)));
        }
        let text = String::from_utf8_lossy(&output.stdout);
        let fields: Vec<&str> = text.split('\0').collect();
        let mut commits: Vec<Commit> = fields
            .chunks_exact(4)
            .map(|c| Commit {
                hash: c[0].trim_start_matches('\n').to_string(),
                short: c[1].to_string(),
                date: c[2].to_string(),
                subject: c[3].to_string(),
            })
            .collect();
        commits.reverse();
        Ok(commits)
    }

    /// git in the repository, its output in a fixed form whatever the person's settings.
    fn git(&self) -> Command {
        let mut command = plain_git();
        command.arg("-C").arg(&self.top);
        command
    }
}

/// git with the settings that would change what it prints turned off: paths are taken
/// literally (a folder named `*` is that folder), logs neither show signatures nor follow
/// renames, and nothing takes optional locks (history only reads).
fn plain_git() -> Command {
    let mut command = Command::new("git");
    command
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_LITERAL_PATHSPECS", "1")
        .args([
            "-c",
            "log.showSignature=false",
            "-c",
            "log.follow=false",
            "-c",
            "i18n.logOutputEncoding=UTF-8",
        ]);
    command
}

/// The answers of `git cat-file --batch` to `count` requests: a blob's bytes, or `None`
/// for a name that is missing or not a file.
fn read_batch(mut out: impl BufRead, count: usize) -> Result<Vec<Option<Vec<u8>>>, String> {
    let mut files = Vec::with_capacity(count);
    let mut header = String::new();
    for _ in 0..count {
        header.clear();
        if out.read_line(&mut header).map_err(|e| e.to_string())? == 0 {
            return Err(format!(
                "git stopped after {} of {count} files",
                files.len()
            ));
        }
        // `OID TYPE SIZE` and the contents, or `NAME missing` (and the like) alone; a NAME
        // may hold spaces, an OID is hex.
        let fields: Vec<&str> = header.split_whitespace().collect();
        let (kind, size) = match fields.as_slice() {
            [oid, kind, size] if oid.bytes().all(|b| b.is_ascii_hexdigit()) => {
                match size.parse::<u64>() {
                    Ok(size) => (*kind, size),
                    Err(_) => return Err(format!("unexpected answer `{}`", header.trim())),
                }
            }
            _ => {
                files.push(None);
                continue;
            }
        };
        let mut content = Vec::new();
        (&mut out)
            .take(size)
            .read_to_end(&mut content)
            .map_err(|e| e.to_string())?;
        let mut newline = [0u8; 1];
        out.read_exact(&mut newline).map_err(|e| e.to_string())?;
        if content.len() as u64 != size {
            return Err(format!("git gave {} of {size} bytes", content.len()));
        }
        files.push((kind == "blob").then_some(content));
    }
    Ok(files)
}

fn said(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let text = text.trim();
    text.strip_prefix("fatal: ").unwrap_or(text).to_string()
}

fn failed(args: &str, said: &str) -> GitError {
    GitError::Failed {
        args: args.to_string(),
        said: said.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_answers_read_as_files_or_none() {
        let answers = b"0123abcd blob 5\nhello\n\
                        abc:my results/x y missing\n\
                        4567ef01 tree 3\nabc\n\
                        89ab blob 0\n\n";
        let files = read_batch(&answers[..], 4).expect("reads");
        assert_eq!(
            files,
            [Some(b"hello".to_vec()), None, None, Some(Vec::new())]
        );
        // Fewer answers than asked: git stopped, which is an error, not missing files.
        assert!(read_batch(&answers[..], 5).is_err());
        assert!(read_batch(&b"0123 blob 10\nshort\n"[..], 1).is_err());
    }
}
