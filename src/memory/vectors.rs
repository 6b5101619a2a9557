//! The in-process vector index: every chunk's embedding, quantised to
//! 8 bits, scanned exhaustively.
//!
//! Why not libSQL's vector index: its DiskANN index costs ~12 ms and ~80 KB
//! per insert (the figure the project measured before choosing), and imports
//! embed thousands of chunks at a time. An exact scan over int8 vectors is
//! 384 bytes per chunk in memory (38 MB at 100k chunks), needs no tuning,
//! never misses a neighbour, and with AVX2 scans 100k chunks in a few
//! milliseconds (`cargo bench --bench memory` prints the figures). The
//! vectors themselves are persisted as f32 in the database's embedding cache
//! and loaded at start-up; this index is a cache of them.
//!
//! Quantisation: each L2-normalised vector is scaled so its largest
//! component is ±127, and the scale is kept; the dot product of two
//! quantised vectors times both scales approximates the cosine to ~1e-3,
//! far below the gaps that decide a ranking.

use std::collections::HashMap;

/// A nearest-neighbour hit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VectorHit {
    pub chunk_id: i64,
    pub document_id: i64,
    pub score: f32,
}

#[derive(Debug, Default)]
pub struct VectorIndex {
    dims: usize,
    chunk_ids: Vec<i64>,
    document_ids: Vec<i64>,
    /// Multiplier turning a quantised dot product back into a cosine.
    scales: Vec<f32>,
    data: Vec<i8>,
    position: HashMap<i64, usize>,
}

impl VectorIndex {
    pub fn new(dims: usize) -> Self {
        Self {
            dims,
            ..Self::default()
        }
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    pub fn len(&self) -> usize {
        self.chunk_ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chunk_ids.is_empty()
    }

    /// Bytes held by the vectors and their bookkeeping.
    pub fn memory_bytes(&self) -> usize {
        self.data.capacity() + self.chunk_ids.capacity() * 20 + self.position.capacity() * 24
    }

    /// Adds or replaces a chunk's vector. Vectors of the wrong length are
    /// refused (a model change without a reindex).
    pub fn insert(&mut self, chunk_id: i64, document_id: i64, vector: &[f32]) -> bool {
        if vector.len() != self.dims || self.dims == 0 {
            return false;
        }
        let (q, scale) = quantize(vector);
        match self.position.get(&chunk_id) {
            Some(&pos) => {
                self.document_ids[pos] = document_id;
                self.scales[pos] = scale;
                self.data[pos * self.dims..(pos + 1) * self.dims].copy_from_slice(&q);
            }
            None => {
                self.position.insert(chunk_id, self.chunk_ids.len());
                self.chunk_ids.push(chunk_id);
                self.document_ids.push(document_id);
                self.scales.push(scale);
                self.data.extend_from_slice(&q);
            }
        }
        true
    }

    /// Removes every chunk of a document.
    pub fn remove_document(&mut self, document_id: i64) {
        let mut pos = 0;
        while pos < self.document_ids.len() {
            if self.document_ids[pos] == document_id {
                self.swap_remove(pos);
            } else {
                pos += 1;
            }
        }
    }

    fn swap_remove(&mut self, pos: usize) {
        let last = self.chunk_ids.len() - 1;
        self.position.remove(&self.chunk_ids[pos]);
        if pos != last {
            self.position.insert(self.chunk_ids[last], pos);
            let (head, tail) = self.data.split_at_mut(last * self.dims);
            head[pos * self.dims..(pos + 1) * self.dims].copy_from_slice(&tail[..self.dims]);
        }
        self.chunk_ids.swap_remove(pos);
        self.document_ids.swap_remove(pos);
        self.scales.swap_remove(pos);
        self.data.truncate(last * self.dims);
    }

    pub fn clear(&mut self) {
        let dims = self.dims;
        *self = Self::new(dims);
    }

    /// The `k` chunks most similar to `query` (cosine), best first.
    pub fn search(&self, query: &[f32], k: usize) -> Vec<VectorHit> {
        if query.len() != self.dims || self.is_empty() || k == 0 {
            return Vec::new();
        }
        let (q, _) = quantize(query);
        let dots = scan(&self.data, &q, self.dims);
        let mut scored: Vec<(f32, usize)> = dots
            .iter()
            .enumerate()
            .map(|(i, &d)| (d as f32 * self.scales[i], i))
            .collect();
        let k = k.min(scored.len());
        let by_score = |a: &(f32, usize), b: &(f32, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        if k < scored.len() {
            scored.select_nth_unstable_by(k - 1, by_score);
            scored.truncate(k);
        }
        scored.sort_unstable_by(by_score);
        // The query's own scale only multiplies every score equally; divide
        // it out so scores read as cosines.
        let query_scale = quantize_scale(query);
        scored
            .into_iter()
            .map(|(score, i)| VectorHit {
                chunk_id: self.chunk_ids[i],
                document_id: self.document_ids[i],
                score: score * query_scale,
            })
            .collect()
    }
}

fn quantize_scale(v: &[f32]) -> f32 {
    let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
    if max > 0.0 { max / 127.0 } else { 0.0 }
}

fn quantize(v: &[f32]) -> (Vec<i8>, f32) {
    let scale = quantize_scale(v);
    if scale == 0.0 {
        return (vec![0; v.len()], 0.0);
    }
    let q = v
        .iter()
        .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8)
        .collect();
    (q, scale)
}

/// Dot products of `query` with every `dims`-long row of `data`.
fn scan(data: &[i8], query: &[i8], dims: usize) -> Vec<i32> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above).
        return unsafe { scan_avx2(data, query, dims) };
    }
    scan_portable(data, query, dims)
}

/// The same loop compiled with AVX2 enabled (the compiler vectorises it
/// into 32-lane multiply-adds; the baseline build only has SSE2).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn scan_avx2(data: &[i8], query: &[i8], dims: usize) -> Vec<i32> {
    scan_portable(data, query, dims)
}

#[inline(always)]
fn scan_portable(data: &[i8], query: &[i8], dims: usize) -> Vec<i32> {
    data.chunks_exact(dims)
        .map(|row| {
            row.iter()
                .zip(query)
                .map(|(&a, &b)| i32::from(a) * i32::from(b))
                .sum()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    fn random_unit(seed: u64, dims: usize) -> Vec<f32> {
        let mut rng = fastrand::Rng::with_seed(seed);
        unit(&(0..dims).map(|_| rng.f32() - 0.5).collect::<Vec<_>>())
    }

    #[test]
    fn finds_nearest_and_scores_are_cosines() {
        let dims = 64;
        let mut index = VectorIndex::new(dims);
        let vectors: Vec<Vec<f32>> = (0..500).map(|i| random_unit(i, dims)).collect();
        for (i, v) in vectors.iter().enumerate() {
            assert!(index.insert(i as i64, (i / 10) as i64, v));
        }
        let query = &vectors[137];
        let hits = index.search(query, 5);
        assert_eq!(hits[0].chunk_id, 137);
        assert!((hits[0].score - 1.0).abs() < 0.01, "{}", hits[0].score);
        // Same order as exact f32 cosine.
        let mut exact: Vec<(f32, i64)> = vectors
            .iter()
            .enumerate()
            .map(|(i, v)| (v.iter().zip(query).map(|(a, b)| a * b).sum(), i as i64))
            .collect();
        exact.sort_by(|a, b| b.0.total_cmp(&a.0));
        assert_eq!(hits[0].chunk_id, exact[0].1);
        for (hit, (score, _)) in hits.iter().zip(&exact) {
            assert!((hit.score - score).abs() < 0.02);
        }
    }

    #[test]
    fn replace_and_remove_keep_positions_consistent() {
        let dims = 8;
        let mut index = VectorIndex::new(dims);
        for i in 0..20 {
            index.insert(i, i % 3, &random_unit(i as u64, dims));
        }
        index.remove_document(1);
        assert_eq!(index.len(), 20 - 7);
        for i in 0..20i64 {
            let hit = index.search(&random_unit(i as u64, dims), 1);
            if i % 3 == 1 {
                assert_ne!(hit[0].chunk_id, i);
            } else {
                assert_eq!(hit[0].chunk_id, i, "chunk {i}");
            }
        }
        // Replacing a vector moves it.
        index.insert(0, 0, &random_unit(99, dims));
        assert_eq!(index.search(&random_unit(99, dims), 1)[0].chunk_id, 0);
        assert_eq!(index.len(), 13);
        assert!(!index.insert(5, 0, &[1.0; 3]), "wrong dims refused");
        assert!(index.search(&[1.0; 3], 3).is_empty());
        index.clear();
        assert!(index.is_empty());
        assert!(index.search(&random_unit(1, dims), 3).is_empty());
    }

    #[test]
    fn zero_vectors_do_not_break_search() {
        let mut index = VectorIndex::new(4);
        index.insert(1, 1, &[0.0; 4]);
        index.insert(2, 1, &unit(&[1.0, 0.0, 0.0, 0.0]));
        let hits = index.search(&[1.0, 0.0, 0.0, 0.0], 2);
        assert_eq!(hits[0].chunk_id, 2);
        assert!(index.search(&[0.0; 4], 2).iter().all(|h| h.score == 0.0));
    }
}
