//! The network boundary of a sandboxed tool.
//!
//! A request from a tool goes through, in this order:
//!
//! 1. [`check_request`]: the method and URL must fall inside one of the
//!    manifest's `http.allow` rules. URLs are parsed with the WHATWG parser
//!    (`url`), and everything that lets a URL mean one thing to a matcher and
//!    another to a server is refused outright: user info
//!    (`https://api.github.com@evil.example/`), IP literals, backslashes,
//!    whitespace and control characters, and percent-encoded `/`, `\` or `.`
//!    in the path.
//! 2. The safety layer's [`crate::safety::SafetyLayer::check_outbound`] on
//!    what the *tool* wrote (URL, headers, body): a tool cannot send a known
//!    secret out, even to an allowed host.
//! 3. [`RequestGrant::inject`]: the host adds the credentials the manifest
//!    grants for that host (HTTPS only), replacing any header or query
//!    parameter of the same name the tool set. The tool never sees them.
//! 4. Name resolution, then [`check_address`] on every address before
//!    connecting: no loopback, private, link-local, shared or reserved
//!    addresses, also when hidden in IPv4-mapped, NAT64 or 6to4 forms (DNS
//!    rebinding cannot turn an allowed name into a local service).
//! 5. The response is leak-scanned by the safety layer before the tool gets
//!    it, so a server echoing the injected credential does not hand it over.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};
use zeroize::Zeroizing;

use super::manifest::{HttpRule, Injection, Manifest, Method, Scheme, SecretGrant};

/// Longest URL a tool may request (bytes).
pub const MAX_URL_BYTES: usize = 8 * 1024;

/// A request or connection the manifest does not allow. The message is for
/// the tool's output (the model reads it) and the log: it names what was
/// refused and what is allowed, never a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Denied(pub String);

/// An allowed request: the parsed URL, the rule that allows it, and the
/// credentials the host adds.
#[derive(Debug, Clone)]
pub struct RequestGrant<'m> {
    pub method: Method,
    pub url: Url,
    pub rule: &'m HttpRule,
    pub credentials: Vec<&'m SecretGrant>,
}

/// Checks a tool's request against its manifest (step 1 above).
pub fn check_request<'m>(
    manifest: &'m Manifest,
    method: &str,
    url: &str,
) -> Result<RequestGrant<'m>, Denied> {
    let denied = |why: String| {
        Denied(format!(
            "{} may not request {}: {why}",
            manifest.name,
            shown(url)
        ))
    };
    let method = Method::parse(method).ok_or_else(|| {
        denied(format!(
            "{:?} is not an HTTP method tools may use (GET, HEAD, POST, PUT, PATCH, DELETE)",
            shown(method)
        ))
    })?;
    if url.len() > MAX_URL_BYTES {
        return Err(denied(format!(
            "the URL is {} bytes; at most {MAX_URL_BYTES}",
            url.len()
        )));
    }
    if let Some(c) = url
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || *c == '\\')
    {
        return Err(denied(format!(
            "the URL contains {c:?}; write it percent-encoded"
        )));
    }
    let parsed = Url::parse(url).map_err(|e| denied(format!("not a valid URL ({e})")))?;
    let scheme = match parsed.scheme() {
        "https" => Scheme::Https,
        "http" => Scheme::Http,
        other => return Err(denied(format!("the scheme `{other}` is not allowed"))),
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(denied(
            "user names and passwords in URLs are not allowed (credentials are added by the \
             host)"
                .into(),
        ));
    }
    let host = match parsed.host() {
        Some(Host::Domain(d)) => d.trim_end_matches('.').to_ascii_lowercase(),
        Some(Host::Ipv4(_) | Host::Ipv6(_)) => {
            return Err(denied(
                "IP addresses are not allowed; use the host's name".into(),
            ));
        }
        None => return Err(denied("the URL has no host".into())),
    };
    let path = parsed.path();
    let lower = path.to_ascii_lowercase();
    if ["%2f", "%5c", "%2e"].iter().any(|e| lower.contains(e)) {
        return Err(denied(
            "percent-encoded `/`, `\\` or `.` in the path are not allowed".into(),
        ));
    }
    let port = parsed.port_or_known_default();
    let default_port = match scheme {
        Scheme::Https => 443,
        Scheme::Http => 80,
    };
    let rule = manifest.http.allow.iter().find(|r| {
        r.scheme == scheme
            && r.host.matches(&host)
            && port == Some(r.port.unwrap_or(default_port))
            && r.path_matches(path)
            && r.methods.contains(&method)
    });
    let Some(rule) = rule else {
        return Err(denied(outside(manifest)));
    };
    let credentials = if scheme == Scheme::Https {
        manifest
            .secrets
            .iter()
            .filter(|s| s.hosts.iter().any(|h| h.matches(&host)))
            .collect()
    } else {
        Vec::new()
    };
    Ok(RequestGrant {
        method,
        url: parsed,
        rule,
        credentials,
    })
}

/// "it is outside the allowlist: …", listing the rules.
fn outside(manifest: &Manifest) -> String {
    if manifest.http.allow.is_empty() {
        return "the tool's manifest grants no network access".into();
    }
    let rules: Vec<String> = manifest.http.allow.iter().map(|r| r.to_string()).collect();
    format!(
        "it is outside the manifest's allowlist ({})",
        rules.join("; ")
    )
}

/// At most 120 characters of `s`, for messages.
fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(120).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

impl RequestGrant<'_> {
    /// Adds the granted credentials (step 3): headers replace any the tool
    /// set under the same name; query parameters replace any of the same
    /// name. `lookup` returns a secret's value by name. A missing secret, or
    /// one that cannot travel in a header, is refused with the fix.
    pub fn inject(
        &self,
        headers: &mut Vec<(String, String)>,
        mut lookup: impl FnMut(&str) -> Option<Zeroizing<String>>,
    ) -> Result<Url, Denied> {
        let mut url = self.url.clone();
        for grant in &self.credentials {
            let value = lookup(&grant.name).ok_or_else(|| {
                Denied(format!(
                    "the secret `{0}` is not set; store it with `ironclaw secrets set {0}`",
                    grant.name
                ))
            })?;
            let header = |name: &str, prefix: &str| -> Result<(String, String), Denied> {
                if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
                    return Err(Denied(format!(
                        "the secret `{}` contains a line break, which cannot be sent in a header",
                        grant.name
                    )));
                }
                Ok((name.to_string(), format!("{prefix}{}", value.as_str())))
            };
            match &grant.inject {
                Injection::Header { name, prefix } => {
                    headers.retain(|(h, _)| !h.eq_ignore_ascii_case(name));
                    headers.push(header(name, prefix)?);
                }
                Injection::Bearer => {
                    headers.retain(|(h, _)| !h.eq_ignore_ascii_case("authorization"));
                    headers.push(header("authorization", "Bearer ")?);
                }
                Injection::Query { name } => {
                    let kept: Vec<(String, String)> = url
                        .query_pairs()
                        .filter(|(k, _)| k != name.as_str())
                        .map(|(k, v)| (k.into_owned(), v.into_owned()))
                        .collect();
                    let mut pairs = url.query_pairs_mut();
                    pairs.clear();
                    for (k, v) in &kept {
                        pairs.append_pair(k, v);
                    }
                    pairs.append_pair(name, &value);
                }
            }
        }
        Ok(url)
    }
}

/// Whether a tool may connect to `ip` (step 4): public unicast addresses
/// only.
pub fn check_address(ip: IpAddr) -> Result<(), Denied> {
    let refuse = |what: &str| {
        Err(Denied(format!(
            "{ip} is {what}; tools may only reach public addresses"
        )))
    };
    match ip {
        IpAddr::V4(v4) => match v4_kind(v4) {
            Some(what) => refuse(what),
            None => Ok(()),
        },
        IpAddr::V6(v6) => {
            if let Some(v4) = embedded_v4(v6) {
                return match v4_kind(v4) {
                    Some(what) => refuse(&format!("{what} ({v4}, embedded in IPv6)")),
                    None => Ok(()),
                };
            }
            let s = v6.segments();
            if v6.is_loopback() {
                refuse("this machine (loopback)")
            } else if v6.is_unspecified() {
                refuse("unspecified")
            } else if v6.is_multicast() {
                refuse("a multicast address")
            } else if s[0] & 0xfe00 == 0xfc00 {
                refuse("a private address (unique local)")
            } else if s[0] & 0xffc0 == 0xfe80 || s[0] & 0xffc0 == 0xfec0 {
                refuse("a link-local address")
            } else if s[0] == 0x2001 && s[1] == 0x0db8 {
                refuse("a documentation address")
            } else if s[0] == 0x0100 && s[1] == 0 && s[2] == 0 && s[3] == 0 {
                refuse("a discard-only address")
            } else {
                Ok(())
            }
        }
    }
}

fn v4_kind(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    if ip.is_loopback() {
        Some("this machine (loopback)")
    } else if ip.is_private() {
        Some("a private address")
    } else if ip.is_link_local() {
        Some("a link-local address (cloud metadata services live here)")
    } else if a == 0 {
        Some("unspecified")
    } else if ip.is_broadcast() || ip.is_multicast() || a >= 240 {
        Some("a broadcast, multicast or reserved address")
    } else if a == 100 && (64..128).contains(&b) {
        Some("a shared (carrier-grade NAT) address")
    } else if a == 192 && b == 0 && c == 0 {
        Some("an IETF protocol address")
    } else if a == 198 && (b == 18 || b == 19) {
        Some("a benchmarking address")
    } else if ip.is_documentation() {
        Some("a documentation address")
    } else {
        None
    }
}

/// The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible
/// (`::a.b.c.d`), NAT64 (`64:ff9b::/96`) or 6to4 (`2002::/16`) address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let tail = || Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    if s[..6] == [0, 0, 0, 0, 0, 0] && !(s[6] == 0 && s[7] <= 1) {
        return Some(tail());
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(tail());
    }
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::new(
            (s[1] >> 8) as u8,
            s[1] as u8,
            (s[2] >> 8) as u8,
            s[2] as u8,
        ));
    }
    None
}

#[cfg(test)]
mod tests;
