//! One number out of a small /proc file kept open: procfs serves a fresh
//! reading at offset 0, so a sample costs one `pread`, not an open and a close.

use std::fs::File;
use std::os::unix::fs::FileExt;

/// The `index`-th whitespace-separated field of `file`, as a number.
pub fn read_number_field(file: &File, index: usize) -> Option<u64> {
    let mut buf = [0u8; 128];
    let n = file.read_at(&mut buf, 0).ok()?;
    std::str::from_utf8(&buf[..n])
        .ok()?
        .split_whitespace()
        .nth(index)?
        .parse()
        .ok()
}

/// The first `N` whitespace-separated fields of `file`, as numbers, from one read.
pub fn read_leading_numbers<const N: usize>(file: &File) -> Option<[u64; N]> {
    let mut buf = [0u8; 128];
    let n = file.read_at(&mut buf, 0).ok()?;
    let mut fields = std::str::from_utf8(&buf[..n]).ok()?.split_whitespace();
    let mut numbers = [0u64; N];
    for number in &mut numbers {
        *number = fields.next()?.parse().ok()?;
    }
    Some(numbers)
}
