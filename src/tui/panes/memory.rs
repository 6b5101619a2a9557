//! The Memory pane. The memory workspace (documents, identity files, hybrid
//! search) is not part of this version yet, so the pane says what it will
//! show and what works today, and shows nothing it cannot back with data.

use std::path::PathBuf;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Pane;
use crate::protocol::Event;
use crate::tui::app::{Cx, View};
use crate::tui::keymap::Action;
use crate::tui::text::{sanitize, wrap_plain};

pub struct MemoryPane {
    home: PathBuf,
}

impl MemoryPane {
    pub fn new(home: PathBuf) -> Self {
        Self { home }
    }
}

impl Pane for MemoryPane {
    fn on_event(&mut self, _event: &Event, _cx: &mut Cx<'_>) {}

    fn on_action(&mut self, _action: Action, _cx: &mut Cx<'_>) -> bool {
        false
    }

    fn on_key(&mut self, _key: KeyEvent, _cx: &mut Cx<'_>) {}

    fn render(&mut self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let t = view.theme;
        let inner = super::framed(frame, area, "Memory", "", t);
        let w = inner.width.saturating_sub(1) as usize;
        let agents = self.home.join("AGENTS.md");
        let mut lines = vec![Line::from(Span::styled(
            "The memory workspace is not available in this version.",
            t.warning,
        ))];
        lines.push(Line::default());
        lines.extend(wrap_plain(
            "When it arrives, this pane shows the workspace tree (AGENTS.md, SOUL.md, USER.md, MEMORY.md, notes/, daily/), opens and edits documents, and searches them live by keyword and by meaning with a local embedding model, with the model's status and reindex progress.",
            t.text,
            w,
            "",
        ));
        lines.push(Line::default());
        lines.extend(wrap_plain("What works today:", t.accent, w, ""));
        let today = format!(
            "{} Standing instructions: write them in {} and they are added to every conversation's system prompt.",
            t.glyphs.bullet,
            sanitize(&agents.display().to_string())
        );
        lines.extend(wrap_plain(&today, t.text, w, "  "));
        let threads = format!(
            "{} Conversations are kept: {} lists them, and `ironclaw threads list` prints them.",
            t.glyphs.bullet,
            view.keymap.hint(Action::Threads)
        );
        lines.extend(wrap_plain(&threads, t.text, w, "  "));
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
