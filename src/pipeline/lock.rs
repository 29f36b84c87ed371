//! One writer per results folder: `run`, `simulate`, `plot` and `compare` hold an
//! exclusive lock on the folder they write for as long as they write it.
//!
//! Owns the lock file (`.queuelab.lock`, holding the writer's process id so a second
//! writer can name it) and clearing the temporary files a killed writer left behind. The
//! operating system releases the lock when the process ends, however it ends, so the
//! file is left in place: removing it on exit would let a third process lock a file no
//! longer in the folder.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::Failure;

/// The lock file's name inside a results folder; hidden, and ignored by git.
pub const LOCK_FILE: &str = ".queuelab.lock";

/// An exclusive hold on one folder, released when dropped (or when the process dies).
#[derive(Debug)]
pub struct FolderLock {
    _file: File,
}

impl FolderLock {
    /// Locks `dir` (which exists) or says which process holds it. Once held, removes the
    /// temporary files of writers that died before renaming them into place.
    pub fn take(dir: &Path) -> Result<FolderLock, Failure> {
        let path = dir.join(LOCK_FILE);
        let fail =
            |e: std::io::Error| Failure::Failed(format!("cannot lock {}: {e}", path.display()));
        // Not through a link (the pid would be written wherever it points, outside the
        // folder), and not waiting on a FIFO's other end.
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(&path)
            .map_err(|e| match e.raw_os_error() {
                Some(libc::ELOOP) => not_a_lock(&path, "a symbolic link"),
                // A folder, a socket or a device cannot be opened to write.
                Some(libc::EISDIR | libc::ENXIO | libc::ENODEV) => {
                    not_a_lock(&path, "not a regular file")
                }
                _ => fail(e),
            })?;
        let metadata = file.metadata().map_err(fail)?;
        if !metadata.is_file() {
            return Err(not_a_lock(&path, "not a regular file"));
        }
        // A hard link is a file elsewhere too: the pid would be written there.
        if metadata.nlink() > 1 {
            return Err(not_a_lock(&path, "a hard link to another file"));
        }
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = match holder.trim().parse::<u32>() {
                    Ok(pid) => format!("process {pid}"),
                    Err(_) => "another process".to_string(),
                };
                return Err(Failure::BadInput(format!(
                    "{} is being written by another queuelab ({holder}, which holds the \
                     lock on {}); wait for it to finish or stop it, or write elsewhere with \
                     --out",
                    dir.display(),
                    path.display()
                )));
            }
            Err(TryLockError::Error(e)) => return Err(fail(e)),
        }
        let write_pid = |file: &mut File| -> std::io::Result<()> {
            file.set_len(0)?;
            file.rewind()?;
            writeln!(file, "{}", std::process::id())?;
            file.flush()
        };
        write_pid(&mut file).map_err(fail)?;
        remove_stale_temporaries(dir);
        Ok(FolderLock { _file: file })
    }
}

/// Removes folder `dir` if it holds nothing but a lock file: a folder a command made and
/// then wrote nothing into (stopped before its first run), so it leaves none. A folder
/// holding anything else is left as it is.
pub fn remove_if_only_the_lock(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let names: Vec<_> = entries.flatten().map(|e| e.file_name()).collect();
    if names.iter().all(|n| n == LOCK_FILE) {
        let _ = fs::remove_file(dir.join(LOCK_FILE));
        let _ = fs::remove_dir(dir);
    }
}

/// The folders a command locked, and those it made (each with the highest folder above
/// it that it made too, such as `--out` itself). However the command ends (done,
/// interrupted, every run failed, an error), a folder it made, locked and wrote nothing
/// into but its lock is taken away again, with the empty folders it made above: it
/// leaves none. A folder it did not lock (another run's, made a moment before) is never
/// touched.
#[derive(Debug, Default)]
pub struct Held {
    locks: Vec<(PathBuf, FolderLock)>,
    /// Each folder made here, with the highest of its ancestors made here.
    made_here: Vec<(PathBuf, PathBuf)>,
}

impl Held {
    /// Notes `dir` as one this command makes, if it does not exist yet; before it is made.
    pub fn note_if_missing(&mut self, dir: &Path) {
        if dir.symlink_metadata().is_ok() {
            return;
        }
        let mut top = dir.to_path_buf();
        while let Some(parent) = top
            .parent()
            .filter(|p| !p.as_os_str().is_empty() && p.symlink_metadata().is_err())
        {
            top = parent.to_path_buf();
        }
        self.made_here.push((dir.to_path_buf(), top));
    }

    /// Locks `dir` (see `FolderLock::take`) until this is dropped.
    pub fn lock(&mut self, dir: &Path) -> Result<(), Failure> {
        self.locks.push((dir.to_path_buf(), FolderLock::take(dir)?));
        Ok(())
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        for (dir, lock) in self.locks.drain(..) {
            // Removed while still locked, so no other writer is inside it meanwhile.
            if let Some((_, top)) = self.made_here.iter().find(|(made, _)| *made == dir) {
                remove_if_only_the_lock(&dir);
                // Then the empty folders made above it; one holding anything stays.
                let above = dir.ancestors().skip(1).take_while(|a| a.starts_with(top));
                for folder in above {
                    if fs::remove_dir(folder).is_err() {
                        break;
                    }
                }
            }
            drop(lock);
        }
    }
}

/// Refuses a lock file queuelab did not make.
fn not_a_lock(path: &Path, what: &str) -> Failure {
    Failure::BadInput(format!(
        "{} is {what}, where queuelab keeps its lock file; remove it, and nothing it \
         points to is touched",
        path.display()
    ))
}

/// Whether `name` is one queuelab gives a temporary file: `.tmp-PID-NAME` (a
/// half-written output) or `.probe-PID` (a write check).
fn is_temporary(name: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = name.strip_prefix(".tmp-") {
        return rest
            .split_once('-')
            .is_some_and(|(pid, name)| digits(pid) && !name.is_empty());
    }
    name.strip_prefix(".probe-").is_some_and(digits)
}

/// Removes the temporary files of `is_temporary`: under the lock no other writer owns
/// them, so they are leftovers of a killed process. Other files are left alone.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let stale = is_temporary(&name);
        if stale && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_file_that_is_a_link_or_a_fifo_is_refused_and_nothing_it_names_is_written() {
        let dir = tempfile::tempdir().expect("temp dir");
        let outside = dir.path().join("outside");
        fs::write(&outside, "keep").expect("write");
        let folder = dir.path().join("results");
        fs::create_dir(&folder).expect("dir");
        std::os::unix::fs::symlink(&outside, folder.join(LOCK_FILE)).expect("link");
        let refused = FolderLock::take(&folder).expect_err("a link is not a lock");
        assert!(matches!(&refused, Failure::BadInput(m) if m.contains("symbolic link")));
        assert_eq!(fs::read_to_string(&outside).expect("read"), "keep");

        fs::remove_file(folder.join(LOCK_FILE)).expect("unlink");
        let fifo = std::ffi::CString::new(folder.join(LOCK_FILE).to_string_lossy().as_bytes())
            .expect("path");
        // SAFETY: a valid NUL-terminated path and a mode.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        let refused = FolderLock::take(&folder).expect_err("a FIFO is not a lock");
        assert!(matches!(&refused, Failure::BadInput(m) if m.contains("not a regular file")));

        fs::remove_file(folder.join(LOCK_FILE)).expect("unlink");
        fs::create_dir(folder.join(LOCK_FILE)).expect("a folder");
        let refused = FolderLock::take(&folder).expect_err("a folder is not a lock");
        assert!(matches!(&refused, Failure::BadInput(m) if m.contains("not a regular file")));

        fs::remove_dir(folder.join(LOCK_FILE)).expect("rmdir");
        fs::hard_link(&outside, folder.join(LOCK_FILE)).expect("hard link");
        let refused = FolderLock::take(&folder).expect_err("a hard link is not a lock");
        assert!(matches!(&refused, Failure::BadInput(m) if m.contains("hard link")));
        assert_eq!(fs::read_to_string(&outside).expect("read"), "keep");
    }

    #[test]
    fn only_queuelabs_own_temporary_names_are_stale() {
        for name in [".tmp-123-runs.csv", ".tmp-1-a", ".probe-42"] {
            assert!(is_temporary(name), "{name}");
        }
        for name in [
            ".tmp-notapid-x",
            ".tmp-12",
            ".tmp-12-",
            ".probe-",
            ".probe-x1",
            "x.tmp-1-a",
        ] {
            assert!(!is_temporary(name), "{name}");
        }
    }
}
