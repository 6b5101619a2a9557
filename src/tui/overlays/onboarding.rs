//! First-run set-up (and `/model`, `ironclaw onboard`): choose a provider,
//! a model and an API key, then test them live.
//!
//! Local servers are looked for first: Ollama (port 11434) and llama.cpp's
//! server (port 8080) both speak the OpenAI API, and answer `GET /v1/models`
//! with the models they have, which become the choices for the model step.
//! The dialog never writes anything itself: it sends
//! [`Op::ConfigureProvider`] (the engine saves the choice and keeps the key
//! in the secret store) and then [`Op::CheckProvider`], and shows the answer.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use zeroize::Zeroizing;

use super::{centered, dialog};
use crate::protocol::{Event, Op, SecretValue};
use crate::tui::app::{Cx, View};
use crate::tui::keymap::Action;
use crate::tui::text::{sanitize, truncate, wrap_plain};

/// Where local servers listen by default.
pub const LOCAL_CANDIDATES: &[(&str, &str)] = &[
    ("Ollama", "http://127.0.0.1:11434/v1"),
    ("llama.cpp server", "http://127.0.0.1:8080/v1"),
];

/// A local OpenAI-compatible server that answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalServer {
    pub name: String,
    pub base_url: String,
    pub models: Vec<String>,
}

/// Asks each candidate for its models (short timeout; nothing found is
/// normal). Runs in the app loop, off the UI's state.
pub async fn detect_local_servers(candidates: &[(String, String)]) -> Vec<LocalServer> {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_millis(700))
        .connect_timeout(Duration::from_millis(300))
        .build()
    {
        Ok(c) => c,
        Err(_) => return Vec::new(),
    };
    let probes = candidates.iter().map(|(name, base)| {
        let client = client.clone();
        async move {
            let url = format!("{}/models", base.trim_end_matches('/'));
            let body: serde_json::Value = client.get(&url).send().await.ok()?.json().await.ok()?;
            let models = body
                .get("data")?
                .as_array()?
                .iter()
                .filter_map(|m| m.get("id")?.as_str().map(str::to_string))
                .collect();
            Some(LocalServer {
                name: name.clone(),
                base_url: base.trim_end_matches('/').to_string(),
                models,
            })
        }
    });
    futures::future::join_all(probes)
        .await
        .into_iter()
        .flatten()
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
enum Choice {
    Local(LocalServer),
    OpenAiCompatible,
    OpenAi,
    Anthropic,
}

impl Choice {
    fn label(&self) -> String {
        match self {
            Choice::Local(s) => format!(
                "{} at {} ({} model{})",
                s.name,
                s.base_url,
                s.models.len(),
                if s.models.len() == 1 { "" } else { "s" }
            ),
            Choice::OpenAiCompatible => "Another OpenAI-compatible server (enter its URL)".into(),
            Choice::OpenAi => "OpenAI (api.openai.com, needs an API key)".into(),
            Choice::Anthropic => "Anthropic (api.anthropic.com, needs an API key)".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Provider,
    Url,
    Model,
    Key,
    Saving,
    Testing,
    Done,
}

pub struct Onboarding {
    step: Step,
    /// `None` while probing for local servers.
    detected: Option<Vec<LocalServer>>,
    selected: usize,
    choice: Option<Choice>,
    base_url: String,
    model: String,
    key: Zeroizing<String>,
    model_pick: usize,
    result: Option<(bool, String, Option<String>)>,
    error: Option<String>,
}

impl Default for Onboarding {
    fn default() -> Self {
        Self::new()
    }
}

impl Onboarding {
    pub fn new() -> Self {
        Self {
            step: Step::Provider,
            detected: None,
            selected: 0,
            choice: None,
            base_url: String::new(),
            model: String::new(),
            key: Zeroizing::new(String::new()),
            model_pick: 0,
            result: None,
            error: None,
        }
    }

    pub fn set_detected(&mut self, servers: Vec<LocalServer>) {
        // Detected servers are listed first: keep the highlighted choice.
        let added = servers.len();
        self.detected = Some(servers);
        if self.step == Step::Provider && self.selected > 0 {
            self.selected += added;
        }
    }

    fn choices(&self) -> Vec<Choice> {
        let mut out: Vec<Choice> = self
            .detected
            .iter()
            .flatten()
            .cloned()
            .map(Choice::Local)
            .collect();
        out.extend([Choice::OpenAiCompatible, Choice::OpenAi, Choice::Anthropic]);
        out
    }

    fn models(&self) -> &[String] {
        match &self.choice {
            Some(Choice::Local(s)) => &s.models,
            _ => &[],
        }
    }

    fn provider_kind(&self) -> &'static str {
        match self.choice {
            Some(Choice::Anthropic) => "anthropic",
            _ => "openai",
        }
    }

    fn field(&mut self) -> Option<&mut String> {
        match self.step {
            Step::Url => Some(&mut self.base_url),
            Step::Model => Some(&mut self.model),
            Step::Key => Some(&mut self.key),
            _ => None,
        }
    }

    pub fn on_paste(&mut self, text: &str) {
        let line = text.lines().next().unwrap_or("").trim().to_string();
        if let Some(field) = self.field() {
            field.push_str(&line);
        }
    }

    pub fn on_event(&mut self, event: &Event, cx: &mut Cx<'_>) {
        match (self.step, event) {
            (Step::Saving, Event::ProviderChanged { .. }) => {
                self.step = Step::Testing;
                cx.send(Op::CheckProvider);
            }
            (
                Step::Saving,
                Event::Error {
                    kind,
                    message,
                    hint,
                    ..
                },
            ) if kind == "provider_config" => {
                self.error = Some(match hint {
                    Some(h) => format!("{message} ({h})"),
                    None => message.clone(),
                });
                self.step = Step::Model;
            }
            (
                Step::Testing,
                Event::ProviderStatus {
                    ok,
                    message,
                    hint,
                    latency_ms,
                },
            ) => {
                let message = if *ok {
                    format!("{message} in {latency_ms} ms")
                } else {
                    message.clone()
                };
                self.result = Some((*ok, message, hint.clone()));
                self.step = Step::Done;
            }
            _ => {}
        }
    }

    /// Returns `true` to close.
    pub fn on_key(&mut self, key: KeyEvent, action: Option<Action>, cx: &mut Cx<'_>) -> bool {
        self.error = None;
        if action == Some(Action::Interrupt) || key.code == KeyCode::Esc {
            return self.back();
        }
        match self.step {
            Step::Provider => {
                let n = self.choices().len();
                match action {
                    Some(Action::HistoryPrev) => self.selected = self.selected.saturating_sub(1),
                    Some(Action::HistoryNext) => self.selected = (self.selected + 1).min(n - 1),
                    Some(Action::Send) => self.pick(),
                    _ => {}
                }
            }
            Step::Url | Step::Model | Step::Key => match (action, key.code) {
                (Some(Action::Send), _) => self.next(cx),
                (Some(Action::HistoryPrev), _) if self.step == Step::Model => self.pick_model(-1),
                (Some(Action::HistoryNext), _) if self.step == Step::Model => self.pick_model(1),
                (_, KeyCode::Backspace) => {
                    if let Some(f) = self.field() {
                        f.pop();
                    }
                }
                (_, KeyCode::Char(c))
                    if !key
                        .modifiers
                        .contains(crossterm::event::KeyModifiers::CONTROL) =>
                {
                    if let Some(f) = self.field() {
                        f.push(c);
                    }
                }
                _ => {}
            },
            Step::Saving | Step::Testing => {}
            Step::Done => {
                if action == Some(Action::Send) {
                    if self.result.as_ref().is_some_and(|(ok, _, _)| *ok) {
                        return true;
                    }
                    self.step = Step::Provider;
                    self.result = None;
                }
            }
        }
        false
    }

    fn pick_model(&mut self, delta: isize) {
        let n = self.models().len();
        if n == 0 {
            return;
        }
        self.model_pick = (self.model_pick as isize + delta).clamp(0, n as isize - 1) as usize;
        self.model = self.models()[self.model_pick].clone();
    }

    fn pick(&mut self) {
        let Some(choice) = self.choices().get(self.selected).cloned() else {
            return;
        };
        self.model_pick = 0;
        self.model.clear();
        match &choice {
            Choice::Local(s) => {
                self.base_url = s.base_url.clone();
                self.model = s.models.first().cloned().unwrap_or_default();
                self.step = Step::Model;
            }
            Choice::OpenAiCompatible => {
                self.base_url = "http://127.0.0.1:8080/v1".into();
                self.step = Step::Url;
            }
            Choice::OpenAi | Choice::Anthropic => {
                self.base_url.clear();
                self.step = Step::Model;
            }
        }
        self.choice = Some(choice);
    }

    fn next(&mut self, cx: &mut Cx<'_>) {
        match self.step {
            Step::Url => {
                let url = self.base_url.trim();
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    self.error = Some("the URL must start with http:// or https://".into());
                    return;
                }
                self.step = Step::Model;
            }
            Step::Model => {
                if self.model.trim().is_empty() {
                    self.error = Some("type the model's name".into());
                    return;
                }
                if matches!(self.choice, Some(Choice::Local(_))) {
                    self.save(cx);
                } else {
                    self.step = Step::Key;
                }
            }
            Step::Key => {
                let needs_key = matches!(self.choice, Some(Choice::OpenAi | Choice::Anthropic));
                if needs_key && self.key.trim().is_empty() {
                    self.error =
                        Some("paste your API key (it is stored encrypted, never shown)".into());
                    return;
                }
                self.save(cx);
            }
            _ => {}
        }
    }

    fn save(&mut self, cx: &mut Cx<'_>) {
        let key = self.key.trim();
        cx.send(Op::ConfigureProvider {
            provider: self.provider_kind().into(),
            base_url: self.base_url.trim().to_string(),
            model: self.model.trim().to_string(),
            api_key: (!key.is_empty()).then(|| SecretValue(key.to_string())),
        });
        self.key = Zeroizing::new(String::new());
        self.step = Step::Saving;
    }

    /// Esc: one step back; closes from the first step.
    fn back(&mut self) -> bool {
        self.step = match self.step {
            Step::Provider | Step::Done => return true,
            Step::Url => Step::Provider,
            Step::Model => match self.choice {
                Some(Choice::OpenAiCompatible) => Step::Url,
                _ => Step::Provider,
            },
            Step::Key => Step::Model,
            Step::Saving | Step::Testing => return true,
        };
        false
    }

    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let t = view.theme;
        let w = area.width.saturating_sub(4).min(76);
        let iw = w.saturating_sub(4) as usize;
        let mut lines: Vec<Line<'static>> = Vec::new();
        let field = |label: &str, value: &str, masked: bool| -> Line<'static> {
            let shown = if masked {
                "*".repeat(value.chars().count().min(40))
            } else {
                sanitize(value).into_owned()
            };
            let text = truncate(&format!("{label}: {shown}_"), iw).into_owned();
            Line::from(Span::styled(text, t.accent))
        };
        match self.step {
            Step::Provider => {
                lines.extend(wrap_plain(
                    "Choose where IronClaw's model runs. Everything else works without one; Esc to skip.",
                    t.text,
                    iw,
                    "",
                ));
                lines.push(Line::default());
                if self.detected.is_none() {
                    lines.push(Line::from(Span::styled(
                        "looking for local servers…",
                        t.muted,
                    )));
                } else if self.detected.as_ref().is_some_and(Vec::is_empty) {
                    lines.push(Line::from(Span::styled(
                        truncate(
                            "No local server found (Ollama :11434, llama.cpp :8080).",
                            iw,
                        )
                        .into_owned(),
                        t.muted,
                    )));
                }
                for (i, c) in self.choices().iter().enumerate() {
                    let style = if i == self.selected {
                        t.selection
                    } else {
                        t.text
                    };
                    let mark = if i == self.selected {
                        t.glyphs.collapsed
                    } else {
                        " "
                    };
                    lines.push(Line::from(Span::styled(
                        truncate(&format!("{mark} {}", sanitize(&c.label())), iw).into_owned(),
                        style,
                    )));
                }
                lines.push(Line::default());
                lines.push(Line::from(Span::styled(
                    "Up/Down choose · Enter next · Esc skip",
                    t.muted,
                )));
            }
            Step::Url => {
                lines.extend(wrap_plain(
                    "The server's OpenAI-compatible base URL (ending in /v1):",
                    t.text,
                    iw,
                    "",
                ));
                lines.push(field("URL", &self.base_url, false));
            }
            Step::Model => {
                lines.extend(wrap_plain("Which model?", t.text, iw, ""));
                lines.push(field("Model", &self.model, false));
                let models = self.models();
                if !models.is_empty() {
                    lines.push(Line::from(Span::styled(
                        "Up/Down picks one of the server's models:",
                        t.muted,
                    )));
                    let first = self.model_pick.saturating_sub(7);
                    for (i, m) in models.iter().enumerate().skip(first).take(8) {
                        let style = if i == self.model_pick {
                            t.selection
                        } else {
                            t.text
                        };
                        lines.push(Line::from(Span::styled(
                            truncate(&format!("  {}", sanitize(m)), iw).into_owned(),
                            style,
                        )));
                    }
                }
            }
            Step::Key => {
                let text = if matches!(self.choice, Some(Choice::OpenAiCompatible)) {
                    "API key, if the server needs one (Enter to skip). It is stored encrypted in the secret store, never shown or logged."
                } else {
                    "Paste the API key. It is stored encrypted in the secret store, never shown or logged."
                };
                lines.extend(wrap_plain(text, t.text, iw, ""));
                lines.push(field("Key", &self.key, true));
            }
            Step::Saving => lines.push(Line::from(Span::styled("saving…", t.muted))),
            Step::Testing => {
                lines.push(Line::from(Span::styled("sending a test request…", t.muted)))
            }
            Step::Done => match &self.result {
                Some((true, message, _)) => {
                    lines.extend(wrap_plain(
                        &format!("{} {}", t.glyphs.ok, sanitize(message)),
                        t.success,
                        iw,
                        "  ",
                    ));
                    lines.push(Line::default());
                    lines.push(Line::from(Span::styled("Enter to start chatting.", t.text)));
                }
                Some((false, message, hint)) => {
                    lines.extend(wrap_plain(
                        &format!("{} {}", t.glyphs.failed, sanitize(message)),
                        t.error,
                        iw,
                        "  ",
                    ));
                    if let Some(h) = hint {
                        lines.extend(wrap_plain(
                            &format!("fix: {}", sanitize(h)),
                            t.text,
                            iw,
                            "  ",
                        ));
                    }
                    lines.push(Line::default());
                    lines.push(Line::from(Span::styled(
                        "The choice is saved. Enter to change it, Esc to keep it.",
                        t.muted,
                    )));
                }
                None => {}
            },
        }
        if let Some(e) = &self.error {
            lines.push(Line::default());
            lines.extend(wrap_plain(&sanitize(e), t.error, iw, ""));
        }
        let h = (lines.len() as u16 + 2).min(area.height);
        let rect = centered(area, w, h);
        let inner = dialog(frame, rect, "Set up a model", t, true);
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
