//! Markdown to styled, wrapped lines for the chat.
//!
//! Parsing is pulldown-cmark's; this module only decides how each element
//! looks in a terminal: headings bold in the heading colour, emphasis,
//! inline code and fenced blocks in the code style (blocks keep their
//! indentation and wrap by cell), lists with bullets or numbers and hanging
//! indents, quotes with a bar, links as their text followed by the address.
//! The input is sanitised by the caller; nothing here emits raw text.

use pulldown_cmark::{CodeBlockKind, Event as Md, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::text::{sanitize, wrap_hard, wrap_line};
use super::theme::Theme;

/// Renders `markdown` for a pane `width` cells wide.
pub fn render(markdown: &str, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut r = Renderer::new(width.max(8), theme);
    let options =
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS;
    for event in Parser::new_ext(markdown, options) {
        r.event(event);
    }
    r.finish()
}

struct Renderer<'t> {
    theme: &'t Theme,
    width: usize,
    out: Vec<Line<'static>>,
    /// The paragraph (or heading, item text, table row) being collected.
    spans: Vec<Span<'static>>,
    styles: Vec<Style>,
    /// One entry per open list: the next number, or `None` for bullets.
    lists: Vec<Option<u64>>,
    /// The bullet or number waiting to prefix the next line of an item.
    item_marker: Option<String>,
    quote_depth: usize,
    code: Option<String>,
    link_url: Vec<String>,
    table_row: Vec<String>,
}

impl<'t> Renderer<'t> {
    fn new(width: usize, theme: &'t Theme) -> Self {
        Self {
            theme,
            width,
            out: Vec::new(),
            spans: Vec::new(),
            styles: vec![theme.assistant],
            lists: Vec::new(),
            item_marker: None,
            quote_depth: 0,
            code: None,
            link_url: Vec::new(),
            table_row: Vec::new(),
        }
    }

    fn style(&self) -> Style {
        self.styles.last().copied().unwrap_or_default()
    }

    fn push_style(&mut self, f: impl FnOnce(Style) -> Style) {
        let s = f(self.style());
        self.styles.push(s);
    }

    fn pop_style(&mut self) {
        if self.styles.len() > 1 {
            self.styles.pop();
        }
    }

    /// Quote bars and list indentation for lines of the current block.
    fn prefixes(&self) -> (String, String) {
        let bar = if self.theme.glyphs.ascii {
            "| "
        } else {
            "│ "
        };
        let quote = bar.repeat(self.quote_depth);
        let depth = self.lists.len();
        let indent = "  ".repeat(depth.saturating_sub(1));
        match &self.item_marker {
            Some(marker) => (
                format!("{quote}{indent}{marker}"),
                format!("{quote}{indent}{}", " ".repeat(super::text::width(marker))),
            ),
            None if depth > 0 => {
                let hang = format!("{quote}{indent}  ");
                (hang.clone(), hang)
            }
            None => (quote.clone(), quote),
        }
    }

    fn blank(&mut self) {
        if self.out.last().is_some_and(|l| l.width() > 0) {
            self.out.push(Line::default());
        }
    }

    fn flush(&mut self) {
        if self.spans.is_empty() && self.item_marker.is_none() {
            return;
        }
        let (first, rest) = self.prefixes();
        let mut spans = vec![Span::styled(first.clone(), self.theme.muted)];
        spans.append(&mut self.spans);
        let lines = wrap_line(&spans, self.width, &rest);
        self.out.extend(lines);
        self.item_marker = None;
    }

    fn event(&mut self, event: Md<'_>) {
        if let Some(code) = &mut self.code {
            match event {
                Md::Text(t) => code.push_str(&sanitize(&t)),
                Md::End(TagEnd::CodeBlock) => self.end_code(),
                _ => {}
            }
            return;
        }
        match event {
            Md::Start(tag) => self.start(tag),
            Md::End(tag) => self.end(tag),
            // Entities (`&#x1b;`, `&#x202e;`) are decoded by the parser, so
            // what it hands back is sanitised again.
            Md::Text(t) => {
                let style = self.style();
                self.spans
                    .push(Span::styled(sanitize(&t).into_owned(), style));
            }
            Md::Code(t) => self
                .spans
                .push(Span::styled(t.into_string(), self.theme.code)),
            Md::InlineMath(t) | Md::DisplayMath(t) => self
                .spans
                .push(Span::styled(t.into_string(), self.theme.code)),
            Md::Html(t) | Md::InlineHtml(t) => {
                let style = self.style();
                self.spans
                    .push(Span::styled(t.trim_end().to_string(), style));
            }
            Md::SoftBreak => self.spans.push(Span::raw(" ")),
            Md::HardBreak => self.flush(),
            Md::Rule => {
                self.flush();
                self.blank();
                let rule = self.theme.glyphs.rule.repeat(self.width.min(40));
                self.out
                    .push(Line::from(Span::styled(rule, self.theme.muted)));
                self.out.push(Line::default());
            }
            Md::TaskListMarker(done) => {
                let mark = if done { "[x] " } else { "[ ] " };
                self.spans.push(Span::styled(mark, self.theme.muted));
            }
            Md::FootnoteReference(name) => self
                .spans
                .push(Span::styled(format!("[{name}]"), self.theme.muted)),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {}
            Tag::Heading { level, .. } => {
                self.flush();
                self.blank();
                let heading = self.theme.heading;
                self.push_style(|_| match level {
                    HeadingLevel::H1 => heading.add_modifier(Modifier::UNDERLINED),
                    _ => heading,
                });
            }
            Tag::BlockQuote(_) => {
                self.flush();
                self.quote_depth += 1;
                let muted = self.theme.muted;
                self.push_style(|s| s.patch(muted).add_modifier(Modifier::ITALIC));
            }
            Tag::CodeBlock(kind) => {
                self.flush();
                self.blank();
                if let CodeBlockKind::Fenced(lang) = kind
                    && !lang.is_empty()
                {
                    let (first, _) = self.prefixes();
                    self.out.push(Line::from(vec![
                        Span::raw(first),
                        Span::styled(sanitize(&lang).into_owned(), self.theme.muted),
                    ]));
                }
                self.code = Some(String::new());
            }
            Tag::List(start) => {
                self.flush();
                if self.lists.is_empty() {
                    self.blank();
                }
                self.lists.push(start);
            }
            Tag::Item => {
                self.flush();
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}. ");
                        *n += 1;
                        m
                    }
                    _ => format!("{} ", self.theme.glyphs.bullet),
                };
                self.item_marker = Some(marker);
            }
            Tag::Emphasis => self.push_style(|s| s.add_modifier(Modifier::ITALIC)),
            Tag::Strong => self.push_style(|s| s.add_modifier(Modifier::BOLD)),
            Tag::Strikethrough => self.push_style(|s| s.add_modifier(Modifier::CROSSED_OUT)),
            Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                self.link_url.push(sanitize(&dest_url).into_owned());
                let link = self.theme.link;
                self.push_style(|s| s.patch(link));
            }
            Tag::Table(_) | Tag::TableHead | Tag::TableRow => {
                self.flush();
            }
            Tag::TableCell => {}
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                self.flush();
                if self.lists.is_empty() {
                    self.blank();
                }
            }
            TagEnd::Heading(_) => {
                self.flush();
                self.pop_style();
                self.out.push(Line::default());
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.quote_depth = self.quote_depth.saturating_sub(1);
                self.pop_style();
                self.blank();
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
                if self.lists.is_empty() {
                    self.blank();
                }
            }
            TagEnd::Item => self.flush(),
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => self.pop_style(),
            TagEnd::Link | TagEnd::Image => {
                self.pop_style();
                if let Some(url) = self.link_url.pop() {
                    let text: String = self
                        .spans
                        .iter()
                        .rev()
                        .take(1)
                        .map(|s| s.content.to_string())
                        .collect();
                    if !url.is_empty() && text != url && !url.starts_with('#') {
                        self.spans
                            .push(Span::styled(format!(" ({url})"), self.theme.muted));
                    }
                }
            }
            TagEnd::TableCell => {
                let cell: String = self
                    .spans
                    .drain(..)
                    .map(|s| s.content.into_owned())
                    .collect();
                self.table_row.push(cell.trim().to_string());
            }
            TagEnd::TableHead | TagEnd::TableRow => {
                let row = std::mem::take(&mut self.table_row).join(" | ");
                let style = if tag == TagEnd::TableHead {
                    self.style().add_modifier(Modifier::BOLD)
                } else {
                    self.style()
                };
                self.spans.push(Span::styled(row, style));
                self.flush();
            }
            TagEnd::Table => self.blank(),
            _ => {}
        }
    }

    fn end_code(&mut self) {
        let code = self.code.take().unwrap_or_default();
        let (first, _) = self.prefixes();
        let gutter = format!("{first}  ");
        let avail = self
            .width
            .saturating_sub(super::text::width(&gutter))
            .max(4);
        for line in code.trim_end_matches('\n').split('\n') {
            for wrapped in wrap_hard(&[Span::styled(line.to_string(), self.theme.code)], avail) {
                let mut spans = vec![Span::raw(gutter.clone())];
                spans.extend(wrapped.spans);
                self.out.push(Line::from(spans));
            }
        }
        self.out.push(Line::default());
    }

    fn finish(mut self) -> Vec<Line<'static>> {
        if let Some(code) = self.code.take() {
            // An unterminated fence while streaming: show what came so far.
            self.code = Some(code);
            self.end_code();
        }
        self.flush();
        while self.out.last().is_some_and(|l| l.width() == 0) {
            self.out.pop();
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::theme::Theme;

    fn text(lines: &[Line<'_>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| {
                l.spans
                    .iter()
                    .map(|s| s.content.as_ref())
                    .collect::<String>()
            })
            .collect()
    }

    #[test]
    fn renders_the_common_elements() {
        let theme = Theme::plain();
        let md = "# Title\n\nSome *emphasis* and `code`.\n\n- one\n- two with a long tail that wraps\n\n1. first\n2. second\n\n```rust\nfn main() {\n    x();\n}\n```\n\n> quoted\n\nSee [the docs](https://example.com).";
        let lines = text(&render(md, 24, &theme));
        assert_eq!(
            lines,
            [
                "Title",
                "",
                "Some emphasis and code.",
                "",
                "* one",
                "* two with a long tail",
                "  that wraps",
                "",
                "1. first",
                "2. second",
                "",
                "rust",
                "  fn main() {",
                "      x();",
                "  }",
                "",
                "| quoted",
                "",
                "See the docs",
                "(https://example.com).",
            ]
        );
        for l in render(md, 24, &theme) {
            assert!(l.width() <= 24);
        }
    }

    #[test]
    fn entities_cannot_smuggle_control_characters() {
        let theme = Theme::plain();
        let md = "run &#x202E;txt.exe and &#27;[2J [x](http://a&#x1b;b) &#x7;";
        for line in render(md, 80, &theme) {
            for span in &line.spans {
                assert!(
                    !span
                        .content
                        .chars()
                        .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
                    "{:?}",
                    span.content
                );
            }
        }
    }

    #[test]
    fn unfinished_stream_still_renders() {
        let theme = Theme::plain();
        let lines = text(&render("Here:\n\n```\nlet a = 1;\nlet b", 40, &theme));
        assert_eq!(lines, ["Here:", "", "  let a = 1;", "  let b"]);
    }
}
