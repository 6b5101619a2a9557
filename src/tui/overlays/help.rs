//! The help overlay: every key binding (from the live keymap, so rebinding
//! in `config.toml` shows here) and every slash command.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{centered, dialog};
use crate::tui::app::View;
use crate::tui::keymap::Action;
use crate::tui::panes::composer::COMMANDS;
use crate::tui::text::truncate;

#[derive(Default)]
pub struct HelpOverlay {
    scroll: usize,
}

impl HelpOverlay {
    /// Returns `true` to close.
    pub fn on_key(&mut self, key: KeyEvent, action: Option<Action>) -> bool {
        match (key.code, action) {
            (_, Some(Action::Help | Action::Interrupt)) | (KeyCode::Char('q'), _) => true,
            (_, Some(Action::HistoryNext | Action::ScrollDown)) => {
                self.scroll += 1;
                false
            }
            (_, Some(Action::HistoryPrev | Action::ScrollUp)) => {
                self.scroll = self.scroll.saturating_sub(1);
                false
            }
            (KeyCode::Enter, _) => true,
            _ => false,
        }
    }

    pub fn render(&mut self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let t = view.theme;
        let w = area.width.saturating_sub(4).min(76);
        let inner_w = w.saturating_sub(4) as usize;
        let rows = view.keymap.help_rows();
        let longest = rows
            .iter()
            .map(|(k, _)| crate::tui::text::width(k))
            .max()
            .unwrap_or(0);
        let key_w = (longest + 2).min(inner_w / 2);
        let mut lines: Vec<Line<'static>> = Vec::new();
        lines.push(Line::from(Span::styled("Keys", t.heading)));
        for (keys, what) in rows {
            lines.push(Line::from(vec![
                Span::styled(format!("{:<key_w$}", truncate(&keys, key_w)), t.accent),
                Span::styled(
                    truncate(what, inner_w.saturating_sub(key_w)).into_owned(),
                    t.text,
                ),
            ]));
        }
        lines.push(Line::from(vec![
            Span::styled(format!("{:<key_w$}", "Ctrl-C"), t.accent),
            Span::styled(
                truncate(
                    "stop the turn, else clear the input, else quit",
                    inner_w.saturating_sub(key_w),
                )
                .into_owned(),
                t.text,
            ),
        ]));
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            "Commands (type in the message box)",
            t.heading,
        )));
        for (name, args, what) in COMMANDS {
            let left = format!("{name} {args}");
            lines.push(Line::from(vec![
                Span::styled(format!("{:<key_w$}", left), t.accent),
                Span::styled(
                    truncate(what, inner_w.saturating_sub(key_w)).into_owned(),
                    t.text,
                ),
            ]));
        }
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            truncate(
                "Logs pane: l level · / filter · f follow. Rebind keys in config.toml [tui.keys].",
                inner_w,
            )
            .into_owned(),
            t.muted,
        )));
        let h = (lines.len() as u16 + 2).min(area.height);
        let rect = centered(area, w, h);
        let inner = dialog(frame, rect, "Help (Esc closes)", t, true);
        let height = inner.height as usize;
        let max_scroll = lines.len().saturating_sub(height);
        self.scroll = self.scroll.min(max_scroll);
        let mut shown: Vec<Line<'static>> =
            lines.into_iter().skip(self.scroll).take(height).collect();
        if self.scroll < max_scroll
            && let Some(last) = shown.last_mut()
        {
            *last = Line::from(Span::styled(
                truncate("… more below: Down / PgDn scrolls", inner_w).into_owned(),
                t.accent,
            ));
        }
        frame.render_widget(Paragraph::new(shown), inner);
    }
}
