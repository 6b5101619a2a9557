//! The thread list: pick a conversation to continue, or start a new one.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{centered, dialog};
use crate::protocol::ThreadInfo;
use crate::tui::app::{AppEvent, Cx, View};
use crate::tui::keymap::Action;
use crate::tui::text::{sanitize, truncate};

pub struct ThreadsOverlay {
    threads: Vec<ThreadInfo>,
    selected: usize,
}

impl ThreadsOverlay {
    pub fn new(threads: Vec<ThreadInfo>, current: &str) -> Self {
        let selected = threads.iter().position(|t| t.id == current).unwrap_or(0);
        Self { threads, selected }
    }

    pub fn set_threads(&mut self, threads: Vec<ThreadInfo>) {
        let keep = self.threads.get(self.selected).map(|t| t.id.clone());
        self.threads = threads;
        self.selected = keep
            .and_then(|id| self.threads.iter().position(|t| t.id == id))
            .unwrap_or(0);
    }

    /// Returns `true` to close.
    pub fn on_key(&mut self, key: KeyEvent, action: Option<Action>, cx: &mut Cx<'_>) -> bool {
        match (key.code, action) {
            (_, Some(Action::Interrupt)) => true,
            (_, Some(Action::HistoryPrev)) => {
                self.selected = self.selected.saturating_sub(1);
                false
            }
            (_, Some(Action::HistoryNext)) => {
                self.selected = (self.selected + 1).min(self.threads.len().saturating_sub(1));
                false
            }
            (KeyCode::Char('n'), _) | (_, Some(Action::NewThread)) => {
                cx.emit(AppEvent::NewThread);
                true
            }
            (_, Some(Action::Send)) => {
                if let Some(t) = self.threads.get(self.selected) {
                    cx.emit(AppEvent::SwitchThread(t.id.clone()));
                }
                true
            }
            _ => false,
        }
    }

    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let t = view.theme;
        let w = area.width.saturating_sub(4).min(90);
        let h = area
            .height
            .saturating_sub(2)
            .min(self.threads.len() as u16 + 4)
            .max(6);
        let rect = centered(area, w, h);
        let inner = dialog(
            frame,
            rect,
            "Threads · Enter open · n new · Esc close",
            t,
            true,
        );
        let iw = inner.width as usize;
        let mut lines = Vec::new();
        if self.threads.is_empty() {
            lines.push(Line::from(Span::styled("No saved threads yet.", t.muted)));
        }
        let visible = inner.height as usize;
        let first = self.selected.saturating_sub(visible.saturating_sub(1));
        for (i, th) in self.threads.iter().enumerate().skip(first).take(visible) {
            let when = chrono::DateTime::from_timestamp_millis(th.updated_at)
                .map(|d| {
                    d.with_timezone(&chrono::Local)
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_default();
            let current = if th.id == view.session.thread {
                "*"
            } else {
                " "
            };
            let right = format!(" {:>4} msgs  {when}", th.message_count);
            let title = if th.title.is_empty() {
                "(untitled)".to_string()
            } else {
                sanitize(&th.title).into_owned()
            };
            let room = iw.saturating_sub(crate::tui::text::width(&right) + 2);
            let title = truncate(&title, room).into_owned();
            let pad = room.saturating_sub(crate::tui::text::width(&title));
            let style = if i == self.selected {
                t.selection
            } else {
                t.text
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{current} {title}{}", " ".repeat(pad)), style),
                Span::styled(right, if i == self.selected { style } else { t.muted }),
            ]));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
