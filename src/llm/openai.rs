//! OpenAI-compatible Chat Completions provider (OpenAI, Ollama, vLLM,
//! llama.cpp, LM Studio, OpenRouter, ...).
//!
//! `POST {base_url}/chat/completions` with `stream: true` and
//! `stream_options.include_usage`, so the final chunk carries token usage.
//! The API key is optional: local servers usually need none.
//!
//! Stream handling:
//! - `choices[].delta.content` → `TextDelta`; `delta.tool_calls[]` →
//!   `ToolCallDelta` (a missing `index` falls back to the position in the
//!   array; `arguments` sent as a JSON object instead of text is tolerated);
//! - `usage` (in any chunk) → `Usage`;
//! - `finish_reason` is remembered and emitted as the *last* event, when
//!   `data: [DONE]` arrives, so `Usage` (which comes after it) precedes it;
//! - a body that ends after a `finish_reason` but without `[DONE]` is
//!   accepted (some servers omit it); without either it is an error;
//! - an `{"error": ...}` object inside the stream is classified like an
//!   HTTP error body.

use std::collections::VecDeque;
use std::sync::Arc;

use async_trait::async_trait;
use eventsource_stream::Event;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::{Map, Value, json};

use super::error::LlmError;
use super::retry::{HttpRequest, send_with_retry};
use super::sse::{Decoder, closed_mid_stream, event_stream, parse_json};
use super::types::{ChatMessage, ChatRequest, FinishReason, HttpOptions, StreamEvent, Usage};
use super::{EventStream, LlmProvider, ProviderSettings};

/// A provider speaking the OpenAI Chat Completions streaming API.
pub struct OpenAiProvider {
    settings: Arc<ProviderSettings>,
    url: String,
}

impl OpenAiProvider {
    pub(crate) fn new(settings: ProviderSettings) -> Self {
        let url = format!("{}/chat/completions", settings.base_url);
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
        if let Some(key) = &self.settings.api_key {
            let mut value = HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| {
                LlmError::BadRequest {
                    status: 0,
                    message: "the API key contains characters not allowed in an HTTP header"
                        .to_string(),
                }
            })?;
            value.set_sensitive(true);
            h.insert(AUTHORIZATION, value);
        }
        h.extend(self.settings.extra_headers.clone());
        Ok(h)
    }
}

#[async_trait]
impl LlmProvider for OpenAiProvider {
    fn name(&self) -> &str {
        "openai"
    }

    fn model(&self) -> &str {
        &self.settings.model
    }

    async fn stream(&self, request: ChatRequest) -> Result<EventStream, LlmError> {
        let model = self.settings.resolve_model(&request)?;
        let body = request_body(&request, &model);
        let body = serde_json::to_vec(&body).map_err(|e| LlmError::BadRequest {
            status: 0,
            message: format!("could not encode the request: {e}"),
        })?;
        let options: &HttpOptions = &self.settings.http;
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
            OpenAiDecoder::new(&model),
            &model,
        )
        .await
    }
}

/// The JSON body of a streaming chat completion request.
pub(crate) fn request_body(request: &ChatRequest, model: &str) -> Value {
    let mut messages = Vec::with_capacity(request.messages.len() + 1);
    if !request.system.is_empty() {
        messages.push(json!({"role": "system", "content": request.system}));
    }
    for message in &request.messages {
        messages.push(match message {
            ChatMessage::User { content } => json!({"role": "user", "content": content}),
            ChatMessage::Assistant {
                content,
                tool_calls,
            } => {
                let mut m = Map::new();
                m.insert("role".into(), json!("assistant"));
                // OpenAI wants null rather than "" next to tool calls.
                m.insert(
                    "content".into(),
                    if content.is_empty() && !tool_calls.is_empty() {
                        Value::Null
                    } else {
                        json!(content)
                    },
                );
                if !tool_calls.is_empty() {
                    let calls: Vec<Value> = tool_calls
                        .iter()
                        .map(|c| {
                            json!({
                                "id": c.id,
                                "type": "function",
                                "function": {"name": c.name, "arguments": c.arguments},
                            })
                        })
                        .collect();
                    m.insert("tool_calls".into(), Value::Array(calls));
                }
                Value::Object(m)
            }
            ChatMessage::Tool {
                call_id, content, ..
            } => json!({"role": "tool", "tool_call_id": call_id, "content": content}),
        });
    }

    let mut body = Map::new();
    body.insert("model".into(), json!(model));
    body.insert("messages".into(), Value::Array(messages));
    if !request.tools.is_empty() {
        let tools: Vec<Value> = request
            .tools
            .iter()
            .map(|t| {
                json!({
                    "type": "function",
                    "function": {
                        "name": t.name,
                        "description": t.description,
                        "parameters": t.parameters,
                    },
                })
            })
            .collect();
        body.insert("tools".into(), Value::Array(tools));
    }
    body.insert("stream".into(), json!(true));
    body.insert("stream_options".into(), json!({"include_usage": true}));
    if let Some(max) = request.max_tokens {
        body.insert("max_tokens".into(), json!(max));
    }
    if let Some(t) = request.temperature {
        body.insert("temperature".into(), json!(t));
    }
    Value::Object(body)
}

/// Interprets OpenAI chat completion chunks.
pub(crate) struct OpenAiDecoder {
    model: String,
    finish: Option<FinishReason>,
    saw_tool_call: bool,
    done: bool,
}

impl OpenAiDecoder {
    pub(crate) fn new(model: &str) -> Self {
        Self {
            model: model.to_string(),
            finish: None,
            saw_tool_call: false,
            done: false,
        }
    }

    fn finish_event(&mut self) -> StreamEvent {
        let reason = self.finish.take().unwrap_or(if self.saw_tool_call {
            FinishReason::ToolCalls
        } else {
            FinishReason::Stop
        });
        StreamEvent::Finish(reason)
    }

    fn on_choice(&mut self, choice: &Value, out: &mut VecDeque<StreamEvent>) {
        if let Some(delta) = choice.get("delta") {
            if let Some(text) = delta.get("content").and_then(Value::as_str)
                && !text.is_empty()
            {
                out.push_back(StreamEvent::TextDelta(text.to_string()));
            }
            if let Some(calls) = delta.get("tool_calls").and_then(Value::as_array) {
                for (pos, call) in calls.iter().enumerate() {
                    self.on_tool_call(pos, call, out);
                }
            }
        }
        if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
            self.finish = Some(map_finish(reason));
        }
    }

    fn on_tool_call(&mut self, pos: usize, call: &Value, out: &mut VecDeque<StreamEvent>) {
        let non_empty = |v: Option<&Value>| {
            v.and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let index = call
            .get("index")
            .and_then(Value::as_u64)
            .map_or(pos, |i| i as usize);
        let function = call.get("function");
        let id = non_empty(call.get("id"));
        let name = non_empty(function.and_then(|f| f.get("name")));
        let arguments = match function.and_then(|f| f.get("arguments")) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        if id.is_none() && name.is_none() && arguments.is_empty() {
            return;
        }
        self.saw_tool_call = true;
        out.push_back(StreamEvent::ToolCallDelta {
            index,
            id,
            name,
            arguments,
        });
    }
}

impl Decoder for OpenAiDecoder {
    fn on_event(&mut self, event: &Event, out: &mut VecDeque<StreamEvent>) -> Result<(), LlmError> {
        let data = event.data.trim();
        if data.is_empty() {
            return Ok(());
        }
        if data == "[DONE]" {
            self.done = true;
            let finish = self.finish_event();
            out.push_back(finish);
            return Ok(());
        }
        let chunk = parse_json(data)?;
        if chunk.get("error").is_some_and(|e| !e.is_null()) {
            return Err(LlmError::from_stream_error(&chunk, &self.model));
        }
        if let Some(choices) = chunk.get("choices").and_then(Value::as_array) {
            for choice in choices {
                self.on_choice(choice, out);
            }
        }
        if let Some(usage) = chunk.get("usage").filter(|u| u.is_object()) {
            let count = |k: &str| usage.get(k).and_then(Value::as_u64).unwrap_or(0);
            out.push_back(StreamEvent::Usage(Usage {
                input_tokens: count("prompt_tokens"),
                output_tokens: count("completion_tokens"),
            }));
        }
        Ok(())
    }

    fn is_done(&self) -> bool {
        self.done
    }

    fn on_eof(&mut self, out: &mut VecDeque<StreamEvent>) -> Result<(), LlmError> {
        if self.finish.is_some() {
            let finish = self.finish_event();
            out.push_back(finish);
            Ok(())
        } else {
            Err(closed_mid_stream())
        }
    }
}

fn map_finish(reason: &str) -> FinishReason {
    match reason {
        "stop" => FinishReason::Stop,
        "tool_calls" | "function_call" => FinishReason::ToolCalls,
        "length" => FinishReason::Length,
        "content_filter" => FinishReason::ContentFilter,
        other => FinishReason::Other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::types::{ResponseAccumulator, ToolCall, ToolSpec};

    fn feed(lines: &[&str]) -> (Vec<StreamEvent>, Result<(), LlmError>) {
        let mut d = OpenAiDecoder::new("m");
        let mut out = VecDeque::new();
        for line in lines {
            let ev = Event {
                data: line.to_string(),
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
    fn decodes_text_tools_usage_and_finish() {
        let (events, r) = feed(&[
            r#"{"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#,
            r#"{"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}"#,
            r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"read","arguments":""}}]}}]}"#,
            r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":1}"}}]}}]}"#,
            r#"{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
            r#"{"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}"#,
            "[DONE]",
        ]);
        r.unwrap();
        let mut acc = ResponseAccumulator::default();
        for e in &events {
            acc.push(e);
        }
        assert_eq!(acc.text, "Hi");
        assert_eq!(
            acc.tool_calls(),
            vec![ToolCall {
                id: "c1".into(),
                name: "read".into(),
                arguments: r#"{"a":1}"#.into()
            }]
        );
        assert_eq!(acc.usage.input_tokens, 7);
        assert_eq!(acc.usage.output_tokens, 3);
        assert_eq!(
            events.last(),
            Some(&StreamEvent::Finish(FinishReason::ToolCalls))
        );
    }

    #[test]
    fn tolerant_of_missing_index_object_arguments_and_missing_done() {
        let (events, r) = feed(&[
            r#"{"choices":[{"delta":{"tool_calls":[{"id":"a","function":{"name":"x","arguments":{"k":1}}},{"id":"b","function":{"name":"y"}}]},"finish_reason":"stop"}]}"#,
        ]);
        r.unwrap();
        assert_eq!(events.len(), 3);
        assert!(matches!(
            &events[1],
            StreamEvent::ToolCallDelta { index: 1, .. }
        ));
        assert!(
            matches!(&events[0], StreamEvent::ToolCallDelta { arguments, .. } if arguments == r#"{"k":1}"#)
        );
        assert_eq!(events[2], StreamEvent::Finish(FinishReason::Stop));
    }

    #[test]
    fn errors_in_stream() {
        let (_, r) = feed(&[r#"{"choices":[{"delta":{"content":"a"}}]}"#]);
        assert_eq!(r.unwrap_err().kind(), "network");
        let (_, r) = feed(&[r#"{"error":{"message":"overloaded","type":"server_error"}}"#]);
        assert_eq!(r.unwrap_err().kind(), "server_down");
        let (_, r) = feed(&["{not json"]);
        assert_eq!(r.unwrap_err().kind(), "malformed_stream");
        let (_, r) = feed(&[r#"{"choices":[],"error":null}"#, "[DONE]"]);
        r.unwrap();
        assert_eq!(map_finish("weird"), FinishReason::Other("weird".into()));
        assert_eq!(map_finish("length"), FinishReason::Length);
        assert_eq!(map_finish("content_filter"), FinishReason::ContentFilter);
    }

    #[test]
    fn body_shape() {
        let req = ChatRequest {
            model: String::new(),
            system: "be brief".into(),
            messages: vec![
                ChatMessage::User {
                    content: "hi".into(),
                },
                ChatMessage::Assistant {
                    content: String::new(),
                    tool_calls: vec![ToolCall {
                        id: "c1".into(),
                        name: "read".into(),
                        arguments: "{}".into(),
                    }],
                },
                ChatMessage::Tool {
                    call_id: "c1".into(),
                    name: "read".into(),
                    content: "data".into(),
                },
            ],
            tools: vec![ToolSpec {
                name: "read".into(),
                description: "reads".into(),
                parameters: json!({"type":"object"}),
            }],
            max_tokens: Some(100),
            temperature: None,
        };
        let b = request_body(&req, "gpt");
        assert_eq!(b["model"], "gpt");
        assert_eq!(
            b["messages"][0],
            json!({"role":"system","content":"be brief"})
        );
        assert_eq!(b["messages"][2]["content"], Value::Null);
        assert_eq!(
            b["messages"][2]["tool_calls"][0]["function"]["name"],
            "read"
        );
        assert_eq!(
            b["messages"][3],
            json!({"role":"tool","tool_call_id":"c1","content":"data"})
        );
        assert_eq!(b["tools"][0]["function"]["parameters"]["type"], "object");
        assert_eq!(b["max_tokens"], 100);
        assert!(b.get("temperature").is_none());
        assert_eq!(b["stream_options"]["include_usage"], true);

        let b = request_body(&ChatRequest::default(), "gpt");
        assert!(b.get("tools").is_none());
        assert_eq!(b["messages"], json!([]));
    }
}
