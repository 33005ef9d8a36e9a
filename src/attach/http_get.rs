//! One plain HTTP GET on this machine, bounded in time and size, that
//! returns the body: what `--metrics` reads the target's Prometheus page
//! with. A stop flag is looked at between reads, so stopping never waits
//! for a slow target.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::probe_url::LoopbackUrl;

/// How long one read waits before the deadline and the stop flag are looked at.
const READ_SLICE: Duration = Duration::from_millis(100);

/// GETs `url` and returns its body, or why not: refused, no answer within
/// `timeout`, a status other than 2xx, longer than `max_bytes`, stopped.
pub fn get(
    url: &LoopbackUrl,
    timeout: Duration,
    max_bytes: usize,
    stop: &AtomicBool,
) -> io::Result<Vec<u8>> {
    let deadline = Instant::now() + timeout;
    let mut stream = TcpStream::connect_timeout(&url.address, timeout)?;
    stream.set_read_timeout(Some(READ_SLICE))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: loadlab\r\nAccept: text/plain\r\nConnection: close\r\n\r\n",
        url.path, url.address
    )?;
    let mut answer = Vec::with_capacity(16 * 1024);
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if stop.load(Ordering::Acquire) {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "stopped"));
        }
        if Instant::now() >= deadline {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no whole answer within {} s", timeout.as_secs_f64()),
            ));
        }
        match stream.read(&mut chunk) {
            Ok(0) => return body_of(&answer, true),
            Ok(read) => answer.extend_from_slice(&chunk[..read]),
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) =>
            {
                continue;
            }
            Err(error) => return Err(error),
        }
        if answer.len() > max_bytes {
            return Err(io::Error::other(format!(
                "the answer is longer than {max_bytes} bytes"
            )));
        }
        if let Ok(body) = body_of(&answer, false) {
            return Ok(body);
        }
    }
}

/// The body of a whole answer (`closed`: the server has closed, so a body
/// without a length ends here); an error while it is incomplete or not 2xx.
fn body_of(answer: &[u8], closed: bool) -> io::Result<Vec<u8>> {
    let incomplete = || io::Error::new(io::ErrorKind::UnexpectedEof, "the answer ended early");
    let Some(head_end) = answer.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Err(incomplete());
    };
    let head = String::from_utf8_lossy(&answer[..head_end]);
    status_ok(&head)?;
    let header = |wanted: &str| {
        head.lines()
            .skip(1)
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case(wanted))
            .map(|(_, value)| value.trim().to_string())
    };
    let body = &answer[head_end + 4..];
    if header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
        return dechunk(body).ok_or_else(incomplete);
    }
    if let Some(length) = header("content-length") {
        let length: usize = length
            .parse()
            .map_err(|_| io::Error::other(format!("Content-Length {length:?} is not a number")))?;
        return match body.len() {
            n if n == length => Ok(body.to_vec()),
            n if n > length => Err(io::Error::other("more bytes than the Content-Length")),
            _ => Err(incomplete()),
        };
    }
    if closed {
        Ok(body.to_vec())
    } else {
        Err(incomplete())
    }
}

/// A 2xx status line, else an error naming the status.
fn status_ok(head: &str) -> io::Result<()> {
    let line = head.lines().next().unwrap_or_default();
    let code = line.split_whitespace().nth(1).unwrap_or_default();
    if line.starts_with("HTTP/1.") && code.len() == 3 && code.starts_with('2') {
        return Ok(());
    }
    let line: String = line.chars().filter(|c| !c.is_control()).take(80).collect();
    Err(io::Error::other(format!("answered {line:?}, not 2xx")))
}

/// A chunked body decoded, once its last (empty) chunk is in.
fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&body[..line_end]).ok()?;
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        if body.len() < size + 2 {
            return None;
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_by_length_by_chunks_and_by_close() {
        let answer = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        assert_eq!(body_of(answer, false).unwrap(), b"hello");
        let partial = b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhello";
        assert!(body_of(partial, false).is_err());
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n";
        assert_eq!(body_of(chunked, false).unwrap(), b"hello");
        let half = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n";
        assert!(body_of(half, false).is_err());
        let closing = b"HTTP/1.0 200 OK\r\n\r\nhello";
        assert!(body_of(closing, false).is_err());
        assert_eq!(body_of(closing, true).unwrap(), b"hello");
    }

    #[test]
    fn a_status_other_than_2xx_is_named() {
        let answer = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
        let error = body_of(answer, true).unwrap_err().to_string();
        assert!(error.contains("404 Not Found"), "{error}");
        let garbage = b"SSH-2.0-OpenSSH\r\n\r\n";
        assert!(body_of(garbage, true).is_err());
    }
}
