//! File workloads: one task per regular file of a `--path` tree, with a
//! digest that depends only on the file's name and contents.

use std::fs;
use std::path::{Path, PathBuf};

use crate::spec::Kernel;
use crate::workload::file_kernels::{compress_file, count_file, hash_file, thumbnail_file_while};
use crate::workload::file_open::{describe_stat_error, not_regular};
use crate::workload::seed_mix::digest_u64;
use crate::workload::{TaskFailure, TaskOutput};

pub use crate::workload::walker::spawn_walker;

/// Runs one file kernel on one regular file. `name` is the path relative to the walk root.
/// digest depends only on the file's name and contents; bytes_in = bytes read.
pub fn run_file(kernel: Kernel, path: &Path, name: &str) -> Result<TaskOutput, TaskFailure> {
    run_file_while(kernel, path, name, &|| true)
}

/// `run_file`, giving up while waiting for memory budget once `still_wanted()`
/// turns false.
pub fn run_file_while(
    kernel: Kernel,
    path: &Path,
    name: &str,
    still_wanted: &dyn Fn() -> bool,
) -> Result<TaskOutput, TaskFailure> {
    let (result, bytes_in, bytes_out): (Vec<u8>, u64, u64) = match kernel {
        Kernel::Hash => {
            let h = hash_file(path)?;
            (h.hash.as_bytes().to_vec(), h.bytes, 0)
        }
        Kernel::Count => {
            let c = count_file(path)?;
            (
                [c.lines, c.words, c.bytes].map(u64::to_le_bytes).concat(),
                c.bytes,
                0,
            )
        }
        Kernel::Compress => {
            let c = compress_file(path)?;
            let mut result = c.bytes_out.to_le_bytes().to_vec();
            result.extend_from_slice(c.content_hash.as_bytes());
            (result, c.bytes_in, c.bytes_out)
        }
        Kernel::Resize => {
            let t = thumbnail_file_while(path, still_wanted)?;
            (
                blake3::hash(&t.png).as_bytes().to_vec(),
                t.bytes_in,
                t.png.len() as u64,
            )
        }
        Kernel::Spin
        | Kernel::Sumsq
        | Kernel::SumsqSplit
        | Kernel::Argon2
        | Kernel::Sleep
        | Kernel::Mixed
        | Kernel::Custom(_) => {
            return Err(TaskFailure::NotAFileKernel(kernel));
        }
    };
    Ok(TaskOutput {
        digest: file_digest(kernel, name, &result),
        bytes_in,
        bytes_out,
    })
}

/// Digest of a file task: kernel, name and the kernel's result, length-prefixed
/// so (name, result) pairs cannot run into each other.
fn file_digest(kernel: Kernel, name: &str, result: &[u8]) -> u64 {
    let mut hasher = blake3::Hasher::new();
    hasher.update(kernel.name().as_bytes());
    hasher.update(&(name.len() as u64).to_le_bytes());
    hasher.update(name.as_bytes());
    hasher.update(result);
    digest_u64(&hasher.finalize())
}

/// Why a workload's path cannot be walked: the path and the cause, e.g.
/// "path /x: No such file or directory (os error 2)".
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("path {}: {reason}", .path.display())]
pub struct BadRoot {
    pub path: PathBuf,
    pub reason: String,
}

/// Checks a workload's path before a run: it exists and is a readable
/// directory or a file.
pub fn check_root(root: &Path) -> Result<(), BadRoot> {
    let fail = |reason: String| {
        Err(BadRoot {
            path: root.to_path_buf(),
            reason,
        })
    };
    let meta = match fs::metadata(root) {
        Ok(meta) => meta,
        Err(e) => return fail(describe_stat_error(root, &e)),
    };
    if meta.is_dir() {
        // Catch an unreadable root now rather than as a single failed task.
        match fs::read_dir(root) {
            Ok(_) => Ok(()),
            Err(e) => fail(e.to_string()),
        }
    } else if meta.is_file() {
        Ok(())
    } else {
        fail(format!(
            "{}; expected a file or a directory",
            not_regular(meta.file_type())
        ))
    }
}
