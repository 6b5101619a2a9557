//! The Extensions pane: the tools the model can use, from the engine
//! ([`Op::ListTools`]), with their risk and where they come from.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Pane;
use crate::protocol::{Event, Op, ToolInfo};
use crate::tools::Risk;
use crate::tui::app::{Cx, View};
use crate::tui::keymap::Action;
use crate::tui::text::{sanitize, truncate, wrap_plain};

#[derive(Default)]
pub struct ExtensionsPane {
    tools: Option<Vec<ToolInfo>>,
    selected: usize,
}

impl Pane for ExtensionsPane {
    fn on_event(&mut self, event: &Event, _cx: &mut Cx<'_>) {
        if let Event::Tools { tools } = event {
            self.tools = Some(tools.clone());
            self.selected = self.selected.min(tools.len().saturating_sub(1));
        }
    }

    fn on_action(&mut self, action: Action, cx: &mut Cx<'_>) -> bool {
        let n = self.tools.as_ref().map_or(0, Vec::len);
        match action {
            Action::HistoryPrev => self.selected = self.selected.saturating_sub(1),
            Action::HistoryNext => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Action::Send => cx.send(Op::ListTools),
            _ => return false,
        }
        true
    }

    fn on_key(&mut self, key: KeyEvent, cx: &mut Cx<'_>) {
        if key.code == KeyCode::Char('r') {
            cx.send(Op::ListTools);
        }
    }

    fn render(&mut self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let t = view.theme;
        let inner = super::framed(frame, area, "Extensions", "Up/Down select · r refresh", t);
        let [list, detail] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(6)]).areas(inner);
        let w = list.width as usize;
        let Some(tools) = &self.tools else {
            frame.render_widget(
                Paragraph::new(Span::styled("asking the engine for its tools…", t.muted)),
                list,
            );
            return;
        };
        let mut lines = vec![Line::from(Span::styled(
            truncate(
                &format!(
                    "{:<14} {:<7} {:<9} {}",
                    "TOOL", "RISK", "SOURCE", "DESCRIPTION"
                ),
                w,
            )
            .into_owned(),
            t.muted,
        ))];
        let visible = list.height.saturating_sub(1) as usize;
        let first = self.selected.saturating_sub(visible.saturating_sub(1));
        for (i, tool) in tools.iter().enumerate().skip(first).take(visible) {
            let risk_style = match tool.risk {
                Risk::Low => t.success,
                Risk::Medium => t.warning,
                Risk::High => t.error,
            };
            let style = if i == self.selected {
                t.selection
            } else {
                t.text
            };
            let desc = sanitize(tool.description.lines().next().unwrap_or(""));
            let name = format!("{:<14} ", truncate(&sanitize(&tool.name), 14));
            let risk = format!("{:<7} ", format!("{:?}", tool.risk).to_lowercase());
            let source = format!(
                "{:<9} ",
                if tool.core {
                    sanitize(&tool.source).into_owned()
                } else {
                    format!("{}*", sanitize(&tool.source))
                }
            );
            let used = name.len() + risk.len() + source.len();
            let rest = truncate(&desc, w.saturating_sub(used)).into_owned();
            lines.push(Line::from(vec![
                Span::styled(name, style),
                Span::styled(
                    risk,
                    if i == self.selected {
                        style
                    } else {
                        risk_style
                    },
                ),
                Span::styled(source, style),
                Span::styled(rest, style),
            ]));
        }
        frame.render_widget(Paragraph::new(lines), list);
        let mut info = Vec::new();
        if let Some(tool) = tools.get(self.selected) {
            info.extend(wrap_plain(
                &sanitize(&tool.description),
                t.text,
                detail.width as usize,
                "",
            ));
        }
        info.truncate(3);
        info.extend(wrap_plain(
            "* found by the model through tool_search. Source `wasm`: a WebAssembly tool (`ironclaw extensions install`). MCP servers are not supported in this version.",
            t.muted,
            detail.width as usize,
            "",
        ));
        frame.render_widget(Paragraph::new(info), detail);
    }
}
