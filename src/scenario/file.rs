//! Reading a scenario file safely: whatever the path names, loadlab neither
//! blocks on it nor reads more than the size limit.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::bounds::SCENARIO_FILE_MAX_BYTES;
use crate::workload::file_open::not_regular;

/// Why a small text file could not be read; one line, without the file's
/// name (the caller puts it in front).
#[derive(Debug, thiserror::Error)]
pub enum UnreadableText {
    #[error("cannot read: {0}")]
    Read(std::io::Error),
    #[error("cannot stat: {0}")]
    Stat(std::io::Error),
    #[error("{kind}; expected {what}")]
    NotRegular { kind: String, what: String },
    #[error(
        "larger than {} KiB; loadlab reads only short TOML files here",
        SCENARIO_FILE_MAX_BYTES >> 10
    )]
    TooLarge,
    #[error("not UTF-8 text (invalid byte at offset {offset})")]
    NotUtf8 { offset: usize },
}

/// The file's text, or a one-line reason. Opened with O_NONBLOCK so a FIFO
/// without a writer cannot hang the open, then refused unless it is a regular
/// file; the size is checked before reading and the read is capped in case
/// the file grows meanwhile.
pub fn read_scenario_text(path: &Path) -> Result<String, UnreadableText> {
    read_small_text(path, "a scenario file (.toml)")
}

/// The same safe read for any small text file loadlab takes (`what` names it
/// in the error: "expected {what}").
pub fn read_small_text(path: &Path, what: &str) -> Result<String, UnreadableText> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(UnreadableText::Read)?;
    let meta = file.metadata().map_err(UnreadableText::Stat)?;
    let kind = meta.file_type();
    if !kind.is_file() {
        return Err(UnreadableText::NotRegular {
            kind: not_regular(kind),
            what: what.to_string(),
        });
    }
    if meta.len() > SCENARIO_FILE_MAX_BYTES {
        return Err(UnreadableText::TooLarge);
    }
    read_capped(file)
}

fn read_capped(file: File) -> Result<String, UnreadableText> {
    let mut bytes = Vec::new();
    file.take(SCENARIO_FILE_MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(UnreadableText::Read)?;
    if bytes.len() as u64 > SCENARIO_FILE_MAX_BYTES {
        return Err(UnreadableText::TooLarge);
    }
    String::from_utf8(bytes).map_err(|e| UnreadableText::NotUtf8 {
        offset: e.utf8_error().valid_up_to(),
    })
}
