//! Splitting documents into search chunks.
//!
//! Chunks are about [`ChunkSpec::words`] words (160 by default) with
//! [`ChunkSpec::overlap`] words (24, 15%) repeated from the previous chunk.
//! Why not the common 800 words: the local embedding model (all-MiniLM-L6-v2)
//! reads at most 256 word pieces, about 190 English words; everything past
//! that would be invisible to vector search. 160 words leaves room for the
//! longer word pieces of names, code and non-English text, and the overlap
//! keeps a sentence that straddles a boundary whole in at least one chunk.
//!
//! A chunk ends at a paragraph or sentence end when one falls in its last
//! quarter, so chunks read naturally in snippets. Chunk text is a slice of
//! the document (formatting kept), so a chunk's hash changes only when its
//! text does and the embedding cache stays valid across edits elsewhere.

/// Chunk size and overlap, in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkSpec {
    pub words: usize,
    pub overlap: usize,
}

impl Default for ChunkSpec {
    fn default() -> Self {
        Self {
            words: 160,
            overlap: 24,
        }
    }
}

/// The chunks of `text`, as byte ranges into it. Empty text has none; text
/// up to 1.25 × `words` words is one chunk.
pub fn chunk(text: &str, spec: ChunkSpec) -> Vec<std::ops::Range<usize>> {
    let words = word_spans(text);
    if words.is_empty() {
        return Vec::new();
    }
    let size = spec.words.max(1);
    let overlap = spec.overlap.min(size.saturating_sub(1));
    if words.len() <= size + size / 4 {
        let whole = words[0].start..words[words.len() - 1].end;
        return std::iter::once(whole).collect();
    }
    let mut out = Vec::new();
    let mut start = 0;
    loop {
        let mut end = (start + size).min(words.len());
        if end < words.len() {
            // Prefer a paragraph end, then a sentence end, in the last quarter.
            let floor = end - size / 4;
            let boundary = (floor..end)
                .rev()
                .find(|&i| paragraph_end(text, &words, i))
                .or_else(|| (floor..end).rev().find(|&i| sentence_end(text, &words[i])));
            if let Some(i) = boundary {
                end = i + 1;
            }
        }
        // A short tail joins the last chunk instead of standing alone.
        if words.len() - end <= size / 4 {
            end = words.len();
        }
        out.push(words[start].start..words[end - 1].end);
        if end == words.len() {
            return out;
        }
        start = (end - overlap).max(start + 1);
    }
}

fn word_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                spans.push(s..i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push(s..text.len());
    }
    spans
}

fn sentence_end(text: &str, word: &std::ops::Range<usize>) -> bool {
    let w = text[word.clone()].trim_end_matches(['"', '\'', ')', ']', '*', '_']);
    w.ends_with(['.', '!', '?', ':'])
}

/// Whether a blank line follows word `i`.
fn paragraph_end(text: &str, words: &[std::ops::Range<usize>], i: usize) -> bool {
    let gap_end = words.get(i + 1).map_or(text.len(), |w| w.start);
    text[words[i].end..gap_end].matches('\n').count() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(n: usize) -> String {
        (0..n)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn short_and_empty_texts() {
        assert!(chunk("", ChunkSpec::default()).is_empty());
        assert!(chunk("  \n\t ", ChunkSpec::default()).is_empty());
        let t = "  hello world  ";
        assert_eq!(chunk(t, ChunkSpec::default()), vec![2..13]);
        let t = words(200);
        assert_eq!(chunk(&t, ChunkSpec::default()).len(), 1);
    }

    #[test]
    fn long_text_overlaps_and_covers_everything() {
        let t = words(1000);
        let spec = ChunkSpec::default();
        let chunks = chunk(&t, spec);
        assert!(chunks.len() >= 6, "{}", chunks.len());
        assert_eq!(chunks[0].start, 0);
        assert_eq!(chunks.last().unwrap().end, t.len());
        for pair in chunks.windows(2) {
            // Overlap: the next chunk starts before this one ends.
            assert!(pair[1].start < pair[0].end);
            let shared = t[pair[1].start..pair[0].end].split_whitespace().count();
            assert_eq!(shared, spec.overlap);
        }
        for c in &chunks {
            let n = t[c.clone()].split_whitespace().count();
            assert!(n <= spec.words + spec.words / 4, "{n}");
        }
    }

    #[test]
    fn prefers_sentence_and_paragraph_ends() {
        let sentence = "This is a sentence of eight words here.";
        let mut t = String::new();
        for i in 0..60 {
            t.push_str(sentence);
            t.push_str(if i % 7 == 6 { "\n\n" } else { " " });
        }
        for c in chunk(&t, ChunkSpec::default()) {
            let text = &t[c];
            assert!(text.ends_with('.'), "{:?}", &text[text.len() - 20..]);
        }
    }

    #[test]
    fn tiny_specs_terminate() {
        let t = words(50);
        let chunks = chunk(
            &t,
            ChunkSpec {
                words: 1,
                overlap: 5,
            },
        );
        assert_eq!(chunks.len(), 50);
        let chunks = chunk(
            &t,
            ChunkSpec {
                words: 0,
                overlap: 0,
            },
        );
        assert_eq!(chunks.len(), 50);
    }
}
