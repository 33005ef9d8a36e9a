//! File workloads through the whole binary: a hostile tree finishes with every
//! bad entry listed, accounting exact and exit 3; --duration loops the tree.

use std::os::unix::ffi::OsStrExt;
use std::process::Command;

fn run_json(args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_loadlab"))
        .args(args)
        .output()
        .expect("run loadlab");
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), report)
}

#[test]
fn an_awkward_tree_finishes_lists_each_error_and_accounts_for_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("good.txt"), "one two\nthree\n").unwrap();
    std::fs::write(root.join("empty.txt"), "").unwrap();
    std::fs::write(root.join("fake.png"), "not an image at all").unwrap();
    std::fs::write(
        root.join(std::ffi::OsStr::from_bytes(b"latin1-\xe9t\xe9.txt")),
        "bytes in a non-UTF-8 name\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(root.join("missing-target"), root.join("dangling")).unwrap();
    std::fs::create_dir(root.join("sub")).unwrap();
    std::os::unix::fs::symlink(root, root.join("sub/loop")).unwrap();
    let fifo = root.join("pipe");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    let sparse = std::fs::File::create(root.join("sparse.bin")).unwrap();
    sparse.set_len(64 << 20).unwrap();

    let (code, report) = run_json(&[
        "run",
        "--workload",
        "count",
        "--path",
        root.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(3), "{report:#}");
    let t = &report["tasks"];
    let (submitted, completed, failed, cancelled) = (
        t["submitted"].as_u64().unwrap(),
        t["completed"].as_u64().unwrap(),
        t["failed"].as_u64().unwrap(),
        t["cancelled"].as_u64().unwrap(),
    );
    assert_eq!(submitted, completed + failed + cancelled);
    // good, empty, fake.png (count reads any bytes), latin1 name, sparse.bin
    assert_eq!(completed, 5, "{report:#}");
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len() as u64, failed);
    let find = |needle: &str| {
        errors
            .iter()
            .find(|e| e["path"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("no error for {needle}: {errors:?}"))["error"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(find("dangling").contains("dangling"));
    assert!(find("loop").contains("loop"));
    if made {
        assert!(find("pipe").contains("FIFO"));
    }
    assert_eq!(
        report["input_bytes"].as_u64().unwrap(),
        14 + 26 + 19 + (64 << 20)
    );
}

#[test]
fn resize_fails_non_images_with_a_reason_and_duration_loops_the_tree() {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample/images");
    let (code, once) = run_json(&[
        "run",
        "--workload",
        "resize",
        "--path",
        corpus,
        "--format",
        "json",
    ]);
    let files = once["tasks"]["submitted"].as_u64().unwrap();
    assert!(files >= 4, "{once:#}");
    if once["tasks"]["failed"].as_u64().unwrap() > 0 {
        assert_eq!(code, Some(3));
        assert!(
            once["errors"][0]["error"]
                .as_str()
                .unwrap()
                .contains("not an image"),
            "{once:#}"
        );
    }
    let (_, looped) = run_json(&[
        "run",
        "--workload",
        "hash",
        "--path",
        corpus,
        "--duration",
        "1",
        "--format",
        "json",
    ]);
    assert!(
        looped["tasks"]["submitted"].as_u64().unwrap() > 3 * files,
        "{looped:#}"
    );
}

#[test]
fn file_checksums_agree_across_backends() {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/assets");
    let mut sums = Vec::new();
    for backend in ["inline", "spawn-blocking", "rayon", "channel"] {
        for threads in ["1", "2"] {
            let (_, r) = run_json(&[
                "run",
                "--workload",
                "hash",
                "--path",
                corpus,
                "--backend",
                backend,
                "--threads",
                threads,
                "--format",
                "json",
            ]);
            sums.push(r["checksum"].as_str().unwrap().to_string());
        }
    }
    assert!(sums.iter().all(|s| *s == sums[0]), "{sums:?}");
}
