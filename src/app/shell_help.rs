//! Completion scripts and the manual page, both generated from the same clap
//! definitions as the parser, so they list exactly the flags, subcommands and
//! kernels (registered ones included) the program accepts.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::setup::Failure;

/// The completion script for `shell`, for the command named `program`.
pub(super) fn completions(shell: clap_complete::Shell, program: &str) -> String {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), program, &mut script);
    String::from_utf8_lossy(&script).into_owned()
}

/// The manual page in roff, with a section per subcommand.
pub(super) fn man_page() -> Result<String, Failure> {
    let command = Cli::command();
    let mut page = Vec::new();
    let man = clap_mangen::Man::new(command.clone());
    man.render(&mut page)
        .map_err(|e| Failure::Fatal(format!("man page: {e}")))?;
    // clap_mangen renders one command; the subcommands' own options follow
    // as sections of the same page.
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        append_subcommand(&mut page, "loadlab", sub)?;
    }
    Ok(String::from_utf8_lossy(&page).into_owned())
}

fn append_subcommand(page: &mut Vec<u8>, parent: &str, sub: &clap::Command) -> Result<(), Failure> {
    let name = format!("{parent} {}", sub.get_name());
    let about = sub
        .get_about()
        .map(|about| about.to_string())
        .unwrap_or_default();
    page.extend_from_slice(format!(".SH \"{}\"\n", name.to_uppercase()).as_bytes());
    page.extend_from_slice(format!("{}\n", roff_escape(&about)).as_bytes());
    let man = clap_mangen::Man::new(sub.clone().bin_name(name.clone()));
    let mut sections = Vec::new();
    man.render_synopsis_section(&mut sections)
        .and_then(|()| man.render_options_section(&mut sections))
        .map_err(|e| Failure::Fatal(format!("man page, {name}: {e}")))?;
    // Synopsis and options are subsections of the subcommand's section.
    for line in String::from_utf8_lossy(&sections).lines() {
        let line = match line.strip_prefix(".SH ") {
            Some(title) => format!(".SS {title}"),
            None => line.to_string(),
        };
        page.extend_from_slice(line.as_bytes());
        page.push(b'\n');
    }
    for nested in sub.get_subcommands().filter(|s| !s.is_hide_set()) {
        append_subcommand(page, &name, nested)?;
    }
    Ok(())
}

/// Text safe on a roff line: a leading dot or quote would read as a request.
fn roff_escape(text: &str) -> String {
    let text = text.replace('\\', "\\e");
    match text.chars().next() {
        Some('.' | '\'') => format!("\\&{text}"),
        _ => text,
    }
}
