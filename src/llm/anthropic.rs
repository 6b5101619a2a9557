//! Anthropic Messages API provider.
//!
//! `POST {base_url}/v1/messages` with `x-api-key`, `anthropic-version:
//! 2023-06-01` and `stream: true`. (A base URL already ending in `/v1` is
//! accepted too; `/v1` is not doubled.)
//!
//! Request translation:
//! - the system prompt goes to the top-level `system` string;
//! - assistant tool calls become `tool_use` blocks whose `input` is the
//!   parsed arguments object (arguments that are not a JSON object are sent
//!   as `{}`: the API requires an object, and the tool result already tells
//!   the model its arguments were invalid);
//! - tool results become `tool_result` blocks in a user message;
//!   consecutive messages of the same role (several tool results, or tool
//!   results followed by the user's next message) are merged into one
//!   message, as the API expects alternating roles;
//! - empty text blocks (rejected by the API) are left out;
//! - `max_tokens` is mandatory for this API: 4096 when unset.
//!
//! Stream events: `message_start` → `Usage` (input tokens, including cache
//! reads/writes); `content_block_start` of a `tool_use` → `ToolCallDelta`
//! with its id and name, `index` = the content block index;
//! `content_block_delta` → `TextDelta` or `ToolCallDelta` arguments
//! (`partial_json`); `message_delta` → `Usage` (cumulative output tokens) and
//! the stop reason; `message_stop` → `Finish` (always the last event);
//! `ping` and unknown events (e.g. thinking blocks) are ignored; an `error`
//! event is classified like an HTTP error body. A body ending before
//! `message_stop` is an error.

use std::collections::VecDeque;
use std::sync::Arc;

use async_trait::async_trait;
use eventsource_stream::Event;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value, json};

use super::error::LlmError;
use super::retry::{HttpRequest, send_with_retry};
use super::sse::{Decoder, closed_mid_stream, event_stream, parse_json};
use super::types::{ChatMessage, ChatRequest, FinishReason, StreamEvent, Usage};
use super::{EventStream, LlmProvider, ProviderSettings};

/// Value of the `anthropic-version` header.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";
/// `max_tokens` sent when the request leaves it unset.
pub const DEFAULT_MAX_TOKENS: u32 = 4096;

/// A provider speaking the Anthropic Messages streaming API.
pub struct AnthropicProvider {
    settings: Arc<ProviderSettings>,
    url: String,
}

impl AnthropicProvider {
    pub(crate) fn new(settings: ProviderSettings) -> Self {
        let base = settings.base_url.as_str();
        let url = if base.ends_with("/v1") {
            format!("{base}/messages")
        } else {
            format!("{base}/v1/messages")
        };
        Self {
            settings: Arc::new(settings),
            url,
        }
    }

    /// The URL requests are POSTed to.
    pub fn endpoint(&self) -> &str {
        &self.url
    }

    fn headers(&self) -> Result<HeaderMap, LlmError> {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        h.insert(
            reqwest::header::ACCEPT,
            HeaderValue::from_static("text/event-stream"),
        );
        h.insert(
            HeaderName::from_static("anthropic-version"),
            HeaderValue::from_static(ANTHROPIC_VERSION),
        );
        if let Some(key) = &self.settings.api_key {
            let mut value = HeaderValue::from_str(key).map_err(|_| LlmError::BadRequest {
                status: 0,
                message: "the API key contains characters not allowed in an HTTP header"
                    .to_string(),
            })?;
            value.set_sensitive(true);
            h.insert(HeaderName::from_static("x-api-key"), value);
        }
        h.extend(self.settings.extra_headers.clone());
        Ok(h)
    }
}

#[async_trait]
impl LlmProvider for AnthropicProvider {
    fn name(&self) -> &str {
        "anthropic"
    }

    fn model(&self) -> &str {
        &self.settings.model
    }

    async fn stream(&self, request: ChatRequest) -> Result<EventStream, LlmError> {
        let model = self.settings.resolve_model(&request)?;
        let body = serde_json::to_vec(&request_body(&request, &model)).map_err(|e| {
            LlmError::BadRequest {
                status: 0,
                message: format!("could not encode the request: {e}"),
            }
        })?;
        let options = &self.settings.http;
        let resp = send_with_retry(&HttpRequest {
            client: &self.settings.client,
            provider: self.name(),
            url: &self.url,
            headers: self.headers()?,
            body: body.into(),
            options,
            model: &model,
        })
        .await?;
        event_stream(
            resp,
            options.stream_idle_timeout,
            AnthropicDecoder::new(&model),
            &model,
        )
        .await
    }
}

/// The JSON body of a streaming Messages request.
pub(crate) fn request_body(request: &ChatRequest, model: &str) -> Value {
    // (role, content blocks), merged when the role repeats.
    let mut messages: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for message in &request.messages {
        let (role, blocks) = match message {
            ChatMessage::User { content } => ("user", text_block(content)),
            ChatMessage::Assistant {
                content,
                tool_calls,
            } => {
                let mut blocks = text_block(content);
                for call in tool_calls {
                    blocks.push(json!({
                        "type": "tool_use",
                        "id": call.id,
                        "name": call.name,
                        "input": tool_input(&call.arguments),
                    }));
                }
                ("assistant", blocks)
            }
            ChatMessage::Tool {
                call_id, content, ..
            } => (
                "user",
                vec![json!({
                    "type": "tool_result",
                    "tool_use_id": call_id,
                    "content": content,
                })],
            ),
        };
        if blocks.is_empty() {
            continue;
        }
        match messages.last_mut() {
            Some((last_role, last_blocks)) if *last_role == role => last_blocks.extend(blocks),
            _ => messages.push((role, blocks)),
        }
    }
    let messages: Vec<Value> = messages
        .into_iter()
        .map(|(role, content)| json!({"role": role, "content": content}))
        .collect();

    let mut body = Map::new();
    body.insert("model".into(), json!(model));
    body.insert(
        "max_tokens".into(),
        json!(request.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS)),
    );
    if !request.system.is_empty() {
        body.insert("system".into(), json!(request.system));
    }
    body.insert("messages".into(), Value::Array(messages));
    if !request.tools.is_empty() {
        let tools: Vec<Value> = request
            .tools
            .iter()
            .map(|t| {
                json!({
                    "name": t.name,
                    "description": t.description,
                    "input_schema": t.parameters,
                })
            })
            .collect();
        body.insert("tools".into(), Value::Array(tools));
    }
    if let Some(t) = request.temperature {
        body.insert("temperature".into(), json!(t));
    }
    body.insert("stream".into(), json!(true));
    Value::Object(body)
}

fn text_block(text: &str) -> Vec<Value> {
    if text.is_empty() {
        Vec::new()
    } else {
        vec![json!({"type": "text", "text": text})]
    }
}

fn tool_input(arguments: &str) -> Value {
    match serde_json::from_str::<Value>(arguments) {
        Ok(v @ Value::Object(_)) => v,
        _ => Value::Object(Map::new()),
    }
}

/// Interprets Anthropic stream events.
pub(crate) struct AnthropicDecoder {
    model: String,
    input_tokens: u64,
    output_tokens: u64,
    finish: Option<FinishReason>,
    saw_tool_call: bool,
    done: bool,
}

impl AnthropicDecoder {
    pub(crate) fn new(model: &str) -> Self {
        Self {
            model: model.to_string(),
            input_tokens: 0,
            output_tokens: 0,
            finish: None,
            saw_tool_call: false,
            done: false,
        }
    }

    fn usage(&self) -> StreamEvent {
        StreamEvent::Usage(Usage {
            input_tokens: self.input_tokens,
            output_tokens: self.output_tokens,
        })
    }
}

fn u64_at(v: &Value, key: &str) -> u64 {
    v.get(key).and_then(Value::as_u64).unwrap_or(0)
}

fn block_index(v: &Value) -> usize {
    v.get("index").and_then(Value::as_u64).unwrap_or(0) as usize
}

impl Decoder for AnthropicDecoder {
    fn on_event(&mut self, event: &Event, out: &mut VecDeque<StreamEvent>) -> Result<(), LlmError> {
        let data = event.data.trim();
        if data.is_empty() {
            return Ok(());
        }
        let v = parse_json(data)?;
        // The payload's `type` is authoritative; the SSE event name is a
        // fallback for servers that omit it.
        let kind = v
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or(event.event.as_str());
        match kind {
            "message_start" => {
                if let Some(usage) = v.get("message").and_then(|m| m.get("usage")) {
                    self.input_tokens = u64_at(usage, "input_tokens")
                        + u64_at(usage, "cache_creation_input_tokens")
                        + u64_at(usage, "cache_read_input_tokens");
                    self.output_tokens = u64_at(usage, "output_tokens");
                    out.push_back(self.usage());
                }
            }
            "content_block_start" => {
                let index = block_index(&v);
                let block = v.get("content_block").unwrap_or(&Value::Null);
                match block.get("type").and_then(Value::as_str) {
                    Some("text") => {
                        if let Some(text) = block.get("text").and_then(Value::as_str)
                            && !text.is_empty()
                        {
                            out.push_back(StreamEvent::TextDelta(text.to_string()));
                        }
                    }
                    Some("tool_use") => {
                        self.saw_tool_call = true;
                        let field =
                            |k: &str| block.get(k).and_then(Value::as_str).map(str::to_string);
                        out.push_back(StreamEvent::ToolCallDelta {
                            index,
                            id: field("id"),
                            name: field("name"),
                            arguments: String::new(),
                        });
                    }
                    _ => {}
                }
            }
            "content_block_delta" => {
                let index = block_index(&v);
                let delta = v.get("delta").unwrap_or(&Value::Null);
                let text_of = |k: &str| delta.get(k).and_then(Value::as_str).unwrap_or("");
                match delta.get("type").and_then(Value::as_str) {
                    Some("text_delta") => {
                        let text = text_of("text");
                        if !text.is_empty() {
                            out.push_back(StreamEvent::TextDelta(text.to_string()));
                        }
                    }
                    Some("input_json_delta") => {
                        let part = text_of("partial_json");
                        if !part.is_empty() {
                            out.push_back(StreamEvent::ToolCallDelta {
                                index,
                                id: None,
                                name: None,
                                arguments: part.to_string(),
                            });
                        }
                    }
                    _ => {}
                }
            }
            "message_delta" => {
                if let Some(reason) = v
                    .get("delta")
                    .and_then(|d| d.get("stop_reason"))
                    .and_then(Value::as_str)
                {
                    self.finish = Some(map_stop_reason(reason));
                }
                if let Some(usage) = v.get("usage") {
                    self.output_tokens = self.output_tokens.max(u64_at(usage, "output_tokens"));
                    self.input_tokens = self.input_tokens.max(u64_at(usage, "input_tokens"));
                    out.push_back(self.usage());
                }
            }
            "message_stop" => {
                self.done = true;
                let reason = self.finish.take().unwrap_or(if self.saw_tool_call {
                    FinishReason::ToolCalls
                } else {
                    FinishReason::Stop
                });
                out.push_back(StreamEvent::Finish(reason));
            }
            "error" => return Err(LlmError::from_stream_error(&v, &self.model)),
            // ping, content_block_stop, and future event types.
            _ => {}
        }
        Ok(())
    }

    fn is_done(&self) -> bool {
        self.done
    }

    fn on_eof(&mut self, _out: &mut VecDeque<StreamEvent>) -> Result<(), LlmError> {
        Err(closed_mid_stream())
    }
}

fn map_stop_reason(reason: &str) -> FinishReason {
    match reason {
        "end_turn" | "stop_sequence" => FinishReason::Stop,
        "tool_use" => FinishReason::ToolCalls,
        "max_tokens" => FinishReason::Length,
        "refusal" => FinishReason::ContentFilter,
        other => FinishReason::Other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::types::{ResponseAccumulator, ToolCall, ToolSpec};

    fn feed(events: &[(&str, &str)]) -> (Vec<StreamEvent>, Result<(), LlmError>) {
        let mut d = AnthropicDecoder::new("claude");
        let mut out = VecDeque::new();
        for (name, data) in events {
            let ev = Event {
                event: name.to_string(),
                data: data.to_string(),
                ..Default::default()
            };
            if let Err(e) = d.on_event(&ev, &mut out) {
                return (out.into(), Err(e));
            }
            if d.is_done() {
                return (out.into(), Ok(()));
            }
        }
        let r = d.on_eof(&mut out);
        (out.into(), r)
    }

    #[test]
    fn decodes_a_full_response() {
        let (events, r) = feed(&[
            (
                "message_start",
                r#"{"type":"message_start","message":{"id":"m","usage":{"input_tokens":20,"cache_read_input_tokens":5,"output_tokens":1}}}"#,
            ),
            ("ping", r#"{"type":"ping"}"#),
            (
                "content_block_start",
                r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
            ),
            (
                "content_block_delta",
                r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Let me"}}"#,
            ),
            (
                "content_block_stop",
                r#"{"type":"content_block_stop","index":0}"#,
            ),
            (
                "content_block_start",
                r#"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"read","input":{}}}"#,
            ),
            (
                "content_block_delta",
                r#"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"p\":"}}"#,
            ),
            (
                "content_block_delta",
                r#"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"1}"}}"#,
            ),
            (
                "message_delta",
                r#"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":15}}"#,
            ),
            ("message_stop", r#"{"type":"message_stop"}"#),
        ]);
        r.unwrap();
        let mut acc = ResponseAccumulator::default();
        for e in &events {
            acc.push(e);
        }
        assert_eq!(acc.text, "Let me");
        assert_eq!(
            acc.tool_calls(),
            vec![ToolCall {
                id: "toolu_1".into(),
                name: "read".into(),
                arguments: r#"{"p":1}"#.into()
            }]
        );
        assert_eq!(acc.usage.input_tokens, 25);
        assert_eq!(acc.usage.output_tokens, 15);
        assert_eq!(
            events.last(),
            Some(&StreamEvent::Finish(FinishReason::ToolCalls))
        );
    }

    #[test]
    fn errors() {
        let (_, r) = feed(&[(
            "error",
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
        )]);
        let e = r.unwrap_err();
        assert_eq!(e.kind(), "server_down");
        assert!(e.to_string().contains("Overloaded"));
        let (_, r) = feed(&[(
            "message_delta",
            r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"}}"#,
        )]);
        assert_eq!(r.unwrap_err().kind(), "network");
        let (_, r) = feed(&[("content_block_delta", "nope")]);
        assert_eq!(r.unwrap_err().kind(), "malformed_stream");
        assert_eq!(map_stop_reason("max_tokens"), FinishReason::Length);
        assert_eq!(map_stop_reason("stop_sequence"), FinishReason::Stop);
        assert_eq!(
            map_stop_reason("pause_turn"),
            FinishReason::Other("pause_turn".into())
        );
    }

    #[test]
    fn extra_headers_override_defaults() {
        let cfg = crate::llm::ProviderConfig {
            kind: crate::llm::ProviderKind::Anthropic,
            base_url: String::new(),
            api_key: Some("k".into()),
            model: "claude".into(),
            extra_headers: vec![
                ("anthropic-version".into(), "2099-01-01".into()),
                ("anthropic-beta".into(), "x".into()),
            ],
            http: crate::llm::HttpOptions::default(),
        };
        let p = AnthropicProvider::new(ProviderSettings::from_config(&cfg).unwrap());
        let h = p.headers().unwrap();
        let versions: Vec<_> = h.get_all("anthropic-version").iter().collect();
        assert_eq!(versions, vec!["2099-01-01"]);
        assert_eq!(h["anthropic-beta"], "x");
        assert_eq!(h["x-api-key"], "k");
        assert_eq!(p.endpoint(), "https://api.anthropic.com/v1/messages");
    }

    #[test]
    fn body_shape() {
        let call = |id: &str, args: &str| ToolCall {
            id: id.into(),
            name: "read".into(),
            arguments: args.into(),
        };
        let req = ChatRequest {
            model: String::new(),
            system: "sys".into(),
            messages: vec![
                ChatMessage::User {
                    content: "hi".into(),
                },
                ChatMessage::Assistant {
                    content: "checking".into(),
                    tool_calls: vec![call("t1", r#"{"path":"a"}"#), call("t2", "not json")],
                },
                ChatMessage::Tool {
                    call_id: "t1".into(),
                    name: "read".into(),
                    content: "A".into(),
                },
                ChatMessage::Tool {
                    call_id: "t2".into(),
                    name: "read".into(),
                    content: "B".into(),
                },
                ChatMessage::Assistant {
                    content: String::new(),
                    tool_calls: vec![],
                },
                ChatMessage::User {
                    content: "thanks".into(),
                },
            ],
            tools: vec![ToolSpec {
                name: "read".into(),
                description: "reads".into(),
                parameters: json!({"type":"object"}),
            }],
            max_tokens: None,
            temperature: Some(0.5),
        };
        let b = request_body(&req, "claude");
        assert_eq!(b["system"], "sys");
        assert_eq!(b["max_tokens"], 4096);
        assert_eq!(b["temperature"], 0.5);
        assert_eq!(b["tools"][0]["input_schema"]["type"], "object");
        let msgs = b["messages"].as_array().unwrap();
        assert_eq!(msgs.len(), 3, "{msgs:#?}");
        assert_eq!(msgs[1]["content"][1]["input"], json!({"path":"a"}));
        assert_eq!(msgs[1]["content"][2]["input"], json!({}));
        let results = msgs[2]["content"].as_array().unwrap();
        assert_eq!(results.len(), 3);
        assert_eq!(results[0]["type"], "tool_result");
        assert_eq!(results[0]["tool_use_id"], "t1");
        assert_eq!(results[1]["tool_use_id"], "t2");
        assert_eq!(results[2], json!({"type":"text","text":"thanks"}));
    }
}
