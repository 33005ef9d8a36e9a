//! `/work`'s query string: `kernel=K&size=S[&seed=N]`, checked with the same
//! bounds as the flags. Every refusal names the parameter and the cause.

use crate::bounds::{OutOfBounds, QUERY_MAX_CHARS};
use crate::engine::single_task::SingleTask;
use crate::spec::Kernel;

/// Why a `/work` query was refused: the parameter and the cause, one line
/// (the 400 answer's `error`). Values and unknown names are shown quoted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BadQuery {
    #[error("query: longer than {max} characters")]
    TooLong { max: usize },
    /// A parameter's name or value that does not decode.
    #[error("{parameter}: {cause}")]
    Undecodable { parameter: String, cause: Unusable },
    #[error("{0}: unknown parameter (expected kernel, size, seed)")]
    Unknown(String),
    #[error("{0}: given twice")]
    GivenTwice(String),
    #[error("kernel: missing (one of {expected})")]
    NoKernel { expected: String },
    #[error("kernel: {given} is not a kernel /work runs (one of {expected})")]
    NotAKernel { given: String, expected: String },
    #[error("size: {0}")]
    Size(Unusable),
    #[error("seed: {0}")]
    Seed(Unusable),
}

/// Why one text of the query cannot be used (the text shown quoted).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unusable {
    #[error("{0} has a % not followed by two hex digits")]
    BadEscape(String),
    #[error("{0} is not UTF-8 once decoded")]
    NotUtf8(String),
    #[error("{0} is not a whole number of 0 or more")]
    NotWhole(String),
    #[error(transparent)]
    OutOfBounds(#[from] OutOfBounds),
}

/// The task a `/work` query asks for; `size` defaults to the kernel's default
/// size and `seed` to `default_seed`.
pub fn work_task(query: Option<&str>, default_seed: u64) -> Result<SingleTask, BadQuery> {
    let query = query.unwrap_or("");
    if query.len() > QUERY_MAX_CHARS {
        return Err(BadQuery::TooLong {
            max: QUERY_MAX_CHARS,
        });
    }
    let (mut kernel, mut size, mut seed) = (None, None, None);
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decoded(name).map_err(|cause| BadQuery::Undecodable {
            parameter: shown(name),
            cause,
        })?;
        let value = decoded(value).map_err(|cause| BadQuery::Undecodable {
            parameter: name.clone(),
            cause,
        })?;
        let slot = match name.as_str() {
            "kernel" => &mut kernel,
            "size" => &mut size,
            "seed" => &mut seed,
            other => return Err(BadQuery::Unknown(shown(other))),
        };
        if slot.replace(value).is_some() {
            return Err(BadQuery::GivenTwice(name));
        }
    }
    let expected = || {
        synthetic_kernels()
            .map(Kernel::name)
            .collect::<Vec<&str>>()
            .join(", ")
    };
    let kernel = match kernel.as_deref() {
        None => {
            return Err(BadQuery::NoKernel {
                expected: expected(),
            });
        }
        Some(text) => Kernel::from_name(text)
            .filter(|k| k.is_synthetic())
            .ok_or_else(|| BadQuery::NotAKernel {
                given: shown(text),
                expected: expected(),
            })?,
    };
    let size = match size.as_deref() {
        None => kernel.default_size(),
        Some(text) => {
            let size = whole(text).map_err(BadQuery::Size)?;
            crate::spec::limits::check_size(kernel, size)
                .map_err(|cause| BadQuery::Size(cause.into()))?
        }
    };
    let seed = match seed.as_deref() {
        None => default_seed,
        Some(text) => whole(text).map_err(BadQuery::Seed)?,
    };
    Ok(SingleTask { kernel, size, seed })
}

/// A query component as sent: `%XX` escapes decoded, `+` a space (HTML
/// forms send it so); the result must be UTF-8.
fn decoded(text: &str) -> Result<String, Unusable> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'%' => {
                let byte = bytes
                    .get(at + 1..at + 3)
                    .and_then(|hex| std::str::from_utf8(hex).ok())
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                    .ok_or_else(|| Unusable::BadEscape(shown(text)))?;
                out.push(byte);
                at += 3;
            }
            b'+' => {
                out.push(b' ');
                at += 1;
            }
            byte => {
                out.push(byte);
                at += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| Unusable::NotUtf8(shown(text)))
}

fn synthetic_kernels() -> impl Iterator<Item = Kernel> {
    Kernel::all().into_iter().filter(|k| k.is_synthetic())
}

fn whole(text: &str) -> Result<u64, Unusable> {
    text.parse::<u64>()
        .map_err(|_| Unusable::NotWhole(shown(text)))
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
    fn percent_escapes_are_decoded() {
        let task = work_task(Some("k%65rnel=%73pin&size=%31%30&seed=%2D1"), 7);
        // Decoded, not dropped: "-1" is refused as itself.
        assert_eq!(
            task.unwrap_err().to_string(),
            "seed: \"-1\" is not a whole number of 0 or more"
        );
        let task = work_task(Some("kernel=%73pin&size=%31%30"), 7).unwrap();
        assert_eq!((task.kernel, task.size), (Kernel::Spin, 10));
        for (query, expected) in [
            ("kernel=spin&size=%3", "size: \"%3\" has a % not"),
            ("kernel=spin&size=%zz", "size: \"%zz\" has a % not"),
            ("kernel=spin&size=%ff", "size: \"%ff\" is not UTF-8"),
            ("kernel=spin&size=1+0", "size: \"1 0\" is not"),
        ] {
            let error = work_task(Some(query), 7).unwrap_err().to_string();
            assert!(error.starts_with(expected), "{query:?}: {error}");
        }
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
            let error = work_task(query, 7).unwrap_err().to_string();
            assert!(error.starts_with(expected), "{query:?}: {error}");
        }
        let long = "a".repeat(2000);
        assert!(
            work_task(Some(&long), 7)
                .unwrap_err()
                .to_string()
                .starts_with("query:")
        );
    }
}
