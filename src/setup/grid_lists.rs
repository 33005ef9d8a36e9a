//! `sweep --threads` and `--backends`: the grid's thread counts and backends
//! from their comma lists.

use super::Failure;
use crate::bounds;
use crate::spec::BackendKind;

/// Parses `--threads`: a comma list of counts and inclusive ranges,
/// e.g. `1,2,4,8`, `1..4`, `1-4`, `1..=4`, `1-3,8`. Sorted, duplicates removed.
pub fn parse_thread_list(text: &str) -> Result<Vec<usize>, Failure> {
    let bad = |why: &str| {
        Failure::Usage(format!(
            "--threads {text:?}: {why}; expected counts like 1,2,4,8 or a range like 1..4"
        ))
    };
    let count = |s: &str| -> Result<usize, Failure> {
        let n: usize = s
            .trim()
            .parse()
            .map_err(|_| bad(&format!("{:?} is not a thread count", s.trim())))?;
        if n == 0 {
            return Err(bad("thread counts start at 1"));
        }
        if n > bounds::POOL_THREADS_MAX {
            return Err(bad(&format!(
                "{n} is more than {} threads",
                bounds::POOL_THREADS_MAX
            )));
        }
        Ok(n)
    };
    let mut out = Vec::new();
    for item in text.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err(bad("empty item"));
        }
        let range = item
            .split_once("..=")
            .or_else(|| item.split_once(".."))
            .or_else(|| item.split_once('-'));
        match range {
            Some((lo, hi)) => {
                let (lo, hi) = (count(lo)?, count(hi)?);
                if lo > hi {
                    return Err(bad(&format!("range {item} runs backwards")));
                }
                out.extend(lo..=hi);
            }
            None => out.push(count(item)?),
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Parses `--backends`: `all` or a comma list of backend names, in the order
/// given, duplicates removed.
pub fn parse_backend_list(text: &str) -> Result<Vec<BackendKind>, Failure> {
    let names: Vec<&str> = BackendKind::ALL.iter().map(|b| b.name()).collect();
    if text.trim() == "all" {
        return Ok(BackendKind::ALL.to_vec());
    }
    let mut out = Vec::new();
    for item in text.split(',').map(str::trim) {
        let backend = BackendKind::ALL
            .into_iter()
            .find(|b| b.name() == item)
            .ok_or_else(|| {
                Failure::Usage(format!(
                    "--backends {text:?}: unknown backend {item:?}, expected all or a list of {}",
                    names.join(", ")
                ))
            })?;
        if !out.contains(&backend) {
            out.push(backend);
        }
    }
    Ok(out)
}
