//! Snapshots of the terminal workstation, drawn through ratatui's
//! `TestBackend` at 80×24 and 120×40. Every screen is reached the way the
//! real loop reaches it: engine events in (`App::on_engine`), keys in
//! (`App::on_terminal`); nothing pokes the app's internals.
//!
//! Review changes with `cargo insta review` (or set `INSTA_UPDATE=always`
//! and read the diff in `tests/snapshots/`).

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use ironclaw::protocol::{
    ApprovalDecision, Event, EventMsg, LogRecord, ThreadInfo, TokenUsage, ToolInfo, ToolStatus,
    TurnOutcome,
};
use ironclaw::safety::{Action as SafetyAction, Finding, FindingKind, Severity};
use ironclaw::tools::Risk;
use ironclaw::tui::keymap::Keymap;
use ironclaw::tui::theme::{ColorDepth, Theme};
use ironclaw::tui::{App, AppOptions};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

struct Harness {
    app: App,
    seq: u64,
}

impl Harness {
    fn new() -> Harness {
        Self::with(false)
    }

    fn with(onboard: bool) -> Harness {
        Self::themed("dark", ColorDepth::TrueColor, false, onboard)
    }

    fn themed(name: &str, depth: ColorDepth, ascii: bool, onboard: bool) -> Harness {
        let theme = Theme::load(name, std::path::Path::new("/nonexistent"), depth, ascii).unwrap();
        let app = App::new(AppOptions {
            theme,
            keymap: Keymap::default(),
            home: "/home/user/.ironclaw".into(),
            onboard,
            daemon: false,
        });
        let mut h = Harness { app, seq: 0 };
        h.event(Event::Hello {
            protocol_version: ironclaw::protocol::PROTOCOL_VERSION,
            engine_version: "0.1.0".into(),
            provider: "openai".into(),
            model: "gpt-test".into(),
            context_window: 128_000,
        });
        h
    }

    fn event(&mut self, event: Event) {
        self.seq += 1;
        self.app.on_engine(EventMsg {
            seq: self.seq,
            to: None,
            event,
        });
    }

    fn key(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.app
            .on_terminal(TermEvent::Key(KeyEvent::new(code, mods)));
    }

    fn press(&mut self, code: KeyCode) {
        self.key(code, KeyModifiers::NONE);
    }

    fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c));
        }
    }

    fn thread(&self) -> String {
        self.app.session().thread.clone()
    }

    fn render(&mut self, w: u16, h: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| self.app.render(f)).unwrap();
        format!("{}", terminal.backend())
    }

    /// A finished turn with Markdown and a tool call, then a second turn
    /// streaming.
    fn conversation(&mut self) {
        let t = self.thread();
        self.event(Event::ThreadCreated {
            thread: ThreadInfo {
                id: t.clone(),
                title: "Tidy the release notes".into(),
                created_at: 1_700_000_000_000,
                updated_at: 1_700_000_000_000,
                message_count: 0,
            },
        });
        self.event(Event::TurnStarted {
            thread_id: t.clone(),
            turn_id: "turn-1".into(),
            user_text: "What changed in the release notes? Keep it short.".into(),
        });
        self.event(Event::ToolCallStarted {
            thread_id: t.clone(),
            turn_id: "turn-1".into(),
            call_id: "c1".into(),
            tool: "read_file".into(),
            arguments: json!({"path": "CHANGELOG.md"}),
            risk: Risk::Low,
        });
        self.event(Event::ToolCallFinished {
            thread_id: t.clone(),
            turn_id: "turn-1".into(),
            call_id: "c1".into(),
            tool: "read_file".into(),
            status: ToolStatus::Ok,
            output: "## 2.1.0\n- incremental sync\n- crash fix when the config dir is missing\n- new cache format\n- faster start\n\u{1b}[2J\u{1b}]0;pwned\u{7}end".into(),
            duration_ms: 12,
            findings: vec![Finding {
                kind: FindingKind::Injection,
                rule: "injection.terminal_escape".into(),
                severity: Severity::Medium,
                action: SafetyAction::Sanitize,
                message: "terminal escape sequences removed".into(),
                excerpt: String::new(),
            }],
        });
        for delta in [
            "## Release 2.1\n\n",
            "The release adds **incremental sync** and fixes a crash.\n\n",
            "- Read the *migration notes* first\n- The cache format changed: `~/.cache/app` is ignored\n\n",
            "```sh\napp migrate --dry-run\n```\n\nSee [the guide](https://example.com/guide) — 日本語もOK 😀.",
        ] {
            self.event(Event::TextDelta {
                thread_id: t.clone(),
                turn_id: "turn-1".into(),
                delta: delta.into(),
            });
        }
        self.event(Event::TurnFinished {
            thread_id: t.clone(),
            turn_id: "turn-1".into(),
            outcome: TurnOutcome::Completed,
            usage: TokenUsage {
                input_tokens: 2_400,
                output_tokens: 180,
                llm_calls: 2,
            },
            context_tokens: 2_600,
        });
        self.event(Event::TurnStarted {
            thread_id: t.clone(),
            turn_id: "turn-2".into(),
            user_text: "And the second point?".into(),
        });
        self.event(Event::TextDelta {
            thread_id: t,
            turn_id: "turn-2".into(),
            delta: "The crash happened when the configuration".into(),
        });
    }

    fn approval(&mut self) {
        let t = self.thread();
        self.event(Event::ToolCallStarted {
            thread_id: t.clone(),
            turn_id: "turn-2".into(),
            call_id: "c2".into(),
            tool: "shell".into(),
            arguments: json!({"command": "cargo test --release 2>&1 | tail -n 20"}),
            risk: Risk::High,
        });
        self.event(Event::ApprovalRequested {
            thread_id: t,
            turn_id: "turn-2".into(),
            call_id: "c2".into(),
            tool: "shell".into(),
            arguments: json!({"command": "cargo test --release 2>&1 | tail -n 20"}),
            summary: "cargo test --release 2>&1 | tail -n 20".into(),
            risk: Risk::High,
            session_allowed: false,
        });
    }
}

fn snapshot(name: &str, h: &mut Harness) {
    for (w, ht) in SIZES {
        let screen = h.render(w, ht);
        insta::with_settings!({
            filters => vec![
                (r"\d{4}-\d\d-\d\d \d\d:\d\d", "[date time]"),
                (r"\d\d:\d\d:\d\d", "[time]"),
            ],
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!(format!("{name}_{w}x{ht}"), screen);
        });
    }
}

#[test]
fn chat_pane_with_markdown_tools_and_streaming() {
    let mut h = Harness::new();
    h.conversation();
    snapshot("chat", &mut h);
    // Hostile escapes in tool output never reach the screen.
    let screen = h.render(120, 40);
    assert!(!screen.contains('\u{1b}'));
    assert!(!screen.contains("pwned") || !screen.contains("]0;"));
}

#[test]
fn chat_scrolls_back_holds_still_and_follows_again() {
    let mut h = Harness::new();
    h.conversation();
    let t = h.thread();
    for i in 0..40 {
        h.event(Event::TextDelta {
            thread_id: t.clone(),
            turn_id: "turn-2".into(),
            delta: format!("\n\nparagraph {i}"),
        });
    }
    let bottom = h.render(80, 24);
    assert!(bottom.contains("paragraph 39"), "{bottom}");
    h.press(KeyCode::PageUp);
    let up = h.render(80, 24);
    assert!(up.contains("more below"), "{up}");
    assert!(!up.contains("paragraph 39"), "{up}");
    // New text while scrolled back does not move the view.
    h.event(Event::TextDelta {
        thread_id: t.clone(),
        turn_id: "turn-2".into(),
        delta: "\n\nparagraph 40".into(),
    });
    assert_eq!(h.render(80, 24), up);
    h.key(KeyCode::Home, KeyModifiers::CONTROL);
    let top = h.render(80, 24);
    assert!(top.contains("What changed in the release notes?"), "{top}");
    h.key(KeyCode::End, KeyModifiers::CONTROL);
    let end = h.render(80, 24);
    assert!(
        end.contains("paragraph 40") && !end.contains("more below"),
        "{end}"
    );
    // Scrolling down past the end follows again.
    h.press(KeyCode::PageUp);
    h.press(KeyCode::PageDown);
    h.press(KeyCode::PageDown);
    assert!(!h.render(80, 24).contains("more below"));
}

#[test]
fn chat_tool_output_expands() {
    let mut h = Harness::new();
    h.conversation();
    h.key(KeyCode::Char('o'), KeyModifiers::CONTROL);
    let screen = h.render(120, 40);
    assert!(screen.contains("faster start"), "{screen}");
}

/// Terminals that mangle box drawing get ASCII only (in the chrome; the
/// conversation's own text is the user's).
#[test]
fn ascii_mode_draws_only_ascii() {
    let mut h = Harness::themed("mono", ColorDepth::None, true, false);
    let t = h.thread();
    h.event(Event::TurnStarted {
        thread_id: t.clone(),
        turn_id: "u".into(),
        user_text: "list the files".into(),
    });
    h.event(Event::TextDelta {
        thread_id: t.clone(),
        turn_id: "u".into(),
        delta: "Here:\n\n- a.txt\n- b.txt\n".into(),
    });
    h.approval();
    for (w, ht) in SIZES {
        let screen = h.render(w, ht);
        assert!(screen.is_ascii(), "{screen}");
        assert!(screen.contains("+-"), "{screen}");
    }
    h.press(KeyCode::Char('n'));
    h.key(KeyCode::F(2), KeyModifiers::NONE);
    assert!(h.render(80, 24).is_ascii());
}

#[test]
fn empty_chat_and_welcome() {
    let mut h = Harness::new();
    snapshot("welcome", &mut h);
}

#[test]
fn approval_dialog() {
    let mut h = Harness::new();
    h.conversation();
    h.approval();
    snapshot("approval", &mut h);
    // Answered elsewhere: the dialog closes here too.
    let t = h.thread();
    h.event(Event::ApprovalResolved {
        thread_id: t,
        call_id: "c2".into(),
        decision: ApprovalDecision::Deny,
        reason: None,
    });
    assert!(!h.render(80, 24).contains("Approve tool call?"));
}

#[test]
fn help_overlay() {
    let mut h = Harness::new();
    h.key(KeyCode::F(12), KeyModifiers::NONE);
    snapshot("help", &mut h);
    h.press(KeyCode::Esc);
    assert!(!h.render(80, 24).contains("Help (Esc closes)"));
}

#[test]
fn slash_command_popup() {
    let mut h = Harness::new();
    h.conversation();
    h.type_text("/");
    snapshot("slash_popup", &mut h);
    h.type_text("th");
    let screen = h.render(80, 24);
    assert!(screen.contains("/threads"), "{screen}");
    assert!(!screen.contains("/compact"), "{screen}");
}

#[test]
fn too_small_notice() {
    let mut h = Harness::new();
    h.conversation();
    for (w, ht) in [(20, 6), (39, 9)] {
        let screen = h.render(w, ht);
        insta::with_settings!({ prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("too_small_{w}x{ht}"), screen);
        });
    }
    // Every size from 1×1 up draws without panicking.
    for w in 1..50 {
        for ht in 1..14 {
            h.render(w, ht);
        }
    }
}

#[test]
fn jobs_pane() {
    let mut h = Harness::new();
    h.conversation();
    h.key(KeyCode::Char('2'), KeyModifiers::ALT);
    snapshot("jobs", &mut h);
}

#[test]
fn memory_pane() {
    use ironclaw::protocol::{
        MemoryChange, MemoryDocument, MemoryEntry, MemoryHit, MemoryStatus, Op, WriteMode,
    };
    use ironclaw::tui::Effect;
    let mut h = Harness::new();
    h.key(KeyCode::F(3), KeyModifiers::NONE);
    let sent = |h: &mut Harness| -> Vec<Op> {
        h.app
            .take_effects()
            .into_iter()
            .filter_map(|e| match e {
                Effect::Send(op) => Some(op),
                _ => None,
            })
            .collect()
    };
    assert!(
        sent(&mut h).contains(&Op::MemoryTree { prefix: None }),
        "the pane asks for the tree"
    );
    let entry = |path: &str, chars: u64| MemoryEntry {
        path: path.into(),
        version: 1,
        chars,
        updated_at: 0,
    };
    h.event(Event::MemoryTree {
        entries: vec![
            entry("AGENTS.md", 465),
            entry("MEMORY.md", 120),
            entry("SOUL.md", 175),
            entry("USER.md", 114),
            entry("daily/2026-11-25.md", 300),
            entry("daily/2026-11-26.md", 80),
            entry("notes/boats/catamaran.md", 900),
            entry("notes/health.md", 400),
        ],
    });
    h.event(Event::MemoryStatus {
        status: MemoryStatus {
            documents: 8,
            chunks: 11,
            embedded_chunks: 7,
            pending_documents: 1,
            fulltext: "ready".into(),
            model_state: "ready".into(),
            model_hint: None,
            model: "all-MiniLM-L6-v2 (384 dims)".into(),
            index_bytes: 40_000,
            indexing: true,
        },
    });
    snapshot("memory", &mut h);

    // Open a document from the tree.
    for _ in 0..7 {
        h.press(KeyCode::Down);
    }
    h.press(KeyCode::Enter);
    assert!(sent(&mut h).contains(&Op::MemoryRead {
        path: "notes/health.md".into(),
        version: None
    }));
    h.event(Event::MemoryDocument {
        document: MemoryDocument {
            path: "notes/health.md".into(),
            content: "# Sleep\n\nDr. Patel says to cut back on **caffeine** after lunch.\n\n- no coffee after 2pm\n- walk in the evening".into(),
            version: 3,
            latest_version: 3,
            updated_at: 0,
        },
    });
    snapshot("memory_document", &mut h);

    // Edit it in the pane; Ctrl-S saves against the version it started from.
    h.press(KeyCode::Char('e'));
    for _ in 0..6 {
        h.press(KeyCode::Down);
    }
    h.press(KeyCode::End);
    h.press(KeyCode::Enter);
    h.type_text("- tea is fine");
    h.key(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let ops = sent(&mut h);
    let write = ops.iter().find_map(|op| match op {
        Op::MemoryWrite {
            path,
            content,
            mode,
            expected_version,
        } => Some((path.clone(), content.clone(), *mode, *expected_version)),
        _ => None,
    });
    let (path, content, mode, expected) = write.expect("a write was sent");
    assert_eq!(
        (path.as_str(), mode, expected),
        ("notes/health.md", WriteMode::Replace, Some(3))
    );
    assert!(
        content.ends_with("- walk in the evening\n- tea is fine"),
        "{content:?}"
    );
    // The broadcast alone does not confirm the save (it could be anyone's
    // write): quitting now is held back once, with a notice.
    h.event(Event::MemoryChanged {
        path: "notes/health.md".into(),
        change: MemoryChange::Written,
        version: 4,
    });
    h.key(KeyCode::Char('q'), KeyModifiers::CONTROL);
    assert!(!h.app.should_quit(), "unsaved text holds the first quit");
    assert!(
        h.render(80, 24)
            .contains("unsaved changes in the Memory editor")
    );
    // The stored document, sent to this client only, confirms it.
    h.event(Event::MemoryDocument {
        document: MemoryDocument {
            path: "notes/health.md".into(),
            content: content.clone(),
            version: 4,
            latest_version: 4,
            updated_at: 0,
        },
    });
    snapshot("memory_editor", &mut h);

    // Someone else writes while we edit again: the editor says saving will
    // be refused; the refusal keeps the text, and a quit is held back.
    h.type_text(" (green)");
    h.event(Event::MemoryChanged {
        path: "notes/health.md".into(),
        change: MemoryChange::Written,
        version: 5,
    });
    assert!(h.render(120, 40).contains("changed elsewhere"));
    h.key(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let expected: Vec<Option<u64>> = sent(&mut h)
        .into_iter()
        .filter_map(|op| match op {
            Op::MemoryWrite {
                expected_version, ..
            } => Some(expected_version),
            _ => None,
        })
        .collect();
    assert_eq!(
        expected,
        vec![Some(4)],
        "saved against the version it started from"
    );
    h.event(Event::Error {
        thread_id: None,
        turn_id: None,
        kind: "memory".into(),
        message: "`notes/health.md` changed since you opened it (you had version 4, it is now version 5); your text was not saved".into(),
        hint: None,
    });
    let screen = h.render(120, 40);
    assert!(screen.contains("tea is fine (green)"), "{screen}");
    assert!(screen.contains("your text was not saved"), "{screen}");
    // Esc once warns, twice discards.
    h.press(KeyCode::Esc);
    assert!(h.render(120, 40).contains("Esc again discards"));
    h.press(KeyCode::Esc);
    assert!(!h.render(120, 40).contains("editing notes/health.md"));

    // Live search: every keystroke asks; only the answer to the current
    // text is shown.
    h.press(KeyCode::Esc);
    h.press(KeyCode::Char('/'));
    h.type_text("coffee sleep");
    let searches: Vec<String> = sent(&mut h)
        .into_iter()
        .filter_map(|op| match op {
            Op::MemorySearch { query, .. } => Some(query),
            _ => None,
        })
        .collect();
    assert_eq!(searches.last().map(String::as_str), Some("coffee sleep"));
    assert_eq!(searches.len(), 12);
    h.event(Event::MemorySearchResults {
        query: "coffee sleep".into(),
        hits: vec![
            MemoryHit {
                path: "notes/health.md".into(),
                score: 0.0325,
                fulltext_rank: Some(1),
                vector_rank: Some(2),
                snippet: "Dr. Patel says to cut back on caffeine after lunch.".into(),
            },
            MemoryHit {
                path: "daily/2026-11-25.md".into(),
                score: 0.0164,
                fulltext_rank: None,
                vector_rank: Some(1),
                snippet: "Slept badly again; skipped the afternoon espresso.".into(),
            },
        ],
        notices: vec![],
        took_ms: 7,
    });
    h.press(KeyCode::Enter);
    snapshot("memory_search", &mut h);
}

#[test]
fn logs_pane_filters() {
    let mut h = Harness::new();
    let records = [
        ("INFO", "ironclaw::engine", "engine started threads=3"),
        ("DEBUG", "ironclaw::llm::openai", "request sent bytes=3161"),
        (
            "WARN",
            "ironclaw::engine::vault",
            "the master key lives in the session keyring",
        ),
        ("ERROR", "ironclaw::llm", "provider returned 500 attempt=1"),
        (
            "INFO",
            "ironclaw::engine::turn",
            "turn finished outcome=completed",
        ),
    ]
    .iter()
    .enumerate()
    .map(|(i, (level, target, message))| LogRecord {
        ts: 1_700_000_000_000 + i as i64 * 1_000,
        level: level.to_string(),
        target: target.to_string(),
        message: message.to_string(),
    })
    .collect();
    h.event(Event::Log { records });
    h.key(KeyCode::F(4), KeyModifiers::NONE);
    snapshot("logs", &mut h);
    // Level filter: l raises the minimum level to INFO, then WARN.
    h.press(KeyCode::Char('l'));
    h.press(KeyCode::Char('l'));
    let screen = h.render(80, 24);
    assert!(!screen.contains("turn finished"), "{screen}");
    assert!(screen.contains("provider returned 500"), "{screen}");
    // Text filter.
    h.press(KeyCode::Char('L'));
    h.press(KeyCode::Char('L'));
    h.type_text("/request");
    h.press(KeyCode::Enter);
    let screen = h.render(80, 24);
    assert!(screen.contains("request sent"), "{screen}");
    assert!(!screen.contains("engine started"), "{screen}");
}

#[test]
fn extensions_pane() {
    let mut h = Harness::new();
    let tool = |name: &str, risk, core, desc: &str| ToolInfo {
        name: name.into(),
        description: desc.into(),
        risk,
        source: "builtin".into(),
        core,
    };
    h.event(Event::Tools {
        tools: vec![
            tool("glob", Risk::Low, false, "Find files by glob pattern."),
            tool(
                "http_fetch",
                Risk::Medium,
                false,
                "Fetch a web page or API response over HTTP GET.",
            ),
            tool(
                "read_file",
                Risk::Low,
                true,
                "Read a text file, optionally a range of lines.",
            ),
            tool(
                "shell",
                Risk::High,
                true,
                "Run a shell command in the working directory.",
            ),
            tool(
                "write_file",
                Risk::Medium,
                true,
                "Create or overwrite a text file.",
            ),
        ],
    });
    h.key(KeyCode::F(5), KeyModifiers::NONE);
    snapshot("extensions", &mut h);
}

#[test]
fn onboarding_dialog_without_a_model() {
    let theme = Theme::load(
        "dark",
        std::path::Path::new("/nonexistent"),
        ColorDepth::TrueColor,
        false,
    )
    .unwrap();
    let mut app = App::new(AppOptions {
        theme,
        keymap: Keymap::default(),
        home: "/home/user/.ironclaw".into(),
        onboard: false,
        daemon: false,
    });
    app.on_engine(EventMsg {
        seq: 1,
        to: None,
        event: Event::Hello {
            protocol_version: ironclaw::protocol::PROTOCOL_VERSION,
            engine_version: "0.1.0".into(),
            provider: String::new(),
            model: String::new(),
            context_window: 128_000,
        },
    });
    assert!(
        app.take_effects()
            .contains(&ironclaw::tui::Effect::DetectLocalServers)
    );
    app.on_local_servers(vec![ironclaw::tui::overlays::onboarding::LocalServer {
        name: "Ollama".into(),
        base_url: "http://127.0.0.1:11434/v1".into(),
        models: vec!["llama3.2".into(), "qwen2.5-coder".into()],
    }]);
    let mut h = Harness { app, seq: 1 };
    snapshot("onboarding", &mut h);
}

#[test]
fn thread_list_overlay() {
    let mut h = Harness::new();
    h.conversation();
    let t = h.thread();
    h.key(KeyCode::Char('t'), KeyModifiers::CONTROL);
    h.event(Event::Threads {
        threads: vec![
            ThreadInfo {
                id: t,
                title: "Tidy the release notes".into(),
                created_at: 1_700_000_000_000,
                updated_at: 1_700_000_500_000,
                message_count: 6,
            },
            ThreadInfo {
                id: "0193-older".into(),
                title: "Plan the garden 🌱 for spring".into(),
                created_at: 1_690_000_000_000,
                updated_at: 1_690_000_500_000,
                message_count: 14,
            },
        ],
    });
    snapshot("threads", &mut h);
    // Enter on another thread asks the engine for its snapshot.
    h.press(KeyCode::Down);
    h.press(KeyCode::Enter);
    let effects = h.app.take_effects();
    assert!(
        effects.iter().any(|e| matches!(e, ironclaw::tui::Effect::Send(ironclaw::protocol::Op::Snapshot { thread_id }) if thread_id == "0193-older")),
        "{effects:?}"
    );
}

fn approvals_sent(h: &mut Harness) -> Vec<ApprovalDecision> {
    h.app
        .take_effects()
        .into_iter()
        .filter_map(|e| match e {
            ironclaw::tui::Effect::Send(ironclaw::protocol::Op::Approve { decision, .. }) => {
                Some(decision)
            }
            _ => None,
        })
        .collect()
}

/// Approving needs the call on screen, whole, for a moment; Enter never
/// approves a high-risk call; denying always works.
#[test]
fn approvals_are_only_taken_for_what_was_read() {
    let mut h = Harness::new();
    h.conversation();
    h.approval();
    h.render(80, 24);
    h.press(KeyCode::Char('y'));
    assert!(
        approvals_sent(&mut h).is_empty(),
        "too soon after it appeared"
    );
    std::thread::sleep(std::time::Duration::from_millis(450));
    h.render(80, 24);
    h.press(KeyCode::Enter);
    assert!(
        approvals_sent(&mut h).is_empty(),
        "Enter does not approve high risk"
    );
    h.press(KeyCode::Char('y'));
    assert_eq!(approvals_sent(&mut h), [ApprovalDecision::Once]);

    // A command longer than the window: shown as cut, only denial accepted.
    let t = h.thread();
    let long: String = (0..60)
        .map(|i| format!("echo line {i}\n"))
        .collect::<String>()
        + "rm -rf ~";
    h.event(Event::ApprovalRequested {
        thread_id: t,
        turn_id: "turn-2".into(),
        call_id: "c9".into(),
        tool: "shell".into(),
        arguments: json!({ "command": long }),
        summary: long.clone(),
        risk: Risk::High,
        session_allowed: false,
    });
    let screen = h.render(80, 24);
    assert!(
        screen.contains("more lines of this call are not shown"),
        "{screen}"
    );
    std::thread::sleep(std::time::Duration::from_millis(450));
    h.render(80, 24);
    h.press(KeyCode::Char('y'));
    assert!(approvals_sent(&mut h).is_empty());
    // Too small to show anything: still no.
    h.render(30, 8);
    h.press(KeyCode::Char('y'));
    assert!(approvals_sent(&mut h).is_empty());
    h.press(KeyCode::Char('n'));
    assert_eq!(approvals_sent(&mut h), [ApprovalDecision::Deny]);
}

#[test]
fn approvals_from_another_thread_can_be_answered() {
    let mut h = Harness::new();
    h.event(Event::ApprovalRequested {
        thread_id: "other-thread".into(),
        turn_id: "t".into(),
        call_id: "c1".into(),
        tool: "write_file".into(),
        arguments: json!({"path": "a.txt", "content": "ok"}),
        summary: "write a.txt (2 bytes)".into(),
        risk: Risk::Medium,
        session_allowed: true,
    });
    let screen = h.render(100, 30);
    assert!(screen.contains("in thread:"), "{screen}");
    std::thread::sleep(std::time::Duration::from_millis(450));
    h.render(100, 30);
    h.press(KeyCode::Char('y'));
    assert_eq!(approvals_sent(&mut h), [ApprovalDecision::Once]);
}

/// `?` opens help from an empty message box, but types a `?` in a message.
#[test]
fn question_mark_types_inside_a_message() {
    let mut h = Harness::new();
    h.type_text("why?");
    let screen = h.render(80, 24);
    assert!(screen.contains("why?"), "{screen}");
    assert!(!screen.contains("Help (Esc closes)"), "{screen}");
    h.key(KeyCode::Char('c'), KeyModifiers::CONTROL); // clears the box
    h.type_text("?");
    assert!(h.render(80, 24).contains("Help (Esc closes)"));
}

#[test]
fn memory_pane_external_editor() {
    use ironclaw::protocol::{MemoryDocument, Op, WriteMode};
    use ironclaw::tui::Effect;
    use ironclaw::tui::external::{EditOutcome, ExternalEdit};
    let mut h = Harness::new();
    h.key(KeyCode::F(3), KeyModifiers::NONE);
    h.app.take_effects();
    // Nothing open: E says what to do.
    h.press(KeyCode::Char('E'));
    assert!(h.app.take_effects().is_empty());
    assert!(h.render(100, 24).contains("open a document first"));
    let document = MemoryDocument {
        path: "notes/health.md".into(),
        content: "# Sleep\n\nno coffee after 2pm".into(),
        version: 3,
        latest_version: 3,
        updated_at: 0,
    };
    h.event(Event::MemoryDocument {
        document: document.clone(),
    });
    h.press(KeyCode::Char('E'));
    let edit = h
        .app
        .take_effects()
        .into_iter()
        .find_map(|e| match e {
            Effect::EditExternally(edit) => Some(edit),
            _ => None,
        })
        .expect("E asks the loop for the external editor");
    assert_eq!(
        edit,
        ExternalEdit {
            path: "notes/health.md".into(),
            base_version: 3,
            text: document.content.clone(),
        }
    );
    // Unchanged, failed: nothing is sent, the reason is shown.
    h.app.on_external_edit(edit.clone(), EditOutcome::Unchanged);
    assert!(h.app.take_effects().is_empty());
    assert!(h.render(100, 24).contains("no changes to notes/health.md"));
    h.app.on_external_edit(
        edit.clone(),
        EditOutcome::Failed {
            why: "the editor `vim` exited with 1".into(),
            text: None,
        },
    );
    assert!(h.app.take_effects().is_empty());
    assert!(h.render(100, 24).contains("the editor `vim` exited with 1"));
    // Changed: saved against the version the edit started from.
    let text = "# Sleep\n\nno coffee after 2pm\ntea is fine";
    h.app
        .on_external_edit(edit, EditOutcome::Changed(text.into()));
    let writes: Vec<Op> = h
        .app
        .take_effects()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Send(op @ Op::MemoryWrite { .. }) => Some(op),
            _ => None,
        })
        .collect();
    assert_eq!(
        writes,
        vec![Op::MemoryWrite {
            path: "notes/health.md".into(),
            content: text.into(),
            mode: WriteMode::Replace,
            expected_version: Some(3),
        }]
    );
    // The engine goes away before answering: the text stays, unsaved, and
    // Ctrl-S tries again (never "still saving" for ever).
    h.app.on_disconnected("the engine stopped");
    assert!(
        h.render(100, 24)
            .contains("not saved: the engine is not connected")
    );
    h.app.on_reconnected();
    h.app.take_effects();
    h.key(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let again = h.app.take_effects().into_iter().any(|e| {
        matches!(
            e,
            Effect::Send(Op::MemoryWrite {
                expected_version: Some(3),
                ..
            })
        )
    });
    assert!(again, "Ctrl-S sends the save again");
    // Until the engine confirms, the text is held as unsaved.
    h.key(KeyCode::Char('q'), KeyModifiers::CONTROL);
    assert!(!h.app.should_quit(), "unsaved text holds the first quit");
    // Confirmed: the pane shows the saved document again.
    h.event(Event::MemoryDocument {
        document: MemoryDocument {
            content: text.into(),
            version: 4,
            latest_version: 4,
            ..document
        },
    });
    let screen = h.render(100, 24);
    assert!(
        screen.contains("saved notes/health.md (version 4)"),
        "{screen}"
    );
    assert!(
        screen.contains("tea is fine") && !screen.contains("Ctrl-S save · Esc close"),
        "{screen}"
    );
}
