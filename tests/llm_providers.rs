//! Both LLM providers against the scripted server: streaming, tool calls,
//! request shape, error classification, retries, timeouts and fallback.

use ironclaw::llm;

mod support;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use llm::{
    ChatMessage, ChatRequest, FallbackProvider, FinishReason, HttpOptions, LlmError, LlmProvider,
    ProviderConfig, ProviderKind, ResponseAccumulator, StreamEvent, ToolCall, ToolSpec,
};
use serde_json::json;
use support::llm_server::{Reply, ScriptedLlm};

const KINDS: [ProviderKind; 2] = [ProviderKind::OpenAi, ProviderKind::Anthropic];

fn fast_http() -> HttpOptions {
    HttpOptions {
        connect_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(5),
        stream_idle_timeout: Duration::from_secs(2),
        max_retries: 2,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_secs(2),
    }
}

fn config(kind: ProviderKind, base_url: String, http: HttpOptions) -> ProviderConfig {
    ProviderConfig {
        kind,
        base_url,
        api_key: Some("test-key".into()),
        model: "test-model".into(),
        extra_headers: vec![("x-extra".into(), "yes".into())],
        http,
    }
}

fn base_url(kind: ProviderKind, server: &ScriptedLlm) -> String {
    match kind {
        ProviderKind::OpenAi => server.openai_base_url(),
        ProviderKind::Anthropic => server.anthropic_base_url(),
    }
}

fn provider_with(
    kind: ProviderKind,
    server: &ScriptedLlm,
    http: HttpOptions,
) -> Arc<dyn LlmProvider> {
    llm::build_provider(&config(kind, base_url(kind, server), http)).expect("valid config")
}

fn provider(kind: ProviderKind, server: &ScriptedLlm) -> Arc<dyn LlmProvider> {
    provider_with(kind, server, fast_http())
}

fn hello() -> ChatRequest {
    ChatRequest {
        messages: vec![ChatMessage::User {
            content: "hello".into(),
        }],
        ..Default::default()
    }
}

/// Runs the request to completion; the first error (from `stream()` or
/// from the stream) is returned.
async fn run(p: &dyn LlmProvider, req: ChatRequest) -> Result<ResponseAccumulator, LlmError> {
    let mut stream = p.stream(req).await?;
    let mut acc = ResponseAccumulator::default();
    let mut finishes = 0;
    while let Some(item) = stream.next().await {
        let event = item?;
        assert_eq!(finishes, 0, "nothing may follow Finish, got {event:?}");
        if matches!(event, StreamEvent::Finish(_)) {
            finishes += 1;
        }
        acc.push(&event);
    }
    assert_eq!(finishes, 1, "a complete stream has exactly one Finish");
    Ok(acc)
}

/// Runs the same scenario for both providers, concurrently.
async fn for_both<F, Fut>(scenario: F)
where
    F: Fn(ProviderKind) -> Fut,
    Fut: Future<Output = ()>,
{
    futures::future::join_all(KINDS.map(&scenario)).await;
}

fn call(id: &str, name: &str, args: &str) -> ToolCall {
    ToolCall {
        id: id.into(),
        name: name.into(),
        arguments: args.into(),
    }
}

#[tokio::test]
async fn streamed_text_and_usage() {
    for_both(|kind| async move {
        let server = ScriptedLlm::start();
        let text = "Hello world, this answer arrives in many small chunks.";
        server.push(Reply::text(text).usage(123, 45));
        let acc = run(&*provider(kind, &server), hello()).await.unwrap();
        assert_eq!(acc.text, text, "{kind}");
        assert_eq!(acc.finish, Some(FinishReason::Stop));
        assert_eq!((acc.usage.input_tokens, acc.usage.output_tokens), (123, 45));
        assert!(acc.tool_calls().is_empty());
        assert_eq!(server.remaining(), 0);
    })
    .await;
}

#[tokio::test]
async fn single_and_parallel_tool_calls() {
    for_both(|kind| async move {
        let server = ScriptedLlm::start();
        let p = provider(kind, &server);
        server.push(Reply::tool_calls([(
            "call_1",
            "read_file",
            r#"{"path":"a.txt"}"#,
        )]));
        let acc = run(&*p, hello()).await.unwrap();
        assert_eq!(
            acc.tool_calls(),
            vec![call("call_1", "read_file", r#"{"path":"a.txt"}"#)]
        );
        assert_eq!(acc.finish, Some(FinishReason::ToolCalls), "{kind}");
        assert_eq!(acc.text, "");

        server.push(Reply::text_then_tools(
            "Let me check both.",
            [
                ("call_a", "read_file", r#"{"path":"some/long/path/a.txt"}"#),
                ("call_b", "list_dir", r#"{"path":".","depth":2}"#),
            ],
        ));
        let acc = run(&*p, hello()).await.unwrap();
        assert_eq!(acc.text, "Let me check both.");
        assert_eq!(
            acc.tool_calls(),
            vec![
                call("call_a", "read_file", r#"{"path":"some/long/path/a.txt"}"#),
                call("call_b", "list_dir", r#"{"path":".","depth":2}"#),
            ],
            "{kind}"
        );

        server.push(Reply::text("cut").truncated());
        let acc = run(&*p, hello()).await.unwrap();
        assert_eq!(acc.finish, Some(FinishReason::Length));
    })
    .await;
}

fn conversation() -> ChatRequest {
    ChatRequest {
        model: String::new(),
        system: "You are terse.".into(),
        messages: vec![
            ChatMessage::User {
                content: "read a and b".into(),
            },
            ChatMessage::Assistant {
                content: "Reading.".into(),
                tool_calls: vec![
                    call("c1", "read_file", r#"{"path":"a"}"#),
                    call("c2", "read_file", r#"{"path":"b"}"#),
                ],
            },
            ChatMessage::Tool {
                call_id: "c1".into(),
                name: "read_file".into(),
                content: "AAA".into(),
            },
            ChatMessage::Tool {
                call_id: "c2".into(),
                name: "read_file".into(),
                content: "BBB".into(),
            },
        ],
        tools: vec![ToolSpec {
            name: "read_file".into(),
            description: "Read a file".into(),
            parameters: json!({"type":"object","properties":{"path":{"type":"string"}}}),
        }],
        max_tokens: Some(256),
        temperature: Some(0.0),
    }
}

#[tokio::test]
async fn openai_request_shape() {
    let server = ScriptedLlm::start();
    server.push(Reply::text("ok"));
    run(&*provider(ProviderKind::OpenAi, &server), conversation())
        .await
        .unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.path, "/v1/chat/completions");
    assert_eq!(r.header("authorization"), Some("Bearer test-key"));
    assert_eq!(r.header("x-extra"), Some("yes"));
    assert!(r.body_bytes > 0);
    let b = &r.body;
    assert_eq!(b["model"], "test-model");
    assert_eq!(b["stream"], true);
    assert_eq!(b["stream_options"], json!({"include_usage": true}));
    assert_eq!(b["max_tokens"], 256);
    assert_eq!(b["temperature"], 0.0);
    assert_eq!(
        b["messages"][0],
        json!({"role":"system","content":"You are terse."})
    );
    assert_eq!(
        b["messages"][1],
        json!({"role":"user","content":"read a and b"})
    );
    assert_eq!(
        b["messages"][2]["tool_calls"][1],
        json!({"id":"c2","type":"function","function":{"name":"read_file","arguments":"{\"path\":\"b\"}"}})
    );
    assert_eq!(
        b["messages"][3],
        json!({"role":"tool","tool_call_id":"c1","content":"AAA"})
    );
    assert_eq!(b["messages"][4]["tool_call_id"], "c2");
    assert_eq!(b["tools"][0]["type"], "function");
    assert_eq!(b["tools"][0]["function"]["name"], "read_file");
    assert_eq!(b["tools"][0]["function"]["parameters"]["type"], "object");
}

#[tokio::test]
async fn anthropic_request_shape() {
    let server = ScriptedLlm::start();
    server.push(Reply::text("ok"));
    let mut req = conversation();
    req.model = "claude-explicit".into();
    req.max_tokens = None;
    run(&*provider(ProviderKind::Anthropic, &server), req)
        .await
        .unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.path, "/v1/messages");
    assert_eq!(r.header("x-api-key"), Some("test-key"));
    assert_eq!(r.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(r.header("authorization"), None);
    assert_eq!(r.header("x-extra"), Some("yes"));
    let b = &r.body;
    assert_eq!(b["model"], "claude-explicit");
    assert_eq!(b["system"], "You are terse.");
    assert_eq!(b["max_tokens"], 4096);
    assert_eq!(b["stream"], true);
    let msgs = b["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 3);
    assert_eq!(
        msgs[0],
        json!({"role":"user","content":[{"type":"text","text":"read a and b"}]})
    );
    assert_eq!(msgs[1]["role"], "assistant");
    assert_eq!(
        msgs[1]["content"][1],
        json!({"type":"tool_use","id":"c1","name":"read_file","input":{"path":"a"}})
    );
    assert_eq!(
        msgs[2],
        json!({"role":"user","content":[
            {"type":"tool_result","tool_use_id":"c1","content":"AAA"},
            {"type":"tool_result","tool_use_id":"c2","content":"BBB"},
        ]})
    );
    assert_eq!(
        b["tools"][0],
        json!({"name":"read_file","description":"Read a file",
               "input_schema":{"type":"object","properties":{"path":{"type":"string"}}}})
    );
}

#[tokio::test]
async fn auth_error_is_not_retried() {
    for_both(|kind| async move {
        let server = ScriptedLlm::start();
        server.push(Reply::status(401));
        server.push(Reply::text("never reached"));
        let err = run(&*provider(kind, &server), hello()).await.unwrap_err();
        assert!(matches!(err, LlmError::Auth { .. }), "{kind}: {err:?}");
        assert!(err.to_string().contains("rejected the API key"), "{err}");
        assert!(err.to_string().contains("401"), "{err}");
        assert_eq!(server.requests().len(), 1);
        assert_eq!(server.remaining(), 1);
    })
    .await;
}

#[tokio::test]
async fn rate_limit_honours_retry_after() {
    for_both(|kind| async move {
        let server = ScriptedLlm::start();
        server.push(Reply::status(429).retry_after_secs(1));
        server.push(Reply::text("finally"));
        let started = Instant::now();
        let acc = run(&*provider(kind, &server), hello()).await.unwrap();
        let waited = started.elapsed();
        assert_eq!(acc.text, "finally");
        assert!(
            waited >= Duration::from_millis(950) && waited < Duration::from_secs(3),
            "{kind}: waited {waited:?}"
        );
        assert_eq!(server.requests().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn rate_limit_longer_than_max_backoff_is_returned_at_once() {
    let server = ScriptedLlm::start();
    server.push(Reply::status(429).retry_after_secs(60));
    let started = Instant::now();
    let err = run(&*provider(ProviderKind::OpenAi, &server), hello())
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(
        err,
        LlmError::RateLimited {
            retry_after: Some(Duration::from_secs(60)),
            message: "scripted error: HTTP 429 (HTTP 429)".into()
        }
    );
    assert!(err.to_string().contains("retry after 60s"), "{err}");
}

#[tokio::test]
async fn server_errors_are_retried() {
    for_both(|kind| async move {
        let server = ScriptedLlm::start();
        server.push(Reply::status(500).repeat(2));
        server.push(Reply::text("recovered"));
        let acc = run(&*provider(kind, &server), hello()).await.unwrap();
        assert_eq!(acc.text, "recovered", "{kind}");
        assert_eq!(server.requests().len(), 3);
    })
    .await;
}

#[tokio::test]
async fn server_errors_past_max_retries() {
    for_both(|kind| async move {
        let server = ScriptedLlm::start();
        server.push(Reply::status(503).repeat(3));
        server.push(Reply::text("too late"));
        let err = run(&*provider(kind, &server), hello()).await.unwrap_err();
        assert!(
            matches!(
                err,
                LlmError::ServerDown {
                    status: Some(503),
                    ..
                }
            ),
            "{kind}: {err:?}"
        );
        assert_eq!(server.requests().len(), 3, "1 attempt + max_retries 2");
        assert_eq!(server.remaining(), 1);
    })
    .await;
}

#[tokio::test]
async fn model_not_found() {
    for_both(|kind| async move {
        let server = ScriptedLlm::start();
        server.push(Reply::status(404));
        let err = run(&*provider(kind, &server), hello()).await.unwrap_err();
        match &err {
            LlmError::ModelNotFound { model, .. } => assert_eq!(model, "test-model"),
            other => panic!("{kind}: {other:?}"),
        }
        assert!(err.hint().contains("llm.model"));
        assert_eq!(server.requests().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn context_too_long() {
    let server = ScriptedLlm::start();
    server.push(Reply::status(400).body(
        r#"{"error":{"message":"This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.","type":"invalid_request_error","code":"context_length_exceeded"}}"#,
    ));
    server.push(Reply::status(400).body(
        r#"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 201234 tokens > 200000 maximum"}}"#,
    ));
    let err = run(&*provider(ProviderKind::OpenAi, &server), hello())
        .await
        .unwrap_err();
    assert!(matches!(err, LlmError::ContextTooLong { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("the conversation is too long for the model's context window")
    );
    let err = run(&*provider(ProviderKind::Anthropic, &server), hello())
        .await
        .unwrap_err();
    assert!(matches!(err, LlmError::ContextTooLong { .. }), "{err:?}");
    assert_eq!(server.requests().len(), 2, "not retried");
}

#[tokio::test]
async fn malformed_stream() {
    for_both(|kind| async move {
        let server = ScriptedLlm::start();
        server.push(Reply::text("some text").malformed());
        let p = provider(kind, &server);
        let mut stream = p.stream(hello()).await.expect("headers were fine");
        let mut error = None;
        while let Some(item) = stream.next().await {
            if let Err(e) = item {
                error = Some(e);
            }
        }
        let err = error.expect("an error item");
        assert!(
            matches!(err, LlmError::MalformedStream { .. }),
            "{kind}: {err:?}"
        );
        assert!(err.to_string().contains("not json"), "{err}");
    })
    .await;
}

#[tokio::test]
async fn disconnect_mid_stream_is_an_error() {
    for_both(|kind| async move {
        let server = ScriptedLlm::start();
        server.push(Reply::text("a long answer that will be cut").disconnect_after(4));
        let p = provider(kind, &server);
        let mut stream = p.stream(hello()).await.expect("the stream starts");
        let mut text = String::new();
        let err = loop {
            match stream.next().await {
                Some(Ok(StreamEvent::TextDelta(t))) => text.push_str(&t),
                Some(Ok(_)) => {}
                Some(Err(e)) => break e,
                None => panic!("{kind}: stream ended without an error"),
            }
        };
        assert!(!text.is_empty() && text.len() < 20, "{kind}: {text:?}");
        assert!(matches!(err, LlmError::Network { .. }), "{kind}: {err:?}");
        assert_eq!(
            server.requests().len(),
            1,
            "not retried after streaming started"
        );
    })
    .await;
}

#[tokio::test]
async fn stream_idle_timeout() {
    for_both(|kind| async move {
        let server = ScriptedLlm::start();
        server.push(Reply::text("slow slow slow").chunk_delay(Duration::from_millis(600)));
        let http = HttpOptions {
            stream_idle_timeout: Duration::from_millis(200),
            ..fast_http()
        };
        let started = Instant::now();
        let err = run(&*provider_with(kind, &server, http), hello())
            .await
            .unwrap_err();
        assert!(matches!(err, LlmError::Timeout { .. }), "{kind}: {err:?}");
        assert!(started.elapsed() < Duration::from_secs(2));
    })
    .await;
}

#[tokio::test]
async fn request_timeout_waiting_for_headers() {
    let server = ScriptedLlm::start();
    server.push(Reply::text("late").initial_delay(Duration::from_secs(2)));
    let http = HttpOptions {
        request_timeout: Duration::from_millis(200),
        max_retries: 0,
        ..fast_http()
    };
    let err = run(
        &*provider_with(ProviderKind::OpenAi, &server, http),
        hello(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, LlmError::Timeout { .. }), "{err:?}");
    assert!(err.is_retryable());
}

fn dead_url(kind: ProviderKind) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    match kind {
        ProviderKind::OpenAi => format!("http://127.0.0.1:{port}/v1"),
        ProviderKind::Anthropic => format!("http://127.0.0.1:{port}"),
    }
}

#[tokio::test]
async fn no_server_is_a_network_error() {
    for_both(|kind| async move {
        let p = llm::build_provider(&config(kind, dead_url(kind), fast_http())).unwrap();
        let err = run(&*p, hello()).await.unwrap_err();
        assert!(matches!(err, LlmError::Network { .. }), "{kind}: {err:?}");
        assert!(
            err.to_string()
                .contains("could not connect to http://127.0.0.1:"),
            "{err}"
        );
        assert_eq!(
            err.hint(),
            "check llm.base_url and that the server is running"
        );
    })
    .await;
}

#[tokio::test]
async fn fallback_moves_to_the_next_provider() {
    let server = ScriptedLlm::start();
    server.push(Reply::text("from the fallback"));
    let down = llm::build_provider(&config(
        ProviderKind::Anthropic,
        dead_url(ProviderKind::Anthropic),
        fast_http(),
    ))
    .unwrap();
    let mut backup_cfg = config(ProviderKind::OpenAi, server.openai_base_url(), fast_http());
    backup_cfg.model = "backup-model".into();
    let backup = llm::build_provider(&backup_cfg).unwrap();
    let p = FallbackProvider::new(vec![down, backup]);
    assert_eq!((p.name(), p.model()), ("anthropic", "test-model"));
    let mut req = hello();
    req.model = p.model().to_string();
    let acc = run(&p, req).await.unwrap();
    assert_eq!(acc.text, "from the fallback");
    assert_eq!(server.requests()[0].body["model"], "backup-model");
}

#[tokio::test]
async fn empty_queue_fails_loudly() {
    let server = ScriptedLlm::start();
    let http = HttpOptions {
        max_retries: 0,
        ..fast_http()
    };
    let err = run(
        &*provider_with(ProviderKind::OpenAi, &server, http),
        hello(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("no reply queued"), "{err}");
}

#[tokio::test]
async fn client_may_drop_a_stream_midway() {
    let server = ScriptedLlm::start();
    server.push(Reply::text("0123456789".repeat(10)).chunk_delay(Duration::from_millis(20)));
    server.push(Reply::text("still alive"));
    let p = provider(ProviderKind::Anthropic, &server);
    let mut stream = p.stream(hello()).await.unwrap();
    let first = stream.next().await;
    assert!(matches!(first, Some(Ok(_))), "{first:?}");
    drop(stream);
    let acc = run(&*p, hello()).await.unwrap();
    assert_eq!(acc.text, "still alive");
}

#[test]
fn scripted_server_works_from_sync_code() {
    let server = ScriptedLlm::start();
    server.push(Reply::text("sync").repeat(2));
    assert_eq!(server.remaining(), 2);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let p = provider(ProviderKind::OpenAi, &server);
    let acc = rt.block_on(run(&*p, hello())).unwrap();
    assert_eq!(acc.text, "sync");
    assert_eq!(server.remaining(), 1);
}
