//! Which process to watch: a PID, or a name that matches exactly one process.
//! Only /proc is read: no ptrace, no signal, nothing the target can notice.

use std::fs;
use std::path::Path;

use super::error::AttachError;
use crate::bounds;
use crate::format::escape_control;

/// The process attach watches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub pid: i32,
    /// Its command line (arguments joined by spaces), or its name where the
    /// command line is empty (kernel threads, a process being torn down).
    pub command: String,
    /// Its name as the kernel keeps it (/proc/PID/comm, at most 15 bytes):
    /// threads a process creates carry it until they name themselves.
    pub name: String,
}

/// Resolves `PID` or `NAME`. A name matches a process whose kernel name
/// (15 bytes at most, so a longer name matches by its first 15) or whose
/// program file name equals it; loadlab itself never matches.
pub fn resolve(text: &str) -> Result<Target, AttachError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AttachError::BadTarget {
            target: text.to_string(),
        });
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        let pid = text
            .parse::<i32>()
            .ok()
            .filter(|pid| *pid > 0)
            .ok_or_else(|| AttachError::NoSuchProcess {
                pid: text.to_string(),
            })?;
        return open(pid);
    }
    let own = std::process::id() as i32;
    let mut matches: Vec<i32> = processes()
        .filter(|pid| *pid != own && is_named(*pid, text))
        .collect();
    matches.sort_unstable();
    match matches.as_slice() {
        [] => Err(AttachError::NoProcessNamed {
            name: escape_control(text).into_owned(),
        }),
        [pid] => open(*pid),
        several => Err(AttachError::SeveralProcessesNamed {
            name: escape_control(text).into_owned(),
            count: several.len(),
            pids: listed_pids(several),
        }),
    }
}

/// Checks that `pid` exists and that its threads can be read.
pub fn open(pid: i32) -> Result<Target, AttachError> {
    let dir = Path::new("/proc").join(pid.to_string());
    let unreadable = |path: &Path, error: std::io::Error| AttachError::Unreadable {
        pid,
        path: path.display().to_string(),
        cause: error.to_string(),
    };
    let stat_path = dir.join("stat");
    let stat = match fs::read_to_string(&stat_path) {
        Ok(stat) => stat,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(AttachError::NoSuchProcess {
                pid: pid.to_string(),
            });
        }
        Err(error) => return Err(unreadable(&stat_path, error)),
    };
    if matches!(state_of(&stat), Some('Z' | 'X')) {
        // A zombie has no threads left to watch: it has ended.
        return Err(AttachError::Ended { pid });
    }
    let tasks = dir.join("task");
    let first = fs::read_dir(&tasks)
        .map_err(|error| unreadable(&tasks, error))?
        .flatten()
        .next()
        .map(|entry| entry.path().join("schedstat"));
    if let Some(schedstat) = first {
        fs::read(&schedstat).map_err(|error| unreadable(&schedstat, error))?;
    }
    let name = fs::read_to_string(dir.join("comm"))
        .map(|name| name.trim_end_matches('\n').to_string())
        .unwrap_or_default();
    let command = command_line(&dir).unwrap_or_else(|| name.clone());
    Ok(Target {
        pid,
        command: escape_control(&command).into_owned(),
        name: escape_control(&name).into_owned(),
    })
}

/// The state letter of a /proc/PID/stat line (after the name in parentheses).
pub fn state_of(stat: &str) -> Option<char> {
    stat[stat.rfind(')')? + 1..].trim_start().chars().next()
}

fn processes() -> impl Iterator<Item = i32> {
    fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
}

/// Whether the kernel name or the program's file name of `pid` is `name`.
fn is_named(pid: i32, name: &str) -> bool {
    let dir = Path::new("/proc").join(pid.to_string());
    let Ok(comm) = fs::read_to_string(dir.join("comm")) else {
        return false;
    };
    let comm = comm.trim_end_matches('\n');
    // The kernel keeps 15 bytes of a name.
    let truncated = name
        .char_indices()
        .map(|(at, c)| at + c.len_utf8())
        .take_while(|end| *end <= bounds::PROCESS_NAME_BYTES)
        .last()
        .map_or("", |end| &name[..end]);
    if comm == name || (name.len() > bounds::PROCESS_NAME_BYTES && comm == truncated) {
        return true;
    }
    fs::read(dir.join("cmdline")).is_ok_and(|cmdline| {
        let program = cmdline.split(|b| *b == 0).next().unwrap_or_default();
        let file = program.rsplit(|b| *b == b'/').next().unwrap_or_default();
        !file.is_empty() && file == name.as_bytes()
    })
}

/// The arguments joined by spaces, cut at `ATTACH_COMMAND_MAX_CHARS`.
fn command_line(dir: &Path) -> Option<String> {
    let raw = fs::read(dir.join("cmdline")).ok()?;
    let joined = raw
        .split(|b| *b == 0)
        .filter(|arg| !arg.is_empty())
        .map(String::from_utf8_lossy)
        .collect::<Vec<_>>()
        .join(" ");
    if joined.is_empty() {
        return None;
    }
    Some(
        joined
            .chars()
            .take(bounds::ATTACH_COMMAND_MAX_CHARS)
            .collect(),
    )
}

/// The first few PIDs, then how many more.
fn listed_pids(pids: &[i32]) -> String {
    const SHOWN: usize = 8;
    let mut listed: Vec<String> = pids.iter().take(SHOWN).map(i32::to_string).collect();
    if pids.len() > SHOWN {
        listed.push(format!("{} more", pids.len() - SHOWN));
    }
    listed.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_can_be_opened_by_pid() {
        let pid = std::process::id() as i32;
        let target = resolve(&pid.to_string()).unwrap();
        assert_eq!(target.pid, pid);
        assert!(!target.command.is_empty());
    }

    #[test]
    fn a_missing_pid_is_named_in_the_error() {
        // PIDs stop at 2^22 on Linux: this one cannot exist.
        let error = resolve("2147483647").unwrap_err();
        assert_eq!(
            error,
            AttachError::NoSuchProcess {
                pid: "2147483647".into()
            }
        );
        assert_eq!(
            error.to_string(),
            "no process 2147483647: nothing at /proc/2147483647"
        );
        assert!(matches!(
            resolve("0"),
            Err(AttachError::NoSuchProcess { .. })
        ));
        assert!(matches!(
            resolve("99999999999999999999"),
            Err(AttachError::NoSuchProcess { .. })
        ));
    }

    #[test]
    fn a_name_nothing_bears_is_refused() {
        let error = resolve("no-such-program-xyz").unwrap_err();
        assert!(matches!(error, AttachError::NoProcessNamed { .. }));
        assert!(matches!(resolve("  "), Err(AttachError::BadTarget { .. })));
    }

    #[test]
    fn the_state_follows_the_last_parenthesis() {
        assert_eq!(state_of("42 (a) b) Z 1 2"), Some('Z'));
        assert_eq!(state_of("42 (x) S 1"), Some('S'));
        assert_eq!(state_of("garbage"), None);
    }

    #[test]
    fn many_pids_are_listed_with_a_count_of_the_rest() {
        let pids: Vec<i32> = (1..=10).collect();
        assert_eq!(listed_pids(&pids), "1, 2, 3, 4, 5, 6, 7, 8, 2 more");
    }
}
