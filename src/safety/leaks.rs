//! Leak detection: finds credentials in text before it reaches the model, a
//! log or a remote server.
//!
//! The scanner runs over tool outputs, outbound HTTP requests (URL, headers,
//! body), model responses and user messages. [`LeakScanner::find`] reports
//! what it saw; [`LeakScanner::redact`] returns the text with every real
//! credential replaced by a short recognisable marker such as
//! `sk-pro…[REDACTED OpenAI API key]`.
//!
//! # Design
//!
//! * **Compiled once.** All regexes and the anchor automaton live in one
//!   process-wide [`LazyLock`]; [`LeakScanner::new`] forces it so the first
//!   scan is not the slow one. Only the known-secret automaton is per scanner.
//! * **Linear time.** An Aho-Corasick prefilter looks for the literal anchors
//!   every format starts with (`sk-`, `AKIA`, `ghp_`, `-----BEGIN`, `eyJ`,
//!   `authorization`, …) in one pass and only the rules whose anchors occur
//!   are run. Every rule is a `regex` crate automaton (no backtracking, no
//!   look-around) followed by cheap checks on the match; the few hand-written
//!   scans (PEM `END` line, the AWS-secret window, the credential after
//!   `Bearer`) are bounded or never revisit text. Known secrets are one more
//!   Aho-Corasick automaton.
//! * **Shape, then meaning.** A regex only proposes a candidate with the
//!   format's prefix, charset and length. Code then checks:
//!   - *word boundaries*, done by hand on bytes because the regex crate has no
//!     look-around and its Unicode `\b` disables the fast engines on non-ASCII
//!     text. A JSON/C escape (`\n`, `\t`, `\r`) or a percent escape (`%3D`)
//!     directly before a token counts as a boundary, so keys inside escaped
//!     JSON strings and URL-encoded query strings are still found;
//!   - *randomness*: random tokens mix character classes, identifiers and
//!     words do not. Each format requires what a real key has with
//!     overwhelming probability (two of upper/lower/digit; all three for the
//!     long `sk-proj-`/`sk-ant-` bodies and upper+lower for AWS secrets);
//!   - *structure*: a JWT header must decode to a JSON object with `"alg"`, a
//!     `Basic` credential must decode to `user:password`.
//! * **Overlaps.** Candidates are ranked: real matches before examples, then
//!   longer before shorter, then the more specific rule (known secret, vendor
//!   formats, JWT, generic `Authorization` credential). Ranked candidates are
//!   accepted greedily when they do not overlap an accepted one, so
//!   `Bearer eyJ…` is reported once, as a JWT, and an `sk-proj-` key inside
//!   an `Authorization` header as an OpenAI key. [`LeakScanner::redact`]
//!   replaces the union of all overlapping real candidates, so a losing
//!   candidate that sticks out of the winner is not left half visible, and it
//!   never shows a prefix that overlaps a known secret.
//! * **Echoes.** Every other occurrence of a real credential's exact text is
//!   reported too (one more Aho-Corasick pass): a token recognised after
//!   `Bearer` or next to `aws_secret_access_key` is the same secret when the
//!   output repeats it bare.
//!
//! # Rules
//!
//! | rule id | format | severity | redaction keeps |
//! | --- | --- | --- | --- |
//! | `leak.openai_key` | `sk-` + 48 alnum; `sk-proj-`/`sk-svcacct-`/`sk-admin-` + ≥ 40 base64url | Critical | `sk-`, `sk-pro` |
//! | `leak.anthropic_key` | `sk-ant-` + kind/version (`api03`, `admin01`, …) + `-` + ≥ 80 base64url | Critical | `sk-ant-` |
//! | `leak.aws_access_key` | `AKIA`/`ASIA`/`AGPA`/`AIDA`/`AROA`/`AIPA`/`ANPA`/`ANVA`/`ABIA`/`ACCA`/`A3T?` + 16 `[A-Z2-7]` | High | `AKIA` |
//! | `leak.aws_secret_key` | 40 `[A-Za-z0-9+/]`, upper and lower case, ≤ 40 bytes after an AWS secret keyword | Critical | nothing |
//! | `leak.github_token` | `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_` + 36–251 alnum; `github_pat_` + 82–251 `[A-Za-z0-9_]` | Critical | `ghp_`, `github_pat_` |
//! | `leak.slack_token` | `xox[abeposr]-` (also `xoxe.xoxp-`) + ≥ 20 `[A-Za-z0-9-]` with a digit | High | `xoxb-` |
//! | `leak.slack_webhook` | `https://hooks.slack.com/services/T…/B…/<secret>` | High | up to `services/` |
//! | `leak.stripe_key` | `sk_`/`rk_` + `live_`/`test_` + ≥ 24 alnum (`pk_` is public) | live Critical, test Medium | `sk_live_` |
//! | `leak.google_api_key` | `AIza` + 35 base64url | High | `AIza` |
//! | `leak.google_oauth_secret` | `GOCSPX-` + 28 base64url | High | `GOCSPX-` |
//! | `leak.telegram_bot_token` | 8–10 digits + `:AA` + 33 base64url | High | nothing |
//! | `leak.private_key` | `-----BEGIN (RSA\|EC\|DSA\|OPENSSH\|ENCRYPTED\|PGP )PRIVATE KEY( BLOCK)-----` to `END` or end of text | Critical (encrypted: High) | nothing |
//! | `leak.jwt` | `eyJ…`.payload.signature (≥ 16; JWE parts included), header JSON with `"alg"` | High | `eyJ` |
//! | `leak.authorization_header` | credential after `Authorization: Bearer/Token/Bot` (≥ 16) or `Basic` (`user:pass`), JSON and header forms; bare `Bearer <token>` | High | nothing (scheme stays) |
//! | `leak.known_secret` | values given to [`LeakScanner::set_known`] | Critical | nothing |
//!
//! Token boundaries: a token may not be glued to characters of its own
//! charset on either side (so `xghp_…`, `ghp_…` + a 37th alnum, and a key
//! inside a longer base64 blob are not matches). Telegram ids are only
//! glued to digits, so `bot123…:AA…` in API URLs is found.
//!
//! # Examples and placeholders
//!
//! Documentation is full of key-shaped placeholders. The scanner treats them
//! in two ways:
//!
//! * **Templated references are never matches**: `$TOKEN`, `${TOKEN}`,
//!   `<token>`, `{{token}}`, `%TOKEN%` are not credentials at all; no format's
//!   charset admits their first character.
//! * **Placeholder literals are reported with `example: true`** when they have
//!   the full shape of a format, and are never redacted: the vendor documented
//!   keys (`AKIAIOSFODNN7EXAMPLE`, `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`,
//!   Stripe's `sk_test_4eC39HqLyjWDarjtT1zdp7dc`, the jwt.io sample token, the
//!   Slack `T00000000/B00000000/XXXX…` webhook), and any secret part that
//!   contains `EXAMPLE`, `YOUR_`, `PLACEHOLDER`, `CHANGEME`, `REPLACE_ME`,
//!   `REDACTED`, `DUMMY`, `INSERT_` (upper or lower case), a run of six
//!   `x`/`X`/`*`/`.`/`#`, a run of eight identical characters or an ascending
//!   run of eight (`abcdefgh`, `12345678`). For OpenAI and Anthropic, `sk-`
//!   followed by eight or more `x`/`*` is an example of any length. Such runs
//!   occur in a random 160-character key with probability below 10⁻⁸.
//!   Placeholders without the shape (`YOUR_TOKEN` after `Bearer`, too short)
//!   are simply not matched.
//!
//! # Deliberate non-matches
//!
//! UUIDs, git SHAs and other hex digests, base64 of ordinary text, `sk-learn`
//! and other short `sk-` words, Stripe publishable keys (`pk_live_…`, public
//! by design), the words `token`/`api_key`/`Bearer` on their own, hex colours,
//! version strings, order numbers and CSS/JS identifiers. A 40-character
//! base64 string is only an AWS secret key when an `aws_secret…` /
//! `secret_access_key` / `SecretAccessKey` keyword precedes it by at most 40
//! bytes, and needs both letter cases, so a git SHA never is. A bare `Bearer <token>`
//! outside an `Authorization` context needs a digit in the token; `Basic` is
//! only considered after `Authorization`. An unsigned JWT (`alg: none`, empty
//! signature) is not a credential and is not matched. A `-----BEGIN … PRIVATE
//! KEY-----` line runs to its `END` line or, without one, to the end of the
//! text (truncated output); when no base64 key material (a run of 40 base64
//! characters) follows it, it is a string in source code or a doc placeholder
//! and is reported as an example covering only the marker (no `END`) or the
//! marker to the `END` line.
//!
//! # Known secrets
//!
//! [`LeakScanner::set_known`] takes the exact values from the user's secret
//! store. Values shorter than [`MIN_KNOWN_LEN`] characters are ignored: short
//! values such as PINs or `admin` occur in ordinary text far too often. Each
//! value is also found
//!
//! * base64-encoded, standard or URL-safe alphabet, padded or not, at any of
//!   the three byte alignments inside a longer base64 blob (for example
//!   `Basic base64(user:secret)`): for each alignment the scanner searches
//!   the characters whose six bits come from the secret alone, and widens
//!   the match over the one mixed character at each edge and the padding;
//! * URL-percent-encoded with any choice of escaped characters and either hex
//!   case: the text is percent-decoded with an offset map before the known
//!   automaton runs, and matches are mapped back to the original bytes.
//!
//! Known secrets are redacted as `[REDACTED secret]`, never with a prefix.
//! Line-wrapped base64 (MIME, PEM bodies) and double encoding are not
//! followed.
//!
//! All byte ranges lie on `char` boundaries of the scanned text.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::sync::{Arc, LazyLock, PoisonError, RwLock};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind, packed};
use base64::Engine as _;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD_NO_PAD};
use regex::Regex;

use super::Severity;

/// Known secrets shorter than this many characters are ignored by
/// [`LeakScanner::set_known`]: they would match ordinary words and numbers.
pub const MIN_KNOWN_LEN: usize = 8;

/// One credential found in scanned text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeakMatch {
    /// Byte offset of the first byte of the credential.
    pub start: usize,
    /// Byte offset one past the last byte of the credential.
    pub end: usize,
    /// Stable rule id, e.g. `leak.openai_key`.
    pub rule: &'static str,
    /// Human label, e.g. `OpenAI API key`.
    pub label: &'static str,
    pub severity: Severity,
    /// A documented vendor placeholder (`AKIAIOSFODNN7EXAMPLE`, `sk-xxxx…`):
    /// reported, never redacted.
    pub example: bool,
}

/// The leak scanner. Cheap to share: `Send + Sync`, all methods take `&self`.
pub struct LeakScanner {
    known: RwLock<Option<Arc<KnownSet>>>,
}

impl Default for LeakScanner {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for LeakScanner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secrets themselves.
        let known = self
            .known
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map_or(0, |k| k.count);
        f.debug_struct("LeakScanner")
            .field("known_secrets", &known)
            .finish()
    }
}

impl LeakScanner {
    /// Creates a scanner. The shared rule set is compiled on first use in the
    /// process; this forces it.
    pub fn new() -> Self {
        LazyLock::force(&RULES);
        Self {
            known: RwLock::new(None),
        }
    }

    /// Replaces the set of known secret values (from the user's secret store).
    ///
    /// Each value is matched verbatim, base64-encoded (standard and URL-safe,
    /// padded or not, at any alignment inside a longer blob) and
    /// percent-encoded. Values shorter than [`MIN_KNOWN_LEN`] characters are
    /// ignored because they would match ordinary text; an empty list clears
    /// the set.
    pub fn set_known(&self, secrets: Vec<String>) {
        let set = KnownSet::build(&secrets).map(Arc::new);
        *self.known.write().unwrap_or_else(PoisonError::into_inner) = set;
    }

    /// All credentials in `text`, sorted by start, non-overlapping.
    pub fn find(&self, text: &str) -> Vec<LeakMatch> {
        self.scan(text).matches()
    }

    /// `text` with every non-example credential replaced, and the matches
    /// ([`LeakScanner::find`]'s result).
    ///
    /// Markers keep a short vendor prefix where that identifies the format
    /// without revealing secret material (`sk-pro…[REDACTED OpenAI API key]`,
    /// `ghp_…[REDACTED GitHub token]`); PEM blocks become
    /// `[REDACTED private key]` and known secrets `[REDACTED secret]`.
    pub fn redact(&self, text: &str) -> (String, Vec<LeakMatch>) {
        self.scan(text).redact(text)
    }

    /// Scans `text` once; the result gives both [`LeakScanner::find`]'s
    /// matches and [`LeakScanner::redact`]'s text, so a caller that needs
    /// both does not scan twice.
    pub(crate) fn scan(&self, text: &str) -> Scan {
        let cands = self.candidates(text);
        let won = resolve(&cands);
        Scan { cands, won }
    }

    fn candidates(&self, text: &str) -> Vec<Candidate> {
        let mut out = Vec::new();
        RULES.scan(text, &mut out);
        let known = self
            .known
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(known) = known {
            known.scan(text, &mut out);
        }
        add_echoes(text, &mut out);
        out
    }
}

// ---------------------------------------------------------------------------
// Candidates and overlap resolution
// ---------------------------------------------------------------------------

/// Rule specificity; lower wins among equally long candidates.
const RANK_KNOWN: u8 = 0;
const RANK_VENDOR: u8 = 1;
const RANK_JWT: u8 = 2;
const RANK_AUTH: u8 = 3;

#[derive(Debug, Clone)]
struct Candidate {
    m: LeakMatch,
    /// Bytes of the match shown before the redaction marker.
    keep: usize,
    rank: u8,
}

/// One scan of a text: the candidates and the indices of the winners.
pub(crate) struct Scan {
    cands: Vec<Candidate>,
    won: Vec<usize>,
}

impl Scan {
    /// See [`LeakScanner::find`].
    pub(crate) fn matches(&self) -> Vec<LeakMatch> {
        self.won.iter().map(|&i| self.cands[i].m.clone()).collect()
    }

    /// See [`LeakScanner::redact`].
    pub(crate) fn redact(&self, text: &str) -> (String, Vec<LeakMatch>) {
        let (cands, won) = (&self.cands, &self.won);

        // Real winners in text order, and the union of all real candidates.
        let winners: Vec<&Candidate> = won
            .iter()
            .map(|&i| &cands[i])
            .filter(|c| !c.m.example)
            .collect();
        let mut spans: Vec<(usize, usize)> = cands
            .iter()
            .filter(|c| !c.m.example)
            .map(|c| (c.m.start, c.m.end))
            .collect();
        spans.sort_unstable();
        let merged = merge(spans);

        // Known-secret spans, merged: no prefix shown may touch one.
        let mut known: Vec<(usize, usize)> = cands
            .iter()
            .filter(|c| c.rank == RANK_KNOWN)
            .map(|c| (c.m.start, c.m.end))
            .collect();
        known.sort_unstable();
        let known = merge(known);
        let touches_known = |s: usize, e: usize| {
            let i = known.partition_point(|&(_, ke)| ke <= s);
            known.get(i).is_some_and(|&(ks, _)| ks < e)
        };

        let mut out = String::with_capacity(text.len());
        let mut pos = 0;
        let mut wi = 0;
        for (a, b) in merged {
            while wi < winners.len() && winners[wi].m.start < a {
                wi += 1;
            }
            // Every real candidate loses only to an overlapping real winner,
            // so each merged span holds at least one.
            let winner = winners.get(wi).filter(|w| w.m.start < b);
            let (label, keep) = match winner {
                Some(w) => {
                    let keep = if w.m.start == a && !touches_known(a, a + w.keep) {
                        w.keep
                    } else {
                        0
                    };
                    (w.m.label, keep)
                }
                None => ("secret", 0),
            };
            out.push_str(&text[pos..a]);
            if keep > 0 && keep < b - a {
                out.push_str(&text[a..a + keep]);
                out.push('…');
            }
            out.push_str("[REDACTED ");
            out.push_str(label);
            out.push(']');
            pos = b;
        }
        out.push_str(&text[pos..]);
        (out, self.matches())
    }
}

/// Every other occurrence of a real credential found in `text` is the same
/// credential: `Bearer <token>` in one line and the bare token in another,
/// or a value that was only recognisable next to its keyword. One
/// Aho-Corasick pass over the text finds them all.
fn add_echoes(text: &str, out: &mut Vec<Candidate>) {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut sources: Vec<usize> = Vec::new();
    for (i, c) in out.iter().enumerate() {
        if !c.m.example && seen.insert(&text[c.m.start..c.m.end]) {
            sources.push(i);
        }
    }
    if sources.is_empty() {
        return;
    }
    // Built for one search: a DFA would cost more to build than it saves.
    let Ok(automaton) = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::NoncontiguousNFA))
        .build(sources.iter().map(|&i| &text[out[i].m.start..out[i].m.end]))
    else {
        return;
    };
    let existing: HashSet<(usize, usize)> = out.iter().map(|c| (c.m.start, c.m.end)).collect();
    let mut echoes = Vec::new();
    for m in automaton.find_overlapping_iter(text) {
        if existing.contains(&(m.start(), m.end())) {
            continue;
        }
        let source = &out[sources[m.pattern().as_usize()]];
        let mut echo = source.clone();
        echo.m.start = m.start();
        echo.m.end = m.end();
        echoes.push(echo);
    }
    out.extend(echoes);
}

/// Unites overlapping spans of a sorted list.
fn merge(spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s < last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// Indices of the accepted candidates, sorted by start.
fn resolve(cands: &[Candidate]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..cands.len()).collect();
    order.sort_by_key(|&i| {
        let c = &cands[i];
        (c.m.example, Reverse(c.m.end - c.m.start), c.rank, c.m.start)
    });
    // Accepted spans are disjoint, so the one starting last before `end`
    // is the only one that can overlap.
    let mut taken: BTreeMap<usize, usize> = BTreeMap::new();
    let mut won = Vec::new();
    for i in order {
        let (s, e) = (cands[i].m.start, cands[i].m.end);
        if let Some((_, &prev_end)) = taken.range(..e).next_back()
            && prev_end > s
        {
            continue;
        }
        taken.insert(s, e);
        won.push(i);
    }
    won.sort_by_key(|&i| cands[i].m.start);
    won
}

// ---------------------------------------------------------------------------
// Byte classes and heuristics
// ---------------------------------------------------------------------------

fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}
fn is_b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}
fn is_b64std(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}
fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}
fn never(_: u8) -> bool {
    false
}
/// RFC 6750 `b64token` plus padding.
fn is_cred(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
}

/// Whether the token starting at `start` is not glued to a preceding token
/// character. An escape (`\n`, `\t`, `\r`, `%3D`) right before counts as a
/// boundary.
fn left_ok(text: &[u8], start: usize, glued: fn(u8) -> bool) -> bool {
    if start == 0 {
        return true;
    }
    let b = text[start - 1];
    if !glued(b) {
        return true;
    }
    if matches!(b, b'n' | b't' | b'r') && start >= 2 && text[start - 2] == b'\\' {
        return true;
    }
    start >= 3
        && text[start - 3] == b'%'
        && text[start - 2].is_ascii_hexdigit()
        && b.is_ascii_hexdigit()
}

fn right_ok(text: &[u8], end: usize, glued: fn(u8) -> bool) -> bool {
    end >= text.len() || !glued(text[end])
}

/// (has upper, has lower, has digit)
fn classes(s: &str) -> (bool, bool, bool) {
    let (mut u, mut l, mut d) = (false, false, false);
    for b in s.bytes() {
        u |= b.is_ascii_uppercase();
        l |= b.is_ascii_lowercase();
        d |= b.is_ascii_digit();
    }
    (u, l, d)
}

/// At least two of upper, lower, digit: random tokens always are.
fn mixed(s: &str) -> bool {
    let (u, l, d) = classes(s);
    u8::from(u) + u8::from(l) + u8::from(d) >= 2
}

fn all_classes(s: &str) -> bool {
    let (u, l, d) = classes(s);
    u && l && d
}

/// Vendor-documented sample credentials (exact substrings).
const DOC_EXAMPLES: &[&str] = &[
    // Stripe API reference test keys.
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
    // Signature of the jwt.io HS256 sample token.
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
];

const PLACEHOLDER_WORDS: &[&str] = &[
    "EXAMPLE",
    "example",
    "Example",
    "YOUR_",
    "your_",
    "Your_",
    "YOUR-",
    "your-",
    "PLACEHOLDER",
    "placeholder",
    "CHANGEME",
    "changeme",
    "REPLACE_ME",
    "replace_me",
    "REDACTED",
    "redacted",
    "DUMMY",
    "dummy",
    "INSERT_",
    "insert_",
];

/// Whether the secret part of a key-shaped string is a placeholder.
fn is_placeholder(secret: &str) -> bool {
    if PLACEHOLDER_WORDS.iter().any(|w| secret.contains(w)) {
        return true;
    }
    let b = secret.as_bytes();
    let (mut run, mut asc) = (1usize, 1usize);
    for i in 1..b.len() {
        run = if b[i] == b[i - 1] { run + 1 } else { 1 };
        asc = if b[i].is_ascii_alphanumeric() && b[i] == b[i - 1].wrapping_add(1) {
            asc + 1
        } else {
            1
        };
        let filler = matches!(b[i], b'x' | b'X' | b'*' | b'.' | b'#');
        if (filler && run >= 6) || run >= 8 || asc >= 8 {
            return true;
        }
    }
    false
}

fn is_doc_example(m: &str) -> bool {
    DOC_EXAMPLES.iter().any(|e| m.contains(e))
}

const B64URL_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);
const B64STD_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

// ---------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------

const OPENAI: u32 = 1 << 0;
const ANTHROPIC: u32 = 1 << 1;
const AWS_ACCESS: u32 = 1 << 2;
const AWS_SECRET: u32 = 1 << 3;
const GITHUB: u32 = 1 << 4;
const SLACK_TOKEN: u32 = 1 << 5;
const SLACK_WEBHOOK: u32 = 1 << 6;
const STRIPE: u32 = 1 << 7;
const GOOGLE_API: u32 = 1 << 8;
const GOOGLE_OAUTH: u32 = 1 << 9;
const TELEGRAM: u32 = 1 << 10;
const PRIVATE_KEY: u32 = 1 << 11;
const JWT: u32 = 1 << 12;
const AUTH: u32 = 1 << 13;
const ALL_RULES: u32 = (1 << 14) - 1;

/// Literal anchors for the prefilter (matched ASCII case-insensitively).
const ANCHORS: &[(&str, u32)] = &[
    ("sk-", OPENAI | ANTHROPIC),
    ("AKIA", AWS_ACCESS),
    ("ASIA", AWS_ACCESS),
    ("AGPA", AWS_ACCESS),
    ("AIDA", AWS_ACCESS),
    ("AROA", AWS_ACCESS),
    ("AIPA", AWS_ACCESS),
    ("ANPA", AWS_ACCESS),
    ("ANVA", AWS_ACCESS),
    ("ABIA", AWS_ACCESS),
    ("ACCA", AWS_ACCESS),
    ("A3T", AWS_ACCESS),
    ("secret", AWS_SECRET),
    ("ghp_", GITHUB),
    ("gho_", GITHUB),
    ("ghu_", GITHUB),
    ("ghs_", GITHUB),
    ("ghr_", GITHUB),
    ("github_pat_", GITHUB),
    ("xox", SLACK_TOKEN),
    ("hooks.slack.com", SLACK_WEBHOOK),
    ("_live_", STRIPE),
    ("_test_", STRIPE),
    ("AIza", GOOGLE_API),
    ("GOCSPX-", GOOGLE_OAUTH),
    (":AA", TELEGRAM),
    ("-----BEGIN", PRIVATE_KEY),
    ("eyJ", JWT),
    ("eyA", JWT),
    ("ewo", JWT),
    ("ew0", JWT),
    ("authorization", AUTH),
    ("bearer", AUTH),
];

/// What a token rule's check says about a shape match.
struct Hit {
    label: &'static str,
    severity: Severity,
    /// Bytes of non-secret vendor prefix shown when redacting.
    keep: usize,
    /// Byte offset within the match where the secret part starts.
    secret_from: usize,
    /// The secret part looks random enough to be a real credential.
    random: bool,
}

/// A format recognised by one regex plus boundary checks and a validator.
struct TokenRule {
    id: &'static str,
    bit: u32,
    rank: u8,
    regex: Regex,
    /// Bytes that may not touch the match on the left / right.
    left: fn(u8) -> bool,
    right: fn(u8) -> bool,
    /// Structural validation; `None` rejects the candidate outright.
    check: fn(&str) -> Option<Hit>,
}

struct Rules {
    prefilter: AhoCorasick,
    anchor_bits: Vec<u32>,
    tokens: Vec<TokenRule>,
    pem_begin: Regex,
    pem_end: Regex,
    aws_keyword: Regex,
    auth_context: Regex,
    bearer: Regex,
}

static RULES: LazyLock<Rules> = LazyLock::new(Rules::build);

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static leak regex")
}

impl Rules {
    fn build() -> Self {
        // Leftmost-first over lowercase anchors lets the automaton use its
        // SIMD prefilter (it has none for overlapping, case-insensitive
        // searches); `scan` lowercases the text and restarts one byte after
        // each match, which finds every anchor occurrence because no anchor
        // contains another (checked in the tests).
        let prefilter = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(ANCHORS.iter().map(|(a, _)| a.to_ascii_lowercase()))
            .expect("static anchors");
        let tokens = vec![
            TokenRule {
                id: "leak.openai_key",
                bit: OPENAI,
                rank: RANK_VENDOR,
                regex: re(concat!(
                    r"sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}",
                    r"|[A-Za-z0-9]{48}",
                    r"|(?:(?:proj|svcacct|admin)-)?[xX*]{8,})"
                )),
                left: is_b64url,
                right: is_b64url,
                check: check_openai,
            },
            TokenRule {
                id: "leak.anthropic_key",
                bit: ANTHROPIC,
                rank: RANK_VENDOR,
                regex: re(concat!(
                    r"sk-ant-(?:[a-z]{2,8}[0-9]{2}-[A-Za-z0-9_-]{80,}",
                    r"|(?:[a-z]{2,8}[0-9]{2}-)?[xX*]{8,})"
                )),
                left: is_b64url,
                right: is_b64url,
                check: check_anthropic,
            },
            TokenRule {
                id: "leak.aws_access_key",
                bit: AWS_ACCESS,
                rank: RANK_VENDOR,
                regex: re(
                    r"(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}",
                ),
                left: is_word,
                right: is_word,
                check: |_| {
                    Some(Hit {
                        label: "AWS access key ID",
                        severity: Severity::High,
                        keep: 4,
                        secret_from: 4,
                        random: true,
                    })
                },
            },
            TokenRule {
                id: "leak.github_token",
                bit: GITHUB,
                rank: RANK_VENDOR,
                regex: re(r"gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{82,251}"),
                left: is_word,
                right: is_word,
                check: |m| {
                    let from = if m.starts_with("github_pat_") { 11 } else { 4 };
                    Some(Hit {
                        label: "GitHub token",
                        severity: Severity::Critical,
                        keep: from,
                        secret_from: from,
                        random: mixed(&m[from..]),
                    })
                },
            },
            TokenRule {
                id: "leak.slack_token",
                bit: SLACK_TOKEN,
                rank: RANK_VENDOR,
                regex: re(r"(?:xoxe\.)?xox[abeposr]-[A-Za-z0-9-]{10,}"),
                left: is_b64url,
                right: is_b64url,
                check: |m| {
                    let from = m.find('-').map_or(0, |i| i + 1);
                    let body = &m[from..];
                    let (u, l, d) = classes(body);
                    if body.len() < 20 {
                        return None;
                    }
                    Some(Hit {
                        label: "Slack token",
                        severity: Severity::High,
                        keep: from,
                        secret_from: from,
                        random: d && (u || l),
                    })
                },
            },
            TokenRule {
                id: "leak.slack_webhook",
                bit: SLACK_WEBHOOK,
                rank: RANK_VENDOR,
                regex: re(
                    r"https?://hooks\.slack\.com/services/T[A-Z0-9]{6,12}/B[A-Z0-9]{6,12}/[A-Za-z0-9]{16,48}",
                ),
                left: never,
                right: is_alnum,
                check: |m| {
                    let from = m.find("services/").map_or(0, |i| i + "services/".len());
                    Some(Hit {
                        label: "Slack webhook URL",
                        severity: Severity::High,
                        keep: from,
                        secret_from: from,
                        random: true,
                    })
                },
            },
            TokenRule {
                id: "leak.stripe_key",
                bit: STRIPE,
                rank: RANK_VENDOR,
                regex: re(r"[sr]k_(?:live|test)_[A-Za-z0-9]{24,}"),
                left: is_word,
                right: is_word,
                check: |m| {
                    let live = m[3..].starts_with("live");
                    Some(Hit {
                        label: if m.starts_with('r') {
                            "Stripe restricted key"
                        } else {
                            "Stripe secret key"
                        },
                        severity: if live {
                            Severity::Critical
                        } else {
                            Severity::Medium
                        },
                        keep: 8,
                        secret_from: 8,
                        random: mixed(&m[8..]),
                    })
                },
            },
            TokenRule {
                id: "leak.google_api_key",
                bit: GOOGLE_API,
                rank: RANK_VENDOR,
                regex: re(r"AIza[A-Za-z0-9_-]{35}"),
                left: is_b64url,
                right: is_b64url,
                check: |m| {
                    Some(Hit {
                        label: "Google API key",
                        severity: Severity::High,
                        keep: 4,
                        secret_from: 4,
                        random: mixed(&m[4..]),
                    })
                },
            },
            TokenRule {
                id: "leak.google_oauth_secret",
                bit: GOOGLE_OAUTH,
                rank: RANK_VENDOR,
                regex: re(r"GOCSPX-[A-Za-z0-9_-]{28}"),
                left: is_b64url,
                right: is_b64url,
                check: |m| {
                    Some(Hit {
                        label: "Google OAuth client secret",
                        severity: Severity::High,
                        keep: 7,
                        secret_from: 7,
                        random: mixed(&m[7..]),
                    })
                },
            },
            TokenRule {
                id: "leak.telegram_bot_token",
                bit: TELEGRAM,
                rank: RANK_VENDOR,
                regex: re(r"[0-9]{8,10}:AA[A-Za-z0-9_-]{33}"),
                // `bot123…:AA…` in API URLs: only digits are glued.
                left: is_digit,
                right: is_b64url,
                check: |m| {
                    let from = m.find(':').map_or(0, |i| i + 1);
                    Some(Hit {
                        label: "Telegram bot token",
                        severity: Severity::High,
                        keep: 0,
                        secret_from: from,
                        random: mixed(&m[from + 2..]),
                    })
                },
            },
            TokenRule {
                id: "leak.jwt",
                bit: JWT,
                rank: RANK_JWT,
                regex: re(concat!(
                    r"(?:eyJ|eyA|ewo|ew0)[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{16,}",
                    r"(?:\.[A-Za-z0-9_-]+){0,2}"
                )),
                left: is_b64url,
                right: is_b64url,
                check: check_jwt,
            },
        ];
        Self {
            prefilter,
            anchor_bits: ANCHORS.iter().map(|(_, b)| *b).collect(),
            tokens,
            pem_begin: re(concat!(
                r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?",
                r"PRIVATE KEY(?: BLOCK)?-----"
            )),
            pem_end: re(concat!(
                r"-----END (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?",
                r"PRIVATE KEY(?: BLOCK)?-----"
            )),
            aws_keyword: re(r"(?i)secret[_.\- ]?access[_.\- ]?key|aws[_.\- ]?secret"),
            auth_context: re(
                r#"(?i)authorization\\?["']?[ \t]*[:=][ \t]*\\?["']?(?:bearer|basic|token|bot)[ \t]+"#,
            ),
            bearer: re(r"(?i)bearer[ \t]+"),
        }
    }

    fn scan(&self, text: &str, out: &mut Vec<Candidate>) {
        let mut active = 0u32;
        let lower = text.to_ascii_lowercase();
        let mut at = 0;
        while let Some(m) = self
            .prefilter
            .find(aho_corasick::Input::new(&lower).span(at..lower.len()))
        {
            active |= self.anchor_bits[m.pattern().as_usize()];
            if active == ALL_RULES {
                break;
            }
            at = m.start() + 1;
        }
        if active == 0 {
            return;
        }
        for rule in &self.tokens {
            if active & rule.bit != 0 {
                scan_token(rule, text, out);
            }
        }
        if active & PRIVATE_KEY != 0 {
            self.scan_pem(text, out);
        }
        if active & AWS_SECRET != 0 {
            self.scan_aws_secret(text, out);
        }
        if active & AUTH != 0 {
            self.scan_auth(text, out);
        }
    }

    fn scan_pem(&self, text: &str, out: &mut Vec<Candidate>) {
        let mut pos = 0;
        // Once a search for an END line failed, none after it can succeed.
        let mut end_exhausted = false;
        while let Some(begin) = self.pem_begin.find_at(text, pos) {
            let severity = if begin.as_str().contains("ENCRYPTED") {
                Severity::High
            } else {
                Severity::Critical
            };
            let end_line = if end_exhausted {
                None
            } else {
                self.pem_end.find_at(text, begin.end())
            };
            end_exhausted |= end_line.is_none();
            let (end, example) = match end_line {
                Some(end) => (
                    end.end(),
                    !has_key_material(&text[begin.end()..end.start()]),
                ),
                None => {
                    // Truncated output: the key runs to the end of the text,
                    // if key material follows the marker at all.
                    let head_end = floor_boundary(text, begin.end() + 300);
                    if has_key_material(&text[begin.end()..head_end]) {
                        (text.len(), false)
                    } else {
                        (begin.end(), true)
                    }
                }
            };
            out.push(Candidate {
                m: LeakMatch {
                    start: begin.start(),
                    end,
                    rule: "leak.private_key",
                    label: "private key",
                    severity,
                    example,
                },
                keep: 0,
                rank: RANK_VENDOR,
            });
            pos = end;
        }
    }

    /// A 40-character base64 value starting at most 40 bytes after an AWS
    /// secret keyword. Work per keyword is bounded by the window.
    fn scan_aws_secret(&self, text: &str, out: &mut Vec<Candidate>) {
        const GAP: usize = 40;
        const LEN: usize = 40;
        let bytes = text.as_bytes();
        let mut covered = 0;
        for kw in self.aws_keyword.find_iter(text) {
            let limit = (kw.end() + GAP + LEN + 1).min(bytes.len());
            let mut i = kw.end();
            // A run glued to the keyword belongs to an identifier.
            while i < limit && is_b64std(bytes[i]) {
                i += 1;
            }
            while i < limit {
                if !is_b64std(bytes[i]) {
                    i += 1;
                    continue;
                }
                let start = i;
                if start > kw.end() + GAP {
                    break;
                }
                while i < limit && is_b64std(bytes[i]) {
                    i += 1;
                }
                if i - start != LEN || !right_ok(bytes, i, is_b64std) || start < covered {
                    continue;
                }
                let value = &text[start..i];
                let (u, l, _) = classes(value);
                let example = is_placeholder(value);
                if example || (u && l) {
                    out.push(Candidate {
                        m: LeakMatch {
                            start,
                            end: i,
                            rule: "leak.aws_secret_key",
                            label: "AWS secret access key",
                            severity: Severity::Critical,
                            example,
                        },
                        keep: 0,
                        rank: RANK_VENDOR,
                    });
                    covered = i;
                    break;
                }
            }
        }
    }

    fn scan_auth(&self, text: &str, out: &mut Vec<Candidate>) {
        let bytes = text.as_bytes();
        let mut visit = |scheme_end: usize, scheme: &str, in_context: bool| {
            let start = scheme_end;
            let mut end = start;
            while end < bytes.len() && is_cred(bytes[end]) {
                end += 1;
            }
            // A sentence-ending full stop is not part of the token.
            while end > start && bytes[end - 1] == b'.' {
                end -= 1;
            }
            // `=` is only padding: at most two, and they end the credential.
            if end > start
                && let Some(first_pad) = text[start..end].find('=')
            {
                let pads = text[start + first_pad..end]
                    .bytes()
                    .take_while(|&b| b == b'=')
                    .count();
                end = start + first_pad + pads.min(2);
            }
            let basic = scheme.eq_ignore_ascii_case("basic");
            let cred = &text[start..end];
            let (label, example) = if basic {
                if cred.len() < 8 {
                    return;
                }
                let Ok(decoded) = B64STD_LENIENT.decode(cred) else {
                    return;
                };
                let Ok(decoded) = String::from_utf8(decoded) else {
                    return;
                };
                match decoded.split_once(':') {
                    Some((_, pass)) if !pass.is_empty() => {}
                    _ => return,
                }
                (
                    "basic auth credentials",
                    is_placeholder(&decoded) || is_placeholder(cred),
                )
            } else {
                if cred.len() < 16 {
                    return;
                }
                let example = is_placeholder(cred) || is_doc_example(cred);
                let (u, l, d) = classes(cred);
                let random = if in_context {
                    mixed(cred)
                } else {
                    d && (u || l)
                };
                if !example && !random {
                    return;
                }
                let label = if scheme.eq_ignore_ascii_case("bearer") {
                    "bearer token"
                } else {
                    "authorization credential"
                };
                (label, example)
            };
            out.push(Candidate {
                m: LeakMatch {
                    start,
                    end,
                    rule: "leak.authorization_header",
                    label,
                    severity: Severity::High,
                    example,
                },
                keep: 0,
                rank: RANK_AUTH,
            });
        };
        for m in self.auth_context.find_iter(text) {
            let scheme = m
                .as_str()
                .trim_end()
                .rsplit(|c: char| !c.is_ascii_alphabetic())
                .next()
                .unwrap_or("");
            visit(m.end(), scheme, true);
        }
        for m in self.bearer.find_iter(text) {
            if left_ok(bytes, m.start(), is_word) {
                visit(m.end(), "bearer", false);
            }
        }
    }
}

fn scan_token(rule: &TokenRule, text: &str, out: &mut Vec<Candidate>) {
    let bytes = text.as_bytes();
    let mut pos = 0;
    while let Some(m) = rule.regex.find_at(text, pos) {
        // `%20123…`: the leftmost match began inside a percent escape; the
        // token, if any, starts after it.
        if let Some(skip) = escape_overlap(bytes, m.start()) {
            pos = m.start() + skip;
            continue;
        }
        pos = m.end();
        if !left_ok(bytes, m.start(), rule.left) || !right_ok(bytes, m.end(), rule.right) {
            continue;
        }
        let s = m.as_str();
        let Some(hit) = (rule.check)(s) else {
            continue;
        };
        let example = is_placeholder(&s[hit.secret_from..]) || is_doc_example(s);
        if !example && !hit.random {
            continue;
        }
        out.push(Candidate {
            m: LeakMatch {
                start: m.start(),
                end: m.end(),
                rule: rule.id,
                label: hit.label,
                severity: hit.severity,
                example,
            },
            keep: hit.keep,
            rank: rule.rank,
        });
    }
}

/// How many bytes of a `%XX` escape lie at `start` (the escape began one or
/// two bytes before it).
fn escape_overlap(text: &[u8], start: usize) -> Option<usize> {
    let hex_at = |i: usize| text.get(i).is_some_and(u8::is_ascii_hexdigit);
    if start >= 1 && text[start - 1] == b'%' && hex_at(start) && hex_at(start + 1) {
        Some(2)
    } else if start >= 2 && text[start - 2] == b'%' && hex_at(start - 1) && hex_at(start) {
        Some(1)
    } else {
        None
    }
}

fn check_openai(m: &str) -> Option<Hit> {
    let project = ["sk-proj-", "sk-svcacct-", "sk-admin-"]
        .into_iter()
        .find(|p| m.starts_with(p));
    let from = project.map_or(3, str::len);
    let secret = &m[from..];
    Some(Hit {
        label: "OpenAI API key",
        severity: Severity::Critical,
        keep: if project.is_some() { 6 } else { 3 },
        secret_from: from,
        random: if project.is_some() {
            all_classes(secret)
        } else {
            mixed(secret)
        },
    })
}

fn check_anthropic(m: &str) -> Option<Hit> {
    const PREFIX: usize = "sk-ant-".len();
    let rest = &m[PREFIX..];
    let from = PREFIX + rest.find('-').filter(|&i| i <= 10).map_or(0, |i| i + 1);
    Some(Hit {
        label: "Anthropic API key",
        severity: Severity::Critical,
        keep: PREFIX,
        secret_from: from,
        random: all_classes(&m[from..]),
    })
}

fn check_jwt(m: &str) -> Option<Hit> {
    let mut parts = m.split('.');
    let header = parts.next()?;
    let payload = parts.next()?;
    parts.next()?;
    let decoded = B64URL_LENIENT.decode(header).ok()?;
    let decoded = std::str::from_utf8(&decoded).ok()?;
    let json = decoded.trim();
    if !json.starts_with('{') || !json.contains("\"alg\"") {
        return None;
    }
    Some(Hit {
        label: "JWT",
        severity: Severity::High,
        keep: 3,
        // The signature (and any further JWE parts) is the secret part.
        secret_from: header.len() + 1 + payload.len() + 1,
        random: true,
    })
}

/// A run of 40 base64 characters: what a key body has and code does not.
fn has_key_material(s: &str) -> bool {
    let mut run = 0;
    for b in s.bytes() {
        if is_b64std(b) || b == b'=' {
            run += 1;
            if run >= 40 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

// ---------------------------------------------------------------------------
// Known secrets
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
struct KnownPattern {
    /// A base64 core rather than the raw value.
    base64: bool,
    /// Base64 characters besides `[A-Za-z0-9]` that may sit at the edges:
    /// `+/`, `-_`, or both when the core itself is the same in both alphabets.
    extra: &'static [u8],
    /// The base64 character before the core mixes in bits of the secret.
    lead_mixed: bool,
    /// The base64 character after the core mixes in bits of the secret.
    trail_mixed: bool,
}

struct KnownSet {
    automaton: AhoCorasick,
    /// A SIMD (Teddy) searcher over the same needles, to rule out a text
    /// with no occurrence at all, the usual case, in a fraction of the time
    /// the overlapping automaton search takes. `None` where the platform or
    /// the number of needles rules it out.
    presence: Option<packed::Searcher>,
    patterns: Vec<KnownPattern>,
    count: usize,
}

impl KnownSet {
    fn build(secrets: &[String]) -> Option<Self> {
        let mut seen: HashSet<Vec<u8>> = HashSet::new();
        let mut needles: Vec<Vec<u8>> = Vec::new();
        let mut patterns = Vec::new();
        let mut count = 0;
        let mut add = |needle: Vec<u8>, pattern: KnownPattern| {
            if seen.insert(needle.clone()) {
                needles.push(needle);
                patterns.push(pattern);
            }
        };
        for secret in secrets {
            if secret.chars().count() < MIN_KNOWN_LEN {
                continue;
            }
            count += 1;
            let raw = secret.as_bytes();
            add(
                raw.to_vec(),
                KnownPattern {
                    base64: false,
                    extra: b"",
                    lead_mixed: false,
                    trail_mixed: false,
                },
            );
            for (core, lead_mixed, trail_mixed) in base64_cores(raw) {
                let url = core.replace('+', "-").replace('/', "_");
                let pattern = |extra| KnownPattern {
                    base64: true,
                    extra,
                    lead_mixed,
                    trail_mixed,
                };
                if url == core {
                    add(core.into_bytes(), pattern(b"+/-_"));
                } else {
                    add(core.into_bytes(), pattern(b"+/"));
                    add(url.into_bytes(), pattern(b"-_"));
                }
            }
        }
        if needles.is_empty() {
            return None;
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&needles)
            .expect("known-secret automaton within aho-corasick limits");
        let presence = packed::Config::new().builder().extend(&needles).build();
        Some(Self {
            automaton,
            presence,
            patterns,
            count,
        })
    }

    fn scan(&self, text: &str, out: &mut Vec<Candidate>) {
        self.scan_view(text, text.as_bytes(), None, out);
        // A secret may itself contain `%XX`, so the raw text is scanned as
        // well as its decoded view.
        if text.contains('%') {
            let decoded = PercentDecoded::new(text);
            self.scan_view(text, &decoded.bytes, Some(&decoded.origin), out);
        }
    }

    /// Scans `hay` (the text or its percent-decoded view, whose byte `i`
    /// comes from `text[origin[i]..origin[i + 1]]`).
    fn scan_view(
        &self,
        text: &str,
        hay: &[u8],
        origin: Option<&[usize]>,
        out: &mut Vec<Candidate>,
    ) {
        // Overlapping matches are occurrences of the needles, so a text with
        // none has none; only a text with one pays for the full search.
        if self
            .presence
            .as_ref()
            .is_some_and(|searcher| searcher.find(hay).is_none())
        {
            return;
        }
        for m in self.automaton.find_overlapping_iter(hay) {
            let p = self.patterns[m.pattern().as_usize()];
            let (mut s, mut e) = (m.start(), m.end());
            if p.base64 {
                let in_alphabet = |b: u8| b.is_ascii_alphanumeric() || p.extra.contains(&b);
                if p.lead_mixed && s > 0 && in_alphabet(hay[s - 1]) {
                    s -= 1;
                }
                if p.trail_mixed && e < hay.len() && in_alphabet(hay[e]) {
                    e += 1;
                    let mut pad = 0;
                    while pad < 2 && e < hay.len() && hay[e] == b'=' {
                        e += 1;
                        pad += 1;
                    }
                }
            }
            let (s, e) = match origin {
                Some(o) => (o[s], o[e]),
                None => (s, e),
            };
            let (s, e) = (floor_boundary(text, s), ceil_boundary(text, e));
            out.push(Candidate {
                m: LeakMatch {
                    start: s,
                    end: e,
                    rule: "leak.known_secret",
                    label: "secret",
                    severity: Severity::Critical,
                    example: false,
                },
                keep: 0,
                rank: RANK_KNOWN,
            });
        }
    }
}

/// For each byte alignment 0, 1, 2 of the secret inside a longer plaintext,
/// the base64 characters that depend on the secret's bits alone, and whether
/// a character mixing secret and foreign bits sits before / after them.
fn base64_cores(secret: &[u8]) -> Vec<(String, bool, bool)> {
    let mut cores = Vec::with_capacity(3);
    for k in 0..3usize {
        let mut buf = vec![0u8; k];
        buf.extend_from_slice(secret);
        buf.extend_from_slice(&[0, 0]);
        let encoded = STANDARD_NO_PAD.encode(&buf);
        let bit_start = 8 * k;
        let bit_end = 8 * (k + secret.len());
        let first = bit_start.div_ceil(6);
        let last = bit_end / 6;
        if last > first {
            cores.push((
                encoded[first..last].to_string(),
                !bit_start.is_multiple_of(6),
                !bit_end.is_multiple_of(6),
            ));
        }
    }
    cores
}

/// `text` with `%XX` escapes decoded, and for each decoded byte the offset of
/// its source in `text` (plus one sentinel for the end).
struct PercentDecoded {
    bytes: Vec<u8>,
    origin: Vec<usize>,
}

impl PercentDecoded {
    fn new(text: &str) -> Self {
        let src = text.as_bytes();
        let mut bytes = Vec::with_capacity(src.len());
        let mut origin = Vec::with_capacity(src.len() + 1);
        let mut i = 0;
        while i < src.len() {
            origin.push(i);
            if src[i] == b'%'
                && i + 2 < src.len()
                && src[i + 1].is_ascii_hexdigit()
                && src[i + 2].is_ascii_hexdigit()
            {
                bytes.push(hex(src[i + 1]) << 4 | hex(src[i + 2]));
                i += 3;
            } else {
                bytes.push(src[i]);
                i += 1;
            }
        }
        origin.push(src.len());
        Self { bytes, origin }
    }
}

fn hex(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    use proptest::prelude::*;

    // -- Deterministic random fakes ---------------------------------------

    const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const B64STD: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const DIGITS: &[u8] = b"0123456789";
    const UPNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    const HEX: &[u8] = b"0123456789abcdef";

    /// xorshift64*: enough randomness for fake keys, no extra dependency.
    struct Rng(u64);

    impl Rng {
        fn new(seed: u64) -> Self {
            Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
        }
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            self.0 = x;
            x.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn string(&mut self, charset: &[u8], len: usize) -> String {
            (0..len)
                .map(|_| char::from(charset[self.below(charset.len())]))
                .collect()
        }
    }

    /// A generated credential in a minimal context; `start..end` is what the
    /// scanner must report.
    #[derive(Debug, Clone)]
    struct Fake {
        text: String,
        start: usize,
        end: usize,
        rule: &'static str,
    }

    impl Fake {
        fn whole(text: String, rule: &'static str) -> Self {
            Self {
                start: 0,
                end: text.len(),
                text,
                rule,
            }
        }
        fn tail(context: &str, secret: &str, rule: &'static str) -> Self {
            Self {
                start: context.len(),
                end: context.len() + secret.len(),
                text: format!("{context}{secret}"),
                rule,
            }
        }
        fn secret(&self) -> &str {
            &self.text[self.start..self.end]
        }
    }

    const N_FAKES: usize = 19;

    fn fake(kind: usize, rng: &mut Rng) -> Fake {
        match kind {
            0 => Fake::whole(
                format!(
                    "sk-{}T3BlbkFJ{}",
                    rng.string(ALNUM, 20),
                    rng.string(ALNUM, 20)
                ),
                "leak.openai_key",
            ),
            1 => Fake::whole(
                format!("sk-proj-{}", rng.string(B64URL, 156)),
                "leak.openai_key",
            ),
            2 => Fake::whole(
                format!("sk-svcacct-{}", rng.string(B64URL, 150)),
                "leak.openai_key",
            ),
            3 => Fake::whole(
                format!("sk-ant-api03-{}AA", rng.string(B64URL, 93)),
                "leak.anthropic_key",
            ),
            4 => Fake::whole(
                format!(
                    "{}{}",
                    ["AKIA", "ASIA", "AROA", "AIDA"][rng.below(4)],
                    rng.string(BASE32, 16)
                ),
                "leak.aws_access_key",
            ),
            5 => Fake::tail(
                [
                    "aws_secret_access_key = ",
                    "AWS_SECRET_ACCESS_KEY=",
                    "\"SecretAccessKey\": \"",
                ][rng.below(3)],
                &rng.string(B64STD, 40),
                "leak.aws_secret_key",
            ),
            6 => Fake::whole(
                format!(
                    "{}_{}",
                    ["ghp", "gho", "ghu", "ghs", "ghr"][rng.below(5)],
                    rng.string(ALNUM, 36)
                ),
                "leak.github_token",
            ),
            7 => Fake::whole(
                format!(
                    "github_pat_{}_{}",
                    rng.string(ALNUM, 22),
                    rng.string(ALNUM, 59)
                ),
                "leak.github_token",
            ),
            8 => Fake::whole(
                format!(
                    "xox{}-{}-{}-{}",
                    ["b", "p", "a", "s"][rng.below(4)],
                    rng.string(DIGITS, 12),
                    rng.string(DIGITS, 13),
                    rng.string(ALNUM, 24)
                ),
                "leak.slack_token",
            ),
            9 => Fake::whole(
                format!(
                    "https://hooks.slack.com/services/T{}/B{}/{}",
                    rng.string(UPNUM, 8),
                    rng.string(UPNUM, 10),
                    rng.string(ALNUM, 24)
                ),
                "leak.slack_webhook",
            ),
            10 => Fake::whole(
                format!(
                    "{}_{}_51{}",
                    ["sk", "rk"][rng.below(2)],
                    ["live", "test"][rng.below(2)],
                    rng.string(ALNUM, 97)
                ),
                "leak.stripe_key",
            ),
            11 => Fake::whole(
                format!("AIza{}", rng.string(B64URL, 35)),
                "leak.google_api_key",
            ),
            12 => Fake::whole(
                format!("GOCSPX-{}", rng.string(B64URL, 28)),
                "leak.google_oauth_secret",
            ),
            13 => {
                let digits = 7 + rng.below(3);
                Fake::whole(
                    format!(
                        "{}{}:AA{}",
                        1 + rng.below(9),
                        rng.string(DIGITS, digits),
                        rng.string(B64URL, 33)
                    ),
                    "leak.telegram_bot_token",
                )
            }
            14 => {
                let kind = ["", "RSA ", "EC ", "OPENSSH "][rng.below(4)];
                let body: Vec<String> = (0..4).map(|_| rng.string(B64STD, 64)).collect();
                Fake::whole(
                    format!(
                        "-----BEGIN {kind}PRIVATE KEY-----\n{}\n{}==\n-----END {kind}PRIVATE KEY-----",
                        body.join("\n"),
                        rng.string(B64STD, 22)
                    ),
                    "leak.private_key",
                )
            }
            15 => Fake::whole(jwt(rng), "leak.jwt"),
            16 => Fake::tail(
                [
                    "Authorization: Bearer ",
                    "\"authorization\": \"Bearer ",
                    "Bearer ",
                ][rng.below(3)],
                &format!("{}{}", rng.string(DIGITS, 2), rng.string(ALNUM, 38)),
                "leak.authorization_header",
            ),
            17 => {
                let cred = STANDARD.encode(format!(
                    "{}:{}",
                    rng.string(ALNUM, 8),
                    rng.string(ALNUM, 16)
                ));
                Fake::tail("Authorization: Basic ", &cred, "leak.authorization_header")
            }
            _ => Fake::whole(
                format!("sk-admin-{}", rng.string(B64URL, 140)),
                "leak.openai_key",
            ),
        }
    }

    fn jwt(rng: &mut Rng) -> String {
        let alg = ["HS256", "RS256", "ES256"][rng.below(3)];
        let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#));
        let payload = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"sub":"{}","iat":{}}}"#,
            rng.string(ALNUM, 12),
            1_700_000_000 + rng.below(100_000_000)
        ));
        let sig_len = if alg == "RS256" { 342 } else { 43 };
        format!("{header}.{payload}.{}", rng.string(B64URL, sig_len))
    }

    fn scanner() -> LeakScanner {
        LeakScanner::new()
    }

    fn rules(matches: &[LeakMatch]) -> Vec<&'static str> {
        matches.iter().map(|m| m.rule).collect()
    }

    /// The one real match in `text`, which must be `text[start..end]`.
    #[track_caller]
    fn assert_one(s: &LeakScanner, text: &str, start: usize, end: usize, rule: &str) {
        let found = s.find(text);
        assert_eq!(found.len(), 1, "{text:?}: {found:?}");
        let m = &found[0];
        assert_eq!((m.start, m.end, m.rule), (start, end, rule), "{text:?}");
        assert!(!m.example, "{text:?} flagged as example");
    }

    #[track_caller]
    fn assert_none(s: &LeakScanner, text: &str) {
        let found = s.find(text);
        assert!(found.is_empty(), "false positive in {text:?}: {found:?}");
    }

    #[track_caller]
    fn assert_example(s: &LeakScanner, text: &str, rule: &str) {
        let found = s.find(text);
        assert_eq!(rules(&found), [rule], "{text:?}: {found:?}");
        assert!(found[0].example, "{text:?} not an example: {found:?}");
        let (redacted, _) = s.redact(text);
        assert_eq!(redacted, text, "examples are never redacted");
    }

    // -- Every format, in many contexts -------------------------------------

    #[test]
    fn every_format_is_found_in_every_context() {
        let s = scanner();
        let contexts: &[(&str, &str)] = &[
            ("", ""),
            ("here: ", " (done)"),
            ("{\"value\":\"", "\"}"),
            ("KEY=", "\n"),
            ("line one\\n", "\\nline three"),
            ("https://example.org/x?key%3D", "&y=1"),
            ("ключ «", "» ✓ 🔑"),
            ("日本語テキスト ", "。"),
            ("'", "',"),
        ];
        for kind in 0..N_FAKES {
            for seed in 0..40 {
                let f = fake(kind, &mut Rng::new((kind * 1000 + seed) as u64));
                for (before, after) in contexts {
                    // Header forms carry their own context.
                    if kind >= 16 && before.ends_with("%3D") {
                        continue;
                    }
                    let text = format!("{before}{}{after}", f.text);
                    let off = before.len();
                    assert_one(&s, &text, off + f.start, off + f.end, f.rule);
                }
            }
        }
    }

    #[test]
    fn labels_severities_and_rule_ids() {
        let s = scanner();
        let mut seen = HashSet::new();
        for kind in 0..N_FAKES {
            let f = fake(kind, &mut Rng::new(kind as u64 + 7));
            let m = &s.find(&f.text)[0];
            assert!(m.rule.starts_with("leak."));
            assert!(!m.label.is_empty());
            assert!(m.severity >= Severity::Medium);
            seen.insert(m.rule);
        }
        seen.insert("leak.known_secret");
        assert_eq!(seen.len(), 15, "every rule id is exercised: {seen:?}");

        let live = s.find("sk_live_51HqLyjWDarjtT1zdp7dcABCD9x8y7z6w")[0].clone();
        assert_eq!(
            (live.label, live.severity),
            ("Stripe secret key", Severity::Critical)
        );
        let test = s.find("rk_test_51HqLyjWDarjtT1zdp7dcABCD9x8y7z6w")[0].clone();
        assert_eq!(
            (test.label, test.severity),
            ("Stripe restricted key", Severity::Medium)
        );
        let pem = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----";
        assert_eq!(s.find(pem)[0].severity, Severity::High);
    }

    #[test]
    fn boundaries_are_required() {
        let s = scanner();
        let mut rng = Rng::new(42);
        for kind in [0, 1, 3, 4, 6, 10, 11, 12, 15] {
            let f = fake(kind, &mut rng);
            assert_none(&s, &format!("x{}", f.text));
            assert_none(&s, &format!("_{}", f.text));
        }
        // Fixed-length formats may not run on.
        for kind in [0, 4, 11, 12, 13] {
            let f = fake(kind, &mut rng);
            assert_none(&s, &format!("{}Q", f.text));
        }
        // Over-long bodies are not the format.
        assert_none(&s, &format!("ghp_{}", rng.string(ALNUM, 252)));
        assert_none(&s, &format!("sk-{}", rng.string(ALNUM, 49)));
        assert_none(&s, &format!("AKIA{}", rng.string(BASE32, 17)));
        assert_none(&s, &format!("AIza{}", rng.string(B64URL, 36)));
        // Telegram: eleven digits are not a bot id, but `bot<id>` in the API
        // URL is.
        let secret = rng.string(B64URL, 33);
        assert_none(&s, &format!("12345678901:AA{secret}"));
        let token = format!("123456789:AA{secret}");
        let url = format!("https://api.telegram.org/bot{token}/sendMessage");
        let start = url.find(&token).unwrap();
        assert_one(
            &s,
            &url,
            start,
            start + token.len(),
            "leak.telegram_bot_token",
        );
    }

    // -- Negatives ------------------------------------------------------------

    #[test]
    fn ordinary_text_is_not_flagged() {
        let s = scanner();
        let mut rng = Rng::new(9);
        let mut texts: Vec<String> = vec![
            "550e8400-e29b-41d4-a716-446655440000".into(),
            "commit da39a3ee5e6b4b0d3255bfef95601890afd80709".into(),
            "VGhlIHF1aWNrIGJyb3duIGZveCBqdW1wcyBvdmVyIHRoZSBsYXp5IGRvZw==".into(),
            "pip install scikit-learn  # import sklearn; see sk-learn docs".into(),
            "the token is in the api_key field; set API_KEY= and TOKEN".into(),
            "Bearer".into(),
            "the bearer of bad news".into(),
            "Authorization: Bearer".into(),
            "Authorization: Bearer\n".into(),
            "curl -H \"Authorization: Bearer $TOKEN\" https://api".into(),
            "curl -H \"Authorization: Bearer ${OPENAI_API_KEY}\" https://api".into(),
            "Authorization: Bearer <token>".into(),
            "Authorization: Bearer <your-long-access-token-goes-here>".into(),
            "Authorization: Bearer YOUR_TOKEN".into(),
            "Authorization: Bearer {{ access_token }}".into(),
            "set Authorization: Bearer %ACCESS_TOKEN% on Windows".into(),
            "headers={'Authorization': f'Bearer {token}'}".into(),
            "req.Header.Set(\"Authorization\", \"Bearer \"+token)".into(),
            "Authorization: Basic".into(),
            "Basic usage: run the binary".into(),
            "Authorization: Bearer authentication_token_for_the_user".into(),
            "color: #ff0000; background: #1a2b3c; border-color: #FFF".into(),
            "version 1.2.3, rustc 1.95.0 (59807616e 2026-04-14), v2.0.0-rc.1".into(),
            "order #12345678, ticket ORD-2024-0001234, INC0012345, JIRA-12345".into(),
            ".sk-proj-settings-panel-container-wrapper-element-main { }".into(),
            "const skProjectSettingsHandler = new AuthenticationHandler();".into(),
            "<div class=\"btn-primary sk-toggle sk-admin-panel\">".into(),
            "xoxo-gossip-girl-forever-and-ever-and-ever".into(),
            "AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$SECRET".into(),
            "aws_secret_access_key = da39a3ee5e6b4b0d3255bfef95601890afd80709".into(),
            "aws_secret_access_key_file: /home/someuser/projects/config/aws/key".into(),
            "secret_access_key".into(),
            "12345678:AAH".into(),
            "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjM0NTY3ODkwIn0.".into(),
            "eyJub3QiOiJhIGp3dCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2lnbmF0dXJl".into(),
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END PUBLIC KEY-----".into(),
            "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----".into(),
            "task_live_and_let_die_for_the_whole_cast_2024".into(),
            "hooks.slack.com/services is where webhooks live".into(),
            "AKIA is the prefix of an AWS access key id".into(),
            "pk_test_TYooMQauvdEDq54NiTphI7jx".into(),
            String::new(),
        ];
        texts.push(format!("pk_live_{}", rng.string(ALNUM, 24)));
        texts.push(format!("pk_live_51{}", rng.string(ALNUM, 97)));
        texts.push(format!("sha256: {}", rng.string(HEX, 64)));
        texts.push(format!("sha512 {}", rng.string(HEX, 128)));
        texts.push(format!("git {}", rng.string(HEX, 40)));
        texts.push(format!(
            "sk-{}",
            rng.string(b"abcdefghijklmnopqrstuvwxyz", 48)
        ));
        texts.push(format!(
            "sk-proj-{}",
            rng.string(b"abcdefghijklmnopqrstuvwxyz-", 60)
        ));
        texts.push(format!(
            "sk_live_{}",
            rng.string(b"abcdefghijklmnopqrstuvwxyz", 30)
        ));
        texts.push(format!(
            "ghp_{}",
            rng.string(b"abcdefghijklmnopqrstuvwxyz", 36)
        ));
        for _ in 0..50 {
            let uuid = format!(
                "{}-{}-4{}-a{}-{}",
                rng.string(HEX, 8),
                rng.string(HEX, 4),
                rng.string(HEX, 3),
                rng.string(HEX, 3),
                rng.string(HEX, 12)
            );
            texts.push(format!("id={uuid} trace {}", rng.string(HEX, 32)));
            let plain: String = (0..60)
                .map(|_| ["the ", "quick ", "token ", "secret ", "key ", "api "][rng.below(6)])
                .collect();
            texts.push(STANDARD.encode(&plain));
            texts.push(format!("#{}", rng.string(HEX, 6)));
        }
        for t in &texts {
            assert_none(&s, t);
        }
    }

    // -- Examples and placeholders -------------------------------------------

    #[test]
    fn documented_placeholders_are_examples() {
        let s = scanner();
        assert_example(
            &s,
            "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
            "leak.aws_access_key",
        );
        assert_example(
            &s,
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "leak.aws_secret_key",
        );
        assert_example(
            &s,
            "OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxx",
            "leak.openai_key",
        );
        assert_example(&s, "OPENAI_API_KEY=sk-********", "leak.openai_key");
        assert_example(
            &s,
            &format!("sk-proj-{}", "x".repeat(64)),
            "leak.openai_key",
        );
        assert_example(&s, &format!("sk-{}", "X".repeat(48)), "leak.openai_key");
        assert_example(&s, "sk-ant-api03-xxxxxxxxxxxx", "leak.anthropic_key");
        assert_example(
            &s,
            "stripe.api_key = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'",
            "leak.stripe_key",
        );
        assert_example(&s, "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx", "leak.stripe_key");
        // Without the format's shape a placeholder is no match at all.
        assert_none(&s, "sk_live_YOUR_SECRET_KEY_GOES_HERE");
        assert_example(
            &s,
            "token: ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "leak.github_token",
        );
        assert_example(
            &s,
            "ghp_1234567890abcdefghijklmnopqrstuvwxyz",
            "leak.github_token",
        );
        assert_example(
            &s,
            "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            "leak.slack_webhook",
        );
        assert_example(
            &s,
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
            "leak.jwt",
        );
        assert_example(
            &s,
            "Authorization: Bearer YOUR_ACCESS_TOKEN_HERE",
            "leak.authorization_header",
        );
        assert_example(
            &s,
            "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
            "leak.private_key",
        );
        assert_example(
            &s,
            "xoxb-xxxxxxxxxxxx-xxxxxxxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx",
            "leak.slack_token",
        );
    }

    #[test]
    fn pem_marker_in_source_code_is_an_example_of_the_marker_only() {
        let s = scanner();
        let mut rng = Rng::new(3);
        let key = fake(6, &mut rng);
        let code = format!(
            "const HEADER: &str = \"-----BEGIN PRIVATE KEY-----\";\nfn parse() {{}}\nlet t = \"{}\";\n",
            key.text
        );
        let found = s.find(&code);
        assert_eq!(rules(&found), ["leak.private_key", "leak.github_token"]);
        assert!(found[0].example);
        assert_eq!(
            &code[found[0].start..found[0].end],
            "-----BEGIN PRIVATE KEY-----"
        );
        let (red, _) = s.redact(&code);
        assert!(red.contains("-----BEGIN PRIVATE KEY-----\";\nfn parse() {}"));
        assert!(red.contains(&format!("{}…[REDACTED GitHub token]", &key.text[..4])));
    }

    // -- Private keys, JWTs, AWS secrets, headers -----------------------------

    #[test]
    fn private_keys() {
        let s = scanner();
        let mut rng = Rng::new(5);
        let f = fake(14, &mut rng);
        let text = format!("cat id_rsa\n{}\n$ ", f.text);
        let (red, found) = s.redact(&text);
        assert_eq!(rules(&found), ["leak.private_key"]);
        assert_eq!(red, "cat id_rsa\n[REDACTED private key]\n$ ");

        // Truncated output: no END line, the key runs to the end.
        let cut = &f.text[..f.text.len() / 2];
        let text = format!("head -c 200 key.pem\n{cut}");
        assert_one(&s, &text, 20, text.len(), "leak.private_key");
        assert_eq!(
            s.redact(&text).0,
            "head -c 200 key.pem\n[REDACTED private key]"
        );

        // Escaped inside JSON.
        let json = format!(
            "{{\"private_key\": \"{}\", \"client_email\": \"a@b.iam\"}}",
            f.text.replace('\n', "\\n")
        );
        let (red, found) = s.redact(&json);
        assert_eq!(rules(&found), ["leak.private_key"]);
        assert_eq!(
            red,
            "{\"private_key\": \"[REDACTED private key]\", \"client_email\": \"a@b.iam\"}"
        );

        // Two keys are two matches.
        let g = fake(14, &mut rng);
        let two = format!("{}\n\n{}", f.text, g.text);
        assert_eq!(
            rules(&s.find(&two)),
            ["leak.private_key", "leak.private_key"]
        );
        assert_eq!(
            s.redact(&two).0,
            "[REDACTED private key]\n\n[REDACTED private key]"
        );
    }

    #[test]
    fn jwt_requires_an_alg_header() {
        let s = scanner();
        let mut rng = Rng::new(11);
        let token = jwt(&mut rng);
        assert_one(&s, &token, 0, token.len(), "leak.jwt");
        // Sentence-ending full stop is not part of it.
        let text = format!("Use {token}.");
        assert_one(&s, &text, 4, 4 + token.len(), "leak.jwt");
        // A JWE has five parts: all of it is covered.
        let jwe = format!(
            "{token}.{}.{}",
            rng.string(B64URL, 22),
            rng.string(B64URL, 22)
        );
        assert_one(&s, &jwe, 0, jwe.len(), "leak.jwt");
        // Same shape, header without "alg".
        let header = URL_SAFE_NO_PAD.encode(r#"{"typ":"JWT","kid":"abc"}"#);
        let fake_jwt = format!("{header}.eyJzdWIiOiIxIn0.{}", rng.string(B64URL, 43));
        assert_none(&s, &fake_jwt);
        // Redaction keeps the header prefix only.
        assert_eq!(s.redact(&token).0, "eyJ…[REDACTED JWT]");
    }

    #[test]
    fn aws_secret_needs_its_keyword_nearby() {
        let s = scanner();
        let mut rng = Rng::new(21);
        let value = format!("{}Zz9/{}", rng.string(B64STD, 20), rng.string(B64STD, 16));
        for ctx in [
            "aws_secret_access_key = ",
            "AWS_SECRET_ACCESS_KEY=",
            "export AWS_SECRET=\"",
            "{\"SecretAccessKey\": \"",
            "aws_secret: ",
            "secret-access-key:\n  ",
            "[default]\naws_access_key_id = AKIA\naws_secret_access_key=",
        ] {
            let text = format!("{ctx}{value}\"\n");
            let found = s.find(&text);
            assert_eq!(rules(&found), ["leak.aws_secret_key"], "{text:?}");
            assert_eq!(&text[found[0].start..found[0].end], value);
        }
        // Too far from the keyword, no keyword, or the wrong length.
        let far = format!(
            "aws_secret_access_key is documented below.{}\n{value}",
            " ".repeat(40)
        );
        assert_none(&s, &far);
        assert_none(&s, &format!("checksum = {value}"));
        assert_none(&s, &format!("aws_secret_access_key = {value}A"));
        assert_none(&s, &format!("aws_secret_access_key = {}", &value[1..]));
        assert_eq!(
            s.redact(&format!("AWS_SECRET_ACCESS_KEY={value}\nregion=us-east-1"))
                .0,
            "AWS_SECRET_ACCESS_KEY=[REDACTED AWS secret access key]\nregion=us-east-1"
        );
    }

    #[test]
    fn authorization_credentials() {
        let s = scanner();
        let mut rng = Rng::new(33);
        let opaque = format!("{}9{}", rng.string(ALNUM, 20), rng.string(ALNUM, 19));
        let cases = [
            format!("Authorization: Bearer {opaque}"),
            format!("authorization:bearer {opaque}"),
            format!("{{\"authorization\": \"Bearer {opaque}\"}}"),
            format!("headers = {{'Authorization': 'Bearer {opaque}'}}"),
            format!("curl -H \"Authorization: Bearer {opaque}\" https://api"),
            format!("Proxy-Authorization: Bearer {opaque}"),
            format!("Authorization: Token {opaque}"),
            format!("Bearer {opaque}"),
        ];
        for text in &cases {
            let start = text.find(&opaque).unwrap();
            assert_one(
                &s,
                text,
                start,
                start + opaque.len(),
                "leak.authorization_header",
            );
            let (red, _) = s.redact(text);
            assert!(!red.contains(&opaque));
            assert!(red.contains("[REDACTED "), "{red}");
        }
        assert_eq!(
            s.redact(&format!("Authorization: Bearer {opaque}\r\nAccept: */*"))
                .0,
            "Authorization: Bearer [REDACTED bearer token]\r\nAccept: */*"
        );

        let basic = STANDARD.encode("alice:s3cr3t-passw0rd");
        let text = format!("Authorization: Basic {basic}");
        assert_one(&s, &text, 21, text.len(), "leak.authorization_header");
        assert_eq!(
            s.redact(&text).0,
            "Authorization: Basic [REDACTED basic auth credentials]"
        );
        // Basic must decode to user:password.
        assert_none(&s, "Authorization: Basic bm90LWEtcGFpcg==");
        // A bare Bearer outside a header needs a digit.
        assert_none(&s, "Bearer AuthenticationHandlerFactory");
        assert_eq!(
            rules(&s.find("Authorization: Bearer AuthenticationHandlerFactory")),
            ["leak.authorization_header"]
        );
    }

    // -- Redaction and overlaps ----------------------------------------------

    #[test]
    fn redaction_keeps_prefix_and_context() {
        let s = scanner();
        let mut rng = Rng::new(77);
        let expected_prefix = [
            (1, "sk-pro…[REDACTED OpenAI API key]"),
            (0, "sk-…[REDACTED OpenAI API key]"),
            (3, "sk-ant-…[REDACTED Anthropic API key]"),
            (4, "…[REDACTED AWS access key ID]"),
            (6, "_…[REDACTED GitHub token]"),
            (7, "github_pat_…[REDACTED GitHub token]"),
            (8, "-…[REDACTED Slack token]"),
            (
                9,
                "https://hooks.slack.com/services/…[REDACTED Slack webhook URL]",
            ),
            (10, "…[REDACTED Stripe"),
            (11, "AIza…[REDACTED Google API key]"),
            (12, "GOCSPX-…[REDACTED Google OAuth client secret]"),
            (13, "[REDACTED Telegram bot token]"),
            (14, "[REDACTED private key]"),
            (15, "eyJ…[REDACTED JWT]"),
        ];
        for (kind, marker) in expected_prefix {
            let f = fake(kind, &mut rng);
            let text = format!("Привет ✓ {} and more\ntext", f.text);
            let (red, found) = s.redact(&text);
            assert_eq!(found.len(), 1);
            assert!(red.starts_with("Привет ✓ "), "{red}");
            assert!(red.ends_with(" and more\ntext"), "{red}");
            assert!(red.contains(marker), "{red} lacks {marker}");
            assert!(!red.contains(f.secret()), "{red}");
        }
        let f = fake(1, &mut rng);
        assert_eq!(
            s.redact(&format!("key: {} end", f.text)).0,
            "key: sk-pro…[REDACTED OpenAI API key] end"
        );
    }

    #[test]
    fn multiple_matches_are_sorted_and_all_redacted() {
        let s = scanner();
        let mut rng = Rng::new(99);
        let fakes: Vec<Fake> = (0..N_FAKES).map(|k| fake(k, &mut rng)).collect();
        let mut text = String::from("start ");
        let mut spans = Vec::new();
        for f in &fakes {
            let off = text.len();
            text.push_str(&f.text);
            spans.push((off + f.start, off + f.end, f.rule));
            text.push_str(" | ");
        }
        text.push_str("AKIAIOSFODNN7EXAMPLE end");
        let (red, found) = s.redact(&text);
        let got: Vec<_> = found
            .iter()
            .filter(|m| !m.example)
            .map(|m| (m.start, m.end, m.rule))
            .collect();
        assert_eq!(got, spans);
        assert!(found.last().unwrap().example);
        assert!(found.windows(2).all(|w| w[0].end <= w[1].start));
        for f in &fakes {
            assert!(!red.contains(f.secret()), "{} leaked", f.rule);
        }
        assert!(red.starts_with("start "));
        assert!(red.ends_with(" | AKIAIOSFODNN7EXAMPLE end"));
        assert_eq!(red.matches("[REDACTED ").count(), N_FAKES);
    }

    #[test]
    fn overlaps_prefer_longer_and_more_specific() {
        let s = scanner();
        let mut rng = Rng::new(123);
        // A JWT or vendor key as bearer token: reported once, as the
        // specific format.
        let token = jwt(&mut rng);
        let text = format!("{{\"authorization\": \"Bearer {token}\"}}");
        let found = s.find(&text);
        assert_eq!(rules(&found), ["leak.jwt"]);
        assert_eq!(
            s.redact(&text).0,
            "{\"authorization\": \"Bearer eyJ…[REDACTED JWT]\"}"
        );
        let key = fake(1, &mut rng).text;
        let text = format!("Authorization: Bearer {key}");
        assert_eq!(rules(&s.find(&text)), ["leak.openai_key"]);
        assert_eq!(
            s.redact(&text).0,
            "Authorization: Bearer sk-pro…[REDACTED OpenAI API key]"
        );
        let gh = fake(6, &mut rng).text;
        assert_eq!(
            rules(&s.find(&format!("Authorization: token {gh}"))),
            ["leak.github_token"]
        );
        // A private key containing key-shaped lines is one match.
        let inner = fake(11, &mut rng).text;
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n{inner}\n-----END PRIVATE KEY-----",
            rng.string(B64STD, 64)
        );
        assert_eq!(rules(&s.find(&pem)), ["leak.private_key"]);
        // A placeholder PEM around a real key loses to the real key.
        let code =
            format!("\"-----BEGIN PRIVATE KEY-----\" ; x = {gh} ; \"-----END PRIVATE KEY-----\"");
        assert_eq!(rules(&s.find(&code)), ["leak.github_token"]);
    }

    #[test]
    fn known_secret_wins_and_never_shows_a_prefix() {
        let s = scanner();
        let mut rng = Rng::new(5150);
        let key = fake(1, &mut rng).text;
        s.set_known(vec![key.clone()]);
        let (red, found) = s.redact(&format!("k={key};"));
        assert_eq!(rules(&found), ["leak.known_secret"]);
        assert_eq!(red, "k=[REDACTED secret];");

        // The known value is a prefix of the key: the longer vendor match wins
        // but may not show the known value's first bytes.
        s.set_known(vec![key[..20].to_string()]);
        let (red, found) = s.redact(&format!("k={key};"));
        assert_eq!(rules(&found), ["leak.openai_key"]);
        assert_eq!(red, "k=[REDACTED OpenAI API key];");

        // Partial overlap: the union is redacted, nothing of either remains.
        let known = format!("hunter2 {}", &key[..12]);
        s.set_known(vec![known.clone()]);
        let text = format!("pw hunter2 {key} done");
        let (red, found) = s.redact(&text);
        assert_eq!(rules(&found), ["leak.openai_key"]);
        assert_eq!(red, "pw [REDACTED OpenAI API key] done");
        assert!(!red.contains("hunter2"));
    }

    // -- Known secrets ----------------------------------------------------------

    #[test]
    fn known_secret_raw_and_unicode() {
        let s = scanner();
        let secret = "correct horse battery staple ✓";
        s.set_known(vec![secret.to_string()]);
        let text = format!("日本 «{secret}» 🔑 and again {secret}");
        let found = s.find(&text);
        assert_eq!(found.len(), 2);
        for m in &found {
            assert_eq!(&text[m.start..m.end], secret);
            assert_eq!((m.rule, m.label), ("leak.known_secret", "secret"));
        }
        assert_eq!(
            s.redact(&text).0,
            "日本 «[REDACTED secret]» 🔑 and again [REDACTED secret]"
        );
    }

    #[test]
    fn known_secret_found_anywhere_in_long_text() {
        // Long enough for the SIMD presence check rather than its
        // short-haystack fallback; the secret at either end and in the middle.
        let s = scanner();
        let secret = "correct-horse-battery-staple";
        s.set_known(vec![secret.to_string(), "hunter2-but-longer".to_string()]);
        let filler = "plain log line with nothing secret in it\n".repeat(200);
        assert!(s.find(&filler).is_empty());
        for text in [
            format!("{secret}{filler}"),
            format!("{filler}{secret}{filler}"),
            format!("{filler}{secret}"),
        ] {
            let found = s.find(&text);
            assert_eq!(found.len(), 1);
            assert_eq!(&text[found[0].start..found[0].end], secret);
            assert_eq!(found[0].rule, "leak.known_secret");
        }
    }

    #[test]
    fn known_secret_base64_whole() {
        let s = scanner();
        for secret in [
            "s3cr3t-value!",
            "exactly9c",
            "twelve-chars",
            "ümlaut-pässwörd",
        ] {
            s.set_known(vec![secret.to_string()]);
            for encoded in [
                STANDARD.encode(secret),
                STANDARD_NO_PAD.encode(secret),
                URL_SAFE.encode(secret),
                URL_SAFE_NO_PAD.encode(secret),
            ] {
                let text = format!("value: {encoded} (b64)");
                let found = s.find(&text);
                assert_eq!(found.len(), 1, "{secret} {text}");
                assert_eq!(&text[found[0].start..found[0].end], encoded, "{secret}");
                assert_eq!(s.redact(&text).0, "value: [REDACTED secret] (b64)");
            }
        }
    }

    #[test]
    fn known_secret_base64_at_every_alignment() {
        let s = scanner();
        let mut rng = Rng::new(64);
        for len in 8..20 {
            let secret = rng.string(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789!?~>", len);
            s.set_known(vec![secret.clone()]);
            for before in 0..7 {
                for after in 0..4 {
                    let mut plain: Vec<u8> = (0..before).map(|_| rng.next() as u8).collect();
                    plain.extend_from_slice(secret.as_bytes());
                    plain.extend((0..after).map(|_| rng.next() as u8));
                    for blob in [STANDARD.encode(&plain), URL_SAFE_NO_PAD.encode(&plain)] {
                        let text = format!("data:{blob};");
                        let found = s.find(&text);
                        assert_eq!(found.len(), 1, "{secret} {before} {after} {text}");
                        let m = &found[0];
                        assert!(m.start >= 5 && m.end < text.len(), "{m:?}");
                        assert!(m.end - m.start >= len * 4 / 3 - 2);
                        // Everything derived from the secret alone is gone.
                        let core = &base64_cores(secret.as_bytes())[before % 3].0;
                        let red = s.redact(&text).0;
                        assert!(!red.contains(core.as_str()));
                        assert!(!red.contains(&core.replace('+', "-").replace('/', "_")));
                    }
                }
            }
        }
        // As used by Basic auth: user:secret.
        s.set_known(vec!["hunter2hunter2".into()]);
        let basic = STANDARD.encode("admin:hunter2hunter2");
        let found = s.find(&format!("Authorization: Basic {basic}"));
        assert_eq!(rules(&found), ["leak.authorization_header"]);
        assert_eq!(
            s.redact(&format!("Authorization: Basic {basic}")).0,
            "Authorization: Basic [REDACTED basic auth credentials]"
        );
    }

    #[test]
    fn known_secret_percent_encoded() {
        let s = scanner();
        let secret = "p@ss w/rd:Ünï€+=&?";
        s.set_known(vec![secret.to_string()]);
        const SPACE_AND_AMP: &AsciiSet = &percent_encoding::CONTROLS.add(b' ').add(b'&');
        let upper = utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string();
        let lower = {
            let mut out = String::new();
            for (i, part) in upper.split('%').enumerate() {
                if i > 0 {
                    out.push('%');
                    out.push_str(&part[..2].to_ascii_lowercase());
                    out.push_str(&part[2..]);
                } else {
                    out.push_str(part);
                }
            }
            out
        };
        let partial = utf8_percent_encode(secret, SPACE_AND_AMP).to_string();
        assert_ne!(upper, lower);
        for encoded in [upper, lower, partial] {
            let text = format!("GET /login?user=ann&pw={encoded}&next=%2Fhome HTTP/1.1");
            let found = s.find(&text);
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(&text[found[0].start..found[0].end], encoded);
            assert_eq!(
                s.redact(&text).0,
                "GET /login?user=ann&pw=[REDACTED secret]&next=%2Fhome HTTP/1.1"
            );
        }
        // Base64, then percent-encoded in a query string.
        let b64 = STANDARD.encode(format!("x{secret}"));
        let encoded = utf8_percent_encode(&b64, NON_ALPHANUMERIC).to_string();
        let text = format!("?t={encoded}");
        let found = s.find(&text);
        assert_eq!(rules(&found), ["leak.known_secret"]);
        assert!(found[0].end - found[0].start > b64.len() / 2);
    }

    #[test]
    fn short_known_values_are_ignored() {
        let s = scanner();
        s.set_known(vec![
            String::new(),
            "admin".into(),
            "1234567".into(),
            "ééééééé".into(), // 7 chars, 14 bytes
            "exactly8".into(),
        ]);
        assert_none(&s, "admin 1234567 ééééééé");
        assert_eq!(rules(&s.find("is exactly8 long")), ["leak.known_secret"]);
        assert!(format!("{s:?}").contains("known_secrets: 1"));
        assert!(!format!("{s:?}").contains("exactly8"));
    }

    #[test]
    fn set_known_replaces_and_clears() {
        let s = scanner();
        s.set_known(vec!["first-secret-1".into()]);
        assert_eq!(s.find("first-secret-1").len(), 1);
        s.set_known(vec!["second-secret-2".into()]);
        assert!(s.find("first-secret-1").is_empty());
        assert_eq!(s.find("second-secret-2").len(), 1);
        s.set_known(Vec::new());
        assert!(s.find("second-secret-2").is_empty());
    }

    #[test]
    fn no_anchor_contains_another() {
        // The prefilter's restart-after-each-match search relies on this.
        for (i, (a, _)) in ANCHORS.iter().enumerate() {
            for (j, (b, _)) in ANCHORS.iter().enumerate() {
                assert!(
                    i == j || !b.to_ascii_lowercase().contains(&a.to_ascii_lowercase()),
                    "{a} in {b}"
                );
            }
        }
    }

    #[test]
    fn scanner_is_send_sync_and_shareable() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<LeakScanner>();
        let s = Arc::new(LeakScanner::default());
        s.set_known(vec!["shared-secret-value".into()]);
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let s = Arc::clone(&s);
                std::thread::spawn(move || {
                    if i == 0 {
                        s.set_known(vec!["shared-secret-value".into(), "another-one-1".into()]);
                    }
                    s.find("x shared-secret-value y").len()
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), 1);
        }
    }

    #[test]
    fn unicode_ranges_are_char_boundaries() {
        let s = scanner();
        let mut rng = Rng::new(2024);
        s.set_known(vec!["geheimnis-ß-密码".into()]);
        let mut text = String::new();
        let noise = ["ü", "密", "🔑", "é\u{301}", " ", "\n", "ß", "—"];
        for kind in 0..N_FAKES {
            text.push_str(noise[rng.below(noise.len())]);
            text.push(' ');
            text.push_str(&fake(kind, &mut rng).text);
            text.push(' ');
            text.push_str(noise[rng.below(noise.len())]);
        }
        text.push_str(" geheimnis-ß-密码 ");
        text.push_str(&utf8_percent_encode("geheimnis-ß-密码", NON_ALPHANUMERIC).to_string());
        let found = s.find(&text);
        assert_eq!(found.len(), N_FAKES + 2);
        for m in &found {
            assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
        }
        let (red, _) = s.redact(&text);
        assert!(!red.contains("geheimnis"));
    }

    #[test]
    fn adversarial_inputs_stay_fast() {
        let s = scanner();
        s.set_known(vec!["aaaaaaaa".into()]);
        let inputs = [
            "-----BEGIN PRIVATE KEY-----".repeat(20_000),
            "aws_secret ".repeat(50_000),
            "awssecret".repeat(50_000),
            "Bearer ".repeat(50_000),
            "Authorization: Bearer ".repeat(20_000),
            "sk-".repeat(100_000),
            "eyJ".repeat(100_000) + "." + &"a".repeat(100_000),
            format!("sk-proj-{}", "aB3".repeat(100_000)),
            "a".repeat(300_000),
            "%41".repeat(100_000),
            "1".repeat(100_000) + ":AA",
        ];
        let started = std::time::Instant::now();
        for input in &inputs {
            let _ = s.redact(input);
        }
        // Quadratic behaviour on these would take minutes.
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    }

    #[test]
    fn placeholder_heuristics() {
        for p in [
            "EXAMPLEKEY",
            "xxxxxxxxxx",
            "abc******",
            "00000000",
            "abcdefghij",
            "12345678",
            "YOUR_KEY_HERE",
            "replace_me_now",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        let mut rng = Rng::new(1);
        for _ in 0..10_000 {
            assert!(!is_placeholder(&rng.string(B64URL, 160)));
        }
        // Short random upper-case strings (AWS key id bodies) neither.
        let hits = (0..10_000)
            .filter(|_| is_placeholder(&rng.string(UPPER, 16)))
            .count();
        assert!(hits < 5, "{hits}");
    }

    #[test]
    fn regressions_found_by_proptest() {
        let s = scanner();
        // A bearer credential echoed elsewhere without its context.
        let text = "sk-ant-api03------BEGIN PRIVATE KEY-----Bearer sk-ant-api03------BEGIN";
        let (red, found) = s.redact(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(!red.contains("sk-ant-api03------BEGIN"), "{red}");
        // Too much padding after a Basic credential.
        let basic = "Authorization: Basic cjduTmVWQnY6MFQ4cVNQTHRtSTg1RExlaQ===+";
        assert_one(&s, basic, 21, 57, "leak.authorization_header");
        // A known secret that itself contains a percent escape.
        s.set_known(vec!["%0aA€-=é".into()]);
        assert_eq!(rules(&s.find("%0aA€-=é ")), ["leak.known_secret"]);
        s.set_known(Vec::new());
        // A Telegram token right after a percent-encoded space.
        let tg = "%20940673117:AAW9bLsGSg7joTf4GdyqxCpIz1GmXKVY-nK ";
        assert_one(&s, tg, 3, 48, "leak.telegram_bot_token");
        // Escaped JSON inside JSON.
        let nested = r#"{"body": "{\"Authorization\": \"Basic YWxpY2U6czNjcjN0LXB3\"}"}"#;
        assert_eq!(rules(&s.find(nested)), ["leak.authorization_header"]);
    }

    // -- Property tests -----------------------------------------------------------

    fn fake_strategy() -> impl Strategy<Value = Fake> {
        (0..N_FAKES, any::<u64>()).prop_map(|(kind, seed)| fake(kind, &mut Rng::new(seed)))
    }

    fn separator() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            " ", "\n", "\t", "\"", "'", "=", ": ", " é ", "（", "\\n", "%20", ",", "<", ">",
        ])
    }

    /// Text that exercises the interesting code paths.
    fn spicy_text() -> impl Strategy<Value = String> {
        prop::string::string_regex(
            "(sk-|sk-proj-|sk-ant-api03-|AKIA|ghp_|github_pat_|xoxb-|eyJ|AIza|GOCSPX-|:AA|sk_live_|\
             -----BEGIN PRIVATE KEY-----|-----END PRIVATE KEY-----|Authorization: |Bearer |Basic |\
             aws_secret_access_key=|hooks.slack.com/services/T|%[0-9A-Fa-f]{2}|%|\\\\n|[A-Za-z0-9+/=_.:-]{1,12}|\
             [ \n\"']|é|🔑|密){0,80}",
        )
        .expect("valid strategy regex")
    }

    fn check_invariants(s: &LeakScanner, text: &str) {
        let found = s.find(text);
        for w in found.windows(2) {
            assert!(w[0].end <= w[1].start, "overlap {w:?}");
        }
        for m in &found {
            assert!(m.start < m.end && m.end <= text.len());
            assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
        }
        let (red, again) = s.redact(text);
        assert_eq!(again, found);
        for m in found.iter().filter(|m| !m.example) {
            assert!(
                !red.contains(&text[m.start..m.end]),
                "{m:?} survived redaction: {red:?}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn arbitrary_text_never_panics(text in any::<String>(), spicy in spicy_text()) {
            let s = scanner();
            s.set_known(vec!["hunter2hunter2".into(), "AKIA%2F==".into()]);
            check_invariants(&s, &text);
            check_invariants(&s, &spicy);
            check_invariants(&s, &format!("{spicy}{text}{spicy}"));
        }

        #[test]
        fn inserted_fake_is_always_found(
            before in any::<String>(),
            after in any::<String>(),
            f in fake_strategy(),
            sep1 in separator(),
            sep2 in separator(),
        ) {
            let s = scanner();
            let text = format!("{before}{sep1}{}{sep2}{after}", f.text);
            let (start, end) = (before.len() + sep1.len() + f.start, before.len() + sep1.len() + f.end);
            let found = s.find(&text);
            let cover = found.iter().find(|m| m.start <= start && m.end >= end);
            prop_assert!(cover.is_some(), "{:?} not found in {:?}: {:?}", f, text, found);
            let cover = cover.unwrap();
            if (cover.start, cover.end) == (start, end) {
                prop_assert_eq!(cover.rule, f.rule);
            }
            let (red, _) = s.redact(&text);
            if !cover.example {
                prop_assert!(!red.contains(f.secret()));
            }
        }

        #[test]
        fn redaction_removes_every_real_match(
            pieces in prop::collection::vec(
                prop_oneof![
                    any::<String>(),
                    spicy_text(),
                    fake_strategy().prop_map(|f| f.text),
                ],
                1..6,
            ),
            secret in "[a-zA-Z0-9!@#$%^&*()_+=/ é€-]{8,24}",
            junk in prop::collection::vec(any::<u8>(), 0..6),
            encoding in 0..5usize,
            at in any::<prop::sample::Index>(),
        ) {
            let s = scanner();
            s.set_known(vec![secret.clone()]);
            let mut plain = junk.clone();
            plain.extend_from_slice(secret.as_bytes());
            plain.extend_from_slice(&junk);
            let encoded = match encoding {
                0 => secret.clone(),
                1 => STANDARD.encode(&plain),
                2 => URL_SAFE_NO_PAD.encode(&plain),
                3 => utf8_percent_encode(&secret, NON_ALPHANUMERIC).to_string(),
                _ => STANDARD.encode(secret.as_bytes()),
            };
            let mut pieces = pieces;
            let i = at.index(pieces.len() + 1);
            pieces.insert(i, encoded);
            let text = pieces.join(" ");
            check_invariants(&s, &text);
            let found = s.find(&text);
            prop_assert!(
                found.iter().any(|m| !m.example),
                "known secret not found in {:?}", text
            );
            let (red, _) = s.redact(&text);
            if encoding == 0 {
                prop_assert!(!red.contains(&secret));
            }
        }
    }
}
