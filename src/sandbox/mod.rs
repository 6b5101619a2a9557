//! The sandbox for untrusted tools: what a WebAssembly tool may do, and the
//! checks the host makes at its boundary.
//!
//! A WebAssembly tool ships with a **capability manifest** (a TOML file
//! beside the component) that declares everything it may reach: hosts and
//! paths on the network, which secrets the host injects into which requests,
//! which workspace folders it may read or write, and its fuel, memory, time
//! and output limits. Nothing undeclared is possible, and the manifest is
//! the one place a user reads to decide whether to trust a tool.
//!
//! - [`manifest`]: parsing and validating a manifest (strict: unknown keys,
//!   over-broad grants and out-of-range limits are errors, each reported with
//!   its line and a fix), and the risk a tool's capabilities amount to.
//! - [`http`]: the network boundary: whether a request is inside the
//!   manifest's allowlist, which credentials the host adds to it, and whether
//!   a resolved address may be connected to (no loopback, private or
//!   link-local addresses).
//!
//! - [`runtime`]: running components of the `ironclaw:tool` world
//!   (`wit/tool.wit`) under wasmtime with the manifest's limits, and the
//!   host functions that enforce its grants.
//!
//! `ironclaw extensions check|install|list|remove` manages them; engines
//! load the installed ones (`~/.ironclaw/tools/`) when they start.
//! Leak scanning of requests and responses is the safety layer's
//! ([`crate::safety::SafetyLayer::check_outbound`] and
//! [`crate::safety::SafetyLayer::scan_leaks`]). Manifests name secrets, never
//! hold them; a value passes through here only while
//! [`http::RequestGrant::inject`] adds it to the request it is granted for.

pub mod http;
pub mod manifest;
pub mod runtime;

pub use self::http::{Denied, RequestGrant, check_address};

/// Cases per property test: a few thousand in the suite;
/// `IRONCLAW_FUZZ_CASES=1000000` runs them at scale.
#[cfg(test)]
fn fuzz_cases() -> u32 {
    std::env::var("IRONCLAW_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}
pub use self::manifest::{Manifest, ManifestError, Problem};
