//! Key bindings: every action, its default keys, and `[tui.keys]` overrides.
//!
//! A binding is written as the user would say it: `ctrl-t`, `alt-1`, `f5`,
//! `shift-tab`, `pageup`, `?`. `[tui.keys]` in `config.toml` replaces the
//! keys of the actions it names (`threads = ["ctrl-t", "f6"]`); the help
//! overlay is generated from the same table, so it is never out of date.

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Everything a key can do outside of typing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Help,
    PaneChat,
    PaneJobs,
    PaneMemory,
    PaneLogs,
    PaneExtensions,
    NextPane,
    PrevPane,
    Interrupt,
    Send,
    Newline,
    HistoryPrev,
    HistoryNext,
    ScrollUp,
    ScrollDown,
    ScrollTop,
    ScrollBottom,
    Threads,
    NewThread,
    ToggleTools,
    Detach,
}

/// (action, config name, what it does, default keys)
const TABLE: &[(Action, &str, &str, &[&str])] = &[
    (
        Action::Quit,
        "quit",
        "quit IronClaw (Ctrl-C also quits when idle)",
        &["ctrl-q"],
    ),
    (
        Action::Help,
        "help",
        "show or hide this help",
        &["f12", "?"],
    ),
    (Action::PaneChat, "pane_chat", "Chat pane", &["alt-1", "f1"]),
    (Action::PaneJobs, "pane_jobs", "Jobs pane", &["alt-2", "f2"]),
    (
        Action::PaneMemory,
        "pane_memory",
        "Memory pane",
        &["alt-3", "f3"],
    ),
    (Action::PaneLogs, "pane_logs", "Logs pane", &["alt-4", "f4"]),
    (
        Action::PaneExtensions,
        "pane_extensions",
        "Extensions pane",
        &["alt-5", "f5"],
    ),
    (Action::NextPane, "next_pane", "next pane", &["tab"]),
    (
        Action::PrevPane,
        "prev_pane",
        "previous pane",
        &["shift-tab"],
    ),
    (
        Action::Interrupt,
        "interrupt",
        "stop the running turn / close a dialog",
        &["esc"],
    ),
    (Action::Send, "send", "send the message", &["enter"]),
    (
        Action::Newline,
        "newline",
        "new line in the message",
        &["alt-enter", "shift-enter", "ctrl-j"],
    ),
    (
        Action::HistoryPrev,
        "history_prev",
        "previous sent message",
        &["up"],
    ),
    (
        Action::HistoryNext,
        "history_next",
        "next sent message",
        &["down"],
    ),
    (
        Action::ScrollUp,
        "scroll_up",
        "scroll up a page",
        &["pageup"],
    ),
    (
        Action::ScrollDown,
        "scroll_down",
        "scroll down a page",
        &["pagedown"],
    ),
    (
        Action::ScrollTop,
        "scroll_top",
        "scroll to the top",
        &["ctrl-home"],
    ),
    (
        Action::ScrollBottom,
        "scroll_bottom",
        "scroll to the end and follow",
        &["ctrl-end"],
    ),
    (
        Action::Threads,
        "threads",
        "list and switch threads",
        &["ctrl-t"],
    ),
    (
        Action::NewThread,
        "new_thread",
        "start a new thread",
        &["ctrl-n"],
    ),
    (
        Action::ToggleTools,
        "toggle_tools",
        "expand or collapse tool output",
        &["ctrl-o"],
    ),
    // Terminals send Ctrl-\ as the byte 0x1c, which crossterm reads as Ctrl-4.
    (
        Action::Detach,
        "detach",
        "detach: leave the daemon and its work running",
        &["ctrl-\\", "ctrl-4"],
    ),
];

/// One key with its modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn from_event(e: &KeyEvent) -> Self {
        let mut mods =
            e.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match e.code {
            // Terminals report Shift-Tab as BackTab, with or without SHIFT.
            KeyCode::BackTab => {
                mods |= KeyModifiers::SHIFT;
                KeyCode::Tab
            }
            // Shift is already in an upper-case letter or a symbol.
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::Char(if mods.is_empty() {
                    c
                } else {
                    c.to_ascii_lowercase()
                })
            }
            other => other,
        };
        Self { code, mods }
    }

    /// A key that types a character (no Ctrl/Alt).
    pub fn is_text(&self) -> bool {
        matches!(self.code, KeyCode::Char(_)) && self.mods.is_empty()
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        let lower = s.trim().to_ascii_lowercase();
        if lower.is_empty() {
            return Err("empty key".into());
        }
        let mut mods = KeyModifiers::empty();
        let mut rest = lower.as_str();
        // A single "-" is a key, not a separator.
        while rest.len() > 1 {
            let Some((head, tail)) = rest.split_once('-') else {
                break;
            };
            if tail.is_empty() {
                break;
            }
            mods |= match head {
                "ctrl" | "c" => KeyModifiers::CONTROL,
                "alt" | "meta" | "m" => KeyModifiers::ALT,
                "shift" | "s" => KeyModifiers::SHIFT,
                _ => {
                    return Err(format!(
                        "`{s}`: unknown modifier `{head}` (use ctrl, alt or shift)"
                    ));
                }
            };
            rest = tail;
        }
        let code = match rest {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" | "ins" => KeyCode::Insert,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" | "pgup" => KeyCode::PageUp,
            "pagedown" | "pgdn" => KeyCode::PageDown,
            "space" => KeyCode::Char(' '),
            f if f.starts_with('f')
                && f.len() > 1
                && f[1..].chars().all(|c| c.is_ascii_digit()) =>
            {
                let n: u8 = f[1..]
                    .parse()
                    .map_err(|_| format!("`{s}`: bad function key"))?;
                if !(1..=24).contains(&n) {
                    return Err(format!("`{s}`: function keys are f1 to f24"));
                }
                KeyCode::F(n)
            }
            c if c.chars().count() == 1 => KeyCode::Char(c.chars().next().unwrap_or(' ')),
            _ => return Err(format!("`{s}`: unknown key `{rest}`")),
        };
        let mut key = Self { code, mods };
        if let KeyCode::Char(_) = key.code {
            key.mods.remove(KeyModifiers::SHIFT);
        }
        Ok(key)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Delete"),
            KeyCode::Insert => f.write_str("Insert"),
            KeyCode::Up => f.write_str("Up"),
            KeyCode::Down => f.write_str("Down"),
            KeyCode::Left => f.write_str("Left"),
            KeyCode::Right => f.write_str("Right"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::F(n) => write!(f, "F{n}"),
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) if self.mods.is_empty() => write!(f, "{c}"),
            KeyCode::Char(c) => write!(f, "{}", c.to_ascii_uppercase()),
            other => write!(f, "{other:?}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<(Action, Vec<Key>)>,
}

impl Default for Keymap {
    fn default() -> Self {
        Self::from_config(&BTreeMap::new()).unwrap_or_else(|_| Self {
            bindings: Vec::new(),
        })
    }
}

impl Keymap {
    /// Defaults with `[tui.keys]` applied. Errors name the action or key.
    pub fn from_config(overrides: &BTreeMap<String, Vec<String>>) -> Result<Self, String> {
        for name in overrides.keys() {
            if !TABLE.iter().any(|(_, n, _, _)| n == name) {
                let names: Vec<&str> = TABLE.iter().map(|(_, n, _, _)| *n).collect();
                return Err(format!(
                    "tui.keys: unknown action `{name}`; actions are: {}",
                    names.join(", ")
                ));
            }
        }
        let mut bindings = Vec::with_capacity(TABLE.len());
        for (action, name, _, defaults) in TABLE {
            let keys: Vec<Key> = match overrides.get(*name) {
                Some(list) => list
                    .iter()
                    .map(|k| Key::parse(k).map_err(|e| format!("tui.keys.{name}: {e}")))
                    .collect::<Result<_, _>>()?,
                None => defaults.iter().filter_map(|k| Key::parse(k).ok()).collect(),
            };
            bindings.push((*action, keys));
        }
        // A key may do one thing only.
        let mut seen: Vec<(Key, Action)> = Vec::new();
        for (action, keys) in &bindings {
            for key in keys {
                if let Some((_, other)) = seen.iter().find(|(k, _)| k == key) {
                    return Err(format!(
                        "tui.keys: {key} is bound to both `{}` and `{}`",
                        name_of(*other),
                        name_of(*action)
                    ));
                }
                seen.push((*key, *action));
            }
        }
        Ok(Self { bindings })
    }

    pub fn action(&self, key: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(key);
        self.bindings
            .iter()
            .find(|(_, keys)| keys.contains(&key))
            .map(|(a, _)| *a)
    }

    pub fn keys(&self, action: Action) -> &[Key] {
        self.bindings
            .iter()
            .find(|(a, _)| *a == action)
            .map_or(&[], |(_, k)| k.as_slice())
    }

    /// The first key of an action, for hints ("? help").
    pub fn hint(&self, action: Action) -> String {
        self.keys(action)
            .first()
            .map_or_else(|| "unbound".into(), |k| k.to_string())
    }

    /// (keys, description) for the help overlay, in table order.
    pub fn help_rows(&self) -> Vec<(String, &'static str)> {
        TABLE
            .iter()
            .map(|(action, _, what, _)| {
                let keys: Vec<String> = self.keys(*action).iter().map(|k| k.to_string()).collect();
                let keys = if keys.is_empty() {
                    "(unbound)".into()
                } else {
                    keys.join(", ")
                };
                (keys, *what)
            })
            .collect()
    }
}

fn name_of(action: Action) -> &'static str {
    TABLE
        .iter()
        .find(|(a, _, _, _)| *a == action)
        .map_or("?", |(_, n, _, _)| n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn defaults_resolve() {
        let km = Keymap::default();
        assert_eq!(
            km.action(&ev(KeyCode::Char('1'), KeyModifiers::ALT)),
            Some(Action::PaneChat)
        );
        assert_eq!(
            km.action(&ev(KeyCode::F(4), KeyModifiers::NONE)),
            Some(Action::PaneLogs)
        );
        assert_eq!(
            km.action(&ev(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::PrevPane)
        );
        assert_eq!(
            km.action(&ev(KeyCode::Char('?'), KeyModifiers::SHIFT)),
            Some(Action::Help)
        );
        assert_eq!(
            km.action(&ev(KeyCode::Char('T'), KeyModifiers::CONTROL)),
            Some(Action::Threads)
        );
        assert_eq!(
            km.action(&ev(KeyCode::Enter, KeyModifiers::ALT)),
            Some(Action::Newline)
        );
        assert_eq!(km.action(&ev(KeyCode::Char('x'), KeyModifiers::NONE)), None);
        assert_eq!(km.help_rows().len(), TABLE.len());
    }

    #[test]
    fn overrides_replace_and_are_checked() {
        let mut o = BTreeMap::new();
        o.insert(
            "threads".to_string(),
            vec!["f6".to_string(), "Ctrl-Y".to_string()],
        );
        let km = Keymap::from_config(&o).unwrap();
        assert_eq!(
            km.action(&ev(KeyCode::F(6), KeyModifiers::NONE)),
            Some(Action::Threads)
        );
        assert_eq!(
            km.action(&ev(KeyCode::Char('y'), KeyModifiers::CONTROL)),
            Some(Action::Threads)
        );
        assert_eq!(
            km.action(&ev(KeyCode::Char('t'), KeyModifiers::CONTROL)),
            None
        );
        assert_eq!(km.hint(Action::Threads), "F6");

        o.insert("threds".to_string(), vec!["f7".to_string()]);
        assert!(
            Keymap::from_config(&o)
                .unwrap_err()
                .contains("unknown action `threds`")
        );
        let mut o = BTreeMap::new();
        o.insert("help".to_string(), vec!["ctrl-q".to_string()]);
        let err = Keymap::from_config(&o).unwrap_err();
        assert!(err.contains("bound to both"), "{err}");
        let mut o = BTreeMap::new();
        o.insert("help".to_string(), vec!["hyper-x".to_string()]);
        assert!(
            Keymap::from_config(&o)
                .unwrap_err()
                .contains("unknown modifier")
        );
    }

    #[test]
    fn keys_print_as_they_are_written() {
        for s in [
            "ctrl-t",
            "alt-1",
            "f12",
            "shift-tab",
            "pageup",
            "?",
            "-",
            "ctrl-home",
        ] {
            let k = Key::parse(s).unwrap();
            assert_eq!(Key::parse(&k.to_string()).unwrap(), k, "{s}");
        }
    }
}
