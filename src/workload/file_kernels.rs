//! The per-file kernels, each streaming one regular file (resize decodes it,
//! within limits). They return their full result; `files::run_file` folds it
//! into a digest.

use std::io::{self, BufReader, Cursor, Write};
use std::path::Path;

use flate2::Compression;
use flate2::write::DeflateEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use crate::bounds::{RESIZE_FILE_MAX_SIDE, RESIZE_MAX_ALLOC, RESIZE_MAX_FILE_BYTES};
use crate::workload::TaskFailure;
use crate::workload::file_open::open_regular;
use crate::workload::memory_budget::reserve_for_task;

/// Longest side of a thumbnail; smaller images are kept at their size.
pub const THUMBNAIL_SIDE: u32 = 128;

/// BLAKE3 of a file's contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileHash {
    pub hash: blake3::Hash,
    pub bytes: u64,
}

/// `wc`-style counts: lines are newline bytes, words are runs of non-whitespace
/// (ASCII whitespace, as `wc` in the C locale).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileCounts {
    pub lines: u64,
    pub words: u64,
    pub bytes: u64,
}

/// A file deflated (level 6) into a counting sink.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compressed {
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// BLAKE3 of the input, so the digest covers contents exactly.
    pub content_hash: blake3::Hash,
}

impl Compressed {
    /// Compressed size over input size (0 for an empty file).
    pub fn ratio(&self) -> f64 {
        if self.bytes_in == 0 {
            0.0
        } else {
            self.bytes_out as f64 / self.bytes_in as f64
        }
    }
}

/// A PNG thumbnail of an image file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Thumbnail {
    pub width: u32,
    pub height: u32,
    pub png: Vec<u8>,
    /// Size of the image file.
    pub bytes_in: u64,
}

/// BLAKE3 of the file, streamed.
pub fn hash_file(path: &Path) -> Result<FileHash, TaskFailure> {
    let mut file = open_regular(path)?;
    let mut hasher = blake3::Hasher::new();
    let bytes = file.stream(|chunk| {
        hasher.update(chunk);
        Ok(())
    })?;
    Ok(FileHash {
        hash: hasher.finalize(),
        bytes,
    })
}

/// Lines, words and bytes of the file, streamed.
pub fn count_file(path: &Path) -> Result<FileCounts, TaskFailure> {
    let mut file = open_regular(path)?;
    let mut counts = FileCounts::default();
    // Carried across chunks so a word split by a chunk boundary counts once.
    let mut in_word = false;
    let bytes = file.stream(|chunk| {
        for &byte in chunk {
            if byte.is_ascii_whitespace() || byte == 0x0b {
                counts.lines += u64::from(byte == b'\n');
                in_word = false;
            } else if !in_word {
                counts.words += 1;
                in_word = true;
            }
        }
        Ok(())
    })?;
    counts.bytes = bytes;
    Ok(counts)
}

/// Deflates the file, streamed, counting the compressed bytes.
pub fn compress_file(path: &Path) -> Result<Compressed, TaskFailure> {
    let mut file = open_regular(path)?;
    let mut encoder = DeflateEncoder::new(CountingSink::default(), Compression::default());
    let mut hasher = blake3::Hasher::new();
    let bytes_in = file.stream(|chunk| {
        hasher.update(chunk);
        encoder.write_all(chunk).map_err(TaskFailure::Deflate)
    })?;
    let sink = encoder.finish().map_err(TaskFailure::Deflate)?;
    Ok(Compressed {
        bytes_in,
        bytes_out: sink.written,
        content_hash: hasher.finalize(),
    })
}

/// Decodes the image (size, dimension and allocation limits so a hostile file
/// cannot take gigabytes), makes a Lanczos3 thumbnail and encodes it as PNG.
/// The decoded size, known from the header, is reserved from the process
/// memory budget before the pixels are decoded.
pub fn thumbnail_file(path: &Path) -> Result<Thumbnail, TaskFailure> {
    thumbnail_file_while(path, &|| true)
}

/// `thumbnail_file`, giving up while waiting for memory budget once
/// `still_wanted()` turns false.
pub fn thumbnail_file_while(
    path: &Path,
    still_wanted: &dyn Fn() -> bool,
) -> Result<Thumbnail, TaskFailure> {
    let file = open_regular(path)?;
    let bytes_in = file.len();
    if bytes_in > RESIZE_MAX_FILE_BYTES {
        return Err(TaskFailure::TooLargeToResize {
            bytes: bytes_in,
            limit_mib: RESIZE_MAX_FILE_BYTES >> 20,
        });
    }
    let mut reader = ImageReader::new(BufReader::new(&file.file)).with_guessed_format()?;
    let jpeg = reader.format() == Some(ImageFormat::Jpeg);
    let mut limits = Limits::default();
    limits.max_image_width = Some(RESIZE_FILE_MAX_SIDE);
    limits.max_image_height = Some(RESIZE_FILE_MAX_SIDE);
    limits.max_alloc = Some(RESIZE_MAX_ALLOC);
    reader.limits(limits.clone());
    let decoder = reader.into_decoder()?;
    // What `ImageReader::decode` checks before allocating the pixels.
    limits.reserve(decoder.total_bytes())?;
    let (width, height) = decoder.dimensions();
    let estimate = decode_memory_estimate(decoder.total_bytes(), width, height, jpeg);
    let _memory =
        reserve_for_task(estimate, still_wanted).map_err(|refusal| TaskFailure::NoMemory {
            needed_for: format!("image of {width} x {height}"),
            refusal,
        })?;
    let image = DynamicImage::from_decoder(decoder)?;
    file.check_unchanged()?;
    let thumbnail = shrink_to_fit(image);
    let mut png = Vec::new();
    thumbnail
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(TaskFailure::CannotEncode)?;
    Ok(Thumbnail {
        width: thumbnail.width(),
        height: thumbnail.height(),
        png,
        bytes_in,
    })
}

/// Peak memory of making a thumbnail: the decoded pixels, the decoder's own
/// buffers (a JPEG decoder keeps about one more copy of the pixels as
/// component planes) and the filter's vertical pass (RGBA f32, full width,
/// thumbnail height).
pub fn decode_memory_estimate(decoded_bytes: u64, width: u32, height: u32, jpeg: bool) -> u64 {
    let decoder = if jpeg { decoded_bytes } else { 0 };
    let filter_pass = u64::from(width) * u64::from(height.min(THUMBNAIL_SIDE)) * 16;
    decoded_bytes
        .saturating_add(decoder)
        .saturating_add(filter_pass)
}

/// Lanczos3 down to `THUMBNAIL_SIDE` on the longest side, keeping the aspect
/// ratio; never upscales.
fn shrink_to_fit(image: DynamicImage) -> DynamicImage {
    if image.width() <= THUMBNAIL_SIDE && image.height() <= THUMBNAIL_SIDE {
        image
    } else {
        image.resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, FilterType::Lanczos3)
    }
}

/// A writer that only counts what it is given.
#[derive(Default)]
struct CountingSink {
    written: u64,
}

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.written += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
