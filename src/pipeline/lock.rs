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
use std::path::Path;

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
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(fail)?;
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
                    "{} is being written by another queuelab ({holder}); wait for it to \
                     finish or stop it, or write elsewhere with --out",
                    dir.display()
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

/// Removes `.tmp-*` (half-written outputs) and `.probe-*` (write checks) files: under the
/// lock no other writer owns them, so they are leftovers of a killed process.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let stale = name.starts_with(".tmp-") || name.starts_with(".probe-");
        if stale && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}
