//! Reading a /proc file kept open: procfs serves a fresh reading at offset 0,
//! so a sample costs one `pread`, not an open and a close. The whole file, or
//! one number out of a small one.

use std::fs::File;
use std::os::unix::fs::FileExt;

/// Room for a first read of a whole /proc file, grown when one fills it.
pub const FIRST_READ_BYTES: usize = 4096;

/// All of a /proc file kept open: procfs makes the whole file at each read
/// from offset 0, so one read that leaves room in `buffer` got all of it; one
/// that fills it is taken again into a buffer twice the size.
pub fn read_whole<'a>(file: &File, buffer: &'a mut Vec<u8>) -> Option<&'a str> {
    let read = loop {
        let read = file.read_at(buffer, 0).ok()?;
        if read < buffer.len() {
            break read;
        }
        let doubled = (buffer.len() * 2).max(FIRST_READ_BYTES);
        buffer.resize(doubled, 0);
    };
    std::str::from_utf8(buffer.get(..read)?).ok()
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_larger_than_the_buffer_is_read_whole() {
        if !cfg!(target_os = "linux") {
            return;
        }
        let stat = File::open("/proc/self/stat").unwrap_or_else(|e| panic!("{e}"));
        let mut buffer = vec![0; 8];
        let whole = read_whole(&stat, &mut buffer).map(str::to_owned);
        let whole = whole.unwrap_or_else(|| panic!("/proc/self/stat unreadable"));
        assert!(buffer.len() > whole.len(), "{} bytes", buffer.len());
        assert!(whole.ends_with('\n'), "{whole}");
        assert!(
            crate::metrics::proc_stat::parse_own(&whole).is_some(),
            "{whole}"
        );
    }
}
