//! Sending one provider request with timeouts and retries.
//!
//! Both providers POST a JSON body and get back an event stream; everything
//! that can go wrong *before* the stream starts is handled here, once:
//!
//! - `request_timeout` bounds the time until the response headers arrive. It
//!   wraps `send()` in `tokio::time::timeout` instead of using reqwest's total
//!   timeout, which would also cut long, healthy streams.
//! - Transient failures (network errors, timeouts, HTTP 429, 5xx/529) are
//!   retried up to `max_retries` times. The wait is the server's
//!   `retry-after-ms` / `Retry-After` (seconds or HTTP-date) when given,
//!   otherwise exponential backoff with jitter between `initial_backoff` and
//!   `max_backoff`.
//! - A server asking to wait longer than `max_backoff` is not waited for: the
//!   `RateLimited` error (carrying the requested wait) is returned at once, so
//!   a fallback provider can take over and the user sees how long to wait.
//! - Errors after the stream has started are never retried here: part of
//!   the answer may already have been shown.

use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use tracing::{debug, warn};

use super::error::{LlmError, excerpt, fmt_duration};
use super::types::HttpOptions;

/// One POST to a provider, as the providers describe it.
pub(crate) struct HttpRequest<'a> {
    pub client: &'a reqwest::Client,
    /// Provider label for logs.
    pub provider: &'a str,
    pub url: &'a str,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub options: &'a HttpOptions,
    /// Model named by the request, for `ModelNotFound`.
    pub model: &'a str,
}

/// Sends the request, retrying transient failures, and returns the
/// successful (2xx) response whose body is the stream.
pub(crate) async fn send_with_retry(req: &HttpRequest<'_>) -> Result<reqwest::Response, LlmError> {
    let opts = req.options;
    let mut attempt: u32 = 0;
    loop {
        let (err, retry_after) = match send_once(req).await {
            Ok(resp) => return Ok(resp),
            Err(failure) => failure,
        };
        if !err.is_retryable() || attempt >= opts.max_retries {
            if attempt > 0 {
                warn!(provider = req.provider, attempts = attempt + 1, error = %err, "LLM request failed after retries");
            }
            return Err(err);
        }
        let delay = match retry_after {
            Some(wait) if wait > opts.max_backoff => {
                warn!(
                    provider = req.provider,
                    wait = %fmt_duration(wait),
                    "provider asks to wait longer than max_backoff; giving up"
                );
                return Err(err);
            }
            Some(wait) => wait,
            None => backoff_delay(attempt, opts.initial_backoff, opts.max_backoff),
        };
        warn!(
            provider = req.provider,
            attempt = attempt + 1,
            max_retries = opts.max_retries,
            delay = %fmt_duration(delay),
            error = %err,
            "retrying LLM request"
        );
        tokio::time::sleep(delay).await;
        attempt += 1;
    }
}

/// One attempt. On failure also returns the wait the server asked for.
async fn send_once(
    req: &HttpRequest<'_>,
) -> Result<reqwest::Response, (LlmError, Option<Duration>)> {
    let opts = req.options;
    debug!(
        provider = req.provider,
        url = req.url,
        bytes = req.body.len(),
        "sending LLM request"
    );
    let send = req
        .client
        .post(req.url)
        .headers(req.headers.clone())
        .body(req.body.clone())
        .send();
    let resp = match tokio::time::timeout(opts.request_timeout, send).await {
        Err(_) => {
            return Err((
                LlmError::Timeout {
                    message: format!(
                        "no response from {} within {}",
                        req.url,
                        fmt_duration(opts.request_timeout)
                    ),
                },
                None,
            ));
        }
        Ok(Err(e)) => return Err((from_reqwest(&e, req.url), None)),
        Ok(Ok(resp)) => resp,
    };
    let status = resp.status();
    if status.is_success() {
        debug!(
            provider = req.provider,
            status = status.as_u16(),
            "LLM response started"
        );
        return Ok(resp);
    }
    let retry_after = parse_retry_after(resp.headers(), Utc::now());
    // The error body is small; still bound the wait for it.
    let body = match tokio::time::timeout(opts.request_timeout, resp.text()).await {
        Ok(Ok(text)) => text,
        Ok(Err(e)) => {
            debug!(error = %e, "could not read error body");
            String::new()
        }
        Err(_) => String::new(),
    };
    debug!(provider = req.provider, status = status.as_u16(), body = %excerpt(&body), "LLM request failed");
    Err((
        LlmError::from_http(status.as_u16(), &body, retry_after, req.model),
        retry_after,
    ))
}

/// Maps a reqwest error (before or during the body) to an [`LlmError`].
pub(crate) fn from_reqwest(err: &reqwest::Error, url: &str) -> LlmError {
    let detail = error_chain(err);
    if err.is_timeout() {
        LlmError::Timeout {
            message: format!("request to {url} timed out: {detail}"),
        }
    } else if err.is_connect() {
        LlmError::Network {
            message: format!("could not connect to {url}: {detail}"),
        }
    } else if err.is_body() || err.is_decode() {
        LlmError::Network {
            message: format!("the connection to {url} broke: {detail}"),
        }
    } else if err.is_builder() {
        LlmError::BadRequest {
            status: 0,
            message: format!("could not build a request to {url}: {detail}"),
        }
    } else {
        LlmError::Network {
            message: format!("request to {url} failed: {detail}"),
        }
    }
}

/// The error and its sources, joined by ": ", without repeats (reqwest's
/// own message is terse; the cause, e.g. "Connection refused", is below).
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        let s = e.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = e.source();
    }
    parts.join(": ")
}

/// Exponential backoff with jitter: the base is `initial * 2^attempt`
/// capped at `max`; the result is uniformly drawn from `[base/2, base]` so
/// that clients retrying together spread out but never retry immediately.
pub(crate) fn backoff_delay(attempt: u32, initial: Duration, max: Duration) -> Duration {
    let factor = 2u32.saturating_pow(attempt.min(31));
    let base = initial.saturating_mul(factor).min(max);
    let half = base / 2;
    let spread = (base - half).as_nanos() as u64;
    let jitter = if spread == 0 {
        0
    } else {
        fastrand::u64(0..=spread)
    };
    half + Duration::from_nanos(jitter)
}

/// The wait a response asks for: `retry-after-ms` (milliseconds, as sent by
/// OpenAI), else `Retry-After` as seconds or as an HTTP-date. Dates in the
/// past mean "now" (zero); unparseable values are ignored.
pub(crate) fn parse_retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(ms) = get("retry-after-ms").and_then(parse_millis) {
        return Some(ms);
    }
    get("retry-after").and_then(|v| parse_retry_after_value(v, now))
}

fn parse_millis(v: &str) -> Option<Duration> {
    let ms: f64 = v.trim().parse().ok()?;
    (ms.is_finite() && ms >= 0.0).then(|| Duration::from_secs_f64(ms / 1000.0))
}

/// Parses a `Retry-After` value: delay-seconds (integer; fractions are
/// tolerated) or an HTTP-date (RFC 7231 IMF-fixdate, RFC 2822 compatible).
pub(crate) fn parse_retry_after_value(v: &str, now: DateTime<Utc>) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<f64>() {
        // Cap absurd values at one day; they only make us give up at once.
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::from_secs_f64(secs.min(86_400.0)));
    }
    let date = DateTime::parse_from_rfc2822(v).ok()?.with_timezone(&Utc);
    Some((date - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use reqwest::header::HeaderValue;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2015, 10, 21, 7, 28, 0).unwrap()
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let p = |v| parse_retry_after_value(v, now());
        assert_eq!(p("20"), Some(Duration::from_secs(20)));
        assert_eq!(p(" 0 "), Some(Duration::ZERO));
        assert_eq!(p("1.5"), Some(Duration::from_millis(1500)));
        assert_eq!(
            p("Wed, 21 Oct 2015 07:28:30 GMT"),
            Some(Duration::from_secs(30))
        );
        assert_eq!(p("Wed, 21 Oct 2015 07:00:00 GMT"), Some(Duration::ZERO));
        assert_eq!(p("-3"), None);
        assert_eq!(p("soon"), None);
        assert_eq!(p(""), None);
        assert_eq!(p("999999999"), Some(Duration::from_secs(86_400)));
    }

    #[test]
    fn retry_after_headers() {
        let mut h = HeaderMap::new();
        assert_eq!(parse_retry_after(&h, now()), None);
        h.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(parse_retry_after(&h, now()), Some(Duration::from_secs(3)));
        h.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(
            parse_retry_after(&h, now()),
            Some(Duration::from_millis(250))
        );
        h.insert("retry-after-ms", HeaderValue::from_static("garbage"));
        assert_eq!(parse_retry_after(&h, now()), Some(Duration::from_secs(3)));
    }

    #[test]
    fn backoff_bounds() {
        let initial = Duration::from_millis(100);
        let max = Duration::from_secs(1);
        for _ in 0..200 {
            let d0 = backoff_delay(0, initial, max);
            assert!(d0 >= Duration::from_millis(50) && d0 <= initial, "{d0:?}");
            let d2 = backoff_delay(2, initial, max);
            assert!(
                d2 >= Duration::from_millis(200) && d2 <= Duration::from_millis(400),
                "{d2:?}"
            );
            let big = backoff_delay(40, initial, max);
            assert!(big >= max / 2 && big <= max, "{big:?}");
        }
        assert_eq!(
            backoff_delay(3, Duration::ZERO, max),
            Duration::ZERO,
            "zero initial backoff stays zero"
        );
    }

    #[test]
    fn error_chain_dedups() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "outer")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let e = Outer(std::io::Error::other("Connection refused"));
        assert_eq!(error_chain(&e), "outer: Connection refused");
    }
}
