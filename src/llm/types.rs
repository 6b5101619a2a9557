//! Provider-neutral request and stream types.
//!
//! The engine speaks only these types; each provider translates them to and
//! from its wire format. Nothing here knows about threads, the database or
//! the protocol: the engine maps between those and this module.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One message of the conversation sent to a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum ChatMessage {
    User {
        content: String,
    },
    Assistant {
        content: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<ToolCall>,
    },
    /// The result of one tool call, answering `ToolCall::id`.
    Tool {
        call_id: String,
        name: String,
        content: String,
    },
}

/// A complete tool call requested by the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    /// Raw JSON text of the arguments exactly as the model produced them.
    pub arguments: String,
}

/// A tool offered to the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    pub name: String,
    pub description: String,
    /// JSON Schema of the arguments object.
    pub parameters: Value,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChatRequest {
    pub model: String,
    pub system: String,
    pub messages: Vec<ChatMessage>,
    pub tools: Vec<ToolSpec>,
    pub max_tokens: Option<u32>,
    pub temperature: Option<f32>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

impl Usage {
    pub fn add(&mut self, other: Usage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    Stop,
    ToolCalls,
    Length,
    ContentFilter,
    Other(String),
}

/// One item of a streamed model response.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    TextDelta(String),
    /// A piece of a tool call. `index` identifies the call within the
    /// response; `id` and `name` arrive on the first delta of a call.
    ToolCallDelta {
        index: usize,
        id: Option<String>,
        name: Option<String>,
        arguments: String,
    },
    Usage(Usage),
    Finish(FinishReason),
}

/// Folds a stream of [`StreamEvent`]s into the complete response.
#[derive(Debug, Default, Clone)]
pub struct ResponseAccumulator {
    pub text: String,
    calls: Vec<PartialCall>,
    pub usage: Usage,
    pub finish: Option<FinishReason>,
}

#[derive(Debug, Default, Clone)]
struct PartialCall {
    index: usize,
    id: String,
    name: String,
    arguments: String,
}

impl ResponseAccumulator {
    pub fn push(&mut self, event: &StreamEvent) {
        match event {
            StreamEvent::TextDelta(t) => self.text.push_str(t),
            StreamEvent::ToolCallDelta {
                index,
                id,
                name,
                arguments,
            } => {
                let pos = match self.calls.iter().position(|c| c.index == *index) {
                    Some(p) => p,
                    None => {
                        self.calls.push(PartialCall {
                            index: *index,
                            ..Default::default()
                        });
                        self.calls.len() - 1
                    }
                };
                let call = &mut self.calls[pos];
                if let Some(id) = id {
                    call.id.clone_from(id);
                }
                if let Some(name) = name {
                    call.name.push_str(name);
                }
                call.arguments.push_str(arguments);
            }
            StreamEvent::Usage(u) => {
                // Providers report cumulative usage; keep the largest figures.
                self.usage.input_tokens = self.usage.input_tokens.max(u.input_tokens);
                self.usage.output_tokens = self.usage.output_tokens.max(u.output_tokens);
            }
            StreamEvent::Finish(f) => self.finish = Some(f.clone()),
        }
    }

    /// The completed tool calls, in the order the model produced them.
    /// Calls without an id get a generated one so results can answer them.
    pub fn tool_calls(&self) -> Vec<ToolCall> {
        let mut calls = self.calls.clone();
        calls.sort_by_key(|c| c.index);
        calls
            .into_iter()
            .map(|c| ToolCall {
                id: if c.id.is_empty() {
                    format!("call_{}", c.index)
                } else {
                    c.id
                },
                name: c.name,
                arguments: if c.arguments.trim().is_empty() {
                    "{}".to_string()
                } else {
                    c.arguments
                },
            })
            .collect()
    }
}

/// Timeouts and retry policy shared by all HTTP providers.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub connect_timeout: Duration,
    /// Time allowed until the response headers arrive.
    pub request_timeout: Duration,
    /// Longest silence allowed between two chunks of a streamed body.
    pub stream_idle_timeout: Duration,
    pub max_retries: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(120),
            stream_idle_timeout: Duration::from_secs(90),
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
        }
    }
}
