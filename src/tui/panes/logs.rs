//! The Logs pane: the engine's log records, live.
//!
//! Records arrive as [`Event::Log`] batches after the app subscribes. The
//! pane keeps the most recent ones in a ring buffer and filters at draw time
//! by minimum level and by text, so changing a filter never loses records.

use std::collections::VecDeque;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::Pane;
use crate::protocol::{Event, LogRecord};
use crate::tui::app::{Cx, View};
use crate::tui::keymap::Action;
use crate::tui::text::{sanitize, wrap_hard};

/// Records kept in the pane.
const CAPACITY: usize = 5_000;
const LEVELS: [&str; 5] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"];

pub struct LogsPane {
    records: VecDeque<LogRecord>,
    /// Index into [`LEVELS`] of the lowest level shown.
    min_level: usize,
    filter: String,
    editing_filter: bool,
    follow: bool,
    /// Records scrolled up from the newest, when not following.
    scroll: usize,
    page: usize,
}

impl Default for LogsPane {
    fn default() -> Self {
        Self {
            records: VecDeque::with_capacity(256),
            min_level: 1,
            filter: String::new(),
            editing_filter: false,
            follow: true,
            scroll: 0,
            page: 10,
        }
    }
}

fn level_index(level: &str) -> usize {
    LEVELS.iter().position(|l| *l == level).unwrap_or(2)
}

impl LogsPane {
    fn visible(&self) -> Vec<&LogRecord> {
        let needle = self.filter.to_lowercase();
        self.records
            .iter()
            .filter(|r| level_index(&r.level) >= self.min_level)
            .filter(|r| {
                needle.is_empty()
                    || r.message.to_lowercase().contains(&needle)
                    || r.target.to_lowercase().contains(&needle)
            })
            .collect()
    }

    fn scroll_by(&mut self, n: isize) {
        let max = self.visible().len().saturating_sub(1);
        self.scroll = (self.scroll as isize + n).clamp(0, max as isize) as usize;
        self.follow = self.scroll == 0;
    }
}

impl Pane for LogsPane {
    fn on_event(&mut self, event: &Event, _cx: &mut Cx<'_>) {
        if let Event::Log { records } = event {
            for r in records {
                if self.records.len() == CAPACITY {
                    self.records.pop_front();
                }
                self.records.push_back(r.clone());
                if !self.follow && level_index(&r.level) >= self.min_level {
                    self.scroll += 1; // keep the view still
                }
            }
            // Never scroll past the oldest record kept.
            self.scroll = self.scroll.min(self.records.len().saturating_sub(1));
        }
    }

    fn on_action(&mut self, action: Action, _cx: &mut Cx<'_>) -> bool {
        if self.editing_filter {
            match action {
                Action::Send => self.editing_filter = false,
                Action::Interrupt => {
                    self.editing_filter = false;
                    self.filter.clear();
                }
                _ => return false,
            }
            return true;
        }
        match action {
            Action::ScrollUp => self.scroll_by(self.page as isize),
            Action::ScrollDown => self.scroll_by(-(self.page as isize)),
            Action::HistoryPrev => self.scroll_by(1),
            Action::HistoryNext => self.scroll_by(-1),
            Action::ScrollTop => self.scroll_by(isize::MAX / 2),
            Action::ScrollBottom => {
                self.scroll = 0;
                self.follow = true;
            }
            Action::Interrupt if !self.filter.is_empty() => self.filter.clear(),
            _ => return false,
        }
        true
    }

    fn on_key(&mut self, key: KeyEvent, _cx: &mut Cx<'_>) {
        if self.editing_filter {
            match key.code {
                KeyCode::Char(c) => self.filter.push(c),
                KeyCode::Backspace => {
                    self.filter.pop();
                }
                _ => {}
            }
            self.scroll = 0;
            return;
        }
        match key.code {
            KeyCode::Char('/') => self.editing_filter = true,
            KeyCode::Char('l') => self.min_level = (self.min_level + 1) % LEVELS.len(),
            KeyCode::Char('L') => {
                self.min_level = (self.min_level + LEVELS.len() - 1) % LEVELS.len()
            }
            KeyCode::Char('f') => {
                self.follow = !self.follow;
                if self.follow {
                    self.scroll = 0;
                }
            }
            KeyCode::End => {
                self.follow = true;
                self.scroll = 0;
            }
            KeyCode::Home => self.scroll_by(isize::MAX / 2),
            _ => {}
        }
    }

    fn on_scroll(&mut self, lines: isize) {
        self.scroll_by(lines);
    }

    fn captures_text(&self) -> bool {
        self.editing_filter
    }

    fn render(&mut self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let t = view.theme;
        let follow = if self.follow {
            "following"
        } else {
            "paused (f or End follows)"
        };
        let filter = if self.editing_filter {
            format!(" filter: {}_ ", self.filter)
        } else if self.filter.is_empty() {
            " / filter ".to_string()
        } else {
            format!(" filter: {} (Esc clears) ", self.filter)
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(t.glyphs.border)
            .border_style(if self.editing_filter {
                t.border_focus
            } else {
                t.border
            })
            .title(Span::styled(" Logs ", t.title))
            .title(Span::styled(
                format!(" level ≥ {} (l) ", LEVELS[self.min_level]).replace('≥', ">="),
                t.muted,
            ))
            .title_bottom(Line::from(vec![
                Span::styled(
                    filter,
                    if self.editing_filter {
                        t.accent
                    } else {
                        t.muted
                    },
                ),
                Span::styled(format!(" {follow} "), t.muted),
            ]));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        self.page = inner.height.max(1) as usize;
        let visible = self.visible();
        if visible.is_empty() {
            let text = if self.records.is_empty() {
                "No log records yet. The engine's records appear here as they are written (also in the log files under the IronClaw home)."
            } else {
                "No records match the level and filter."
            };
            frame.render_widget(
                Paragraph::new(crate::tui::text::wrap_plain(
                    text,
                    t.muted,
                    inner.width as usize,
                    "",
                )),
                inner,
            );
            return;
        }
        // Newest at the bottom; build upwards until the area is full.
        let end = visible.len().saturating_sub(self.scroll);
        let mut lines: Vec<Line<'static>> = Vec::new();
        for r in visible[..end].iter().rev() {
            let style = match r.level.as_str() {
                "ERROR" => t.error,
                "WARN" => t.warning,
                "INFO" => t.text,
                _ => t.muted,
            };
            let time = chrono::DateTime::from_timestamp_millis(r.ts)
                .map(|d| {
                    d.with_timezone(&chrono::Local)
                        .format("%H:%M:%S")
                        .to_string()
                })
                .unwrap_or_default();
            let head = format!("{time} {:<5} ", r.level);
            let target = r.target.strip_prefix("ironclaw::").unwrap_or(&r.target);
            let spans = [
                Span::styled(head, style),
                Span::styled(format!("{} ", sanitize(target)), t.muted),
                Span::styled(sanitize(&r.message).replace('\n', " "), style),
            ];
            let mut wrapped = wrap_hard(&spans, inner.width as usize);
            wrapped.reverse();
            lines.extend(wrapped);
            if lines.len() >= inner.height as usize {
                break;
            }
        }
        lines.truncate(inner.height as usize);
        lines.reverse();
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
