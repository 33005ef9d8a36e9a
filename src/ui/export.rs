//! `e`: the displayed Snapshot as pretty JSON in the export directory, and with
//! `--export-screen` the screen as SVG and text beside it.
//!
//! Every file is created new (`crate::new_file`): an export never follows a
//! symbolic link planted at its name and never overwrites or truncates a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::metrics::snapshot::Snapshot;
use crate::new_file::{self, Existing};

/// Why `e` wrote no export.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("export: cannot encode the snapshot: {0}")]
    Encode(serde_json::Error),
    #[error("export: {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("export: {}: too many snapshots exported this second", .dir.display())]
    TooMany { dir: PathBuf },
}

/// Names tried per second before giving up.
const ATTEMPTS: u32 = 100;

/// Writes `loadlab-snapshot-<unix_ts>.json` (or `...-<unix_ts>-2.json` and so on
/// if that name is taken) into `dir`; never overwrites a file.
pub fn write_snapshot(
    dir: &Path,
    snapshot: &Snapshot,
    unix_ts: u64,
) -> Result<PathBuf, ExportError> {
    write_export(dir, snapshot, unix_ts, &[])
}

/// Like `write_snapshot`, plus one file per `(extension, content)` of `extra`
/// under the same name: the first name free for every file is used.
/// Returns the JSON file's path.
pub fn write_export(
    dir: &Path,
    snapshot: &Snapshot,
    unix_ts: u64,
    extra: &[(&str, String)],
) -> Result<PathBuf, ExportError> {
    let mut json = serde_json::to_string_pretty(snapshot).map_err(ExportError::Encode)?;
    json.push('\n');
    let mut files: Vec<(&str, &str)> = vec![("json", json.as_str())];
    files.extend(extra.iter().map(|(ext, content)| (*ext, content.as_str())));
    for attempt in 1..ATTEMPTS {
        let stem = if attempt == 1 {
            format!("loadlab-snapshot-{unix_ts}")
        } else {
            format!("loadlab-snapshot-{unix_ts}-{attempt}")
        };
        match create_all(dir, &stem, &files) {
            Ok(path) => return Ok(path),
            Err(Refused::Taken) => continue,
            Err(Refused::Failed(error)) => return Err(error),
        }
    }
    Err(ExportError::TooMany {
        dir: dir.to_path_buf(),
    })
}

enum Refused {
    /// A file (or a link) already has one of the names: try the next stem.
    Taken,
    Failed(ExportError),
}

/// Creates `stem.<ext>` for every file, all or none: on a failure the files
/// this call created are removed again (they are ours, nothing else is).
fn create_all(dir: &Path, stem: &str, files: &[(&str, &str)]) -> Result<PathBuf, Refused> {
    let mut created: Vec<PathBuf> = Vec::with_capacity(files.len());
    let result = files.iter().try_for_each(|(extension, content)| {
        let path = dir.join(format!("{stem}.{extension}"));
        let mut file = match new_file::create(&path, Existing::Refuse) {
            Ok(file) => file,
            Err(e) if new_file::is_refusal(&e) => return Err(Refused::Taken),
            Err(source) => return Err(Refused::Failed(ExportError::Write { path, source })),
        };
        created.push(path.clone());
        file.write_all(content.as_bytes())
            .and_then(|()| file.flush())
            .map_err(|source| Refused::Failed(ExportError::Write { path, source }))
    });
    match result {
        Ok(()) => Ok(dir.join(format!("{stem}.json"))),
        Err(refused) => {
            for path in &created {
                let _ = std::fs::remove_file(path);
            }
            Err(refused)
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_json_that_reads_back_and_never_overwrites() {
        let dir = tempfile::tempdir().expect("tempdir");
        let snapshot = Snapshot {
            seq: 42,
            ..Snapshot::default()
        };
        let first = write_snapshot(dir.path(), &snapshot, 1_700_000_000).expect("first export");
        let second = write_snapshot(dir.path(), &snapshot, 1_700_000_000).expect("second export");
        assert!(first.ends_with("loadlab-snapshot-1700000000.json"));
        assert!(second.ends_with("loadlab-snapshot-1700000000-2.json"));
        let text = std::fs::read_to_string(&first).expect("read back");
        let back: Snapshot = serde_json::from_str(&text).expect("valid json");
        assert_eq!(back, snapshot);
    }

    #[test]
    fn planted_links_are_never_followed_nor_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "keep me").expect("victim");
        // Links at the first name's svg and text: that name is skipped whole.
        for extension in ["svg", "txt"] {
            std::os::unix::fs::symlink(
                &victim,
                dir.path().join(format!("loadlab-snapshot-7.{extension}")),
            )
            .expect("plant link");
        }
        let extra = [("svg", "<svg/>".to_string()), ("txt", "screen".to_string())];
        let path = write_export(dir.path(), &Snapshot::default(), 7, &extra).expect("export");
        assert!(
            path.ends_with("loadlab-snapshot-7-2.json"),
            "{}",
            path.display()
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("loadlab-snapshot-7-2.txt")).expect("txt"),
            "screen"
        );
        assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "keep me");
        // The first attempt's json was created then removed: none is left behind.
        assert!(!dir.path().join("loadlab-snapshot-7.json").exists());
    }

    #[test]
    fn missing_directory_is_named_in_the_error() {
        let err = write_snapshot(Path::new("/no/such/dir"), &Snapshot::default(), 1)
            .expect_err("must fail")
            .to_string();
        assert!(err.contains("/no/such/dir"), "{err}");
    }
}
