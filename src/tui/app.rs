//! The application state: panes, overlays, the status bar, and how keys and
//! engine events reach them.
//!
//! [`App`] is pure state: it takes engine events ([`App::on_engine`]) and
//! terminal input ([`App::on_terminal`]) and draws frames ([`App::render`]).
//! What it wants done outside itself (send an op, quit, probe for local model
//! servers) comes out of [`App::take_effects`]. That keeps it drivable by
//! snapshot tests and benchmarks exactly as the real loop drives it.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

use crossterm::event::{
    Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::external::{EditOutcome, ExternalEdit};
use super::keymap::{Action, Keymap};
use super::overlays::approval::ApprovalOverlay;
use super::overlays::help::HelpOverlay;
use super::overlays::onboarding::{LocalServer, Onboarding};
use super::overlays::threads::ThreadsOverlay;
use super::panes::chat::ChatPane;
use super::panes::extensions::ExtensionsPane;
use super::panes::jobs::JobsPane;
use super::panes::logs::LogsPane;
use super::panes::memory::MemoryPane;
use super::panes::{Pane, PaneId};
use super::text::{sanitize, truncate, width};
use super::theme::Theme;
use crate::protocol::{Event, EventMsg, Op, ThreadId, ThreadInfo, TokenUsage};

/// Below this the UI shows a notice instead of panes.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;

/// Something a pane or overlay asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum AppEvent {
    Send(Op),
    OpenThreads,
    NewThread,
    SwitchThread(ThreadId),
    OpenHelp,
    OpenOnboarding,
    /// Show a short message in the status bar.
    Notify(String),
    Quit,
    /// Leave, with the daemon and its work still running.
    Detach,
    /// Look for Ollama / llama.cpp servers on their default ports.
    DetectLocalServers,
    /// Edit a memory document in `$VISUAL`/`$EDITOR`.
    EditExternally(ExternalEdit),
}

/// What the app loop must do for the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Send(Op),
    Quit,
    DetectLocalServers,
    /// Hand the terminal to the user's editor, then call
    /// [`App::on_external_edit`] with the result.
    EditExternally(ExternalEdit),
}

/// A [`Cx`] from the app's fields (a macro, so the borrow stays field by
/// field and the panes can be borrowed beside it).
macro_rules! cx {
    ($app:ident) => {
        Cx {
            theme: &$app.theme,
            keymap: &$app.keymap,
            session: &$app.session,
            out: &mut $app.events,
        }
    };
}

/// What every pane may read: the connection, the model, the thread.
#[derive(Debug, Clone, Default)]
pub struct Session {
    pub connected: bool,
    /// A `hello` arrived at least once (before it: "connecting").
    pub ever_connected: bool,
    pub provider: String,
    pub model: String,
    pub context_window: u64,
    /// Tokens of the last context sent in the current thread.
    pub context_tokens: u64,
    pub usage: TokenUsage,
    pub thread: ThreadId,
    pub thread_title: String,
    pub threads: Vec<ThreadInfo>,
    /// Threads with a turn running.
    pub running: HashSet<ThreadId>,
    pub home: PathBuf,
    /// The engine is the background daemon's, not this process's.
    pub daemon: bool,
    /// Animation frame, advanced while something runs.
    pub tick: usize,
}

impl Session {
    pub fn thread_title(&self, id: &str) -> String {
        self.threads
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.title.clone())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| short_id(id))
    }
}

pub fn short_id(id: &str) -> String {
    id.chars()
        .rev()
        .take(8)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect()
}

/// Handed to panes and overlays while they handle input or events.
pub struct Cx<'a> {
    pub theme: &'a Theme,
    pub keymap: &'a Keymap,
    pub session: &'a Session,
    pub out: &'a mut Vec<AppEvent>,
}

impl Cx<'_> {
    pub fn send(&mut self, op: Op) {
        self.out.push(AppEvent::Send(op));
    }
    pub fn emit(&mut self, event: AppEvent) {
        self.out.push(event);
    }
}

/// Handed to panes and overlays while they draw.
pub struct View<'a> {
    pub theme: &'a Theme,
    pub keymap: &'a Keymap,
    pub session: &'a Session,
}

enum Overlay {
    Help(HelpOverlay),
    Threads(ThreadsOverlay),
    Onboarding(Box<Onboarding>),
}

pub struct AppOptions {
    pub theme: Theme,
    pub keymap: Keymap,
    pub home: PathBuf,
    /// Open the onboarding dialog at start (`ironclaw onboard`).
    pub onboard: bool,
    /// Connected to the background daemon (detaching leaves it running).
    pub daemon: bool,
}

pub struct App {
    theme: Theme,
    keymap: Keymap,
    session: Session,
    pane: PaneId,
    panes: Panes,
    overlay: Option<Overlay>,
    approvals: ApprovalOverlay,
    /// Thread whose snapshot is awaited; its events are skipped until then.
    awaiting_snapshot: Option<ThreadId>,
    onboard_at_start: bool,
    onboarding_offered: bool,
    notice: Option<(String, Instant)>,
    events: Vec<AppEvent>,
    effects: Vec<Effect>,
    quit: bool,
    /// A quit was refused once because of unsaved edits; the next quits.
    quit_armed: bool,
    /// Per-thread context tokens, for the status bar when switching.
    context_by_thread: HashMap<ThreadId, u64>,
}

impl App {
    pub fn new(opts: AppOptions) -> Self {
        let session = Session {
            thread: crate::engine::new_id(),
            home: opts.home.clone(),
            daemon: opts.daemon,
            ..Session::default()
        };
        let mut app = Self {
            panes: Panes {
                chat: ChatPane::new(),
                jobs: JobsPane::default(),
                memory: MemoryPane::new(),
                logs: LogsPane::default(),
                extensions: ExtensionsPane::default(),
            },
            theme: opts.theme,
            keymap: opts.keymap,
            session,
            pane: PaneId::Chat,
            overlay: None,
            approvals: ApprovalOverlay::default(),
            awaiting_snapshot: None,
            onboard_at_start: opts.onboard,
            onboarding_offered: false,
            notice: None,
            events: Vec::new(),
            effects: Vec::new(),
            quit: false,
            quit_armed: false,
            context_by_thread: HashMap::new(),
        };
        app.effects.push(Effect::Send(Op::ListThreads));
        app.effects.push(Effect::Send(Op::ListTools));
        app.effects.push(Effect::Send(Op::SubscribeLogs));
        app.effects
            .extend(MemoryPane::initial_ops().map(Effect::Send));
        app
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// Whether time-based redraws are needed (spinners, elapsed times).
    pub fn wants_ticks(&self) -> bool {
        !self.session.running.is_empty() || self.notice.is_some()
    }

    pub fn tick(&mut self) {
        self.session.tick = self.session.tick.wrapping_add(1);
        if self
            .notice
            .as_ref()
            .is_some_and(|(_, at)| at.elapsed().as_secs() >= 5)
        {
            self.notice = None;
        }
    }

    pub fn take_effects(&mut self) -> Vec<Effect> {
        self.pump();
        std::mem::take(&mut self.effects)
    }

    /// The external editor finished: `Ok(None)` nothing changed,
    /// `Ok(Some(text))` save it, `Err` why nothing can be saved.
    pub fn on_external_edit(&mut self, edit: ExternalEdit, result: EditOutcome) {
        let mut cx = cx!(self);
        self.panes.memory.external_edit_done(edit, result, &mut cx);
    }

    /// The connection to the engine was lost.
    pub fn on_disconnected(&mut self, why: &str) {
        self.session.connected = false;
        self.panes.memory.save_not_sent();
        self.session.running.clear();
        self.approvals.clear();
        self.panes.jobs.engine_lost();
        self.notify(format!("engine disconnected: {why}"));
    }

    /// An op could not be sent (no engine): a message goes back into the
    /// box, and the user is told.
    pub fn on_not_sent(&mut self, op: Op) {
        if let Op::MemoryWrite { .. } = op {
            self.panes.memory.save_not_sent();
            self.notify(
                "not saved: the engine is not connected (the text stays in the editor)".into(),
            );
        } else if let Op::UserMessage { text, .. } = op {
            self.panes.chat.restore(&text);
            self.notify(
                "not sent: the engine is not connected (your message is back in the box)".into(),
            );
        } else {
            self.notify("not connected to the engine: try again when it is back".into());
        }
    }

    /// The daemon is back: catch up on what happened meanwhile.
    pub fn on_reconnected(&mut self) {
        self.notify("reconnected to the engine".into());
        self.effects.push(Effect::Send(Op::ListTools));
        self.effects.push(Effect::Send(Op::SubscribeLogs));
        self.effects
            .extend(MemoryPane::initial_ops().map(Effect::Send));
        self.resync();
    }

    pub fn on_local_servers(&mut self, servers: Vec<LocalServer>) {
        if let Some(Overlay::Onboarding(o)) = &mut self.overlay {
            o.set_detected(servers);
        }
    }

    /// Events were missed (the client fell behind): reload the thread.
    pub fn resync(&mut self) {
        let current = self.session.thread.clone();
        if self.session.threads.iter().any(|t| t.id == current) {
            self.events.push(AppEvent::SwitchThread(current));
        }
        self.events.push(AppEvent::Send(Op::ListThreads));
        self.pump();
    }

    fn notify(&mut self, message: String) {
        self.notice = Some((message, Instant::now()));
    }

    // ----- engine events -------------------------------------------------

    pub fn on_engine(&mut self, msg: EventMsg) {
        let event = msg.event;
        self.update_session(&event);
        // While a thread's snapshot is on its way, the chat skips that
        // thread's events (the snapshot reflects them); every other part of
        // the app still needs them (a turn finishing, an approval closing).
        let mut chat_skips = false;
        if let Event::Snapshot { thread, .. } = &event {
            if self.awaiting_snapshot.as_deref() != Some(thread.id.as_str()) {
                return; // a snapshot another client of this connection asked for
            }
            self.awaiting_snapshot = None;
        } else if let (Some(waiting), Some(thread)) = (&self.awaiting_snapshot, event.thread_id())
            && waiting == thread
        {
            chat_skips = true;
        }
        self.approvals.on_event(&event);
        if let Some(Overlay::Onboarding(o)) = &mut self.overlay {
            let mut cx = cx!(self);
            o.on_event(&event, &mut cx);
        }
        if let (Some(Overlay::Threads(t)), Event::Threads { threads }) = (&mut self.overlay, &event)
        {
            t.set_threads(threads.clone());
        }
        let mut cx = cx!(self);
        for (i, pane) in self.panes.all().into_iter().enumerate() {
            if i == PaneId::Chat.index() && chat_skips {
                continue;
            }
            pane.on_event(&event, &mut cx);
        }
        self.after_event(&event);
        self.pump();
    }

    fn update_session(&mut self, event: &Event) {
        let s = &mut self.session;
        match event {
            Event::Hello {
                provider,
                model,
                context_window,
                ..
            } => {
                s.connected = true;
                s.ever_connected = true;
                s.provider = provider.clone();
                s.model = model.clone();
                s.context_window = *context_window;
            }
            Event::ProviderChanged { provider, model } => {
                s.provider = provider.clone();
                s.model = model.clone();
            }
            Event::ThreadCreated { thread } => {
                if thread.id == s.thread {
                    s.thread_title = thread.title.clone();
                }
                if !s.threads.iter().any(|t| t.id == thread.id) {
                    s.threads.insert(0, thread.clone());
                }
            }
            Event::Threads { threads } => s.threads = threads.clone(),
            Event::Snapshot { thread, .. } if thread.id == s.thread => {
                s.thread_title = thread.title.clone();
                s.context_tokens = self.context_by_thread.get(&thread.id).copied().unwrap_or(0);
            }
            Event::TurnStarted { thread_id, .. } => {
                s.running.insert(thread_id.clone());
            }
            Event::TurnFinished {
                thread_id,
                usage,
                context_tokens,
                ..
            } => {
                s.running.remove(thread_id);
                s.usage.input_tokens += usage.input_tokens;
                s.usage.output_tokens += usage.output_tokens;
                s.usage.llm_calls += usage.llm_calls;
                self.context_by_thread
                    .insert(thread_id.clone(), *context_tokens);
                if *thread_id == s.thread {
                    s.context_tokens = *context_tokens;
                }
            }
            Event::ShuttingDown => {
                s.connected = false;
                s.running.clear();
            }
            _ => {}
        }
    }

    fn after_event(&mut self, event: &Event) {
        match event {
            Event::Hello { model, .. } => {
                let wanted = self.onboard_at_start || model.is_empty();
                if wanted && !self.onboarding_offered {
                    self.onboarding_offered = true;
                    self.events.push(AppEvent::OpenOnboarding);
                }
            }
            Event::Error {
                thread_id: None,
                message,
                ..
            } => self.notify(sanitize(message).into_owned()),
            Event::SecretsUpdated { message } => self.notify(sanitize(message).into_owned()),
            Event::Warning {
                thread_id: None,
                message,
                ..
            } => self.notify(sanitize(message).into_owned()),
            Event::ShuttingDown => self.notify("the engine is shutting down".into()),
            _ => {}
        }
    }

    // ----- terminal input -------------------------------------------------

    pub fn on_terminal(&mut self, event: TermEvent) {
        match event {
            TermEvent::Key(key) if key.kind != KeyEventKind::Release => self.on_key(key),
            TermEvent::Paste(text) => {
                let text = sanitize(&text).into_owned();
                if let Some(Overlay::Onboarding(o)) = &mut self.overlay {
                    o.on_paste(&text);
                } else if self.overlay.is_none() && !self.approvals.is_open() {
                    let mut cx = cx!(self);
                    self.panes.get(self.pane).on_paste(&text, &mut cx);
                }
            }
            TermEvent::Mouse(m) => {
                let lines = match m.kind {
                    MouseEventKind::ScrollUp => 3,
                    MouseEventKind::ScrollDown => -3,
                    _ => 0,
                };
                if lines != 0 && self.overlay.is_none() {
                    self.panes.get(self.pane).on_scroll(lines);
                }
            }
            _ => {}
        }
        self.pump();
    }

    fn on_key(&mut self, key: KeyEvent) {
        let action = self.keymap.action(&key);
        let ctrl_c =
            key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);

        // An approval waiting is answered before anything else.
        if self.approvals.is_open() {
            if action == Some(Action::Quit) {
                self.request_quit();
                return;
            }
            let mut cx = cx!(self);
            self.approvals.on_key(key, &mut cx);
            return;
        }
        if let Some(overlay) = &mut self.overlay {
            if action == Some(Action::Quit) {
                self.request_quit();
                return;
            }
            let mut cx = cx!(self);
            let close = match overlay {
                Overlay::Help(h) => h.on_key(key, action),
                Overlay::Threads(t) => t.on_key(key, action, &mut cx),
                Overlay::Onboarding(o) => o.on_key(key, action, &mut cx),
            };
            if close {
                self.overlay = None;
            }
            return;
        }

        if ctrl_c {
            self.ctrl_c();
            return;
        }
        // A binding on a plain character (`?`, or one from `[tui.keys]`)
        // yields to typing while the pane is taking text.
        let action = if self.panes.captures_text(self.pane)
            && super::keymap::Key::from_event(&key).is_text()
        {
            None
        } else {
            action
        };
        match action {
            Some(Action::Quit) => self.request_quit(),
            Some(Action::Help) => self.overlay = Some(Overlay::Help(HelpOverlay::default())),
            Some(Action::PaneChat) => self.pane = PaneId::Chat,
            Some(Action::PaneJobs) => self.pane = PaneId::Jobs,
            Some(Action::PaneMemory) => self.pane = PaneId::Memory,
            Some(Action::PaneLogs) => self.pane = PaneId::Logs,
            Some(Action::PaneExtensions) => self.pane = PaneId::Extensions,
            Some(Action::NextPane) if !self.pane_wants_tab() => self.pane = self.pane.offset(1),
            Some(Action::PrevPane) => self.pane = self.pane.offset(-1),
            Some(Action::Threads) => self.events.push(AppEvent::OpenThreads),
            Some(Action::Detach) => self.events.push(AppEvent::Detach),
            Some(Action::NewThread) => self.events.push(AppEvent::NewThread),
            Some(action) => {
                let mut cx = cx!(self);
                let pane = self.panes.get(self.pane);
                if !pane.on_action(action, &mut cx) {
                    pane.on_key(key, &mut cx);
                }
            }
            None => {
                let mut cx = cx!(self);
                self.panes.get(self.pane).on_key(key, &mut cx);
            }
        }
    }

    /// Ctrl-C: stop the running turn, else clear the input, else quit.
    fn ctrl_c(&mut self) {
        if self.session.running.contains(&self.session.thread) {
            self.events.push(AppEvent::Send(Op::Interrupt {
                thread_id: self.session.thread.clone(),
            }));
        } else if !self.panes.chat.composer_is_empty() {
            self.panes.chat.clear_composer();
        } else {
            self.request_quit();
        }
    }

    /// Quits, unless the Memory editor holds unsaved text: then it says so
    /// once (and shows the editor); asking again quits anyway.
    fn request_quit(&mut self) {
        if self.panes.memory.has_unsaved() && !self.quit_armed {
            self.quit_armed = true;
            self.pane = PaneId::Memory;
            self.notify(
                "unsaved changes in the Memory editor: Ctrl-S saves, Esc discards; quit again to leave without saving"
                    .into(),
            );
        } else {
            self.quit = true;
        }
    }

    fn pane_wants_tab(&self) -> bool {
        self.pane == PaneId::Chat && self.panes.chat.popup_open()
    }

    /// Carries out app-internal events; queues the rest as effects.
    fn pump(&mut self) {
        while !self.events.is_empty() {
            for event in std::mem::take(&mut self.events) {
                match event {
                    AppEvent::Send(op) => self.effects.push(Effect::Send(op)),
                    AppEvent::Quit => self.request_quit(),
                    AppEvent::Detach => {
                        if self.session.daemon {
                            self.request_quit();
                        } else {
                            self.notify(
                                "the engine runs inside this window (--in-process): quitting stops it; `ironclaw daemon start` runs it in the background"
                                    .into(),
                            );
                        }
                    }
                    AppEvent::DetectLocalServers => self.effects.push(Effect::DetectLocalServers),
                    AppEvent::EditExternally(edit) => {
                        self.effects.push(Effect::EditExternally(edit))
                    }
                    AppEvent::Notify(m) => self.notify(m),
                    AppEvent::OpenHelp => {
                        self.overlay = Some(Overlay::Help(HelpOverlay::default()))
                    }
                    AppEvent::OpenThreads => {
                        self.overlay = Some(Overlay::Threads(ThreadsOverlay::new(
                            self.session.threads.clone(),
                            &self.session.thread,
                        )));
                        self.effects.push(Effect::Send(Op::ListThreads));
                    }
                    AppEvent::OpenOnboarding => {
                        self.overlay = Some(Overlay::Onboarding(Box::default()));
                        self.effects.push(Effect::DetectLocalServers);
                    }
                    AppEvent::NewThread => {
                        self.session.thread = crate::engine::new_id();
                        self.session.thread_title.clear();
                        self.session.context_tokens = 0;
                        self.awaiting_snapshot = None;
                        self.panes.chat.reset();
                        self.pane = PaneId::Chat;
                        self.notify(
                            "new thread: it is saved when you send the first message".into(),
                        );
                    }
                    AppEvent::SwitchThread(id) => {
                        self.session.thread_title = self.session.thread_title(&id);
                        self.session.thread = id.clone();
                        self.session.context_tokens =
                            self.context_by_thread.get(&id).copied().unwrap_or(0);
                        self.panes.chat.reset();
                        self.pane = PaneId::Chat;
                        self.awaiting_snapshot = Some(id.clone());
                        self.effects
                            .push(Effect::Send(Op::Snapshot { thread_id: id }));
                    }
                }
            }
        }
    }

    // ----- drawing ---------------------------------------------------------

    pub fn render(&mut self, frame: &mut Frame<'_>) {
        self.draw(frame);
        if self.theme.glyphs.ascii {
            super::text::asciify(frame.buffer_mut());
        }
    }

    fn draw(&mut self, frame: &mut Frame<'_>) {
        let area = frame.area();
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            self.approvals.hidden();
            self.render_too_small(frame, area);
            return;
        }
        let [bar, body, status] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(area);
        self.render_pane_bar(frame, bar);
        let view = View {
            theme: &self.theme,
            keymap: &self.keymap,
            session: &self.session,
        };
        self.panes.get(self.pane).render(frame, body, &view);
        self.render_status(frame, status);
        match &mut self.overlay {
            Some(Overlay::Help(h)) => h.render(frame, body, &view),
            Some(Overlay::Threads(t)) => t.render(frame, body, &view),
            Some(Overlay::Onboarding(o)) => o.render(frame, body, &view),
            None => {}
        }
        if self.approvals.is_open() {
            self.approvals.render(frame, body, &view);
        }
    }

    fn render_too_small(&self, frame: &mut Frame<'_>, area: Rect) {
        frame.render_widget(Clear, area);
        let text = format!(
            "Terminal too small: {}x{}. IronClaw needs at least {MIN_WIDTH}x{MIN_HEIGHT}. Enlarge the window, or press {} to quit.",
            area.width,
            area.height,
            self.keymap.hint(Action::Quit)
        );
        frame.render_widget(
            Paragraph::new(text)
                .style(self.theme.warning)
                .wrap(Wrap { trim: true }),
            area,
        );
    }

    fn render_pane_bar(&self, frame: &mut Frame<'_>, area: Rect) {
        let t = &self.theme;
        let mut spans = Vec::new();
        for (i, pane) in PaneId::ALL.iter().enumerate() {
            let label = format!(" {} {} ", i + 1, pane.title());
            let style = if *pane == self.pane {
                t.selection
            } else {
                t.muted
            };
            spans.push(Span::styled(label, style));
            if *pane == PaneId::Jobs && !self.session.running.is_empty() {
                spans.push(Span::styled(
                    format!("({}) ", self.session.running.len()),
                    t.accent,
                ));
            }
        }
        let used: usize = spans.iter().map(|s| s.width()).sum();
        let brand = " IronClaw ";
        if used + width(brand) < area.width as usize {
            spans.push(Span::raw(
                " ".repeat(area.width as usize - used - width(brand)),
            ));
            spans.push(Span::styled(brand, t.title));
        }
        frame.render_widget(Line::from(spans), area);
    }

    fn render_status(&self, frame: &mut Frame<'_>, area: Rect) {
        let t = &self.theme;
        let s = &self.session;
        let sep = Span::styled(format!(" {} ", t.glyphs.separator), t.status);
        let mut left: Vec<Span<'static>> = Vec::new();
        let (conn, conn_style) = match (s.connected, s.daemon) {
            (false, _) if !s.ever_connected => ("connecting", t.status),
            (true, true) => ("daemon", t.status),
            (true, false) => ("local", t.status),
            (false, true) => ("engine disconnected, reconnecting", t.error),
            (false, false) => ("engine stopped", t.error),
        };
        left.push(Span::styled(
            format!(" {conn}"),
            conn_style.patch(Style::default()),
        ));
        left.push(sep.clone());
        if s.model.is_empty() {
            left.push(Span::styled("no model (/model to set up)", t.warning));
        } else {
            left.push(Span::styled(
                sanitize(&format!("{}:{}", s.provider, s.model)).into_owned(),
                t.status,
            ));
        }
        left.push(sep.clone());
        let title = if s.thread_title.is_empty() {
            "new thread".to_string()
        } else {
            sanitize(&s.thread_title).into_owned()
        };
        left.push(Span::styled(truncate(&title, 24).into_owned(), t.status));
        if s.context_window > 0 && s.context_tokens > 0 {
            let pct = (s.context_tokens * 100 / s.context_window).min(999);
            let style = if pct >= 80 { t.warning } else { t.status };
            left.push(sep.clone());
            left.push(Span::styled(
                format!(
                    "ctx {pct}% ({}/{})",
                    kilo(s.context_tokens),
                    kilo(s.context_window)
                ),
                style,
            ));
        }
        if s.usage.llm_calls > 0 {
            left.push(sep.clone());
            left.push(Span::styled(
                format!(
                    "tokens {} in / {} out",
                    kilo(s.usage.input_tokens),
                    kilo(s.usage.output_tokens)
                ),
                t.status,
            ));
        }
        if !s.running.is_empty() {
            let frames = t.glyphs.running;
            left.push(sep.clone());
            left.push(Span::styled(
                format!(
                    "{} {} running",
                    frames[s.tick % frames.len()],
                    s.running.len()
                ),
                t.accent,
            ));
        }
        let right: Vec<Span<'static>> = match &self.notice {
            Some((message, _)) => vec![Span::styled(
                format!(" {} ", truncate(message, 60)),
                t.status_key,
            )],
            None => vec![
                Span::styled(
                    format!(" {} ", self.keymap.hint(Action::Help)),
                    t.status_key,
                ),
                Span::styled(" help ", t.status),
            ],
        };
        let total = area.width as usize;
        let right_w: usize = right.iter().map(Span::width).sum();
        let mut spans = Vec::new();
        let mut used = 0;
        for span in left {
            let w = span.width();
            if used + w + right_w > total {
                break;
            }
            used += w;
            spans.push(span);
        }
        if used + right_w <= total {
            spans.push(Span::styled(" ".repeat(total - used - right_w), t.status));
            spans.extend(right);
        } else {
            spans.push(Span::styled(" ".repeat(total - used), t.status));
        }
        frame.render_widget(Line::from(spans), area);
    }
}

/// The five panes, each reachable by its id.
struct Panes {
    chat: ChatPane,
    jobs: JobsPane,
    memory: MemoryPane,
    logs: LogsPane,
    extensions: ExtensionsPane,
}

impl Panes {
    fn get(&mut self, id: PaneId) -> &mut dyn Pane {
        match id {
            PaneId::Chat => &mut self.chat,
            PaneId::Jobs => &mut self.jobs,
            PaneId::Memory => &mut self.memory,
            PaneId::Logs => &mut self.logs,
            PaneId::Extensions => &mut self.extensions,
        }
    }

    fn captures_text(&self, id: PaneId) -> bool {
        match id {
            PaneId::Chat => self.chat.captures_text(),
            PaneId::Jobs => self.jobs.captures_text(),
            PaneId::Memory => self.memory.captures_text(),
            PaneId::Logs => self.logs.captures_text(),
            PaneId::Extensions => self.extensions.captures_text(),
        }
    }

    fn all(&mut self) -> [&mut dyn Pane; 5] {
        [
            &mut self.chat,
            &mut self.jobs,
            &mut self.memory,
            &mut self.logs,
            &mut self.extensions,
        ]
    }
}

/// 1234 → "1.2k", 128000 → "128k".
pub fn kilo(n: u64) -> String {
    match n {
        0..1_000 => n.to_string(),
        1_000..10_000 => format!("{:.1}k", n as f64 / 1_000.0),
        10_000..1_000_000 => format!("{}k", n / 1_000),
        _ => format!("{:.1}M", n as f64 / 1_000_000.0),
    }
}
