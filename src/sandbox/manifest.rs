//! The capability manifest of a WebAssembly tool: parsing, validation, and
//! the risk its grants amount to.
//!
//! A manifest is TOML (format reference: `docs/extensions.md`):
//!
//! ```toml
//! [tool]
//! name = "weather"
//! version = "0.1.0"
//! description = "Current weather for a place."
//!
//! [[http.allow]]
//! host = "api.open-meteo.com"
//! path = "/v1/"
//! methods = ["GET"]
//! ```
//!
//! Parsing is strict, because the manifest is a security boundary that a
//! stranger writes: unknown keys are errors (a misspelt `hosts` must not
//! silently mean "no restriction"), every grant is checked for breadth
//! (`*` or `*.com` as a host, write access to the identity files, IP
//! addresses), every limit has a ceiling, and every secret the host injects
//! must be scoped to HTTPS hosts the allowlist already names. All problems
//! are reported at once, each with its line, the key and a fix. Input is
//! capped at [`MAX_MANIFEST_BYTES`] before the TOML parser sees it.
//!
//! The model reads a tool's description and parameter descriptions, so they
//! are a prompt-injection channel; [`Manifest::model_facing_text`] hands
//! them to the safety layer (the `extensions check` command does).

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::memory::{IDENTITY_FILES, normalize_path};
use crate::tools::Risk;

/// Manifests larger than this are refused unread (64 KiB).
pub const MAX_MANIFEST_BYTES: usize = 64 * 1024;
/// Longest tool description (characters).
pub const MAX_DESCRIPTION_CHARS: usize = 1024;
/// Largest parameter schema, as compact JSON (bytes).
pub const MAX_SCHEMA_BYTES: usize = 16 * 1024;

/// A limit's default and the range a manifest may set it to.
#[derive(Debug, Clone, Copy)]
pub struct Bound {
    pub key: &'static str,
    pub default: u64,
    pub min: u64,
    pub max: u64,
}

/// WebAssembly fuel per call (about one unit per instruction).
pub const FUEL: Bound = Bound {
    key: "limits.fuel",
    default: 1_000_000_000,
    min: 1_000_000,
    max: 100_000_000_000,
};
/// Linear memory per instance, MiB.
pub const MEMORY_MIB: Bound = Bound {
    key: "limits.memory_mib",
    default: 64,
    min: 1,
    max: 1024,
};
/// Wall-clock time per call, seconds.
pub const TIMEOUT_SECS: Bound = Bound {
    key: "limits.timeout_secs",
    default: 30,
    min: 1,
    max: 600,
};
/// Output returned to the engine per call, KiB.
pub const OUTPUT_KIB: Bound = Bound {
    key: "limits.output_kib",
    default: 256,
    min: 1,
    max: 4096,
};
/// HTTP requests per call.
pub const MAX_REQUESTS: Bound = Bound {
    key: "http.max_requests",
    default: 20,
    min: 1,
    max: 1000,
};
/// Response body read per request, KiB.
pub const MAX_RESPONSE_KIB: Bound = Bound {
    key: "http.max_response_kib",
    default: 1024,
    min: 1,
    max: 16 * 1024,
};

/// Header names a manifest may not have the host inject a secret into:
/// they frame the request, so a credential there would corrupt or smuggle it.
const FORBIDDEN_HEADERS: [&str; 10] = [
    "host",
    "content-length",
    "content-type",
    "transfer-encoding",
    "connection",
    "upgrade",
    "te",
    "trailer",
    "keep-alive",
    "expect",
];

/// A validated capability manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Manifest {
    /// The tool's name as the model calls it (`[a-z][a-z0-9_]*`, ≤ 48).
    pub name: String,
    pub version: String,
    pub description: String,
    /// The component file, relative to the manifest's folder.
    pub component: PathBuf,
    /// The risk the author declares; the effective risk is never lower than
    /// what the grants amount to ([`Manifest::assess`]).
    pub declared_risk: Option<Risk>,
    /// JSON Schema of the arguments (an object schema).
    pub parameters: serde_json::Value,
    pub limits: Limits,
    pub http: HttpCaps,
    pub secrets: Vec<SecretGrant>,
    pub workspace: WorkspaceCaps,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Limits {
    pub fuel: u64,
    pub memory_mib: u64,
    pub timeout_secs: u64,
    pub output_kib: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpCaps {
    pub allow: Vec<HttpRule>,
    pub max_requests: u64,
    pub max_response_kib: u64,
}

/// One allowlist entry: requests with one of `methods` to `scheme://host[:port]`
/// under `path`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpRule {
    pub scheme: Scheme,
    pub host: HostPattern,
    /// `None`: the scheme's default port only.
    pub port: Option<u16>,
    /// A path prefix starting with `/`; `/v1` covers `/v1` and `/v1/…`, not
    /// `/v1beta`.
    pub path: String,
    pub methods: Vec<Method>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    Http,
    Https,
}

/// A host name (lowercase ASCII, punycode for international names), or
/// `*.domain`: any name strictly below `domain` (not `domain` itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub enum HostPattern {
    Exact(String),
    Subdomains(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
}

/// A secret the host adds to requests to `hosts`, over HTTPS only. The tool
/// never sees the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretGrant {
    /// The secret's name in the store (`ironclaw secrets set NAME`).
    pub name: String,
    pub hosts: Vec<HostPattern>,
    pub inject: Injection,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Injection {
    /// `name: <prefix><value>`; `name` is lowercase.
    Header { name: String, prefix: String },
    /// `?name=<value>` (percent-encoded).
    Query { name: String },
    /// `authorization: Bearer <value>`.
    Bearer,
}

/// Workspace (memory) paths the tool may read or write: folder prefixes
/// ending in `/`, or single documents; `""` is the whole workspace.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WorkspaceCaps {
    pub read: Vec<String>,
    pub write: Vec<String>,
}

/// What a manifest's grants amount to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub risk: Risk,
    /// Why, one plain sentence per grant that raises the risk.
    pub reasons: Vec<String>,
}

/// One thing wrong with a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// 1-based line and column, when the problem has a place in the text.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The key, e.g. `http.allow[0].host`.
    pub key: String,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{l}:{c}: ")?,
            (Some(l), None) => write!(f, "{l}: ")?,
            _ => {}
        }
        if self.key.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.key, self.message)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the manifest is larger than {MAX_MANIFEST_BYTES} bytes, the most accepted")]
    TooLarge,
    #[error("{}", problems_text(.0))]
    Invalid(Vec<Problem>),
}

fn problems_text(problems: &[Problem]) -> String {
    let mut out = match problems.len() {
        1 => "1 problem:".to_string(),
        n => format!("{n} problems:"),
    };
    for p in problems {
        out.push_str("\n  ");
        out.push_str(&p.to_string());
    }
    out
}

impl ManifestError {
    /// The problems, when the manifest was read but is invalid.
    pub fn problems(&self) -> &[Problem] {
        match self {
            ManifestError::Invalid(p) => p,
            _ => &[],
        }
    }
}

impl Manifest {
    /// Reads and validates the manifest at `path` (at most
    /// [`MAX_MANIFEST_BYTES`], checked before reading it all).
    pub fn load(path: &Path) -> Result<Manifest, ManifestError> {
        use std::io::Read;
        let read_err = |source| ManifestError::Read {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(read_err)?;
        let limit = MAX_MANIFEST_BYTES as u64 + 1;
        let mut bytes = Vec::new();
        file.take(limit).read_to_end(&mut bytes).map_err(read_err)?;
        if bytes.len() as u64 >= limit {
            return Err(ManifestError::TooLarge);
        }
        match String::from_utf8(bytes) {
            Ok(text) => Manifest::parse(&text),
            Err(e) => Err(ManifestError::Invalid(vec![Problem {
                line: None,
                column: None,
                key: String::new(),
                message: format!(
                    "the file is not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
                    e.utf8_error().valid_up_to()
                ),
            }])),
        }
    }

    /// Parses and validates manifest text.
    pub fn parse(text: &str) -> Result<Manifest, ManifestError> {
        if text.len() > MAX_MANIFEST_BYTES {
            return Err(ManifestError::TooLarge);
        }
        let raw: Raw = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                let (line, column) = e
                    .span()
                    .and_then(|s| position(text, s.start))
                    .map_or((None, None), |(l, c)| (Some(l), Some(c)));
                return Err(ManifestError::Invalid(vec![Problem {
                    line,
                    column,
                    key: String::new(),
                    message: e.message().trim_end().to_string(),
                }]));
            }
        };
        let mut check = Checker {
            text,
            problems: Vec::new(),
        };
        let manifest = check.manifest(raw);
        if check.problems.is_empty() {
            Ok(manifest)
        } else {
            // In the order of the text, as an author fixes them.
            check
                .problems
                .sort_by_key(|p| (p.line.unwrap_or(usize::MAX), p.column));
            Err(ManifestError::Invalid(check.problems))
        }
    }

    /// The risk the grants amount to, never below the declared one.
    pub fn assess(&self) -> Assessment {
        let mut risk = self.declared_risk.unwrap_or(Risk::Low);
        let mut reasons = Vec::new();
        let mut raise = |to: Risk, why: String| {
            risk = risk.max(to);
            reasons.push(why);
        };
        if !self.http.allow.is_empty() {
            let hosts: BTreeSet<String> =
                self.http.allow.iter().map(|r| r.host.to_string()).collect();
            raise(
                Risk::Medium,
                format!(
                    "reaches the network ({})",
                    hosts.into_iter().collect::<Vec<_>>().join(", ")
                ),
            );
        }
        if !self.secrets.is_empty() {
            let names: Vec<&str> = self.secrets.iter().map(|s| s.name.as_str()).collect();
            raise(
                Risk::Medium,
                format!("sends your secrets {} to their hosts", names.join(", ")),
            );
        }
        if !self.workspace.write.is_empty() {
            raise(
                Risk::Medium,
                format!("writes notes ({})", show_paths(&self.workspace.write)),
            );
        }
        if !self.workspace.read.is_empty() && !self.http.allow.is_empty() {
            raise(
                Risk::High,
                format!(
                    "reads notes ({}) and reaches the network, so it could carry notes out",
                    show_paths(&self.workspace.read)
                ),
            );
        }
        if let Some(declared) = self.declared_risk
            && declared == risk
            && declared > Risk::Low
        {
            reasons.push(format!("the author declares {declared} risk"));
        }
        Assessment { risk, reasons }
    }

    /// Text the model reads, with where it is, for the safety layer to
    /// inspect: the description, and every key and string in the parameter
    /// schema (descriptions, but also property names, `enum`, `default`,
    /// `examples` and unknown keywords: all of it reaches the model).
    pub fn model_facing_text(&self) -> Vec<(String, String)> {
        let mut out = vec![("tool.description".to_string(), self.description.clone())];
        schema_strings(&self.parameters, "tool.parameters", &mut out);
        out
    }

    /// Whether the tool may read the workspace document `path` (normalised).
    pub fn may_read(&self, path: &str) -> bool {
        covers(&self.workspace.read, path) || covers(&self.workspace.write, path)
    }

    /// Whether the tool may write the workspace document `path` (normalised).
    pub fn may_write(&self, path: &str) -> bool {
        covers(&self.workspace.write, path)
    }
}

fn covers(prefixes: &[String], path: &str) -> bool {
    prefixes
        .iter()
        .any(|p| p.is_empty() || p == path || (p.ends_with('/') && path.starts_with(p.as_str())))
}

fn show_paths(paths: &[String]) -> String {
    paths
        .iter()
        .map(|p| if p.is_empty() { "everything" } else { p })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every object key (as `path.key`, the key itself) and string value in a
/// JSON value, depth first.
fn schema_strings(v: &serde_json::Value, at: &str, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let here = format!("{at}.{k}");
                out.push((format!("{here} (key)"), k.clone()));
                schema_strings(v, &here, out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                schema_strings(v, &format!("{at}[{i}]"), out);
            }
        }
        serde_json::Value::String(s) => out.push((at.to_string(), s.clone())),
        _ => {}
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        })
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Method {
    pub const ALL: [Method; 6] = [
        Method::Get,
        Method::Head,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// Parses a method name, in any letter case.
    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostPattern::Exact(h) => f.write_str(h),
            HostPattern::Subdomains(d) => write!(f, "*.{d}"),
        }
    }
}

impl From<HostPattern> for String {
    fn from(p: HostPattern) -> String {
        p.to_string()
    }
}

impl HostPattern {
    /// Parses `host` or `*.domain`. Names are ASCII (punycode for
    /// international names), compared lowercase; IP addresses, `localhost`,
    /// a bare `*` and wildcards over a public suffix (`*.com`, `*.co.uk`,
    /// `*.github.io`) are refused.
    pub fn parse(s: &str) -> Result<HostPattern, String> {
        if s.is_empty() {
            return Err("the host is empty; write a name like `api.example.com`".into());
        }
        if s.contains("://") || s.contains('/') {
            return Err(format!(
                "{s:?} is not a host name; write the name alone (`api.example.com`) and the \
                 path in `path`"
            ));
        }
        if s == "*" {
            return Err("a bare `*` would allow every host; name the hosts the tool needs".into());
        }
        let (wild, name) = match s.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        if name.contains('*') {
            return Err(format!(
                "{s:?}: `*` may only be the whole first label (`*.example.com`)"
            ));
        }
        if !name.is_ascii() {
            return Err(format!(
                "{s:?} is not ASCII; write an international name in its punycode form \
                 (`xn--…`), as a browser shows it"
            ));
        }
        let name = name.to_ascii_lowercase();
        if name.ends_with('.') {
            return Err(format!("{s:?}: remove the trailing dot"));
        }
        if name.contains(':') || name.parse::<std::net::Ipv4Addr>().is_ok() || name.starts_with('[')
        {
            return Err(format!(
                "{s:?}: IP addresses and ports are not accepted here; name the host (a port \
                 goes in `port`)"
            ));
        }
        if name.len() > 253 {
            return Err(format!("{s:?} is longer than 253 characters"));
        }
        let labels: Vec<&str> = name.split('.').collect();
        for label in &labels {
            if label.is_empty() || label.len() > 63 {
                return Err(format!(
                    "{s:?}: every part between dots must have 1 to 63 characters"
                ));
            }
            if !label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                || label.starts_with('-')
                || label.ends_with('-')
            {
                return Err(format!(
                    "{s:?}: a host name uses letters, digits and inner `-` only"
                ));
            }
        }
        if labels
            .last()
            .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(format!(
                "{s:?}: IP addresses are not accepted; name the host"
            ));
        }
        if name == "localhost" || name.ends_with(".localhost") {
            return Err(format!(
                "{s:?}: tools may not reach this machine; local addresses are refused even \
                 after DNS resolution"
            ));
        }
        if wild {
            if labels.len() < 2 {
                return Err(format!(
                    "{s:?} covers a whole top-level domain; name the domain (`*.example.com`)"
                ));
            }
            // `*.github.io`, `*.co.uk`, `*.s3.amazonaws.com`: anyone can
            // register a name there (the Public Suffix List, built in).
            if psl::suffix_str(&name) == Some(name.as_str()) {
                return Err(format!(
                    "{s:?} covers every site under the public suffix `{name}`, where anyone can \
                     register a name; name the hosts (`you.{name}`)"
                ));
            }
            Ok(HostPattern::Subdomains(name))
        } else {
            Ok(HostPattern::Exact(name))
        }
    }

    /// Whether `host` (lowercase, no trailing dot) matches.
    pub fn matches(&self, host: &str) -> bool {
        match self {
            HostPattern::Exact(h) => h == host,
            HostPattern::Subdomains(d) => host
                .strip_suffix(d.as_str())
                .is_some_and(|rest| rest.len() > 1 && rest.ends_with('.')),
        }
    }

    /// Whether every host `other` matches is matched by `self`.
    pub fn covers(&self, other: &HostPattern) -> bool {
        match other {
            HostPattern::Exact(h) => self.matches(h),
            HostPattern::Subdomains(d) => match self {
                HostPattern::Exact(_) => false,
                HostPattern::Subdomains(mine) => d == mine || self.matches(d),
            },
        }
    }
}

impl HttpRule {
    /// Whether `path` (a URL path, starting with `/`) is under this rule's
    /// prefix, on a segment boundary.
    pub fn path_matches(&self, path: &str) -> bool {
        let prefix = self.path.as_str();
        match path.strip_prefix(prefix) {
            Some(rest) => prefix.ends_with('/') || rest.is_empty() || rest.starts_with('/'),
            None => false,
        }
    }
}

impl fmt::Display for HttpRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let methods: Vec<&str> = self.methods.iter().map(|m| m.as_str()).collect();
        write!(f, "{} {}://{}", methods.join(","), self.scheme, self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        f.write_str(&self.path)?;
        if self.path.ends_with('/') {
            f.write_str("…")?;
        }
        Ok(())
    }
}

impl fmt::Display for Injection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Injection::Header { name, prefix } if prefix.is_empty() => {
                write!(f, "header {name}")
            }
            Injection::Header { name, prefix } => write!(f, "header {name}: {prefix}…"),
            Injection::Query { name } => write!(f, "query parameter {name}"),
            Injection::Bearer => f.write_str("authorization: Bearer …"),
        }
    }
}

// ---------------------------------------------------------------------------
// The TOML shape, before validation. Spans locate problems.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    tool: RawTool,
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    http: RawHttp,
    #[serde(default)]
    secrets: Vec<Spanned<RawSecret>>,
    #[serde(default)]
    workspace: RawWorkspace,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTool {
    name: Spanned<String>,
    version: Spanned<String>,
    description: Spanned<String>,
    component: Option<Spanned<String>>,
    risk: Option<Risk>,
    parameters: Option<Spanned<serde_json::Value>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    fuel: Option<Spanned<i64>>,
    memory_mib: Option<Spanned<i64>>,
    timeout_secs: Option<Spanned<i64>>,
    output_kib: Option<Spanned<i64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawHttp {
    #[serde(default)]
    allow: Vec<Spanned<RawRule>>,
    max_requests: Option<Spanned<i64>>,
    max_response_kib: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    host: Spanned<String>,
    scheme: Option<Spanned<String>>,
    port: Option<Spanned<i64>>,
    path: Option<Spanned<String>>,
    methods: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSecret {
    name: Spanned<String>,
    hosts: Spanned<Vec<Spanned<String>>>,
    header: Option<Spanned<String>>,
    prefix: Option<Spanned<String>>,
    query: Option<Spanned<String>>,
    bearer: Option<Spanned<bool>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawWorkspace {
    #[serde(default)]
    read: Vec<Spanned<String>>,
    #[serde(default)]
    write: Vec<Spanned<String>>,
}

/// 1-based line and column (in characters) of byte `offset`.
fn position(text: &str, offset: usize) -> Option<(usize, usize)> {
    let before = text.get(..offset.min(text.len()))?;
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some((line, col))
}

struct Checker<'t> {
    text: &'t str,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn problem(&mut self, span: Range<usize>, key: impl Into<String>, message: impl Into<String>) {
        let (line, column) =
            position(self.text, span.start).map_or((None, None), |(l, c)| (Some(l), Some(c)));
        self.problems.push(Problem {
            line,
            column,
            key: key.into(),
            message: message.into(),
        });
    }

    fn manifest(&mut self, raw: Raw) -> Manifest {
        let name = self.name(&raw.tool.name);
        let version = raw.tool.version.get_ref().trim().to_string();
        if let Err(e) = semver::Version::parse(&version) {
            self.problem(
                raw.tool.version.span(),
                "tool.version",
                format!("{version:?} is not a semantic version ({e}); write e.g. \"0.1.0\""),
            );
        }
        let description = self.description(&raw.tool.description);
        let component = self.component(raw.tool.component.as_ref(), &name);
        let parameters = self.parameters(raw.tool.parameters);
        let limits = Limits {
            fuel: self.bound(raw.limits.fuel, FUEL),
            memory_mib: self.bound(raw.limits.memory_mib, MEMORY_MIB),
            timeout_secs: self.bound(raw.limits.timeout_secs, TIMEOUT_SECS),
            output_kib: self.bound(raw.limits.output_kib, OUTPUT_KIB),
        };
        let rules = raw.http.allow.len();
        let allow: Vec<HttpRule> = raw
            .http
            .allow
            .into_iter()
            .enumerate()
            .filter_map(|(i, r)| self.rule(i, r.into_inner()))
            .collect();
        // With a broken rule, "not in `http.allow`" could be a consequence,
        // not a problem of its own: the rule's problem is reported instead.
        let rules_ok = allow.len() == rules;
        let http = HttpCaps {
            allow,
            max_requests: self.bound(raw.http.max_requests, MAX_REQUESTS),
            max_response_kib: self.bound(raw.http.max_response_kib, MAX_RESPONSE_KIB),
        };
        let mut seen = BTreeSet::new();
        let mut secrets = Vec::new();
        for (i, s) in raw.secrets.into_iter().enumerate() {
            let span = s.span();
            let allow = rules_ok.then_some(http.allow.as_slice());
            if let Some(grant) = self.secret(i, span.clone(), s.into_inner(), allow) {
                if seen.insert(grant.name.clone()) {
                    secrets.push(grant);
                } else {
                    self.problem(
                        span,
                        format!("secrets[{i}].name"),
                        format!(
                            "`{}` is granted twice; list its hosts in one entry",
                            grant.name
                        ),
                    );
                }
            }
        }
        let workspace = WorkspaceCaps {
            read: self.workspace_paths(raw.workspace.read, "workspace.read", false),
            write: self.workspace_paths(raw.workspace.write, "workspace.write", true),
        };
        Manifest {
            name,
            version,
            description,
            component,
            declared_risk: raw.tool.risk,
            parameters,
            limits,
            http,
            secrets,
            workspace,
        }
    }

    fn name(&mut self, raw: &Spanned<String>) -> String {
        let name = raw.get_ref().as_str();
        let ok = (1..=48).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !ok {
            self.problem(
                raw.span(),
                "tool.name",
                format!(
                    "{name:?}: use 1 to 48 characters from a-z, 0-9 and `_`, starting with a \
                     letter (e.g. `weather`)"
                ),
            );
        }
        name.to_string()
    }

    fn description(&mut self, raw: &Spanned<String>) -> String {
        let text = raw.get_ref().trim();
        if text.is_empty() {
            self.problem(
                raw.span(),
                "tool.description",
                "the description is empty; say in a sentence what the tool does, the model \
                 chooses tools by it",
            );
        } else if text.chars().count() > MAX_DESCRIPTION_CHARS {
            self.problem(
                raw.span(),
                "tool.description",
                format!(
                    "{} characters; at most {MAX_DESCRIPTION_CHARS} (every request carries it)",
                    text.chars().count()
                ),
            );
        } else if let Some(c) = text.chars().find(|c| c.is_control() && *c != '\n') {
            self.problem(
                raw.span(),
                "tool.description",
                format!("contains the control character {c:?}; remove it"),
            );
        }
        text.to_string()
    }

    fn component(&mut self, raw: Option<&Spanned<String>>, name: &str) -> PathBuf {
        let Some(raw) = raw else {
            return PathBuf::from(format!("{name}.wasm"));
        };
        let text = raw.get_ref();
        let path = Path::new(text);
        let escapes = path.components().any(|c| {
            !matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        });
        let control = text.chars().any(char::is_control);
        if text.is_empty() || escapes || control || !text.ends_with(".wasm") {
            self.problem(
                raw.span(),
                "tool.component",
                format!(
                    "{text:?}: name a `.wasm` file inside the manifest's folder (no `..`, no \
                     absolute path)"
                ),
            );
        }
        path.to_path_buf()
    }

    fn parameters(&mut self, raw: Option<Spanned<serde_json::Value>>) -> serde_json::Value {
        let Some(raw) = raw else {
            return serde_json::json!({ "type": "object", "properties": {} });
        };
        let span = raw.span();
        let schema = raw.into_inner();
        let key = "tool.parameters";
        if schema.get("type").and_then(|t| t.as_str()) != Some("object") {
            self.problem(
                span,
                key,
                "the arguments must be an object: write `type = \"object\"` and the fields \
                 under `[tool.parameters.properties]`",
            );
            return schema;
        }
        let size = serde_json::to_vec(&schema).map_or(usize::MAX, |v| v.len());
        if size > MAX_SCHEMA_BYTES {
            self.problem(
                span,
                key,
                format!("the schema is {size} bytes as JSON; at most {MAX_SCHEMA_BYTES}"),
            );
            return schema;
        }
        let mut strings = Vec::new();
        schema_strings(&schema, key, &mut strings);
        // Keys get no line breaks either: they are printed one per row.
        if let Some((at, text)) = strings.iter().find(|(at, t)| {
            t.chars()
                .any(|c| c.is_control() && (c != '\n' || at.ends_with(" (key)")))
        }) {
            self.problem(
                span,
                at.trim_end_matches(" (key)"),
                format!("{text:?} contains a control character; remove it"),
            );
            return schema;
        }
        if let Err(e) = jsonschema::validator_for(&schema) {
            self.problem(span, key, format!("not a valid JSON Schema: {e}"));
        }
        schema
    }

    fn bound(&mut self, raw: Option<Spanned<i64>>, b: Bound) -> u64 {
        let Some(raw) = raw else { return b.default };
        let v = *raw.get_ref();
        match u64::try_from(v) {
            Ok(v) if (b.min..=b.max).contains(&v) => v,
            _ => {
                self.problem(
                    raw.span(),
                    b.key,
                    format!(
                        "{v} is out of range; use {} to {} (default {})",
                        b.min, b.max, b.default
                    ),
                );
                b.default
            }
        }
    }

    fn rule(&mut self, i: usize, raw: RawRule) -> Option<HttpRule> {
        let at = |k: &str| format!("http.allow[{i}].{k}");
        let before = self.problems.len();
        let host = match HostPattern::parse(raw.host.get_ref()) {
            Ok(h) => Some(h),
            Err(msg) => {
                self.problem(raw.host.span(), at("host"), msg);
                None
            }
        };
        let scheme = match raw.scheme.as_ref().map(|s| s.get_ref().as_str()) {
            None | Some("https") => Scheme::Https,
            Some("http") => Scheme::Http,
            Some(other) => {
                let span = raw.scheme.as_ref().map_or(0..0, |s| s.span());
                self.problem(
                    span,
                    at("scheme"),
                    format!("{other:?}: use \"https\" (the default) or \"http\""),
                );
                Scheme::Https
            }
        };
        let port = raw.port.and_then(|p| match u16::try_from(*p.get_ref()) {
            Ok(port) if port > 0 => Some(port),
            _ => {
                self.problem(
                    p.span(),
                    at("port"),
                    format!("{} is not a port (1 to 65535)", p.get_ref()),
                );
                None
            }
        });
        let path = match raw.path {
            None => "/".to_string(),
            Some(p) => match check_path_prefix(p.get_ref()) {
                Ok(()) => p.into_inner(),
                Err(msg) => {
                    self.problem(p.span(), at("path"), msg);
                    String::new()
                }
            },
        };
        let methods = match raw.methods {
            None => vec![Method::Get],
            Some(list) => {
                let span = list.span();
                let mut methods = BTreeSet::new();
                for m in list.into_inner() {
                    match Method::parse(m.get_ref()) {
                        Some(method) => {
                            methods.insert(method);
                        }
                        None => self.problem(
                            m.span(),
                            at("methods"),
                            format!(
                                "{:?}: use GET, HEAD, POST, PUT, PATCH or DELETE",
                                m.get_ref()
                            ),
                        ),
                    }
                }
                if methods.is_empty() && self.problems.len() == before {
                    self.problem(
                        span,
                        at("methods"),
                        "the list is empty; name the methods (or leave it out for GET)",
                    );
                }
                methods.into_iter().collect()
            }
        };
        if self.problems.len() > before {
            return None;
        }
        Some(HttpRule {
            scheme,
            host: host?,
            port,
            path,
            methods,
        })
    }

    fn secret(
        &mut self,
        i: usize,
        span: Range<usize>,
        raw: RawSecret,
        allow: Option<&[HttpRule]>,
    ) -> Option<SecretGrant> {
        let at = |k: &str| format!("secrets[{i}].{k}");
        let before = self.problems.len();
        if let Err(e) = crate::secrets::validate_name(raw.name.get_ref()) {
            self.problem(raw.name.span(), at("name"), e.to_string());
        }
        let mut hosts = Vec::new();
        if raw.hosts.get_ref().is_empty() {
            self.problem(
                raw.hosts.span(),
                at("hosts"),
                "the list is empty; name the hosts this secret is sent to",
            );
        }
        for h in raw.hosts.get_ref() {
            match HostPattern::parse(h.get_ref()) {
                Ok(pattern) => {
                    let covered = allow.is_none_or(|rules| {
                        rules
                            .iter()
                            .any(|r| r.scheme == Scheme::Https && r.host.covers(&pattern))
                    });
                    if covered {
                        hosts.push(pattern);
                    } else {
                        self.problem(
                            h.span(),
                            at("hosts"),
                            format!(
                                "`{pattern}` is not in `http.allow` over HTTPS; a secret is only \
                                 sent to hosts the tool may already reach, and never over plain \
                                 HTTP"
                            ),
                        );
                    }
                }
                Err(msg) => self.problem(h.span(), at("hosts"), msg),
            }
        }
        let bearer = raw.bearer.as_ref().is_some_and(|b| *b.get_ref());
        let given = usize::from(raw.header.is_some())
            + usize::from(raw.query.is_some())
            + usize::from(bearer);
        let inject = if given != 1 {
            self.problem(
                span.clone(),
                format!("secrets[{i}]"),
                "say how the host adds the secret: exactly one of `header = \"X-Api-Key\"`, \
                 `query = \"key\"` or `bearer = true`",
            );
            None
        } else if let Some(header) = &raw.header {
            let name = header.get_ref().to_ascii_lowercase();
            if !super::http::is_header_name(&name) {
                self.problem(
                    header.span(),
                    at("header"),
                    format!("{:?} is not a header name", header.get_ref()),
                );
            } else if FORBIDDEN_HEADERS.contains(&name.as_str()) || name.starts_with("proxy-") {
                self.problem(
                    header.span(),
                    at("header"),
                    format!("`{name}` frames the request; a secret cannot go there"),
                );
            }
            let prefix = raw.prefix.as_ref().map_or(String::new(), |p| {
                let text = p.get_ref();
                if text.len() > 64 || !text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
                    self.problem(
                        p.span(),
                        at("prefix"),
                        "use at most 64 printable ASCII characters (e.g. \"Token \")",
                    );
                }
                text.clone()
            });
            Some(Injection::Header { name, prefix })
        } else if let Some(query) = &raw.query {
            let name = query.get_ref();
            let ok = (1..=64).contains(&name.len())
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
            if !ok {
                self.problem(
                    query.span(),
                    at("query"),
                    format!("{name:?}: use 1 to 64 characters from A-Z, a-z, 0-9, `_.-`"),
                );
            }
            Some(Injection::Query { name: name.clone() })
        } else {
            Some(Injection::Bearer)
        };
        if let Some(p) = &raw.prefix
            && raw.header.is_none()
        {
            self.problem(
                p.span(),
                at("prefix"),
                "`prefix` goes with `header`; `bearer = true` already writes `Bearer `",
            );
        }
        if self.problems.len() > before {
            return None;
        }
        Some(SecretGrant {
            name: raw.name.into_inner(),
            hosts,
            inject: inject?,
        })
    }

    fn workspace_paths(
        &mut self,
        raw: Vec<Spanned<String>>,
        key: &str,
        write: bool,
    ) -> Vec<String> {
        let mut out = Vec::new();
        for (i, p) in raw.into_iter().enumerate() {
            let at = format!("{key}[{i}]");
            let text = p.get_ref().trim();
            let mut rest = text;
            while let Some(r) = rest.strip_prefix("./").or_else(|| rest.strip_prefix('/')) {
                rest = r;
            }
            let folder = rest.is_empty() || rest.ends_with('/');
            let path = if rest.is_empty() {
                String::new()
            } else {
                match normalize_path(rest.trim_end_matches('/')) {
                    Ok(p) if folder => format!("{p}/"),
                    Ok(p) => p,
                    Err(e) => {
                        self.problem(p.span(), at, e.to_string());
                        continue;
                    }
                }
            };
            if write {
                let identity: Vec<&str> = IDENTITY_FILES
                    .iter()
                    .map(|(f, _)| *f)
                    .filter(|f| covers(std::slice::from_ref(&path), f))
                    .collect();
                if !identity.is_empty() {
                    self.problem(
                        p.span(),
                        at,
                        format!(
                            "{text:?} would let the tool rewrite {}, which steer the assistant; \
                             name a folder such as \"notes/{}/\"",
                            identity.join(", "),
                            "my_tool"
                        ),
                    );
                    continue;
                }
            }
            out.push(path);
        }
        out.sort();
        out.dedup();
        out
    }
}

/// A path prefix: starts with `/`; no query, fragment, `..`, `%`, `\`,
/// spaces or control characters (percent-encoding could hide a `..` or a
/// `/` from the prefix match).
fn check_path_prefix(p: &str) -> Result<(), String> {
    if !p.starts_with('/') {
        return Err(format!("{p:?}: a path starts with `/` (e.g. \"/v1/\")"));
    }
    if let Some(c) = p
        .chars()
        .find(|c| matches!(c, '?' | '#' | '%' | '\\') || c.is_whitespace() || c.is_control())
    {
        return Err(format!(
            "{p:?} contains {c:?}; write a plain path prefix (no query, fragment or escapes)"
        ));
    }
    if p.split('/').any(|seg| seg == ".." || seg == ".") {
        return Err(format!("{p:?}: `.` and `..` are not allowed"));
    }
    if p.contains("//") {
        return Err(format!("{p:?}: empty path segment (`//`)"));
    }
    if !p.is_ascii() {
        return Err(format!("{p:?}: write the path as it is sent, ASCII only"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
