//! The approval dialog: the concrete tool call, its risk, and the three
//! answers (once, for this session, deny).
//!
//! Requests from every thread queue here; the oldest is shown. A request
//! answered by another client (its `ApprovalResolved` arrives) leaves the
//! queue, so the dialog closes everywhere at once.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use serde_json::Value;

use super::{centered, dialog};
use crate::protocol::{ApprovalDecision, Event, Op, PendingApproval};
use crate::tools::Risk;
use crate::tui::app::{Cx, View};
use crate::tui::text::{sanitize, truncate, wrap_hard, wrap_plain};

/// Argument lines shown before "…".
const ARG_LINES: usize = 8;

struct Request {
    thread_id: String,
    approval: PendingApproval,
}

/// How long a request must be on screen before it can be approved.
const READ_DELAY: Duration = Duration::from_millis(400);

/// The request on screen: since when, and whether it was drawn whole.
struct Seen {
    call_id: String,
    since: Instant,
    whole: bool,
}

#[derive(Default)]
pub struct ApprovalOverlay {
    queue: Vec<Request>,
    seen: Option<Seen>,
}

impl ApprovalOverlay {
    pub fn is_open(&self) -> bool {
        !self.queue.is_empty()
    }

    /// The engine went away: its requests went with it.
    pub fn clear(&mut self) {
        self.queue.clear();
        self.seen = None;
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

    pub fn on_event(&mut self, event: &Event) {
        match event {
            Event::ApprovalRequested { thread_id, .. } => {
                if let Some(p) = event.pending_approval() {
                    self.add(thread_id, p);
                }
            }
            Event::ApprovalResolved { call_id, .. } => {
                self.queue.retain(|r| r.approval.call_id != *call_id)
            }
            // A snapshot is the truth about its thread's waiting requests.
            Event::Snapshot {
                thread, in_flight, ..
            } => {
                self.queue.retain(|r| r.thread_id != thread.id);
                for p in in_flight.iter().flat_map(|t| &t.pending_approvals) {
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

    /// Nothing drawn this frame (the terminal is too small): approving is
    /// refused until the request has been seen whole.
    pub fn hidden(&mut self) {
        self.seen = None;
    }

    pub fn on_key(&mut self, key: KeyEvent, cx: &mut Cx<'_>) {
        let Some(request) = self.queue.first() else {
            return;
        };
        let high = request.approval.risk == Risk::High;
        let wants = match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => Some(ApprovalDecision::Once),
            // Enter approves only what is not high risk: a message being
            // typed when the dialog appears must not run a dangerous command.
            KeyCode::Enter if !high => Some(ApprovalDecision::Once),
            KeyCode::Char('s') | KeyCode::Char('S') if request.approval.session_allowed => {
                Some(ApprovalDecision::Session)
            }
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Char('d') | KeyCode::Esc => {
                Some(ApprovalDecision::Deny)
            }
            _ => None,
        };
        let Some(decision) = wants else {
            return;
        };
        if decision != ApprovalDecision::Deny {
            // Approve only what was on screen, whole, long enough to be read
            // (keys typed for the chat just before it appeared don't count).
            let ready = matches!(&self.seen, Some(seen)
                if seen.call_id == request.approval.call_id
                    && seen.whole
                    && seen.since.elapsed() >= READ_DELAY);
            if !ready {
                return;
            }
        }
        let request = self.queue.remove(0);
        self.seen = None;
        cx.send(Op::Approve {
            call_id: request.approval.call_id,
            decision,
        });
    }

    pub fn render(&mut self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let Some(request) = self.queue.first() else {
            return;
        };
        let t = view.theme;
        let p = &request.approval;
        let w = area.width.saturating_sub(4).min(84);
        let inner_w = w.saturating_sub(4) as usize;
        // Rows inside the border: the header, the call, the answers.
        let rows = area.height.saturating_sub(2) as usize;
        let (risk, risk_style) = match p.risk {
            Risk::Low => ("low risk", t.success),
            Risk::Medium => ("medium risk", t.warning),
            Risk::High => ("HIGH RISK", t.error),
        };
        let mut head: Vec<Line<'static>> = vec![Line::from(vec![
            Span::styled("The assistant wants to run ", t.text),
            Span::styled(sanitize(&p.tool).into_owned(), t.tool),
            Span::styled(" · ", t.muted),
            Span::styled(risk, risk_style),
        ])];
        if request.thread_id != view.session.thread {
            let title = view.session.thread_title(&request.thread_id);
            head.push(Line::from(Span::styled(
                truncate(&format!("in thread: {}", sanitize(&title)), inner_w).into_owned(),
                t.muted,
            )));
        }
        head.push(Line::default());

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
        let mut foot: Vec<Line<'static>> = vec![Line::default()];
        if answers.width() <= inner_w {
            foot.push(answers);
        } else {
            foot.extend(crate::tui::text::wrap_line(&answers.spans, inner_w, ""));
        }
        if !p.session_allowed {
            foot.extend(wrap_plain(
                "High-risk calls are approved one at a time, with y.",
                t.muted,
                inner_w,
                "",
            ));
        }
        if self.queue.len() > 1 {
            foot.push(Line::from(Span::styled(
                format!("{} more waiting", self.queue.len() - 1),
                t.muted,
            )));
        }

        // The concrete call, whole, or a plain statement that it does not fit.
        let call: Vec<Line<'static>> = sanitize(&p.summary)
            .lines()
            .flat_map(|l| wrap_hard(&[Span::styled(l.to_string(), t.accent)], inner_w.max(1)))
            .collect();
        let room = rows.saturating_sub(head.len() + foot.len());
        let whole = call.len() <= room;
        let mut body: Vec<Line<'static>> = Vec::new();
        if whole {
            body.extend(call);
            // Arguments, when they add something and fit.
            let args = pretty_args(&p.arguments);
            if !args.is_empty() && args.trim() != p.summary.trim() {
                let clean = sanitize(&args);
                let arg_lines: Vec<Line<'static>> = clean
                    .lines()
                    .take(ARG_LINES)
                    .flat_map(|l| {
                        wrap_hard(&[Span::styled(l.to_string(), t.muted)], inner_w.max(1))
                    })
                    .collect();
                let more = clean.lines().count().saturating_sub(ARG_LINES);
                let needed = 1 + arg_lines.len() + usize::from(more > 0);
                if body.len() + needed <= room {
                    body.push(Line::default());
                    body.extend(arg_lines);
                    if more > 0 {
                        body.push(Line::from(Span::styled(
                            format!("… {more} more lines"),
                            t.muted,
                        )));
                    }
                }
            }
        } else {
            let shown = room.saturating_sub(2);
            body.extend(call.iter().take(shown).cloned());
            body.extend(wrap_plain(
                &format!(
                    "{} more lines of this call are not shown: enlarge the window to approve it (n denies).",
                    call.len() - shown
                ),
                t.warning,
                inner_w,
                "",
            ));
        }
        let mut lines = head;
        lines.extend(body);
        lines.extend(foot);
        match &mut self.seen {
            Some(seen) if seen.call_id == p.call_id => seen.whole = whole,
            _ => {
                self.seen = Some(Seen {
                    call_id: p.call_id.clone(),
                    since: Instant::now(),
                    whole,
                })
            }
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
