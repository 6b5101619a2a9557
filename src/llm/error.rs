//! Errors of LLM providers and their classification from HTTP responses.
//!
//! Every failure a provider can produce is one of a handful of kinds that the
//! engine and the user can act on differently (fix the key, wait, shorten the
//! conversation, ...). Classification looks at the HTTP status *and* at the
//! error body, because providers disagree on statuses (e.g. a missing model is
//! a 404 for OpenAI but may be a 400 with `code: "model_not_found"` elsewhere)
//! and because errors sent inside an SSE stream have no status at all.
//!
//! Both wire shapes are understood:
//! - OpenAI style: `{"error": {"message": "...", "type": "...", "code": "..."}}`
//!   (also `{"error": "text"}`, as some compatible servers send);
//! - Anthropic style: `{"type": "error", "error": {"type": "...", "message": "..."}}`.

use std::time::Duration;

use serde_json::Value;

/// Longest excerpt of a server body kept in an error message.
const MAX_EXCERPT: usize = 300;

/// A failure of an LLM request, classified by what the user can do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LlmError {
    /// The API key is missing, wrong or lacks permission (HTTP 401/403).
    #[error("the provider rejected the API key: {message}")]
    Auth { message: String },

    /// Too many requests (HTTP 429), still failing after the retries.
    #[error("rate limited by the provider{}: {message}", fmt_retry_after(.retry_after))]
    RateLimited {
        retry_after: Option<Duration>,
        message: String,
    },

    /// The prompt does not fit the model's context window.
    #[error("the conversation is too long for the model's context window: {message}")]
    ContextTooLong { message: String },

    /// The model name is unknown to the provider (or the endpoint is wrong).
    #[error("the provider does not know the model `{model}`: {message}")]
    ModelNotFound { model: String, message: String },

    /// The provider failed or is overloaded (HTTP 5xx, 529), still failing
    /// after the retries; `status` is `None` for errors sent mid-stream.
    #[error("the provider is unavailable{}: {message}", fmt_status(.status))]
    ServerDown {
        status: Option<u16>,
        message: String,
    },

    /// The provider refused the request for another reason (other 4xx).
    /// `status` 0 means the request was refused locally before being sent
    /// (invalid configuration such as a malformed base URL or header).
    #[error("{}: {message}", fmt_bad_request(*.status))]
    BadRequest { status: u16, message: String },

    /// The provider could not be reached or the connection broke.
    #[error("network error: {message}")]
    Network { message: String },

    /// No response (headers) in time, or the stream went silent too long.
    #[error("timed out: {message}")]
    Timeout { message: String },

    /// The response was not the event stream we expected.
    #[error("the provider sent a response that could not be understood: {message}")]
    MalformedStream { message: String },
}

fn fmt_retry_after(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!("; retry after {}", fmt_duration(*d)),
        None => String::new(),
    }
}

fn fmt_status(status: &Option<u16>) -> String {
    match status {
        Some(s) => format!(" (HTTP {s})"),
        None => String::new(),
    }
}

fn fmt_bad_request(status: u16) -> String {
    if status == 0 {
        "invalid LLM provider configuration".to_string()
    } else {
        format!("the provider rejected the request (HTTP {status})")
    }
}

/// Human form of a wait: "20s", "1.5s", "250ms".
pub(crate) fn fmt_duration(d: Duration) -> String {
    if d.as_millis() < 1000 {
        format!("{}ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

impl LlmError {
    /// Stable snake_case identifier of the kind, for logs and `llm_calls`.
    pub fn kind(&self) -> &'static str {
        match self {
            LlmError::Auth { .. } => "auth",
            LlmError::RateLimited { .. } => "rate_limited",
            LlmError::ContextTooLong { .. } => "context_too_long",
            LlmError::ModelNotFound { .. } => "model_not_found",
            LlmError::ServerDown { .. } => "server_down",
            LlmError::BadRequest { .. } => "bad_request",
            LlmError::Network { .. } => "network",
            LlmError::Timeout { .. } => "timeout",
            LlmError::MalformedStream { .. } => "malformed_stream",
        }
    }

    /// Whether sending the same request again may succeed: transient
    /// conditions (rate limits, server trouble, network, timeouts).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            LlmError::RateLimited { .. }
                | LlmError::ServerDown { .. }
                | LlmError::Network { .. }
                | LlmError::Timeout { .. }
        )
    }

    /// What the user should do about this error, in one sentence.
    pub fn hint(&self) -> String {
        match self {
            LlmError::Auth { .. } => {
                "check IRONCLAW_LLM_API_KEY or `ironclaw config set llm.api_key`".to_string()
            }
            LlmError::RateLimited { retry_after, .. } => match retry_after {
                Some(d) => format!(
                    "wait {} and try again, or configure a fallback provider",
                    fmt_duration(*d)
                ),
                None => "wait a moment and try again, or configure a fallback provider".to_string(),
            },
            LlmError::ContextTooLong { .. } => {
                "start a new conversation or shorten the input, or use a model with a larger context window"
                    .to_string()
            }
            LlmError::ModelNotFound { .. } => {
                "check llm.model; list models with your provider (and check llm.base_url)"
                    .to_string()
            }
            LlmError::ServerDown { .. } => {
                "the provider is having trouble; try again later or configure a fallback provider"
                    .to_string()
            }
            LlmError::BadRequest { status: 0, .. } => {
                "check the llm settings (`ironclaw config get llm`)".to_string()
            }
            LlmError::BadRequest { .. } => {
                "check llm.model, llm.base_url and llm.provider; the server message above says what it refused"
                    .to_string()
            }
            LlmError::Network { .. } => {
                "check llm.base_url and that the server is running".to_string()
            }
            LlmError::Timeout { .. } => {
                "the provider is slow or unreachable; try again, and check llm.base_url and your network"
                    .to_string()
            }
            LlmError::MalformedStream { .. } => {
                "check that llm.provider matches the server at llm.base_url (OpenAI-compatible or Anthropic)"
                    .to_string()
            }
        }
    }

    /// Classifies an HTTP error response.
    ///
    /// `retry_after` is what the response headers asked for (see
    /// `retry::parse_retry_after`); `model` is the model the request named.
    pub fn from_http(
        status: u16,
        body: &str,
        retry_after: Option<Duration>,
        model: &str,
    ) -> LlmError {
        classify(
            Some(status),
            &ErrorBody::parse(body, Some(status)),
            retry_after,
            model,
        )
    }

    /// Classifies an error object received inside an event stream (no HTTP
    /// status): `value` is the whole JSON payload of the event.
    pub fn from_stream_error(value: &Value, model: &str) -> LlmError {
        classify(None, &ErrorBody::from_value(value, None), None, model)
    }
}

/// The useful parts of an error body.
#[derive(Debug, Default, PartialEq)]
struct ErrorBody {
    message: String,
    /// `error.type` (OpenAI and Anthropic).
    kind: String,
    /// `error.code` (OpenAI), as text.
    code: String,
}

impl ErrorBody {
    fn parse(body: &str, status: Option<u16>) -> ErrorBody {
        match serde_json::from_str::<Value>(body) {
            Ok(v) if v.is_object() => ErrorBody::from_value(&v, status),
            _ => ErrorBody {
                message: non_empty_or_status(excerpt(body), status),
                ..Default::default()
            },
        }
    }

    fn from_value(v: &Value, status: Option<u16>) -> ErrorBody {
        let text = |v: Option<&Value>| -> String {
            match v {
                Some(Value::String(s)) => s.trim().to_string(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            }
        };
        let mut out = ErrorBody::default();
        match v.get("error") {
            Some(err @ Value::Object(_)) => {
                out.message = text(err.get("message"));
                out.kind = text(err.get("type"));
                out.code = text(err.get("code"));
            }
            Some(Value::String(s)) => out.message = s.trim().to_string(),
            _ => {
                out.message = text(v.get("message")).if_empty(|| text(v.get("detail")));
            }
        }
        if out.message.is_empty() {
            out.message = excerpt(&v.to_string());
        }
        out.message = non_empty_or_status(excerpt(&out.message), status);
        out
    }

    /// Whether the body talks about the context window being exceeded.
    fn mentions_context_length(&self) -> bool {
        const NEEDLES: [&str; 9] = [
            "context_length_exceeded",
            "maximum context length",
            "context length",
            "context window",
            "context size",
            "prompt is too long",
            "too many tokens",
            "request_too_large",
            "input is too long",
        ];
        let hay = format!("{} {} {}", self.message, self.kind, self.code).to_lowercase();
        NEEDLES.iter().any(|n| hay.contains(n))
    }
}

trait IfEmpty {
    fn if_empty(self, f: impl FnOnce() -> String) -> String;
}

impl IfEmpty for String {
    fn if_empty(self, f: impl FnOnce() -> String) -> String {
        if self.is_empty() { f() } else { self }
    }
}

fn non_empty_or_status(message: String, status: Option<u16>) -> String {
    if !message.is_empty() {
        return message;
    }
    match status {
        Some(s) => {
            let reason = reqwest::StatusCode::from_u16(s)
                .ok()
                .and_then(|c| c.canonical_reason())
                .unwrap_or("no details");
            format!("{reason} (empty response body)")
        }
        None => "no details given".to_string(),
    }
}

/// Trimmed, single-line prefix of `s`, at most [`MAX_EXCERPT`] characters.
pub(crate) fn excerpt(s: &str) -> String {
    let one_line: String = s
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut out: String = one_line.chars().take(MAX_EXCERPT).collect();
    if one_line.chars().count() > MAX_EXCERPT {
        out.push('…');
    }
    out
}

fn classify(
    status: Option<u16>,
    body: &ErrorBody,
    retry_after: Option<Duration>,
    model: &str,
) -> LlmError {
    let kind = body.kind.as_str();
    let code = body.code.as_str();

    if let Some(status) = status {
        // ServerDown and BadRequest show the status themselves; the others
        // carry it at the end of the message.
        let plain = body.message.clone();
        let message = format!("{plain} (HTTP {status})");
        let model_not_found = LlmError::ModelNotFound {
            model: model.to_string(),
            message: message.clone(),
        };
        return match status {
            401 | 403 => LlmError::Auth { message },
            429 => LlmError::RateLimited {
                retry_after,
                message,
            },
            408 => LlmError::Timeout { message },
            404 => model_not_found,
            413 => LlmError::ContextTooLong { message },
            _ if code == "model_not_found" => model_not_found,
            400..=499 if body.mentions_context_length() => LlmError::ContextTooLong { message },
            400..=499 => LlmError::BadRequest {
                status,
                message: plain,
            },
            // 5xx, Anthropic's 529 "overloaded", and anything unexpected.
            _ => LlmError::ServerDown {
                status: Some(status),
                message: plain,
            },
        };
    }

    let message = body.message.clone();
    let model_not_found = LlmError::ModelNotFound {
        model: model.to_string(),
        message: message.clone(),
    };

    // Errors inside a stream: only the type/code tell what happened.
    match (kind, code) {
        ("authentication_error" | "permission_error", _) | (_, "invalid_api_key") => {
            LlmError::Auth { message }
        }
        ("rate_limit_error" | "rate_limit_exceeded", _) | (_, "rate_limit_exceeded") => {
            LlmError::RateLimited {
                retry_after: None,
                message,
            }
        }
        ("not_found_error", _) | (_, "model_not_found") => model_not_found,
        _ if body.mentions_context_length() => LlmError::ContextTooLong { message },
        ("invalid_request_error", _) => LlmError::BadRequest {
            status: 400,
            message,
        },
        _ => LlmError::ServerDown {
            status: None,
            message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn http(status: u16, body: &str) -> LlmError {
        LlmError::from_http(status, body, None, "gpt-x")
    }

    #[test]
    fn auth_statuses() {
        let e = http(
            401,
            r#"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}"#,
        );
        assert_eq!(e.kind(), "auth");
        assert_eq!(
            e.to_string(),
            "the provider rejected the API key: Incorrect API key provided (HTTP 401)"
        );
        assert!(!e.is_retryable());
        assert_eq!(
            http(
                403,
                r#"{"type":"error","error":{"type":"permission_error","message":"no"}}"#
            )
            .kind(),
            "auth"
        );
    }

    #[test]
    fn rate_limited_keeps_retry_after() {
        let e = LlmError::from_http(429, "{}", Some(Duration::from_secs(20)), "m");
        assert_eq!(
            e,
            LlmError::RateLimited {
                retry_after: Some(Duration::from_secs(20)),
                message: "{} (HTTP 429)".to_string()
            }
        );
        assert!(
            e.to_string()
                .starts_with("rate limited by the provider; retry after 20s")
        );
        assert!(e.is_retryable());
    }

    #[test]
    fn model_not_found_by_status_or_code() {
        let e = http(
            404,
            r#"{"error":{"message":"The model `gpt-x` does not exist","type":"invalid_request_error","code":"model_not_found"}}"#,
        );
        assert!(matches!(e, LlmError::ModelNotFound { ref model, .. } if model == "gpt-x"));
        let e = http(
            400,
            r#"{"error":{"message":"nope","code":"model_not_found"}}"#,
        );
        assert_eq!(e.kind(), "model_not_found");
        // Ollama style: error is a plain string.
        let e = http(
            404,
            r#"{"error":"model \"llama9\" not found, try pulling it first"}"#,
        );
        assert_eq!(e.kind(), "model_not_found");
        assert!(e.to_string().contains("try pulling it first"));
    }

    #[test]
    fn context_too_long_wordings() {
        for body in [
            r#"{"error":{"message":"This model's maximum context length is 8192 tokens.","type":"invalid_request_error","code":"context_length_exceeded"}}"#,
            r#"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}}"#,
            r#"{"error":{"message":"the request exceeds the available context size"}}"#,
            "Too many tokens in request",
        ] {
            assert_eq!(http(400, body).kind(), "context_too_long", "{body}");
        }
        assert_eq!(http(413, "").kind(), "context_too_long");
        assert_eq!(
            LlmError::from_stream_error(
                &json!({"error":{"message":"maximum context length exceeded"}}),
                "m"
            )
            .kind(),
            "context_too_long"
        );
    }

    #[test]
    fn other_statuses() {
        assert_eq!(
            http(400, r#"{"error":{"message":"bad temperature"}}"#),
            LlmError::BadRequest {
                status: 400,
                message: "bad temperature".into()
            }
        );
        assert_eq!(http(422, "x").kind(), "bad_request");
        assert_eq!(http(408, "").kind(), "timeout");
        for s in [500, 502, 503, 529] {
            let e = http(s, "");
            assert_eq!(e.kind(), "server_down");
            assert!(e.is_retryable());
        }
        let e = http(503, "");
        assert_eq!(
            e.to_string(),
            "the provider is unavailable (HTTP 503): Service Unavailable (empty response body)"
        );
    }

    #[test]
    fn stream_errors_by_type() {
        let anth = |t: &str| {
            LlmError::from_stream_error(
                &json!({"type":"error","error":{"type":t,"message":"m"}}),
                "claude",
            )
            .kind()
        };
        assert_eq!(anth("overloaded_error"), "server_down");
        assert_eq!(anth("api_error"), "server_down");
        assert_eq!(anth("rate_limit_error"), "rate_limited");
        assert_eq!(anth("authentication_error"), "auth");
        assert_eq!(anth("not_found_error"), "model_not_found");
        assert_eq!(anth("invalid_request_error"), "bad_request");
        assert_eq!(anth("something_new"), "server_down");
    }

    #[test]
    fn messages_are_excerpted() {
        let long = "x".repeat(5000);
        let e = http(500, &long);
        assert!(e.to_string().len() < 500);
        let e = http(500, "line1\nline2");
        assert!(e.to_string().contains("line1 line2"));
    }

    #[test]
    fn display_and_hints_are_plain() {
        let errors = [
            LlmError::Auth {
                message: "m".into(),
            },
            LlmError::RateLimited {
                retry_after: None,
                message: "m".into(),
            },
            LlmError::ContextTooLong {
                message: "m".into(),
            },
            LlmError::ModelNotFound {
                model: "x".into(),
                message: "m".into(),
            },
            LlmError::ServerDown {
                status: None,
                message: "m".into(),
            },
            LlmError::BadRequest {
                status: 0,
                message: "m".into(),
            },
            LlmError::Network {
                message: "m".into(),
            },
            LlmError::Timeout {
                message: "m".into(),
            },
            LlmError::MalformedStream {
                message: "m".into(),
            },
        ];
        let mut kinds: Vec<_> = errors.iter().map(|e| e.kind()).collect();
        kinds.dedup();
        assert_eq!(kinds.len(), 9);
        for e in &errors {
            assert!(!e.hint().is_empty());
            assert!(e.to_string().ends_with(": m"), "{e}");
        }
        assert_eq!(
            errors[5].to_string(),
            "invalid LLM provider configuration: m"
        );
        assert_eq!(fmt_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(fmt_duration(Duration::from_millis(250)), "250ms");
    }
}
