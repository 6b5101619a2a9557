//! The approval dialog: the concrete tool call, its risk, and the three
//! answers (once, for this session, deny).
//!
//! Requests from every thread queue here; the oldest is shown. A request
//! answered by another client (its `ApprovalResolved` arrives) leaves the
//! queue, so the dialog closes everywhere at once.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use serde_json::Value;

use super::{centered, dialog};
use crate::protocol::{ApprovalDecision, Event, Op, PendingApproval};
use crate::tools::Risk;
use crate::tui::app::{Cx, Session, View};
use crate::tui::text::{sanitize, truncate, wrap_hard, wrap_plain};

/// Argument lines shown before "…".
const ARG_LINES: usize = 8;

struct Request {
    thread_id: String,
    approval: PendingApproval,
}

#[derive(Default)]
pub struct ApprovalOverlay {
    queue: Vec<Request>,
}

impl ApprovalOverlay {
    pub fn is_open(&self) -> bool {
        !self.queue.is_empty()
    }

    fn add(&mut self, thread_id: &str, approval: PendingApproval) {
        if !self
            .queue
            .iter()
            .any(|r| r.approval.call_id == approval.call_id)
        {
            self.queue.push(Request {
                thread_id: thread_id.to_string(),
                approval,
            });
        }
    }

    pub fn on_event(&mut self, event: &Event, _session: &Session) {
        match event {
            Event::ApprovalRequested {
                thread_id,
                call_id,
                tool,
                arguments,
                summary,
                risk,
                session_allowed,
                ..
            } => self.add(
                thread_id,
                PendingApproval {
                    call_id: call_id.clone(),
                    tool: tool.clone(),
                    arguments: arguments.clone(),
                    summary: summary.clone(),
                    risk: *risk,
                    session_allowed: *session_allowed,
                },
            ),
            Event::ApprovalResolved { call_id, .. } => {
                self.queue.retain(|r| r.approval.call_id != *call_id)
            }
            Event::Snapshot {
                thread,
                in_flight: Some(turn),
                ..
            } => {
                for p in &turn.pending_approvals {
                    self.add(&thread.id, p.clone());
                }
            }
            Event::TurnFinished { thread_id, .. } => {
                self.queue.retain(|r| r.thread_id != *thread_id)
            }
            Event::ShuttingDown => self.queue.clear(),
            _ => {}
        }
    }

    pub fn on_key(&mut self, key: KeyEvent, cx: &mut Cx<'_>) {
        let Some(request) = self.queue.first() else {
            return;
        };
        let decision = match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => ApprovalDecision::Once,
            KeyCode::Char('s') | KeyCode::Char('S') if request.approval.session_allowed => {
                ApprovalDecision::Session
            }
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Char('d') | KeyCode::Esc => {
                ApprovalDecision::Deny
            }
            _ => return,
        };
        let request = self.queue.remove(0);
        cx.send(Op::Approve {
            call_id: request.approval.call_id,
            decision,
        });
    }

    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let Some(request) = self.queue.first() else {
            return;
        };
        let t = view.theme;
        let p = &request.approval;
        let w = area.width.saturating_sub(4).min(84);
        let inner_w = w.saturating_sub(4) as usize;
        let mut lines: Vec<Line<'static>> = Vec::new();
        let (risk, risk_style) = match p.risk {
            Risk::Low => ("low risk", t.success),
            Risk::Medium => ("medium risk", t.warning),
            Risk::High => ("HIGH RISK", t.error),
        };
        lines.push(Line::from(vec![
            Span::styled("The assistant wants to run ", t.text),
            Span::styled(sanitize(&p.tool).into_owned(), t.tool),
            Span::styled(" · ", t.muted),
            Span::styled(risk, risk_style),
        ]));
        if request.thread_id != view.session.thread {
            let title = view.session.thread_title(&request.thread_id);
            lines.push(Line::from(Span::styled(
                truncate(&format!("in thread: {}", sanitize(&title)), inner_w).into_owned(),
                t.muted,
            )));
        }
        lines.push(Line::default());
        for l in sanitize(&p.summary).lines().take(ARG_LINES) {
            lines.extend(wrap_hard(&[Span::styled(l.to_string(), t.accent)], inner_w));
        }
        let args = pretty_args(&p.arguments);
        if !args.is_empty() && args.trim() != p.summary.trim() {
            lines.push(Line::default());
            let clean = sanitize(&args);
            let all: Vec<&str> = clean.lines().collect();
            for l in all.iter().take(ARG_LINES) {
                lines.extend(wrap_hard(&[Span::styled(l.to_string(), t.muted)], inner_w));
            }
            if all.len() > ARG_LINES {
                lines.push(Line::from(Span::styled(
                    format!("… {} more lines", all.len() - ARG_LINES),
                    t.muted,
                )));
            }
        }
        lines.push(Line::default());
        let mut answers = vec![
            Span::styled(" y ", t.status_key),
            Span::styled(" once  ", t.text),
        ];
        if p.session_allowed {
            answers.push(Span::styled(" s ", t.status_key));
            answers.push(Span::styled(" this tool, this session  ", t.text));
        }
        answers.push(Span::styled(" n ", t.status_key));
        answers.push(Span::styled(" deny", t.text));
        let answers = Line::from(answers);
        if answers.width() <= inner_w {
            lines.push(answers);
        } else {
            lines.extend(crate::tui::text::wrap_line(&answers.spans, inner_w, ""));
        }
        if !p.session_allowed {
            lines.extend(wrap_plain(
                "High-risk calls are approved one at a time.",
                t.muted,
                inner_w,
                "",
            ));
        }
        if self.queue.len() > 1 {
            lines.push(Line::from(Span::styled(
                format!("{} more waiting", self.queue.len() - 1),
                t.muted,
            )));
        }
        let h = (lines.len() as u16 + 2).min(area.height);
        let rect = centered(area, w, h);
        let inner = dialog(frame, rect, "Approve tool call?", t, true);
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

/// Arguments as indented JSON, or nothing for an empty object.
fn pretty_args(args: &Value) -> String {
    match args {
        Value::Object(m) if m.is_empty() => String::new(),
        Value::Null => String::new(),
        other => serde_json::to_string_pretty(other).unwrap_or_else(|_| other.to_string()),
    }
}
