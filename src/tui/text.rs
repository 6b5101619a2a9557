//! Text that is safe to draw and fits its area.
//!
//! Everything shown in the TUI that came from outside (model output, tool
//! output, file names, log lines) passes through [`sanitize`] first: escape
//! sequences are removed and control characters replaced, so a tool's output
//! can never move the cursor, retitle the window or recolour the screen.
//!
//! [`wrap_line`] wraps styled text to a width in terminal cells (wide CJK
//! characters and emoji count two), at spaces when it can and mid-word when
//! a word is wider than the line. It is hand-written rather than ratatui's
//! `Paragraph` wrapping because the chat needs each cell's wrapped height
//! without drawing it (to scroll 10,000 messages by line), which ratatui
//! only offers behind an unstable feature.

use std::borrow::Cow;

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Spaces a tab expands to.
const TAB: &str = "    ";

/// Removes terminal escape sequences, expands tabs, and replaces other
/// control characters (and bidi overrides, which reorder what is shown) with
/// `�`. Newlines are kept. Borrows when there is nothing to change.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_care) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push_str(TAB),
            '\r' => {
                // CRLF is a line ending; a lone CR would overwrite the line.
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            '\u{1b}' => skip_escape(&mut chars),
            // C1 CSI / OSC / DCS introducers: same as their ESC forms.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if needs_care(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_care(c: char) -> bool {
    c.is_control() && c != '\n' || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// After ESC: CSI (`[`), string commands (`]`, `P`, `^`, `_`, `X`) or a
/// two-character sequence.
fn skip_escape(chars: &mut Chars<'_>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | '^' | '_' | 'X') => skip_string(chars),
        // Character-set designations take one more character.
        Some('(' | ')' | '*' | '+' | '#' | '%') => {
            chars.next();
        }
        _ => {}
    }
}

/// Parameters and intermediates up to the final byte (0x40–0x7e).
fn skip_csi(chars: &mut Chars<'_>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
        if !('\u{20}'..='\u{3f}').contains(&c) {
            break; // malformed: stop swallowing text
        }
    }
}

/// Up to BEL or ST (`ESC \` or 0x9c).
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

/// Rewrites a drawn frame to ASCII, for terminals without UTF-8 (where any
/// other byte sequence prints as garbage). Common punctuation gets a look-
/// alike; anything else becomes `?`, one per cell, so widths are kept.
pub fn asciify(buf: &mut ratatui::buffer::Buffer) {
    let mut wide_tail = false;
    for cell in buf.content.iter_mut() {
        let symbol = cell.symbol();
        if wide_tail {
            // The cell hidden behind a wide character: now visible.
            wide_tail = false;
            if symbol.is_empty() {
                cell.set_symbol(" ");
                continue;
            }
        }
        if symbol.is_ascii() {
            continue;
        }
        wide_tail = width(symbol) > 1;
        let replacement = match symbol {
            "·" | "•" | "—" | "–" | "─" | "━" => "-",
            "…" => "~",
            "“" | "”" | "„" => "\"",
            "‘" | "’" => "'",
            "│" | "┃" => "|",
            "▸" | "▶" | "→" => ">",
            "▾" => "v",
            "≥" => ">",
            "≤" => "<",
            "✓" | "✔" => "+",
            "✗" | "✘" => "x",
            "▌" | "█" => "_",
            _ => "?",
        };
        cell.set_symbol(replacement);
    }
}

/// Display width in terminal cells.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` cells, ending with `…` when it was cut.
pub fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = width(g);
        if used + w > max - 1 {
            break;
        }
        out.push_str(g);
        used += w;
    }
    out.push('…');
    Cow::Owned(out)
}

/// Wraps one logical line of styled spans to `width` cells. `indent` is
/// prepended to continuation lines. Breaks only at whitespace, except that
/// a word wider than a whole line is split between graphemes. Runs of
/// whitespace collapse to one space. Always returns at least one line.
pub fn wrap_line(spans: &[Span<'_>], width: usize, indent: &str) -> Vec<Line<'static>> {
    let indent_w = self::width(indent).min(width.max(1).saturating_sub(1));
    // An indent too wide for the line shrinks to blanks that fit.
    let indent = if self::width(indent) > indent_w {
        " ".repeat(indent_w)
    } else {
        indent.to_string()
    };
    let mut w = Wrapper {
        width: width.max(1),
        indent,
        indent_w,
        lines: Vec::new(),
        current: Vec::new(),
        used: 0,
        space_before: false,
        word: Vec::new(),
        word_w: 0,
    };
    for span in spans {
        for piece in span.content.split_word_bounds() {
            if piece.chars().all(char::is_whitespace) {
                w.flush_word();
                if w.used > 0 {
                    w.space_before = true;
                }
            } else {
                w.word.push((piece.to_string(), span.style));
                w.word_w += self::width(piece);
            }
        }
    }
    w.flush_word();
    w.lines.push(Line::from(w.current));
    w.lines
}

struct Wrapper {
    width: usize,
    indent: String,
    indent_w: usize,
    lines: Vec<Line<'static>>,
    current: Vec<Span<'static>>,
    used: usize,
    /// A space is owed before the next word (dropped at a line break).
    space_before: bool,
    /// The word being collected: pieces with their styles.
    word: Vec<(String, Style)>,
    word_w: usize,
}

impl Wrapper {
    fn break_line(&mut self) {
        self.lines
            .push(Line::from(std::mem::take(&mut self.current)));
        self.current.push(Span::raw(self.indent.clone()));
        self.used = self.indent_w;
        self.space_before = false;
    }

    fn flush_word(&mut self) {
        if self.word.is_empty() {
            return;
        }
        let word = std::mem::take(&mut self.word);
        let word_w = std::mem::take(&mut self.word_w);
        let space = usize::from(self.space_before);
        if self.used + space + word_w > self.width
            && self.used > self.indent_w
            && word_w <= self.width - self.indent_w
        {
            self.break_line();
        }
        if self.space_before {
            if self.used + 1 + word_w <= self.width || self.used + 1 < self.width {
                let style = word.first().map(|(_, s)| *s).unwrap_or_default();
                push(&mut self.current, " ", style);
                self.used += 1;
            }
            self.space_before = false;
        }
        for (text, style) in word {
            if self.used + self::width(&text) <= self.width {
                push(&mut self.current, &text, style);
                self.used += self::width(&text);
                continue;
            }
            // Wider than the line: split between graphemes.
            for g in text.graphemes(true) {
                let gw = self::width(g);
                if self.used + gw > self.width && self.used > self.indent_w {
                    self.break_line();
                }
                if self.used + gw > self.width && self.used == self.indent_w && self.used > 0 {
                    // Too narrow for the indent and this grapheme: drop the indent.
                    self.current.clear();
                    self.used = 0;
                }
                push(&mut self.current, g, style);
                self.used += gw;
            }
        }
    }
}

/// Appends to the last span when the style matches (fewer, longer spans
/// render faster and snapshot more readably).
fn push(spans: &mut Vec<Span<'static>>, text: &str, style: Style) {
    if let Some(last) = spans.last_mut()
        && last.style == style
    {
        last.content.to_mut().push_str(text);
        return;
    }
    spans.push(Span::styled(text.to_string(), style));
}

/// Wraps by cells alone, keeping every space (code, logs, tool output).
pub fn wrap_hard(spans: &[Span<'_>], width: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut current: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for span in spans {
        for g in span.content.graphemes(true) {
            let w = self::width(g);
            if used + w > width && used > 0 {
                lines.push(Line::from(std::mem::take(&mut current)));
                used = 0;
            }
            push(&mut current, g, span.style);
            used += w;
        }
    }
    lines.push(Line::from(current));
    lines
}

/// Wraps plain multi-line text (already sanitised) in one style.
pub fn wrap_plain(text: &str, style: Style, width: usize, indent: &str) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for line in text.split('\n') {
        out.extend(wrap_line(&[Span::styled(line, style)], width, indent));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(lines: &[Line<'_>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn escapes_never_reach_the_terminal() {
        let hostile =
            "ok\u{1b}[2J\u{1b}[H\u{1b}]0;pwned\u{7}\u{1b}[31mred\u{1b}[0m\u{9b}1;1H end\rX\u{0}";
        let clean = sanitize(hostile);
        assert_eq!(clean, "okred end\nX\u{fffd}");
        assert!(!clean.chars().any(|c| c.is_control() && c != '\n'));
        assert_eq!(sanitize("plain text"), Cow::Borrowed("plain text"));
        assert_eq!(sanitize("a\u{202e}b"), "a\u{fffd}b");
        assert_eq!(sanitize("a\r\nb\tc"), "a\nb    c");
    }

    #[test]
    fn wraps_at_spaces_and_splits_long_words() {
        let lines = wrap_line(&[Span::raw("the quick brown fox jumps")], 10, "");
        assert_eq!(plain(&lines), ["the quick", "brown fox", "jumps"]);
        let lines = wrap_line(&[Span::raw("abcdefghijklmnop")], 5, "");
        assert_eq!(plain(&lines), ["abcde", "fghij", "klmno", "p"]);
        let lines = wrap_line(&[Span::raw("- item with words")], 8, "  ");
        assert_eq!(plain(&lines), ["- item", "  with", "  words"]);
    }

    #[test]
    fn asciify_keeps_every_cell_and_width() {
        use ratatui::buffer::Buffer;
        use ratatui::layout::Rect;
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 1));
        buf.set_string(0, 0, "a · 日本 …✓", Style::default());
        asciify(&mut buf);
        let line: String = buf.content.iter().map(|c| c.symbol()).collect();
        // 日 and 本 are two cells each: `?` and a blank.
        assert_eq!(line, "a - ? ?  ~+ ");
        assert!(line.is_ascii());
    }

    #[test]
    fn hard_wrap_keeps_indentation() {
        let lines = wrap_hard(&[Span::raw("    let x = 1;")], 8);
        assert_eq!(plain(&lines), ["    let ", "x = 1;"]);
    }

    #[test]
    fn wide_characters_count_two_cells() {
        let lines = wrap_line(&[Span::raw("日本語のテキスト")], 6, "");
        assert_eq!(plain(&lines), ["日本語", "のテキ", "スト"]);
        for line in &lines {
            assert!(line.width() <= 6);
        }
        assert_eq!(truncate("日本語のテキスト", 7), "日本語…");
        assert_eq!(truncate("short", 10), "short");
    }

    #[test]
    fn every_line_fits_any_width() {
        let text = "Mixed 😀 emoji, 中文字符 and averyveryverylongwordthatneverends, done.";
        for w in 1..40 {
            for line in wrap_line(&[Span::raw(text)], w, "  ") {
                assert!(line.width() <= w.max(2), "width {w}: {line:?}");
            }
        }
    }
}
