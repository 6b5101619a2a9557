//! The message input: a multi-line text area with history and the slash
//! command popup.
//!
//! Editing is ratatui-textarea's (cursor movement, word deletion, undo).
//! This file adds what a chat input needs on top: Up/Down walk the sent
//! history when the cursor is on the first/last line, a `/` at the start
//! opens a filtered list of commands, and the height grows with the text up
//! to a limit so a long paste never pushes the transcript off screen.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

use crate::tui::app::View;

/// Lines of input shown before the text area scrolls.
const MAX_INPUT_LINES: u16 = 8;
/// Sent messages kept for Up/Down.
const HISTORY: usize = 200;
/// A paste larger than this (bytes or lines) is shown as one placeholder
/// line and sent in its place, so a pasted log file never slows typing.
const LARGE_PASTE_BYTES: usize = 8 * 1024;
const LARGE_PASTE_LINES: usize = 100;

/// A slash command: name, arguments hint, what it does.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    ("/new", "", "start a new thread"),
    ("/threads", "", "list and switch threads"),
    ("/model", "", "choose the provider and model"),
    ("/compact", "", "summarise older turns of this thread now"),
    ("/clear", "", "clear the screen (the thread is kept)"),
    ("/help", "", "show key bindings and commands"),
    ("/detach", "", "leave; the daemon and its work keep running"),
    ("/quit", "", "quit IronClaw"),
];

pub struct Composer {
    textarea: TextArea<'static>,
    history: Vec<String>,
    /// Position while walking the history; `None` when editing a draft.
    history_pos: Option<usize>,
    draft: String,
    popup_selected: usize,
    /// Large pastes: the placeholder shown in the box, and the text it stands for.
    pastes: Vec<(String, String)>,
}

impl Default for Composer {
    fn default() -> Self {
        Self::new()
    }
}

impl Composer {
    pub fn new() -> Self {
        let mut textarea = TextArea::default();
        textarea.set_wrap_mode(WrapMode::WordOrGlyph);
        textarea.set_cursor_line_style(ratatui::style::Style::default());
        Self {
            textarea,
            history: Vec::new(),
            history_pos: None,
            draft: String::new(),
            popup_selected: 0,
            pastes: Vec::new(),
        }
    }

    pub fn text(&self) -> String {
        self.textarea.lines().join("\n")
    }

    pub fn is_empty(&self) -> bool {
        self.textarea.lines().iter().all(|l| l.is_empty())
    }

    pub fn clear(&mut self) {
        self.set_text("");
        self.history_pos = None;
        self.pastes.clear();
    }

    /// Puts `text` in the box, large text as a placeholder.
    fn load(&mut self, text: &str) {
        self.set_text("");
        self.pastes.clear();
        self.insert(text);
    }

    fn insert(&mut self, text: &str) {
        let lines = text.lines().count();
        if text.len() > LARGE_PASTE_BYTES || lines > LARGE_PASTE_LINES {
            let label = format!(
                "[pasted text #{}: {lines} lines, {:.1} KB]",
                self.pastes.len() + 1,
                text.len() as f64 / 1024.0
            );
            self.textarea.insert_str(&label);
            self.pastes.push((label, text.to_string()));
        } else {
            self.textarea.insert_str(text);
        }
    }

    fn set_text(&mut self, text: &str) {
        let wrap = self.textarea.wrap_mode();
        let mut textarea = TextArea::new(text.split('\n').map(str::to_string).collect());
        textarea.set_wrap_mode(wrap);
        textarea.set_cursor_line_style(ratatui::style::Style::default());
        textarea.move_cursor(CursorMove::Bottom);
        textarea.move_cursor(CursorMove::End);
        self.textarea = textarea;
        self.popup_selected = 0;
    }

    /// Takes the text to send (placeholders replaced by what they stand
    /// for) and remembers it.
    pub fn take(&mut self) -> String {
        let mut text = self.text();
        for (label, pasted) in &self.pastes {
            text = text.replacen(label.as_str(), pasted, 1);
        }
        if !text.trim().is_empty() && self.history.last() != Some(&text) {
            if self.history.len() == HISTORY {
                self.history.remove(0);
            }
            self.history.push(text.clone());
        }
        self.clear();
        text
    }

    pub fn input(&mut self, key: KeyEvent) {
        self.textarea.input(key);
        self.popup_selected = 0;
        self.history_pos = None;
    }

    pub fn newline(&mut self) {
        self.textarea.insert_newline();
    }

    pub fn paste(&mut self, text: &str) {
        self.insert(text);
        self.history_pos = None;
    }

    /// Up: the previous sent message, when the cursor is on the first line.
    pub fn history_prev(&mut self) -> bool {
        if self.textarea.cursor().0 > 0 || self.history.is_empty() {
            return false;
        }
        let pos = match self.history_pos {
            None => {
                self.draft = self.text();
                self.history.len() - 1
            }
            Some(0) => return true,
            Some(p) => p - 1,
        };
        self.history_pos = Some(pos);
        let text = self.history[pos].clone();
        self.load(&text);
        true
    }

    /// Down: the next sent message (then the draft), from the last line.
    pub fn history_next(&mut self) -> bool {
        let last_row = self.textarea.lines().len().saturating_sub(1);
        if self.textarea.cursor().0 < last_row {
            return false;
        }
        let Some(pos) = self.history_pos else {
            return false;
        };
        if pos + 1 < self.history.len() {
            self.history_pos = Some(pos + 1);
            let text = self.history[pos + 1].clone();
            self.load(&text);
        } else {
            self.history_pos = None;
            let draft = std::mem::take(&mut self.draft);
            self.load(&draft);
        }
        true
    }

    /// Commands matching what was typed after `/`, when the popup applies.
    pub fn popup_matches(&self) -> Vec<&'static (&'static str, &'static str, &'static str)> {
        let lines = self.textarea.lines();
        if lines.len() != 1 {
            return Vec::new();
        }
        let typed = lines[0].as_str();
        if !typed.starts_with('/') || typed.contains(char::is_whitespace) {
            return Vec::new();
        }
        COMMANDS
            .iter()
            .filter(|(name, _, _)| name.starts_with(typed))
            .collect()
    }

    pub fn popup_open(&self) -> bool {
        !self.popup_matches().is_empty()
    }

    pub fn popup_move(&mut self, delta: isize) {
        let n = self.popup_matches().len();
        if n > 0 {
            self.popup_selected =
                (self.popup_selected as isize + delta).rem_euclid(n as isize) as usize;
        }
    }

    /// The highlighted command.
    pub fn popup_choice(&self) -> Option<&'static str> {
        let matches = self.popup_matches();
        matches
            .get(self.popup_selected.min(matches.len().saturating_sub(1)))
            .map(|(n, _, _)| *n)
    }

    /// Tab: completes the highlighted command.
    pub fn complete(&mut self) {
        if let Some(name) = self.popup_choice() {
            self.set_text(name);
        }
    }

    /// Rows the composer wants, borders included. Stops counting at the
    /// limit, so a pasted novel costs no more than a paragraph.
    pub fn height(&self, width: u16) -> u16 {
        let inner = width.saturating_sub(2).max(1) as usize;
        let mut rows = 0usize;
        for line in self.textarea.lines() {
            rows += super::super::text::width(line).div_ceil(inner).max(1);
            if rows >= MAX_INPUT_LINES as usize {
                break;
            }
        }
        (rows as u16).clamp(1, MAX_INPUT_LINES) + 2
    }

    pub fn render(&mut self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>, busy: bool) {
        let t = view.theme;
        let hint = if busy {
            format!(
                " {} to stop ",
                view.keymap.hint(crate::tui::keymap::Action::Interrupt)
            )
        } else {
            format!(
                " {} send · {} newline · / commands ",
                view.keymap.hint(crate::tui::keymap::Action::Send),
                view.keymap.hint(crate::tui::keymap::Action::Newline)
            )
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(t.glyphs.border)
            .border_style(t.border_focus)
            .title(Span::styled(" Message ", t.title))
            .title_bottom(Line::from(Span::styled(hint, t.muted)).right_aligned());
        let inner = block.inner(area);
        frame.render_widget(block, area);
        self.textarea.set_style(t.text);
        self.textarea.set_cursor_style(t.selection);
        if self.is_empty() {
            let placeholder = if busy {
                "the assistant is working; you can type the next message"
            } else {
                "Ask anything. / for commands, ? for help"
            };
            frame.render_widget(Paragraph::new(Span::styled(placeholder, t.muted)), inner);
            if inner.width > 0 && inner.height > 0 {
                frame.set_cursor_position((inner.x, inner.y));
            }
            return;
        }
        frame.render_widget(&self.textarea, inner);
        let cursor = self.textarea.screen_cursor();
        let (top, left) = self.textarea.scroll_offset();
        let x = inner.x as usize + cursor.col.saturating_sub(left as usize);
        let y = inner.y as usize + cursor.row.saturating_sub(top as usize);
        let (x, y) = (
            x.min(u16::MAX as usize) as u16,
            y.min(u16::MAX as usize) as u16,
        );
        if x < inner.right() && y < inner.bottom() {
            frame.set_cursor_position((x, y));
        }
    }

    /// The slash popup, drawn just above the composer.
    pub fn render_popup(&self, frame: &mut Frame<'_>, composer: Rect, view: &View<'_>) {
        let matches = self.popup_matches();
        if matches.is_empty() {
            return;
        }
        let t = view.theme;
        let height = (matches.len() as u16 + 2).min(composer.y);
        if height < 3 {
            return;
        }
        let width = composer.width.min(60);
        let area = Rect::new(composer.x, composer.y - height, width, height);
        let selected = self.popup_selected.min(matches.len() - 1);
        let lines: Vec<Line<'static>> = matches
            .iter()
            .enumerate()
            .map(|(i, (name, args, what))| {
                let style = if i == selected { t.selection } else { t.popup };
                let text = format!(" {:<10} {}{}", name, args, what);
                let text = super::super::text::truncate(&text, width.saturating_sub(2) as usize)
                    .into_owned();
                let pad = (width.saturating_sub(2) as usize)
                    .saturating_sub(super::super::text::width(&text));
                Line::from(Span::styled(format!("{text}{}", " ".repeat(pad)), style))
            })
            .collect();
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(lines).style(t.popup).block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_set(t.glyphs.border)
                    .border_style(t.border)
                    .title(Span::styled(" Commands (Tab completes) ", t.muted)),
            ),
            area,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn type_str(c: &mut Composer, s: &str) {
        for ch in s.chars() {
            c.input(KeyEvent::new(KeyCode::Char(ch), KeyModifiers::NONE));
        }
    }

    #[test]
    fn history_walks_back_and_returns_to_the_draft() {
        let mut c = Composer::new();
        type_str(&mut c, "first");
        assert_eq!(c.take(), "first");
        type_str(&mut c, "second");
        c.take();
        type_str(&mut c, "dra");
        assert!(c.history_prev());
        assert_eq!(c.text(), "second");
        assert!(c.history_prev());
        assert_eq!(c.text(), "first");
        assert!(c.history_next());
        assert_eq!(c.text(), "second");
        assert!(c.history_next());
        assert_eq!(c.text(), "dra");
    }

    #[test]
    fn slash_popup_filters_and_completes() {
        let mut c = Composer::new();
        type_str(&mut c, "/th");
        assert_eq!(c.popup_choice(), Some("/threads"));
        c.complete();
        assert_eq!(c.text(), "/threads");
        c.clear();
        type_str(&mut c, "/");
        assert_eq!(c.popup_matches().len(), COMMANDS.len());
        c.popup_move(-1);
        assert_eq!(c.popup_choice(), Some("/quit"));
        type_str(&mut c, "x ");
        assert!(!c.popup_open());
    }

    #[test]
    fn height_grows_with_text_up_to_a_limit() {
        let mut c = Composer::new();
        assert_eq!(c.height(40), 3);
        c.paste(&"line\n".repeat(50));
        assert_eq!(c.height(40), MAX_INPUT_LINES + 2);
    }

    #[test]
    fn large_pastes_show_as_a_placeholder_and_are_sent_whole() {
        let mut c = Composer::new();
        type_str(&mut c, "review this: ");
        let log = "2026-11-26 INFO line\n".repeat(5_000);
        c.paste(&log);
        assert_eq!(
            c.text(),
            "review this: [pasted text #1: 5000 lines, 102.5 KB]"
        );
        assert_eq!(c.height(80), 3);
        let sent = c.take();
        assert_eq!(sent, format!("review this: {log}"));
        // Recalled from history, it is a placeholder again.
        assert!(c.history_prev());
        assert!(c.text().starts_with("[pasted text #1"));
        assert_eq!(c.take(), sent);
    }
}
