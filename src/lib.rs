//! IronClaw: a local-first, security-first personal AI assistant.
//!
//! The crate is laid out by reason to change; each module's doc comment says
//! what it owns and what it must never do:
//!
//! - [`protocol`]: the `Op`/`Event` types every frontend speaks.
//! - [`engine`]: the agent loop, threads, approvals (the only owner of state).
//! - [`llm`]: streaming model providers.
//! - [`memory`]: the workspace of notes and identity files, and its hybrid search.
//! - [`tools`]: the tool contract, the registry and the built-in tools.
//! - [`safety`]: what stands between outside content and the model.
//! - [`sandbox`]: what an untrusted (WebAssembly) tool may do: its capability
//!   manifest and the network boundary.
//! - [`secrets`]: the encrypted secret store (the only code that sees values).
//! - [`db`]: the libSQL store and its migrations.
//! - [`config`]: the IronClaw home, `config.toml` and its env overrides.
//! - [`daemon`]: the engine in the background, reached over a Unix socket.
//! - [`tui`]: the full-screen terminal workstation (a protocol client).
//! - [`cli`]: the command line, one-shot prompts and diagnostics.

pub mod cli;
pub mod config;
pub mod daemon;
pub mod db;
pub mod engine;
pub mod llm;
pub mod memory;
pub mod protocol;
pub mod safety;
pub mod sandbox;
pub mod secrets;
pub mod tools;
pub mod tui;
