//! What a packaged install gives besides the program: completion scripts and
//! a manual page generated from the command-line definitions, and the
//! metadata crates.io requires.

use std::process::Command;

fn loadlab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_loadlab"))
        .args(args)
        .output()
        .expect("loadlab runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const SUBCOMMANDS: [&str; 5] = ["run", "demo", "sweep", "list", "completions"];

#[test]
fn completions_for_each_shell_name_the_subcommands_and_kernels() {
    for shell in ["bash", "zsh", "fish"] {
        let (code, script, stderr) = loadlab(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {stderr}");
        assert!(script.len() > 1_000, "{shell}: {} bytes", script.len());
        for word in SUBCOMMANDS
            .iter()
            .chain(&["starvation", "workload", "sumsq"])
        {
            assert!(script.contains(word), "{shell} script lacks {word}");
        }
    }
    let (code, _, stderr) = loadlab(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("tcsh"), "{stderr}");
}

#[test]
fn the_man_page_has_a_name_section_and_every_subcommand() {
    for command in ["man", "manpage"] {
        let (code, page, stderr) = loadlab(&[command]);
        assert_eq!(code, 0, "{stderr}");
        assert!(
            page.starts_with(".ie") || page.contains(".TH loadlab"),
            "roff header"
        );
        assert!(page.contains(".SH NAME"), "NAME section");
        assert!(page.contains("loadlab"), "the program's name");
        for sub in SUBCOMMANDS {
            assert!(
                page.contains(&format!(".SH \"LOADLAB {}", sub.to_uppercase())),
                "a section for {sub}"
            );
        }
        assert!(page.contains("DEMO STARVATION"), "nested subcommands");
        assert!(page.contains("\\-\\-workload"), "options are listed");
    }
}

#[test]
fn the_manifest_has_what_crates_io_needs() {
    let root = env!("CARGO_MANIFEST_DIR");
    let manifest = std::fs::read_to_string(format!("{root}/Cargo.toml")).expect("Cargo.toml");
    let manifest: toml::Table = manifest.parse().expect("valid TOML");
    let package = manifest["package"].as_table().expect("[package]");
    for key in [
        "description",
        "license",
        "repository",
        "readme",
        "keywords",
        "categories",
        "rust-version",
    ] {
        assert!(package.contains_key(key), "package.{key}");
    }
    assert_eq!(package["license"].as_str(), Some("MIT OR Apache-2.0"));
    let keywords = package["keywords"].as_array().expect("keywords");
    assert!(keywords.len() <= 5, "crates.io takes at most 5 keywords");
    for license in ["LICENSE-MIT", "LICENSE-APACHE"] {
        let text = std::fs::read_to_string(format!("{root}/{license}")).expect(license);
        assert!(text.contains("Permission") || text.contains("Apache License"));
    }
    let included: Vec<&str> = package["include"]
        .as_array()
        .expect("include")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    for needed in [
        "/LICENSE-MIT",
        "/LICENSE-APACHE",
        "/README.md",
        "/src/**/*.rs",
    ] {
        assert!(included.contains(&needed), "include lacks {needed}");
    }
}
