//! Exit codes of the `ironclaw` command, documented in the README.

/// The answer was produced.
pub const OK: u8 = 0;
/// Something failed inside IronClaw (database, I/O).
pub const FAILURE: u8 = 1;
/// The command line or the input was wrong.
pub const USAGE: u8 = 2;
/// The model provider failed: bad key, rate limit, unreachable, no model configured.
pub const PROVIDER: u8 = 3;
/// A tool call needed approval and was denied (the answer may be partial).
pub const DENIED: u8 = 4;
/// The turn was stopped by a safety limit (repetition guard, iteration limit).
pub const STOPPED: u8 = 5;
/// The user interrupted the turn (Ctrl-C).
pub const INTERRUPTED: u8 = 130;

/// Maps a failed turn's error kind to an exit code.
pub fn for_error_kind(kind: &str) -> u8 {
    match kind {
        "auth" | "rate_limited" | "context_too_long" | "model_not_found" | "server_down"
        | "bad_request" | "network" | "timeout" | "malformed_stream" | "no_model" => PROVIDER,
        "repetition_guard" | "iteration_limit" => STOPPED,
        _ => FAILURE,
    }
}
