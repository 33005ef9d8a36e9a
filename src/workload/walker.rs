//! Walking a `--path` tree on its own thread, one TaskInput per entry.
//!
//! Symlinks are followed (a linked file is processed as its target, a linked
//! directory is descended) because "every file in this tree" includes what the
//! tree links to. walkdir detects links back to an ancestor and reports them;
//! dangling links and self-referencing links fail at `stat`. Each of these
//! becomes a `TaskInput::Invalid` with the reason, never a hang. Caveat:
//! following a link into /proc or /sys reaches pseudo-files whose reads may
//! block; loadlab does not guard against that.

use std::path::{Path, PathBuf};
use std::thread::{self, JoinHandle};

use tokio::sync::mpsc::Sender;
use walkdir::{DirEntry, WalkDir};

use crate::workload::TaskInput;
use crate::workload::file_open::{describe_walked_stat_error, not_regular};

/// Walks `root` (file or directory, recursive, sorted by name so the order is deterministic) on a
/// new OS thread named "walker", sending one TaskInput per entry with tx.blocking_send. Regular
/// files -> TaskInput::File; entries that cannot be processed -> TaskInput::Invalid{name, error}.
/// With `repeat`, starts over when done (for --duration runs) until the receiver is dropped; an
/// empty tree with repeat must not spin (send nothing more and return). Returns when the receiver
/// is dropped or the walk ends. The channel's capacity is what bounds the walk ahead of the workers.
pub fn spawn_walker(
    root: PathBuf,
    repeat: bool,
    tx: Sender<TaskInput>,
) -> std::io::Result<JoinHandle<()>> {
    thread::Builder::new()
        .name("walker".to_string())
        .spawn(move || walk_until_done(&root, repeat, &tx))
}

fn walk_until_done(root: &Path, repeat: bool, tx: &Sender<TaskInput>) {
    loop {
        let mut sent = 0u64;
        for input in walk_entries(root) {
            // Checked per entry, directories included, so a dropped receiver
            // stops a walk through a tree of empty directories too.
            if tx.is_closed() {
                return;
            }
            let Some(input) = input else { continue };
            if tx.blocking_send(input).is_err() {
                return;
            }
            sent += 1;
        }
        // A pass that yields nothing would yield nothing again: stop instead of spinning.
        if !repeat || sent == 0 || tx.is_closed() {
            return;
        }
    }
}

/// One pass over the tree: every non-directory entry and every walk error, in name order.
pub fn walk_inputs(root: &Path) -> impl Iterator<Item = TaskInput> + '_ {
    walk_entries(root).flatten()
}

/// Every walk entry in name order: None for a directory, else its task input.
fn walk_entries(root: &Path) -> impl Iterator<Item = Option<TaskInput>> + '_ {
    WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .map(move |entry| match entry {
            Ok(entry) => entry_input(root, &entry),
            Err(error) => Some(error_input(root, &error)),
        })
}

fn entry_input(root: &Path, entry: &DirEntry) -> Option<TaskInput> {
    // With follow_links the type is the link target's.
    let file_type = entry.file_type();
    let name = relative_name(root, entry.path());
    if file_type.is_dir() {
        None
    } else if file_type.is_file() {
        Some(TaskInput::File {
            path: entry.path().to_path_buf(),
            name,
        })
    } else {
        Some(TaskInput::Invalid {
            name,
            error: not_regular(file_type),
        })
    }
}

fn error_input(root: &Path, error: &walkdir::Error) -> TaskInput {
    let path = error.path().unwrap_or(root);
    let name = relative_name(root, path);
    let reason = if let Some(ancestor) = error.loop_ancestor() {
        let ancestor = ancestor.strip_prefix(root).unwrap_or(ancestor);
        let ancestor = match ancestor.as_os_str().is_empty() {
            true => ".".into(),
            false => ancestor.to_string_lossy(),
        };
        format!("symlink loop: points to its ancestor {ancestor}")
    } else if let Some(io_error) = error.io_error() {
        describe_walked_stat_error(path, io_error)
    } else {
        error.to_string()
    };
    TaskInput::Invalid {
        name,
        error: reason,
    }
}

/// The path relative to the walk root, lossy UTF-8 (the real path is kept
/// separately, so non-UTF-8 names still open). A root that is itself a file is
/// named by its file name, so the checksum does not depend on where it lives.
pub fn relative_name(root: &Path, path: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_string_lossy().into_owned(),
        Ok(_) => root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| root.to_string_lossy().into_owned()),
        Err(_) => path.to_string_lossy().into_owned(),
    }
}
