//! Themes, colour depth and glyphs.
//!
//! A theme is a TOML file of named styles (`themes/*.toml`; the four shipped
//! ones are compiled in, and `IRONCLAW_HOME/themes/<name>.toml` adds more).
//! The terminal's abilities are applied once, when the theme loads: colours
//! are mapped to the 16 ANSI colours when truecolor is absent, dropped under
//! `NO_COLOR`, and the box-drawing border set is swapped for ASCII where the
//! locale is not UTF-8 (or the user asks). Widgets only ever read the
//! resulting [`Theme`].

use std::collections::BTreeMap;
use std::path::Path;

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;
use serde::Deserialize;

const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("mono", include_str!("../../themes/mono.toml")),
];

/// Names of the compiled-in themes.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _)| *n).collect()
}

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error(
        "unknown theme `{name}`: choose one of {builtin}, or create {path}",
        builtin = builtin_names().join(", ")
    )]
    Unknown { name: String, path: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("`{value}` is not one of {expected}")]
    Setting {
        key: &'static str,
        value: String,
        expected: &'static str,
    },
}

/// How many colours the terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorDepth {
    TrueColor,
    Ansi16,
    None,
}

impl ColorDepth {
    /// `tui.colors`, `NO_COLOR` and `COLORTERM`, in that order of strength
    /// (`NO_COLOR` wins over everything but an explicit setting).
    pub fn detect(setting: &str, env: impl Fn(&str) -> Option<String>) -> Result<Self, ThemeError> {
        match setting {
            "truecolor" => return Ok(Self::TrueColor),
            "16" => return Ok(Self::Ansi16),
            "none" => return Ok(Self::None),
            "auto" => {}
            other => {
                return Err(ThemeError::Setting {
                    key: "colors",
                    value: other.into(),
                    expected: "auto, truecolor, 16 or none",
                });
            }
        }
        if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            return Ok(Self::None);
        }
        let colorterm = env("COLORTERM").unwrap_or_default().to_ascii_lowercase();
        Ok(if colorterm == "truecolor" || colorterm == "24bit" {
            Self::TrueColor
        } else {
            Self::Ansi16
        })
    }
}

/// Whether to draw with ASCII only: `tui.ascii`, else the locale.
pub fn ascii_only(setting: &str, env: impl Fn(&str) -> Option<String>) -> Result<bool, ThemeError> {
    match setting {
        "always" => Ok(true),
        "never" => Ok(false),
        "auto" => {
            let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
                .iter()
                .find_map(|k| env(k).filter(|v| !v.is_empty()))
                .unwrap_or_default()
                .to_ascii_lowercase();
            Ok(!(locale.contains("utf-8") || locale.contains("utf8")))
        }
        other => Err(ThemeError::Setting {
            key: "ascii",
            value: other.into(),
            expected: "auto, always or never",
        }),
    }
}

/// The characters the chrome is drawn with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glyphs {
    /// Drawing is limited to ASCII (the frame is rewritten after drawing).
    pub ascii: bool,
    pub border: border::Set<'static>,
    pub bullet: &'static str,
    pub collapsed: &'static str,
    pub expanded: &'static str,
    pub ok: &'static str,
    pub failed: &'static str,
    pub running: &'static [&'static str],
    pub separator: &'static str,
    pub rule: &'static str,
}

const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

impl Glyphs {
    pub fn unicode() -> Self {
        Self {
            ascii: false,
            border: border::ROUNDED,
            bullet: "•",
            collapsed: "▸",
            expanded: "▾",
            ok: "✓",
            failed: "✗",
            running: &["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"],
            separator: "│",
            rule: "─",
        }
    }

    pub fn ascii() -> Self {
        Self {
            ascii: true,
            border: ASCII_BORDER,
            bullet: "*",
            collapsed: ">",
            expanded: "v",
            ok: "ok",
            failed: "x",
            running: &["|", "/", "-", "\\"],
            separator: "|",
            rule: "-",
        }
    }
}

/// Every style the UI uses, resolved for this terminal.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub text: Style,
    pub muted: Style,
    pub accent: Style,
    pub user: Style,
    pub assistant: Style,
    pub tool: Style,
    pub success: Style,
    pub warning: Style,
    pub error: Style,
    pub border: Style,
    pub border_focus: Style,
    pub title: Style,
    pub selection: Style,
    pub code: Style,
    pub heading: Style,
    pub link: Style,
    pub status: Style,
    pub status_key: Style,
    pub popup: Style,
    pub glyphs: Glyphs,
    pub depth: ColorDepth,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    styles: BTreeMap<String, StyleSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    reversed: bool,
}

const STYLE_NAMES: &[&str] = &[
    "text",
    "muted",
    "accent",
    "user",
    "assistant",
    "tool",
    "success",
    "warning",
    "error",
    "border",
    "border_focus",
    "title",
    "selection",
    "code",
    "heading",
    "link",
    "status",
    "status_key",
    "popup",
];

impl Theme {
    /// Loads `name`: a built-in theme, or `<home>/themes/<name>.toml`.
    pub fn load(
        name: &str,
        home: &Path,
        depth: ColorDepth,
        ascii: bool,
    ) -> Result<Self, ThemeError> {
        let user_file = home.join("themes").join(format!("{name}.toml"));
        let (text, path) = match std::fs::read_to_string(&user_file) {
            Ok(text) => (text, user_file.display().to_string()),
            Err(_) => match BUILTIN.iter().find(|(n, _)| *n == name) {
                Some((_, text)) => (text.to_string(), format!("themes/{name}.toml")),
                None => {
                    return Err(ThemeError::Unknown {
                        name: name.into(),
                        path: user_file.display().to_string(),
                    });
                }
            },
        };
        Self::parse(&text, &path, depth, ascii)
    }

    pub fn parse(
        text: &str,
        path: &str,
        depth: ColorDepth,
        ascii: bool,
    ) -> Result<Self, ThemeError> {
        let invalid = |message: String| ThemeError::Invalid {
            path: path.into(),
            message,
        };
        let file: ThemeFile = toml::from_str(text).map_err(|e| invalid(e.message().to_string()))?;
        for key in file.styles.keys() {
            if !STYLE_NAMES.contains(&key.as_str()) {
                return Err(invalid(format!(
                    "unknown style `{key}`; styles are: {}",
                    STYLE_NAMES.join(", ")
                )));
            }
        }
        let style = |key: &str| -> Result<Style, ThemeError> {
            let Some(spec) = file.styles.get(key) else {
                return Ok(Style::default());
            };
            resolve(spec, depth).map_err(|m| invalid(format!("styles.{key}: {m}")))
        };
        Ok(Theme {
            name: file.name.clone(),
            text: style("text")?,
            muted: style("muted")?,
            accent: style("accent")?,
            user: style("user")?,
            assistant: style("assistant")?,
            tool: style("tool")?,
            success: style("success")?,
            warning: style("warning")?,
            error: style("error")?,
            border: style("border")?,
            border_focus: style("border_focus")?,
            title: style("title")?,
            selection: style("selection")?,
            code: style("code")?,
            heading: style("heading")?,
            link: style("link")?,
            status: style("status")?,
            status_key: style("status_key")?,
            popup: style("popup")?,
            glyphs: if ascii {
                Glyphs::ascii()
            } else {
                Glyphs::unicode()
            },
            depth,
        })
    }

    /// The mono theme with no colour and ASCII glyphs (for tests).
    #[cfg(test)]
    pub fn plain() -> Self {
        Self::parse(BUILTIN[3].1, "themes/mono.toml", ColorDepth::None, true)
            .expect("the built-in mono theme parses")
    }
}

fn resolve(spec: &StyleSpec, depth: ColorDepth) -> Result<Style, String> {
    let mut style = Style::default();
    let mut modifiers = Modifier::empty();
    if spec.bold {
        modifiers |= Modifier::BOLD;
    }
    if spec.italic {
        modifiers |= Modifier::ITALIC;
    }
    if spec.underline {
        modifiers |= Modifier::UNDERLINED;
    }
    if spec.reversed {
        modifiers |= Modifier::REVERSED;
    }
    let fg = spec.fg.as_deref().map(parse_color).transpose()?;
    let bg = spec.bg.as_deref().map(parse_color).transpose()?;
    match depth {
        ColorDepth::None => {
            // A background marked something out (status bar, selection):
            // keep it visible as reverse video.
            if bg.is_some_and(|c| c != Color::Reset) {
                modifiers |= Modifier::REVERSED;
            }
        }
        ColorDepth::Ansi16 => {
            if let Some(c) = fg {
                style = style.fg(to_ansi16(c));
            }
            if let Some(c) = bg {
                style = style.bg(to_ansi16(c));
            }
        }
        ColorDepth::TrueColor => {
            if let Some(c) = fg {
                style = style.fg(c);
            }
            if let Some(c) = bg {
                style = style.bg(c);
            }
        }
    }
    Ok(style.add_modifier(modifiers))
}

fn parse_color(s: &str) -> Result<Color, String> {
    s.parse::<Color>().map_err(|_| {
        format!("`{s}` is not a colour (use \"#rrggbb\", a name like \"lightblue\", or 0-255)")
    })
}

/// The 16 ANSI colours with their usual xterm values.
const ANSI16: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

/// Nearest ANSI colour to an RGB or indexed colour; named colours stay.
pub fn to_ansi16(c: Color) -> Color {
    let (r, g, b) = match c {
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) => indexed_rgb(i),
        other => return other,
    };
    ANSI16
        .iter()
        .min_by_key(|(_, (ar, ag, ab))| {
            let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).pow(2);
            // Weighted towards green, as the eye is.
            2 * d(r, *ar) + 4 * d(g, *ag) + 3 * d(b, *ab)
        })
        .map_or(Color::Reset, |(c, _)| *c)
}

fn indexed_rgb(i: u8) -> (u8, u8, u8) {
    match i {
        0..=15 => ANSI16[usize::from(i)].1,
        16..=231 => {
            let i = i - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            (level(i / 36), level((i / 6) % 6), level(i % 6))
        }
        _ => {
            let v = 8 + (i - 232) * 10;
            (v, v, v)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn every_builtin_theme_loads_at_every_depth() {
        let home = Path::new("/nonexistent");
        for name in builtin_names() {
            for depth in [ColorDepth::TrueColor, ColorDepth::Ansi16, ColorDepth::None] {
                let theme = Theme::load(name, home, depth, false).unwrap();
                assert_eq!(theme.name, name);
                if depth == ColorDepth::None {
                    assert_eq!(theme.text.fg, None);
                    assert!(theme.selection.add_modifier.contains(Modifier::REVERSED));
                }
                if depth == ColorDepth::Ansi16 {
                    for s in [theme.text, theme.status, theme.code, theme.accent] {
                        assert!(!matches!(s.fg, Some(Color::Rgb(..) | Color::Indexed(_))));
                        assert!(!matches!(s.bg, Some(Color::Rgb(..) | Color::Indexed(_))));
                    }
                }
            }
        }
        assert_eq!(Theme::plain().name, "mono");
    }

    #[test]
    fn user_themes_override_and_errors_name_the_problem() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("themes")).unwrap();
        std::fs::write(
            dir.path().join("themes/mine.toml"),
            "name = \"mine\"\n[styles]\ntext = { fg = \"#ff0000\" }\n",
        )
        .unwrap();
        let t = Theme::load("mine", dir.path(), ColorDepth::TrueColor, false).unwrap();
        assert_eq!(t.text.fg, Some(Color::Rgb(255, 0, 0)));
        let err = Theme::load("nope", dir.path(), ColorDepth::TrueColor, false).unwrap_err();
        assert!(
            err.to_string().contains("dark, light, high-contrast, mono"),
            "{err}"
        );
        std::fs::write(
            dir.path().join("themes/bad.toml"),
            "name = \"bad\"\n[styles]\ntext = { fg = \"chartreuse-ish\" }\n",
        )
        .unwrap();
        let err = Theme::load("bad", dir.path(), ColorDepth::TrueColor, false).unwrap_err();
        assert!(err.to_string().contains("styles.text"), "{err}");
    }

    #[test]
    fn depth_and_ascii_follow_settings_then_environment() {
        assert_eq!(
            ColorDepth::detect("auto", env(&[("COLORTERM", "truecolor")])).unwrap(),
            ColorDepth::TrueColor
        );
        assert_eq!(
            ColorDepth::detect("auto", env(&[])).unwrap(),
            ColorDepth::Ansi16
        );
        assert_eq!(
            ColorDepth::detect(
                "auto",
                env(&[("NO_COLOR", "1"), ("COLORTERM", "truecolor")])
            )
            .unwrap(),
            ColorDepth::None
        );
        assert_eq!(
            ColorDepth::detect("truecolor", env(&[("NO_COLOR", "1")])).unwrap(),
            ColorDepth::TrueColor
        );
        assert!(ColorDepth::detect("256", env(&[])).is_err());
        assert!(ascii_only("auto", env(&[("LANG", "C")])).unwrap());
        assert!(!ascii_only("auto", env(&[("LANG", "en_US.UTF-8")])).unwrap());
        assert!(ascii_only("always", env(&[("LANG", "en_US.UTF-8")])).unwrap());
    }

    #[test]
    fn rgb_maps_to_the_nearest_ansi_colour() {
        assert_eq!(to_ansi16(Color::Rgb(250, 10, 10)), Color::LightRed);
        assert_eq!(to_ansi16(Color::Rgb(30, 30, 30)), Color::Black);
        assert_eq!(to_ansi16(Color::Rgb(0, 0, 200)), Color::Blue);
        assert_eq!(to_ansi16(Color::Blue), Color::Blue);
    }
}
