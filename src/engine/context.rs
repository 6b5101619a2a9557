//! What the model sees of a thread: the system prompt, a summary of older
//! turns, and the recent messages, within the context window.
//!
//! The stored history is never shortened. When the estimate passes
//! `agent.compaction_threshold` of the window, the older part is summarised by
//! the model and the summary recorded on the thread; the context then uses the
//! summary instead of those messages. If summarising fails, older turns are
//! left out of the *context* (never the database) so the turn still runs.

use std::collections::HashSet;
use std::time::Instant;

use futures::StreamExt;

use super::Shared;
use crate::db::{DbError, LlmCallRecord};
use crate::llm::{ChatMessage, ChatRequest, ResponseAccumulator, ToolCall, ToolSpec};
use crate::protocol::{Event, MessageView};

/// Rough token count: ~4 bytes per token for English and code. Only used to
/// decide when to compact, where being off by 20% is harmless.
pub fn estimate_tokens(text: &str) -> u64 {
    (text.len() as u64).div_ceil(4)
}

fn message_tokens(m: &ChatMessage) -> u64 {
    4 + match m {
        ChatMessage::User { content } => estimate_tokens(content),
        ChatMessage::Assistant {
            content,
            tool_calls,
        } => {
            estimate_tokens(content)
                + tool_calls
                    .iter()
                    .map(|c| estimate_tokens(&c.name) + estimate_tokens(&c.arguments) + 8)
                    .sum::<u64>()
        }
        ChatMessage::Tool { content, .. } => estimate_tokens(content) + 8,
    }
}

pub(crate) struct Context {
    pub system: String,
    pub messages: Vec<ChatMessage>,
    pub tokens: u64,
}

/// Converts stored messages to model messages, answering any tool call
/// left without a result (the engine stopped mid-call) so the history stays
/// valid for every provider.
pub(crate) fn to_chat(messages: &[MessageView]) -> Vec<ChatMessage> {
    let answered: HashSet<&str> = messages
        .iter()
        .filter_map(|m| m.tool_call_id.as_deref())
        .collect();
    let mut out = Vec::with_capacity(messages.len());
    for m in messages {
        match m.role.as_str() {
            "user" => out.push(ChatMessage::User {
                content: m.content.clone(),
            }),
            "assistant" => {
                out.push(ChatMessage::Assistant {
                    content: m.content.clone(),
                    tool_calls: m
                        .tool_calls
                        .iter()
                        .map(|c| ToolCall {
                            id: c.id.clone(),
                            name: c.name.clone(),
                            arguments: c.arguments.clone(),
                        })
                        .collect(),
                });
                // Answer calls left without a result right after the call;
                // providers accept results in any order after their call.
                for c in m
                    .tool_calls
                    .iter()
                    .filter(|c| !answered.contains(c.id.as_str()))
                {
                    out.push(ChatMessage::Tool {
                        call_id: c.id.clone(),
                        name: c.name.clone(),
                        content: "no result was recorded: IronClaw stopped during this call".into(),
                    });
                }
            }
            _ => out.push(ChatMessage::Tool {
                call_id: m.tool_call_id.clone().unwrap_or_default(),
                name: m.tool_name.clone().unwrap_or_default(),
                content: m.content.clone(),
            }),
        }
    }
    out
}

/// Index of the first message to keep verbatim: `keep` from the end, moved
/// back to a user message so no tool result is separated from its call.
fn split_point(messages: &[MessageView], keep: usize) -> usize {
    if messages.len() <= keep {
        return 0;
    }
    let mut i = messages.len() - keep;
    while i > 0 && messages[i].role != "user" {
        i -= 1;
    }
    i
}

pub(crate) async fn build(
    shared: &Shared,
    thread_id: &str,
    turn_id: &str,
    tools: &[ToolSpec],
) -> Result<Context, DbError> {
    let cfg = &shared.config.agent;
    let identity = shared.memory.prompt_files().await;
    let base_system = super::prompt::build(
        &shared.workdir,
        &identity,
        shared.config.memory.prompt_file_max_chars as usize,
        &cfg.system_prompt_extra,
    );
    let tools_tokens = estimate_tokens(&serde_json::to_string(tools).unwrap_or_default());
    let budget = (cfg.context_window_tokens as f64 * cfg.compaction_threshold) as u64;

    let mut compacted_once = false;
    loop {
        let all = shared.db.messages(thread_id).await?;
        let summary = shared.db.summary(thread_id).await?;
        let (summary_text, upto) = summary.unwrap_or_default();
        let recent: Vec<MessageView> = all.into_iter().filter(|m| m.id > upto).collect();
        let system = with_summary(&base_system, &summary_text);
        let messages = to_chat(&recent);
        let fixed = estimate_tokens(&system) + tools_tokens;
        let total = fixed + messages.iter().map(message_tokens).sum::<u64>();
        if total <= budget {
            return Ok(Context {
                system,
                messages,
                tokens: total,
            });
        }
        let split = split_point(&recent, cfg.keep_recent_messages as usize);
        if !compacted_once && split > 0 {
            compacted_once = true;
            match summarize(
                shared,
                thread_id,
                Some(turn_id),
                &summary_text,
                &recent[..split],
            )
            .await
            {
                Ok(()) => continue,
                Err(message) => {
                    tracing::warn!(thread_id, %message, "compaction failed; trimming the context instead");
                    shared
                        .bus
                        .emit(Event::Error {
                            thread_id: Some(thread_id.to_string()),
                            turn_id: Some(turn_id.to_string()),
                            kind: "compaction_failed".into(),
                            message: format!(
                                "could not summarise older turns ({message}); they are left out of \
                                 the model's context for this turn but remain stored"
                            ),
                            hint: None,
                        })
                        .await;
                }
            }
        }
        return Ok(trim_to_budget(system, recent, fixed, budget));
    }
}

fn with_summary(system: &str, summary: &str) -> String {
    if summary.is_empty() {
        system.to_string()
    } else {
        format!("{system}\n\n# Summary of the earlier conversation\n{summary}")
    }
}

/// Leaves out whole turns from the front until the context fits, always
/// keeping the latest turn.
fn trim_to_budget(system: String, recent: Vec<MessageView>, fixed: u64, budget: u64) -> Context {
    let starts: Vec<usize> = recent
        .iter()
        .enumerate()
        .filter(|(_, m)| m.role == "user")
        .map(|(i, _)| i)
        .collect();
    let mut messages = to_chat(&recent);
    for &start in &starts {
        let candidate = to_chat(&recent[start..]);
        let total = fixed + candidate.iter().map(message_tokens).sum::<u64>();
        messages = candidate;
        if total <= budget {
            break;
        }
    }
    let tokens = fixed + messages.iter().map(message_tokens).sum::<u64>();
    Context {
        system,
        messages,
        tokens,
    }
}

/// Summarises `older` (after `previous`) and records the summary.
async fn summarize(
    shared: &Shared,
    thread_id: &str,
    turn_id: Option<&str>,
    previous: &str,
    older: &[MessageView],
) -> Result<(), String> {
    let Some(last) = older.last() else {
        return Ok(());
    };
    let provider = shared.provider()?;
    let mut transcript = String::new();
    if !previous.is_empty() {
        transcript.push_str("Earlier summary:\n");
        transcript.push_str(previous);
        transcript.push_str("\n\n");
    }
    for m in older {
        let content: String = if m.role == "tool" {
            m.content.chars().take(600).collect()
        } else {
            m.content.clone()
        };
        transcript.push_str(&format!("[{}] {}\n", m.role, content));
        for c in &m.tool_calls {
            transcript.push_str(&format!("[tool call] {} {}\n", c.name, c.arguments));
        }
    }
    let request = ChatRequest {
        model: String::new(),
        system: "Summarise this conversation for your own later use: facts about the user, \
                 decisions, results, file paths, open tasks. At most 300 words. Reply with the summary only."
            .into(),
        messages: vec![ChatMessage::User {
            content: transcript,
        }],
        tools: Vec::new(),
        max_tokens: Some(1024),
        temperature: None,
    };
    let started = Instant::now();
    let result: Result<ResponseAccumulator, crate::llm::LlmError> = async {
        let mut stream = provider.stream(request).await?;
        let mut acc = ResponseAccumulator::default();
        while let Some(item) = stream.next().await {
            acc.push(&item?);
        }
        Ok(acc)
    }
    .await;
    let record =
        |acc: Option<&ResponseAccumulator>, err: Option<&crate::llm::LlmError>| LlmCallRecord {
            thread_id: Some(thread_id.to_string()),
            turn_id: turn_id.map(str::to_string),
            provider: provider.name().to_string(),
            model: provider.model().to_string(),
            purpose: "compaction",
            input_tokens: acc.map_or(0, |a| a.usage.input_tokens),
            output_tokens: acc.map_or(0, |a| a.usage.output_tokens),
            latency_ms: started.elapsed().as_millis() as u64,
            first_token_ms: None,
            error_kind: err.map(|e| e.kind().to_string()),
            error: err.map(|e| e.to_string()),
        };
    match result {
        Ok(acc) if !acc.text.trim().is_empty() => {
            let _ = shared.db.record_llm_call(&record(Some(&acc), None)).await;
            shared
                .db
                .set_summary(thread_id, acc.text.trim(), last.id)
                .await
                .map_err(|e| e.to_string())?;
            shared
                .bus
                .emit(Event::Compacted {
                    thread_id: thread_id.to_string(),
                    summarized_messages: older.len() as u64,
                })
                .await;
            Ok(())
        }
        Ok(acc) => {
            let _ = shared.db.record_llm_call(&record(Some(&acc), None)).await;
            Err("the model returned an empty summary".into())
        }
        Err(e) => {
            let _ = shared.db.record_llm_call(&record(None, Some(&e))).await;
            Err(e.to_string())
        }
    }
}

/// `Op::Compact`: summarise everything but the recent messages now.
pub(crate) async fn compact_now(shared: &Shared, thread_id: &str) {
    let result = async {
        let all = shared
            .db
            .messages(thread_id)
            .await
            .map_err(|e| e.to_string())?;
        let (previous, upto) = shared
            .db
            .summary(thread_id)
            .await
            .map_err(|e| e.to_string())?
            .unwrap_or_default();
        let recent: Vec<MessageView> = all.into_iter().filter(|m| m.id > upto).collect();
        let split = split_point(&recent, shared.config.agent.keep_recent_messages as usize);
        if split == 0 {
            return Err(
                "nothing to compact yet: the thread is shorter than agent.keep_recent_messages"
                    .to_string(),
            );
        }
        summarize(shared, thread_id, None, &previous, &recent[..split]).await
    }
    .await;
    if let Err(message) = result {
        shared
            .bus
            .emit(Event::Error {
                thread_id: Some(thread_id.to_string()),
                turn_id: None,
                kind: "compaction_failed".into(),
                message,
                hint: None,
            })
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ToolCallView;

    fn msg(id: i64, role: &str) -> MessageView {
        MessageView {
            id,
            turn_id: None,
            role: role.into(),
            content: format!("m{id}"),
            tool_calls: Vec::new(),
            tool_call_id: None,
            tool_name: None,
            tool_status: None,
            duration_ms: None,
            created_at: 0,
        }
    }

    #[test]
    fn split_never_separates_results_from_calls() {
        let m = vec![
            msg(1, "user"),
            msg(2, "assistant"),
            msg(3, "tool"),
            msg(4, "assistant"),
            msg(5, "user"),
            msg(6, "assistant"),
        ];
        assert_eq!(split_point(&m, 3), 0);
        assert_eq!(split_point(&m, 2), 4);
        assert_eq!(split_point(&m, 10), 0);
    }

    #[test]
    fn unanswered_calls_get_a_placeholder_result() {
        let mut a = msg(2, "assistant");
        a.tool_calls = vec![ToolCallView {
            id: "c1".into(),
            name: "shell".into(),
            arguments: "{}".into(),
        }];
        let chat = to_chat(&[msg(1, "user"), a]);
        assert_eq!(chat.len(), 3);
        assert!(matches!(&chat[2], ChatMessage::Tool { call_id, .. } if call_id == "c1"));
    }
}
