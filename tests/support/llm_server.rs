//! A scripted LLM server for tests and benches.
//!
//! One HTTP server on 127.0.0.1 speaks both OpenAI-compatible streaming
//! (`POST /v1/chat/completions`) and Anthropic streaming (`POST
//! /v1/messages`). Tests queue [`Reply`]s; each request takes the next one
//! (FIFO, shared by both endpoints) and gets it rendered in the format of the
//! endpoint it hit. Every request is recorded for inspection.
//!
//! [`ScriptedLlm::start`] is a plain function: the server runs on its own
//! tokio runtime in a background thread, so it works from sync tests, async
//! tests and bench binaries alike. It stops when the `ScriptedLlm` is dropped.
//!
//! With no reply queued the server answers HTTP 500
//! `{"error":{"message":"scripted server: no reply queued"}}` so that a test
//! expecting fewer requests fails loudly. Unknown paths get a 404 (and are
//! recorded too).
#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

/// Characters of text per streamed chunk.
const TEXT_CHUNK: usize = 4;
/// Characters of tool arguments per streamed chunk.
const ARGS_CHUNK: usize = 8;

/// One request received by the server.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub path: String,
    /// Header names in lowercase, in the order received.
    pub headers: Vec<(String, String)>,
    /// The parsed JSON body (`Value::Null` if it was not JSON).
    pub body: Value,
    pub body_bytes: usize,
}

impl RecordedRequest {
    /// The first value of a header (name matched case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone)]
enum Content {
    /// A streamed answer: text, then tool calls `(id, name, arguments)`.
    Stream {
        text: String,
        tools: Vec<(String, String, String)>,
    },
    /// An HTTP error status with an optional custom body.
    Status { status: u16, body: Option<String> },
}

/// A scripted answer; see the builder methods.
#[derive(Debug, Clone)]
pub struct Reply {
    content: Content,
    headers: Vec<(String, String)>,
    usage: (u64, u64),
    chunk_delay: Duration,
    initial_delay: Duration,
    disconnect_after: Option<usize>,
    malformed: bool,
    truncated: bool,
    copies: usize,
}

impl Reply {
    fn new(content: Content) -> Reply {
        Reply {
            content,
            headers: Vec::new(),
            usage: (10, 5),
            chunk_delay: Duration::ZERO,
            initial_delay: Duration::ZERO,
            disconnect_after: None,
            malformed: false,
            truncated: false,
            copies: 1,
        }
    }

    /// A streamed text answer, split into chunks of a few characters.
    pub fn text(text: impl Into<String>) -> Reply {
        Reply::new(Content::Stream {
            text: text.into(),
            tools: Vec::new(),
        })
    }

    /// A response made only of tool calls `(id, name, arguments JSON)`;
    /// several calls in one response are parallel calls.
    pub fn tool_calls<I, A, B, C>(calls: I) -> Reply
    where
        I: IntoIterator<Item = (A, B, C)>,
        A: Into<String>,
        B: Into<String>,
        C: Into<String>,
    {
        Reply::text_then_tools("", calls)
    }

    /// Some text followed by tool calls, in one response.
    pub fn text_then_tools<I, A, B, C>(text: impl Into<String>, calls: I) -> Reply
    where
        I: IntoIterator<Item = (A, B, C)>,
        A: Into<String>,
        B: Into<String>,
        C: Into<String>,
    {
        Reply::new(Content::Stream {
            text: text.into(),
            tools: calls
                .into_iter()
                .map(|(a, b, c)| (a.into(), b.into(), c.into()))
                .collect(),
        })
    }

    /// An HTTP error status. The body defaults to an error object in the
    /// endpoint's format whose type matches the status.
    pub fn status(status: u16) -> Reply {
        Reply::new(Content::Status { status, body: None })
    }

    /// Adds a `Retry-After: <secs>` header.
    pub fn retry_after_secs(self, secs: u64) -> Reply {
        self.header("retry-after", secs.to_string())
    }

    /// Adds a response header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The body of a [`Reply::status`] reply, sent verbatim to both formats.
    pub fn body(mut self, body: impl Into<String>) -> Reply {
        if let Content::Status { body: b, .. } = &mut self.content {
            *b = Some(body.into());
        }
        self
    }

    /// Token usage reported by the stream (default 10 in, 5 out).
    pub fn usage(mut self, input: u64, output: u64) -> Reply {
        self.usage = (input, output);
        self
    }

    /// Delay between two streamed chunks (a slow stream).
    pub fn chunk_delay(mut self, delay: Duration) -> Reply {
        self.chunk_delay = delay;
        self
    }

    /// Delay before the response headers are sent.
    pub fn initial_delay(mut self, delay: Duration) -> Reply {
        self.initial_delay = delay;
        self
    }

    /// Aborts the connection after `n` SSE frames, without a terminal marker.
    pub fn disconnect_after(mut self, n: usize) -> Reply {
        self.disconnect_after = Some(n);
        self
    }

    /// Sends a data line that is not JSON after the first frame.
    pub fn malformed(mut self) -> Reply {
        self.malformed = true;
        self
    }

    /// Ends the stream as cut by the token limit (`length` / `max_tokens`).
    pub fn truncated(mut self) -> Reply {
        self.truncated = true;
        self
    }

    /// [`ScriptedLlm::push`] queues `n` copies of this reply.
    pub fn repeat(mut self, n: usize) -> Reply {
        self.copies = n;
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Format {
    OpenAi,
    Anthropic,
}

#[derive(Default)]
struct Shared {
    queue: Mutex<VecDeque<Reply>>,
    requests: Mutex<Vec<RecordedRequest>>,
    /// When the first frame of each streamed reply was handed to the socket
    /// (for latency benchmarks).
    first_frames: Mutex<Vec<std::time::Instant>>,
}

/// Locks, ignoring poisoning (a panicking test must not cascade here).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The running server; stops when dropped.
/// `GET /v1/models`, as Ollama and llama.cpp's server answer it.
async fn models() -> axum::Json<Value> {
    axum::Json(json!({
        "object": "list",
        "data": [{ "id": "scripted-model", "object": "model" }, { "id": "other-model", "object": "model" }]
    }))
}

pub struct ScriptedLlm {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ScriptedLlm {
    /// Starts the server on a free port of 127.0.0.1 and returns once it
    /// accepts connections. Panics if it cannot (test setup failure).
    pub fn start() -> ScriptedLlm {
        let listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("scripted server: bind 127.0.0.1");
        listener
            .set_nonblocking(true)
            .expect("scripted server: set_nonblocking");
        let addr = listener.local_addr().expect("scripted server: local_addr");
        let shared = Arc::new(Shared::default());
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<(), String>>();
        let app = Router::new()
            .route("/v1/chat/completions", post(openai))
            .route("/v1/messages", post(anthropic))
            .route("/v1/models", axum::routing::get(models))
            .fallback(not_found)
            .with_state(shared.clone());

        let thread = std::thread::Builder::new()
            .name("scripted-llm".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.to_string()));
                        return;
                    }
                };
                rt.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(listener) {
                        Ok(l) => l,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e.to_string()));
                            return;
                        }
                    };
                    let _ = ready_tx.send(Ok(()));
                    let server = std::future::IntoFuture::into_future(axum::serve(listener, app));
                    tokio::select! {
                        _ = server => {}
                        _ = shutdown_rx => {}
                    }
                });
                // Do not wait for streams still in flight.
                rt.shutdown_background();
            })
            .expect("scripted server: spawn thread");

        match ready_rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => panic!("scripted server failed to start: {e}"),
            Err(_) => panic!("scripted server thread died during startup"),
        }
        ScriptedLlm {
            shared,
            addr,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        }
    }

    /// Base URL for the OpenAI-compatible provider: `http://127.0.0.1:PORT/v1`.
    pub fn openai_base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Base URL for the Anthropic provider: `http://127.0.0.1:PORT`.
    pub fn anthropic_base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Queues a reply (as many copies as [`Reply::repeat`] asked).
    pub fn push(&self, reply: Reply) {
        let mut queue = lock(&self.shared.queue);
        for _ in 0..reply.copies.max(1) {
            queue.push_back(reply.clone());
        }
    }

    /// Queues several replies in order.
    pub fn push_all(&self, replies: impl IntoIterator<Item = Reply>) {
        for reply in replies {
            self.push(reply);
        }
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// Replies queued but not consumed yet.
    /// When the first frame of each streamed reply was sent, in order.
    pub fn first_frame_times(&self) -> Vec<std::time::Instant> {
        lock(&self.shared.first_frames).clone()
    }

    pub fn remaining(&self) -> usize {
        lock(&self.shared.queue).len()
    }
}

impl Drop for ScriptedLlm {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn openai(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    handle(shared, Format::OpenAi, uri, headers, body).await
}

async fn anthropic(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    handle(shared, Format::Anthropic, uri, headers, body).await
}

async fn not_found(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    record(&shared, &uri, &headers, &body);
    json_response(
        StatusCode::NOT_FOUND,
        json!({"error": {"message": format!("scripted server: no route for {}", uri.path())}})
            .to_string(),
    )
}

fn record(shared: &Shared, uri: &Uri, headers: &HeaderMap, body: &Bytes) -> Value {
    let parsed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    lock(&shared.requests).push(RecordedRequest {
        path: uri.path().to_string(),
        headers: headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: parsed.clone(),
        body_bytes: body.len(),
    });
    parsed
}

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [("content-type", "application/json")], body).into_response()
}

async fn handle(
    shared: Arc<Shared>,
    format: Format,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = record(&shared, &uri, &headers, &body);
    let reply = lock(&shared.queue).pop_front();
    let Some(reply) = reply else {
        return json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"error": {"message": "scripted server: no reply queued"}}).to_string(),
        );
    };
    if !reply.initial_delay.is_zero() {
        tokio::time::sleep(reply.initial_delay).await;
    }
    let model = request
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or("scripted-model")
        .to_string();

    let mut response = match &reply.content {
        Content::Status { status, body } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let body = body
                .clone()
                .unwrap_or_else(|| default_error_body(format, status.as_u16()));
            json_response(status, body)
        }
        Content::Stream { text, tools } => {
            let mut frames = match format {
                Format::OpenAi => openai_frames(&reply, &model, text, tools),
                Format::Anthropic => anthropic_frames(&reply, &model, text, tools),
            };
            if reply.malformed {
                let bad = match format {
                    Format::OpenAi => "data: {\"choices\": [this is not json\n\n".to_string(),
                    Format::Anthropic => {
                        "event: content_block_delta\ndata: {this is not json\n\n".to_string()
                    }
                };
                frames.insert(1.min(frames.len()), bad);
            }
            let stream = frame_stream(
                shared.clone(),
                frames,
                reply.chunk_delay,
                reply.disconnect_after,
            );
            Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "text/event-stream")
                .header("cache-control", "no-cache")
                .body(Body::from_stream(stream))
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    };
    for (name, value) in &reply.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().append(n, v);
        }
    }
    response
}

struct FrameState {
    shared: Arc<Shared>,
    frames: VecDeque<String>,
    sent: usize,
    delay: Duration,
    disconnect_after: Option<usize>,
}

/// The SSE frames as a body stream: `delay` between frames, and an I/O
/// error (which makes hyper abort the connection) after `disconnect_after`
/// frames. If the client goes away the stream is simply dropped.
fn frame_stream(
    shared: Arc<Shared>,
    frames: Vec<String>,
    delay: Duration,
    disconnect_after: Option<usize>,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    let state = FrameState {
        shared,
        frames: frames.into(),
        sent: 0,
        delay,
        disconnect_after,
    };
    futures::stream::unfold(state, |mut st| async move {
        if st.disconnect_after == Some(st.sent) {
            st.disconnect_after = None;
            st.frames.clear();
            // Let hyper flush the frames sent so far (it writes when the body
            // is pending); otherwise the abort could come before the headers.
            tokio::time::sleep(Duration::from_millis(50)).await;
            return Some((Err(std::io::Error::other("scripted disconnect")), st));
        }
        let frame = st.frames.pop_front()?;
        if st.sent > 0 && !st.delay.is_zero() {
            tokio::time::sleep(st.delay).await;
        }
        if st.sent == 0 {
            lock(&st.shared.first_frames).push(std::time::Instant::now());
        }
        st.sent += 1;
        Some((Ok(Bytes::from(frame)), st))
    })
}

fn pieces(s: &str, size: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    chars.chunks(size).map(|c| c.iter().collect()).collect()
}

fn data(v: Value) -> String {
    format!("data: {v}\n\n")
}

fn openai_frames(
    reply: &Reply,
    model: &str,
    text: &str,
    tools: &[(String, String, String)],
) -> Vec<String> {
    let chunk = |delta: Value, finish: Value| {
        data(json!({
            "id": "chatcmpl-scripted",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }))
    };
    let mut frames = vec![chunk(
        json!({"role": "assistant", "content": ""}),
        Value::Null,
    )];
    for piece in pieces(text, TEXT_CHUNK) {
        frames.push(chunk(json!({"content": piece}), Value::Null));
    }
    for (i, (id, name, args)) in tools.iter().enumerate() {
        frames.push(chunk(
            json!({"tool_calls": [{
                "index": i, "id": id, "type": "function",
                "function": {"name": name, "arguments": ""},
            }]}),
            Value::Null,
        ));
        for piece in pieces(args, ARGS_CHUNK) {
            frames.push(chunk(
                json!({"tool_calls": [{"index": i, "function": {"arguments": piece}}]}),
                Value::Null,
            ));
        }
    }
    let finish = if reply.truncated {
        "length"
    } else if tools.is_empty() {
        "stop"
    } else {
        "tool_calls"
    };
    frames.push(chunk(json!({}), json!(finish)));
    let (input, output) = reply.usage;
    frames.push(data(json!({
        "id": "chatcmpl-scripted",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": [],
        "usage": {"prompt_tokens": input, "completion_tokens": output, "total_tokens": input + output},
    })));
    frames.push("data: [DONE]\n\n".to_string());
    frames
}

fn event(name: &str, v: Value) -> String {
    format!("event: {name}\ndata: {v}\n\n")
}

fn anthropic_frames(
    reply: &Reply,
    model: &str,
    text: &str,
    tools: &[(String, String, String)],
) -> Vec<String> {
    let (input, output) = reply.usage;
    let mut frames = vec![
        event(
            "message_start",
            json!({"type": "message_start", "message": {
                "id": "msg_scripted", "type": "message", "role": "assistant", "model": model,
                "content": [], "stop_reason": null, "stop_sequence": null,
                "usage": {"input_tokens": input, "output_tokens": 1},
            }}),
        ),
        event("ping", json!({"type": "ping"})),
    ];
    let mut index = 0;
    if !text.is_empty() {
        frames.push(event(
            "content_block_start",
            json!({"type": "content_block_start", "index": index,
                   "content_block": {"type": "text", "text": ""}}),
        ));
        for piece in pieces(text, TEXT_CHUNK) {
            frames.push(event(
                "content_block_delta",
                json!({"type": "content_block_delta", "index": index,
                       "delta": {"type": "text_delta", "text": piece}}),
            ));
        }
        frames.push(event(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": index}),
        ));
        index += 1;
    }
    for (id, name, args) in tools {
        frames.push(event(
            "content_block_start",
            json!({"type": "content_block_start", "index": index,
                   "content_block": {"type": "tool_use", "id": id, "name": name, "input": {}}}),
        ));
        for piece in pieces(args, ARGS_CHUNK) {
            frames.push(event(
                "content_block_delta",
                json!({"type": "content_block_delta", "index": index,
                       "delta": {"type": "input_json_delta", "partial_json": piece}}),
            ));
        }
        frames.push(event(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": index}),
        ));
        index += 1;
    }
    let stop = if reply.truncated {
        "max_tokens"
    } else if tools.is_empty() {
        "end_turn"
    } else {
        "tool_use"
    };
    frames.push(event(
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": null},
               "usage": {"output_tokens": output}}),
    ));
    frames.push(event("message_stop", json!({"type": "message_stop"})));
    frames
}

/// An error body in the endpoint's format, typed after the status.
fn default_error_body(format: Format, status: u16) -> String {
    let message = format!("scripted error: HTTP {status}");
    match format {
        Format::OpenAi => {
            let (kind, code) = match status {
                401 | 403 => ("invalid_request_error", "invalid_api_key"),
                404 => ("invalid_request_error", "model_not_found"),
                429 => ("requests", "rate_limit_exceeded"),
                500..=599 => ("server_error", "server_error"),
                _ => ("invalid_request_error", "invalid_request"),
            };
            json!({"error": {"message": message, "type": kind, "code": code}}).to_string()
        }
        Format::Anthropic => {
            let kind = match status {
                401 => "authentication_error",
                403 => "permission_error",
                404 => "not_found_error",
                413 => "request_too_large",
                429 => "rate_limit_error",
                529 => "overloaded_error",
                500..=599 => "api_error",
                _ => "invalid_request_error",
            };
            json!({"type": "error", "error": {"type": kind, "message": message}}).to_string()
        }
    }
}
