//! The Jobs pane: the work the engine runs, with status and details.
//!
//! Today the engine's units of work are turns (one per message, in any
//! thread, each with its tool calls), so that is what the pane lists, built
//! from the events this client receives. Background jobs, routines and the
//! heartbeat will be listed here through the same events when the engine
//! gains them.

use std::time::Instant;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Pane;
use crate::protocol::{Event, ToolStatus, TurnOutcome};
use crate::tui::app::{AppEvent, Cx, View, kilo};
use crate::tui::keymap::Action;
use crate::tui::text::{sanitize, truncate, wrap_plain};

/// Finished jobs kept in the list.
const KEEP: usize = 200;

#[derive(Debug, Clone, PartialEq)]
enum JobStatus {
    Running,
    Done,
    Interrupted,
    Failed(String),
}

struct Job {
    thread_id: String,
    turn_id: String,
    title: String,
    status: JobStatus,
    started: Instant,
    elapsed_ms: Option<u128>,
    calls: Vec<Call>,
    tokens: (u64, u64),
}

struct Call {
    call_id: String,
    tool: String,
    status: Option<ToolStatus>,
    duration_ms: Option<u64>,
}

#[derive(Default)]
pub struct JobsPane {
    jobs: Vec<Job>,
    selected: usize,
}

impl JobsPane {
    /// The engine went away: what was running is no longer known to run.
    pub fn engine_lost(&mut self) {
        for job in self
            .jobs
            .iter_mut()
            .filter(|j| j.status == JobStatus::Running)
        {
            job.status = JobStatus::Failed("the engine stopped while it ran".into());
            job.elapsed_ms = Some(job.started.elapsed().as_millis());
        }
    }

    fn job_mut(&mut self, turn_id: &str) -> Option<&mut Job> {
        self.jobs.iter_mut().rev().find(|j| j.turn_id == turn_id)
    }
}

impl Pane for JobsPane {
    fn on_event(&mut self, event: &Event, _cx: &mut Cx<'_>) {
        match event {
            Event::TurnStarted {
                thread_id,
                turn_id,
                user_text,
            } => {
                let first = user_text.lines().next().unwrap_or("").to_string();
                self.jobs.push(Job {
                    thread_id: thread_id.clone(),
                    turn_id: turn_id.clone(),
                    title: first,
                    status: JobStatus::Running,
                    started: Instant::now(),
                    elapsed_ms: None,
                    calls: Vec::new(),
                    tokens: (0, 0),
                });
                if self.jobs.len() > KEEP
                    && let Some(i) = self
                        .jobs
                        .iter()
                        .position(|j| j.status != JobStatus::Running)
                {
                    self.jobs.remove(i);
                }
            }
            Event::ToolCallStarted {
                turn_id,
                call_id,
                tool,
                ..
            } => {
                if let Some(job) = self.job_mut(turn_id) {
                    job.calls.push(Call {
                        call_id: call_id.clone(),
                        tool: tool.clone(),
                        status: None,
                        duration_ms: None,
                    });
                }
            }
            Event::ToolCallFinished {
                turn_id,
                call_id,
                status,
                duration_ms,
                ..
            } => {
                if let Some(call) = self
                    .job_mut(turn_id)
                    .and_then(|j| j.calls.iter_mut().find(|c| c.call_id == *call_id))
                {
                    call.status = Some(*status);
                    call.duration_ms = Some(*duration_ms);
                }
            }
            Event::TurnFinished {
                turn_id,
                outcome,
                usage,
                ..
            } => {
                if let Some(job) = self.job_mut(turn_id) {
                    job.status = match outcome {
                        TurnOutcome::Completed => JobStatus::Done,
                        TurnOutcome::Interrupted => JobStatus::Interrupted,
                        TurnOutcome::Failed { message, .. } => JobStatus::Failed(message.clone()),
                    };
                    job.elapsed_ms = Some(job.started.elapsed().as_millis());
                    job.tokens = (usage.input_tokens, usage.output_tokens);
                }
            }
            _ => {}
        }
    }

    fn on_action(&mut self, action: Action, cx: &mut Cx<'_>) -> bool {
        // The list is drawn newest first.
        match action {
            Action::HistoryPrev => self.selected = self.selected.saturating_sub(1),
            Action::HistoryNext => {
                self.selected = (self.selected + 1).min(self.jobs.len().saturating_sub(1))
            }
            Action::Send => {
                if let Some(job) = self.jobs.iter().rev().nth(self.selected) {
                    cx.emit(AppEvent::SwitchThread(job.thread_id.clone()));
                }
            }
            Action::Interrupt => {
                if let Some(job) = self.jobs.iter().rev().nth(self.selected)
                    && job.status == JobStatus::Running
                {
                    cx.send(crate::protocol::Op::Interrupt {
                        thread_id: job.thread_id.clone(),
                    });
                }
            }
            _ => return false,
        }
        true
    }

    fn on_key(&mut self, _key: KeyEvent, _cx: &mut Cx<'_>) {}

    fn render(&mut self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let t = view.theme;
        let inner = super::framed(
            frame,
            area,
            "Jobs",
            "Up/Down select · Enter open thread · Esc stop",
            t,
        );
        let w = inner.width as usize;
        if self.jobs.is_empty() {
            let text = "No jobs yet. Every message you send runs as a job (a turn of the agent, with its tool calls) and is listed here with its status, in any thread. Scheduled routines and the heartbeat are not available in this version.";
            frame.render_widget(Paragraph::new(wrap_plain(text, t.muted, w, "")), inner);
            return;
        }
        self.selected = self.selected.min(self.jobs.len() - 1);
        let [list, detail] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(inner);
        let frames = t.glyphs.running;
        let mut lines = Vec::new();
        let visible = list.height as usize;
        let first = self.selected.saturating_sub(visible.saturating_sub(1));
        for (i, job) in self.jobs.iter().rev().enumerate().skip(first).take(visible) {
            let (mark, style) = match &job.status {
                JobStatus::Running => (frames[view.session.tick % frames.len()], t.accent),
                JobStatus::Done => (t.glyphs.ok, t.success),
                JobStatus::Interrupted => ("-", t.warning),
                JobStatus::Failed(_) => (t.glyphs.failed, t.error),
            };
            let elapsed = job
                .elapsed_ms
                .unwrap_or_else(|| job.started.elapsed().as_millis());
            let thread = view.session.thread_title(&job.thread_id);
            let head = format!(
                "{mark} {:>6}  {:<16} ",
                format!("{:.1}s", elapsed as f64 / 1000.0),
                truncate(&sanitize(&thread), 16)
            );
            let room = w.saturating_sub(crate::tui::text::width(&head));
            let title = truncate(&sanitize(&job.title), room).into_owned();
            let row_style = if i == self.selected {
                t.selection
            } else {
                t.text
            };
            lines.push(Line::from(vec![
                Span::styled(head, if i == self.selected { row_style } else { style }),
                Span::styled(title, row_style),
            ]));
        }
        frame.render_widget(Paragraph::new(lines), list);

        let Some(job) = self.jobs.iter().rev().nth(self.selected) else {
            return;
        };
        let mut d = Vec::new();
        let status = match &job.status {
            JobStatus::Running => "running".to_string(),
            JobStatus::Done => "completed".to_string(),
            JobStatus::Interrupted => "interrupted".to_string(),
            JobStatus::Failed(m) => format!("failed: {}", sanitize(m)),
        };
        d.extend(wrap_plain(
            &format!(
                "turn {} · {status} · {} in / {} out tokens",
                crate::tui::app::short_id(&job.turn_id),
                kilo(job.tokens.0),
                kilo(job.tokens.1)
            ),
            t.accent,
            w,
            "  ",
        ));
        if job.calls.is_empty() {
            d.push(Line::from(Span::styled("  no tool calls", t.muted)));
        }
        for call in &job.calls {
            let (s, style) = match call.status {
                None => ("running".to_string(), t.accent),
                Some(ToolStatus::Ok) => ("ok".to_string(), t.success),
                Some(other) => (other.as_str().replace('_', " "), t.error),
            };
            let dur = call
                .duration_ms
                .map(|ms| format!(" · {ms} ms"))
                .unwrap_or_default();
            d.push(Line::from(vec![
                Span::styled(format!("  {} ", t.glyphs.bullet), t.muted),
                Span::styled(sanitize(&call.tool).into_owned(), t.tool),
                Span::styled(format!(" · {s}{dur}"), style),
            ]));
        }
        frame.render_widget(Paragraph::new(d), detail);
    }
}
