//! The five panes and the contract they share.
//!
//! A pane is one file holding its own state, and does four things: react to
//! engine events, react to actions and keys while it is shown, and draw
//! itself into an area. It never holds a channel to the engine: it pushes
//! [`AppEvent`]s (an op to send, an overlay to open) into the [`Cx`] it is
//! handed, and the app loop carries them out.

pub mod chat;
pub mod composer;
pub mod extensions;
pub mod jobs;
pub mod logs;
pub mod memory;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

use super::app::{Cx, View};
use super::keymap::Action;
use super::theme::Theme;
use crate::protocol::Event;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneId {
    Chat,
    Jobs,
    Memory,
    Logs,
    Extensions,
}

impl PaneId {
    pub const ALL: [PaneId; 5] = [
        PaneId::Chat,
        PaneId::Jobs,
        PaneId::Memory,
        PaneId::Logs,
        PaneId::Extensions,
    ];

    pub fn title(self) -> &'static str {
        match self {
            PaneId::Chat => "Chat",
            PaneId::Jobs => "Jobs",
            PaneId::Memory => "Memory",
            PaneId::Logs => "Logs",
            PaneId::Extensions => "Extensions",
        }
    }

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    pub fn offset(self, by: isize) -> PaneId {
        let n = Self::ALL.len() as isize;
        Self::ALL[((self.index() as isize + by).rem_euclid(n)) as usize]
    }
}

pub trait Pane {
    /// Every engine event, whether or not the pane is shown.
    fn on_event(&mut self, event: &Event, cx: &mut Cx<'_>);
    /// A bound action while the pane is shown; `false` if it does not apply.
    fn on_action(&mut self, action: Action, cx: &mut Cx<'_>) -> bool;
    /// A key no binding claimed, while the pane is shown.
    fn on_key(&mut self, key: KeyEvent, cx: &mut Cx<'_>);
    /// Pasted text while the pane is shown.
    fn on_paste(&mut self, _text: &str, _cx: &mut Cx<'_>) {}
    /// Mouse wheel: positive scrolls towards older content.
    fn on_scroll(&mut self, _lines: isize) {}
    fn render(&mut self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>);
    /// Whether plain character keys should type text rather than trigger
    /// single-character bindings such as `?`.
    fn captures_text(&self) -> bool {
        false
    }
}

/// Draws a pane's border with its title and, bottom right, its key hints;
/// returns the area inside.
pub fn framed(frame: &mut Frame<'_>, area: Rect, title: &str, hints: &str, t: &Theme) -> Rect {
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_set(t.glyphs.border)
        .border_style(t.border)
        .title(Span::styled(format!(" {title} "), t.title));
    if !hints.is_empty() {
        block = block
            .title_bottom(Line::from(Span::styled(format!(" {hints} "), t.muted)).right_aligned());
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}
