//! Talking to language models.
//!
//! This module owns everything between a provider-neutral [`ChatRequest`]
//! and a stream of [`StreamEvent`]s: the wire formats of the supported APIs
//! (OpenAI-compatible Chat Completions and Anthropic Messages), HTTP
//! timeouts and retries, classification of failures into [`LlmError`], and
//! falling back to other providers. It knows nothing about threads, storage
//! or the UI.
//!
//! Contract of [`LlmProvider::stream`], for both providers:
//! - transient failures before the response starts (network, timeouts, 429,
//!   5xx) are retried inside `stream()` per [`HttpOptions`];
//! - the returned stream yields text and tool-call deltas as they arrive,
//!   `Usage` zero or more times (figures are cumulative: keep the largest,
//!   as [`ResponseAccumulator`] does), and exactly one `Finish` as the last
//!   item of a successful response;
//! - any error ends the stream and is not retried (part of the answer may
//!   already have been shown); a stream that ends without a `Finish` ended
//!   with an error item.
//!
//! Files: `types` (request/stream types), `error` (errors and their
//! classification), `retry` (timeouts, backoff, Retry-After, send-with-retry),
//! `sse` (event-stream plumbing), `openai`, `anthropic`, `fallback`.

pub mod anthropic;
pub mod error;
pub mod fallback;
pub mod openai;
mod retry;
mod sse;
pub mod types;

pub use anthropic::AnthropicProvider;
pub use error::LlmError;
pub use fallback::FallbackProvider;
pub use openai::OpenAiProvider;
pub use types::*;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

/// The streamed response of a provider.
pub type EventStream =
    std::pin::Pin<Box<dyn futures::Stream<Item = Result<StreamEvent, LlmError>> + Send>>;

/// A language model API.
#[async_trait::async_trait]
pub trait LlmProvider: Send + Sync {
    /// Label for logs/llm_calls, e.g. "openai" or "anthropic".
    fn name(&self) -> &str;
    /// Model used when ChatRequest::model is empty.
    fn model(&self) -> &str;
    /// Sends the request and returns the streamed response. Retries (network
    /// errors, 429, 5xx; honouring Retry-After, exponential backoff with
    /// jitter, capped by HttpOptions) happen inside, before the stream is
    /// returned. Errors after streaming started are yielded by the stream and
    /// are not retried.
    async fn stream(&self, request: ChatRequest) -> Result<EventStream, LlmError>;
}

/// Which wire API a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// OpenAI Chat Completions and compatible servers (Ollama, vLLM, ...).
    OpenAi,
    /// Anthropic Messages.
    Anthropic,
}

impl ProviderKind {
    /// The stable name, as in configuration files.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "openai",
            ProviderKind::Anthropic => "anthropic",
        }
    }

    /// Base URL used when the configuration leaves it empty.
    pub fn default_base_url(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "https://api.openai.com/v1",
            ProviderKind::Anthropic => "https://api.anthropic.com",
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown provider name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown LLM provider `{0}`; expected `openai` (also for OpenAI-compatible servers such as Ollama) or `anthropic`"
)]
pub struct ParseProviderKindError(pub String);

impl FromStr for ProviderKind {
    type Err = ParseProviderKindError;

    /// Accepts "openai" or "anthropic", ignoring case and surrounding space.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "openai" => Ok(ProviderKind::OpenAi),
            "anthropic" => Ok(ProviderKind::Anthropic),
            _ => Err(ParseProviderKindError(s.to_string())),
        }
    }
}

/// Everything needed to build one provider.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    pub kind: ProviderKind,
    /// Empty = the kind's default (https://api.openai.com/v1 or
    /// https://api.anthropic.com).
    pub base_url: String,
    /// Optional: local OpenAI-compatible servers need none.
    pub api_key: Option<String>,
    pub model: String,
    /// Sent with every request, after (and overriding) the provider's own.
    pub extra_headers: Vec<(String, String)>,
    pub http: HttpOptions,
}

/// Builds the provider described by `cfg`.
///
/// Fails (with `LlmError::BadRequest { status: 0, .. }`) on an invalid base
/// URL or header; a missing API key is not an error here (the server's 401
/// is clearer and some servers need none).
pub fn build_provider(cfg: &ProviderConfig) -> Result<Arc<dyn LlmProvider>, LlmError> {
    let settings = ProviderSettings::from_config(cfg)?;
    Ok(match cfg.kind {
        ProviderKind::OpenAi => Arc::new(OpenAiProvider::new(settings)),
        ProviderKind::Anthropic => Arc::new(AnthropicProvider::new(settings)),
    })
}

/// The validated configuration shared by the provider implementations.
pub(crate) struct ProviderSettings {
    pub client: reqwest::Client,
    /// Without trailing slash.
    pub base_url: String,
    pub api_key: Option<String>,
    pub model: String,
    pub extra_headers: HeaderMap,
    pub http: HttpOptions,
}

fn config_error(message: String) -> LlmError {
    LlmError::BadRequest { status: 0, message }
}

impl ProviderSettings {
    fn from_config(cfg: &ProviderConfig) -> Result<Self, LlmError> {
        let base_url = cfg.base_url.trim();
        let base_url = if base_url.is_empty() {
            cfg.kind.default_base_url()
        } else {
            base_url
        }
        .trim_end_matches('/')
        .to_string();
        match reqwest::Url::parse(&base_url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => {}
            _ => {
                return Err(config_error(format!(
                    "llm.base_url `{base_url}` is not an http(s) URL (e.g. http://localhost:11434/v1)"
                )));
            }
        }

        let mut extra_headers = HeaderMap::new();
        for (name, value) in &cfg.extra_headers {
            let header_name = HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|_| config_error(format!("invalid HTTP header name `{name}`")))?;
            let header_value = HeaderValue::from_str(value.trim())
                .map_err(|_| config_error(format!("invalid value for HTTP header `{name}`")))?;
            extra_headers.insert(header_name, header_value);
        }

        let api_key = cfg
            .api_key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_string);

        let client = reqwest::Client::builder()
            .connect_timeout(cfg.http.connect_timeout)
            .user_agent(concat!("ironclaw/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| config_error(format!("could not create the HTTP client: {e}")))?;

        Ok(Self {
            client,
            base_url,
            api_key,
            model: cfg.model.trim().to_string(),
            extra_headers,
            http: cfg.http.clone(),
        })
    }

    /// The request's model, else the configured one.
    pub(crate) fn resolve_model(&self, request: &ChatRequest) -> Result<String, LlmError> {
        let model = request.model.trim();
        let model = if model.is_empty() { &self.model } else { model };
        if model.is_empty() {
            return Err(config_error(
                "no model configured; set llm.model (`ironclaw config set llm.model <name>`)"
                    .to_string(),
            ));
        }
        Ok(model.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(kind: ProviderKind) -> ProviderConfig {
        ProviderConfig {
            kind,
            base_url: String::new(),
            api_key: None,
            model: "m".into(),
            extra_headers: vec![],
            http: HttpOptions::default(),
        }
    }

    #[test]
    fn provider_kind_parsing() {
        assert_eq!("openai".parse::<ProviderKind>(), Ok(ProviderKind::OpenAi));
        assert_eq!(
            " Anthropic ".parse::<ProviderKind>(),
            Ok(ProviderKind::Anthropic)
        );
        let err = "gemini".parse::<ProviderKind>().unwrap_err();
        assert!(err.to_string().contains("`gemini`"));
        assert_eq!(
            serde_json::to_string(&ProviderKind::OpenAi).unwrap(),
            "\"openai\""
        );
        assert_eq!(
            serde_json::from_str::<ProviderKind>("\"anthropic\"").unwrap(),
            ProviderKind::Anthropic
        );
        assert_eq!(ProviderKind::OpenAi.to_string(), "openai");
    }

    #[test]
    fn settings_defaults_and_validation() {
        let s = ProviderSettings::from_config(&cfg(ProviderKind::OpenAi)).unwrap();
        assert_eq!(s.base_url, "https://api.openai.com/v1");
        let mut c = cfg(ProviderKind::Anthropic);
        c.base_url = "http://localhost:8080/".into();
        c.api_key = Some("  ".into());
        let s = ProviderSettings::from_config(&c).unwrap();
        assert_eq!(s.base_url, "http://localhost:8080");
        assert_eq!(s.api_key, None);

        c.base_url = "localhost:8080".into();
        let e = build_provider(&c).err().unwrap();
        assert_eq!(e.kind(), "bad_request");
        assert!(e.to_string().contains("llm.base_url"), "{e}");

        let mut c = cfg(ProviderKind::OpenAi);
        c.extra_headers = vec![("bad header".into(), "v".into())];
        assert!(build_provider(&c).is_err());
        c.extra_headers = vec![("x-ok".into(), "v".into())];
        let p = build_provider(&c).unwrap();
        assert_eq!((p.name(), p.model()), ("openai", "m"));
    }

    #[test]
    fn model_resolution() {
        let mut c = cfg(ProviderKind::OpenAi);
        c.model = String::new();
        let s = ProviderSettings::from_config(&c).unwrap();
        assert!(s.resolve_model(&ChatRequest::default()).is_err());
        let req = ChatRequest {
            model: "x".into(),
            ..Default::default()
        };
        assert_eq!(s.resolve_model(&req).unwrap(), "x");
    }

    #[test]
    fn anthropic_url_does_not_double_v1() {
        let mut c = cfg(ProviderKind::Anthropic);
        c.base_url = "http://h/v1".into();
        let p = AnthropicProvider::new(ProviderSettings::from_config(&c).unwrap());
        assert_eq!(p.endpoint(), "http://h/v1/messages");
        c.base_url = "http://h".into();
        let p = AnthropicProvider::new(ProviderSettings::from_config(&c).unwrap());
        assert_eq!(p.endpoint(), "http://h/v1/messages");
    }
}
