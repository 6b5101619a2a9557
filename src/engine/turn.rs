//! One turn: the user's message, then model calls and tool calls until the
//! model answers, the user interrupts, or a limit stops it.
//!
//! Invariants kept on every exit path:
//! - every tool call the model made gets exactly one stored result, so the
//!   thread stays valid for the next request (interrupted and denied calls
//!   are answered with a plain statement of what happened);
//! - a stored change and the event announcing it happen under one bus lock;
//! - exactly one `TurnFinished` ends the turn.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::{Shared, context, new_id};
use crate::config::ApprovalPolicy;
use crate::db::{DbError, LlmCallRecord, NewMessage, ToolCallRecord};
use crate::llm::{ChatRequest, LlmError, LlmProvider, ResponseAccumulator, StreamEvent, ToolCall};
use crate::protocol::{
    ApprovalDecision, ApprovalMode, Event, TokenUsage, ToolCallView, ToolStatus, TurnOutcome,
};
use crate::safety::{Action, Finding};
use crate::tools::{Risk, Tool, ToolContext, ToolError, cap_output};

/// What to do when no model is configured.
pub(crate) const NO_MODEL_HINT: &str = "set IRONCLAW_LLM_MODEL (and IRONCLAW_LLM_PROVIDER / \
     IRONCLAW_LLM_BASE_URL), or run `ironclaw config set llm.model <name>`";

/// Grace period for a tool to clean up (kill its processes) after being
/// cancelled, before the engine stops waiting for it.
const CANCEL_GRACE: Duration = Duration::from_secs(2);

pub(crate) async fn run(
    shared: Arc<Shared>,
    thread_id: String,
    text: String,
    mode: ApprovalMode,
    cancel: CancellationToken,
) {
    let mut turn = Turn {
        shared,
        thread_id,
        turn_id: new_id(),
        mode,
        cancel,
        usage: TokenUsage::default(),
        context_tokens: 0,
        seen: HashMap::new(),
    };
    let outcome = match turn.execute(&text).await {
        Ok(outcome) => outcome,
        Err(e) => {
            tracing::error!(error = %e, "turn failed on the database");
            turn.fail("database", e.to_string(), None).await
        }
    };
    let mut bus = turn.shared.bus.lock().await;
    bus.emit(Event::TurnFinished {
        thread_id: turn.thread_id.clone(),
        turn_id: turn.turn_id.clone(),
        outcome,
        usage: turn.usage,
        context_tokens: turn.context_tokens,
    });
}

struct Turn {
    shared: Arc<Shared>,
    thread_id: String,
    turn_id: String,
    mode: ApprovalMode,
    cancel: CancellationToken,
    usage: TokenUsage,
    context_tokens: u64,
    /// Calls made this turn, by tool and canonical arguments.
    seen: HashMap<String, u32>,
}

enum Step {
    Done(ResponseAccumulator),
    Cancelled(ResponseAccumulator),
    Failed(LlmError),
}

/// A tool call after parsing, validation and the approval decision.
struct Planned {
    call: ToolCall,
    args: Value,
    risk: Risk,
    tool: Option<Arc<dyn Tool>>,
    /// How the call was allowed or refused, as recorded in `tool_calls.approval`.
    approval: &'static str,
    /// Set when the call must not run: its status and the text the model gets.
    verdict: Option<(ToolStatus, String)>,
    /// Safety findings about the call's arguments (and later its output).
    findings: Vec<Finding>,
    /// A safety rule asked for a human to look at this call, whatever the policy.
    review: bool,
}

impl Turn {
    async fn execute(&mut self, text: &str) -> Result<TurnOutcome, DbError> {
        {
            let mut bus = self.shared.bus.lock().await;
            self.shared
                .db
                .append_message(NewMessage {
                    thread_id: &self.thread_id,
                    turn_id: Some(&self.turn_id),
                    role: "user",
                    content: text,
                    ..Default::default()
                })
                .await?;
            bus.emit(Event::TurnStarted {
                thread_id: self.thread_id.clone(),
                turn_id: self.turn_id.clone(),
                user_text: text.to_string(),
            });
        }
        for (kind, message) in self.shared.safety.user_message_warnings(text) {
            self.shared
                .bus
                .emit(Event::Warning {
                    thread_id: Some(self.thread_id.clone()),
                    kind,
                    message,
                })
                .await;
        }

        let provider = match self.shared.provider() {
            Ok(provider) => provider,
            Err(message) => {
                return Ok(self
                    .fail("no_model", message, Some(NO_MODEL_HINT.into()))
                    .await);
            }
        };

        let max = self.shared.config.agent.max_tool_iterations;
        for _ in 0..max {
            let revealed = self
                .shared
                .revealed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(&self.thread_id)
                .cloned()
                .unwrap_or_default();
            let tools = self.shared.tools.specs(&revealed);
            let ctx = context::build(&self.shared, &self.thread_id, &self.turn_id, &tools).await?;
            self.context_tokens = ctx.tokens;
            let max_tokens = self.shared.config.llm.max_tokens;
            let request = ChatRequest {
                model: String::new(),
                system: ctx.system,
                messages: ctx.messages,
                tools,
                max_tokens: (max_tokens > 0).then_some(max_tokens),
                temperature: None,
            };
            match self.stream_step(provider.as_ref(), request).await {
                Step::Failed(e) => {
                    let hint = Some(e.hint());
                    return Ok(self.fail(e.kind(), e.to_string(), hint).await);
                }
                Step::Cancelled(acc) => {
                    if !acc.text.is_empty() {
                        self.commit_assistant(&acc.text, &[]).await?;
                    }
                    return Ok(TurnOutcome::Interrupted);
                }
                Step::Done(acc) => {
                    let calls = acc.tool_calls();
                    self.commit_assistant(&acc.text, &calls).await?;
                    if calls.is_empty() {
                        return Ok(TurnOutcome::Completed);
                    }
                    if let Some(outcome) = self.run_tools(calls).await? {
                        return Ok(outcome);
                    }
                }
            }
        }
        Ok(self
            .fail(
                "iteration_limit",
                format!(
                    "stopped after {max} model calls in one turn without a final answer \
                     (agent.max_tool_iterations)"
                ),
                Some("ask a narrower question, or raise agent.max_tool_iterations".into()),
            )
            .await)
    }

    /// Emits an error for this turn and returns the matching outcome.
    async fn fail(&self, kind: &str, message: String, hint: Option<String>) -> TurnOutcome {
        self.shared
            .bus
            .emit(Event::Error {
                thread_id: Some(self.thread_id.clone()),
                turn_id: Some(self.turn_id.clone()),
                kind: kind.to_string(),
                message: message.clone(),
                hint,
            })
            .await;
        TurnOutcome::Failed {
            kind: kind.to_string(),
            message,
        }
    }

    async fn stream_step(&mut self, provider: &dyn LlmProvider, request: ChatRequest) -> Step {
        let started = Instant::now();
        let mut first_token_ms = None;
        let mut acc = ResponseAccumulator::default();
        let result = tokio::select! {
            biased;
            _ = self.cancel.cancelled() => Err(None),
            r = provider.stream(request) => r.map_err(Some),
        };
        let mut stream = match result {
            Ok(s) => s,
            Err(err) => {
                self.record_llm(provider, &started, None, &acc, err.as_ref())
                    .await;
                return match err {
                    Some(e) => Step::Failed(e),
                    None => Step::Cancelled(acc),
                };
            }
        };
        loop {
            let item = tokio::select! {
                biased;
                _ = self.cancel.cancelled() => {
                    drop(stream); // closes the connection
                    self.record_llm(provider, &started, first_token_ms, &acc, None).await;
                    return Step::Cancelled(acc);
                }
                item = stream.next() => item,
            };
            match item {
                None => break,
                Some(Ok(event)) => {
                    if first_token_ms.is_none() {
                        first_token_ms = Some(started.elapsed().as_millis() as u64);
                    }
                    if let StreamEvent::TextDelta(delta) = &event
                        && !delta.is_empty()
                    {
                        self.shared
                            .bus
                            .emit(Event::TextDelta {
                                thread_id: self.thread_id.clone(),
                                turn_id: self.turn_id.clone(),
                                delta: delta.clone(),
                            })
                            .await;
                    }
                    if let StreamEvent::ToolCallDelta { .. } = &event {
                        // Tools will run: compile the safety layer meanwhile.
                        self.shared.safety.warm();
                    }
                    acc.push(&event);
                }
                Some(Err(e)) => {
                    self.record_llm(provider, &started, first_token_ms, &acc, Some(&e))
                        .await;
                    return Step::Failed(e);
                }
            }
        }
        self.record_llm(provider, &started, first_token_ms, &acc, None)
            .await;
        Step::Done(acc)
    }

    async fn record_llm(
        &mut self,
        provider: &dyn LlmProvider,
        started: &Instant,
        first_token_ms: Option<u64>,
        acc: &ResponseAccumulator,
        error: Option<&LlmError>,
    ) {
        self.usage.input_tokens += acc.usage.input_tokens;
        self.usage.output_tokens += acc.usage.output_tokens;
        self.usage.llm_calls += 1;
        let interrupted = error.is_none() && self.cancel.is_cancelled();
        let record = LlmCallRecord {
            thread_id: Some(self.thread_id.clone()),
            turn_id: Some(self.turn_id.clone()),
            provider: provider.name().to_string(),
            model: provider.model().to_string(),
            purpose: "turn",
            input_tokens: acc.usage.input_tokens,
            output_tokens: acc.usage.output_tokens,
            latency_ms: started.elapsed().as_millis() as u64,
            first_token_ms,
            error_kind: error
                .map(|e| e.kind().to_string())
                .or(interrupted.then(|| "interrupted".to_string())),
            error: error.map(|e| e.to_string()),
        };
        if let Err(e) = self.shared.db.record_llm_call(&record).await {
            tracing::warn!(error = %e, "could not record an llm call");
        }
    }

    async fn commit_assistant(&self, text: &str, calls: &[ToolCall]) -> Result<(), DbError> {
        let views: Vec<ToolCallView> = calls
            .iter()
            .map(|c| ToolCallView {
                id: c.id.clone(),
                name: c.name.clone(),
                arguments: c.arguments.clone(),
            })
            .collect();
        let mut bus = self.shared.bus.lock().await;
        self.shared
            .db
            .append_message(NewMessage {
                thread_id: &self.thread_id,
                turn_id: Some(&self.turn_id),
                role: "assistant",
                content: text,
                tool_calls: &views,
                ..Default::default()
            })
            .await?;
        bus.text_committed(&self.thread_id);
        Ok(())
    }

    /// Runs one batch of tool calls. `Some(outcome)` ends the turn.
    async fn run_tools(&mut self, calls: Vec<ToolCall>) -> Result<Option<TurnOutcome>, DbError> {
        // Fail closed: no tool runs and no output reaches the model without
        // the safety layer.
        let shared = self.shared.clone();
        let safety = match shared.safety.layer().await {
            Ok(layer) => layer,
            Err(message) => {
                return Ok(Some(
                    self.fail(
                        "safety",
                        message,
                        Some(
                            "fix the [safety] section of config.toml (see docs/configuration.md)"
                                .into(),
                        ),
                    )
                    .await,
                ));
            }
        };
        let limit = self.shared.config.agent.repetition_limit;
        let mut planned = Vec::with_capacity(calls.len());
        let mut repeated: Option<String> = None;
        for call in calls {
            let p = self.plan(safety, call, limit, &mut repeated);
            self.shared
                .bus
                .emit(Event::ToolCallStarted {
                    thread_id: self.thread_id.clone(),
                    turn_id: self.turn_id.clone(),
                    call_id: p.call.id.clone(),
                    tool: p.call.name.clone(),
                    arguments: p.args.clone(),
                    risk: p.risk,
                })
                .await;
            planned.push(p);
        }

        // Approvals, one at a time, so a human sees one question at a time.
        if repeated.is_none() {
            for p in planned.iter_mut().filter(|p| p.verdict.is_none()) {
                self.decide(p).await;
                if self.cancel.is_cancelled() {
                    break;
                }
            }
        }

        // Independent calls run concurrently.
        let runs = planned.iter().map(|p| async {
            if let Some((status, text)) = &p.verdict {
                return (*status, text.clone(), 0, Vec::new());
            }
            if self.cancel.is_cancelled() {
                return (
                    ToolStatus::Interrupted,
                    "not run: the user interrupted the turn".into(),
                    0,
                    Vec::new(),
                );
            }
            match &p.tool {
                Some(tool) => self.run_tool(tool.as_ref(), p.args.clone()).await,
                None => (ToolStatus::Error, "unknown tool".into(), 0, Vec::new()),
            }
        });
        let results = futures::future::join_all(runs).await;

        let cap = self.shared.config.tools.output_cap_bytes;
        let mut bus = self.shared.bus.lock().await;
        for (p, (status, output, duration_ms, reveal)) in planned.iter().zip(results) {
            let mut findings = p.findings.clone();
            let (output, for_model) = match status {
                // Tool-produced text passes the safety pipeline: leak
                // redaction, injection neutralising, length cap, envelope.
                ToolStatus::Ok | ToolStatus::Error => {
                    let body = if status == ToolStatus::Error {
                        format!("error: {output}")
                    } else {
                        output
                    };
                    let inspected = safety.inspect_tool_output(&p.call.name, &body);
                    findings.extend(inspected.findings);
                    (cap_output(inspected.display, cap), inspected.content)
                }
                _ => (cap_output(output.clone(), cap), output),
            };
            for f in &findings {
                tracing::warn!(
                    tool = %p.call.name,
                    rule = %f.rule,
                    severity = ?f.severity,
                    action = ?f.action,
                    "safety finding: {}",
                    f.message
                );
            }
            if !reveal.is_empty() {
                self.shared
                    .revealed
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .entry(self.thread_id.clone())
                    .or_default()
                    .extend(reveal);
            }
            self.shared
                .db
                .append_message(NewMessage {
                    thread_id: &self.thread_id,
                    turn_id: Some(&self.turn_id),
                    role: "tool",
                    content: &for_model,
                    tool_call_id: Some(&p.call.id),
                    tool_name: Some(&p.call.name),
                    ..Default::default()
                })
                .await?;
            self.shared
                .db
                .record_tool_call(&ToolCallRecord {
                    id: p.call.id.clone(),
                    thread_id: self.thread_id.clone(),
                    turn_id: self.turn_id.clone(),
                    name: p.call.name.clone(),
                    arguments: p.call.arguments.clone(),
                    output: Some(output.clone()),
                    status: status.as_str().to_string(),
                    risk: p.risk.to_string(),
                    approval: p.approval.to_string(),
                    duration_ms: Some(duration_ms),
                    findings: (!findings.is_empty())
                        .then(|| serde_json::to_string(&findings).unwrap_or_default()),
                })
                .await?;
            bus.emit(Event::ToolCallFinished {
                thread_id: self.thread_id.clone(),
                turn_id: self.turn_id.clone(),
                call_id: p.call.id.clone(),
                tool: p.call.name.clone(),
                status,
                output,
                duration_ms,
                findings,
            });
        }
        drop(bus);

        if let Some(message) = repeated {
            return Ok(Some(
                self.fail(
                    "repetition_guard",
                    message,
                    Some("rephrase the request, or raise agent.repetition_limit".into()),
                )
                .await,
            ));
        }
        if self.cancel.is_cancelled() {
            return Ok(Some(TurnOutcome::Interrupted));
        }
        Ok(None)
    }

    /// Parses and validates a call and applies the repetition guard.
    fn plan(
        &mut self,
        safety: &crate::safety::SafetyLayer,
        call: ToolCall,
        limit: u32,
        repeated: &mut Option<String>,
    ) -> Planned {
        let mut p = Planned {
            args: Value::Null,
            risk: Risk::Low,
            tool: None,
            approval: "none",
            verdict: None,
            findings: Vec::new(),
            review: false,
            call,
        };
        if repeated.is_some() {
            p.verdict = Some((
                ToolStatus::Interrupted,
                "not run: the turn was stopped by the repetition guard".into(),
            ));
            return p;
        }
        match serde_json::from_str::<Value>(&p.call.arguments) {
            Ok(v) => p.args = v,
            Err(e) => {
                p.args = Value::String(p.call.arguments.clone());
                p.verdict = Some((
                    ToolStatus::Error,
                    format!("the arguments are not valid JSON ({e}); send a JSON object"),
                ));
                return p;
            }
        }
        let Some(tool) = self.shared.tools.get(&p.call.name) else {
            let mut names = self.shared.tools.names();
            names.sort();
            p.verdict = Some((
                ToolStatus::Error,
                format!(
                    "there is no tool named `{}`; available tools: {}",
                    p.call.name,
                    names.join(", ")
                ),
            ));
            return p;
        };
        p.risk = tool.risk(&p.args);
        if let Err(problems) = self.shared.tools.validate(&p.call.name, &p.args) {
            p.verdict = Some((
                ToolStatus::Error,
                format!("invalid arguments for `{}`: {problems}", p.call.name),
            ));
            return p;
        }
        let (action, findings) = safety.check_tool_call(&p.call.name, &p.args);
        p.findings = findings;
        if let Some(url) = tool.outbound_url(&p.args)
            && let Err(finding) = safety.check_outbound(&url, &[], &[])
        {
            p.verdict = Some((
                ToolStatus::Denied,
                format!("blocked by the safety layer: {}", finding.message),
            ));
            p.findings.push(finding);
            p.approval = "blocked";
            return p;
        }
        match action {
            Some(Action::Block) => {
                let reasons: Vec<&str> = p.findings.iter().map(|f| f.message.as_str()).collect();
                p.verdict = Some((
                    ToolStatus::Denied,
                    format!("blocked by safety policy: {}", reasons.join("; ")),
                ));
                p.approval = "blocked";
                return p;
            }
            Some(Action::Review) => p.review = true,
            _ => {}
        }
        let key = format!("{}\u{0}{}", p.call.name, p.args);
        let count = self.seen.entry(key).or_insert(0);
        *count += 1;
        if *count >= limit {
            let message = format!(
                "stopped: the model called `{}` with the same arguments {limit} times in this turn, \
                 which looks like a loop",
                p.call.name
            );
            p.verdict = Some((ToolStatus::Interrupted, format!("not run: {message}")));
            *repeated = Some(message);
            return p;
        }
        p.tool = Some(tool);
        p
    }

    /// Decides whether a planned call may run, asking a human if needed.
    async fn decide(&self, p: &mut Planned) {
        let Some(tool) = &p.tool else { return };
        let policy = self.shared.config.approval_policy(&p.call.name, p.risk);
        let askable = policy == ApprovalPolicy::Ask && p.risk < Risk::High && !p.review;
        let scope = tool.approval_scope(&p.args);
        if policy == ApprovalPolicy::Never && !p.review {
            p.approval = "policy";
            return;
        }
        if askable && self.mode.auto_approves() && tool.auto_approvable(&p.args) {
            p.approval = "auto";
            return;
        }
        if askable
            && self
                .shared
                .approvals
                .session_granted(&self.thread_id, &scope)
        {
            p.approval = "session";
            return;
        }
        if !self.mode.has_human() {
            let reason = if p.review {
                format!(
                    "`{}` was flagged by the safety layer for review and nobody can answer in this session",
                    p.call.name
                )
            } else {
                format!(
                    "`{}` ({} risk) needs approval and nobody can answer in this session",
                    p.call.name, p.risk
                )
            };
            p.approval = "unattended";
            p.verdict = Some((
                ToolStatus::Denied,
                format!(
                    "denied: {reason}. Tell the user what you wanted to do; they can rerun \
                     interactively, pass --auto-approve (low/medium risk only), or set \
                     tools.policy.{} in the configuration",
                    p.call.name
                ),
            ));
            self.resolved(p, ApprovalDecision::Deny, Some(reason)).await;
            return;
        }

        let rx = self.shared.approvals.wait_for(&p.call.id);
        self.shared
            .bus
            .emit(Event::ApprovalRequested {
                thread_id: self.thread_id.clone(),
                turn_id: self.turn_id.clone(),
                call_id: p.call.id.clone(),
                tool: p.call.name.clone(),
                arguments: p.args.clone(),
                summary: tool.summarize(&p.args),
                risk: p.risk,
                session_allowed: askable,
            })
            .await;
        let decision = tokio::select! {
            biased;
            _ = self.cancel.cancelled() => None,
            d = rx => d.ok(),
        };
        match decision {
            None => {
                self.shared.approvals.cancel(&p.call.id);
                p.approval = "interrupted";
                p.verdict = Some((
                    ToolStatus::Interrupted,
                    "not run: the user interrupted the turn".into(),
                ));
                self.resolved(p, ApprovalDecision::Deny, Some("turn interrupted".into()))
                    .await;
            }
            Some(ApprovalDecision::Deny) => {
                p.approval = "denied";
                p.verdict = Some((
                    ToolStatus::Denied,
                    "denied by the user; do not retry this call unless the user asks".into(),
                ));
                self.resolved(p, ApprovalDecision::Deny, None).await;
            }
            Some(ApprovalDecision::Session) if askable => {
                self.shared.approvals.grant_session(&self.thread_id, &scope);
                p.approval = "session";
                self.resolved(p, ApprovalDecision::Session, None).await;
            }
            Some(_) => {
                // "Session" on a call that cannot be session-approved counts once.
                p.approval = "once";
                self.resolved(p, ApprovalDecision::Once, None).await;
            }
        }
    }

    async fn resolved(&self, p: &Planned, decision: ApprovalDecision, reason: Option<String>) {
        self.shared
            .bus
            .emit(Event::ApprovalResolved {
                thread_id: self.thread_id.clone(),
                call_id: p.call.id.clone(),
                decision,
                reason,
            })
            .await;
    }

    /// Runs one approved call under its timeout and the turn's cancel token.
    async fn run_tool(
        &self,
        tool: &dyn Tool,
        args: Value,
    ) -> (ToolStatus, String, u64, Vec<String>) {
        let cfg = &self.shared.config;
        let call_cancel = self.cancel.child_token();
        let ctx = ToolContext {
            workdir: self.shared.workdir.clone(),
            ironclaw_home: self.shared.paths.home.clone(),
            cancel: call_cancel.clone(),
            output_cap: cfg.tools.output_cap_bytes,
            shell_timeout: Duration::from_secs(cfg.tools.shell_timeout_secs),
            http_max_bytes: cfg.tools.http_max_bytes,
            http_allow_private: cfg.tools.http_allow_private,
            workspace: Some(Arc::new(super::workspace::AgentWorkspace {
                shared: self.shared.clone(),
            })),
            // Only sandboxed tools make requests through the host.
            egress: (tool.source() == "wasm").then(|| {
                Arc::new(super::egress::AgentEgress {
                    shared: self.shared.clone(),
                }) as Arc<dyn crate::tools::Egress>
            }),
        };
        let limit = tool
            .timeout()
            .min(Duration::from_secs(cfg.agent.tool_timeout_secs));
        let started = Instant::now();
        let fut = tool.call(args, &ctx);
        tokio::pin!(fut);
        let result = tokio::select! {
            r = &mut fut => Some(r),
            _ = tokio::time::sleep(limit) => {
                call_cancel.cancel();
                let _ = tokio::time::timeout(CANCEL_GRACE, &mut fut).await;
                Some(Err(ToolError::Timeout(limit)))
            }
            _ = self.cancel.cancelled() => {
                let _ = tokio::time::timeout(CANCEL_GRACE, &mut fut).await;
                None
            }
        };
        let ms = started.elapsed().as_millis() as u64;
        match result {
            None | Some(Err(ToolError::Cancelled)) => (
                ToolStatus::Interrupted,
                "interrupted by the user".into(),
                ms,
                Vec::new(),
            ),
            Some(Ok(out)) => (ToolStatus::Ok, out.content, ms, out.reveal),
            Some(Err(ToolError::Timeout(d))) => (
                ToolStatus::TimedOut,
                format!("timed out after {}s", d.as_secs_f64()),
                ms,
                Vec::new(),
            ),
            Some(Err(e)) => (ToolStatus::Error, e.to_string(), ms, Vec::new()),
        }
    }
}
