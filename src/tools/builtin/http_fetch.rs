//! `http_fetch`: GET one http(s) URL and return its status and body text.
//!
//! - Only `http` and `https` URLs are accepted (no `file:`, `ftp:`, …).
//! - One `reqwest` client (rustls, 30 s overall timeout, user agent
//!   `ironclaw/<version>`) is built on first use and reused, so connection
//!   pools and TLS roots are set up once; building it lazily keeps
//!   [`super::all`] infallible.
//! - The body is streamed and reading stops at `ctx.http_max_bytes`, so a
//!   huge download cannot exhaust memory; the output says when it was cut.
//! - Binary content types (images, archives, PDFs, …) are not downloaded:
//!   a one-line notice replaces them. Text is decoded as UTF-8, lossily;
//!   an untyped body containing NUL bytes is treated as binary too.
//! - HTTP error statuses are results, not failures: the model should see
//!   a 404 and its body. Network errors are failures; timeouts are
//!   [`ToolError::Timeout`].
//! - Redirects are followed (at most 10) and the final URL is reported when
//!   it differs.
//! - Only public addresses are reached unless `tools.http_allow_private`
//!   is set: an IP literal in the URL or in a redirect is checked by
//!   [`crate::sandbox::check_address`], and names are resolved by
//!   [`crate::sandbox::http::PublicOnly`], which drops loopback, private, link-local (cloud
//!   metadata) and reserved addresses. So neither a redirect nor a name that
//!   resolves inward (DNS rebinding) can point the tool at a local service
//!   the person approving the call never saw. With an HTTP proxy in the
//!   environment the proxy resolves names; the URL and redirects are still
//!   checked.
//!
//! Medium risk: it reaches the network, and a URL can carry data out.

use std::sync::OnceLock;
use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{parse_args, try_args};
use crate::sandbox::http::PublicOnly;
use crate::tools::{Risk, Tool, ToolContext, ToolError, ToolOutput, cap_output, error_chain};

/// Overall timeout of one request, body included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const USER_AGENT: &str = concat!("ironclaw/", env!("CARGO_PKG_VERSION"));

pub struct HttpFetch {
    /// `[public only, any address]`, each built on first use.
    clients: [OnceLock<Result<reqwest::Client, String>>; 2],
}

/// At most this many redirects are followed (reqwest's default).
const MAX_REDIRECTS: usize = 10;

impl HttpFetch {
    pub fn new() -> Self {
        Self {
            clients: [OnceLock::new(), OnceLock::new()],
        }
    }

    fn client(&self, allow_private: bool) -> Result<&reqwest::Client, ToolError> {
        self.clients[usize::from(allow_private)]
            .get_or_init(|| {
                let mut builder = reqwest::Client::builder()
                    .user_agent(USER_AGENT)
                    .timeout(REQUEST_TIMEOUT);
                if !allow_private {
                    builder = builder
                        .dns_resolver(PublicOnly::new(ALLOW_PRIVATE_FIX))
                        .redirect(reqwest::redirect::Policy::custom(|attempt| {
                            if attempt.previous().len() >= MAX_REDIRECTS {
                                attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
                            } else if let Err(e) = check_url_host(attempt.url()) {
                                attempt.error(format!("redirect refused: {e}"))
                            } else {
                                attempt.follow()
                            }
                        }));
                }
                builder.build().map_err(|e| {
                    tracing::error!(error = %e, "cannot build the HTTP client");
                    error_chain(&e)
                })
            })
            .as_ref()
            .map_err(|e| ToolError::Failed(format!("HTTP client unavailable: {e}")))
    }
}

/// How to lift the public-addresses-only rule, appended to refusals.
const ALLOW_PRIVATE_FIX: &str =
    "to let http_fetch reach local and private addresses, set `tools.http_allow_private = true`";

/// Refuses a URL whose host is a non-public IP literal (`localhost` and
/// other names are refused when they resolve, by [`crate::sandbox::http::PublicOnly`]).
fn check_url_host(url: &reqwest::Url) -> Result<(), String> {
    let ip = match url.host() {
        Some(url::Host::Ipv4(ip)) => std::net::IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => std::net::IpAddr::V6(ip),
        _ => return Ok(()),
    };
    crate::sandbox::check_address(ip).map_err(|e| format!("{e}; {ALLOW_PRIVATE_FIX}"))
}

impl Default for HttpFetch {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Args {
    url: String,
}

#[async_trait]
impl Tool for HttpFetch {
    fn name(&self) -> &str {
        "http_fetch"
    }

    fn description(&self) -> &str {
        "HTTP GET a URL; returns status, content type and body text."
    }

    fn parameters(&self) -> Value {
        json!({
            "type": "object",
            "properties": {"url": {"type": "string", "description": "http(s) URL"}},
            "required": ["url"],
            "additionalProperties": false
        })
    }

    fn risk(&self, _args: &Value) -> Risk {
        Risk::Medium
    }

    fn outbound_url(&self, args: &Value) -> Option<String> {
        try_args::<Args>(args).map(|a| a.url)
    }

    fn summarize(&self, args: &Value) -> String {
        match try_args::<Args>(args) {
            Some(a) => format!("GET {}", a.url),
            None => args.to_string(),
        }
    }

    async fn call(&self, args: Value, ctx: &ToolContext) -> Result<ToolOutput, ToolError> {
        let args: Args = parse_args(args)?;
        let url = reqwest::Url::parse(args.url.trim())
            .map_err(|e| ToolError::InvalidArguments(format!("`url` is not a valid URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ToolError::InvalidArguments(format!(
                "`url` must be http or https, not {}:",
                url.scheme()
            )));
        }
        if !ctx.http_allow_private {
            check_url_host(&url).map_err(ToolError::Refused)?;
        }
        let client = self.client(ctx.http_allow_private)?;
        tracing::debug!(%url, "http_fetch");
        let mut resp = tokio::select! {
            biased;
            _ = ctx.cancel.cancelled() => return Err(ToolError::Cancelled),
            r = client.get(url.clone()).send() => r.map_err(request_error)?,
        };

        let status = resp.status();
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let mut text = format!(
            "HTTP {status} {}",
            if content_type.is_empty() {
                "(no content type)"
            } else {
                &content_type
            }
        );
        if resp.url() != &url {
            text.push_str(&format!("\n[redirected to {}]", resp.url()));
        }
        text.push_str("\n\n");

        if !content_type.is_empty() && !is_textual(&content_type) {
            let size = resp
                .content_length()
                .map(|n| format!("{n} bytes"))
                .unwrap_or_else(|| "size unknown".into());
            text.push_str(&format!("[binary content ({size}) not shown]"));
            return Ok(ToolOutput::text(text));
        }

        let max = ctx.http_max_bytes;
        let mut body: Vec<u8> = Vec::new();
        let mut truncated = false;
        loop {
            let chunk = tokio::select! {
                biased;
                _ = ctx.cancel.cancelled() => return Err(ToolError::Cancelled),
                c = resp.chunk() => c.map_err(request_error)?,
            };
            let Some(chunk) = chunk else { break };
            let room = max - body.len();
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }

        if content_type.is_empty() && body.contains(&0) {
            text.push_str("[binary content not shown]");
            return Ok(ToolOutput::text(text));
        }
        if body.is_empty() {
            text.push_str("[empty body]");
        } else {
            text.push_str(&String::from_utf8_lossy(&body));
        }
        if truncated {
            text.push_str(&format!(
                "\n[body truncated: stopped reading after {max} bytes]"
            ));
        }
        Ok(ToolOutput::text(cap_output(text, ctx.output_cap)))
    }
}

/// Whether a content type is text worth showing to the model.
fn is_textual(content_type: &str) -> bool {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime.starts_with("text/")
        || mime.ends_with("+json")
        || mime.ends_with("+xml")
        || mime.ends_with("/json")
        || mime.ends_with("/xml")
        || matches!(
            mime.as_str(),
            "application/javascript"
                | "application/ecmascript"
                | "application/x-javascript"
                | "application/x-ndjson"
                | "application/x-www-form-urlencoded"
                | "application/yaml"
                | "application/x-yaml"
                | "application/toml"
                | "application/sql"
                | "application/graphql"
                | "application/x-sh"
        )
}

fn request_error(e: reqwest::Error) -> ToolError {
    if e.is_timeout() {
        ToolError::Timeout(REQUEST_TIMEOUT)
    } else {
        ToolError::Failed(format!("request failed: {}", error_chain(&e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::paths::tests::test_ctx;
    use axum::Router;
    use axum::http::{StatusCode, header};
    use axum::routing::get;

    async fn server() -> String {
        let app = Router::new()
            .route("/hello", get(|| async { "hello world" }))
            .route("/big", get(|| async { "x".repeat(10_000) }))
            .route(
                "/missing",
                get(|| async { (StatusCode::NOT_FOUND, "no such page") }),
            )
            .route(
                "/json",
                get(|| async {
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        r#"{"ok":true}"#,
                    )
                }),
            )
            .route(
                "/image",
                get(|| async {
                    (
                        [(header::CONTENT_TYPE, "image/png")],
                        vec![0x89u8, b'P', 0, 1],
                    )
                }),
            )
            .route(
                "/redirect",
                get(|| async { axum::response::Redirect::to("/hello") }),
            )
            .route(
                "/ua",
                get(|headers: axum::http::HeaderMap| async move {
                    headers[header::USER_AGENT].to_str().unwrap().to_string()
                }),
            )
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    "late"
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}")
    }

    /// A context allowing loopback: the test servers listen on 127.0.0.1.
    fn local_ctx() -> crate::tools::paths::tests::TestCtx {
        let mut t = test_ctx();
        t.ctx.http_allow_private = true;
        t
    }

    async fn fetch(url: String, ctx: &ToolContext) -> Result<String, ToolError> {
        HttpFetch::new()
            .call(json!({"url": url}), ctx)
            .await
            .map(|o| o.content)
    }

    #[tokio::test]
    async fn fetches_text_status_and_content_type() {
        let base = server().await;
        let t = local_ctx();
        let out = fetch(format!("{base}/hello"), &t.ctx).await.unwrap();
        assert_eq!(out, "HTTP 200 OK text/plain; charset=utf-8\n\nhello world");
        let out = fetch(format!("{base}/missing"), &t.ctx).await.unwrap();
        assert!(out.starts_with("HTTP 404 Not Found"), "{out}");
        assert!(out.ends_with("\n\nno such page"), "{out}");
        let out = fetch(format!("{base}/json"), &t.ctx).await.unwrap();
        assert_eq!(out, "HTTP 200 OK application/json\n\n{\"ok\":true}");
        let out = fetch(format!("{base}/redirect"), &t.ctx).await.unwrap();
        assert!(
            out.contains(&format!("[redirected to {base}/hello]")),
            "{out}"
        );
        assert!(out.ends_with("hello world"), "{out}");
        let out = fetch(format!("{base}/ua"), &t.ctx).await.unwrap();
        assert!(
            out.ends_with(&format!("\n\nironclaw/{}", env!("CARGO_PKG_VERSION"))),
            "{out}"
        );
    }

    #[tokio::test]
    async fn stops_at_the_size_cap_and_says_so() {
        let base = server().await;
        let mut t = local_ctx();
        t.ctx.http_max_bytes = 1000;
        let out = fetch(format!("{base}/big"), &t.ctx).await.unwrap();
        assert!(
            out.ends_with("\n[body truncated: stopped reading after 1000 bytes]"),
            "{out}"
        );
        let body = out.split_once("\n\n").unwrap().1;
        let body = body.split_once("\n[body truncated").unwrap().0;
        assert_eq!(body, "x".repeat(1000));
    }

    #[tokio::test]
    async fn binary_content_is_replaced_by_a_notice() {
        let base = server().await;
        let t = local_ctx();
        let out = fetch(format!("{base}/image"), &t.ctx).await.unwrap();
        assert_eq!(
            out,
            "HTTP 200 OK image/png\n\n[binary content (4 bytes) not shown]"
        );
    }

    #[tokio::test]
    async fn non_http_urls_are_invalid_arguments() {
        let t = test_ctx();
        for url in ["file:///etc/passwd", "ftp://example.com/x", "not a url", ""] {
            let r = fetch(url.to_string(), &t.ctx).await;
            assert!(
                matches!(r, Err(ToolError::InvalidArguments(_))),
                "{url}: {r:?}"
            );
        }
    }

    #[tokio::test]
    async fn cancel_returns_promptly() {
        let base = server().await;
        let t = local_ctx();
        let cancel = t.ctx.cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            cancel.cancel();
        });
        let start = std::time::Instant::now();
        let r = fetch(format!("{base}/slow"), &t.ctx).await;
        assert_eq!(r, Err(ToolError::Cancelled));
        assert!(start.elapsed() < Duration::from_secs(2));
    }

    #[tokio::test]
    async fn connection_errors_are_failures() {
        // Bind then drop a listener to get a local port nobody serves.
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let t = local_ctx();
        let r = fetch(format!("http://127.0.0.1:{port}/"), &t.ctx).await;
        assert!(
            matches!(r, Err(ToolError::Failed(ref m)) if m.starts_with("request failed")),
            "{r:?}"
        );
    }

    #[tokio::test]
    async fn only_public_addresses_by_default() {
        let base = server().await;
        let port = base.rsplit(':').next().unwrap();
        let t = test_ctx();
        for url in [
            format!("{base}/hello"),
            "http://169.254.169.254/latest/meta-data/".to_string(),
            "http://[::ffff:127.0.0.1]:1/".to_string(),
        ] {
            match fetch(url.clone(), &t.ctx).await {
                Err(ToolError::Refused(m)) => {
                    assert!(m.contains("tools.http_allow_private = true"), "{url}: {m}")
                }
                other => panic!("{url}: {other:?}"),
            }
        }
        // A name that resolves inward is refused when it is resolved.
        match fetch(format!("http://localhost:{port}/hello"), &t.ctx).await {
            Err(ToolError::Failed(m)) => {
                assert!(m.contains("localhost resolves to"), "{m}");
                assert!(m.contains("tools.http_allow_private = true"), "{m}");
            }
            other => panic!("{other:?}"),
        }
        // Allowed, the same name works.
        let t = local_ctx();
        let out = fetch(format!("http://localhost:{port}/hello"), &t.ctx)
            .await
            .unwrap();
        assert!(out.ends_with("hello world"), "{out}");
    }

    #[tokio::test]
    async fn the_resolver_keeps_public_addresses_only() {
        use reqwest::dns::Resolve;
        let addrs: Vec<_> = PublicOnly::new(ALLOW_PRIVATE_FIX)
            .resolve("1.1.1.1".parse().unwrap())
            .await
            .unwrap()
            .collect();
        assert_eq!(addrs, vec!["1.1.1.1:0".parse().unwrap()]);
        let Err(e) = PublicOnly::new(ALLOW_PRIVATE_FIX)
            .resolve("127.0.0.1".parse().unwrap())
            .await
        else {
            panic!("loopback resolved")
        };
        assert!(e.to_string().contains("this machine (loopback)"), "{e}");
        assert!(check_url_host(&"http://10.0.0.1/".parse().unwrap()).is_err());
        assert!(check_url_host(&"http://example.com/".parse().unwrap()).is_ok());
        assert!(check_url_host(&"http://8.8.8.8/".parse().unwrap()).is_ok());
    }

    #[test]
    fn summarize_and_textual_types() {
        let t = HttpFetch::new();
        assert_eq!(
            t.summarize(&json!({"url": "https://a.b/c"})),
            "GET https://a.b/c"
        );
        assert!(is_textual("text/html; charset=utf-8"));
        assert!(is_textual("application/vnd.api+json"));
        assert!(!is_textual("application/octet-stream"));
        assert!(!is_textual("application/pdf"));
    }
}
