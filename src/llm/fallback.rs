//! Trying several providers in order.
//!
//! [`FallbackProvider`] sends the request to the first provider; when that
//! fails *before streaming starts* with an error that another provider may
//! not have, it tries the next one. Each provider has already done its own
//! retries by then.
//!
//! Falls back on: `RateLimited`, `ServerDown`, `Network`, `Timeout` (the
//! provider is unavailable), and `Auth` and `ModelNotFound` (the problem is
//! this provider's key or model, which the next provider does not share).
//! Each fallback is logged with `warn!` so a misconfigured primary does not
//! go unnoticed.
//!
//! Does not fall back on: `ContextTooLong` and `BadRequest` (the request
//! itself is the problem and would fail, or cost, again) and
//! `MalformedStream`.
//!
//! Errors after the stream has started are never retried on another
//! provider: part of the answer may already be shown.
//!
//! When every provider fails, the *first* provider's error is returned: it is
//! the one the user's main configuration is about. (The others are logged.)
//!
//! Model names: a request naming the first provider's model (as the engine
//! may do with `provider.model()`) is sent to the later providers with an
//! empty model, so each uses its own configured model.

use std::sync::Arc;

use async_trait::async_trait;
use tracing::warn;

use super::error::LlmError;
use super::types::ChatRequest;
use super::{EventStream, LlmProvider};

/// Providers tried in order; see the module docs.
pub struct FallbackProvider {
    providers: Vec<Arc<dyn LlmProvider>>,
}

impl FallbackProvider {
    /// An empty list is allowed but every request then fails with a
    /// configuration error.
    pub fn new(providers: Vec<Arc<dyn LlmProvider>>) -> Self {
        Self { providers }
    }

    /// The providers, in the order they are tried.
    pub fn providers(&self) -> &[Arc<dyn LlmProvider>] {
        &self.providers
    }
}

/// Whether an error from `stream()` justifies trying the next provider.
pub fn should_fall_back(err: &LlmError) -> bool {
    matches!(
        err,
        LlmError::RateLimited { .. }
            | LlmError::ServerDown { .. }
            | LlmError::Network { .. }
            | LlmError::Timeout { .. }
            | LlmError::Auth { .. }
            | LlmError::ModelNotFound { .. }
    )
}

#[async_trait]
impl LlmProvider for FallbackProvider {
    fn name(&self) -> &str {
        self.providers.first().map_or("none", |p| p.name())
    }

    fn model(&self) -> &str {
        self.providers.first().map_or("", |p| p.model())
    }

    async fn stream(&self, request: ChatRequest) -> Result<EventStream, LlmError> {
        let primary_model = self.model().to_string();
        let mut first_error: Option<LlmError> = None;
        for (i, provider) in self.providers.iter().enumerate() {
            let mut req = request.clone();
            if i > 0 && req.model == primary_model {
                req.model.clear();
            }
            match provider.stream(req).await {
                Ok(stream) => return Ok(stream),
                Err(err) => {
                    let last = i + 1 == self.providers.len();
                    if !should_fall_back(&err) {
                        return Err(first_error.unwrap_or(err));
                    }
                    if !last {
                        warn!(
                            provider = provider.name(),
                            model = provider.model(),
                            error = %err,
                            "LLM provider failed; trying the next one"
                        );
                    } else {
                        warn!(provider = provider.name(), error = %err, "last LLM provider failed");
                    }
                    first_error.get_or_insert(err);
                }
            }
        }
        Err(first_error.unwrap_or_else(|| LlmError::BadRequest {
            status: 0,
            message: "no LLM provider is configured".to_string(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::types::{FinishReason, StreamEvent};
    use futures::StreamExt;
    use std::sync::Mutex;

    struct Fake {
        name: &'static str,
        result: Result<(), LlmError>,
        seen_models: Mutex<Vec<String>>,
    }

    impl Fake {
        fn new(name: &'static str, result: Result<(), LlmError>) -> Arc<Fake> {
            Arc::new(Fake {
                name,
                result,
                seen_models: Mutex::new(Vec::new()),
            })
        }
    }

    #[async_trait]
    impl LlmProvider for Fake {
        fn name(&self) -> &str {
            self.name
        }
        fn model(&self) -> &str {
            self.name
        }
        async fn stream(&self, request: ChatRequest) -> Result<EventStream, LlmError> {
            self.seen_models.lock().unwrap().push(request.model);
            self.result.clone()?;
            let name = self.name.to_string();
            Ok(Box::pin(futures::stream::iter(vec![
                Ok(StreamEvent::TextDelta(name)),
                Ok(StreamEvent::Finish(FinishReason::Stop)),
            ])))
        }
    }

    fn down() -> LlmError {
        LlmError::ServerDown {
            status: Some(503),
            message: "down".into(),
        }
    }

    async fn first_text(p: &FallbackProvider, model: &str) -> Result<String, LlmError> {
        let req = ChatRequest {
            model: model.into(),
            ..Default::default()
        };
        let mut s = p.stream(req).await?;
        match s.next().await {
            Some(Ok(StreamEvent::TextDelta(t))) => Ok(t),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn falls_back_on_unavailability_and_clears_primary_model() {
        let a = Fake::new("a", Err(down()));
        let b = Fake::new("b", Ok(()));
        let p = FallbackProvider::new(vec![a.clone(), b.clone()]);
        assert_eq!(p.name(), "a");
        assert_eq!(p.model(), "a");
        assert_eq!(first_text(&p, "a").await.unwrap(), "b");
        assert_eq!(*b.seen_models.lock().unwrap(), vec![String::new()]);
        // An explicit other model is passed through.
        first_text(&p, "special").await.unwrap();
        assert_eq!(b.seen_models.lock().unwrap()[1], "special");
    }

    #[tokio::test]
    async fn does_not_fall_back_on_request_errors() {
        let too_long = LlmError::ContextTooLong {
            message: "x".into(),
        };
        let a = Fake::new("a", Err(too_long.clone()));
        let b = Fake::new("b", Ok(()));
        let p = FallbackProvider::new(vec![a, b.clone()]);
        assert_eq!(first_text(&p, "").await.unwrap_err(), too_long);
        assert!(b.seen_models.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn all_failing_returns_the_first_error() {
        let auth = LlmError::Auth {
            message: "bad key".into(),
        };
        let p = FallbackProvider::new(vec![
            Fake::new("a", Err(auth.clone())),
            Fake::new("b", Err(down())),
        ]);
        assert_eq!(first_text(&p, "").await.unwrap_err(), auth);
        let empty = FallbackProvider::new(vec![]);
        assert_eq!(empty.name(), "none");
        assert_eq!(
            first_text(&empty, "").await.unwrap_err().kind(),
            "bad_request"
        );
    }

    #[test]
    fn fallback_policy() {
        assert!(should_fall_back(&down()));
        assert!(should_fall_back(&LlmError::Network {
            message: String::new()
        }));
        assert!(!should_fall_back(&LlmError::BadRequest {
            status: 400,
            message: String::new()
        }));
        assert!(!should_fall_back(&LlmError::MalformedStream {
            message: String::new()
        }));
    }
}
