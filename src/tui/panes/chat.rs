//! The Chat pane: the current thread's transcript above the composer.
//!
//! The transcript is a list of cells (user message, assistant text, tool
//! call, notice). Each cell renders itself to lines for a width and caches
//! them, so a frame only re-wraps the cell that changed (the one streaming)
//! and drawing a 10,000-message thread touches only the visible lines.
//! Scrolling counts lines from the bottom; 0 means "follow the stream".

use std::collections::HashMap;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use serde_json::Value;

use super::Pane;
use super::composer::Composer;
use crate::protocol::{
    ApprovalMode, Event, InFlightTurn, MessageView, Op, ToolStatus, TurnOutcome,
};
use crate::tui::app::{AppEvent, Cx, View};
use crate::tui::keymap::Action;
use crate::tui::markdown;
use crate::tui::text::{self, sanitize, truncate, wrap_hard, wrap_plain};
use crate::tui::theme::Theme;

/// Lines of tool output previewed while a tool cell is collapsed.
const COLLAPSED_OUTPUT_LINES: usize = 2;
/// Lines of tool output shown when a tool cell is expanded.
const EXPANDED_OUTPUT_LINES: usize = 40;

#[derive(Debug, Clone, PartialEq)]
enum ToolState {
    Running,
    Waiting,
    Done(ToolStatus),
    /// Loaded from history: finished, status not recorded in the message.
    Recorded,
}

#[derive(Debug, Clone)]
enum CellKind {
    User(String),
    Assistant {
        turn_id: String,
        text: String,
        streaming: bool,
    },
    Tool {
        call_id: String,
        tool: String,
        arguments: String,
        state: ToolState,
        note: Option<String>,
        output: String,
        duration_ms: Option<u64>,
        findings: Vec<String>,
    },
    Notice {
        style: NoticeStyle,
        text: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum NoticeStyle {
    Info,
    Warning,
    Error,
}

/// What a cell's rendering depends on besides its width.
struct Look<'a> {
    theme: &'a Theme,
    expanded: bool,
    /// The key that expands tool output, as the user bound it.
    expand_hint: String,
}

struct Cell {
    kind: CellKind,
    /// Rendered lines and the width (and expansion) they were made for.
    cache: Option<(u16, bool, Vec<Line<'static>>)>,
}

impl Cell {
    fn new(kind: CellKind) -> Self {
        Self { kind, cache: None }
    }

    fn lines(&mut self, width: u16, look: &Look<'_>) -> &[Line<'static>] {
        let expanded = look.expanded;
        let fresh = matches!(&self.cache, Some((w, e, _)) if *w == width && *e == expanded);
        if !fresh {
            let lines = render_cell(&self.kind, width as usize, look);
            self.cache = Some((width, expanded, lines));
        }
        self.cache.as_ref().map_or(&[], |(_, _, l)| l.as_slice())
    }

    fn height(&mut self, width: u16, look: &Look<'_>) -> usize {
        self.lines(width, look).len()
    }

    fn touch(&mut self) {
        self.cache = None;
    }
}

pub struct ChatPane {
    cells: Vec<Cell>,
    /// Tool cells by call id.
    tools: HashMap<String, usize>,
    /// The transcript line at the top of the view while scrolled back;
    /// `None` follows new output at the bottom.
    anchor: Option<Anchor>,
    /// Scrolling asked for since the last draw (resolved when drawing,
    /// where widths and styles are known).
    pending: Option<Scroll>,
    /// Tool outputs shown in full.
    expanded: bool,
    composer: Composer,
    /// Transcript height at the last draw, for page-sized scrolling.
    page: usize,
    /// Messages typed while a turn ran, sent when it ends.
    queued: Vec<String>,
    /// The queued message last sent, until its turn starts (put back in the
    /// queue if the engine refuses it).
    sending_queued: Option<String>,
}

impl Default for ChatPane {
    fn default() -> Self {
        Self::new()
    }
}

impl ChatPane {
    pub fn new() -> Self {
        Self {
            cells: Vec::new(),
            tools: HashMap::new(),
            anchor: None,
            pending: None,
            expanded: false,
            composer: Composer::new(),
            page: 10,
            queued: Vec::new(),
            sending_queued: None,
        }
    }

    /// Forgets the transcript (switching threads); keeps the input.
    pub fn reset(&mut self) {
        self.cells.clear();
        self.tools.clear();
        self.anchor = None;
        self.pending = None;
        // Switching threads keeps unsent messages in the box, not lost.
        let unsent: Vec<String> = self
            .queued
            .drain(..)
            .chain(self.sending_queued.take())
            .collect();
        if !unsent.is_empty() && self.composer.is_empty() {
            self.composer.paste(&unsent.join("\n\n"));
        }
    }

    pub fn composer_is_empty(&self) -> bool {
        self.composer.is_empty()
    }

    /// Puts an unsent message back into an empty message box.
    pub fn restore(&mut self, text: &str) {
        if self.composer.is_empty() {
            self.composer.paste(text);
        }
    }

    pub fn clear_composer(&mut self) {
        self.composer.clear();
    }

    pub fn popup_open(&self) -> bool {
        self.composer.popup_open()
    }

    fn push(&mut self, kind: CellKind) {
        if let CellKind::Tool { call_id, .. } = &kind {
            self.tools.insert(call_id.clone(), self.cells.len());
        }
        self.cells.push(Cell::new(kind));
    }

    fn notice(&mut self, style: NoticeStyle, text: String) {
        self.push(CellKind::Notice { style, text });
    }

    /// Ends any streaming assistant cell (a tool call or the turn's end).
    fn close_stream(&mut self) {
        for cell in self.cells.iter_mut().rev().take(4) {
            if let CellKind::Assistant { streaming, .. } = &mut cell.kind
                && *streaming
            {
                *streaming = false;
                cell.touch();
            }
        }
    }

    fn tool_mut(&mut self, call_id: &str) -> Option<&mut Cell> {
        let i = *self.tools.get(call_id)?;
        self.cells.get_mut(i)
    }

    fn load_snapshot(&mut self, messages: &[MessageView], in_flight: Option<&InFlightTurn>) {
        self.reset();
        for m in messages {
            match m.role.as_str() {
                "user" => self.push(CellKind::User(m.content.clone())),
                "assistant" => {
                    if !m.content.trim().is_empty() {
                        self.push(CellKind::Assistant {
                            turn_id: m.turn_id.clone().unwrap_or_default(),
                            text: m.content.clone(),
                            streaming: false,
                        });
                    }
                    for call in &m.tool_calls {
                        self.push(CellKind::Tool {
                            call_id: call.id.clone(),
                            tool: call.name.clone(),
                            arguments: call.arguments.clone(),
                            state: ToolState::Recorded,
                            note: None,
                            output: String::new(),
                            duration_ms: None,
                            findings: Vec::new(),
                        });
                    }
                }
                "tool" => {
                    if let Some(cell) = m.tool_call_id.as_deref().and_then(|id| self.tool_mut(id))
                        && let CellKind::Tool {
                            output,
                            state,
                            duration_ms,
                            ..
                        } = &mut cell.kind
                    {
                        *output = m.content.clone();
                        if let Some(status) = m.tool_status {
                            *state = ToolState::Done(status);
                        }
                        *duration_ms = m.duration_ms;
                        cell.touch();
                    }
                }
                _ => {}
            }
        }
        if let Some(turn) = in_flight {
            if !self
                .cells
                .iter()
                .any(|c| matches!(&c.kind, CellKind::User(t) if *t == turn.user_text))
            {
                self.push(CellKind::User(turn.user_text.clone()));
            }
            if !turn.text.is_empty() {
                self.push(CellKind::Assistant {
                    turn_id: turn.turn_id.clone(),
                    text: turn.text.clone(),
                    streaming: true,
                });
            }
            for p in &turn.pending_approvals {
                if self.tools.contains_key(&p.call_id) {
                    if let Some(cell) = self.tool_mut(&p.call_id)
                        && let CellKind::Tool { state, .. } = &mut cell.kind
                    {
                        *state = ToolState::Waiting;
                        cell.touch();
                    }
                } else {
                    self.push(CellKind::Tool {
                        call_id: p.call_id.clone(),
                        tool: p.tool.clone(),
                        arguments: p.arguments.to_string(),
                        state: ToolState::Waiting,
                        note: None,
                        output: String::new(),
                        duration_ms: None,
                        findings: Vec::new(),
                    });
                }
            }
        }
    }

    fn submit(&mut self, cx: &mut Cx<'_>) {
        if let Some(choice) = self.composer.popup_choice() {
            // Enter on the popup runs the highlighted command.
            if self.composer.text() != choice {
                self.composer.complete();
            }
        }
        let text = self.composer.take();
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return;
        }
        if let Some(command) = trimmed.strip_prefix('/')
            && !command.contains(char::is_whitespace)
        {
            self.run_command(command, cx);
            return;
        }
        self.anchor = None;
        if cx.session.running.contains(&cx.session.thread) || !self.queued.is_empty() {
            // Sent when the running turn ends, in order.
            self.notice(
                NoticeStyle::Info,
                format!("queued until the current turn ends: {}", text),
            );
            self.queued.push(text);
            return;
        }
        cx.send(Op::UserMessage {
            thread_id: cx.session.thread.clone(),
            text,
            approvals: ApprovalMode::Interactive,
        });
    }

    fn run_command(&mut self, command: &str, cx: &mut Cx<'_>) {
        match command {
            "new" => cx.emit(AppEvent::NewThread),
            "threads" => cx.emit(AppEvent::OpenThreads),
            "model" | "onboard" => cx.emit(AppEvent::OpenOnboarding),
            "compact" => cx.send(Op::Compact {
                thread_id: cx.session.thread.clone(),
            }),
            "clear" => {
                self.reset();
                cx.emit(AppEvent::Notify(
                    "screen cleared; the thread is kept (/threads reopens it)".into(),
                ));
            }
            "help" => cx.emit(AppEvent::OpenHelp),
            "detach" => cx.emit(AppEvent::Detach),
            "quit" | "exit" => cx.emit(AppEvent::Quit),
            other => cx.emit(AppEvent::Notify(format!(
                "unknown command /{}: type / to see the commands",
                truncate(other, 20)
            ))),
        }
    }

    /// Positive scrolls back (towards older lines).
    fn scroll_by(&mut self, lines: isize) {
        self.pending = Some(match self.pending {
            Some(Scroll::By(n)) => Scroll::By(n + lines),
            _ => Scroll::By(lines),
        });
    }
}

impl Pane for ChatPane {
    fn on_event(&mut self, event: &Event, cx: &mut Cx<'_>) {
        let current = cx.session.thread.as_str();
        if let Event::Snapshot {
            thread,
            messages,
            in_flight,
        } = event
        {
            if thread.id == current {
                self.load_snapshot(messages, in_flight.as_ref());
            }
            return;
        }
        if event.thread_id() != Some(current) {
            return;
        }
        match event {
            Event::TurnStarted { user_text, .. } => {
                self.sending_queued = None;
                self.close_stream();
                self.push(CellKind::User(user_text.clone()));
            }
            Event::TextDelta { turn_id, delta, .. } => {
                if let Some(cell) = self.cells.last_mut()
                    && let CellKind::Assistant { turn_id: t, text, streaming: true } = &mut cell.kind
                    && t == turn_id
                {
                    text.push_str(delta);
                    cell.touch();
                    return;
                }
                self.push(CellKind::Assistant {
                    turn_id: turn_id.clone(),
                    text: delta.clone(),
                    streaming: true,
                });
            }
            Event::ToolCallStarted { call_id, tool, arguments, .. } => {
                self.close_stream();
                self.push(CellKind::Tool {
                    call_id: call_id.clone(),
                    tool: tool.clone(),
                    arguments: compact_args(arguments),
                    state: ToolState::Running,
                    note: None,
                    output: String::new(),
                    duration_ms: None,
                    findings: Vec::new(),
                });
            }
            Event::ApprovalRequested { call_id, .. } => {
                if let Some(cell) = self.tool_mut(call_id)
                    && let CellKind::Tool { state, .. } = &mut cell.kind
                {
                    *state = ToolState::Waiting;
                    cell.touch();
                }
            }
            Event::ApprovalResolved { call_id, decision, reason, .. } => {
                if let Some(cell) = self.tool_mut(call_id)
                    && let CellKind::Tool { state, note, .. } = &mut cell.kind
                {
                    if *state == ToolState::Waiting {
                        *state = ToolState::Running;
                    }
                    let what = match decision {
                        crate::protocol::ApprovalDecision::Once => "approved once",
                        crate::protocol::ApprovalDecision::Session => "approved for this session",
                        crate::protocol::ApprovalDecision::Deny => "denied",
                    };
                    *note = Some(match reason {
                        Some(r) => format!("{what}: {r}"),
                        None => what.to_string(),
                    });
                    cell.touch();
                }
            }
            Event::ToolCallFinished { call_id, status, output, duration_ms, findings, .. } => {
                if let Some(cell) = self.tool_mut(call_id)
                    && let CellKind::Tool { state, output: out, duration_ms: d, findings: f, .. } = &mut cell.kind
                {
                    *state = ToolState::Done(*status);
                    *out = output.clone();
                    *d = Some(*duration_ms);
                    *f = findings
                        .iter()
                        .map(|f| format!("{}: {}", format!("{:?}", f.severity).to_lowercase(), f.message))
                        .collect();
                    cell.touch();
                }
            }
            Event::TurnFinished { outcome, .. } => {
                self.close_stream();
                if !self.queued.is_empty() {
                    let text = self.queued.remove(0);
                    self.sending_queued = Some(text.clone());
                    cx.send(Op::UserMessage {
                        thread_id: cx.session.thread.clone(),
                        text,
                        approvals: ApprovalMode::Interactive,
                    });
                }
                match outcome {
                    TurnOutcome::Completed => {}
                    TurnOutcome::Interrupted => self.notice(NoticeStyle::Warning, "interrupted".into()),
                    // The Error event that preceded it says what happened.
                    TurnOutcome::Failed { .. } => {}
                }
            }
            Event::Compacted { summarized_messages, .. } => self.notice(
                NoticeStyle::Info,
                format!("compacted: {summarized_messages} older messages are now a summary in the model's context"),
            ),
            Event::Error { kind, .. } if kind == "thread_busy" && self.sending_queued.is_some() => {
                // Another client started a turn first: wait for it.
                if let Some(text) = self.sending_queued.take() {
                    self.queued.insert(0, text);
                }
            }
            Event::Error { message, hint, .. } => {
                let text = match hint {
                    Some(h) => format!("{message}\nfix: {h}"),
                    None => message.clone(),
                };
                self.notice(NoticeStyle::Error, text);
            }
            Event::Warning { message, .. } => self.notice(NoticeStyle::Warning, message.clone()),
            _ => {}
        }
    }

    fn on_action(&mut self, action: Action, cx: &mut Cx<'_>) -> bool {
        match action {
            Action::Send => self.submit(cx),
            Action::Newline => self.composer.newline(),
            Action::Interrupt => {
                if self.composer.popup_open() {
                    self.composer.clear();
                } else if cx.session.running.contains(&cx.session.thread) {
                    cx.send(Op::Interrupt {
                        thread_id: cx.session.thread.clone(),
                    });
                } else if self.anchor.is_some() {
                    self.pending = Some(Scroll::Bottom);
                }
            }
            Action::HistoryPrev => {
                if self.composer.popup_open() {
                    self.composer.popup_move(-1);
                } else {
                    return self.composer.history_prev();
                }
            }
            Action::HistoryNext => {
                if self.composer.popup_open() {
                    self.composer.popup_move(1);
                } else {
                    return self.composer.history_next();
                }
            }
            Action::NextPane if self.composer.popup_open() => self.composer.complete(),
            Action::ScrollUp => self.scroll_by(self.page.saturating_sub(2).max(1) as isize),
            Action::ScrollDown => self.scroll_by(-(self.page.saturating_sub(2).max(1) as isize)),
            Action::ScrollTop => self.pending = Some(Scroll::Top),
            Action::ScrollBottom => self.pending = Some(Scroll::Bottom),
            Action::ToggleTools => {
                self.expanded = !self.expanded;
            }
            _ => return false,
        }
        true
    }

    fn on_key(&mut self, key: KeyEvent, _cx: &mut Cx<'_>) {
        // Home/End scroll the transcript when there is no text to move in.
        if self.composer.is_empty() {
            match key.code {
                KeyCode::Home => {
                    self.pending = Some(Scroll::Top);
                    return;
                }
                KeyCode::End => {
                    self.pending = Some(Scroll::Bottom);
                    return;
                }
                _ => {}
            }
        }
        self.composer.input(key);
    }

    fn on_paste(&mut self, text: &str, _cx: &mut Cx<'_>) {
        self.composer.paste(text);
    }

    fn on_scroll(&mut self, lines: isize) {
        self.scroll_by(lines);
    }

    fn captures_text(&self) -> bool {
        !self.composer.is_empty()
    }

    fn render(&mut self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let busy = view.session.running.contains(&view.session.thread);
        let composer_h = self
            .composer
            .height(area.width)
            .min(area.height.saturating_sub(3));
        let [transcript, input] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(composer_h)]).areas(area);
        self.render_transcript(frame, transcript, view);
        self.composer.render(frame, input, view, busy);
        self.composer.render_popup(frame, input, view);
    }
}

impl ChatPane {
    fn render_transcript(&mut self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let t = view.theme;
        let width = area.width.saturating_sub(1).max(1); // one column of margin
        let height = area.height as usize;
        self.page = height.max(1);
        if self.cells.is_empty() {
            let lines = welcome(view, width as usize);
            frame.render_widget(Paragraph::new(lines), area);
            return;
        }
        let look = Look {
            theme: t,
            expanded: self.expanded,
            expand_hint: view.keymap.hint(Action::ToggleTools),
        };
        let mut view_ = Transcript {
            cells: &mut self.cells,
            width,
            look: &look,
        };
        if let Some(scroll) = self.pending.take() {
            self.anchor = match scroll {
                Scroll::Top => Some(Anchor { cell: 0, line: 0 }),
                Scroll::Bottom => None,
                Scroll::By(n) => {
                    let top = match self.anchor {
                        Some(a) => view_.clamp(a),
                        None => view_.bottom_top(height),
                    };
                    Some(if n >= 0 {
                        view_.up(top, n as usize)
                    } else {
                        view_.down(top, n.unsigned_abs())
                    })
                }
            };
        }
        // Scrolled back to where the end is on screen: follow again.
        if let Some(a) = self.anchor {
            let a = view_.clamp(a);
            self.anchor = (!view_.reaches_end(a, height)).then_some(a);
        }
        let top = match self.anchor {
            Some(a) => a,
            None => view_.bottom_top(height),
        };
        let lines = view_.lines_from(top, height);
        frame.render_widget(Paragraph::new(lines), area);
        if self.anchor.is_some() {
            let label = format!(" more below · {} ", view.keymap.hint(Action::ScrollBottom));
            let w = width_u16(&label).min(area.width);
            let badge = Rect::new(area.right() - w, area.bottom() - 1, w, 1);
            frame.render_widget(Span::styled(label, t.status_key), badge);
        }
    }
}

/// A transcript position: a cell and a line within it (the blank line
/// after each cell counts as its last line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Anchor {
    cell: usize,
    line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scroll {
    /// Lines; positive goes back.
    By(isize),
    Top,
    Bottom,
}

/// The cells at one width and look: every walk wraps only the cells it
/// passes, so a 10,000-message thread costs what is on screen.
struct Transcript<'a, 'b> {
    cells: &'a mut Vec<Cell>,
    width: u16,
    look: &'a Look<'b>,
}

impl Transcript<'_, '_> {
    /// Lines of a cell including the blank line after it.
    fn h(&mut self, cell: usize) -> usize {
        self.cells[cell].height(self.width, self.look) + 1
    }

    fn clamp(&mut self, a: Anchor) -> Anchor {
        if self.cells.is_empty() {
            return Anchor { cell: 0, line: 0 };
        }
        let cell = a.cell.min(self.cells.len() - 1);
        let line = a.line.min(self.h(cell) - 1);
        Anchor { cell, line }
    }

    /// The top line when the last line is at the bottom of `height` rows.
    fn bottom_top(&mut self, height: usize) -> Anchor {
        let end = Anchor {
            cell: self.cells.len() - 1,
            line: self.h(self.cells.len() - 1) - 1,
        };
        self.up(end, height.saturating_sub(1))
    }

    fn up(&mut self, mut a: Anchor, mut n: usize) -> Anchor {
        while n > 0 {
            if a.line > 0 {
                let k = a.line.min(n);
                a.line -= k;
                n -= k;
            } else if a.cell > 0 {
                a.cell -= 1;
                a.line = self.h(a.cell) - 1;
                n -= 1;
            } else {
                break;
            }
        }
        a
    }

    fn down(&mut self, mut a: Anchor, mut n: usize) -> Anchor {
        while n > 0 {
            let h = self.h(a.cell);
            if a.line + 1 < h {
                let k = (h - 1 - a.line).min(n);
                a.line += k;
                n -= k;
            } else if a.cell + 1 < self.cells.len() {
                a.cell += 1;
                a.line = 0;
                n -= 1;
            } else {
                break;
            }
        }
        a
    }

    /// Whether `height` rows from `a` show the transcript's last line.
    fn reaches_end(&mut self, a: Anchor, height: usize) -> bool {
        let mut rows = self.h(a.cell) - a.line;
        let mut cell = a.cell + 1;
        while rows < height && cell < self.cells.len() {
            rows += self.h(cell);
            cell += 1;
        }
        cell == self.cells.len() && rows <= height
    }

    fn lines_from(&mut self, a: Anchor, height: usize) -> Vec<Line<'static>> {
        let mut out = Vec::with_capacity(height);
        let mut cell = a.cell;
        let mut skip = a.line;
        while out.len() < height && cell < self.cells.len() {
            let lines = self.cells[cell].lines(self.width, self.look);
            for line in lines
                .iter()
                .chain(std::iter::once(&Line::default()))
                .skip(skip)
            {
                if out.len() == height {
                    break;
                }
                out.push(line.clone());
            }
            skip = 0;
            cell += 1;
        }
        out
    }
}

fn width_u16(s: &str) -> u16 {
    text::width(s).min(u16::MAX as usize) as u16
}

fn welcome(view: &View<'_>, width: usize) -> Vec<Line<'static>> {
    let t = view.theme;
    let k = view.keymap;
    let mut lines = vec![
        Line::from(Span::styled("IronClaw", t.title)),
        Line::default(),
    ];
    let body = if view.session.model.is_empty() {
        "No model is configured yet: type /model to choose one (a local Ollama or llama.cpp server works). Every pane is usable without one."
            .to_string()
    } else {
        format!(
            "Type a message and press {}. Tools ask before they run. {} panes · {} threads · {} help.",
            k.hint(Action::Send),
            k.hint(Action::NextPane),
            k.hint(Action::Threads),
            k.hint(Action::Help)
        )
    };
    lines.extend(wrap_plain(&body, t.muted, width, ""));
    lines
}

/// Arguments on one line: `{"path":"a.txt"}` → `path="a.txt"`.
fn compact_args(args: &Value) -> String {
    match args {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => format!("{k}={s:?}"),
                other => format!("{k}={other}"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

fn render_cell(kind: &CellKind, width: usize, look: &Look<'_>) -> Vec<Line<'static>> {
    let t = look.theme;
    let expanded = look.expanded;
    let expand_hint = &look.expand_hint;
    match kind {
        CellKind::User(text) => {
            let text = sanitize(text);
            let mut out = Vec::new();
            for (i, line) in text.split('\n').enumerate() {
                let prefix = if i == 0 { "> " } else { "  " };
                let spans = [
                    Span::styled(prefix, t.user),
                    Span::styled(line.to_string(), t.user),
                ];
                out.extend(crate::tui::text::wrap_line(&spans, width, "  "));
            }
            out
        }
        CellKind::Assistant {
            text, streaming, ..
        } => {
            let text = sanitize(text);
            let mut lines = markdown::render(&text, width, t);
            if *streaming {
                let cursor = Span::styled(if t.glyphs.ascii { "_" } else { "▌" }, t.accent);
                match lines.last_mut() {
                    Some(last) if last.width() < width => last.spans.push(cursor),
                    _ => lines.push(Line::from(cursor)),
                }
            }
            lines
        }
        CellKind::Tool {
            tool,
            arguments,
            state,
            note,
            output,
            duration_ms,
            findings,
            ..
        } => {
            let g = &t.glyphs;
            let (mark, style, status) = match state {
                ToolState::Running => (g.running[0], t.accent, "running".to_string()),
                ToolState::Waiting => ("?", t.warning, "waiting for approval".to_string()),
                ToolState::Done(ToolStatus::Ok) => (g.ok, t.success, "ok".to_string()),
                ToolState::Done(s) => (g.failed, t.error, s.as_str().replace('_', " ")),
                ToolState::Recorded => (g.ok, t.muted, "done".to_string()),
            };
            let fold = if expanded { g.expanded } else { g.collapsed };
            let mut head = vec![
                Span::styled(format!("{fold} "), t.muted),
                Span::styled(format!("{mark} "), style),
                Span::styled(
                    sanitize(tool).into_owned(),
                    t.tool.add_modifier(Modifier::BOLD),
                ),
                Span::raw(" "),
            ];
            let mut tail = format!(" · {status}");
            if let Some(ms) = duration_ms {
                tail.push_str(&format!(" · {}", human_ms(*ms)));
            }
            let room = width
                .saturating_sub(head.iter().map(Span::width).sum::<usize>() + text::width(&tail));
            let args = sanitize(arguments).replace('\n', " ");
            head.push(Span::styled(
                truncate(&args, room.max(8)).into_owned(),
                t.muted,
            ));
            head.push(Span::styled(tail, style));
            let mut out = crate::tui::text::wrap_line(&head, width, "    ");
            if let Some(note) = note {
                out.extend(
                    wrap_plain(&sanitize(note), t.muted, width, "    ")
                        .into_iter()
                        .map(|l| indent(l, "    ")),
                );
            }
            for f in findings {
                out.extend(
                    wrap_plain(
                        &format!("safety: {}", sanitize(f)),
                        t.warning,
                        width.saturating_sub(4),
                        "  ",
                    )
                    .into_iter()
                    .map(|l| indent(l, "    ")),
                );
            }
            if !output.is_empty() {
                let clean = sanitize(output);
                let all: Vec<&str> = clean.trim_end().split('\n').collect();
                let limit = if expanded {
                    EXPANDED_OUTPUT_LINES
                } else {
                    COLLAPSED_OUTPUT_LINES
                };
                let room = width.saturating_sub(4).max(1);
                for line in all.iter().take(limit) {
                    if expanded {
                        for wrapped in wrap_hard(&[Span::styled(line.to_string(), t.muted)], room) {
                            out.push(indent(wrapped, "    "));
                        }
                    } else {
                        // Collapsed: one row per output line.
                        let cut = truncate(line, room).into_owned();
                        out.push(indent(Line::from(Span::styled(cut, t.muted)), "    "));
                    }
                }
                if all.len() > limit {
                    let more = format!(
                        "    … {} more lines ({expand_hint} to expand)",
                        all.len() - limit
                    );
                    out.push(Line::from(Span::styled(
                        truncate(&more, width).into_owned(),
                        t.muted,
                    )));
                }
            }
            out
        }
        CellKind::Notice { style, text } => {
            let (s, label) = match style {
                NoticeStyle::Info => (t.muted, "note"),
                NoticeStyle::Warning => (t.warning, "warning"),
                NoticeStyle::Error => (t.error, "error"),
            };
            let text = format!("{label}: {}", sanitize(text));
            wrap_plain(&text, s, width, "  ")
        }
    }
}

fn indent(line: Line<'static>, prefix: &'static str) -> Line<'static> {
    let mut spans = vec![Span::raw(prefix)];
    spans.extend(line.spans);
    Line::from(spans)
}

fn human_ms(ms: u64) -> String {
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1_000.0)
    } else {
        format!("{}m{:02}s", ms / 60_000, (ms / 1_000) % 60)
    }
}
