//! `/work`'s query string: `kernel=K&size=S[&seed=N]`, checked with the same
//! bounds as the flags. Every refusal names the parameter and the cause.

use crate::bounds;
use crate::engine::single_task::SingleTask;
use crate::spec::Kernel;

/// Longest query string read (longer ones are refused, not parsed).
const QUERY_MAX_CHARS: usize = 1024;

/// The task a `/work` query asks for; `size` defaults to the kernel's default
/// size and `seed` to `default_seed`.
pub fn work_task(query: Option<&str>, default_seed: u64) -> Result<SingleTask, String> {
    let query = query.unwrap_or("");
    if query.len() > QUERY_MAX_CHARS {
        return Err(format!("query: longer than {QUERY_MAX_CHARS} characters"));
    }
    let (mut kernel, mut size, mut seed) = (None, None, None);
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let slot = match name {
            "kernel" => &mut kernel,
            "size" => &mut size,
            "seed" => &mut seed,
            other => {
                return Err(format!(
                    "{}: unknown parameter (expected kernel, size, seed)",
                    shown(other)
                ));
            }
        };
        if slot.replace(value).is_some() {
            return Err(format!("{name}: given twice"));
        }
    }
    let names: Vec<&str> = synthetic_kernels().map(Kernel::name).collect();
    let kernel = match kernel {
        None => return Err(format!("kernel: missing (one of {})", names.join(", "))),
        Some(text) => Kernel::from_name(text)
            .filter(|k| k.is_synthetic())
            .ok_or_else(|| {
                format!(
                    "kernel: {} is not a kernel /work runs (one of {})",
                    shown(text),
                    names.join(", ")
                )
            })?,
    };
    let size = match size {
        None => kernel.default_size(),
        Some(text) => {
            let size = whole(text).map_err(|cause| format!("size: {cause}"))?;
            bounds::check_size(kernel, size).map_err(|cause| format!("size: {cause}"))?
        }
    };
    let seed = match seed {
        None => default_seed,
        Some(text) => whole(text).map_err(|cause| format!("seed: {cause}"))?,
    };
    Ok(SingleTask { kernel, size, seed })
}

fn synthetic_kernels() -> impl Iterator<Item = Kernel> {
    Kernel::all().into_iter().filter(|k| k.is_synthetic())
}

fn whole(text: &str) -> Result<u64, String> {
    text.parse::<u64>()
        .map_err(|_| format!("{} is not a whole number of 0 or more", shown(text)))
}

/// A value as an error message shows it: quoted, control characters escaped,
/// cut short when long.
fn shown(text: &str) -> String {
    let cut: String = text.chars().take(40).collect();
    let more = if cut.len() < text.len() { "..." } else { "" };
    format!("{:?}{more}", crate::format::escape_control(&cut))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_query_is_read() {
        let task = work_task(Some("kernel=argon2&size=64&seed=3"), 7).unwrap();
        assert_eq!(
            task,
            SingleTask {
                kernel: Kernel::Argon2,
                size: 64,
                seed: 3
            }
        );
    }

    #[test]
    fn size_and_seed_have_defaults() {
        let task = work_task(Some("kernel=spin"), 9).unwrap();
        assert_eq!(task.size, Kernel::Spin.default_size());
        assert_eq!(task.seed, 9);
    }

    #[test]
    fn refusals_name_the_parameter() {
        let cases = [
            (None, "kernel: missing"),
            (Some("kernel=nope"), "kernel: \"nope\" is not"),
            (Some("kernel=count"), "kernel: \"count\" is not"),
            (Some("kernel=spin&size=abc"), "size: \"abc\" is not"),
            (Some("kernel=spin&size=0"), "size: 0 is outside"),
            (
                Some("kernel=spin&size=99999999999999"),
                "size: 99999999999999 is outside",
            ),
            (Some("kernel=spin&seed=-1"), "seed: \"-1\" is not"),
            (Some("kernel=spin&kernel=hash"), "kernel: given twice"),
            (
                Some("kernel=spin&colour=red"),
                "\"colour\": unknown parameter",
            ),
        ];
        for (query, expected) in cases {
            let error = work_task(query, 7).unwrap_err();
            assert!(error.starts_with(expected), "{query:?}: {error}");
        }
        let long = "a".repeat(2000);
        assert!(work_task(Some(&long), 7).unwrap_err().starts_with("query:"));
    }
}
