//! `e`: the displayed Snapshot as pretty JSON in the export directory.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use crate::metrics::snapshot::Snapshot;

/// Writes `loadlab-snapshot-<unix_ts>.json` (or `...-<unix_ts>-2.json` and so on
/// if that name is taken) into `dir`; never overwrites a file.
pub fn write_snapshot(dir: &Path, snapshot: &Snapshot, unix_ts: u64) -> Result<PathBuf, String> {
    let json = serde_json::to_string_pretty(snapshot)
        .map_err(|e| format!("export: cannot encode the snapshot: {e}"))?;
    for attempt in 1..100 {
        let name = if attempt == 1 {
            format!("loadlab-snapshot-{unix_ts}.json")
        } else {
            format!("loadlab-snapshot-{unix_ts}-{attempt}.json")
        };
        let path = dir.join(name);
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                file.write_all(json.as_bytes())
                    .and_then(|()| file.write_all(b"\n"))
                    .map_err(|e| format!("export: {}: {e}", path.display()))?;
                return Ok(path);
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("export: {}: {e}", path.display())),
        }
    }
    Err(format!(
        "export: {}: too many snapshots exported this second",
        dir.display()
    ))
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
    fn missing_directory_is_named_in_the_error() {
        let err = write_snapshot(Path::new("/no/such/dir"), &Snapshot::default(), 1)
            .expect_err("must fail");
        assert!(err.contains("/no/such/dir"), "{err}");
    }
}
