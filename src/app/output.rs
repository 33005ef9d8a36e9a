//! Where reports and messages go: stdout for reports, one escaped line on
//! stderr for errors.

use std::io::Write as _;

use crate::setup::Failure;

/// Writes a report to stdout. A reader that went away (`| head`) ends the
/// output quietly: the run's own exit status stands. Any other write error
/// (`> /dev/full`) is fatal.
pub(crate) fn write_stdout(text: &str) -> Result<(), Failure> {
    write_stdout_as("the report", text)
}

/// `write_stdout` for output that is not a report; the error names `what`
/// ("the completion script", "the man page").
pub(crate) fn write_stdout_as(what: &str, text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Fatal(format!(
            "cannot write {what} to stdout: {e}"
        ))),
    }
}

/// One line on stderr, control characters escaped; a closed stderr is ignored
/// (there is nowhere left to say anything).
pub(crate) fn print_stderr(line: &str) {
    let line = crate::format::escape_control(line);
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}
