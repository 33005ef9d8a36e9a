//! Pools from thread names, since attach cannot ask the target which pool a
//! thread serves: the user's `--group REGEX=POOL` rules first (first match
//! wins), then the names runtimes give their threads, then names ending in
//! digits grouped by their stem (`db-3` is in `db`), the rest `other`.
//!
//! rayon names no thread unless the program asks (`ThreadPoolBuilder::
//! thread_name`): its threads then carry the creator's name, so they show up
//! under that name's pool or `other`. tokio names its blocking threads like
//! its workers, so `tokio` holds both.

use regex::Regex;

use super::error::AttachError;

/// How thread names map to pools.
#[derive(Clone, Debug, Default)]
pub struct PoolRules {
    groups: Vec<(Regex, String)>,
}

/// tokio's default names: `tokio-runtime-worker` (cut to 15 bytes by the
/// kernel) before tokio 1.47, `tokio-rt-worker` since.
const TOKIO_NAMES: [&str; 3] = ["tokio-runtime-worker", "tokio-runtime-w", "tokio-rt-worker"];

impl PoolRules {
    /// Rules from `REGEX=POOL` texts, in the order given.
    pub fn new(groups: &[String]) -> Result<PoolRules, AttachError> {
        if groups.len() > crate::bounds::GROUPS_MAX {
            return Err(AttachError::BadGroup {
                rule: format!("{} rules", groups.len()),
                cause: format!("at most {} --group rules", crate::bounds::GROUPS_MAX),
            });
        }
        let groups = groups
            .iter()
            .map(|rule| parse_group(rule))
            .collect::<Result<_, _>>()?;
        Ok(PoolRules { groups })
    }

    /// The pool of a thread named `name`; `main_thread` is the process's
    /// first thread (its tid is the PID), which serves no pool.
    pub fn pool_of(&self, name: &str, main_thread: bool) -> String {
        if let Some((_, pool)) = self.groups.iter().find(|(regex, _)| regex.is_match(name)) {
            return pool.clone();
        }
        if main_thread {
            return "main".to_string();
        }
        if TOKIO_NAMES.contains(&name) {
            return "tokio".to_string();
        }
        if name.starts_with("rayon-") {
            return "rayon".to_string();
        }
        match stem(name) {
            Some(stem) => stem.to_string(),
            None => "other".to_string(),
        }
    }
}

/// `REGEX=POOL`: split at the last `=`, so a regex may hold `=` itself.
pub fn parse_group(rule: &str) -> Result<(Regex, String), AttachError> {
    let refused = |cause: String| AttachError::BadGroup {
        rule: crate::format::escape_control(rule).into_owned(),
        cause,
    };
    let (pattern, pool) = rule
        .rsplit_once('=')
        .ok_or_else(|| refused("expected REGEX=POOL, e.g. '^db-.*=database'".into()))?;
    let pool = pool.trim();
    if pool.is_empty() {
        return Err(refused("the pool name after '=' is empty".into()));
    }
    if pool.chars().count() > crate::bounds::POOL_NAME_MAX_CHARS
        || pool.chars().any(char::is_control)
    {
        return Err(refused(format!(
            "a pool name is at most {} printable characters",
            crate::bounds::POOL_NAME_MAX_CHARS
        )));
    }
    let regex = regex::RegexBuilder::new(pattern)
        .size_limit(crate::bounds::GROUP_REGEX_MAX_BYTES)
        .build()
        .map_err(|error| {
            // regex's messages span lines; the last one says what is wrong.
            let text = error.to_string();
            let cause = text
                .lines()
                .rev()
                .find(|line| !line.trim().is_empty())
                .unwrap_or("not a regular expression")
                .trim()
                .to_string();
            refused(format!("not a regular expression: {cause}"))
        })?;
    Ok((regex, pool.to_string()))
}

/// The name without its trailing digits and the separator before them, when
/// it ends in digits and something is left.
fn stem(name: &str) -> Option<&str> {
    let without_digits = name.trim_end_matches(|c: char| c.is_ascii_digit());
    if without_digits.len() == name.len() {
        return None;
    }
    let stem = without_digits.trim_end_matches(['-', '_', '.', ' ', '#', ':', '/']);
    (!stem.is_empty()).then_some(stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtimes_and_numbered_threads_are_grouped() {
        let rules = PoolRules::default();
        assert_eq!(rules.pool_of("tokio-runtime-w", false), "tokio");
        assert_eq!(rules.pool_of("tokio-rt-worker", false), "tokio");
        assert_eq!(rules.pool_of("rayon-3", false), "rayon");
        assert_eq!(rules.pool_of("rayon-worker", false), "rayon");
        assert_eq!(rules.pool_of("app-0", false), "app");
        assert_eq!(rules.pool_of("db_12", false), "db");
        assert_eq!(rules.pool_of("worker7", false), "worker");
        assert_eq!(rules.pool_of("1234", false), "other");
        assert_eq!(rules.pool_of("signals", false), "other");
        assert_eq!(rules.pool_of("anything", true), "main");
    }

    #[test]
    fn the_first_matching_group_wins_before_the_defaults() {
        let rules =
            PoolRules::new(&["^tokio=mine".into(), "^tok=second".into(), "a=b=eq".into()]).unwrap();
        assert_eq!(rules.pool_of("tokio-rt-worker", false), "mine");
        assert_eq!(rules.pool_of("tok", false), "second");
        assert_eq!(rules.pool_of("xa=b", false), "eq");
        assert_eq!(rules.pool_of("app-1", false), "app");
    }

    #[test]
    fn bad_groups_are_one_line_errors() {
        for (rule, cause) in [
            ("nopool", "expected REGEX=POOL"),
            ("x=", "empty"),
            ("(unclosed=p", "not a regular expression"),
            ("[z-a]=p", "not a regular expression"),
        ] {
            let error = PoolRules::new(&[rule.into()]).unwrap_err().to_string();
            assert!(error.contains(cause), "{rule}: {error}");
            assert!(!error.contains('\n'), "{rule}: {error}");
        }
    }
}
