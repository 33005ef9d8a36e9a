//! The layers of `src/`, read from the code: every `crate::` path in every
//! file is an import of the top-level module it names. A module may import
//! only modules in its own layer or below, and no two modules may import each
//! other in a circle (within a layer either). Comments and string literals are
//! not imports. The order, low to high, is the one `src/lib.rs` writes in its
//! docs (the test checks they agree):
//!
//! 1. `format`, `logging`, `new_file`, `bounds`: vocabulary
//! 2. `spec`, `workload`: what work is, and doing it
//! 3. `metrics`, `backend`, `probe`: measuring and running it
//! 4. `engine`: the app runtime, the live backend, the driver, the sampler
//! 5. `service`, `scenario`, `record`: beside the engine
//! 6. `session`, `attach`: what both faces compute, and another process watched
//! 7. `report`: renders, parses nothing
//! 8. `cli`, `setup`: the command line
//! 9. `runs`, `ui`: the headless commands and the dashboard
//! 10. `config`, `app`: the settings file and the entry point
//!
//! The command line's words stay in its layer too: a string literal below
//! `cli` and `setup` that names a flag (`--word`) fails a test here,
//! except in the files listed, each with its reason, at the top.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const LAYERS: [&[&str]; 10] = [
    &["format", "logging", "new_file", "bounds"],
    &["spec", "workload"],
    &["metrics", "backend", "probe"],
    &["engine"],
    &["service", "scenario", "record"],
    &["session", "attach"],
    &["report"],
    &["cli", "setup"],
    &["runs", "ui"],
    &["config", "app"],
];

/// Where a message below the command line may name one of its flags, and
/// why. Everything else below the command-line layer (`cli`, `setup`) speaks
/// without flags: it returns typed errors or neutral words, and the layers
/// that read the user's options add the flag when they print the message.
const FLAGS_ALLOWED_BELOW_THE_COMMAND_LINE: &[(&str, &[&str], &str)] = &[
    (
        "spec/mod.rs",
        &["--cpu-share"],
        "the mixed kernel's size unit says how the option splits a task; `list`, \
         the help and the dashboard's form show it",
    ),
    (
        "session/starvation.rs",
        &["--serve"],
        "the starvation rule's words are stored in the demo's JSON (scripts read \
         them), and /health exists only with that option",
    ),
    (
        "attach/source.rs",
        &["--probe"],
        "attach's note on a missing probe tells how to add one",
    ),
    (
        "attach/pools.rs",
        &["--group"],
        "the error for too many pool rules; the rules come only from that option",
    ),
    (
        "attach/report.rs",
        &["--probe"],
        "attach's report line for a missing probe tells how to add one",
    ),
    (
        "report/sweep.rs",
        &["--rounds", "--threads"],
        "the sweep report's notes advise the option that would measure what is missing",
    ),
    (
        "report/sweep_verdict.rs",
        &["--max-rounds"],
        "an undecided sweep's verdict advises the option that adds rounds",
    ),
    (
        "report/demo.rs",
        &["--rounds"],
        "the demo report's note advises the option that measures a spread",
    ),
];

/// One import of another top-level module, where it was read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Import {
    from: String,
    to: String,
    file: String,
    line: usize,
}

/// The source without comments, string and character literals (each replaced
/// by spaces, newlines kept, so line numbers stay right).
fn code_only(source: &str) -> String {
    split_source(source).code
}

/// One source read two ways, both with its line breaks where they were.
struct Split {
    /// Everything but comments and literals.
    code: String,
    /// Only the string and character literals, quotes included.
    literals: String,
}

/// Builds both halves of a [`Split`]: each character goes to one half and a
/// blank (a space, or the newline itself) to the other.
#[derive(Default)]
struct Splitter {
    code: String,
    literals: String,
}

impl Splitter {
    fn code(&mut self, c: char) {
        self.code.push(c);
        self.literals.push(blank(c));
    }

    fn comment(&mut self, c: char) {
        self.code.push(blank(c));
        self.literals.push(blank(c));
    }

    fn literal(&mut self, text: &[char]) {
        for &c in text {
            self.code.push(blank(c));
            self.literals.push(c);
        }
    }
}

fn blank(c: char) -> char {
    if c == '\n' { '\n' } else { ' ' }
}

fn split_source(source: &str) -> Split {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Splitter::default();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.comment(chars[i]);
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.comment('/');
                    out.comment('*');
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.comment('*');
                    out.comment('/');
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.comment(chars[i]);
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && starts_token(&chars, i) {
            // A raw string: r"..." or r#"..."#, no escapes inside.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.code(c);
                i += 1;
                continue;
            }
            let closing: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            j += 1;
            while j < chars.len() && !chars[j..].starts_with(&closing) {
                j += 1;
            }
            let end = (j + closing.len()).min(chars.len());
            out.literal(&chars[i..end]);
            i = end;
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(chars.len());
            out.literal(&chars[i..end]);
            i = end;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{1F600}'), or a lifetime left as it is.
            let literal_end = if next == Some('\\') {
                chars
                    .get(i + 3..)
                    .and_then(|rest| rest.iter().position(|c| *c == '\''))
                    .map(|at| i + 3 + at + 1)
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 3)
            } else {
                None
            };
            match literal_end {
                Some(end) => {
                    out.literal(&chars[i..end]);
                    i = end;
                }
                None => {
                    out.code(c);
                    i += 1;
                }
            }
        } else {
            out.code(c);
            i += 1;
        }
    }
    Split {
        code: out.code,
        literals: out.literals,
    }
}

/// True when `chars[at]` starts a token: no name runs into it (`b` of a
/// byte string's `br"` aside).
fn starts_token(chars: &[char], at: usize) -> bool {
    match at.checked_sub(1).map(|before| chars[before]) {
        Some('b') => !at.checked_sub(2).is_some_and(|b| is_ident(chars[b])),
        Some(before) => !is_ident(before),
        None => true,
    }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The first name of every path after `crate::`: `crate::engine::X` gives
/// `engine`; `crate::{bounds, metrics::{a, b}}` gives `bounds` and `metrics`.
/// With the line each was read on.
fn crate_paths(code: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let mut rest = code;
    let mut offset = 0;
    while let Some(at) = rest.find("crate::") {
        let start = offset + at;
        let preceded_by_ident = code[..start].chars().next_back().is_some_and(is_ident);
        let after = &code[start + "crate::".len()..];
        offset = start + "crate::".len();
        rest = &code[offset..];
        if preceded_by_ident {
            continue;
        }
        let line = code[..start].matches('\n').count() + 1;
        let after = after.trim_start();
        if let Some(group) = after.strip_prefix('{') {
            let mut depth = 1;
            let mut item_start = true;
            let mut chars = group.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => item_start = true,
                    c if item_start && depth == 1 && is_ident(c) => {
                        let name: String =
                            group[i..].chars().take_while(|c| is_ident(*c)).collect();
                        for _ in 1..name.chars().count() {
                            chars.next();
                        }
                        if name != "self" {
                            found.push((name, line));
                        }
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            let name: String = after.chars().take_while(|c| is_ident(*c)).collect();
            if !name.is_empty() {
                found.push((name, line));
            }
        }
    }
    found
}

/// The top-level module a file under `src/` belongs to (`engine/driver.rs`
/// and `engine/mod.rs`: `engine`); None for the crate root files.
fn top_module(relative: &str) -> Option<String> {
    if relative == "lib.rs" || relative == "main.rs" {
        return None;
    }
    let first = relative.split('/').next()?;
    Some(first.strip_suffix(".rs").unwrap_or(first).to_string())
}

/// What the crate root declares: its modules, and the names it re-exports
/// with the module each comes from (`pub use spec::x::{A, b}`: A and b from spec).
struct Root {
    modules: BTreeSet<String>,
    reexports: BTreeMap<String, String>,
}

fn read_root(lib: &str) -> Root {
    let code = code_only(lib);
    let mut modules = BTreeSet::new();
    let mut reexports = BTreeMap::new();
    for statement in code.split(';') {
        let words: Vec<&str> = statement.split_whitespace().collect();
        match words.as_slice() {
            ["pub", "mod", name] | ["mod", name] => {
                modules.insert(name.to_string());
            }
            ["pub", "use", ..] => {
                let path = statement.trim().trim_start_matches("pub").trim_start();
                let path = path.trim_start_matches("use").trim();
                let from: String = path.chars().take_while(|c| is_ident(*c)).collect();
                let names = path.rsplit(['{', ':']).next().unwrap_or_default();
                for name in names.split([',', '}']) {
                    let name = name.split_whitespace().last().unwrap_or_default();
                    if !name.is_empty() {
                        reexports.insert(name.to_string(), from.clone());
                    }
                }
            }
            _ => {}
        }
    }
    Root { modules, reexports }
}

/// Every import between top-level modules in `files` (path under `src/`, text).
fn imports(files: &[(String, String)], root: &Root) -> Vec<Import> {
    let mut found = Vec::new();
    for (path, text) in files {
        let Some(from) = top_module(path) else {
            continue;
        };
        for (name, line) in crate_paths(&code_only(text)) {
            let to = if root.modules.contains(&name) {
                name
            } else if let Some(module) = root.reexports.get(&name) {
                module.clone()
            } else {
                continue;
            };
            if to != from {
                found.push(Import {
                    from: from.clone(),
                    to,
                    file: path.clone(),
                    line,
                });
            }
        }
    }
    found.sort();
    found
}

/// What breaks the order: a module with no layer, an import of a higher
/// layer, a cycle. One line each; none when the code keeps the order.
fn violations(imports: &[Import], layers: &[&[&str]], modules: &BTreeSet<String>) -> Vec<String> {
    let layer_of = |module: &str| layers.iter().position(|row| row.contains(&module));
    let mut said = Vec::new();
    for module in modules {
        if layer_of(module).is_none() {
            said.push(format!("module `{module}` has no layer"));
        }
    }
    for import in imports {
        if let (Some(from), Some(to)) = (layer_of(&import.from), layer_of(&import.to))
            && to > from
        {
            said.push(format!(
                "{}:{}: `{}` (layer {}) imports `{}` (layer {}), a layer above it",
                import.file,
                import.line,
                import.from,
                from + 1,
                import.to,
                to + 1
            ));
        }
    }
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for import in imports {
        edges
            .entry(import.from.as_str())
            .or_default()
            .insert(import.to.as_str());
    }
    said.extend(cycles(&edges).into_iter().map(|cycle| {
        let witness: Vec<String> = cycle
            .windows(2)
            .filter_map(|pair| {
                imports
                    .iter()
                    .find(|i| i.from == pair[0] && i.to == pair[1])
                    .map(|i| format!("{}:{}", i.file, i.line))
            })
            .collect();
        format!("cycle {} ({})", cycle.join(" -> "), witness.join(", "))
    }));
    said
}

/// One cycle through each group of modules that import each other, as a
/// path that ends where it starts (the shortest from its first module).
fn cycles<'a>(edges: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> Vec<Vec<&'a str>> {
    let mut reported: BTreeSet<&str> = BTreeSet::new();
    let mut found = Vec::new();
    for &start in edges.keys() {
        if reported.contains(start) {
            continue;
        }
        // Breadth first from `start` until an import leads back to it.
        let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
        let mut frontier = vec![start];
        let mut back_at = None;
        while back_at.is_none() && !frontier.is_empty() {
            let mut next_frontier = Vec::new();
            for at in frontier {
                for &next in edges.get(at).into_iter().flatten() {
                    if next == start {
                        back_at = back_at.or(Some(at));
                    } else if !came_from.contains_key(next) {
                        came_from.insert(next, at);
                        next_frontier.push(next);
                    }
                }
            }
            frontier = next_frontier;
        }
        let Some(mut at) = back_at else {
            continue;
        };
        let mut path = vec![start, at];
        while at != start {
            at = came_from[at];
            path.push(at);
        }
        path.reverse();
        reported.extend(path.iter().copied());
        found.push(path);
    }
    found
}

/// The layers `src/lib.rs` writes in its docs: each numbered item's
/// backquoted names.
fn documented_layers(lib: &str) -> Vec<Vec<String>> {
    let mut layers: Vec<Vec<String>> = Vec::new();
    let mut in_list = false;
    for line in lib.lines() {
        let Some(doc) = line.strip_prefix("//!") else {
            break;
        };
        let doc = doc.trim();
        let numbered = doc
            .split_once(". ")
            .filter(|(number, _)| !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()));
        let text = match numbered {
            Some((_, text)) => {
                layers.push(Vec::new());
                in_list = true;
                text
            }
            None if in_list && !doc.is_empty() => doc,
            None => {
                in_list = false;
                continue;
            }
        };
        if let Some(row) = layers.last_mut() {
            row.extend(text.split('`').skip(1).step_by(2).map(str::to_string));
        }
    }
    layers
}

fn source_files(dir: &Path, under: &Path, out: &mut Vec<(String, String)>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        if path.is_dir() {
            source_files(&path, under, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let relative = path
                .strip_prefix(under)
                .unwrap_or_else(|e| panic!("{e}"))
                .to_string_lossy()
                .replace('\\', "/");
            out.push((relative, text));
        }
    }
}

fn src() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_module_imports_a_layer_above_it_and_none_import_each_other_in_a_circle() {
    let src = src();
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap_or_else(|e| panic!("{e}"));
    let root = read_root(&lib);
    let mut files = Vec::new();
    source_files(&src, &src, &mut files);
    let found = imports(&files, &root);
    // The reader reads: the engine's imports of the layers below are among them.
    assert!(
        found
            .iter()
            .any(|i| i.from == "engine" && i.to == "backend"),
        "no import of backend by engine read: the reader misses imports"
    );
    let said = violations(&found, &LAYERS, &root.modules);
    assert!(
        said.is_empty(),
        "the layers are broken:\n{}",
        said.join("\n")
    );
}

#[test]
fn the_order_here_is_the_one_lib_rs_documents_and_covers_every_module() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap_or_else(|e| panic!("{e}"));
    let written: Vec<Vec<String>> = LAYERS
        .iter()
        .map(|row| row.iter().map(|m| m.to_string()).collect())
        .collect();
    assert_eq!(documented_layers(&lib), written);
    let in_layers: BTreeSet<String> = written.into_iter().flatten().collect();
    assert_eq!(read_root(&lib).modules, in_layers);
}

fn planted(files: &[(&str, &str)]) -> Vec<String> {
    let root = read_root(
        "pub mod bounds;\npub mod engine;\npub mod service;\npub mod scenario;\npub mod spec;\n\
         pub mod ui;\npub use spec::custom::{CustomKernel, register_kernel};\n",
    );
    let files: Vec<(String, String)> = files
        .iter()
        .map(|(path, text)| (path.to_string(), text.to_string()))
        .collect();
    violations(&imports(&files, &root), &LAYERS, &root.modules)
}

#[test]
fn a_planted_upward_import_is_caught_with_its_file_and_line() {
    let said = planted(&[(
        "engine/driver.rs",
        "use crate::bounds;\n\nfn f() { let _ = crate::ui::draw; }\n",
    )]);
    assert_eq!(
        said,
        ["engine/driver.rs:3: `engine` (layer 4) imports `ui` (layer 9), a layer above it"]
    );
}

#[test]
fn a_planted_cycle_within_one_layer_is_caught() {
    let said = planted(&[
        ("service/mod.rs", "use crate::{bounds, scenario::Step};\n"),
        ("scenario/player.rs", "use crate::service::Route;\n"),
    ]);
    assert_eq!(
        said,
        ["cycle scenario -> service -> scenario (scenario/player.rs:1, service/mod.rs:1)"]
    );
}

#[test]
fn comments_strings_and_other_crates_are_not_imports_but_groups_and_reexports_are() {
    let said = planted(&[(
        "bounds.rs",
        "// crate::ui is mentioned here\n/* and crate::engine /* nested */ here */\n\
         const A: &str = \"crate::ui\";\nconst B: &str = r#\"crate::engine\"#;\n\
         const C: char = '\"';\nfn f<'a>(x: &'a str) -> &'a str { x }\n\
         use other_crate::engine;\n",
    )]);
    assert!(said.is_empty(), "{said:?}");

    let said = planted(&[(
        "bounds.rs",
        "use crate::{\n    spec::Kernel,\n    engine::{self, Engine},\n};\nuse crate::register_kernel;\n",
    )]);
    assert_eq!(
        said,
        [
            "bounds.rs:1: `bounds` (layer 1) imports `engine` (layer 4), a layer above it",
            "bounds.rs:1: `bounds` (layer 1) imports `spec` (layer 2), a layer above it",
            "bounds.rs:5: `bounds` (layer 1) imports `spec` (layer 2), a layer above it"
        ]
    );
}

#[test]
fn a_module_without_a_layer_is_named() {
    let root = read_root("pub mod bounds;\npub mod newcomer;\n");
    let said = violations(&[], &LAYERS, &root.modules);
    assert_eq!(said, ["module `newcomer` has no layer"]);
}

/// The command-line flags (`--word`) a file's string literals name, with the
/// line of each; unit tests (from a `#[cfg(test)] mod` on) are not messages.
fn flags_in_literals(source: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = source.lines().collect();
    let tests_at = lines
        .windows(2)
        .position(|pair| {
            pair[0].trim() == "#[cfg(test)]" && pair[1].trim_start().starts_with("mod ")
        })
        .unwrap_or(lines.len());
    let literals = split_source(&lines[..tests_at].join("\n")).literals;
    let mut found = Vec::new();
    for (index, line) in literals.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        for at in 0..chars.len().saturating_sub(2) {
            let starts_flag = chars[at] == '-'
                && chars[at + 1] == '-'
                && chars[at + 2].is_ascii_lowercase()
                && (at == 0 || chars[at - 1] != '-');
            if starts_flag {
                let flag: String = chars[at..]
                    .iter()
                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || **c == '-')
                    .collect();
                found.push((flag, index + 1));
            }
        }
    }
    found
}

#[test]
fn no_string_below_the_command_line_names_a_flag_except_where_listed() {
    let src = src();
    let mut files = Vec::new();
    source_files(&src, &src, &mut files);
    let command_line = LAYERS
        .iter()
        .position(|row| row.contains(&"cli"))
        .unwrap_or_else(|| panic!("no layer holds cli"));
    let below: BTreeSet<&str> = LAYERS[..command_line]
        .iter()
        .flat_map(|row| row.iter().copied())
        .collect();
    let mut said = Vec::new();
    let mut named_by_allowed: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (path, text) in &files {
        let Some(module) = top_module(path) else {
            continue;
        };
        if !below.contains(module.as_str()) {
            continue;
        }
        let allowed = FLAGS_ALLOWED_BELOW_THE_COMMAND_LINE
            .iter()
            .find(|(file, _, _)| file == path);
        for (flag, line) in flags_in_literals(text) {
            match allowed {
                Some((file, flags, _)) if flags.contains(&flag.as_str()) => {
                    named_by_allowed.entry(file).or_default().insert(flag);
                }
                _ => said.push(format!("{path}:{line}: names the flag `{flag}`")),
            }
        }
    }
    // An allowance the code no longer needs goes too, so the list stays the truth.
    for (file, flags, _) in FLAGS_ALLOWED_BELOW_THE_COMMAND_LINE {
        for flag in *flags {
            if !named_by_allowed
                .get(file)
                .is_some_and(|named| named.contains(*flag))
            {
                said.push(format!(
                    "{file}: allowed to name `{flag}` but no longer does"
                ));
            }
        }
    }
    assert!(
        said.is_empty(),
        "flag names below the command-line layer (move them up, or list why):\n{}",
        said.join("\n")
    );
}

#[test]
fn flags_are_read_from_string_literals_only_and_not_from_unit_tests() {
    let source = "// a comment on --quiet\n\
                  /// docs on `--record FILE`\n\
                  const A: &str = \"plain --memory-budget words\";\n\
                  const B: &str = r#\"--serve\"#;\n\
                  let c = x--y; let d = \"a |---| table, a -- dash, --9\";\n\
                  #[cfg(test)]\n\
                  mod tests { const E: &str = \"--panic-every\"; }\n";
    assert_eq!(
        flags_in_literals(source),
        [
            ("--memory-budget".to_string(), 3),
            ("--serve".to_string(), 4)
        ]
    );
}
