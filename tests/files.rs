//! File workloads: the sample corpus with known results, an awkward tree built
//! the way a hostile user would, the walker's bounds, and peak memory while
//! hashing a 2 GiB sparse file (measured in a child process).

use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use loadlab::spec::{Kernel, WorkloadSpec};
use loadlab::workload::file_kernels::{compress_file, count_file, hash_file, thumbnail_file};
use loadlab::workload::files::{check_root, run_file, spawn_walker};
use loadlab::workload::walker::walk_inputs;
use loadlab::workload::{TaskInput, run_task};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample")
}

/// Runs `work` on another thread and fails the test if it takes longer than
/// `limit`: a hang must show up as a failure, not as a stuck test run.
fn within<T: Send + 'static>(limit: Duration, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(work());
    });
    rx.recv_timeout(limit)
        .expect("work did not finish in time (hang?)")
}

// ---------------------------------------------------------------------------
// The sample corpus (assets/sample, described in assets/README.md)

#[test]
fn corpus_hash_is_known_and_matches_a_one_shot_hash() {
    let path = sample().join("text/prose.txt");
    let streamed = hash_file(&path).unwrap();
    let whole = blake3::hash(&fs::read(&path).unwrap());
    assert_eq!(streamed.hash, whole);
    assert_eq!(streamed.hash.to_hex().as_str(), PROSE_BLAKE3);
    assert_eq!(streamed.bytes, PROSE_BYTES);
}

#[test]
fn corpus_counts_are_known() {
    let counts = count_file(&sample().join("text/prose.txt")).unwrap();
    assert_eq!((counts.lines, counts.words, counts.bytes), PROSE_WC);
    let csv = count_file(&sample().join("data/measurements.csv")).unwrap();
    assert_eq!((csv.lines, csv.words, csv.bytes), CSV_WC);
    let short = count_file(&sample().join("text/short.txt")).unwrap();
    assert_eq!((short.lines, short.words, short.bytes), SHORT_WC);
}

#[test]
fn corpus_compress_matches_one_shot_deflate_and_shrinks_text() {
    use flate2::Compression;
    use flate2::write::DeflateEncoder;
    let path = sample().join("data/measurements.csv");
    let streamed = compress_file(&path).unwrap();
    let mut one_shot = DeflateEncoder::new(Vec::new(), Compression::default());
    one_shot.write_all(&fs::read(&path).unwrap()).unwrap();
    let one_shot = one_shot.finish().unwrap();
    assert_eq!(streamed.bytes_out, one_shot.len() as u64);
    assert_eq!(streamed.bytes_in, CSV_WC.2);
    assert!(
        streamed.ratio() > 0.05 && streamed.ratio() < 0.6,
        "{}",
        streamed.ratio()
    );
}

#[test]
fn corpus_images_make_thumbnails_of_known_size() {
    let images = sample().join("images");
    for (file, width, height) in THUMBNAILS {
        let thumb = thumbnail_file(&images.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!((thumb.width, thumb.height), (*width, *height), "{file}");
        let decoded = image::load_from_memory(&thumb.png).unwrap();
        assert_eq!(
            (decoded.width(), decoded.height()),
            (*width, *height),
            "{file}"
        );
    }
}

#[test]
fn corpus_non_image_with_image_extension_fails_clearly() {
    let err = thumbnail_file(&sample().join("images/not-really.png"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "not an image: The image format could not be determined"
    );
}

#[test]
fn corpus_walk_is_sorted_and_complete() {
    let names: Vec<String> = walk_inputs(&sample())
        .map(|input| match input {
            TaskInput::File { name, .. } => name,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(names, CORPUS_FILES);
}

#[test]
fn file_digest_depends_on_name_and_contents_only() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    fs::create_dir(&a).unwrap();
    fs::copy(sample().join("text/short.txt"), a.join("short.txt")).unwrap();
    for kernel in [Kernel::Hash, Kernel::Count, Kernel::Compress] {
        let here = run_file(kernel, &a.join("short.txt"), "text/short.txt").unwrap();
        let there = run_file(kernel, &sample().join("text/short.txt"), "text/short.txt").unwrap();
        assert_eq!(here, there, "{kernel}: same name and contents, other place");
        let renamed = run_file(kernel, &a.join("short.txt"), "text/other.txt").unwrap();
        assert_ne!(
            here.digest, renamed.digest,
            "{kernel}: the name is part of the digest"
        );
        assert_eq!(here.bytes_in, SHORT_WC.2);
    }
}

#[test]
fn run_task_dispatches_every_kind() {
    let spec = WorkloadSpec {
        kernel: Kernel::Hash,
        path: Some(sample()),
        ..WorkloadSpec::default()
    };
    let file = TaskInput::File {
        path: sample().join("text/short.txt"),
        name: "text/short.txt".into(),
    };
    assert_eq!(
        run_task(spec.kernel, spec.seed, spec.cpu_share, &file, &|| true)
            .unwrap()
            .bytes_in,
        SHORT_WC.2
    );
    let invalid = TaskInput::Invalid {
        name: "x".into(),
        error: "not a regular file (FIFO)".into(),
    };
    assert_eq!(
        run_task(spec.kernel, spec.seed, spec.cpu_share, &invalid, &|| true)
            .unwrap_err()
            .to_string(),
        "not a regular file (FIFO)"
    );
    let synthetic = TaskInput::Synthetic {
        index: 3,
        size: 1000,
    };
    assert_eq!(
        run_task(spec.kernel, spec.seed, spec.cpu_share, &synthetic, &|| true)
            .unwrap()
            .bytes_in,
        1000
    );
}

#[test]
fn check_root_names_the_path_and_the_cause() {
    assert_eq!(
        check_root(Path::new("/definitely/not/here"))
            .unwrap_err()
            .to_string(),
        "path /definitely/not/here: No such file or directory (os error 2)"
    );
    assert!(check_root(&sample()).is_ok());
    assert!(check_root(&sample().join("text/short.txt")).is_ok());
    let err = check_root(Path::new("/dev/null")).unwrap_err().to_string();
    assert!(
        err.starts_with("path /dev/null: not a regular file (character device)"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------
// An awkward tree, built as a hostile user would

const SPARSE_LEN: u64 = 2 << 30;

/// Root reads through mode 000, so "unreadable" entries only fail for other users.
fn is_root() -> bool {
    effective_uid() == 0
}

fn effective_uid() -> u32 {
    // From /proc/self/status rather than libc::geteuid, which needs `unsafe`.
    let status = fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
    line.split_whitespace().nth(2).unwrap().parse().unwrap()
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// Every kind of awkward entry, plus a 2 GiB sparse file.
fn build_awkward_tree(root: &Path) {
    fs::write(root.join("a-normal.txt"), "hello awkward world\n").unwrap();
    fs::File::create(root.join("empty.txt")).unwrap();
    mkfifo(&root.join("fifo"));
    drop(std::os::unix::net::UnixListener::bind(root.join("socket")).unwrap());
    symlink("/dev/null", root.join("device-link")).unwrap();
    symlink("missing-target", root.join("dangling")).unwrap();
    symlink(".", root.join("loop-dir")).unwrap();
    symlink("self-link", root.join("self-link")).unwrap();
    fs::write(
        root.join(OsStr::from_bytes(b"caf\xe9.txt")),
        "a latin-1 name\n",
    )
    .unwrap();
    fs::write(root.join("locked.txt"), "mode 000\n").unwrap();
    chmod(&root.join("locked.txt"), 0o000);
    fs::create_dir(root.join("locked-dir")).unwrap();
    fs::write(root.join("locked-dir/inside.txt"), "behind mode 000\n").unwrap();
    chmod(&root.join("locked-dir"), 0o000);
    fs::create_dir(root.join("sub")).unwrap();
    fs::write(root.join("sub/nested.txt"), "nested\n").unwrap();
    symlink("../a-normal.txt", root.join("sub/link-to-file")).unwrap();
    fs::File::create(root.join("sparse.bin"))
        .unwrap()
        .set_len(SPARSE_LEN)
        .unwrap();
}

/// What a walk of the awkward tree yields, as (name, Ok(()) for a file task or Err(reason)).
fn expected_walk() -> Vec<(&'static str, Result<(), &'static str>)> {
    let mut expected = vec![
        ("a-normal.txt", Ok(())),
        ("caf\u{FFFD}.txt", Ok(())),
        ("dangling", Err("dangling symlink: target missing")),
        ("device-link", Err("not a regular file (character device)")),
        ("empty.txt", Ok(())),
        ("fifo", Err("not a regular file (FIFO)")),
    ];
    // Root reads through mode 000; anyone else gets EACCES listing the directory.
    if is_root() {
        expected.push(("locked-dir/inside.txt", Ok(())));
    } else {
        expected.push(("locked-dir", Err("Permission denied (os error 13)")));
    }
    expected.extend([
        ("locked.txt", Ok(())),
        ("loop-dir", Err("symlink loop: points to its ancestor .")),
        ("self-link", Err("symlink loop")),
        ("socket", Err("not a regular file (socket)")),
        ("sparse.bin", Ok(())),
        ("sub/link-to-file", Ok(())),
        ("sub/nested.txt", Ok(())),
    ]);
    expected
}

#[test]
fn awkward_tree_walk_lists_each_bad_entry_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    build_awkward_tree(dir.path());
    let root = dir.path().to_path_buf();
    let inputs = within(Duration::from_secs(20), move || {
        walk_inputs(&root).collect::<Vec<_>>()
    });
    let seen: Vec<(String, Result<(), String>)> = inputs
        .into_iter()
        .map(|input| match input {
            TaskInput::File { name, .. } => (name, Ok(())),
            TaskInput::Invalid { name, error } => (name, Err(error)),
            TaskInput::Synthetic { .. } => panic!("the walker made a synthetic task"),
        })
        .collect();
    let expected: Vec<(String, Result<(), String>)> = expected_walk()
        .into_iter()
        .map(|(n, r)| (n.to_string(), r.map_err(str::to_string)))
        .collect();
    assert_eq!(seen, expected);
    chmod(&dir.path().join("locked-dir"), 0o755);
}

/// Runs in a child process (see the test below): hashes every walk entry of
/// the tree in LOADLAB_AWKWARD_TREE, prints one line per task and the growth
/// of peak RSS over the baseline.
#[test]
#[ignore = "child process of awkward_tree_runs_every_task_in_bounded_memory"]
fn child_hash_awkward_tree() {
    let Some(root) = std::env::var_os("LOADLAB_AWKWARD_TREE") else {
        return;
    };
    let baseline = status_kib("VmRSS");
    let spec = WorkloadSpec {
        kernel: Kernel::Hash,
        path: Some(root.clone().into()),
        ..WorkloadSpec::default()
    };
    let mut out = String::new();
    for input in walk_inputs(Path::new(&root)) {
        let name = match &input {
            TaskInput::File { name, .. } | TaskInput::Invalid { name, .. } => name.clone(),
            TaskInput::Synthetic { .. } => unreachable!(),
        };
        match run_task(spec.kernel, spec.seed, spec.cpu_share, &input, &|| true) {
            Ok(output) => out.push_str(&format!("TASK\t{name}\tok\t{}\n", output.bytes_in)),
            Err(error) => out.push_str(&format!("TASK\t{name}\terr\t{error}\n")),
        }
    }
    let growth = status_kib("VmHWM").saturating_sub(baseline);
    println!("{out}PEAK_GROWTH_KIB\t{growth}");
}

fn status_kib(field: &str) -> u64 {
    let status = fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Peak RSS may grow by at most this much while the tree (with its 2 GiB
/// sparse file) is hashed: one 64 KiB read buffer plus hasher state and noise.
const PEAK_GROWTH_LIMIT_KIB: u64 = 64 * 1024;

#[test]
fn awkward_tree_runs_every_task_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    build_awkward_tree(dir.path());
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_hash_awkward_tree",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("LOADLAB_AWKWARD_TREE", dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("hashing the awkward tree hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    chmod(&dir.path().join("locked-dir"), 0o755);
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let tasks: Vec<Vec<&str>> = stdout
        .lines()
        // The first line may follow the harness's "test ... " prefix.
        .filter_map(|l| l.find("TASK\t").map(|at| &l[at..]))
        .map(|l| l.split('\t').skip(1).collect())
        .collect();
    // Accounting: one task per walk entry, each ends ok or with its walk error.
    let expected = expected_walk();
    assert_eq!(tasks.len(), expected.len(), "{stdout}");
    for (task, (name, outcome)) in tasks.iter().zip(&expected) {
        assert_eq!(task[0], *name);
        match outcome {
            Ok(()) => assert_eq!(task[1], "ok", "{name}: {}", task[2]),
            Err(reason) => assert_eq!((task[1], task[2]), ("err", *reason), "{name}"),
        }
    }
    let sparse = tasks.iter().find(|t| t[0] == "sparse.bin").unwrap();
    assert_eq!(
        sparse[2],
        SPARSE_LEN.to_string(),
        "every byte of the sparse file is read"
    );
    let growth: u64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("PEAK_GROWTH_KIB\t"))
        .unwrap()
        .parse()
        .unwrap();
    eprintln!("peak RSS growth while hashing a 2 GiB sparse file: {growth} KiB");
    assert!(
        growth < PEAK_GROWTH_LIMIT_KIB,
        "peak RSS grew by {growth} KiB"
    );
}

// ---------------------------------------------------------------------------
// run_file on entries that change between the walk and the task

#[test]
fn fifo_is_refused_without_being_opened() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    for kernel in [
        Kernel::Hash,
        Kernel::Count,
        Kernel::Compress,
        Kernel::Resize,
    ] {
        let path = fifo.clone();
        let err = within(Duration::from_secs(10), move || {
            run_file(kernel, &path, "fifo")
        })
        .unwrap_err()
        .to_string();
        assert_eq!(err, "not a regular file (FIFO)", "{kernel}");
    }
}

#[test]
fn file_replaced_or_removed_after_the_walk_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("gone.txt"), "soon gone").unwrap();
    fs::write(dir.path().join("swapped.txt"), "soon a fifo").unwrap();
    let inputs: Vec<TaskInput> = walk_inputs(dir.path()).collect();
    fs::remove_file(dir.path().join("gone.txt")).unwrap();
    fs::remove_file(dir.path().join("swapped.txt")).unwrap();
    mkfifo(&dir.path().join("swapped.txt"));
    let spec = WorkloadSpec {
        kernel: Kernel::Hash,
        path: Some(dir.path().into()),
        ..WorkloadSpec::default()
    };
    let errors: Vec<String> = within(Duration::from_secs(10), move || {
        inputs
            .iter()
            .map(|i| {
                run_task(spec.kernel, spec.seed, spec.cpu_share, i, &|| true)
                    .unwrap_err()
                    .to_string()
            })
            .collect()
    });
    assert_eq!(
        errors,
        [
            "file vanished: No such file or directory (os error 2)",
            "not a regular file (FIFO)"
        ]
    );
}

#[test]
fn file_longer_than_its_stat_size_is_reported_as_changed() {
    // /proc files stat as 0 bytes but have contents: the same signal as a file
    // appended to while it is read.
    let err = run_file(Kernel::Hash, Path::new("/proc/self/status"), "status")
        .unwrap_err()
        .to_string();
    assert_eq!(err, "file changed during read");
}

#[test]
fn empty_file_is_a_valid_task_except_for_resize() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.png");
    fs::File::create(&empty).unwrap();
    assert_eq!(hash_file(&empty).unwrap().hash, blake3::hash(b""));
    let counts = count_file(&empty).unwrap();
    assert_eq!((counts.lines, counts.words, counts.bytes), (0, 0, 0));
    assert_eq!(compress_file(&empty).unwrap().ratio(), 0.0);
    let err = thumbnail_file(&empty).unwrap_err().to_string();
    assert!(err.starts_with("not an image"), "{err}");
}

/// A PNG whose header claims `width` x `height` RGB pixels, with valid CRCs and no data.
fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut crc = flate2::Crc::new();
    crc.update(&ihdr);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc.sum().to_be_bytes());
    // An empty IDAT and IEND so the header parses as a complete stream.
    for chunk_type in [b"IDAT", b"IEND"] {
        let mut crc = flate2::Crc::new();
        crc.update(chunk_type);
        png.extend_from_slice(&0u32.to_be_bytes());
        png.extend_from_slice(chunk_type);
        png.extend_from_slice(&crc.sum().to_be_bytes());
    }
    png
}

#[test]
fn hostile_images_are_refused_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.png");
    fs::write(&huge, png_header_only(100_000, 100_000)).unwrap();
    let err = thumbnail_file(&huge).unwrap_err().to_string();
    assert!(err.starts_with("image too large"), "{err}");
    // Within the side limit but 16000 x 16000 x 3 bytes = 732 MiB: over the allocation cap.
    let wide = dir.path().join("wide.png");
    fs::write(&wide, png_header_only(16_000, 16_000)).unwrap();
    let err = thumbnail_file(&wide).unwrap_err().to_string();
    assert!(err.starts_with("image too large"), "{err}");
    let big = dir.path().join("big.png");
    fs::File::create(&big).unwrap().set_len(65 << 20).unwrap();
    assert_eq!(
        thumbnail_file(&big).unwrap_err().to_string(),
        "too large to resize: 68157440 bytes (limit 64 MiB)"
    );
}

// ---------------------------------------------------------------------------
// The walker thread

fn tree_of(files: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..files {
        fs::write(
            dir.path().join(format!("f{i:04}.txt")),
            format!("file {i}\n"),
        )
        .unwrap();
    }
    dir
}

#[test]
fn walker_stays_only_a_channel_ahead_of_the_workers() {
    let dir = tree_of(200);
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let walker = spawn_walker(dir.path().into(), false, tx).unwrap();
    assert_eq!(walker.thread().name(), Some("walker"));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(rx.len(), 4, "the walk must wait for the workers");
    assert!(!walker.is_finished());
    let mut names = Vec::new();
    while let Some(input) = rx.blocking_recv() {
        match input {
            TaskInput::File { name, .. } => names.push(name),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(names.len(), 200);
    assert!(names.is_sorted());
    walker.join().unwrap();
}

#[test]
fn walker_repeats_in_order_until_the_receiver_is_dropped() {
    let dir = tree_of(3);
    let (tx, mut rx) = tokio::sync::mpsc::channel(2);
    let walker = spawn_walker(dir.path().into(), true, tx).unwrap();
    let names: Vec<String> = (0..10)
        .map(|_| match rx.blocking_recv() {
            Some(TaskInput::File { name, .. }) => name,
            other => panic!("{other:?}"),
        })
        .collect();
    let pass = ["f0000.txt", "f0001.txt", "f0002.txt"];
    let expected: Vec<&str> = pass.iter().cycle().take(10).copied().collect();
    assert_eq!(names, expected);
    drop(rx);
    within(Duration::from_secs(10), move || walker.join().unwrap());
}

#[test]
fn walker_stops_when_the_receiver_is_dropped() {
    let dir = tree_of(200);
    let (tx, mut rx) = tokio::sync::mpsc::channel(1);
    let walker = spawn_walker(dir.path().into(), false, tx).unwrap();
    assert!(matches!(rx.blocking_recv(), Some(TaskInput::File { .. })));
    drop(rx);
    within(Duration::from_secs(10), move || walker.join().unwrap());
}

#[test]
fn walker_on_an_empty_tree_with_repeat_sends_nothing_and_returns() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("only/dirs/here")).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let walker = spawn_walker(dir.path().into(), true, tx).unwrap();
    let first = within(Duration::from_secs(10), move || rx.blocking_recv());
    assert_eq!(first, None);
    within(Duration::from_secs(10), move || walker.join().unwrap());
}

#[test]
fn walker_of_a_single_file_names_it_by_its_file_name() {
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let walker = spawn_walker(sample().join("text/short.txt"), false, tx).unwrap();
    let first = rx.blocking_recv();
    assert_eq!(
        first,
        Some(TaskInput::File {
            path: sample().join("text/short.txt"),
            name: "short.txt".into()
        })
    );
    assert_eq!(rx.blocking_recv(), None);
    walker.join().unwrap();
}

// ---------------------------------------------------------------------------
// The corpus generator: `cargo test --test files -- --ignored regenerate_sample_corpus`
// rewrites assets/sample byte for byte (the known results above depend on it).

#[test]
#[ignore = "rewrites assets/sample; run on purpose only"]
fn regenerate_sample_corpus() {
    let root = sample();
    for dir in ["text", "code", "data", "images"] {
        fs::create_dir_all(root.join(dir)).unwrap();
    }
    fs::write(root.join("text/prose.txt"), generated_prose(24_000)).unwrap();
    fs::write(root.join("text/short.txt"), SHORT_TEXT).unwrap();
    fs::write(root.join("code/sum_squares.rs"), CODE_TEXT).unwrap();
    fs::write(root.join("data/measurements.csv"), generated_csv(4_000)).unwrap();
    let images = root.join("images");
    image::RgbImage::from_fn(64, 64, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 4) as u8, 128])
    })
    .save(images.join("gradient-64x64.png"))
    .unwrap();
    image::RgbImage::from_fn(1024, 768, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let wave = ((fx / 37.0).sin() + (fy / 23.0).cos() + ((fx + fy) / 61.0).sin()) / 3.0;
        let v = (127.5 + 127.5 * wave) as u8;
        image::Rgb([v, (x / 4) as u8, 255 - v])
    })
    .save(images.join("waves-1024x768.png"))
    .unwrap();
    image::GrayImage::from_fn(40, 300, |x, y| image::Luma([((x * 6) ^ y) as u8]))
        .save(images.join("tall-40x300.png"))
        .unwrap();
    image::RgbaImage::from_fn(200, 120, |x, y| {
        let inside = (x as i32 - 100).pow(2) + (y as i32 - 60).pow(2) < 55 * 55;
        image::Rgba([200, (y * 2) as u8, (x) as u8, if inside { 255 } else { 60 }])
    })
    .save(images.join("disc-200x120.png"))
    .unwrap();
    let photo = image::RgbImage::from_fn(640, 480, |x, y| {
        let sky = y < 200;
        let n = ((x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) >> 27) as u8;
        if sky {
            image::Rgb([90 + (y / 4) as u8, 140 + (y / 5) as u8, 230])
        } else {
            image::Rgb([60 + n, 120 + n / 2 + (x / 16) as u8, 40 + n])
        }
    });
    let mut jpeg = fs::File::create(images.join("field-640x480.jpg")).unwrap();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&photo)
        .unwrap();
    fs::write(images.join("not-really.png"), "This is text, not a PNG.\n").unwrap();
}

const SHORT_TEXT: &str = "The quick brown fox\njumps over\tthe  lazy dog.\n\n  Tabs,\tspaces and\r\nCRLF lines count as wc counts them.\nno newline at the end";

const CODE_TEXT: &str = r#"//! Sample code for the corpus: the sum of squares that loadlab's sumsq kernel computes.

/// Wrapping sum of i*i for i < n.
pub fn sum_squares(n: u64) -> u64 {
    (0..n).fold(0u64, |acc, i| acc.wrapping_add(i.wrapping_mul(i)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ten() {
        assert_eq!(super::sum_squares(10), 285);
    }
}
"#;

/// Deterministic pseudo-English: words picked by an LCG, sentences and
/// paragraphs wrapped at 72 columns.
fn generated_prose(words: usize) -> String {
    const VOCABULARY: &[&str] = &[
        "the",
        "a",
        "thread",
        "pool",
        "runtime",
        "task",
        "queue",
        "worker",
        "blocks",
        "waits",
        "steals",
        "latency",
        "throughput",
        "async",
        "future",
        "polls",
        "wakes",
        "sleeps",
        "core",
        "cache",
        "memory",
        "file",
        "hash",
        "image",
        "resize",
        "compress",
        "counts",
        "lines",
        "and",
        "or",
        "but",
        "while",
        "because",
        "every",
        "some",
        "many",
        "few",
        "slow",
        "fast",
        "quietly",
        "heavily",
        "under",
        "over",
        "beside",
        "through",
        "into",
        "from",
        "with",
        "scheduler",
        "channel",
        "semaphore",
        "permit",
        "deadline",
        "heartbeat",
        "echo",
        "probe",
    ];
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let mut text = String::new();
    let mut line_len = 0;
    let mut sentence_left = 0;
    for _ in 0..words {
        let start_sentence = sentence_left == 0;
        if start_sentence {
            sentence_left = 6 + next() % 12;
        }
        let mut word = VOCABULARY[next() % VOCABULARY.len()].to_string();
        if start_sentence {
            word[..1].make_ascii_uppercase();
        }
        sentence_left -= 1;
        if sentence_left == 0 {
            word.push('.');
        }
        if line_len > 0 && line_len + 1 + word.len() > 72 {
            text.push('\n');
            line_len = 0;
            if sentence_left == 0 && next() % 5 == 0 {
                text.push('\n');
            }
        } else if line_len > 0 {
            text.push(' ');
            line_len += 1;
        }
        line_len += word.len();
        text.push_str(&word);
    }
    text.push('\n');
    text
}

fn generated_csv(rows: u64) -> String {
    let mut csv = String::from("id,timestamp,sensor,value,status\n");
    for id in 0..rows {
        let sensor = ["alpha", "beta", "gamma", "delta"][(id % 4) as usize];
        let value = ((id * 7_919) % 10_000) as f64 / 100.0;
        let status = if id % 97 == 0 { "late" } else { "ok" };
        csv.push_str(&format!(
            "{id},2026-01-01T00:{:02}:{:02}Z,{sensor},{value:.2},{status}\n",
            (id / 60) % 60,
            id % 60
        ));
    }
    csv
}

// Known results (see assets/README.md); filled from the generated corpus and cross-checked with wc.
const PROSE_BLAKE3: &str = "f47337141d807bf01b53999250ac0efe864f6b44a69a3b100e25eb3c1bcf1e2d";
const PROSE_BYTES: u64 = 153_799;
const PROSE_WC: (u64, u64, u64) = (2_234, 24_000, 153_799);
const CSV_WC: (u64, u64, u64) = (4_001, 4_001, 161_604);
const SHORT_WC: (u64, u64, u64) = (5, 24, 124);
const THUMBNAILS: &[(&str, u32, u32)] = &[
    ("disc-200x120.png", 128, 77),
    ("field-640x480.jpg", 128, 96),
    ("gradient-64x64.png", 64, 64),
    ("tall-40x300.png", 17, 128),
    ("waves-1024x768.png", 128, 96),
];
const CORPUS_FILES: &[&str] = &[
    "code/sum_squares.rs",
    "data/measurements.csv",
    "images/disc-200x120.png",
    "images/field-640x480.jpg",
    "images/gradient-64x64.png",
    "images/not-really.png",
    "images/tall-40x300.png",
    "images/waves-1024x768.png",
    "text/prose.txt",
    "text/short.txt",
];
