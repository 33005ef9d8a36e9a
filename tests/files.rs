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
    rx.recv_timeout(limit).expect("work did not finish in time (hang?)")
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
    assert!(streamed.ratio() > 0.05 && streamed.ratio() < 0.6, "{}", streamed.ratio());
}

#[test]
fn corpus_images_make_thumbnails_of_known_size() {
    let images = sample().join("images");
    for (file, width, height) in THUMBNAILS {
        let thumb = thumbnail_file(&images.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!((thumb.width, thumb.height), (*width, *height), "{file}");
        let decoded = image::load_from_memory(&thumb.png).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (*width, *height), "{file}");
    }
}

#[test]
fn corpus_non_image_with_image_extension_fails_clearly() {
    let err = thumbnail_file(&sample().join("images/not-really.png")).unwrap_err();
    assert_eq!(err, "not an image: The image format could not be determined");
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
        assert_ne!(here.digest, renamed.digest, "{kernel}: the name is part of the digest");
        assert_eq!(here.bytes_in, SHORT_WC.2);
    }
}

#[test]
fn run_task_dispatches_every_kind() {
    let spec = WorkloadSpec { kernel: Kernel::Hash, path: Some(sample()), ..WorkloadSpec::default() };
    let file = TaskInput::File { path: sample().join("text/short.txt"), name: "text/short.txt".into() };
    assert_eq!(run_task(&spec, &file).unwrap().bytes_in, SHORT_WC.2);
    let invalid = TaskInput::Invalid { name: "x".into(), error: "not a regular file (FIFO)".into() };
    assert_eq!(run_task(&spec, &invalid).unwrap_err(), "not a regular file (FIFO)");
    let synthetic = TaskInput::Synthetic { index: 3, size: 1000 };
    assert_eq!(run_task(&spec, &synthetic).unwrap().bytes_in, 1000);
}

#[test]
fn check_root_names_the_flag_and_the_cause() {
    assert_eq!(
        check_root(Path::new("/definitely/not/here")).unwrap_err(),
        "--path /definitely/not/here: No such file or directory (os error 2)"
    );
    assert!(check_root(&sample()).is_ok());
    assert!(check_root(&sample().join("text/short.txt")).is_ok());
    let err = check_root(Path::new("/dev/null")).unwrap_err();
    assert!(err.starts_with("--path /dev/null: not a regular file (character device)"), "{err}");
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
    image::RgbImage::from_fn(64, 64, |x, y| image::Rgb([(x * 4) as u8, (y * 4) as u8, 128]))
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
        "the", "a", "thread", "pool", "runtime", "task", "queue", "worker", "blocks", "waits",
        "steals", "latency", "throughput", "async", "future", "polls", "wakes", "sleeps", "core",
        "cache", "memory", "file", "hash", "image", "resize", "compress", "counts", "lines",
        "and", "or", "but", "while", "because", "every", "some", "many", "few", "slow", "fast",
        "quietly", "heavily", "under", "over", "beside", "through", "into", "from", "with",
        "scheduler", "channel", "semaphore", "permit", "deadline", "heartbeat", "echo", "probe",
    ];
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
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
        csv.push_str(&format!("{id},2026-01-01T00:{:02}:{:02}Z,{sensor},{value:.2},{status}\n", (id / 60) % 60, id % 60));
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
