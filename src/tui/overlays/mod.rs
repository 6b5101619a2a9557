//! Dialogs drawn over the panes: approval, help, thread list, onboarding.
//! Each is one file; while one is open it receives every key.

pub mod approval;
pub mod help;
pub mod onboarding;
pub mod threads;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Clear, Padding};

use super::theme::Theme;

/// A centred rectangle of at most `w`×`h` inside `area`. Dialogs add two
/// columns of padding: callers size them by content width + 4.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Clears `area` and draws a titled dialog frame; returns the inside.
pub fn dialog(frame: &mut Frame<'_>, area: Rect, title: &str, theme: &Theme, focus: bool) -> Rect {
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_set(theme.glyphs.border)
        .border_style(if focus {
            theme.border_focus
        } else {
            theme.border
        })
        .style(theme.popup)
        .padding(Padding::horizontal(1))
        .title(Span::styled(format!(" {title} "), theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}
