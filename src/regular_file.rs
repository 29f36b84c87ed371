//! Reading files a person may have pointed anywhere: an experiment, or the records of a
//! results folder (`runs.csv`, `meta.json`, the experiment's copy). Only regular files
//! are opened, so a FIFO, a device or a link to `/dev/zero` is refused at once instead
//! of blocking forever or filling memory. Owns no file format.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum Unreadable {
    #[error("not a regular file (a FIFO, a device or a folder)")]
    NotRegular,
    #[error("larger than {} KiB", max_bytes / 1024)]
    TooLarge { max_bytes: u64 },
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
}

/// Opens `path` if it is a regular file. It is looked at before it is opened: opening a
/// FIFO blocks until someone writes to it.
pub fn open(path: &Path) -> Result<File, Unreadable> {
    if !std::fs::metadata(path)?.is_file() {
        return Err(Unreadable::NotRegular);
    }
    Ok(File::open(path)?)
}

/// The whole of `path` if it is a regular file, however large (a `runs.csv` grows with
/// its sweep; its reader streams it where it can).
pub fn read_all(path: &Path) -> Result<Vec<u8>, Unreadable> {
    let mut bytes = Vec::new();
    open(path)?.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The bytes of `path` if it is a regular file of at most `max_bytes`.
pub fn read(path: &Path, max_bytes: u64) -> Result<Vec<u8>, Unreadable> {
    let mut bytes = Vec::new();
    open(path)?.take(max_bytes + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(Unreadable::TooLarge { max_bytes });
    }
    Ok(bytes)
}

/// The text of `path` if it is a regular file of at most `max_bytes` of UTF-8.
pub fn read_text(path: &Path, max_bytes: u64) -> Result<String, Unreadable> {
    let bytes = read(path, max_bytes)?;
    String::from_utf8(bytes)
        .map_err(|e| Unreadable::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_of_bounded_size_are_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("a.csv");
        std::fs::write(&file, "12345").expect("write");
        assert_eq!(read(&file, 5).expect("read"), b"12345");
        assert!(matches!(
            read(&file, 4),
            Err(Unreadable::TooLarge { max_bytes: 4 })
        ));
        assert!(matches!(read(dir.path(), 5), Err(Unreadable::NotRegular)));
        // Neither blocks nor fills memory: refused before it is opened.
        assert!(matches!(
            read(Path::new("/dev/zero"), 5),
            Err(Unreadable::NotRegular)
        ));
        let fifo = dir.path().join("fifo");
        let name = std::ffi::CString::new(fifo.to_string_lossy().as_bytes()).expect("path");
        // SAFETY: mkfifo reads one NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        assert!(matches!(open(&fifo), Err(Unreadable::NotRegular)));
        assert!(matches!(
            read(&dir.path().join("none"), 5),
            Err(Unreadable::Io(_))
        ));
    }
}
