//! Every file loadlab writes (`--record`, `sweep --plot`, dashboard exports)
//! is opened here. A new file is created (O_CREAT|O_EXCL): an existing file is
//! never truncated or appended to, and a symbolic link at the name is never
//! followed. The open never waits (O_NONBLOCK), so a FIFO or a device swapped
//! in at the name cannot hang the process; the result is checked to be the
//! regular file just created before anything is written.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::Path;

/// What to do when something already has the name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Refuse whatever it is.
    Refuse,
    /// Write to an existing character device (`/dev/null`, a terminal) as it
    /// is; refuse anything else. Recordings allow this.
    WriteCharDevice,
}

/// Creates `path` as a new regular file, or (with [`Existing::WriteCharDevice`])
/// opens the character device already there. A refusal has the kind
/// [`io::ErrorKind::AlreadyExists`] and a reason without the name (callers
/// prefix the flag and name they know); see [`is_refusal`].
pub fn create(path: &Path, existing: Existing) -> io::Result<File> {
    let created = OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path);
    match created {
        Ok(file) => {
            if !file.metadata()?.file_type().is_file() {
                return Err(refusal("is not a regular file; not written"));
            }
            blocking(file)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => open_existing(path, existing),
        Err(e) => Err(e),
    }
}

/// True for an error of [`create`] that refused an existing name (a usage
/// error: choose another name), false for any other failure.
pub fn is_refusal(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::AlreadyExists
}

/// Removes `path` if it is still the file `file` created (a file that was
/// never written, e.g. a plot of a run that measured nothing). Anything put
/// at the name since is left alone.
pub fn remove_if_same(path: &Path, file: &File) {
    let (Ok(ours), Ok(there)) = (file.metadata(), std::fs::symlink_metadata(path)) else {
        return;
    };
    if ours.dev() == there.dev() && ours.ino() == there.ino() {
        let _ = std::fs::remove_file(path);
    }
}

fn refusal(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::AlreadyExists, why.to_string())
}

fn open_existing(path: &Path, existing: Existing) -> io::Result<File> {
    let kind = std::fs::symlink_metadata(path)?.file_type();
    if kind.is_symlink() {
        return Err(refusal("is a symbolic link; loadlab never follows one"));
    }
    if kind.is_dir() {
        return Err(refusal("is a directory; expected a new file's name"));
    }
    if kind.is_fifo() {
        return Err(refusal("is a FIFO; loadlab writes only new files"));
    }
    if existing == Existing::Refuse || !kind.is_char_device() {
        return Err(refusal(
            "already exists; loadlab never overwrites a file: remove it or choose a new name",
        ));
    }
    // O_NONBLOCK: if the name was swapped for a FIFO since the check, the
    // open fails at once instead of waiting for a reader.
    let file = OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    if !file.metadata()?.file_type().is_char_device() {
        return Err(refusal("changed while being opened; not written"));
    }
    blocking(file)
}

/// Writes wait again once the file is known to be what was asked for.
fn blocking(file: File) -> io::Result<File> {
    let flags = rustix::fs::fcntl_getfl(&file)?;
    rustix::fs::fcntl_setfl(&file, flags - rustix::fs::OFlags::NONBLOCK)?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(path: &Path, existing: Existing) -> String {
        let error = create(path, existing).expect_err("must be refused");
        assert!(is_refusal(&error), "{error}");
        error.to_string()
    }

    #[test]
    fn a_new_name_is_created_and_an_existing_file_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.txt");
        create(&path, Existing::Refuse).expect("new file");
        assert!(path.is_file());
        std::fs::write(&path, "keep").expect("write");
        for existing in [Existing::Refuse, Existing::WriteCharDevice] {
            assert!(refused(&path, existing).contains("already exists"));
        }
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "keep");
    }

    #[test]
    fn links_directories_and_fifos_are_refused_at_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("not-created");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).expect("link");
        assert!(refused(&link, Existing::WriteCharDevice).contains("symbolic link"));
        assert!(!target.exists());
        assert!(refused(dir.path(), Existing::Refuse).contains("directory"));
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        // No reader: a blocking open would wait here forever.
        assert!(refused(&fifo, Existing::WriteCharDevice).contains("FIFO"));
    }

    #[test]
    fn a_character_device_is_written_only_when_allowed() {
        let null = Path::new("/dev/null");
        assert!(refused(null, Existing::Refuse).contains("already exists"));
        let mut file = create(null, Existing::WriteCharDevice).expect("/dev/null");
        io::Write::write_all(&mut file, b"x").expect("write");
    }

    #[test]
    fn an_unwritten_file_is_removed_but_not_a_replacement() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("plot.svg");
        let file = create(&path, Existing::Refuse).expect("new");
        remove_if_same(&path, &file);
        assert!(!path.exists());
        let file = create(&path, Existing::Refuse).expect("new again");
        std::fs::remove_file(&path).expect("remove");
        std::fs::write(&path, "someone else's").expect("replace");
        remove_if_same(&path, &file);
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "someone else's"
        );
    }
}
