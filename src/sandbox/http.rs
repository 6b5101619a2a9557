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
//!
//! These hold only if the client that sends the request connects to the
//! addresses step 4 passed (a filtering resolver), uses no system proxy,
//! follows no redirect by itself (each hop is a new request through every
//! step) and reports errors without the URL.

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
        Some(Host::Domain(d)) => {
            plain_host(d).ok_or_else(|| denied("the host is not a valid DNS name".into()))?
        }
        Some(Host::Ipv4(_) | Host::Ipv6(_)) => {
            return Err(denied(
                "IP addresses are not allowed; use the host's name".into(),
            ));
        }
        None => return Err(denied("the URL has no host".into())),
    };
    let path = parsed.path();
    if hides_traversal(path) {
        return Err(denied(
            "percent-encoded `/`, `\\`, `.` or `%`, and `..;` segments, are not allowed in the \
             path"
                .into(),
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
    // A secret goes only where the rule that allowed this very request
    // (scheme, port and all) covers one of the secret's hosts.
    let credentials = if scheme == Scheme::Https {
        manifest
            .secrets
            .iter()
            .filter(|s| {
                s.hosts
                    .iter()
                    .any(|h| h.matches(&host) && rule.host.covers(h))
            })
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

/// The host as a matcher sees it: lowercase, one trailing dot removed.
/// Hosts the WHATWG parser accepts but no DNS name has (empty labels, `*`,
/// `_`) are refused, so `..x.example.com` or `*.example.com` never match a
/// wildcard rule.
fn plain_host(domain: &str) -> Option<String> {
    let host = domain
        .strip_suffix('.')
        .unwrap_or(domain)
        .to_ascii_lowercase();
    let ok = !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    ok.then_some(host)
}

/// Whether a URL path hides a dot segment or an escaped separator from the
/// prefix match: percent-encoded `/`, `\`, `.` or `%` (double encoding),
/// and `..;`-style segments that Java servers read as `..`.
fn hides_traversal(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    ["%2f", "%5c", "%2e", "%25"]
        .iter()
        .any(|e| lower.contains(e))
        || path
            .split('/')
            .any(|seg| matches!(seg.split(';').next(), Some(".." | ".")) && seg.contains(';'))
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
/// At most 120 characters of `s`, control characters escaped, for
/// messages (a tool must not forge log lines or send terminal escapes).
fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(120).flat_map(char::escape_debug).collect();
    if s.chars().nth(120).is_some() {
        out.push('…');
    }
    out
}

/// Headers a tool may not set itself: they frame or route the request
/// (`host` would send an injected credential to another site behind the same
/// front end; `content-length`/`transfer-encoding` smuggle requests), or
/// would let an echoed credential come back in pieces or compressed, past
/// the response's leak scan (`range`, `if-range`, `accept-encoding`).
const TOOL_FORBIDDEN_HEADERS: [&str; 12] = [
    "accept-encoding",
    "range",
    "if-range",
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "upgrade",
    "te",
    "trailer",
    "keep-alive",
    "expect",
];

/// Whether `name` is an HTTP header name (an RFC 9110 token).
pub fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Refuses headers a tool may not set: framing and routing headers,
/// `proxy-*`, names that are not HTTP tokens, and values with control
/// characters (CR/LF would split the header).
pub fn check_tool_headers(headers: &[(String, String)]) -> Result<(), Denied> {
    for (name, value) in headers {
        let lower = name.to_ascii_lowercase();
        if !is_header_name(&lower) {
            return Err(Denied(format!("{:?} is not a header name", shown(name))));
        }
        if TOOL_FORBIDDEN_HEADERS.contains(&lower.as_str()) || lower.starts_with("proxy-") {
            return Err(Denied(format!(
                "tools may not set the `{lower}` header; the host sets it"
            )));
        }
        if value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(Denied(format!(
                "the value of the `{lower}` header contains a control character"
            )));
        }
    }
    Ok(())
}

impl RequestGrant<'_> {
    /// Checks the tool's headers ([`check_tool_headers`]) and adds the
    /// granted credentials (step 3): a header replaces any the tool set
    /// under the same name; a query parameter replaces any of the same name,
    /// leaving the rest of the query byte for byte. `lookup` returns a
    /// secret's value by name. A missing secret, or a value that cannot
    /// travel in a header, is refused with the fix.
    ///
    /// The returned URL and headers hold secrets: whoever sends them must
    /// not log them, and must report transport errors without the URL
    /// (`reqwest::Error::without_url`).
    pub fn inject(
        &self,
        headers: &mut Vec<(String, String)>,
        mut lookup: impl FnMut(&str) -> Option<Zeroizing<String>>,
    ) -> Result<Url, Denied> {
        check_tool_headers(headers)?;
        let mut url = self.url.clone();
        for grant in &self.credentials {
            let value = lookup(&grant.name).ok_or_else(|| {
                Denied(format!(
                    "the secret `{0}` is not set; store it with `ironclaw secrets set {0}`",
                    grant.name
                ))
            })?;
            let header = |name: &str, prefix: &str| -> Result<(String, String), Denied> {
                if value.chars().any(|c| c.is_control() && c != '\t') {
                    return Err(Denied(format!(
                        "the secret `{}` contains a line break or control character, which \
                         cannot be sent in a header",
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
                    let encode = |s: &str| {
                        url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
                    };
                    let mut pairs: Vec<&str> = url
                        .query()
                        .unwrap_or("")
                        .split('&')
                        .filter(|pair| {
                            let key = pair.split('=').next().unwrap_or("");
                            !pair.is_empty()
                                && url::form_urlencoded::parse(key.as_bytes())
                                    .next()
                                    .is_none_or(|(k, _)| k != name.as_str())
                        })
                        .collect();
                    let added = format!("{}={}", encode(name), encode(&value));
                    pairs.push(&added);
                    let query = pairs.join("&");
                    url.set_query(Some(&query));
                }
            }
        }
        Ok(url)
    }
}

/// A resolver (for `reqwest`) that returns only public addresses
/// ([`check_address`]), and an error naming a refused one, followed by
/// `fix`, when nothing public is left. With it the client connects to
/// exactly the addresses that were checked.
pub struct PublicOnly {
    fix: &'static str,
}

impl PublicOnly {
    /// `fix` says how to lift the rule (appended to refusals).
    pub fn new(fix: &'static str) -> Self {
        Self { fix }
    }
}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        let fix = self.fix;
        Box::pin(async move {
            let addrs: Vec<std::net::SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let (public, refused): (Vec<_>, Vec<_>) = addrs
                .into_iter()
                .partition(|a| check_address(a.ip()).is_ok());
            if public.is_empty() {
                let why = match refused.first() {
                    Some(a) => check_address(a.ip())
                        .err()
                        .map_or_else(String::new, |e| e.to_string()),
                    None => "no addresses".to_string(),
                };
                return Err(format!("{host} resolves to {why}; {fix}").into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
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
            } else if (s[0] == 0x2001 && s[1] == 0x0db8) || s[0] & 0xfff0 == 0x3ff0 {
                refuse("a documentation address")
            } else if s[0] == 0x2001 && s[1] == 0 {
                refuse("a Teredo tunnel address")
            } else if s[0] == 0x2001 && s[1] == 2 && s[2] == 0 {
                refuse("a benchmarking address")
            } else if s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1 {
                refuse("a local-use NAT64 address")
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
    // IPv4-translated (SIIT): ::ffff:0:a.b.c.d
    if s[..6] == [0, 0, 0, 0, 0xffff, 0] {
        return Some(tail());
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
