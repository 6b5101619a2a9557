//! Reciprocal Rank Fusion and snippets.
//!
//! RRF (Cormack et al., 2009) scores a document `Σ 1 / (k + rank)` over the
//! lists it appears in. It needs no score calibration between BM25 and
//! cosine similarity, which live on unrelated scales, and k = 60 (the
//! paper's value) keeps one list's top hit from drowning agreement between
//! both. Fusion is per document: a document's rank in a list is where its
//! best chunk first appears, so a long note with many matching chunks does
//! not crowd out the rest.

use std::collections::HashMap;

/// A fused result: the document's representative chunk and its ranks.
#[derive(Debug, Clone, PartialEq)]
pub struct Fused {
    pub document_id: i64,
    /// The chunk whose snippet is shown: the best full-text chunk if any,
    /// else the best vector chunk.
    pub chunk_id: i64,
    pub score: f64,
    pub fulltext_rank: Option<u32>,
    pub vector_rank: Option<u32>,
}

/// Fuses two ranked lists of `(chunk id, document id)`, best first.
pub fn fuse(fulltext: &[(i64, i64)], vector: &[(i64, i64)], k: f64, limit: usize) -> Vec<Fused> {
    let mut docs: HashMap<i64, Fused> = HashMap::new();
    let mut order = Vec::new();
    for (list, is_text) in [(fulltext, true), (vector, false)] {
        let mut rank = 0u32;
        for &(chunk_id, document_id) in list {
            let entry = docs.entry(document_id).or_insert_with(|| {
                order.push(document_id);
                Fused {
                    document_id,
                    chunk_id,
                    score: 0.0,
                    fulltext_rank: None,
                    vector_rank: None,
                }
            });
            let slot = if is_text {
                &mut entry.fulltext_rank
            } else {
                &mut entry.vector_rank
            };
            if slot.is_some() {
                continue; // a later chunk of a document already ranked
            }
            rank += 1;
            *slot = Some(rank);
            entry.score += 1.0 / (k + f64::from(rank));
        }
    }
    let mut fused: Vec<Fused> = order.into_iter().filter_map(|d| docs.remove(&d)).collect();
    // Ties keep first-seen order (full-text first): stable sort.
    fused.sort_by(|a, b| b.score.total_cmp(&a.score));
    fused.truncate(limit);
    fused
}

/// About `max_chars` of `text` around the first query word it contains
/// (or its start), on one line, with `…` where it was cut.
pub fn snippet(text: &str, query: &str, max_chars: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<char> = flat.chars().collect();
    if chars.len() <= max_chars {
        return flat;
    }
    let lower: Vec<char> = chars.iter().flat_map(|c| c.to_lowercase().next()).collect();
    let hit = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .filter_map(|w| {
            let w: Vec<char> = w.to_lowercase().chars().collect();
            lower.windows(w.len()).position(|win| win == w.as_slice())
        })
        .min();
    let start = match hit {
        Some(pos) => {
            let mut s = pos.saturating_sub(max_chars / 4);
            // Start at a word boundary.
            while s > 0 && s < pos && !chars[s - 1].is_whitespace() {
                s += 1;
            }
            s.min(chars.len().saturating_sub(max_chars))
        }
        None => 0,
    };
    let end = (start + max_chars).min(chars.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_in_both_lists_win() {
        // Doc 1 is first by keywords only, doc 3 first by vectors only, doc
        // 2 second in both: agreement beats one list's top hit.
        let text = [(10, 1), (20, 2), (40, 4)];
        let vector = [(30, 3), (21, 2)];
        let fused = fuse(&text, &vector, 60.0, 10);
        let order: Vec<i64> = fused.iter().map(|f| f.document_id).collect();
        assert_eq!(order, vec![2, 1, 3, 4]);
        assert_eq!(fused[0].fulltext_rank, Some(2));
        assert_eq!(fused[0].vector_rank, Some(2));
        assert_eq!(fused[0].chunk_id, 20, "the full-text chunk is shown");
        assert!((fused[0].score - 2.0 / 62.0).abs() < 1e-12);
        assert_eq!(fused[2].chunk_id, 30);
        assert_eq!(fused[2].fulltext_rank, None);
    }

    #[test]
    fn ranks_are_per_document_and_limit_applies() {
        // Three chunks of doc 1 do not push doc 2 down to rank 4.
        let text = [(10, 1), (11, 1), (12, 1), (20, 2)];
        let fused = fuse(&text, &[], 60.0, 10);
        assert_eq!(fused[1].document_id, 2);
        assert_eq!(fused[1].fulltext_rank, Some(2));
        assert_eq!(fuse(&text, &[], 60.0, 1).len(), 1);
        assert!(fuse(&[], &[], 60.0, 5).is_empty());
    }

    #[test]
    fn one_list_alone_keeps_its_order() {
        let vector = [(1, 7), (2, 8), (3, 9)];
        let order: Vec<i64> = fuse(&[], &vector, 60.0, 10)
            .iter()
            .map(|f| f.document_id)
            .collect();
        assert_eq!(order, vec![7, 8, 9]);
    }

    #[test]
    fn snippets_center_on_the_query_and_respect_char_boundaries() {
        let text = format!("{} the WORD is here {}", "é ".repeat(300), "ü ".repeat(300));
        let s = snippet(&text, "word", 60);
        assert!(s.contains("WORD"), "{s}");
        assert!(s.starts_with('…') && s.ends_with('…'));
        assert!(s.chars().count() <= 62);
        let s = snippet("short\n\ntext", "zzz", 60);
        assert_eq!(s, "short text");
        let s = snippet(&"abc ".repeat(100), "nothing", 20);
        assert!(s.starts_with("abc") && s.ends_with('…'));
    }
}
