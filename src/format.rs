//! Number formatting shared by the dashboard and the text reports: short, units always shown;
//! and `escape_control`, which every text renderer applies to text from outside.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Text that came from outside (file names, error messages, captions) made
/// safe to print on a terminal: control characters and bidirectional
/// overrides become visible escapes (`\n`, `\x1b`, `\u{202e}`), so a name can
/// neither move the cursor, clear the screen nor start a fake report line.
pub fn escape_control(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) && (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// Microseconds as `850µs`, `4.10ms`, `1.25s`; `-` when there are no samples.
pub fn micros(us: f64) -> String {
    if !us.is_finite() || us < 0.0 {
        return "-".to_string();
    }
    if us < 1_000.0 {
        format!("{us:.0}µs")
    } else if us < 1_000_000.0 {
        let ms = us / 1_000.0;
        if ms < 10.0 {
            format!("{ms:.2}ms")
        } else if ms < 100.0 {
            format!("{ms:.1}ms")
        } else {
            format!("{ms:.0}ms")
        }
    } else {
        format!("{:.2}s", us / 1_000_000.0)
    }
}

/// Bytes as `512 B`, `12.3 KiB`, `45.6 MiB`, `1.20 GiB`.
pub fn bytes(n: f64) -> String {
    const KIB: f64 = 1024.0;
    if n < KIB {
        format!("{n:.0} B")
    } else if n < KIB * KIB {
        format!("{:.1} KiB", n / KIB)
    } else if n < KIB * KIB * KIB {
        format!("{:.1} MiB", n / (KIB * KIB))
    } else {
        format!("{:.2} GiB", n / (KIB * KIB * KIB))
    }
}

/// A rate with three significant figures: `0.52`, `41.3`, `412`, `12.3k`, `1.23M`.
pub fn rate(x: f64) -> String {
    if !x.is_finite() {
        return "-".to_string();
    }
    let a = x.abs();
    if a >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", x / 1e3)
    } else {
        significant(x)
    }
}

/// Microseconds as milliseconds with the digits that matter: text output
/// gives every latency in ms (JSON keeps µs, in keys ending `_us`).
pub fn ms_from_us(us: f64) -> String {
    significant(us / 1000.0)
}

/// A number with the digits that matter and no unit: `0.84`, `12.3`, `4521`.
pub fn significant(x: f64) -> String {
    let a = x.abs();
    if x == 0.0 {
        // Nothing reads as `0`, not as a measurement of `0.00`.
        "0".to_string()
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// Seconds as `42s`, `3m05s`, `1h02m`.
pub fn duration_s(s: f64) -> String {
    let s = if s.is_finite() && s > 0.0 {
        s as u64
    } else {
        0
    };
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{}h{:02}m", s / 3600, (s / 60) % 60)
    }
}

/// Cuts `text` to at most `width` characters, ending with `…` when cut.
pub fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(width - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micros_picks_a_readable_unit() {
        assert_eq!(micros(850.4), "850µs");
        assert_eq!(micros(4_100.0), "4.10ms");
        assert_eq!(micros(41_000.0), "41.0ms");
        assert_eq!(micros(410_000.0), "410ms");
        assert_eq!(micros(1_250_000.0), "1.25s");
        assert_eq!(micros(f64::NAN), "-");
    }

    #[test]
    fn rates_and_bytes_keep_three_figures() {
        assert_eq!(rate(0.523), "0.52");
        assert_eq!(rate(412.2), "412");
        assert_eq!(rate(12_345.0), "12.3k");
        assert_eq!(bytes(47_815_065.0), "45.6 MiB");
        assert_eq!(duration_s(185.0), "3m05s");
    }

    #[test]
    fn control_characters_become_visible_escapes() {
        assert_eq!(escape_control("plain name.txt"), "plain name.txt");
        assert!(matches!(escape_control("ok"), Cow::Borrowed(_)));
        assert_eq!(
            escape_control("a\x1b[2Jb\nerrors\r\t\u{7f}\u{9b}"),
            "a\\x1b[2Jb\\nerrors\\r\\t\\x7f\\x9b"
        );
        assert_eq!(escape_control("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(escape_control("naïve ünïcode"), "naïve ünïcode");
    }

    #[test]
    fn truncate_marks_the_cut() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(truncate("abc", 0), "");
    }
}
