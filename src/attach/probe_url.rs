//! The URL `--probe` (and `--metrics`) time: plain HTTP on this machine only,
//! like loadlab's own service. Whatever a user types, loadlab sends requests
//! to no other host.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use super::error::AttachError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoopbackUrl {
    pub address: SocketAddr,
    /// Path and query, starting with `/`.
    pub path: String,
    /// The URL as given (control characters escaped), for reports.
    pub text: String,
}

/// The longest URL accepted.
const URL_MAX_CHARS: usize = 2048;

impl LoopbackUrl {
    /// `http://HOST[:PORT][/PATH]` where HOST is `127.x.y.z`, `[::1]` or
    /// `localhost` (127.0.0.1); a missing scheme means http.
    pub fn parse(url: &str) -> Result<LoopbackUrl, AttachError> {
        let text = crate::format::escape_control(url.trim()).into_owned();
        let refused = |cause: &str| AttachError::BadUrl {
            url: text.clone(),
            cause: cause.to_string(),
        };
        let url = url.trim();
        if url.chars().count() > URL_MAX_CHARS {
            return Err(refused("longer than 2048 characters"));
        }
        let rest = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some((scheme, _)) if scheme.eq_ignore_ascii_case("https") => {
                return Err(refused(
                    "https is not spoken: attach sends plain HTTP to this machine only",
                ));
            }
            Some(_) => return Err(refused("only http:// URLs can be read")),
            None => url,
        };
        let (authority, path) = match rest.find(['/', '?']) {
            Some(at) if rest[at..].starts_with('/') => (&rest[..at], rest[at..].to_string()),
            Some(at) => (&rest[..at], format!("/{}", &rest[at..])),
            None => (rest, "/".to_string()),
        };
        let path = path.split('#').next().unwrap_or("/").to_string();
        if path
            .bytes()
            .any(|b| b <= b' ' || b == 0x7f || !b.is_ascii())
        {
            return Err(refused(
                "the path holds spaces, control or non-ASCII characters (percent-encode them)",
            ));
        }
        if authority.is_empty() {
            return Err(refused("no host: give http://127.0.0.1:PORT/PATH"));
        }
        if authority.contains('@') {
            return Err(refused("user names and passwords are not sent"));
        }
        let (host, port) = split_port(authority)
            .ok_or_else(|| refused("the port is not a number from 1 to 65535"))?;
        let ip = if host.eq_ignore_ascii_case("localhost") {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        } else {
            host.trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>()
                .map_err(|_| {
                    refused("the host must be 127.0.0.1, [::1] or localhost (an IP, not a name)")
                })?
        };
        if !ip.is_loopback() {
            return Err(refused(
                "not a loopback address: attach asks 127.0.0.1, [::1] or localhost only",
            ));
        }
        Ok(LoopbackUrl {
            address: SocketAddr::new(ip, port),
            path,
            text,
        })
    }
}

/// `host[:port]` (`[v6]:port` for IPv6); port 80 when none is given.
fn split_port(authority: &str) -> Option<(&str, u16)> {
    let (host, port) = match authority.rfind(':') {
        // `[::1]` alone: the colons are the address's.
        Some(at) if !authority[at..].contains(']') => {
            (&authority[..at], Some(&authority[at + 1..]))
        }
        _ => (authority, None),
    };
    let port = match port {
        Some(port) => port.parse::<u16>().ok().filter(|p| *p > 0)?,
        None => 80,
    };
    (!host.is_empty()).then_some((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_urls_are_taken_apart() {
        let url = LoopbackUrl::parse("http://127.0.0.1:8080/health?deep=1").unwrap();
        assert_eq!(url.address, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(url.path, "/health?deep=1");
        let url = LoopbackUrl::parse("localhost:3000").unwrap();
        assert_eq!(url.address, "127.0.0.1:3000".parse().unwrap());
        assert_eq!(url.path, "/");
        let url = LoopbackUrl::parse("http://[::1]:9/x#frag").unwrap();
        assert_eq!(url.address, "[::1]:9".parse().unwrap());
        assert_eq!(url.path, "/x");
        let url = LoopbackUrl::parse("HTTP://127.1.2.3").unwrap();
        assert_eq!(url.address, "127.1.2.3:80".parse().unwrap());
    }

    #[test]
    fn anything_but_plain_http_on_loopback_is_refused() {
        for (url, cause) in [
            ("http://10.0.0.1:80/health", "loopback"),
            ("http://example.com/health", "an IP"),
            ("https://127.0.0.1/health", "https"),
            ("ftp://127.0.0.1/", "http://"),
            ("http://user:pw@127.0.0.1/", "passwords"),
            ("http://127.0.0.1:0/", "port"),
            ("http://127.0.0.1:70000/", "port"),
            ("http://127.0.0.1/a b", "spaces"),
            ("http://127.0.0.1/a\r\nHost: evil", "control"),
            ("http://[::ffff:10.0.0.1]:80/", "loopback"),
            ("", "no host"),
            ("http:///health", "no host"),
        ] {
            let error = LoopbackUrl::parse(url).unwrap_err().to_string();
            assert!(error.contains(cause), "{url:?}: {error}");
            assert!(!error.contains('\n'), "{url:?}: {error}");
        }
    }
}
