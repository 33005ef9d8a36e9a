//! Opening one file of a walk safely: special files are refused from their
//! metadata (never opened), and a file swapped or rewritten under us is caught.

use std::fs::{self, File, FileType, Metadata, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::Path;

use super::TaskFailure;

/// Read size of the streaming kernels: memory per task stays at one chunk.
pub const CHUNK_LEN: usize = 64 * 1024;

/// The cause of a failed `stat` (which follows symlinks), as a one-line reason.
pub fn describe_stat_error(path: &Path, error: &io::Error) -> String {
    if error.raw_os_error() == Some(libc::ELOOP) {
        return "symlink loop".to_string();
    }
    if error.kind() == io::ErrorKind::NotFound
        && fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
    {
        return "dangling symlink: target missing".to_string();
    }
    error.to_string()
}

/// Like `describe_stat_error`, for an entry the walk has already seen: a
/// missing one vanished since.
pub fn describe_walked_stat_error(path: &Path, error: &io::Error) -> String {
    match describe_stat_error(path, error) {
        reason if error.kind() == io::ErrorKind::NotFound && !reason.starts_with("dangling") => {
            format!("file vanished: {reason}")
        }
        reason => reason,
    }
}

/// The reason a non-regular entry cannot be a task, e.g. "not a regular file (FIFO)".
pub fn not_regular(file_type: FileType) -> String {
    let kind = if file_type.is_fifo() {
        "FIFO"
    } else if file_type.is_socket() {
        "socket"
    } else if file_type.is_char_device() {
        "character device"
    } else if file_type.is_block_device() {
        "block device"
    } else if file_type.is_dir() {
        "directory"
    } else if file_type.is_symlink() {
        "symlink"
    } else {
        "unknown file type"
    };
    format!("not a regular file ({kind})")
}

/// A regular file opened for reading, with the metadata it had when opened.
pub struct OpenedFile {
    pub file: File,
    pub opened: Metadata,
}

/// Opens `path` if it is a regular file. The type is checked with `stat`
/// first, so FIFOs and devices are never opened; the open itself uses
/// O_NONBLOCK so a FIFO swapped in after the check cannot block us, and the
/// opened file must be the one that was checked.
pub fn open_regular(path: &Path) -> Result<OpenedFile, TaskFailure> {
    let checked = fs::metadata(path)
        .map_err(|e| TaskFailure::Unreachable(describe_walked_stat_error(path, &e)))?;
    if !checked.is_file() {
        return Err(TaskFailure::NotRegular(not_regular(checked.file_type())));
    }
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => TaskFailure::Unreachable(format!("file vanished: {e}")),
            _ => TaskFailure::Io(e),
        })?;
    let opened = file.metadata()?;
    if !opened.is_file() || opened.dev() != checked.dev() || opened.ino() != checked.ino() {
        return Err(TaskFailure::Replaced);
    }
    Ok(OpenedFile { file, opened })
}

impl OpenedFile {
    /// Length when opened.
    pub fn len(&self) -> u64 {
        self.opened.len()
    }

    /// Is the file empty (when opened)?
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Streams the whole file through `each` in `CHUNK_LEN` pieces and returns
    /// the bytes read. Fails if the file grows past its opened length (so an
    /// endlessly appended file cannot keep a worker forever) or changes.
    pub fn stream(
        &mut self,
        mut each: impl FnMut(&[u8]) -> Result<(), TaskFailure>,
    ) -> Result<u64, TaskFailure> {
        let mut buffer = vec![0u8; CHUNK_LEN];
        let mut total = 0u64;
        let expected = self.len();
        loop {
            match self.file.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => {
                    total += n as u64;
                    if total > expected {
                        return Err(TaskFailure::ChangedDuringRead);
                    }
                    each(&buffer[..n])?;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(TaskFailure::Io(e)),
            }
        }
        if total != expected {
            return Err(TaskFailure::ChangedDuringRead);
        }
        self.check_unchanged()?;
        Ok(total)
    }

    /// Fails if size, modification or change time moved since the file was opened.
    pub fn check_unchanged(&self) -> Result<(), TaskFailure> {
        let now = self.file.metadata()?;
        let before = &self.opened;
        let same = now.len() == before.len()
            && now.mtime() == before.mtime()
            && now.mtime_nsec() == before.mtime_nsec()
            && now.ctime() == before.ctime()
            && now.ctime_nsec() == before.ctime_nsec();
        if same {
            Ok(())
        } else {
            Err(TaskFailure::ChangedDuringRead)
        }
    }
}
