//! The Memory pane: the workspace tree, a document reader and editor, live
//! hybrid search, and the indexer's and model's status.
//!
//! Everything comes from the engine ([`Op::MemoryTree`], [`Op::MemoryRead`],
//! [`Op::MemorySearch`], [`Event::MemoryStatus`]) and follows
//! [`Event::MemoryChanged`], so a note the agent writes appears at once.
//! Saving sends the version the editor started from: if the document
//! changed meanwhile the engine refuses, and the edit stays in the editor.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui_textarea::{TextArea, WrapMode};

use super::Pane;
use crate::protocol::{Event, MemoryDocument, MemoryEntry, MemoryHit, MemoryStatus, Op, WriteMode};
use crate::tui::app::{AppEvent, Cx, View};
use crate::tui::external::{EditOutcome, ExternalEdit};
use crate::tui::keymap::Action;
use crate::tui::text::{sanitize, truncate, wrap_plain};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Focus {
    Tree,
    Search,
    Results,
    Document,
    Editor,
    /// Typing the path of a new document.
    NewPath,
    /// `d` pressed: `y` deletes.
    ConfirmDelete,
}

pub struct MemoryPane {
    focus: Focus,
    entries: Option<Vec<MemoryEntry>>,
    selected: usize,
    query: String,
    /// The query the shown results answer.
    results_for: String,
    results: Vec<MemoryHit>,
    notices: Vec<String>,
    took_ms: u64,
    result_selected: usize,
    document: Option<MemoryDocument>,
    /// The document changed in the engine since it was loaded.
    stale: bool,
    doc_scroll: u16,
    editor: Option<Editor>,
    new_path: String,
    status: Option<MemoryStatus>,
    message: Option<String>,
    /// A tree request is on its way; changes meanwhile set `tree_dirty`
    /// and one more request follows the reply (an import of thousands of
    /// notes asks for the tree a few times, not thousands).
    tree_pending: bool,
    tree_dirty: bool,
}

struct Editor {
    path: String,
    /// The version the edit started from (0: a new document).
    base_version: u64,
    textarea: TextArea<'static>,
    original: String,
    /// Esc once with unsaved changes arms this; Esc again discards.
    discard_armed: bool,
    /// The text sent by Ctrl-S, until the engine answers: the stored
    /// document (sent to this client only) or an error.
    pending_save: Option<String>,
    /// Text from the external editor: once saved, the pane shows the
    /// document again (a refused save keeps the text here instead).
    close_when_saved: bool,
}

impl Editor {
    fn new(path: String, base_version: u64, text: &str) -> Self {
        let mut textarea = TextArea::new(text.split('\n').map(str::to_string).collect());
        textarea.set_wrap_mode(WrapMode::WordOrGlyph);
        textarea.set_cursor_line_style(ratatui::style::Style::default());
        Self {
            path,
            base_version,
            textarea,
            original: text.to_string(),
            discard_armed: false,
            pending_save: None,
            close_when_saved: false,
        }
    }

    fn text(&self) -> String {
        self.textarea.lines().join("\n")
    }

    fn modified(&self) -> bool {
        self.text() != self.original
    }
}

impl Default for MemoryPane {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryPane {
    pub fn new() -> Self {
        Self {
            focus: Focus::Tree,
            entries: None,
            selected: 0,
            query: String::new(),
            results_for: String::new(),
            results: Vec::new(),
            notices: Vec::new(),
            took_ms: 0,
            result_selected: 0,
            document: None,
            stale: false,
            doc_scroll: 0,
            editor: None,
            new_path: String::new(),
            status: None,
            message: None,
            tree_pending: true,
            tree_dirty: false,
        }
    }

    fn refresh_tree(&mut self, cx: &mut Cx<'_>) {
        if self.tree_pending {
            self.tree_dirty = true;
        } else {
            self.tree_pending = true;
            cx.send(Op::MemoryTree { prefix: None });
        }
    }

    /// The ops that fill the pane (sent at start and after a reconnect).
    pub fn initial_ops() -> [Op; 2] {
        [Op::MemoryTree { prefix: None }, Op::MemoryStatus]
    }

    fn selected_path(&self) -> Option<&str> {
        self.entries
            .as_ref()?
            .get(self.selected)
            .map(|e| e.path.as_str())
    }

    fn open(&mut self, path: String, cx: &mut Cx<'_>) {
        cx.send(Op::MemoryRead {
            path,
            version: None,
        });
        self.focus = Focus::Document;
        self.doc_scroll = 0;
    }

    fn search(&mut self, cx: &mut Cx<'_>) {
        let query = self.query.trim().to_string();
        if query.is_empty() {
            self.results.clear();
            self.notices.clear();
            self.results_for.clear();
            return;
        }
        cx.send(Op::MemorySearch { query, limit: 20 });
    }

    fn edit_current(&mut self) {
        if let Some(doc) = &self.document
            && doc.version == doc.latest_version
        {
            self.editor = Some(Editor::new(doc.path.clone(), doc.version, &doc.content));
            self.focus = Focus::Editor;
            self.message = None;
        }
    }

    /// `E`: the open document in `$VISUAL`/`$EDITOR` (the latest version
    /// only, as for `e`).
    fn edit_externally(&mut self, cx: &mut Cx<'_>) {
        match &self.document {
            Some(doc) if doc.version == doc.latest_version => {
                cx.emit(AppEvent::EditExternally(ExternalEdit {
                    path: doc.path.clone(),
                    base_version: doc.version,
                    text: doc.content.clone(),
                }));
                self.message = Some(format!("editing {} in your editor…", doc.path));
            }
            Some(_) => {
                self.message = Some("this is an old version; open the latest to edit it".into())
            }
            None => {
                self.message =
                    Some("open a document first (Enter); then E edits it in $EDITOR".into())
            }
        }
    }

    /// The external editor is done: changed text is saved against the
    /// version it started from, through the in-pane editor, so a refused
    /// save (someone wrote meanwhile) keeps the text there, unsaved.
    pub fn external_edit_done(&mut self, edit: ExternalEdit, result: EditOutcome, cx: &mut Cx<'_>) {
        let into_pane = |edit: ExternalEdit, text: &str| {
            let mut editor = Editor::new(edit.path, edit.base_version, &edit.text);
            editor.textarea = Editor::new(String::new(), 0, text).textarea;
            editor
        };
        match result {
            EditOutcome::Unchanged => self.message = Some(format!("no changes to {}", edit.path)),
            EditOutcome::Changed(text) => {
                let mut editor = into_pane(edit, &text);
                editor.close_when_saved = true;
                self.editor = Some(editor);
                self.focus = Focus::Editor;
                self.save(cx);
            }
            EditOutcome::Failed {
                why,
                text: Some(text),
            } => {
                self.editor = Some(into_pane(edit, &text));
                self.focus = Focus::Editor;
                self.message = Some(why);
            }
            EditOutcome::Failed { why, text: None } => self.message = Some(why),
        }
    }

    /// A save could not reach the engine: the text stays in the editor,
    /// unsaved, and Ctrl-S tries again.
    pub fn save_not_sent(&mut self) {
        if let Some(editor) = &mut self.editor
            && editor.pending_save.take().is_some()
        {
            self.message = Some(format!(
                "{} not saved: the engine is not connected; Ctrl-S saves once it is back",
                editor.path
            ));
        }
    }

    fn save(&mut self, cx: &mut Cx<'_>) {
        let Some(editor) = &mut self.editor else {
            return;
        };
        if editor.pending_save.is_some() {
            self.message = Some("still saving; wait for the answer".into());
            return;
        }
        let text = editor.text();
        cx.send(Op::MemoryWrite {
            path: editor.path.clone(),
            content: text.clone(),
            mode: WriteMode::Replace,
            expected_version: Some(editor.base_version),
        });
        editor.pending_save = Some(text);
        self.message = Some(format!("saving {}…", editor.path));
    }

    /// Whether the editor holds text that is not saved.
    pub fn has_unsaved(&self) -> bool {
        self.editor
            .as_ref()
            .is_some_and(|e| e.modified() || e.pending_save.is_some())
    }

    fn on_editor_key(&mut self, key: KeyEvent, cx: &mut Cx<'_>) {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let Some(editor) = &mut self.editor else {
            self.focus = Focus::Tree;
            return;
        };
        match key.code {
            KeyCode::Char('s') if ctrl => self.save(cx),
            KeyCode::Esc => {
                if !editor.modified() || editor.discard_armed {
                    self.editor = None;
                    self.focus = if self.document.is_some() {
                        Focus::Document
                    } else {
                        Focus::Tree
                    };
                    self.message = None;
                } else {
                    editor.discard_armed = true;
                    self.message =
                        Some("unsaved changes: Ctrl-S saves, Esc again discards them".into());
                }
            }
            _ => {
                editor.discard_armed = false;
                editor.textarea.input(key);
            }
        }
    }

    fn move_selection(&mut self, delta: isize) {
        match self.focus {
            Focus::Results => {
                let n = self.results.len();
                self.result_selected = self
                    .result_selected
                    .saturating_add_signed(delta)
                    .min(n.saturating_sub(1));
            }
            Focus::Document => {
                self.doc_scroll = self.doc_scroll.saturating_add_signed(delta as i16);
            }
            _ => {
                let n = self.entries.as_ref().map_or(0, Vec::len);
                self.selected = self
                    .selected
                    .saturating_add_signed(delta)
                    .min(n.saturating_sub(1));
            }
        }
    }
}

impl Pane for MemoryPane {
    fn on_event(&mut self, event: &Event, cx: &mut Cx<'_>) {
        match event {
            Event::MemoryTree { entries } => {
                self.tree_pending = false;
                if std::mem::take(&mut self.tree_dirty) {
                    self.refresh_tree(cx);
                }
                let keep = self.selected_path().map(str::to_string);
                self.entries = Some(entries.clone());
                if let Some(path) = keep
                    && let Some(i) = entries.iter().position(|e| e.path == path)
                {
                    self.selected = i;
                }
                self.selected = self.selected.min(entries.len().saturating_sub(1));
            }
            Event::MemoryDocument { document } => {
                // Our save's confirmation: the stored text is what we sent.
                if let Some(editor) = &mut self.editor
                    && editor.path == document.path
                    && editor.pending_save.as_deref() == Some(document.content.as_str())
                {
                    editor.pending_save = None;
                    editor.base_version = document.version;
                    editor.original = document.content.clone();
                    self.stale = false;
                    self.message = Some(format!(
                        "saved {} (version {})",
                        document.path, document.version
                    ));
                    if editor.close_when_saved {
                        self.editor = None;
                        self.focus = Focus::Document;
                    }
                }
                self.document = Some(document.clone());
                if self.editor.is_none() {
                    self.stale = false;
                }
            }
            // Live search: only the answer to what is typed now counts.
            Event::MemorySearchResults {
                query,
                hits,
                notices,
                took_ms,
            } if query.trim() == self.query.trim() => {
                self.results_for = query.clone();
                self.results = hits.clone();
                self.notices = notices.clone();
                self.took_ms = *took_ms;
                self.result_selected = self.result_selected.min(hits.len().saturating_sub(1));
            }
            Event::MemoryStatus { status } => self.status = Some(status.clone()),
            Event::MemoryChanged { path, version, .. } => {
                self.refresh_tree(cx);
                if let Some(editor) = &self.editor
                    && editor.path == *path
                {
                    // Someone else's write (ours is confirmed by the reply
                    // above): saving will be refused, never overwrite it.
                    if editor.pending_save.is_none() && *version != editor.base_version {
                        self.stale = true;
                    }
                } else if self.document.as_ref().is_some_and(|d| d.path == *path) {
                    cx.send(Op::MemoryRead {
                        path: path.clone(),
                        version: None,
                    });
                }
                // Refresh the results, unless a search is already on its way.
                if !self.query.trim().is_empty() && self.results_for.trim() == self.query.trim() {
                    self.results_for.clear();
                    self.search(cx);
                }
            }
            Event::Error {
                kind,
                message,
                thread_id: None,
                ..
            } if kind == "memory" || kind == "database" => {
                // A refused save keeps the text in the editor, unsaved.
                if let Some(editor) = &mut self.editor {
                    editor.pending_save = None;
                    editor.close_when_saved = false;
                }
                self.message = Some(message.clone());
            }
            _ => {}
        }
    }

    fn on_action(&mut self, action: Action, cx: &mut Cx<'_>) -> bool {
        if matches!(
            self.focus,
            Focus::Editor | Focus::NewPath | Focus::Search | Focus::ConfirmDelete
        ) {
            // Raw keys: the editor and the inputs handle Enter, arrows, Esc.
            return false;
        }
        match action {
            Action::HistoryPrev => self.move_selection(-1),
            Action::HistoryNext => self.move_selection(1),
            Action::ScrollUp => self.move_selection(-10),
            Action::ScrollDown => self.move_selection(10),
            Action::Send => match self.focus {
                Focus::Results => {
                    if let Some(hit) = self.results.get(self.result_selected) {
                        let path = hit.path.clone();
                        self.open(path, cx);
                    }
                }
                Focus::Tree => {
                    if let Some(path) = self.selected_path().map(str::to_string) {
                        self.open(path, cx);
                    }
                }
                _ => {}
            },
            Action::Interrupt => {
                self.focus = match self.focus {
                    Focus::Document if !self.results.is_empty() => Focus::Results,
                    _ => Focus::Tree,
                };
                self.message = None;
            }
            _ => return false,
        }
        true
    }

    fn on_key(&mut self, key: KeyEvent, cx: &mut Cx<'_>) {
        match self.focus {
            Focus::Editor => return self.on_editor_key(key, cx),
            Focus::Search => {
                match key.code {
                    KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                        self.query.push(c);
                        self.search(cx);
                    }
                    KeyCode::Backspace => {
                        self.query.pop();
                        self.search(cx);
                    }
                    KeyCode::Enter | KeyCode::Down => {
                        self.focus = if self.results.is_empty() {
                            Focus::Tree
                        } else {
                            Focus::Results
                        };
                    }
                    KeyCode::Esc => {
                        self.query.clear();
                        self.search(cx);
                        self.focus = Focus::Tree;
                    }
                    _ => {}
                }
                return;
            }
            Focus::NewPath => {
                match key.code {
                    KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                        self.new_path.push(c)
                    }
                    KeyCode::Backspace => {
                        self.new_path.pop();
                    }
                    KeyCode::Enter => match crate::memory::normalize_path(&self.new_path) {
                        Ok(path) => {
                            if self
                                .entries
                                .as_ref()
                                .is_some_and(|e| e.iter().any(|e| e.path == path))
                            {
                                self.message =
                                    Some(format!("{path} exists; open it from the tree"));
                            } else {
                                self.document = None;
                                self.editor = Some(Editor::new(path, 0, ""));
                                self.focus = Focus::Editor;
                                self.message = Some("new document: Ctrl-S saves".into());
                            }
                        }
                        Err(e) => self.message = Some(e.to_string()),
                    },
                    KeyCode::Esc => {
                        self.focus = Focus::Tree;
                        self.message = None;
                    }
                    _ => {}
                }
                return;
            }
            Focus::ConfirmDelete => {
                if key.code == KeyCode::Char('y')
                    && let Some(path) = self.selected_path().map(str::to_string)
                {
                    cx.send(Op::MemoryDelete { path: path.clone() });
                    self.message = Some(format!("deleted {path} (its versions are kept)"));
                    if self.document.as_ref().is_some_and(|d| d.path == path) {
                        self.document = None;
                    }
                } else {
                    self.message = None;
                }
                self.focus = Focus::Tree;
                return;
            }
            _ => {}
        }
        match key.code {
            KeyCode::Char('/') | KeyCode::Char('s') => self.focus = Focus::Search,
            KeyCode::Char('e') => {
                if self.focus == Focus::Tree
                    && let Some(path) = self.selected_path().map(str::to_string)
                    && self.document.as_ref().is_none_or(|d| d.path != path)
                {
                    // Open first; `e` again edits once it has arrived.
                    self.open(path, cx);
                    self.message = Some("opening… press e again to edit".into());
                } else {
                    self.edit_current();
                }
            }
            KeyCode::Char('E') => self.edit_externally(cx),
            KeyCode::Char('n') => {
                self.new_path = self
                    .selected_path()
                    .and_then(|p| p.rsplit_once('/'))
                    .map(|(dir, _)| format!("{dir}/"))
                    .unwrap_or_default();
                self.focus = Focus::NewPath;
            }
            KeyCode::Char('d') if self.focus == Focus::Tree && self.selected_path().is_some() => {
                self.focus = Focus::ConfirmDelete;
            }
            KeyCode::Char('r') => {
                self.refresh_tree(cx);
                cx.send(Op::MemoryStatus);
            }
            KeyCode::Char('R') => {
                cx.send(Op::MemoryReindex);
                self.message =
                    Some("reindexing: both indexes are rebuilt from the database".into());
            }
            KeyCode::Left => self.focus = Focus::Tree,
            KeyCode::Right if self.document.is_some() => self.focus = Focus::Document,
            _ => {}
        }
    }

    fn on_paste(&mut self, text: &str, _cx: &mut Cx<'_>) {
        match self.focus {
            Focus::Editor => {
                if let Some(editor) = &mut self.editor {
                    editor.textarea.insert_str(text);
                }
            }
            Focus::Search => self.query.push_str(&text.replace(['\n', '\r'], " ")),
            Focus::NewPath => self.new_path.push_str(text.trim()),
            _ => {}
        }
    }

    fn captures_text(&self) -> bool {
        matches!(
            self.focus,
            Focus::Editor | Focus::Search | Focus::NewPath | Focus::ConfirmDelete
        )
    }

    fn render(&mut self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let t = view.theme;
        let hints = match self.focus {
            Focus::Editor => "Ctrl-S save · Esc close",
            Focus::Search => "type to search · Enter results · Esc clear",
            Focus::NewPath => "path of the new document · Enter create · Esc cancel",
            Focus::ConfirmDelete => "y delete · any other key cancels",
            _ => "Enter open · / search · e edit · E $EDITOR · n new · d delete · R reindex",
        };
        let inner = super::framed(frame, area, "Memory", hints, t);
        if inner.height < 4 || inner.width < 20 {
            return;
        }
        let [body, footer] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(inner);
        let tree_w = (body.width / 3).clamp(18.min(body.width), 40);
        let [left, right] =
            Layout::horizontal([Constraint::Length(tree_w), Constraint::Min(10)]).areas(body);
        self.render_tree(frame, left, view);
        let [search, main] =
            Layout::vertical([Constraint::Length(3), Constraint::Min(1)]).areas(right);
        self.render_search_box(frame, search, view);
        match self.focus {
            Focus::Editor => self.render_editor(frame, main, view),
            Focus::Document => self.render_document(frame, main, view),
            _ if !self.query.trim().is_empty() => self.render_results(frame, main, view),
            _ if self.document.is_some() => self.render_document(frame, main, view),
            _ => {
                let w = main.width as usize;
                let mut lines = wrap_plain(
                    "Notes, daily logs and identity files, searchable by keyword and by meaning. \
                     Select a document and press Enter to read it, e to edit it; / searches.",
                    t.muted,
                    w,
                    "",
                );
                lines.push(Line::default());
                lines.extend(wrap_plain(
                    "From a shell: ironclaw memory import DIR (a folder of notes), ironclaw memory search QUERY.",
                    t.muted,
                    w,
                    "",
                ));
                frame.render_widget(Paragraph::new(lines), main);
            }
        }
        self.render_footer(frame, footer, view);
    }
}

impl MemoryPane {
    fn render_tree(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let t = view.theme;
        let focused = matches!(
            self.focus,
            Focus::Tree | Focus::ConfirmDelete | Focus::NewPath
        );
        let block = Block::default()
            .borders(Borders::RIGHT)
            .border_set(t.glyphs.border)
            .border_style(if focused { t.border_focus } else { t.border });
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let w = inner.width as usize;
        let Some(entries) = &self.entries else {
            frame.render_widget(Paragraph::new(Span::styled("loading…", t.muted)), inner);
            return;
        };
        if entries.is_empty() {
            frame.render_widget(Paragraph::new(Span::styled("(empty)", t.muted)), inner);
            return;
        }
        // Folder rows are inserted where the folder changes.
        let mut rows: Vec<(Line<'static>, Option<usize>)> = Vec::new();
        let mut open: Vec<&str> = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            let parts: Vec<&str> = e.path.split('/').collect();
            let dirs = &parts[..parts.len() - 1];
            let common = open.iter().zip(dirs).take_while(|(a, b)| a == b).count();
            open.truncate(common);
            for (depth, d) in dirs.iter().enumerate().skip(common) {
                let text = format!("{}{}/", "  ".repeat(depth), sanitize(d));
                rows.push((
                    Line::from(Span::styled(truncate(&text, w).into_owned(), t.accent)),
                    None,
                ));
                open.push(d);
            }
            let name = format!(
                "{}{}",
                "  ".repeat(dirs.len()),
                sanitize(parts[parts.len() - 1])
            );
            let style = if i == self.selected && focused {
                t.selection
            } else if i == self.selected {
                t.accent
            } else {
                t.text
            };
            rows.push((
                Line::from(Span::styled(truncate(&name, w).into_owned(), style)),
                Some(i),
            ));
        }
        let height = inner.height as usize;
        let sel_row = rows
            .iter()
            .position(|(_, i)| *i == Some(self.selected))
            .unwrap_or(0);
        let top = sel_row.saturating_sub(height.saturating_sub(1));
        let lines: Vec<Line> = rows
            .into_iter()
            .skip(top)
            .take(height)
            .map(|(l, _)| l)
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }

    fn render_search_box(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let t = view.theme;
        let focused = self.focus == Focus::Search;
        let (label, text) = if self.focus == Focus::NewPath {
            (" new document ", self.new_path.as_str())
        } else {
            (" search ", self.query.as_str())
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(t.glyphs.border)
            .border_style(if focused || self.focus == Focus::NewPath {
                t.border_focus
            } else {
                t.border
            })
            .title(Span::styled(label, t.title));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let w = inner.width as usize;
        let shown = sanitize(text);
        let mut spans = vec![Span::styled(
            truncate(&shown, w.saturating_sub(1)).into_owned(),
            t.text,
        )];
        if focused || self.focus == Focus::NewPath {
            spans.push(Span::styled("_", t.accent));
        } else if text.is_empty() {
            spans.push(Span::styled(
                "press / to search by keyword and meaning",
                t.muted,
            ));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), inner);
    }

    fn render_results(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let t = view.theme;
        let w = area.width as usize;
        let mut lines: Vec<Line> = Vec::new();
        for n in &self.notices {
            lines.extend(wrap_plain(&format!("note: {n}"), t.warning, w, "  "));
        }
        if self.results_for.trim() != self.query.trim() {
            lines.push(Line::from(Span::styled("searching…", t.muted)));
        } else if self.results.is_empty() {
            lines.push(Line::from(Span::styled(
                format!("no matches ({} ms)", self.took_ms),
                t.muted,
            )));
        } else {
            lines.push(Line::from(Span::styled(
                format!("{} results in {} ms", self.results.len(), self.took_ms),
                t.muted,
            )));
        }
        let rank = |r: Option<u32>| r.map_or("-".to_string(), |r| format!("#{r}"));
        for (i, h) in self.results.iter().enumerate() {
            let selected = i == self.result_selected && self.focus == Focus::Results;
            let head = format!(
                "{}  keyword {} · meaning {} · {:.4}",
                sanitize(&h.path),
                rank(h.fulltext_rank),
                rank(h.vector_rank),
                h.score
            );
            lines.push(Line::from(Span::styled(
                truncate(&head, w).into_owned(),
                if selected { t.selection } else { t.accent },
            )));
            let snippet = format!("  {}", sanitize(&h.snippet));
            lines.extend(wrap_plain(&snippet, t.text, w, "  ").into_iter().take(2));
        }
        // Keep the selected result on screen.
        let height = area.height as usize;
        let skip = (self.result_selected * 3 + 2).saturating_sub(height.saturating_sub(1));
        let skip = if self.focus == Focus::Results {
            skip
        } else {
            0
        };
        let lines: Vec<Line> = lines.into_iter().skip(skip).collect();
        frame.render_widget(Paragraph::new(lines), area);
    }

    fn render_document(&mut self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let t = view.theme;
        let Some(doc) = &self.document else {
            frame.render_widget(Paragraph::new(Span::styled("loading…", t.muted)), area);
            return;
        };
        let w = area.width as usize;
        let mut head = format!("{} · version {}", sanitize(&doc.path), doc.version);
        if doc.version != doc.latest_version {
            head.push_str(&format!(" (latest is {})", doc.latest_version));
        }
        if self.stale {
            head.push_str(" · changed since opened");
        }
        let mut lines = vec![Line::from(Span::styled(
            truncate(&head, w).into_owned(),
            t.heading,
        ))];
        lines.extend(crate::tui::markdown::render(&doc.content, w, t));
        let max = lines.len().saturating_sub(area.height as usize) as u16;
        self.doc_scroll = self.doc_scroll.min(max);
        frame.render_widget(Paragraph::new(lines).scroll((self.doc_scroll, 0)), area);
    }

    fn render_editor(&mut self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let t = view.theme;
        let Some(editor) = &mut self.editor else {
            return;
        };
        let [head, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        let mut title = format!("editing {}", sanitize(&editor.path));
        if editor.modified() {
            title.push_str(" *");
        }
        if self.stale {
            title.push_str(" · changed elsewhere: saving will be refused");
        }
        frame.render_widget(
            Paragraph::new(Span::styled(
                truncate(&title, head.width as usize).into_owned(),
                t.heading,
            )),
            head,
        );
        editor.textarea.set_style(t.text);
        frame.render_widget(&editor.textarea, body);
    }

    fn render_footer(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let t = view.theme;
        let w = area.width as usize;
        let line = if let Some(m) = &self.message {
            Line::from(Span::styled(
                truncate(&sanitize(m), w).into_owned(),
                t.warning,
            ))
        } else if let Some(s) = &self.status {
            let index = if s.indexing {
                format!(
                    "indexing: {}/{} chunks have vectors, {} document(s) pending",
                    s.embedded_chunks, s.chunks, s.pending_documents
                )
            } else {
                format!("{} documents, {} chunks", s.documents, s.chunks)
            };
            let model = match s.model_state.as_str() {
                "ready" => format!("model {} ready", s.model),
                other => format!("model {other}: keyword search only"),
            };
            let style = if s.model_state == "ready" {
                t.muted
            } else {
                t.warning
            };
            Line::from(Span::styled(
                truncate(&format!("{index} · {model}"), w).into_owned(),
                style,
            ))
        } else {
            Line::from(Span::styled(
                "asking the engine for the memory status…",
                t.muted,
            ))
        };
        frame.render_widget(Paragraph::new(line), area);
    }
}
