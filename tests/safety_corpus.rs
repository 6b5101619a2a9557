//! Corpus evaluation of the safety layer's detectors.
//!
//! Reads the JSONL files in `tests/data/safety/` (one JSON object per line):
//!
//! - `injections.jsonl`, `benign_texts.jsonl`: field `text` (+ `lang`,
//!   `style`/`kind`);
//! - `secrets.jsonl`, `lookalikes.jsonl`: field `text` (+ `kind`).
//!
//! A default `SafetyLayer` is run over every text:
//!
//! - an injection counts as detected when `inspect_tool_output` reports at
//!   least one injection finding; a benign text is a false positive when it
//!   yields an injection finding of severity ≥ medium;
//! - a secret counts as detected when `scan_leaks` reports a leak finding; a
//!   look-alike is a false positive when it does.
//!
//! The figures are printed (`cargo test --test safety_corpus -- --nocapture`)
//! and floors are asserted. Set `SAFETY_CORPUS_VERBOSE=1` to list every miss
//! and false positive.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ironclaw::safety::{FindingKind, SafetyConfig, SafetyLayer, Severity};

const INJECTION_DETECTION_FLOOR: f64 = 90.0;
const INJECTION_FP_CEILING: f64 = 3.0;
const LEAK_DETECTION_FLOOR: f64 = 95.0;
const LEAK_FP_CEILING: f64 = 2.0;

struct Sample {
    text: String,
    /// `lang/style` or `kind`, for the per-group breakdown.
    group: String,
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/safety")
}

fn load(name: &str) -> Vec<Sample> {
    let path = data_dir().join(name);
    let raw = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read corpus file {}: {e}", path.display()));
    let mut out = Vec::new();
    for (n, line) in raw.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{}:{}: invalid JSON: {e}", path.display(), n + 1));
        let text = v["text"]
            .as_str()
            .unwrap_or_else(|| panic!("{}:{}: no `text` field", path.display(), n + 1))
            .to_string();
        let field = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let group = match (field("lang"), field("style").or_else(|| field("kind"))) {
            (Some(l), Some(s)) => format!("{l}/{s}"),
            (None, Some(s)) => s,
            (Some(l), None) => l,
            (None, None) => "-".into(),
        };
        out.push(Sample { text, group });
    }
    assert!(!out.is_empty(), "{} is empty", path.display());
    out
}

fn verbose() -> bool {
    std::env::var_os("SAFETY_CORPUS_VERBOSE").is_some_and(|v| v != "0")
}

fn pct(n: usize, d: usize) -> f64 {
    if d == 0 {
        0.0
    } else {
        100.0 * n as f64 / d as f64
    }
}

fn short(s: &str) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = one.chars().take(160).collect();
    if cut.len() < one.len() {
        cut.push('…');
    }
    cut
}

/// Per-group tallies: (hits, total).
fn breakdown(title: &str, groups: &BTreeMap<String, (usize, usize)>) {
    if !verbose() {
        return;
    }
    println!("  {title} by group:");
    for (g, (hit, total)) in groups {
        println!("    {g:<40} {hit:>4}/{total:<4}");
    }
}

fn layer() -> SafetyLayer {
    SafetyLayer::new(SafetyConfig::default()).expect("default safety config")
}

#[test]
fn injection_corpus() {
    let layer = layer();
    let injections = load("injections.jsonl");
    let benign = load("benign_texts.jsonl");

    let mut detected = 0;
    let mut groups: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for s in &injections {
        let i = layer.inspect_tool_output("web_fetch", &s.text);
        let hit = i.findings.iter().any(|f| f.kind == FindingKind::Injection);
        let g = groups.entry(s.group.clone()).or_default();
        g.1 += 1;
        if hit {
            detected += 1;
            g.0 += 1;
        } else if verbose() {
            println!("MISSED [{}] {}", s.group, short(&s.text));
        }
    }

    let mut false_positives = 0;
    let mut fp_groups: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for s in &benign {
        let i = layer.inspect_tool_output("read_file", &s.text);
        let bad: Vec<_> = i
            .findings
            .iter()
            .filter(|f| f.kind == FindingKind::Injection && f.severity >= Severity::Medium)
            .collect();
        let g = fp_groups.entry(s.group.clone()).or_default();
        g.1 += 1;
        if !bad.is_empty() {
            false_positives += 1;
            g.0 += 1;
            if verbose() {
                for f in &bad {
                    println!(
                        "FALSE POSITIVE [{}] {} ({:?}) «{}» in: {}",
                        s.group,
                        f.rule,
                        f.severity,
                        f.excerpt,
                        short(&s.text)
                    );
                }
            }
        }
    }

    let det = pct(detected, injections.len());
    let fp = pct(false_positives, benign.len());
    println!(
        "injection: detected {detected}/{} ({det:.1}%), false positives {false_positives}/{} ({fp:.1}%)",
        injections.len(),
        benign.len()
    );
    breakdown("detections", &groups);
    breakdown("false positives", &fp_groups);
    assert!(
        det >= INJECTION_DETECTION_FLOOR,
        "injection detection {det:.1}% < {INJECTION_DETECTION_FLOOR}%"
    );
    assert!(
        fp <= INJECTION_FP_CEILING,
        "injection false positives {fp:.1}% > {INJECTION_FP_CEILING}%"
    );
}

#[test]
fn leak_corpus() {
    let layer = layer();
    let secrets = load("secrets.jsonl");
    let lookalikes = load("lookalikes.jsonl");

    let mut detected = 0;
    let mut groups: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for s in &secrets {
        let (_, findings) = layer.scan_leaks(&s.text, None);
        let hit = findings.iter().any(|f| f.kind == FindingKind::Leak);
        let g = groups.entry(s.group.clone()).or_default();
        g.1 += 1;
        if hit {
            detected += 1;
            g.0 += 1;
        } else if verbose() {
            println!("MISSED [{}] {}", s.group, short(&s.text));
        }
    }

    let mut false_positives = 0;
    let mut fp_groups: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for s in &lookalikes {
        let (_, findings) = layer.scan_leaks(&s.text, None);
        let g = fp_groups.entry(s.group.clone()).or_default();
        g.1 += 1;
        if findings.iter().any(|f| f.kind == FindingKind::Leak) {
            false_positives += 1;
            g.0 += 1;
            if verbose() {
                println!("FALSE POSITIVE [{}] {}", s.group, short(&s.text));
            }
        }
    }

    let det = pct(detected, secrets.len());
    let fp = pct(false_positives, lookalikes.len());
    println!(
        "leaks: detected {detected}/{} ({det:.1}%), false positives {false_positives}/{} ({fp:.1}%)",
        secrets.len(),
        lookalikes.len()
    );
    breakdown("detections", &groups);
    breakdown("false positives", &fp_groups);
    assert!(
        det >= LEAK_DETECTION_FLOOR,
        "leak detection {det:.1}% < {LEAK_DETECTION_FLOOR}%"
    );
    assert!(
        fp <= LEAK_FP_CEILING,
        "leak false positives {fp:.1}% > {LEAK_FP_CEILING}%"
    );
}
