#!/usr/bin/env python3
"""Generate (and check) the labelled retrieval-quality dataset for IronClaw's note memory.

IronClaw searches its note memory with a hybrid retriever: BM25 over a tantivy
index plus dense vectors from all-MiniLM-L6-v2 (mean pooling, L2 normalised,
cosine), fused with Reciprocal Rank Fusion (k = 60) at the document level. This
script writes a small personal workspace of notes and a set of labelled queries
that measure whether the fusion earns its keep:

* keyword queries hinge on rare exact tokens (ticket ids, error codes, part
  numbers, licence plates, invoice numbers, rare surnames, booking references,
  CVE ids). Each target sits in a pool of notes that read almost the same but
  carry different identifiers, so a small sentence-embedding model has to
  guess while BM25 does not.
* paraphrase queries share no content word with their relevant notes (checked
  below after lowercasing, stop-word removal and suffix stripping), so BM25
  cannot find them; the notes around each target share the query's words but
  not its meaning.
* mixed queries share one or two words with the target (an identifier or a
  name) and paraphrase the rest; the shared word also appears in other notes
  (stand-ups, lists, logs that mention the same ticket or person in passing)
  and the meaning matches notes without the word. Only a retriever that uses
  both signals reliably puts the target on top.

What the numbers say (see --check): RRF with k = 60 over two top-50 lists
ranks every document found by both retrievers above any document found by
only one (2/(60+50) > 1/(60+1)). BM25 without stop-word removal returns 50
documents for almost any question, so a pure paraphrase that only the vectors
find usually drops out of the fused top 5 (hybrid paraphrase recall is far
below the vectors'), and a keyword hit that the vectors miss can lose to
look-alike notes that both lists contain. The hybrid wins overall because it
wins the mixed queries. The composition of the query set therefore sets the
overall score; read the per-kind table.

Output: tests/data/memory_quality.json (found relative to this script):

    {"notes":   [{"path": "daily/2026-03-08.md", "text": "..."}, ...],
     "queries": [{"query": "...", "relevant": ["path", ...],
                  "kind": "keyword" | "paraphrase" | "mixed"}, ...]}

The baselines index a note's `text` only; the paraphrase rule also keeps the
query's words out of the relevant note's path, since IronClaw indexes paths.
Everything is synthetic: names, identifiers, invoices and numbers are made up.

Determinism: all notes are written by hand in this file, or composed from
hand-written fragments with a single random.Random(SEED); no set or hash
ordering is relied on, so two runs write byte-identical JSON. No network.

Usage (from anywhere):

    python3 scripts/gen_memory_quality.py           # regenerate the JSON + structural checks
    python3 scripts/gen_memory_quality.py --check   # also check the JSON on disk is current and
                                                    # measure recall@5 for BM25, vectors and RRF

The structural checks need only the standard library and fail loudly: counts
(>= 520 notes, >= 60 queries, >= 22 paraphrase / 20 keyword / 15 mixed),
unique paths and texts, 25-150 words per note, 1-2 existing relevant notes per
query; a paraphrase query shares no content word with its notes' text or path
(see `related`); a mixed query shares at least one content word (same stem)
and has at least one it does not share; a keyword query contains a token that
its notes carry and at most KEYWORD_MAX_DF notes contain.

--check also needs numpy, onnxruntime and tokenizers plus the ONNX export of
all-MiniLM-L6-v2 (model.onnx and tokenizer.json in one folder, --model-dir or
$IRONCLAW_MINILM_DIR, default /work/scratch/minilm/out). If those packages
are not importable and /work/scratch/minilm/venv-notorch/bin/python exists,
the script re-executes itself with that interpreter. It computes recall@5 over
documents for

  (a) BM25 alone: k1 = 1.2, b = 0.75, tantivy's idf ln(1 + (N - df + 0.5) /
      (df + 0.5)), tantivy's default tokenisation (split on every
      non-alphanumeric character, lowercase, drop tokens over 40 bytes, no
      stop words, no stemming), query terms OR-ed;
  (b) vectors alone: mean pooling over the attention mask, L2 normalisation,
      truncation at 256 tokens, cosine;
  (c) RRF: k = 60 over the top 50 of each list (BM25 lists only documents
      with a positive score), document level;

prints them overall and per kind, and fails unless the hybrid beats both
single retrievers by at least 5 points and neither single retriever is above
0.80. --verbose prints each query's ranks in the three lists.

--analyzer ironclaw swaps (a) for an approximation of IronClaw's own
full-text search as of src/memory/fulltext.rs (NLTK stop words, Snowball
English stemmer, path field, hyphenated identifiers as phrases) and drops
vector candidates below cosine 0.2, as src/memory/mod.rs does. It needs the
snowballstemmer package and is informational; the same thresholds apply.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "memory_quality.json"
SEED = 20260417
DEFAULT_MODEL_DIR = Path(os.environ.get("IRONCLAW_MINILM_DIR", "/work/scratch/minilm/out"))
FALLBACK_PYTHON = Path("/work/scratch/minilm/venv-notorch/bin/python")

MIN_NOTES, MIN_QUERIES = 520, 60
MIN_PER_KIND = {"paraphrase": 22, "keyword": 20, "mixed": 15}
MIN_WORDS, MAX_WORDS = 25, 150
KEYWORD_MAX_DF = 8  # a keyword query must contain a token this rare that its notes carry
RRF_K, FUSE_DEPTH, CUTOFF = 60, 50, 5
BM25_K1, BM25_B = 1.2, 0.75
MAX_SEQ_LEN = 256
REQUIRED_MARGIN, MAX_SINGLE = 0.05, 0.80
IRONCLAW_MIN_SIMILARITY = 0.2  # src/memory/mod.rs MIN_SIMILARITY, used by --analyzer ironclaw only

NOTES: list[tuple[str, str]] = []
QUERIES: list[dict] = []


_BLOCK_STARTS = ("#", "- ", "Attendees:", "Actions:", "Ingredients:")


def _unwrap(text: str) -> str:
    """Join hard-wrapped source lines into paragraphs; headings, list items and
    blank lines keep their own lines."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if out and line and out[-1] and not line.startswith(_BLOCK_STARTS) \
                and not out[-1].startswith("#"):
            out[-1] += " " + line
        else:
            out.append(line)
    return "\n".join(out)


def note(path: str, text: str) -> str:
    """Register a note; the text is dedented, unwrapped and stripped. Returns the path."""
    NOTES.append((path, _unwrap(textwrap.dedent(text).strip())))
    return path


def query(text: str, relevant, kind: str) -> None:
    if isinstance(relevant, str):
        relevant = [relevant]
    QUERIES.append({"query": text, "relevant": list(relevant), "kind": kind})


# --------------------------------------------------------------------------
# Tokenisation shared by the checks and the BM25 baseline.
# --------------------------------------------------------------------------
_TOKEN_RE = re.compile(r"[^\W_]+")


def tantivy_tokens(text: str) -> list[str]:
    """tantivy's default analyzer: SimpleTokenizer (alphanumeric runs),
    RemoveLongFilter(40 bytes), LowerCaser."""
    return [t for t in _TOKEN_RE.findall(text.lower()) if len(t.encode("utf-8")) <= 40]


# NLTK's English stop-word list.
STOPWORDS = frozenset(
    """i me my myself we our ours ourselves you you're you've you'll you'd your yours
    yourself yourselves he him his himself she she's her hers herself it it's its itself
    they them their theirs themselves what which who whom this that that'll these those am
    is are was were be been being have has had having do does did doing a an the and but if
    or because as until while of at by for with about against between into through during
    before after above below to from up down in out on off over under again further then
    once here there when where why how all any both each few more most other some such no
    nor not only own same so than too very s t can will just don don't should should've now
    d ll m o re ve y ain aren aren't couldn couldn't didn didn't doesn doesn't hadn hadn't
    hasn hasn't haven haven't isn isn't ma mightn mightn't mustn mustn't needn needn't shan
    shan't shouldn shouldn't wasn wasn't weren weren't won won't wouldn wouldn't""".split()
)

_SUFFIXES = ("ational", "ations", "ation", "ments", "ment", "ness", "ings", "ing", "edly",
             "ers", "ies", "est", "ed", "er", "ly", "es", "s", "y")


def stem(word: str) -> str:
    """A deliberately aggressive one-step suffix stripper (stricter than Porter
    for the purpose of the no-shared-word rule)."""
    if word.isdigit():
        return word
    for suf in _SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            return word[: -len(suf)]
    return word


def content_words(text: str) -> list[str]:
    words = []
    for t in tantivy_tokens(text):
        if t in STOPWORDS or t in words:
            continue
        words.append(t)
    return words


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def related(a: str, b: str) -> bool:
    """True if two content words count as 'the same word' for the paraphrase rule:
    equal stems, one stem a prefix of the other (shorter one >= 4 chars), or a
    common prefix of >= 6 characters (catches derivations such as
    intuition/intuitive)."""
    sa, sb = stem(a), stem(b)
    if sa == sb:
        return True
    short, long_ = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    if len(short) >= 4 and long_.startswith(short):
        return True
    return _common_prefix(a, b) >= 6


def shared_words(q: str, text: str) -> list[tuple[str, str]]:
    tw = content_words(text)
    return [(a, b) for a in content_words(q) for b in tw if related(a, b)]


def path_words(path: str) -> str:
    """The words of a note's path (IronClaw indexes paths for keyword search too)."""
    return " ".join(t for t in tantivy_tokens(path) if t != "md")


# --------------------------------------------------------------------------
# Structural validation (standard library only).
# --------------------------------------------------------------------------
def validate(notes: list[dict], queries: list[dict]) -> None:
    errors: list[str] = []
    paths = [n["path"] for n in notes]
    by_path = {n["path"]: n["text"] for n in notes}
    if len(notes) < MIN_NOTES:
        errors.append(f"only {len(notes)} notes, need >= {MIN_NOTES}")
    if len(queries) < MIN_QUERIES:
        errors.append(f"only {len(queries)} queries, need >= {MIN_QUERIES}")
    seen: set[str] = set()
    for p in paths:
        if p in seen:
            errors.append(f"duplicate path {p}")
        seen.add(p)
        if not re.fullmatch(r"[a-z0-9][a-z0-9_./-]*\.md", p):
            errors.append(f"odd path {p!r}")
    texts_seen: set[str] = set()
    for n in notes:
        w = len(n["text"].split())
        if not MIN_WORDS <= w <= MAX_WORDS:
            errors.append(f"{n['path']}: {w} words (want {MIN_WORDS}-{MAX_WORDS})")
        if n["text"] in texts_seen:
            errors.append(f"{n['path']}: duplicate text")
        texts_seen.add(n["text"])
    df: dict[str, int] = {}
    for n in notes:
        for t in set(tantivy_tokens(n["text"])):
            df[t] = df.get(t, 0) + 1
    counts = {k: 0 for k in MIN_PER_KIND}
    qseen: set[str] = set()
    for q in queries:
        kind, rel, text = q["kind"], q["relevant"], q["query"]
        if text in qseen:
            errors.append(f"duplicate query {text!r}")
        qseen.add(text)
        if kind not in counts:
            errors.append(f"{text!r}: unknown kind {kind}")
            continue
        counts[kind] += 1
        if not 1 <= len(rel) <= 2 or len(set(rel)) != len(rel):
            errors.append(f"{text!r}: needs 1 or 2 distinct relevant notes")
        missing = [p for p in rel if p not in by_path]
        if missing:
            errors.append(f"{text!r}: unknown relevant path(s) {missing}")
            continue
        if kind == "paraphrase":
            for p in rel:
                sh = shared_words(text, by_path[p] + "\n" + path_words(p))
                if sh:
                    errors.append(f"paraphrase {text!r} shares content words with {p}: {sh}")
        elif kind == "mixed":
            for p in rel:
                qw, tw = content_words(text), content_words(by_path[p])
                exact = [a for a in qw if any(stem(a) == stem(b) for b in tw)]
                unshared = [a for a in qw if not any(related(a, b) for b in tw)]
                if not exact:
                    errors.append(f"mixed {text!r} shares no content word with {p}")
                if not unshared:
                    errors.append(f"mixed {text!r} has no paraphrased word w.r.t. {p}")
        elif kind == "keyword":
            qt = set(tantivy_tokens(text))
            rare = [t for t in sorted(qt)
                    if df.get(t, 0) <= KEYWORD_MAX_DF and all(t in tantivy_tokens(by_path[p]) for p in rel)]
            if not rare:
                errors.append(f"keyword {text!r}: no rare (df <= {KEYWORD_MAX_DF}) token shared with its notes")
    for kind, need in MIN_PER_KIND.items():
        if counts[kind] < need:
            errors.append(f"only {counts[kind]} {kind} queries, need >= {need}")
    if errors:
        for e in errors:
            print("ERROR:", e, file=sys.stderr)
        raise SystemExit(f"validation failed with {len(errors)} error(s)")
    print(f"structure OK: {len(notes)} notes, {len(queries)} queries "
          + ", ".join(f"{k}={v}" for k, v in counts.items()))


# --------------------------------------------------------------------------
# Retrieval check (numpy, onnxruntime, tokenizers).
# --------------------------------------------------------------------------
class BM25:
    def __init__(self, docs: list[str], k1: float = BM25_K1, b: float = BM25_B):
        self.k1, self.b = k1, b
        self.toks = [tantivy_tokens(d) for d in docs]
        self.n = len(docs)
        self.avgdl = sum(len(t) for t in self.toks) / self.n
        self.tf: list[dict[str, int]] = []
        self.df: dict[str, int] = {}
        for toks in self.toks:
            c: dict[str, int] = {}
            for t in toks:
                c[t] = c.get(t, 0) + 1
            self.tf.append(c)
            for t in c:
                self.df[t] = self.df.get(t, 0) + 1

    def idf(self, t: str) -> float:
        df = self.df.get(t, 0)
        return math.log(1.0 + (self.n - df + 0.5) / (df + 0.5))

    def rank(self, q: str, depth: int) -> list[int]:
        scores = [0.0] * self.n
        for t in tantivy_tokens(q):  # one SHOULD clause per query token, as tantivy's QueryParser
            if t not in self.df:
                continue
            w = self.idf(t) * (self.k1 + 1.0)
            for i, c in enumerate(self.tf):
                f = c.get(t)
                if f:
                    norm = self.k1 * (1.0 - self.b + self.b * len(self.toks[i]) / self.avgdl)
                    scores[i] += w * f / (f + norm)
        order = sorted((i for i in range(self.n) if scores[i] > 0), key=lambda i: (-scores[i], i))
        return order[:depth]


class IronclawFullText:
    """Informational approximation of IronClaw's own full-text search
    (src/memory/fulltext.rs): SimpleTokenizer, RemoveLongFilter(40), LowerCaser,
    NLTK stop words removed, Snowball English stemmer; body and path fields;
    query words split on whitespace, a word that analyses to several tokens
    ("INFRA-4471") becomes a phrase query as in tantivy's QueryParser, scores of
    clauses and fields add up. Query syntax characters are not interpreted."""

    def __init__(self, notes: list[dict], stemmer):
        self.stem = stemmer.stemWord
        self.fields = [self._field([n["text"] for n in notes]), self._field([n["path"] for n in notes])]
        self.n = len(notes)

    def analyze(self, text: str) -> list[tuple[int, str]]:
        return [(pos, self.stem(t)) for pos, t in enumerate(tantivy_tokens(text)) if t not in STOPWORDS]

    def _field(self, texts: list[str]) -> dict:
        pos_maps, lens, df = [], [], {}
        for t in texts:
            pm: dict[str, list[int]] = {}
            toks = self.analyze(t)
            for i, term in toks:
                pm.setdefault(term, []).append(i)
            for term in pm:
                df[term] = df.get(term, 0) + 1
            pos_maps.append(pm)
            lens.append(len(toks))
        return {"pos": pos_maps, "len": lens, "avg": max(sum(lens) / len(lens), 1e-9), "df": df}

    def rank(self, q: str, depth: int) -> list[int]:
        clauses = [c for c in (self.analyze(w) for w in q.split()) if c]
        scores = [0.0] * self.n
        for f in self.fields:
            for clause in clauses:
                terms = [t for _, t in clause]
                idf = sum(math.log(1.0 + (self.n - f["df"].get(t, 0) + 0.5) / (f["df"].get(t, 0) + 0.5))
                          for t in terms)
                for i, pm in enumerate(f["pos"]):
                    starts = pm.get(terms[0])
                    if not starts:
                        continue
                    base = clause[0][0]
                    freq = sum(1 for st in starts
                               if all(st + (p - base) in pm.get(t, ()) for p, t in clause[1:]))
                    if freq:
                        norm = BM25_K1 * (1.0 - BM25_B + BM25_B * f["len"][i] / f["avg"])
                        scores[i] += idf * (BM25_K1 + 1.0) * freq / (freq + norm)
        order = sorted((i for i in range(self.n) if scores[i] > 0), key=lambda i: (-scores[i], i))
        return order[:depth]


def embed(texts: list[str], model_dir: Path, batch: int = 32):
    import numpy as np
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.enable_truncation(max_length=MAX_SEQ_LEN)  # the shipped tokenizer.json says 128
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = int(os.environ.get("ORT_THREADS", "1"))
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(str(model_dir / "model.onnx"), opts, providers=["CPUExecutionProvider"])
    out = []
    for i in range(0, len(texts), batch):
        enc = tok.encode_batch(texts[i : i + batch])
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        types = np.array([e.type_ids for e in enc], dtype=np.int64)
        hidden = sess.run(["last_hidden_state"],
                          {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
        m = mask[..., None].astype(np.float32)
        v = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        v /= np.clip(np.linalg.norm(v, axis=1, keepdims=True), 1e-12, None)
        out.append(v.astype(np.float32))
    return np.concatenate(out, axis=0)


def rrf(lists: list[list[int]], k: int = RRF_K) -> list[int]:
    score: dict[int, float] = {}
    for lst in lists:
        for r, d in enumerate(lst, start=1):
            score[d] = score.get(d, 0.0) + 1.0 / (k + r)
    return sorted(score, key=lambda d: (-score[d], d))


def recall_at(ranked: list[int], relevant: list[int], n: int = CUTOFF) -> float:
    top = set(ranked[:n])
    return sum(1 for r in relevant if r in top) / len(relevant)


def measure(data: dict, model_dir: Path, verbose: bool = False, analyzer: str = "tantivy-default") -> dict:
    import numpy as np

    notes, queries = data["notes"], data["queries"]
    idx = {n["path"]: i for i, n in enumerate(notes)}
    docs = [n["text"] for n in notes]
    min_sim = -2.0
    if analyzer == "ironclaw":
        import snowballstemmer

        bm25 = IronclawFullText(notes, snowballstemmer.stemmer("english"))
        min_sim = IRONCLAW_MIN_SIMILARITY
    else:
        bm25 = BM25(docs)
    dvec = embed(docs, model_dir)
    qvec = embed([q["query"] for q in queries], model_dir)
    sims = qvec @ dvec.T
    kinds = ["keyword", "paraphrase", "mixed"]
    res = {m: {k: [] for k in kinds + ["all"]} for m in ("bm25", "vector", "hybrid")}
    rows = []
    for qi, q in enumerate(queries):
        rel = [idx[p] for p in q["relevant"]]
        b = bm25.rank(q["query"], FUSE_DEPTH)
        v = [int(i) for i in np.argsort(-sims[qi], kind="stable")[:FUSE_DEPTH] if sims[qi][i] >= min_sim]
        h = rrf([b, v])
        r = {"bm25": recall_at(b, rel), "vector": recall_at(v, rel), "hybrid": recall_at(h, rel)}
        for m, val in r.items():
            res[m][q["kind"]].append(val)
            res[m]["all"].append(val)

        def pos(lst):
            ps = [lst.index(x) + 1 if x in lst else None for x in rel]
            return ",".join("-" if p is None else str(p) for p in ps)

        rows.append((q["kind"], pos(b), pos(v), pos(h), q["query"]))
    if verbose:
        print(f"{'kind':<10} {'bm25':>6} {'vec':>6} {'rrf':>6}  query")
        for kind, pb, pv, ph, text in rows:
            print(f"{kind:<10} {pb:>6} {pv:>6} {ph:>6}  {text}")
    return {m: {k: (sum(v) / len(v) if v else float("nan"), len(v)) for k, v in d.items()}
            for m, d in res.items()}


def report(summary: dict) -> bool:
    print(f"\nrecall@{CUTOFF} (document level)")
    print(f"{'':<10}" + "".join(f"{k:>12}" for k in ("all", "keyword", "paraphrase", "mixed")))
    for m in ("bm25", "vector", "hybrid"):
        print(f"{m:<10}" + "".join(f"{summary[m][k][0]:>12.3f}" for k in ("all", "keyword", "paraphrase", "mixed")))
    print("queries   " + "".join(f"{summary['bm25'][k][1]:>12d}" for k in ("all", "keyword", "paraphrase", "mixed")))
    b, v, h = (summary[m]["all"][0] for m in ("bm25", "vector", "hybrid"))
    ok = True
    if h < b + REQUIRED_MARGIN or h < v + REQUIRED_MARGIN:
        print(f"FAIL: hybrid {h:.3f} must beat BM25 {b:.3f} and vectors {v:.3f} by >= {REQUIRED_MARGIN:.2f}")
        ok = False
    if b > MAX_SINGLE or v > MAX_SINGLE:
        print(f"FAIL: a single retriever is above {MAX_SINGLE:.2f} (BM25 {b:.3f}, vectors {v:.3f})")
        ok = False
    if ok:
        print(f"OK: hybrid beats BM25 by {h - b:+.3f} and vectors by {h - v:+.3f}")
    return ok


# ==========================================================================
# Keyword pools: near-identical notes that differ in their identifiers.
# ==========================================================================
def keyword_pools() -> None:
    # --- work tickets -----------------------------------------------------
    t4471 = note("work/tickets/infra-4471.md", """
        # INFRA-4471 build agents out of disk
        The Docker layer cache on ci-agent-03..05 grew past 400 GB and builds started failing
        with "no space left on device". Root cause: the nightly `docker system prune` cron lived
        in an Ansible role we deleted during the refactor. Fix: restored the cron, added a disk
        alert at 80%. Owner: Priya. Closed 12 Feb.""")
    t4417 = note("work/tickets/infra-4417.md", """
        # INFRA-4417 staging DNS flaps
        Pods in staging intermittently fail to resolve internal service names. The culprit was
        ndots:5 combined with a CoreDNS replica stuck on an old config map, so every lookup walked
        five search domains. Fix: ndots 2 in the base deployment template, CoreDNS restarted.
        Owner: Tomasz. Still open - waiting on the prod rollout next sprint.""")
    t_ops = note("work/tickets/ops-4471.md", """
        # OPS-4471 on-call handover gaps
        Two pages over the Easter weekend were acknowledged but nobody followed up, because the
        rota spreadsheet and PagerDuty disagreed about who was on call. Cause: manual sync between
        the sheet and PagerDuty. Follow-ups: generate the schedule from one YAML file, add a Monday
        handover checklist, review in the retro. Owner: me. Due end of April.""")
    note("work/tickets/infra-4474.md", """
        # INFRA-4474 consumer lag on events topic
        Lag on the events topic hit 2M messages after partitions went from 12 to 24 while the
        consumer group stayed at 6 replicas. Root cause: HPA max replicas hard-coded in the chart.
        Fix: raised the max to 24 and added an alert on lag above 100k for ten minutes.
        Owner: Jonas. Closed 3 March.""")
    note("work/tickets/infra-4711.md", """
        # INFRA-4711 Terraform state lock stuck
        A local apply was killed halfway and left the DynamoDB lock in place, blocking every
        pipeline for a whole morning. Root cause: people still run apply from laptops. Fix:
        force-unlocked after checking nobody was mid-run; applies now only run from CI with a
        dedicated service role. Owner: Tomasz. Closed.""")
    note("work/tickets/infra-3471.md", """
        # INFRA-3471 nightly backups silently failing
        pgBackRest had been erroring on archive-push since the bucket policy change, but the cron
        exit code was swallowed by a wrapper script. Root cause: `|| true` at the end of backup.sh.
        Fix: removed it, and the job now reports to the heartbeat monitor so a missed run pages.
        Owner: Priya. Closed 20 Jan.""")
    note("work/tickets/infra-4480.md", """
        # INFRA-4480 Redis evicting session keys
        The cache cluster hit maxmemory during the spring campaign and allkeys-lru started
        dropping sessions, so users were logged out at random. Root cause: sessions and cache
        shared one instance. Fix: sessions move to a dedicated Redis with noeviction.
        Owner: Jonas. In progress, cutover planned for Thursday.""")
    note("work/tickets/plat-4417.md", """
        # PLAT-4417 CI cache misses
        Rust builds in CI went from 9 to 26 minutes because the sccache bucket key suddenly
        included the runner hostname. Cause: a templating change in the runner image. Fix: key on
        the Cargo.lock hash only, warm the cache from main every night. Owner: Mira. Closed 8 April.""")
    note("work/tickets/infra-4519.md", """
        # INFRA-4519 clock drift on bare-metal nodes
        Kerberos tickets started failing once clocks had drifted six minutes. Chrony was pointing
        at a decommissioned time server. Root cause: a stale chrony.conf baked into the golden
        image. Fix: rebuilt the image with pool servers and added a drift alert at 500 ms.
        Owner: Tomasz. Closed.""")
    note("work/tickets/infra-4402.md", """
        # INFRA-4402 Grafana dashboards empty after upgrade
        After the Grafana 11 upgrade half the dashboards showed "no data". The Prometheus
        datasource UID changed during the migration and the provisioned dashboards referenced the
        old one. Fix: pinned the UID in the provisioning YAML and re-imported. Owner: Mira. Closed.""")
    query("INFRA-4471 root cause", t4471, "keyword")
    query("INFRA-4417 status", t4417, "keyword")
    query("OPS-4471 root cause", t_ops, "keyword")

    # --- Rust compiler errors ------------------------------------------------
    note("notes/dev/rust-e0382.md", """
        E0382 (use of moved value) in the config loader: I passed `settings` into `tokio::spawn`
        and then tried to log it afterwards. Fixed by cloning the Arc before the move:
        `let s = Arc::clone(&settings);` - cheap, only the pointer is copied. Remember: the
        async move block takes ownership of everything it mentions.""")
    note("notes/dev/rust-e0499.md", """
        E0499 in the TUI event loop: two mutable borrows of `app` because the closure captured it
        while I also called `app.redraw()` inside the same loop. Fix: collect the events into a
        Vec first, then apply them to `app` in a second loop. Borrow checker happy, code clearer.""")
    e0502 = note("notes/dev/rust-e0502.md", """
        E0502 in the history pruning code: I iterated over `self.entries` while calling
        `self.evict(id)`, which needs `&mut self`. Fix: compute the ids to drop first, then
        `self.entries.retain(|e| !drop.contains(&e.id))` with a HashSet. No immutable borrow is
        alive during the mutation any more.""")
    note("notes/dev/rust-e0505.md", """
        E0505 when moving `buf` into the writer thread while a slice of it was still borrowed by
        the frame parser. Fixed by turning the slice into an owned `Bytes` before spawning, so the
        borrow ends earlier. `Bytes::copy_from_slice` is fine for frames this small.""")
    note("notes/dev/rust-e0308.md", """
        E0308 mismatched types: the `match` in the prompt builder returned `&str` in one arm and
        `String` in another. Made every arm return `Cow<'static, str>` - the static templates
        stay borrowed, only the formatted ones allocate. Also used `.into()` everywhere.""")
    note("notes/dev/rust-e0277.md", """
        E0277: `dyn Tool` cannot be sent between threads safely. The registry stored
        `Box<dyn Tool>` and the daemon moved it into a spawned task. Changed it to
        `Arc<dyn Tool + Send + Sync>` and put `Send + Sync` bounds on the trait itself.""")
    note("notes/dev/rust-e0599.md", """
        E0599 no method named `timeout` found for the future. I forgot the import and tried to
        call it like a method; that only works with the extension trait from tokio-util. Simpler:
        `tokio::time::timeout(Duration::from_secs(5), fut).await`.""")
    e0716 = note("notes/dev/rust-e0716.md", """
        E0716 temporary value dropped while borrowed: `let name = entry.path().file_name()
        .unwrap().to_string_lossy();` - `path()` returns a temporary PathBuf that dies at the end
        of the statement. Bind it first: `let p = entry.path();` then borrow from `p`.""")
    note("notes/dev/rust-e0106.md", """
        E0106 missing lifetime specifier on `fn longest_line(a: &str, b: &str) -> &str`. The
        compiler can't tell which input the output borrows from. Added `<'a>` to both inputs and
        the return type; returning an owned `String` would also have worked.""")
    query("E0502 fix", e0502, "keyword")
    query("E0716 workaround", e0716, "keyword")

    # --- Windows update error codes -----------------------------------------
    dad = note("home/it/dad-laptop-update.md", """
        Dad's laptop (Lenovo IdeaPad): Windows Update KB5034441 kept failing with 0x80070643.
        It's the recovery partition being too small. Followed the official steps: shrink C: by
        250 MB in diskpart, delete and recreate the WinRE partition, `reagentc /enable`. The
        update installed on the next try. Took about an hour on the phone with him.""")
    note("home/it/mum-pc-update.md", """
        Mum's desktop: the cumulative update got stuck at 36% and then failed with 0x800f0922.
        Turned out her bank's security software was blocking the connection to the update
        servers. Paused it, reran Windows Update, worked first time. Told her to leave it on
        otherwise.""")
    note("home/it/gaming-pc-update.md", """
        Gaming PC: feature update failing with 0x80073712 - the component store is corrupted.
        Ran `DISM /Online /Cleanup-Image /RestoreHealth`, then `sfc /scannow`, rebooted, and the
        update went through. Should image the system drive before the next big update.""")
    note("home/it/work-laptop-update.md", """
        Work laptop shows 0x8024a105 in Windows Update every morning. IT says it's the WSUS
        policy on our OU and pushed a group policy fix on Friday. Nothing for me to do, but noting
        it in case the error comes back after the next reimage.""")
    note("home/it/htpc-dotnet.md", """
        HTPC in the living room: installing .NET 3.5 for the old remote software fails with
        0x800f081f (source files could not be found). Mounted the Windows ISO and pointed DISM at
        `D:\\sources\\sxs` with `/LimitAccess`. Installed in two minutes.""")
    sam_pc = note("home/it/sams-old-pc-upgrade.md", """
        Sam's old PC: the upgrade to 23H2 rolls back at the second reboot with 0xc1900101.
        That error is almost always a driver. Uninstalled the ancient Realtek card reader driver
        and unplugged the USB Wi-Fi dongle; the second attempt went through. Re-plugged the
        dongle afterwards, fine.""")
    query("0x80070643 update error fix", dad, "keyword")
    query("0xc1900101 rollback", sam_pc, "keyword")

    # --- appliance spare parts -------------------------------------------------
    fridge = note("home/appliances/fridge.md", """
        Fridge (Whirlpool WRF555SDFZ) water filter is part W10295370A - change it every six
        months or when the light goes red. Ordered two from the spare parts shop on 9 Jan, €38
        each, one is in the cupboard above the fridge. Next change due in July.""")
    note("home/appliances/dishwasher.md", """
        Dishwasher (Bosch SMS6ZCI49E) drained slowly and left water at the bottom. Cleaned the
        filter and the drain pump impeller - a cherry stone was stuck in it. If it happens again
        the pump itself is part 00620774, about €60 online.""")
    washer = note("home/appliances/washing-machine.md", """
        Washing machine (Miele WCA020) thumps badly during spin. The technician says the shock
        absorbers are worn: part 05928281, two needed at €45 each plus an hour of labour. Booked
        him for the 18th; in the meantime lower spin to 1000 rpm.""")
    note("home/appliances/oven.md", """
        Oven bottom element is dead (Neff B1ACE4HN0B) - top heat works, bottom stays cold.
        Replacement element 00747051 ordered, arrives Thursday. Turn off the breaker before
        swapping it; the back panel has six Torx T20 screws.""")
    note("home/appliances/robot-vacuum.md", """
        Robot vacuum (Roborock S7): replace the main brush every six months and the filter every
        three. Brush part 8.02.0144, filter set part 9.01.1345. Set up a subscription so they
        arrive automatically in March and September.""")
    note("home/appliances/dryer.md", """
        Tumble dryer (AEG T8DBE851): the condenser filter frame is cracked and fluff gets past
        it. Part 136613222 from the AEG spare parts site, €19 plus shipping. Until it arrives,
        clean the condenser after every load.""")
    query("which appliance takes W10295370A", fridge, "keyword")
    query("05928281 price", washer, "keyword")

    # --- licence plates ------------------------------------------------------
    golf = note("notes/car/golf.md", """
        Golf (B-KM 4821), 2017, petrol. HU/TÜV due March 2027, last service at 84,300 km with
        oil and brake fluid. Wipers replaced in November. The rear parking sensor on the left
        beeps randomly when it rains - the garage says it's a known issue and not worth fixing.""")
    note("notes/car/mum-yaris.md", """
        Mum's Yaris (HH-ST 1290): HU due in May, she wants me to come along to the garage.
        The rear left tyre loses pressure slowly, probably a nail; check it with the compressor
        at the petrol station when I'm in Hamburg.""")
    note("notes/car/porto-rental.md", """
        Rental in Portugal: Renault Clio, plate 45-XR-12, picked up at Porto airport, full to
        full. Small scratch on the rear bumper photographed at pickup and marked on the form.
        Toll transponder included, €1.85 a day.""")
    note("notes/car/parking-ticket-b-km-4281.md", """
        Parking fine from the Ordnungsamt for B-KM 4281 in Wedding on 3 Feb - not our car, the
        plate is one digit off ours. Wrote back with a photo of our registration certificate and
        the parking app log showing we were in Neukölln. Case number 4410-26.""")
    note("notes/car/neighbour-van.md", """
        The neighbour's van (B-QA 7731) keeps parking across our driveway on Saturdays. Left a
        friendly note under the wiper. If it happens again, call the Ordnungsamt - they tow after
        an hour.""")
    note("notes/car/car-sharing.md", """
        Car sharing: left my sunglasses in the BMW 1 Series with plate B-SN 6620 on Tuesday
        evening. Support ticket opened in the app; they'll check at the next cleaning. Ray-Ban,
        brown case.""")
    query("B-KM 4821 HU date", golf, "keyword")

    # --- invoices ---------------------------------------------------------------
    inv = note("finance/invoices/inv-20931.md", """
        Invoice INV-20931 - Hartmann Elektro: new circuit for the kitchen and an RCD test,
        €1,240.00 incl. VAT. Paid by bank transfer on 3 March. Keep it for the tax return
        (tradesman services, labour share €610).""")
    note("finance/invoices/inv-20913.md", """
        Invoice INV-20913 - Hartmann Elektro: emergency call-out on a Sunday for the tripped
        breaker in the hallway, €186.50 incl. VAT. Paid 14 Feb by transfer. Labour share €150,
        goes into the tax folder.""")
    note("finance/invoices/inv-21931.md", """
        Invoice INV-21931 - Malerbetrieb Kowalski: painting the hallway and stairwell, €2,080.
        50% paid upfront on 2 Feb, the rest is due after we've walked through it with him.
        Touch-up needed above the door frame.""")
    dental = note("finance/invoices/re-2026-0417.md", """
        Invoice RE-2026-0417 - Dr. Lindqvist dental practice: professional cleaning plus one
        composite filling, €212.40. Paid on the spot by card. Submit to the supplementary dental
        insurance through their app; they usually cover 80%.""")
    note("finance/invoices/re-2026-0471.md", """
        Invoice RE-2026-0471 - chimney sweep, annual inspection of the gas boiler flue, €96.20.
        Collected by direct debit at the end of the month. Landlord says it is part of the
        service charges, so forward a copy to him.""")
    note("finance/invoices/language-school-2026-0417-b.md", """
        Invoice 2026-0417-B from the language school: Spanish A2 evening course, 10 sessions,
        €340. Paid by transfer. Employer might reimburse half under the learning budget - ask
        HR with the certificate at the end.""")
    query("INV-20931 paid", inv, "keyword")
    query("RE-2026-0417 reimbursement", dental, "keyword")

    # --- people with rare surnames -------------------------------------------
    nkem = note("people/chidi-nkemelu.md", """
        Chidi Nkemelu - Sam's colleague from the architecture firm. Drinks only sparkling water
        or ginger beer, no alcohol. Supports Arsenal, loves Fela Kuti records. Two daughters, Ada
        and Zina. Birthday 14 June.""")
    note("people/pieter-vanderhoeven.md", """
        Pieter Vanderhoeven - my old manager at the agency, now in Rotterdam. Drinks Belgian
        tripel, hates IPAs. Vegetarian since 2022. Daughter Lotte (9). Birthday 2 November. Good
        person to ask about going freelance.""")
    note("people/agnieszka-szczepanska.md", """
        Agnieszka Szczepanska - neighbour on the third floor. Drinks black tea with lemon and
        bakes an amazing sernik. Waters our plants when we travel; bring her something nice back.
        Birthday 21 March.""")
    hildur = note("people/hildur-thorsdottir.md", """
        Hildur Thorsdottir - met at the data conference in Reykjavik; data engineer at a fintech.
        Drinks flat whites, runs ultras, recommends the Laugavegur trail. Birthday 8 August.
        Promised to send her the DuckDB benchmark notes.""")
    note("people/marcus-abernathy.md", """
        Marcus Abernathy - Lena's partner. Drinks natural wine, cooks a big Sunday roast,
        allergic to shellfish. Works in film post-production, hours are chaotic. Birthday
        30 January.""")
    note("people/farid-haddadi.md", """
        Farid Haddadi - climbing partner from the bouldering gym. Drinks fresh mint tea, fasts
        during Ramadan so plan evening meetups then. Works night shifts at the hospital lab.
        Birthday 19 April.""")
    note("people/yuki-matsumura-ellis.md", """
        Yuki Matsumura-Ellis - Jonas's wife, illustrator. Drinks oolong, goes ramen hunting every
        weekend, likes good stationery as gifts. Birthday 17 October. Expecting their first
        child in early summer.""")
    query("Nkemelu favourite drink", nkem, "keyword")
    query("Thorsdottir birthday", hildur, "keyword")

    # --- bookings -----------------------------------------------------------------
    porto = note("travel/porto-flights.md", """
        Porto long weekend - booking ref QX7RTB (Lufthansa). Out LH1176 FRA-OPO Friday 07:05,
        back LH1179 Monday 19:40. Connecting from Berlin on LH173 at 05:30, ugh. Seats 21A/21C,
        one checked bag between us.""")
    note("travel/lisbon-conference-flights.md", """
        Lisbon conference - booking ref K4ZP9M (TAP). TP571 BER-LIS Tuesday 06:15, return TP572
        Friday 18:50. Hotel near Cais do Sodré, paid by the company. Seat 14C, carry-on only.""")
    note("travel/vienna-flights.md", """
        Vienna weekend - booking ref QXR7TB (Austrian). OS232 BER-VIE Saturday 09:10, back OS231
        Sunday 20:25. Seats 8A/8B. Staying at the flat in the 7th district, keys in the lockbox.""")
    iceland = note("travel/iceland-flights.md", """
        Iceland - Icelandair booking ref 7HJQ2X. FI521 BER-KEF departs 13:20, arrives 16:05
        local; seat 23F by the window for the view. Return FI520 on the 28th. Rental car pickup
        at the airport, 4x4 booked.""")
    note("travel/hamburg-train.md", """
        Christmas at Mum's - ICE 1009 Berlin-Hamburg on the 23rd at 10:36, booking number
        8523 7741 0092, coach 7 seats 54/55. Back on the 27th with the 15:52. BahnCard applied.""")
    query("QX7RTB flight times", porto, "keyword")
    query("FI521 seat", iceland, "keyword")

    # --- servers ------------------------------------------------------------------
    rep07 = note("work/infra/db-replica-07.md", """
        db-replica-07 - Postgres 16 streaming replica in fsn1. Two 1.9 TB NVMe in RAID1, data on
        /srv/pg, WAL on the same array. Replication lag alert at 30 s. Rebuilt from a base
        backup on 2 Feb after the disk swap.""")
    note("work/infra/db-replica-02.md", """
        db-replica-02 - Postgres 16 replica in nbg1, used by the analytics team. Four 960 GB SSDs
        in RAID10, data on /srv/pg. hot_standby_feedback is off to avoid bloat on the primary, so
        long queries get cancelled.""")
    note("work/infra/db-primary-01.md", """
        db-primary-01 - Postgres 16 primary in fsn1. Two 3.8 TB NVMe in RAID1, 256 GB RAM,
        shared_buffers 64 GB. Failover via Patroni; etcd on the three util nodes.""")
    note("work/infra/ci-agent-04.md", """
        ci-agent-04 - build agent, 32 cores, one 2 TB NVMe mounted at /var/lib/docker. Shares the
        sccache bucket with 03 and 05. Reimage from the golden image if the disk fills up.""")
    note("home/homelab/pve-node3.md", """
        pve-node3 - Proxmox host in the homelab closet: Ryzen 5 5600G, 64 GB RAM, ZFS mirror on
        two 2 TB SSDs. Runs Home Assistant, Jellyfin, Paperless and the UniFi controller in LXC
        containers. Weekly snapshots to the NAS.""")
    query("db-replica-07 disks", rep07, "keyword")

    # --- medications ----------------------------------------------------------
    montel = note("health/meds/montelukast.md", """
        Montelukast 10 mg, one tablet in the evening for the allergic asthma - started April 2025
        by Dr. Okafor. Watch for vivid dreams or mood changes; had some odd dreams in week one,
        gone since. Repeat prescription every three months.""")
    note("health/meds/cetirizine.md", """
        Cetirizine 10 mg for hay fever season (birch pollen, roughly mid-March to May). Take it at
        night, it makes me drowsy in the morning otherwise. Eye drops as needed.""")
    note("health/meds/ibuprofen.md", """
        Ibuprofen for the shoulder flare-ups: max three times 400 mg a day, always with food, no
        more than five days in a row without checking in with the GP. Cooling pack works almost
        as well.""")
    note("health/meds/vitamin-d.md", """
        Vitamin D 1000 IU daily from October to March. Level was 18 ng/ml in November, should be
        above 30. Recheck with the next blood test in spring.""")
    note("health/meds/salbutamol.md", """
        Salbutamol inhaler (the blue one): two puffs before running in cold air, otherwise only
        when needed. Check the dose counter monthly - replace below 20. Spacer lives in the
        gym bag.""")
    query("montelukast side effects", montel, "keyword")

    # --- CVEs ---------------------------------------------------------------------
    note("work/security/cve-2024-6387.md", """
        CVE-2024-6387 (regreSSHion): patched all bastions to OpenSSH 9.8p1 on 2 July; the
        Debian 11 boxes got the backported package from security updates. The appliance we can't
        update runs with LoginGraceTime 0 as a stopgap.""")
    xz = note("work/security/cve-2024-3094.md", """
        CVE-2024-3094 (xz/liblzma backdoor): checked every base image and build host - none had
        5.6.0 or 5.6.1. Two dev laptops on a rolling distro were downgraded the same day.
        Closed after the SBOM scan came back clean.""")
    rapid = note("work/security/cve-2023-44487.md", """
        CVE-2023-44487 (HTTP/2 rapid reset): upgraded ingress-nginx to 1.9.3 and limited
        concurrent streams per connection to 100. The CDN absorbed most of the attack traffic
        anyway. Verified with the vendor's test script.""")
    note("work/security/cve-2021-44228.md", """
        CVE-2021-44228 (log4shell): old, but the vendor's Java reporting appliance still ships
        log4j 2.14. Isolated it on its own VLAN with egress blocked until they release a patched
        version. Reminder set for the quarterly review.""")
    note("work/security/cve-2023-4863.md", """
        CVE-2023-4863 (libwebp heap overflow): rebuilt the thumbnail service image with the
        patched libwebp and updated Chrome on the kiosk machines. The mobile apps pulled the fix
        with the OS updates.""")
    query("CVE-2023-44487 patched", rapid, "keyword")
    query("CVE-2024-3094 exposure", xz, "keyword")

    # --- routers ----------------------------------------------------------------
    fb7590 = note("home/network/fritzbox-flat.md", """
        Fritz!Box 7590 in our flat: port forwarding 443 to the NAS (192.168.178.20) for
        Nextcloud, MyFRITZ dynamic DNS on, DECT repeater in the bedroom. Admin login is in the
        password manager under "router".""")
    note("home/network/fritzbox-mum.md", """
        Mum's Fritz!Box 7490: firmware stuck at 7.29, no more updates for this model. Port
        forwarding all off. Wi-Fi password is on the sticker under the router; guest network
        for visitors. Replace it next year.""")
    note("home/network/fritzbox-office.md", """
        Office Fritz!Box 7530 AX: guest Wi-Fi for clients, isolated from the LAN. Port forwarding
        51820/udp to the office NUC for WireGuard. Firmware auto-update on, reboot window
        Sunday 04:00.""")
    note("home/network/unifi-ap.md", """
        UniFi U6-Lite access point in the hallway, adopted by the controller on pve-node3. Two
        SSIDs: home and IoT (2.4 GHz only, client isolation). Channel 36 on 5 GHz after the
        neighbours' mesh moved to 44.""")
    query("7590 port forwarding", fb7590, "keyword")

    # --- insurance policies -----------------------------------------------------
    note("finance/insurance/liability.md", """
        Personal liability insurance - HUK, policy HX-55218340, €64 a year. Covers the whole
        household, including lost keys for the rental flat and damage caused by Leo.""")
    hausrat = note("finance/insurance/contents.md", """
        Household contents insurance - Allianz, policy HR-55218304, sum insured €65,000.
        Bicycle theft covered up to €1,500 if the bike was locked to a fixed object. Photos of
        the bikes and frame numbers are in the cloud folder.""")
    note("finance/insurance/car.md", """
        Car insurance for the Golf - HUK, policy KV-77120934, partial cover, €512 a year,
        no-claims class 12. Renews 1 January; compare prices in November. The green card is in the glovebox.""")
    note("finance/insurance/legal.md", """
        Legal expenses insurance - ARAG, policy RS-9043371, tenant and employment law, €240 a
        year. Three-month waiting period for new cases, so it would not cover anything that
        started before.""")
    query("HR-55218304 coverage", hausrat, "keyword")

    # --- IKEA article numbers ---------------------------------------------------
    kallax = note("home/furniture/kallax-return.md", """
        Returning the KALLAX shelf 4x4 white, article 802.758.87 - the alcove is 2 cm too
        narrow. Receipt is in the drawer under the TV; 365-day return, so no hurry, but the box
        is in the hallway.""")
    note("home/furniture/billy-study.md", """
        BILLY bookcases for the study: three of 002.638.50 plus height extension units
        802.638.55 on order. Wall anchors needed for the plaster wall - buy the long ones.""")
    note("home/furniture/hemnes-dresser.md", """
        HEMNES dresser (504.213.45) - two handles keep coming loose. Bought longer M4 screws at
        the hardware store; the spare parts desk wanted me to order them online.""")
    note("home/furniture/malm-bed.md", """
        MALM bed frame (302.494.44): two slats broke when Leo jumped on it. The replacement slat
        set costs €29; ordered it with the click-and-collect option in Tempelhof.""")
    query("802.758.87 return", [kallax, "home/ikea-trip-list.md"], "keyword")

    # --- online orders ------------------------------------------------------
    order = note("finance/orders/028-5531907-2214.md", """
        Order 028-5531907-2214: noise-cancelling headphones, €229. Sent back on 4 March because
        the left cup crackled. Refund still pending - chase the shop if nothing arrives by the
        20th. Return label and drop-off receipt are in the photos folder.""")
    note("finance/orders/028-5513907-2241.md", """
        Order 028-5513907-2241: Leo's winter boots, size 31, €49. Kept them, the second pair
        (size 32) went back on 12 Jan and the refund arrived after a week.""")
    note("finance/orders/302-7781145-0092.md", """
        Order 302-7781145-0092: replacement charger for the ThinkPad, €39. Arrived with a bent
        plug; the shop sent a new one without asking for the old one back.""")
    note("finance/orders/028-6630912-7714.md", """
        Order 028-6630912-7714: two HEPA filters for the bedroom air purifier, €34. The return
        window ends 30 April; keep the spare in its bag in the hallway cupboard.""")
    note("finance/orders/171-5531907-3318.md", """
        Order 171-5531907-3318: board game for Tim's birthday, shipped straight to Munich with a
        gift note. Delivered on the 2nd, he has already played it twice.""")

    query("028-5531907-2214 refund", order, "keyword")
    query("INFRA-4711 owner", "work/tickets/infra-4711.md", "keyword")
    query("INV-21931 amount", "finance/invoices/inv-21931.md", "keyword")
    query("0x800f081f fix", "home/it/htpc-dotnet.md", "keyword")
    query("E0277 fix", "notes/dev/rust-e0277.md", "keyword")
    query("504.213.45", "home/furniture/hemnes-dresser.md", "keyword")
    query("KV-77120934 premium", "finance/insurance/car.md", "keyword")


# ==========================================================================
# Paraphrase clusters: target + notes that share the query's words, not its meaning.
# ==========================================================================
def paraphrase_clusters() -> None:
    # 1 -- sleep advice
    t = note("health/appointments/dr-patel-insomnia.md", """
        Appointment with Dr. Patel, 3 Feb. She thinks the insomnia is partly my espresso habit:
        no caffeine after 12:00 and at most two cups before that. Also magnesium glycinate
        30 min before bed, bedroom at 18 °C, phone stays out of the room. Review in six weeks.""")
    note("health/appointments/dr-patel-checkup.md", """
        Check-up with Dr. Patel: blood pressure 128/82, LDL slightly high. She would recommend
        two brisk walks a week on top of the climbing, and less salt. Bloods again in autumn,
        fasting.""")
    note("notes/coffee-setup.md", """
        Coffee setup: Comandante grinder at 24 clicks for the V60, 15 g to 250 g water at 94 °C,
        bloom 40 s. Beans from Bonanza - the Kenyan is the current favourite, the Brazilian is
        too chocolatey for pour-over.""")
    note("health/sleep-log-march.md", """
        Sleep tracker, March: average 6h10, deep sleep noticeably lower on nights with late
        screens. Trouble falling asleep mostly on Sunday nights - probably work anxiety before
        Monday. Try reading fiction instead of the phone.""")
    query("physician advice: coffee, trouble falling asleep", t, "paraphrase")

    # 2 -- dripping tap
    t = note("home/maintenance/basin-tap.md", """
        Sunday job: the basin tap upstairs had been dripping for weeks. Shut the isolation valve,
        pulled the handle off, swapped the worn ceramic cartridge (40 mm, €24 from Bauhaus).
        Twenty minutes with a 17 mm spanner and some silicone grease. Dry since.""")
    note("home/kitchen-faucet-shopping.md", """
        Kitchen faucet shopping: want a pull-out spray head and a single lever, budget around
        €150. Grohe Minta vs Hansgrohe Talis M54 - the Hansgrohe has the better reviews, but the
        Grohe matches the sink.""")
    note("notes/repair-cafe.md", """
        Repair café at the library every second Saturday, 11-15h. Took the toaster (the lever
        wouldn't stay down) and they fixed the spring in ten minutes. Bring the lamp with the
        loose switch next time.""")
    note("home/maintenance/balcony-gutter.md", """
        The gutter over the balcony is leaky again - water runs down the wall when it rains
        hard. That's the landlord's job; emailed photos and a short video. He says a roofer is
        coming next month.""")
    query("leaky faucet DIY repair", t, "paraphrase")

    # 3 -- dal
    t = note("recipes/mums-tadka-dal.md", """
        Mum's tadka dal (serves 4): 250 g red lentils rinsed and simmered 20 min with turmeric,
        a chopped tomato and salt. Tadka: ghee, cumin seeds, 4 sliced garlic cloves, a dried
        chilli and a pinch of asafoetida - pour it over at the end, squeeze of lemon. Rice or
        chapati on the side.""")
    note("recipes/chana-masala.md", """
        Chana masala from the Meera Sodha book: two tins of chickpeas, onion cooked down until
        really brown, ginger, garlic, garam masala, amchur and a tin of tomatoes. Simmer 25 min,
        finish with coriander. Freezes well.""")
    note("notes/mothers-day.md", """
        Mother's Day is on 10 May. Flowers delivered to Mum in Hamburg (she likes ranunculus, not
        lilies), and a call in the morning before she goes to her choir. Maybe a framed photo of
        Leo.""")
    note("recipes/beef-stew.md", """
        Beef stew for cold Sundays: 1 kg chuck in large cubes, browned in batches, onions,
        carrots, celery, a bottle of red and thyme. Three hours at 150 °C with the lid on.
        Better the next day.""")
    note("notes/indian-takeaway.md", """
        Indian takeaway order that works for everyone: lamb rogan josh (medium), palak paneer,
        two garlic naan, pilau rice and a mango lassi for Leo. Order from Amrit, they're faster
        than the delivery apps say.""")
    query("mother's Indian legume stew", t, "paraphrase")

    # 4 -- emergency fund
    t = note("finance/emergency-fund.md", """
        Emergency fund: moved €15,000 to the DKB Tagesgeld at 2.75% (variable). Rule: six months
        of fixed costs, only touched for job loss, medical bills or the car dying - not for
        trips. Top it up from the April bonus.""")
    note("finance/money-diary-week-12.md", """
        Money diary, week 12: groceries €94, two lunches out €31, train tickets €58, Leo's
        school trip €25. Over budget on eating out again. Meal prep on Sunday next time.""")
    note("notes/rainy-day-ideas-leo.md", """
        Rainy day ideas for Leo: the Natural History Museum (dinosaur hall), the climbing hall
        kids' session at 14h, baking pretzels at home, the planetarium show on Saturdays.""")
    note("finance/etf-plan.md", """
        ETF savings plan: €500 a month into the FTSE All-World accumulating fund on the 1st,
        through the broker app. Don't look at it more than once a quarter. Rebalance nothing.""")
    query("rainy day money stash", t, "paraphrase")

    # 5 -- Kyoto moss temple
    t = note("travel/kyoto-saihoji.md", """
        Kyoto list: Saihō-ji, the moss temple, only admits visitors who applied by return
        postcard about two months ahead. Send it from Germany in early March for a May slot.
        Fee ¥4,000, sutra copying before the garden walk.""")
    note("travel/tokyo-ghibli.md", """
        Tokyo: Ghibli Museum tickets go on sale on the 10th of the month before, at 10:00 JST,
        and sell out within hours. Set an alarm for 3 a.m. Berlin time. Passport name must
        match the ticket.""")
    note("travel/fushimi-inari.md", """
        Fushimi Inari shrine: go at 6 in the morning to avoid the crowds, the upper loop takes
        about two hours. Cheap udon at the foot of the hill afterwards.""")
    note("notes/mail-forwarding.md", """
        Mail forwarding from the old address runs until 30 June. Still need to change the address
        with the bank, the health insurer and the car registration.""")

    # 6 -- cat worming
    t = note("home/cat/mochi-worming.md", """
        Mochi's worming tablet (Milbemax for cats) every three months - last one 12 January, so
        the coming one is mid-April. She spits it out unless it's wrapped in a bit of cheese.
        Flea spot-on monthly from May to September.""")
    note("home/cat/mochi-vaccinations.md", """
        Vet visit: Mochi's vaccinations (cat flu and enteritis) done on 4 October, next booster
        due in a year. The vet wants her weighed at every visit. Carrier lives in the basement.""")
    note("finance/pet-insurance.md", """
        Pet insurance quote for Mochi: €14 a month for surgery only, €38 with full cover.
        Probably the surgery-only one - she's indoor-only and healthy. Decide before her next vet visit.""")
    note("health/dad-pill-organiser.md", """
        Dad's pill organiser: morning and evening slots for the week, refill every Sunday when
        I call him. The blood thinner is the pink one; never double up if he missed one.""")
    query("pet anti-parasite pill schedule", t, "paraphrase")

    # 7 -- billing database decision
    t = note("work/decisions/billing-postgres.md", """
        Architecture sync, 24 Feb: the billing service leaves MongoDB for Postgres 16. Why:
        multi-document transactions were painful and everyone on the team knows SQL. Jonas owns
        the move; dual-write for one sprint, then cut over. Revisit if write load passes 5k/s.""")
    note("work/decisions/search-opensearch.md", """
        Decision: product search moves from the self-hosted Elasticsearch 7 to managed
        OpenSearch. Licence concerns plus nobody wants to run the cluster. Mira writes the
        migration plan; we keep the old cluster read-only for a month.""")
    note("finance/freelance-invoicing.md", """
        Invoicing for the freelance weekend work: switched from a Word template to lexoffice,
        €8 a month. Invoice numbers continue from 2025-014. Remember the small-business VAT
        note on every invoice.""")
    note("reading/database-course.md", """
        Database course, week 3: normal forms up to BCNF, why you denormalise anyway for read
        paths, and a good explanation of MVCC. Exercises in SQLite, which is plenty.""")
    query("invoicing database choice, reasons", t, "paraphrase")

    # 8 -- dietary needs
    t = note("people/anna-berg.md", """
        Anna Berg - Sam's sister. Pescatarian: no meat, but salmon and prawns are fine. Can't
        stand coriander. Hazelnut allergy (carries an EpiPen). Takes her coffee black. Birthday
        5 September.""")
    note("notes/dinner-party-march.md", """
        Dinner party on 14 March, six guests: Lena, Marcus, Farid, Anna, Jonas and Yuki. Menu
        idea: mezze, slow-roast lamb shoulder, a big salad, Sam's pavlova. Borrow chairs from
        Agnieszka.""")
    note("notes/vegetarian-week.md", """
        Trying a vegetarian week: lentil bolognese, halloumi traybake, mushroom stroganoff,
        leftover night, shakshuka. Leo complained only about the stroganoff. Might repeat it once a month.""")
    query("fish-eating vegetarian guest", t, "paraphrase")

    # 9 -- Kahneman
    t = note("reading/thinking-fast-and-slow.md", """
        Kahneman, Thinking, Fast and Slow. The cast: System 1 - automatic, effortless,
        always on; System 2 - effortful, lazy, only steps in when called. Most errors come from
        System 1 quietly answering an easier substitute question. The anchoring chapters and
        WYSIATI were the best parts.""")
    note("reading/predictably-irrational.md", """
        Ariely, Predictably Irrational: the decoy effect (the useless middle subscription
        option), the cost of zero, social vs market norms. Fun book, but some of the studies
        didn't replicate - read with care.""")
    note("reading/book-club.md", """
        Book club: next book is Tomorrow, and Tomorrow, and Tomorrow, meeting on the 28th at
        Lena's. Last month's pick (Klara and the Sun) split the group - I liked it.""")
    note("reading/the-mind-illuminated.md", """
        The Mind Illuminated: ten stages of meditation practice. Useful distinction between
        attention and awareness. Currently stuck at stage 3, the mind wanders constantly. Twenty minutes every morning.""")
    query("dual-process psychology book: gut instinct vs deliberate reasoning", t, "paraphrase")

    # 10 -- run with knee pain
    t = note("daily/2026-03-08.md", """
        Sunday. Canal loop, 10 km in 52:30 - pace felt easy until km 8, then the outside of the
        left knee started aching (IT band again?). Iced it, foam roller tonight. Skip Tuesday's
        intervals if it still hurts.""")
    note("notes/running-routes.md", """
        Running routes from home: canal loop 10 km (flat, busy on weekends), Tempelhofer Feld
        lap 6 km, Hasenheide hills 8 km. Time them on the watch, not the app.""")
    note("health/joint-supplements.md", """
        Joint supplements: the evidence for glucosamine is weak; collagen maybe. Dr. Patel said
        not to bother and to do strength work instead. Not buying either.""")
    query("jogging log, sore joint", t, "paraphrase")

    # 11 -- boiler pressure
    t = note("home/boiler-pressure.md", """
        Boiler gauge sinks below 1 bar every few weeks (Vaillant ecoTEC). To top up: open both
        taps on the filling loop under the boiler slowly until the needle reads 1.5, then close
        both. If it keeps dropping, call Kessler's plumber - probably the expansion vessel.""")
    note("home/heating-schedule.md", """
        Heating schedule on the smart thermostat: 20 °C from 6 to 22h, 17 °C at night, 15 °C
        when we're away. Bathroom radiator on 4. The heating bill last year was €1,140.""")
    note("finance/water-bill.md", """
        Water bill for 2025: €312 back payment, consumption up 18% - probably the leaking toilet
        cistern we fixed in October. Monthly advance goes up to €45.""")
    note("home/radiators-bled.md", """
        Bled the radiators before winter - the top one in the living room was half air. Radiator
        key is in the junk drawer. Do it every October.""")
    query("refilling central heating water", t, "paraphrase")

    # 12 -- 1:1 about promotion
    t = note("work/1on1/mira-2026-02.md", """
        1:1 Mira, 19 Feb. She wants to go for staff engineer within a year. Gap: visible impact
        beyond our own squad. Plan: she leads the observability RFC and presents it at the March
        all-hands; I'll sponsor it and ask Priya to review. Check in again in April.""")
    note("work/career-fair.md", """
        Career fair at the university on 22 April: we have a booth 10-16h. Need two engineers
        for the morning slot, stickers, and a short demo. Talk to HR about the internship
        positions.""")
    note("work/q1-report.md", """
        Q1 report for the leadership meeting: uptime 99.93%, two incidents with customer impact,
        deploy frequency up 30%, hiring one SRE behind plan. Draft due on 2 April.""")
    query("career progression chat, direct report promotion", t, "paraphrase")

    # 13 -- winter tyres
    t = note("notes/car/winter-tyres.md", """
        Winter tyres (Continental WinterContact on steel rims) are stored at Reifen Müller on
        Sonnenallee - storage slip #5521 is in the glovebox. Swap in October and at Easter, €25
        per change. Tread 5 mm last autumn, good for one more year.""")
    note("notes/bike-wheels.md", """
        Bike: both wheels trued at the shop on Hermannstraße, new rear tube. The front hub
        makes a clicking noise - they'll look at it at the next service.""")
    note("notes/cold-weather-running.md", """
        Cold weather running kit: merino base layer, thin gloves, buff over the mouth below
        zero, and the blue inhaler before leaving. Tights under the shorts below -5.""")
    note("notes/car/summer-tyres.md", """
        Summer tyres: new Michelin Primacy 4 fitted in April, €440 for the set including
        balancing. The old ones went to recycling. Tread depth 8 mm, check the pressure monthly.""")
    query("cold-weather wheels location", t, "paraphrase")

    # 14 -- tomatoes
    t = note("home/garden/balcony-tomatoes.md", """
        Balcony tomatoes (Sungold, Black Krim): pinch out the side shoots every week, tie them to
        the canes, and feed with comfrey tea once the first truss has set. Stop pinching at the
        end of August and top the plants.""")
    note("home/garden/basil.md", """
        Basil keeps bolting on the windowsill. Pinch off the flower buds as soon as they appear,
        harvest from the top, and don't let it dry out. The Genovese does better than the Thai.""")
    note("home/garden/lawn-at-mums.md", """
        Lawn at Mum's: fertiliser in April and September, scarify once in spring, mow high in
        summer. She wants clover in the mix so the bees have something.""")
    note("notes/veggie-box.md", """
        Paused the organic veggie box for the summer holidays (last delivery 10 July, resume
        1 September). Too much chard anyway. The carrots and potatoes were great though.""")
    query("veggie care: removing suckers, fertilising", t, "paraphrase")

    # 15 -- swimming lessons
    t = note("notes/family/leo-swimming.md", """
        Leo's swimming lessons: Thursdays 16:30-17:15 at Stadtbad Neukölln, course runs until
        26 March. Bring goggles, a towel and a €2 coin for the locker. The Seepferdchen test is
        in the final session.""")
    note("notes/family/leo-football.md", """
        Leo's football training: Tuesdays 17:00 on the artificial pitch behind the school, shin
        guards mandatory. Parents take turns washing the kit; our week is in May.""")
    note("notes/yoga-class.md", """
        Yoga class Wednesdays 19:00 at the studio on Weserstraße, ten-class card €120. The
        Sunday morning class is better but always full. Bring my own mat, the studio ones are slippery.""")
    note("home/pool-at-mums.md", """
        The little pool in Mum's garden: cover it in September, clean the filter in spring, and
        the chlorine tablets are in the shed. Leo is allowed in only with an adult.""")
    query("son's weekly pool class times", t, "paraphrase")

    # 16 -- pension decision
    t = note("finance/riester-decision.md", """
        Riester contract (Allianz) is basically dead weight: 1.1% fees, €2,100 contributed since
        2017. Decision: make it contribution-free from July and put the €100 a month into the
        ETF Sparplan instead. Keep the state bonuses already credited.""")
    note("notes/mums-retirement-party.md", """
        Mum's retirement party from the school: 20 June, the rowing club. I'm giving a short
        speech - stories from her 34 years of teaching. Order the cake from the bakery she
        likes.""")
    note("notes/old-laptop-sale.md", """
        Selling the old laptop (MacBook Air 2017): wipe it, reinstall, list it for around €180.
        Charger and box still there. Invest the money in a new backpack.""")
    query("old retirement plan: stop paying, invest elsewhere", t, "paraphrase")

    # 17 -- passport
    t = note("notes/admin/passport.md", """
        Passport expires in August. Bürgeramt Mitte appointment 11 March at 08:40 - bring the
        biometric photo (from the machine at dm), the old passport and the €70 fee. Express
        option is €32 extra; otherwise ready in about four weeks.""")
    note("notes/admin/leo-kinderreisepass.md", """
        Leo needs a children's ID card for the Portugal trip. Appointment at the
        Bürgeramt Neukölln 20 March, both parents' signatures, photo without smiling. Valid for one year, costs €13.""")
    note("finance/travel-insurance.md", """
        Travel insurance: the annual policy from ADAC covers medical and repatriation abroad,
        €19.90 a year. Trip cancellation is not included - add it for expensive trips only.""")
    note("work/office-move.md", """
        Office move on 1 May: we get the third floor. Pack the desk by 28 April, IT labels the
        monitors. New door code comes by email.""")
    query("my travel ID renewal, citizens' office", t, "paraphrase")

    # 18 -- physio
    t = note("health/physio-back.md", """
        Physio (Frau Jansen), lower back: daily cat-cow x10, bird-dog 3x8 each side, glute
        bridges 3x12, dead bug. No deadlifts or heavy rows for four weeks. Walk 30 min a day.
        Next session 2 April.""")
    note("health/shoulder-physio.md", """
        Shoulder physio after the climbing tweak: band external rotations 3x15, wall slides,
        sleeper stretch. Avoid overhangs for three weeks. The pain is better in the morning.""")
    note("recipes/pain-au-chocolat.md", """
        Pain au chocolat from the laminated dough test: 3 folds, chilled 30 min between them.
        Butter leaked at 200 °C - next time 190 °C and colder butter.""")
    note("notes/morning-routine.md", """
        Morning routine that works: no phone until after breakfast, 10 min stretching, coffee,
        then the hardest task first. Falls apart when Leo is sick. Weekends are allowed to be chaotic.""")
    query("lumbar pain rehab routine", t, "paraphrase")

    # 19 -- laptop fan
    t = note("notes/tech/thinkpad-fan.md", """
        ThinkPad T14 was hitting 95 °C and the fan screamed during builds. Opened it up, blew the
        dust out with compressed air and repasted the CPU with Arctic MX-4. Now 78 °C under full
        load and much quieter.""")
    note("notes/dev/jupyter-notebook-tips.md", """
        Jupyter notebook tips: %autoreload 2 for editing modules, restart the kernel before
        sharing, and keep the data loading in one cell at the top. Clear outputs before
        committing.""")
    note("home/noise-complaint.md", """
        Noise complaint from downstairs about Leo running around after 20:00. Bought a thick rug
        for his room and talked to them - they were nice about it.""")
    note("notes/tech/desktop-cooler.md", """
        Desktop PC: swapped the stock cooler for a Noctua NH-U12S. Idle 34 °C, gaming 68 °C,
        and the case fans now run on a custom curve.""")
    query("notebook overheating, loud cooling noise", t, "paraphrase")

    # 20 -- anniversary
    t = note("notes/relationship/fifth-anniversary.md", """
        Ideas for our 5th: redo the first date - dinner at Tasca in Kreuzberg (same corner table
        if possible), then the walk along the Landwehrkanal to the Admiralbrücke. Book Tasca
        three weeks ahead. Gift: a print of the Lisbon tram photo.""")
    note("notes/dads-70th.md", """
        Dad's 70th: celebration at the Italian place in Altona, 24 guests. Slideshow of old
        photos - scan the albums at Mum's over Easter. Split costs with my brother.""")
    note("notes/year-review-2025.md", """
        Year review 2025: moved teams, ran my first half marathon, Leo started school, too many
        evenings on the laptop. Next year: fewer side projects, more trips.""")
    query("romantic evening to mark our years as a couple", t, "paraphrase")

    # 21 -- sourdough
    t = note("recipes/sourdough.md", """
        Sourdough schedule: feed the starter 1:5:5 at 22:00; mix at 08:00 at 75% hydration with
        2% salt. Bulk about 5 h at 24 °C with four sets of folds, shape, cold retard overnight.
        Bake at 250 °C, 20 min lid on, 25 min lid off.""")
    note("recipes/banana-bread.md", """
        Banana bread: three very ripe bananas, 75 g melted butter, 150 g sugar, one egg, 190 g
        flour, a teaspoon of baking soda, walnuts. 60 min at 175 °C. Leo's favourite.""")
    note("recipes/pizza-dough.md", """
        Pizza dough, 48 h cold ferment: 500 g tipo 00, 325 g water, 10 g salt, 1 g dry yeast.
        Balls after 24 h. Stretch by hand, hottest oven setting with the steel.""")
    note("work/project-timeline-q2.md", """
        Project timeline Q2: design review 10 April, beta to five customers mid-May, GA on
        30 June if the load tests pass. Freeze on 20 June.""")
    query("naturally leavened bread timeline", t, "paraphrase")

    # 22 -- certificate outage
    t = note("work/postmortems/2026-03-14-edge-tls.md", """
        Postmortem 14 March: the public API was unreachable for 47 minutes. The TLS certificate
        on the edge load balancer expired; the renewal job had been failing silently since the
        DNS provider changed its token format. Actions: expiry alerts 14 days ahead, renewal
        failures page on-call.""")
    note("work/postmortems/2026-02-02-queue.md", """
        Postmortem 2 Feb: the email queue backed up for three hours after a deploy doubled the
        worker's memory use and the pods were OOM-killed in a loop. Actions: memory limits in
        review checklist, canary for workers.""")
    note("daily/2026-01-11.md", """
        Went down to the lake with Leo and Sam, the ice was thick enough near the shore for
        people to walk on but we didn't. Hot chocolate at the kiosk. Long nap afterwards.""")
    query("prod downtime, lapsed HTTPS credential", t, "paraphrase")

    # 23 -- low mood
    t = note("daily/2026-02-17.md", """
        Low day. Couldn't focus after lunch, skipped the climbing session and just lay on the
        sofa. Called Farid in the evening and we talked for an hour - much lighter afterwards.
        Note to self: the grey weeks in February always do this.""")
    note("home/hallway-paint.md", """
        Hallway paint: going with a pale blue-grey (Farrow & Ball Skylight) on the walls and
        white ceiling. Two litres should do two coats. Tape the skirting boards first and borrow the ladder from the caretaker.""")
    note("notes/party-drinks.md", """
        Drinks for the party: gin, a bottle of rum, alcohol-free spirits for Chidi and the
        drivers, tonic, limes, lots of ice. Check the freezer space first.""")
    query("feeling blue, chat with a mate lifted my spirits", t, "paraphrase")

    # 24 -- mould
    t = note("home/bathroom-mould.md", """
        Mould in the bathroom ceiling corner is back. Scrubbed it with diluted bleach (1:4,
        gloves, window open), and we now run the extractor for 20 min after every shower. Told
        Kessler; he'll send someone to check the vent if it returns.""")
    note("home/wall-shelves.md", """
        Wall shelves in the living room: the wall is plaster on brick, use 8 mm plugs and the
        long screws. Find the cable with the detector first - it runs up from the socket.""")
    note("reading/mindset.md", """
        Mindset (Dweck): a growth mindset is the belief that ability develops with effort.
        Praise the process, not the talent. Useful for Leo and his maths frustration.""")
    note("recipes/mushroom-risotto.md", """
        Mushroom risotto: dried porcini soaked in hot water (keep the liquid), chestnut
        mushrooms, carnaroli, white wine, parmesan, lots of butter at the end. 20 min of
        stirring.""")
    query("washroom wall fungal growth", t, "paraphrase")

    # 25 -- Spanish subjunctive
    t = note("notes/learning/spanish-subjunctive.md", """
        Spanish: after 'espero que', 'ojalá' and 'quiero que' comes the subjunctive (espero que
        vengas). Irregulars to drill: sea, vaya, haya, sepa. Practise ten sentences every evening
        on Tandem with Lucía.""")
    note("notes/wishlist.md", """
        Wishlist for my birthday: a Lamy Safari in petrol, the new Ottolenghi book, a decent
        head torch, a merino hoodie. No more mugs. Send the list to Mum when she asks.""")
    note("notes/dev/rust-macros-grammar.md", """
        Rust macro grammar notes: fragment specifiers ($e:expr, $t:ty, $i:ident), repetition with
        $(...),*, and why macros can't expand to partial statements. Read the little book of
        Rust macros.""")
    note("notes/learning/language-exchange.md", """
        Language exchange with Lucía on Tuesdays: 30 min Spanish, 30 min German, via video.
        She wants to practise job interview German; I need help with past tenses.""")

    # 26 -- dog sitting
    t = note("notes/family/dog-sitting-biscuit.md", """
        Dog-sitting Biscuit for Lena 12-19 May: no grapes or raisins (toxic for dogs), and no
        xylitol chewing gum lying around. Walk twice, he pulls towards cats. Food: 2 scoops
        morning and evening.""")
    note("recipes/fruit-salad.md", """
        Fruit salad for the school picnic: melon, strawberries, blueberries, kiwi and mint, with
        a squeeze of lime so the apples don't brown. Pack it in the big jar.""")
    note("health/poison-control.md", """
        Poison control number for Berlin is on the fridge magnet. Leo once ate a dishwasher tab
        corner - they said water and watch him, he was fine.""")
    note("notes/minding-the-plants.md", """
        Minding the plants while we're away: Agnieszka waters on Mondays and Thursdays, the
        orchid only every ten days. Leave the spare key with her. Thank-you gift for her from the trip.""")
    query("fruit poisonous to the puppy we're minding", t, "paraphrase")

    # 27 -- gym contract
    t = note("finance/fitx-cancelled.md", """
        Cancelled FitX: notice period is four weeks before the last day of a month, letter sent
        by Einschreiben on 2 May, so the last debit is in June. Keep the post office receipt.
        Switched to the climbing gym's 10-visit card.""")
    note("notes/fitness-goals-2026.md", """
        Fitness goals 2026: 10 pull-ups, sub-50 10k, climb 6c outdoors, two mobility sessions a
        week. Track it in the spreadsheet, review monthly. Check progress at the end of each quarter.""")
    note("finance/streaming-cancelled.md", """
        Cancelled Netflix and kept Disney+ for Leo. Saves €18 a month. Re-subscribe for a month
        when the new season of the show we like comes out.""")
    note("notes/club-night.md", """
        Club night with Lena for her birthday - Friday, queue early, cash only at the door.
        Leave by 2 at the latest, Saturday football is at 10.""")
    query("terminating fitness club contract", t, "paraphrase")


# ==========================================================================
# Mixed clusters: one shared word (often a name) that several notes carry, and
# a paraphrased rest that several other notes match in meaning.
# ==========================================================================
def mixed_clusters() -> None:
    # Kessler, the landlord
    t = note("home/landlord-boiler-agreement.md", """
        Met Herr Kessler (landlord) about the cold flat. He agreed to replace the 1998 gas boiler
        before October and to swap the radiator valves in the bedroom; we pay nothing extra and
        the rent stays as it is until 2027. Get it confirmed by email.""")
    note("home/kessler-contact.md", """
        Kessler's caretaker is Herr Yilmaz, mobile 0176 5523 1180, usually there Tuesday and
        Friday mornings. Kessler himself prefers email and answers within a day or two.""")
    note("home/rent-increase-letter.md", """
        Letter from Kessler about adjusting the rent to the local rent index from 2027. Check
        the Mietspiegel figures before replying; the tenants' association can review it for
        free.""")
    note("home/thermostat-batteries.md", """
        The smart radiator thermostats eat batteries - changed all five in January. Heating
        in the bedroom now holds 19 °C; the living room one is still slow to react.""")
    note("home/heating-costs-2025.md", """
        Heating costs statement 2025: €1,140 for gas, €86 for meter reading and service. We used
        12% less than the year before thanks to the night setback. Compare with the neighbours.""")
    query("what did Kessler promise about the heating", t, "mixed")

    # Lisbon
    t = note("travel/lisbon-eats.md", """
        Lisbon eats: Cervejaria Ramiro for garlic prawns, clams and the steak sandwich at the
        end; Taberna da Rua das Flores (no bookings, queue at 18:30); custard tarts at
        Manteigaria rather than Belém. Skip the Time Out Market at lunchtime.""")
    note("travel/lisbon-apartment.md", """
        Lisbon apartment in Alfama: check-in from 15:00 with the code sent on the day, steep
        stairs, no lift. Tram 28 stops around the corner, but it's faster to walk down.""")
    note("travel/lisbon-sintra.md", """
        Day trip from Lisbon to Sintra: train from Rossio every 20 min, 40 minutes. Pena Palace
        timed tickets online, then walk to the Moorish Castle. Cabo da Roca by bus if there's
        time.""")
    note("travel/porto-eats.md", """
        Porto eats: francesinha at Café Santiago, grilled fish and octopus in Matosinhos by the
        harbour, port tasting at Graham's. Book the fish place on weekends.""")
    note("travel/galicia-seafood.md", """
        Galicia notes from Sam's trip: pulpo a feira in Melide, percebes and scallops at the
        market in Santiago, Albariño with everything. Go back in September.""")
    query("where to get shellfish in Lisbon", t, "mixed")

    # Jonas
    t = note("work/1on1/jonas-2026-03.md", """
        1:1 Jonas, 12 March. The baby is due in early June; he'll take eight weeks of Elternzeit
        from 1 June, then work four days a week until September. The billing cutover has to
        happen before he leaves, otherwise Tomasz takes it over.""")
    note("work/jonas-onboarding-doc.md", """
        Jonas rewrote the onboarding doc: local setup in one script, a map of the services, and
        who to ask for what. New joiners should read it on day one.""")
    note("people/jonas-weber.md", """
        Jonas Weber - team lead for payments, married to Yuki. Very dry humour, plays bass in a
        covers band. Likes Islay whisky. Lives in Friedrichshain.""")
    note("work/hr-parental-leave-policy.md", """
        Company parental leave policy: full salary top-up for the first six weeks, then the state
        allowance. Notice to HR at least seven weeks before the start date.""")
    note("notes/friends-new-baby-gift.md", """
        Gift ideas for friends with a newborn: a meal delivery voucher, a good baby carrier,
        a few frozen lasagnes. Not more tiny clothes. Offer to walk the dog or do a shopping run.""")
    query("when is Jonas off for the newborn", t, "mixed")

    # Okafor
    t = note("health/appointments/okafor-spirometry.md", """
        Lung function test at Dr. Okafor's: FEV1 92% of predicted, reversibility positive. She
        wants me to keep the evening tablet and use the blue inhaler only before cold-air runs.
        Spirometry again in a year.""")
    note("health/appointments/okafor-holidays.md", """
        Dr. Okafor's practice is closed 4-22 August; the substitute is the practice on
        Karl-Marx-Straße. Get the repeat prescription before that. The pharmacy can also extend it once in an emergency.""")
    note("health/appointments/okafor-referral.md", """
        Okafor gave me a referral to the dermatologist for the mole on my back. Appointment on
        9 June. Bring the referral slip and the photo series from last year.""")
    note("health/breathing-exercises.md", """
        Breathing exercises from the climbing coach: box breathing 4-4-4-4 before hard
        attempts, long exhales on the rests. Helps with the nerves too. Also good before presentations at work.""")
    note("health/leo-asthma-check.md", """
        Leo's check at the paediatrician: his wheezing at night was a cold, not asthma. Listen
        again in winter if it comes back. Next regular check-up with the paediatrician is in October.""")
    query("what did Okafor find when she checked my breathing", t, "mixed")

    # Tomasz
    t = note("work/1on1/tomasz-2026-03.md", """
        1:1 Tomasz: he has been on call three weekends out of five and is close to burning out.
        Agreed: he drops out of the rota for April, Priya covers, and we open a req for a second
        SRE. He'd like to do the Kubernetes course in May.""")
    note("work/tomasz-terraform-talk.md", """
        Tomasz's brown-bag talk on Terraform module design: thin root modules, versioned child
        modules, no provider blocks inside modules. Slides are in the wiki. Recording is on the internal video page.""")
    note("people/tomasz-nowak.md", """
        Tomasz Nowak - SRE on my team, from Gdańsk. Coffee with too much sugar, ultra-dry jokes,
        restores old motorbikes. Kids: Ola and Kuba. Prefers async updates over meetings.""")
    note("work/burnout-survey.md", """
        Team health survey results: workload scored 2.4 out of 5, lowest of all questions.
        Three people mentioned on-call. Discuss in the retro and with my manager.""")
    note("work/oncall-rota-april.md", """
        On-call rota for April: Priya weeks 14-15, Jonas 16, Mira 17, me as secondary
        throughout. Swaps go through the YAML file, not chat. Public holidays count double.""")
    query("is Tomasz overworked and what did we decide", t, "mixed")

    # Porto
    t = note("travel/porto-douro-trip.md", """
        Porto: the Douro valley by train - São Bento to Pinhão, 2.5 h, sit on the right for the
        river. Tasting at Quinta do Bomfim (book ahead), lunch in Pinhão, last train back at
        18:00. Worth a full day.""")
    note("travel/porto-hotel.md", """
        Porto hotel: Ribeira area, third floor with a river view, breakfast included. Late
        check-out until 14h if we ask the night before. The lift is tiny.""")
    note("travel/porto-with-leo.md", """
        Porto with Leo: the tram museum, World of Discoveries, the gardens at Palácio de
        Cristal with the peacocks. Ice cream at Amorino. Keep the walks short, it's hilly.""")
    note("travel/mosel-weekend.md", """
        Mosel weekend idea: cycle from Bernkastel to Traben-Trarbach along the river, stop at the
        small wineries, stay at the guesthouse with the terrace. Best in late September.""")
    note("travel/rioja-notes.md", """
        Rioja trip notes from 2023: the Haro station district bodegas are walkable, López de
        Heredia tour was the highlight. Rent a car for Laguardia. Wine shipping home was cheap.""")
    query("Porto outing upriver to the vineyards", t, "mixed")

    # Nextcloud
    t = note("home/homelab/nextcloud-backup.md", """
        Nextcloud on the NAS: nightly borg to the storage box in Falkenstein (encrypted,
        repokey), keep 7 daily / 4 weekly / 6 monthly. Test restore on 2 March took 40 minutes
        for 30 GB. Repeat the restore test every quarter.""")
    note("home/homelab/nextcloud-android.md", """
        Nextcloud calendar sync broke on Sam's Android phone after the update - DAVx5 needed a
        fresh app password. Contacts were fine. Documented the steps for next time.""")
    note("home/homelab/nextcloud-upgrade.md", """
        Upgraded Nextcloud from 28 to 29 on the NAS. Two apps were disabled as incompatible
        (the old gallery and a theming app). Run occ db:add-missing-indices after every upgrade.""")
    note("home/homelab/photo-archive.md", """
        Photo archive plan: originals on the NAS, one copy on the external drive at Mum's,
        one in cloud cold storage. The 3-2-1 rule, finally. Check the drive at Christmas.""")
    note("work/backup-policy.md", """
        Backup policy at work: databases every 6 hours with point-in-time recovery, object
        storage versioned for 30 days, quarterly restore drills with a written report. Owned by the platform team.""")
    query("how is Nextcloud data protected against loss", t, "mixed")

    # Mochi
    t = note("home/cat/mochi-diet.md", """
        Mochi's diet: the vet wants her down from 5.8 to 5 kg. 50 g of the light kibble a day,
        split into three meals, no more cheese except for medicine, and the puzzle feeder at
        night. Weigh her every two weeks.""")
    note("home/cat/mochi-scratching-post.md", """
        Mochi finally uses the new sisal scratching post since we put it next to the sofa. The
        sofa corner is covered with tape for another month.""")
    note("home/cat/mochi-sitter.md", """
        Cat sitter for Mochi while we're in Porto: Agnieszka comes once a day, food and water,
        litter every second day. Vet's number is on the fridge.""")
    note("health/my-weight-log.md", """
        Weight log: 78.4 kg in January, 76.9 kg in March. Less beer, more walking. Target 75 by
        summer, but strength matters more than the number.""")
    note("notes/dog-diet-biscuit.md", """
        Lena asked me to keep Biscuit on his diet while he's here: a measured cup of food twice
        a day and carrot sticks as treats. He begs shamelessly.""")
    query("Mochi weight loss plan", t, "mixed")

    # tokio
    t = note("notes/dev/tokio-select-cancel-safety.md", """
        tokio::select! gotcha: the losing branch's future is dropped, so a half-read frame from
        `read_exact` is lost. Fix: make reads cancel-safe - keep a BytesMut buffer outside the
        loop and use `read_buf`. The docs list which methods are cancel-safe.""")
    note("notes/dev/tokio-runtime.md", """
        tokio runtime for the daemon: multi_thread with two worker threads is plenty on this
        machine; spawn_blocking for the SQLite calls. Don't block inside async code.""")
    note("notes/dev/tokio-console.md", """
        tokio-console setup: build with RUSTFLAGS="--cfg tokio_unstable", add the console-subscriber
        layer, then run `tokio-console` to see stuck tasks. Great for finding leaks. Only in debug builds, it costs some performance.""")
    note("notes/dev/websocket-reconnect.md", """
        WebSocket client: on disconnect, back off exponentially up to 30 s and resend the
        subscription messages. Partial messages are discarded by the library, so no framing
        issues there.""")
    note("notes/dev/mpsc-backpressure.md", """
        Channel backpressure: bounded mpsc with capacity 64 between the reader and the
        processor; when the consumer is slow the sender waits. Unbounded channels hid a memory
        leak last year.""")
    query("tokio macro dropping partially received messages", t, "mixed")

    # Ottolenghi
    t = note("recipes/ottolenghi-aubergine.md", """
        Ottolenghi's roasted aubergine with saffron yoghurt: slice into rounds, brush with oil,
        220 °C for 40 min. Yoghurt: a pinch of saffron steeped in 3 tbsp hot water, garlic,
        lemon, salt. Top with pomegranate seeds and basil. Sam's favourite.""")
    note("recipes/ottolenghi-cauliflower-cake.md", """
        Ottolenghi cauliflower cake: florets par-boiled, red onion rings on top, lots of
        parmesan, eggs and turmeric. 45 min at 180 °C. Good cold for lunch the next day.""")
    note("reading/ottolenghi-flavour.md", """
        Ottolenghi Flavour: the book is organised around process, pairing and produce. The
        chapter on charring changed how I cook onions. Lots of ingredients per recipe.""")
    note("recipes/baba-ganoush.md", """
        Baba ganoush: char two eggplants directly on the gas flame until collapsed, scoop out,
        mash with tahini, lemon, garlic and salt. Olive oil and parsley on top.""")
    note("recipes/imam-bayildi.md", """
        Imam bayildi: halved eggplants stuffed with onions, tomato, garlic and parsley, baked
        slowly in plenty of olive oil. Serve at room temperature. Better on day two, with bread.""")
    query("Ottolenghi eggplant dish", t, "mixed")

    # Hartmann
    t = note("home/electrics-rcd-trips.md", """
        Hartmann (the electrician) thinks the bathroom RCD trips because the old extractor fan
        has a failing motor - moisture gets into it. Replace the fan first (he can fit a Maico
        ECA 100) before anyone touches the wiring.""")
    note("home/hartmann-quote-sockets.md", """
        Hartmann's quote for four extra sockets in the study: €480 including materials, two
        days' notice. He can do it together with the outdoor light in May.""")
    note("people/hartmann.md", """
        Hartmann Elektro - Uwe Hartmann, small business in Neukölln, reliable, always calls
        back. Cash discount 2%. Recommended by Agnieszka. Invoices always arrive within a week.""")
    note("home/power-outage-checklist.md", """
        Power outage checklist: the fuse box is in the hallway cupboard, head torch on the top
        shelf, freezer stays cold for about 24 h if closed. Call the grid operator, not the
        landlord.""")
    note("home/light-flickering.md", """
        The kitchen ceiling light flickers when the dishwasher heats up. Probably a loose
        connection in the lamp itself - tightened the terminal, seems fine now.""")
    query("Hartmann's theory on why the power keeps cutting out", t, "mixed")

    # Reykjavik
    t = note("travel/iceland-laugavegur.md", """
        Laugavegur trek plan (4 days, Landmannalaugar to Þórsmörk): huts booked through
        Ferðafélag Íslands, the highland bus leaves Reykjavik BSÍ at 07:30. River crossings -
        bring crocs and trekking poles. Food for four days, no shops.""")
    note("travel/reykjavik-city.md", """
        Reykjavik: Sundhöllin pool in the morning, hot dogs at Bæjarins Beztu, Hallgrímskirkja
        tower at sunset. Whale watching was cancelled twice because of wind. Bring swimwear everywhere.""")
    note("travel/reykjavik-food.md", """
        Reykjavik food: fish stew at Messinn, the lamb soup at the harbour shack, skyr
        everywhere. Beer costs a fortune - buy at the duty free on arrival.""")
    note("travel/tour-du-mont-blanc.md", """
        Tour du Mont Blanc ideas: 11 stages from Les Houches, refuges need booking in January,
        bus back to Chamonix from Courmayeur if we cut it short.""")
    note("travel/harz-hike.md", """
        Harz weekend hike: Brocken from Schierke, 12 km up and down, narrow-gauge steam train as
        backup. Stay in Wernigerode. The café at the top is overpriced but warm.""")
    query("overnight hiking route starting by bus from Reykjavik", t, "mixed")

    # Grafana
    t = note("work/notes/alert-tuning.md", """
        Alert tuning: Grafana paged on every 5xx spike. Switched the API to SLO burn-rate alerts
        (1h/5m at 14.4x, 6h/30m at 6x). On-call pages dropped from about 30 a week to 3, and the
        remaining ones were real.""")
    note("work/notes/grafana-dashboards.md", """
        Grafana dashboards clean-up: deleted 40 unused dashboards, moved the rest into folders
        per team, and every panel now has a description. Mira owns the conventions doc.""")
    note("work/notes/grafana-loki.md", """
        Grafana Loki: retention 14 days for app logs, 90 days for audit logs. Label cardinality
        limit hit by the request_id label - removed it, use line filters instead.""")
    note("work/notes/pagerduty-settings.md", """
        PagerDuty settings: low-urgency notifications only by email at night, high urgency by
        phone call after 5 min. Quiet hours for the secondary. Review the escalation policy every quarter.""")
    note("work/notes/oncall-handbook.md", """
        On-call handbook: acknowledge within 5 minutes, open an incident channel for anything
        customer-facing, hand over in writing at the end of the shift. Postmortems within five working days.""")
    query("Grafana changes to cut down noisy pages", t, "mixed")

    # Postgres
    t = note("notes/dev/postgres-autovacuum.md", """
        Postgres: the events table bloated to three times its size because autovacuum couldn't
        keep up with the updates. Set autovacuum_vacuum_scale_factor = 0.02 and cost_limit 2000
        on that table only; back to normal within a week.""")
    note("notes/dev/postgres-explain.md", """
        Postgres EXPLAIN notes: always use ANALYZE and BUFFERS, look at rows estimated vs actual,
        and a nested loop over many rows usually means a missing index or stale statistics.""")
    note("notes/dev/postgres-upgrade.md", """
        Postgres 15 to 16 upgrade with pg_upgrade --link: 4 minutes of downtime for 300 GB.
        Run vacuumdb --analyze-in-stages afterwards or the planner is blind. Rehearse on a snapshot first.""")
    note("notes/dev/disk-usage-docker.md", """
        Disk usage on the laptop: `docker system df` showed 60 GB of dangling images and build
        cache. `docker builder prune` freed most of it. Set a weekly prune in the Docker Desktop settings.""")
    note("notes/dev/sqlite-wal.md", """
        SQLite in WAL mode: the -wal file grows until a checkpoint; long-running readers block
        checkpoints. Set wal_autocheckpoint and keep read transactions short. busy_timeout of 5 s avoids most 'database is locked' errors.""")
    query("Postgres disk usage ballooning from dead rows", t, "mixed")

    # Lena
    t = note("notes/lena-marcus-wedding.md", """
        Lena & Marcus wedding, 12 September in Leipzig: room block at the hotel by the station
        (code LM2026), dress code 'summer garden'. They asked for contributions to the honeymoon
        fund in Japan instead of presents.""")
    note("people/lena-hoffmann.md", """
        Lena Hoffmann - friend since university, works as a midwife. Dog: Biscuit. Loves
        karaoke, hates surprises. Birthday 2 February. Lives in Prenzlauer Berg with Marcus. Takes her tea with honey.""")
    note("notes/lena-book-club.md", """
        Lena hosts the book club next time; bring wine and something sweet. She asked us to
        read the whole book this time. Starts at 19:30, her flat is on the fourth floor with no lift.""")
    note("notes/wedding-gift-ideas.md", """
        Wedding gift ideas in general: experiences over things, a good kitchen knife, a framed
        print of the venue. Cash is fine in most families. Always include a handwritten card.""")
    note("notes/sams-cousin-wedding.md", """
        Sam's cousin's marriage in Bavaria in July: church at 14h, party in the barn, shuttle
        bus back to Rosenheim. Buy a present from the registry.""")
    query("what to give Lena for the marriage", t, "mixed")

    # Leo at school
    t = note("notes/family/leo-parent-teacher.md", """
        Parent-teacher meeting with Frau Aydin: Leo reads well above his level but rushes maths
        and gets frustrated when he makes mistakes. She suggests ten minutes of number games at
        home and praising effort. Next meeting in June.""")
    note("notes/family/leo-school-supplies.md", """
        Leo's school supplies for the new term: the red folder, 2 exercise books squared, glue
        stick, watercolours. Name labels on everything. Receipt for the school book fee goes to the tax folder.""")
    note("notes/family/leo-birthday.md", """
        Leo's 7th birthday party: eight kids, treasure hunt in the park, pizza and the volcano
        cake. Invitations go out two weeks before. Ask the parents about allergies. Goodie bags: stickers and a small torch each.""")
    note("notes/family/maths-games.md", """
        Maths games for kids: dice addition race, the card game Speed with sums, shopping
        role-play with coins. Keep it short and fun. Ten minutes is the sweet spot before he loses interest.""")
    note("notes/teacher-gift.md", """
        End-of-year teacher gift: class collection, €5 per family, voucher for the bookshop
        plus a card the kids draw. Collect the money by the last week of June.""")
    query("Leo's teacher feedback on arithmetic", t, "mixed")

    # Sam's present
    t = note("people/sam-gift-ideas.md", """
        Gift ideas for Sam: the Lamy 2000 fountain pen she keeps looking at, a voucher for the
        pottery workshop in Kreuzberg, Ottolenghi's Comfort. Not more candles.""")
    note("people/sam.md", """
        Sam - my partner. Architect, works late before competition deadlines. Oat milk flat white,
        no sugar. Gets cold easily - blankets in every room. Birthday 23 October.""")
    note("notes/sam-work-deadline.md", """
        Sam's competition deadline is 28 March; I take over school runs and cooking that week.
        Plan easy dinners. Pasta bake, soup, tacos, the freezer chili. Grandma on standby.""")
    note("notes/birthday-presents-list.md", """
        Birthday presents for the year: Dad (fishing book), Mum (concert tickets), my brother
        (board game), Leo (bike helmet). Order by the week before. Wrap everything the weekend before.""")
    query("birthday present ideas for Sam", t, "mixed")

    # Pi-hole
    t = note("home/homelab/pihole.md", """
        Pi-hole on the Raspberry Pi 4 blocks about 18% of queries. Allowlisted the banking app's
        analytics domain because the login hung otherwise. Upstream is a local Unbound
        resolver.""")
    note("home/homelab/raspberry-pi-weather.md", """
        Raspberry Pi Zero weather station on the balcony: BME280 sensor, pushes to Home
        Assistant every minute. SD card died once - moved logs to RAM.""")
    note("home/homelab/raspberry-pi-kodi.md", """
        Old Raspberry Pi 3 with LibreELEC as a media player in the bedroom. Too slow for 4K,
        fine for everything else. Remote works through HDMI-CEC, so no extra remote needed.""")
    note("finance/banking-app.md", """
        New banking app needs the photoTAN for every login from a new device. Backup device
        registered: the old phone in the drawer. The old TAN generator went back to the branch.""")
    note("home/homelab/dns-filter-router.md", """
        Considered using the router's built-in content filter instead of a separate DNS
        blocker, but it only supports one list and no exceptions. Dropped the idea after an evening of testing.""")
    query("Raspberry Pi ad blocker broke the finance app sign-in", t, "mixed")

    # --- notes that match the meaning of a mixed query but not its shared word ---
    note("notes/family/mum-landlord-windows.md", """
        Mum's landlord finally agreed to put in new double-glazed windows and service the gas
        heating before winter, after the tenants' association wrote to him. She still wants it
        in writing.""")
    note("notes/lena-flat-heating.md", """
        Lena's building has had no hot water or heating for three days; their landlord promised
        a new pump by Friday and a rent reduction for the week. She's showering at the gym.""")
    note("work/office-heating.md", """
        Facilities promised that the broken heating on the third floor gets fixed by Monday.
        Until then: the meeting rooms on the second floor, and bring a jumper.""")
    note("travel/algarve-food.md", """
        Algarve food notes: cataplana with clams and prawns in Olhão, grilled sardines in
        Portimão, the fish market in Lagos in the morning. Vinho verde is cheap everywhere.""")
    note("travel/cascais-day.md", """
        Cascais day: the train along the coast from Cais do Sodré, beach at Praia da Rainha,
        grilled sea bass at a place by the fish market, ice cream at Santini. Back before
        sunset.""")
    note("work/1on1/priya-2026-03.md", """
        1:1 Priya: her partner is due in October, so she plans two months of parental leave
        from mid-October and wants the Kubernetes upgrade done before then. She'd like Mira to
        shadow her on the cluster work.""")
    note("work/ben-paternity-return.md", """
        Ben from design is back from paternity leave on 3 March, part-time for the first month.
        Set up a catch-up on the new onboarding flow before he picks up tickets.""")
    note("health/dad-stress-test.md", """
        Dad's cardiology appointment: the stress test was fine up to 150 watts, blood pressure
        stable, the cardiologist wants to see him again in a year. He's relieved.""")
    note("work/company-health-day.md", """
        Company health day: lung function and blood pressure checks in the canteen. My
        breathing test came out normal, the nurse suggested checking vitamin D again.""")
    note("work/1on1/mira-2026-03.md", """
        1:1 Mira: tired of context switching between the RFC and support duty; we agreed she
        skips the support rotation in March. She is enjoying the observability work.""")
    note("home/homelab/home-assistant-backup.md", """
        Home Assistant backups: automatic full backup every night, 14 kept, copied to the NAS
        and once a week to the storage box. Restored onto a spare SD card in February - works.""")
    note("home/homelab/paperless-backup.md", """
        Paperless backups: document exporter runs at 02:00, restic pushes the export to the
        cloud bucket, 30 daily snapshots kept. Restore test on the laptop took 15 minutes.""")
    note("notes/family/mums-cat-diet.md", """
        Mum's cat Felix is on a diet: the vet says he needs to lose a kilo, so no more dry food
        free-for-all - two measured wet portions a day and play sessions in the evening.""")
    note("notes/family/mum-rcd-tripping.md", """
        At Mum's the power kept cutting out in the evenings. The residual current breaker
        tripped because the outdoor socket on the terrace was full of rainwater. New cover
        fitted, problem gone.""")
    note("travel/hornstrandir.md", """
        Hornstrandir idea: boat from Ísafjörður, five days of wild camping, no huts and no
        phone signal. Polar foxes everywhere. Needs a proper tent and a lot of food.""")
    note("travel/kungsleden.md", """
        Kungsleden northern section: Abisko to Nikkaluokta over five days, sleeping in the
        mountain huts, sauna at Kebnekaise. Night train from Stockholm to Abisko, book it when sales open.""")
    note("work/notes/alertmanager-grouping.md", """
        Alertmanager: grouped alerts by service and added inhibit rules so a dead node doesn't
        fire twenty pod alerts. Night-time pages went down noticeably in the first week.""")
    note("notes/dev/mysql-table-bloat.md", """
        Old MySQL box: the sessions table file stayed huge after we deleted old rows, because
        InnoDB doesn't give space back. OPTIMIZE TABLE at night reclaimed 40 GB.""")
    note("notes/farid-wedding.md", """
        Farid and Salma marry next spring in Marrakech. They want people to come rather than
        bring gifts; a contribution to the trip is fine. Check flights in autumn.""")
    note("notes/family/emil-kindergarten.md", """
        Tim says Emil's kindergarten teacher thinks he is ahead with numbers but struggles to
        sit still in circle time. They're trying short movement breaks and a wobble cushion.""")
    note("home/homelab/adguard-office.md", """
        AdGuard Home on the office NUC blocked the payroll portal's sign-in page (a tracking
        domain in the login flow). Added it to the allowlist, everyone can log in again.""")

    # --- ticket ids that several notes mention ------------------------------
    t = "work/tickets/infra-4480.md"
    note("work/standups/2026-03-10.md", """
        Standup: INFRA-4480 cutover moves to Thursday, Jonas needs a maintenance window.
        Priya is on the consumer lag dashboards, Mira on the RFC. No blockers otherwise.""")
    note("daily/2026-03-11.md", """
        Spent the afternoon reviewing the Helm values for INFRA-4480 with Jonas. Grey day, short
        run at lunch. Sam is away until Friday, pasta for Leo and me.""")
    note("work/retros/2026-03-17.md", """
        Retro: INFRA-4480 went out on Thursday without drama, thanks Jonas. Went badly: two
        deploys rolled back because of a missing env var. Try: config diff in the deploy log.""")
    note("work/support-safari-logouts.md", """
        Support: customers on Safari were thrown out of their accounts every few minutes. The
        cookie had SameSite=None without Secure after the proxy change. Fixed in release 2.14.""")
    note("work/session-length-request.md", """
        Product wants login sessions to last 90 days instead of 30 on mobile. Security is fine
        with it if refresh tokens rotate. Ticket for next quarter.""")
    query("INFRA-4480 why were customers being signed out", t, "mixed")

    t = "work/tickets/plat-4417.md"
    note("work/standups/2026-04-01.md", """
        Standup: PLAT-4417 in review, Mira wants a second pair of eyes on the cache key change.
        Tomasz back from leave. Demo prep for Friday with the product team.""")
    note("work/standups/2026-04-09.md", """
        Standup: PLAT-4417 closed, thanks Mira. Next up is the runner image cleanup and the
        Renovate config. Jonas out on Friday, so the payments review moves to Monday.""")
    note("work/ci-runner-io.md", """
        CI runners: compile jobs took twice as long last week because the NVMe on runner 2 was
        thermal throttling. Added a temperature alert, moved it to a better slot in the rack.""")
    note("notes/dev/laptop-builds-antivirus.md", """
        Laptop builds got much slower after the endpoint security agent update - it scanned the
        target directory on every write. IT added an exclusion for ~/code.""")
    query("PLAT-4417 why compile times jumped", t, "mixed")

    t = "work/security/cve-2024-6387.md"
    note("work/notes/patch-day-july.md", """
        Patch day: CVE-2024-6387 across all bastions and jump hosts, plus kernel updates on the
        build agents. Finished by 15:00, no reboots needed for the SSH part.""")
    note("daily/2026-04-14.md", """
        Audit prep all morning - they want evidence for CVE-2024-6387 and the other critical
        findings from last year. Climbing in the evening with Farid, tired but good.""")
    note("work/vendor-appliance-mitigations.md", """
        Vendor appliances we can't patch ourselves: the reporting box gets an isolated VLAN and
        no inbound internet, the door access controller only talks to its own server.""")
    query("CVE-2024-6387 temporary mitigation on the unpatchable machine", t, "mixed")

    t = "work/infra/db-replica-02.md"
    note("work/notes/analytics-complaints.md", """
        Analytics team request: read access to db-replica-02 for two new analysts. Approved by
        Priya, accounts created through the usual Ansible role, expiry set to the end of their
        contracts.""")
    note("daily/2026-04-21.md", """
        Swapped a failed disk on db-replica-02 with Priya, resync took four hours. Home late,
        Sam had already put Leo to bed. Leftover curry and an early night.""")
    note("work/notes/statement-timeout.md", """
        Statement timeouts: 30 s on the primary for the API role, 10 minutes for the reporting
        role. Long-running reports should go to the warehouse, not Postgres.""")
    query("db-replica-02 why big reports get aborted", t, "mixed")

    t = "work/tickets/infra-4519.md"
    note("work/standups/2026-02-24.md", """
        Standup: INFRA-4519 golden image rebuild runs overnight, Tomasz is watching it. Mira
        presents the RFC draft on Thursday. Priya out sick, her reviews wait until tomorrow.""")
    note("daily/2026-02-25.md", """
        INFRA-4519 finally closed after the new image reached the last rack. Pancakes for dinner
        because Leo asked nicely. Rain all day, no run, early night with the book club novel.""")
    note("work/notes/sso-outage.md", """
        Single sign-on outage: for an hour nobody could log into the internal tools because the
        identity provider rotated its signing certificate and the apps cached the old one.
        Now they refresh the metadata every 15 minutes.""")
    note("home/homelab/time-sync.md", """
        Homelab time sync: chrony on pve-node3 serves the LAN. The Home Assistant box drifted
        40 seconds while it had no upstream and the automations fired late.""")
    query("INFRA-4519 what broke authentication", t, "mixed")

    t = "work/tickets/infra-4474.md"
    note("work/standups/2026-03-02.md", """
        Standup: INFRA-4474 fix deployed, watching the lag graph today. Tomasz on the Terraform
        lock clean-up, Priya reviewing the alert rules, Jonas at the dentist until 11.""")
    note("work/notes/q1-incident-list.md", """
        Q1 incident list for the ops meeting: INFRA-4474, INFRA-4480, the edge TLS postmortem
        and the email queue OOM loop. Each needs an owner for the follow-up actions.""")
    note("work/notes/rabbitmq-backlog.md", """
        The notifications queue backed up to 400k messages after a consumer crashed on a
        malformed payload and nobody noticed for a night. Added a dead-letter queue and an
        alert on queue depth.""")
    query("INFRA-4474 why stream processing fell behind", t, "mixed")

    t = "home/appliances/dishwasher.md"
    note("home/appliances/warranty-list.md", """
        Warranty list: dishwasher SMS6ZCI49E until 03/2027, washing machine WCA020 until
        November 2026, fridge WRF555SDFZ expired, oven B1ACE4HN0B until 2028. Receipts are
        scanned into Paperless, originals in the blue folder.""")
    note("home/appliances/manuals.md", """
        Manuals as PDFs on the NAS share: SMS6ZCI49E, WCA020, T8DBE851 and the oven. The robot
        vacuum only has its app. Keep the paper ones in the blue folder anyway.""")
    note("home/kitchen-sink-drain.md", """
        The kitchen sink drains slowly again. Plunger first, then opened the trap under the
        sink - a plug of fat and rice. Boiling water with soda once a month from now on.""")
    note("notes/family/mum-washing-machine.md", """
        Mum's washing machine stopped pumping out the water mid-cycle. The coin trap filter at
        the front was full of hair clips; cleared it and it finished the cycle normally.""")
    query("SMS6ZCI49E not emptying properly", t, "mixed")

    t = "home/appliances/washing-machine.md"
    note("notes/family/mum-spin-dryer.md", """
        Mum's old spin dryer walks across the bathroom floor when it runs. The feet weren't
        level; adjusted them with a spirit level and put an anti-vibration mat underneath.""")
    note("home/pipes-knocking.md", """
        The water pipes knock loudly whenever the dishwasher valve closes - water hammer.
        Hartmann's plumber friend suggests a small arrestor on the supply line, about €30 plus an hour of work.""")
    query("WCA020 banging during the fast cycle", t, "mixed")

    t = "home/homelab/pve-node3.md"
    note("home/homelab/pve-updates.md", """
        Updated pve-node3 to Proxmox 8.2 at night, all containers came back on their own. The
        kernel stays pinned after last year's network driver trouble. Next update in June.""")
    note("home/homelab/nas.md", """
        NAS: Synology DS920+, four 8 TB drives in SHR-1, 20 GB of memory, two NVMe sticks as
        read cache. Hosts Nextcloud, the photo archive and the Time Machine share.""")
    note("home/homelab/gpu-box.md", """
        GPU box: the old gaming tower with an i7-8700, 32 GB, an RTX 3060 12 GB and a 1 TB NVMe.
        Used for Jellyfin transcoding and for playing with local models.""")
    query("pve-node3 hardware specs", t, "mixed")

    t = "finance/invoices/inv-20913.md"
    note("finance/tax-folder-2026.md", """
        Tax folder 2026 so far: INV-20913 and INV-20931 from Hartmann, INV-21931 from the
        painter, the chimney sweep invoice. Tradesman labour shares go in the household
        services line of the return.""")
    note("home/locksmith.md", """
        Locksmith emergency on a Saturday night when the key broke off in the lock: €240 for
        twenty minutes of work. Next time call the landlord's contact number first.""")
    query("INV-20913 weekend callout cost", t, "mixed")

    t = "notes/dev/rust-e0499.md"
    note("daily/2026-01-20.md", """
        Fought E0499 in the TUI code for an hour before lunch, then gave up and went for a walk.
        Leo's parent evening at 18:00. Soup for dinner, bed early.""")
    note("notes/dev/rust-errors-index.md", """
        Index of Rust errors I've hit this year: E0382, E0499, E0502, E0505, E0716. Each code
        has its own note. Most were borrow problems around long-lived structs.""")
    note("notes/dev/refcell-panic.md", """
        Runtime panic 'already mutably borrowed' in the plugin host: two RefCell borrow_mut
        calls overlapped through a callback. Now the changes are collected and applied after
        the callback returns.""")
    query("E0499 how I restructured the screen update loop", t, "mixed")

    t = "travel/lisbon-conference-flights.md"
    note("work/expenses-lisbon.md", """
        Expense report for the Lisbon conference: flights K4ZP9M €312, hotel €540 (company
        card), taxis €46, two dinners €120. Submit the receipts by the 15th through the expenses tool.""")
    query("K4ZP9M departure time", t, "mixed")

    t = "work/security/cve-2023-4863.md"
    note("work/notes/kiosk-machines.md", """
        Kiosk machines in the lobby: browser auto-update had been disabled since 2022, and
        CVE-2023-4863 finally made us fix that. They are managed through the MDM now.""")
    note("notes/dev/imagemagick-policy.md", """
        ImageMagick policy.xml: disable the PS, EPS and PDF coders in the upload pipeline and
        cap memory and dimensions. Thumbnails for untrusted uploads go through libvips now.""")
    query("CVE-2023-4863 remediation for image previews", t, "mixed")

    t = "travel/porto-flights.md"
    note("finance/porto-budget.md", """
        Porto budget: flights QX7RTB €418 for two, hotel €390 for three nights, Douro day trip
        about €120, food €300. Paid the flights from the holiday account.""")
    query("QX7RTB return leg", t, "mixed")

    # more near-duplicates in meaning for the mixed queries above
    note("travel/porto-flat-washer.md", """
        The washing machine in the Porto holiday flat shook so hard on the spin that it walked
        half a metre across the floor. The host says the transport bolts were never removed.""")
    note("home/plumber-easter.md", """
        Emergency plumber on Easter Sunday for the burst pipe under the kitchen sink: €310 for
        an hour including the holiday surcharge. Insurance won't pay, the pipe was just old.""")
    note("notes/dev/thumbnail-sandbox.md", """
        Thumbnail service hardening: image decoding now runs in a sandboxed worker with
        seccomp, and uploads over 40 megapixels are rejected before decoding. Costs a few milliseconds per image.""")
    note("work/skip-level-design.md", """
        Skip-level with the design team: two designers say they are exhausted after the launch
        crunch. Agreed on no-meeting Fridays for April and moving the next release by a week.""")

    t = "work/tickets/infra-3471.md"
    note("work/standups/2026-01-19.md", """
        Standup: INFRA-3471 needs a reviewer before Thursday, Priya asks for a volunteer. Jonas
        demos the new payment dashboards in the afternoon. Tomasz on support this week.""")
    note("work/notes/audit-evidence.md", """
        Audit evidence list: INFRA-3471, INFRA-4519, the access review export and the pen test
        report. Upload everything to the auditor portal by 30 April and tell compliance when done.""")
    note("work/notes/cron-monitoring.md", """
        The weekly finance report cron had been failing for two weeks and nobody noticed,
        because its error mails went to an unread shared mailbox. Every cron now pings a
        dead man's switch.""")
    note("home/homelab/nas-offsite-stopped.md", """
        The NAS offsite copy to the storage box quietly stopped when I rotated the SSH key in
        January. Only found out during the March restore test. Added a freshness check.""")
    query("INFRA-3471 why nobody noticed the nightly job was broken", t, "mixed")

    t = "work/tickets/infra-4711.md"
    note("work/standups/2026-02-05.md", """
        Standup: INFRA-4711 post-incident review on Friday, Mira and Tomasz own the write-up.
        Priya starts the Redis sizing, Jonas on the billing dual-write. Short one today, everyone busy.""")
    note("work/notes/runner-disk-full.md", """
        CI was stuck for an hour because the shared runner pool ran out of disk; every job hung
        at checkout. Cleared the cache volume and added a cleanup job at 03:00.""")
    note("work/notes/helm-pending-upgrade.md", """
        A Helm release was stuck in pending-upgrade after a cancelled deploy. Rolled it back
        with helm rollback and deleted the stale release secret; deploys went through again.""")
    query("INFRA-4711 how the pipelines got unblocked", t, "mixed")

    t = "finance/invoices/inv-21931.md"
    note("home/paperless-painter.md", """
        Paperless: tagged INV-21931 and the painter's original quote as 'home'. The quote had
        the same line items plus the ceiling, which we dropped to save money.""")
    note("home/wardrobe-carpenter.md", """
        Carpenter for the built-in wardrobe: €800 deposit paid in January, the remaining
        €1,200 after installation and once the doors close properly. He starts in May.""")
    note("home/kitchen-fitter.md", """
        Quote from the kitchen fitter: €1,500 on signing, €3,000 on delivery of the units, the
        final €900 when everything is installed and signed off. Second quote pending.""")
    query("INV-21931 balance still owed", t, "mixed")

    t = "finance/invoices/re-2026-0471.md"
    note("finance/direct-debits-march.md", """
        Direct debits in March: RE-2026-0471, the internet contract, the electricity advance
        and car insurance. Everything matched the statement, nothing bounced, nothing unexpected this month. Review again in April.""")
    note("notes/bike-frame-warranty.md", """
        The bike shop says the crack in the frame is a warranty case, so the manufacturer
        covers the new frame; I only pay for the labour to move the parts over.""")
    query("RE-2026-0471 whether the landlord pays", t, "mixed")

    t = "work/infra/db-primary-01.md"
    note("work/notes/maintenance-window.md", """
        Maintenance window Sunday 02:00-04:00: minor version upgrade on db-primary-01, kernel
        patches on the util nodes. Status page notice goes out on Thursday; Priya is on call for it, I'm secondary.""")
    note("work/notes/capacity-review.md", """
        Capacity review: db-primary-01 peaks at 60% CPU during the month-end billing run,
        storage grows 80 GB a month. Fine until Q4, then we need bigger disks or archiving.""")
    note("work/notes/redis-sentinel.md", """
        Redis Sentinel: three sentinels vote before promoting a replica, quorum 2. Clients ask
        the sentinels for the current master instead of using a fixed address.""")
    note("work/notes/mysql-legacy-failover.md", """
        The legacy MySQL pair has no automatic failover: the runbook says stop writes, promote
        the replica by hand and repoint the app config. Takes about 15 minutes.""")
    query("db-primary-01 what promotes a standby automatically", t, "mixed")

    t = "finance/orders/302-7781145-0092.md"
    note("finance/returns-log.md", """
        Returns log Q1: check 028-5513907-2241, 302-7781145-0092 and 028-5531907-2214 against
        the bank statement at the end of the month. Screenshots of the return labels are in the photos folder.""")
    note("notes/monitor-cracked.md", """
        The new monitor arrived with a cracked corner. The seller shipped a replacement straight
        away and didn't even want the damaged one returned. Good service, buy there again.""")
    query("302-7781145-0092 what happened with the delivery", t, "mixed")

    t = "notes/car/golf.md"
    note("notes/car/golf-parking-permit.md", """
        Residents' parking permit for B-KM 4821 renewed until 2028, €10.20 a year. The sticker
        goes on the inside of the windscreen, bottom right. Renewal reminder comes by post.""")
    note("notes/car/yaris-warning-light.md", """
        Mum's Yaris: a dashboard warning light flickers after every car wash or heavy shower.
        The garage found water in a connector and says it is harmless.""")
    query("B-KM 4821 sensor fault in wet weather", t, "mixed")

    t = "work/tickets/ops-4471.md"
    note("work/retros/2026-04-21.md", """
        Retro: OPS-4471 action items are only half done. Went well: the new deploy log. Try:
        one owner per action item, checked at the start of every retro.""")
    note("work/notes/escalation-policy.md", """
        Escalation policy: if the primary doesn't acknowledge within 5 minutes the secondary is
        paged, after 15 minutes the engineering manager. Reviewed twice a year with the whole team.""")
    query("OPS-4471 who was meant to respond to the pages", t, "mixed")

    # --- names that many notes mention ----------------------------------------
    t = note("recipes/agnieszkas-sernik.md", """
        Agnieszka's sernik, as she dictated it: 1 kg twaróg pressed through a sieve, 6 eggs
        separated, 200 g sugar, 100 g soft butter, a spoon of potato starch, vanilla and lemon
        zest. Shortcrust base. 60 min at 170 °C, then leave it in the oven with the door ajar.""")
    note("recipes/basque-burnt-cheesecake.md", """
        Basque burnt cheesecake: 900 g cream cheese, 300 g sugar, 5 eggs, 500 ml cream, 30 g
        flour. Baking paper crumpled into the tin, 25 min at 230 °C until black on top and
        still wobbly. Cool completely.""")
    note("recipes/new-york-cheesecake.md", """
        New York cheesecake from the café's recipe card: digestive biscuit base, cream cheese,
        sour cream, eggs, a water bath at 160 °C and a night in the fridge before slicing.""")
    query("Agnieszka's cheesecake recipe", t, "mixed")

    t = note("health/finger-pulley.md", """
        Farid's verdict on my ring finger after the crimp in Frankenjura: probably an A2 pulley
        strain. His rules from his own one: no crimping for six weeks, open-hand grips only,
        rice-bucket work daily, H-taping on the gym days.""")
    note("notes/climbing-tape.md", """
        Jens showed me how to tape fingers properly for crack climbing: tape gloves instead of
        loose strips, and take them off gently so the skin survives the next session.""")
    note("health/wrist-sprain.md", """
        Sprained wrist from the fall on the ice in January. The doctor said rest it for two
        weeks with a brace, then gentle mobility. No climbing, no push-ups until it is
        pain-free.""")
    query("Farid's advice for my injured finger", t, "mixed")

    t = note("work/mira-cfp.md", """
        Mira sent her CFP to KubeCon EU: SLO burn-rate alerting for small teams. Decision comes
        in January. I'll review her abstract on Friday and ask whether we fund the trip from
        the team budget.""")
    note("work/conference-budget.md", """
        Conference budget 2026: two people to a big international event, everybody else to one
        local meetup. Speakers get priority. Book early, hotels sell out fast.""")
    note("work/meetup-talk-jonas.md", """
        Jonas gave a talk at the Berlin Rust meetup about our retry budgets; good questions
        about jitter. The recording goes up next week on the meetup channel.""")
    query("Mira's talk proposal for the conference", t, "mixed")

    t = note("notes/family/tim-loft-bed.md", """
        Tim is building a loft bed for Emil from oak offcuts out of his workshop, with a
        ladder and a small desk underneath. He sent plans; I promised to bring his old dovetail
        saw back at Christmas.""")
    note("notes/family/leo-bunk-bed.md", """
        Looking at bunk beds for Leo's room so a friend can sleep over: IKEA MYDAL or a
        second-hand one from the classifieds. Ceiling is 2.70 m, so a loft would fit too.""")
    note("notes/woodworking-course.md", """
        Evening woodworking course at the community workshop: six sessions, we build a small
        stool with mortise and tenon joints. €180 including wood and tools. Starts in September.""")
    query("Tim's woodworking project for the kids", t, "mixed")

    t = "people/priya-raman.md"
    note("people/jonas-band-fridays.md", """
        Jonas has band rehearsal every Friday afternoon from 16:00, so nothing with him after
        lunch on Fridays. Thursday evenings are the gigs, sometimes. Invite him, he likes a crowd.""")
    note("work/meeting-free-mornings.md", """
        Team agreement: no meetings before 10:00 on Mondays and Wednesdays so people can do
        focused work; the standup moves to 10:15 on those days. Trial until the summer.""")
    query("Priya's sports competitions and when not to book meetings", t, "mixed")

    # --- more identifiers that other notes mention in passing -------------------
    t = "work/tickets/infra-4402.md"
    note("work/notes/sprint-board-snapshot.md", """
        Sprint board snapshot before the review: INFRA-4402 and INFRA-4519 moved to done,
        INFRA-4480 in progress, two tickets waiting for product. Velocity about where it
        was last sprint.""")
    note("work/notes/kibana-blank.md", """
        The Kibana visualisations all came up blank after someone renamed the index pattern.
        Recreated the data view with the old ID and the saved searches worked again.""")
    note("home/homelab/energy-dashboard-empty.md", """
        The Home Assistant energy dashboard showed no data for a week after the smart meter
        sensor got a new entity id. Re-selected it in the energy settings, history is lost.""")
    query("INFRA-4402 why the charts went blank", t, "mixed")

    t = "finance/orders/028-6630912-7714.md"
    note("finance/purchases-q1.md", """
        Q1 purchases over €30: 028-6630912-7714, 302-7781145-0092, the headphones and Leo's
        boots. Warranty documents are in Paperless under 'purchases'. Check the credit card statement against this list at the end of March.""")
    note("notes/winter-jacket-return.md", """
        The winter jacket can still go back until 15 May as long as the tags are on. Decide
        after the weekend - the sleeves are a bit short.""")
    query("028-6630912-7714 last day to send back", t, "mixed")

    t = "work/infra/db-replica-07.md"
    note("work/notes/alert-log-tuesday.md", """
        Alert log, Tuesday: db-replica-07 lag alert fired twice during the nightly vacuum and
        resolved itself; the disk latency alert on ci-agent-04 was a false positive.""")
    note("work/notes/staging-db-restore.md", """
        Recreated the staging database from last night's snapshot after a bad migration
        dropped a column. Took 25 minutes; the seed script covers the rest. Nobody outside the team noticed.""")
    query("db-replica-07 when it was last recreated from scratch", t, "mixed")

    t = "finance/insurance/liability.md"
    note("finance/insurance-overview.md", """
        Insurance overview: HX-55218340, HR-55218304, KV-77120934 and RS-9043371. Annual
        review in November - compare prices, check sums insured, cancel what we don't need. All policies are scanned in Paperless.""")
    note("notes/family/leo-broke-vase.md", """
        Leo knocked over the vase in Agnieszka's hallway while playing hide and seek. She said
        it was cheap and not to worry; we brought her flowers and a box of chocolates.""")
    query("HX-55218340 if Leo breaks something at a friend's", t, "mixed")

    t = "home/it/mum-pc-update.md"
    note("notes/family/mum-pc-checklist.md", """
        Mum's PC checklist: 0x800f0922 sorted, printer driver still missing, backup drive to
        set up at Christmas, and show her how to use the password manager again.""")
    note("home/it/game-launcher-blocked.md", """
        The game launcher on Leo's laptop couldn't download anything because the router's
        parental filter blocked the content delivery network. Added an exception for the launcher's domains, downloads work again.""")
    query("0x800f0922 what stopped the install", t, "mixed")

    t = "home/it/work-laptop-update.md"
    note("work/it-tickets.md", """
        My open IT tickets: 0x8024a105 on the laptop, the docking station firmware, and the
        VPN being slow from home in the evenings. Chase them before the office move.""")
    note("work/printer-ping-pong.md", """
        The office printer driver is broken again. Facilities say IT owns the printers, IT
        says facilities does. Printing at home until someone takes it. Raised it in the office move meeting.""")
    query("0x8024a105 whose responsibility", t, "mixed")

    t = "notes/dev/rust-e0505.md"
    note("daily/2026-02-03.md", """
        E0505 again in the frame parser, frustrating morning. Gym in the evening helped. Sam
        made soup, Leo told us about the class hamster for twenty minutes.""")
    note("notes/dev/arc-mutex-channels.md", """
        An Arc<Mutex<Vec<u8>>> shared between the reader and writer tasks was slow and easy to
        get wrong. Switched to an mpsc channel that hands over ownership of each buffer.""")
    query("E0505 ownership problem with the network thread", t, "mixed")

    t = "home/furniture/kallax-return.md"
    note("home/ikea-trip-list.md", """
        IKEA trip on Saturday: return 802.758.87, pick up the MALM slats 302.494.44, look at
        bunk beds for Leo. Take the car, the box doesn't fit in a cargo bike.""")
    note("home/sofa-cover-returned.md", """
        Returned the new sofa cover: the colour looked completely different in daylight.
        Refund within two weeks, ordering fabric samples first next time. The old cover goes to the cleaner instead.""")
    query("802.758.87 why it's going back", t, "mixed")

    t = "finance/insurance/legal.md"
    note("notes/landlord-dispute-advice.md", """
        The tenants' association lawyer says the rent index letter is fine legally, no dispute
        worth having. Membership costs €90 a year and includes advice like this.""")
    query("RS-9043371 when new disputes become covered", t, "mixed")

    t = "notes/car/parking-ticket-b-km-4281.md"
    note("notes/car/speeding-fine-rental.md", """
        Contested the speeding fine the rental company forwarded: the car had already been
        returned at that time. Sent the return receipt with the timestamp; they dropped it.""")
    note("notes/admin/ordnungsamt-letters.md", """
        Ordnungsamt letters go into the red folder. Case 4410-26 still open, and the residents'
        parking permit renewal is due in 2028. Scan each letter before filing it.""")
    query("4410-26 evidence I submitted", t, "mixed")

    t = "finance/invoices/inv-20931.md"
    note("finance/transfers-march.md", """
        Transfers in March: INV-20931 to Hartmann, the rent, Leo's class trip money and the
        monthly savings top-up. The standing order for the rent changes in April.""")
    note("notes/family/mum-fuse-box.md", """
        The electrician replaced Mum's old screw-in fuses with a proper breaker panel and an
        RCD, and checked every circuit. Took a whole day; she finally stopped worrying about
        the kettle.""")
    query("INV-20931 what work was done", t, "mixed")

    t = "finance/insurance/contents.md"
    note("notes/bike-stolen-station.md", """
        Sam's bike was stolen at the station. Police report filed online, frame number from
        the photos; the insurer wants the original receipt and the key of the lock.""")
    note("notes/leo-bike-lock.md", """
        Leo's cable lock is useless - cut in seconds. Buy a proper D-lock for his bike, the
        insurance only pays if the bike was locked to something fixed.""")
    query("HR-55218304 payout cap if my bike gets nicked", t, "mixed")

    t = "work/security/cve-2021-44228.md"
    note("work/notes/vuln-scan-report.md", """
        Monthly vulnerability scan: CVE-2021-44228 still flagged on the reporting host
        (accepted risk until the vendor ships a fix), plus 14 medium findings on the build
        agents that Priya is working through.""")
    query("CVE-2021-44228 how the unpatched appliance is contained", t, "mixed")

    t = "notes/car/winter-tyres.md"
    note("notes/car/glovebox.md", """
        Glovebox contents: registration papers, the tyre storage slip 5521, the first aid kit
        (expires 2027), the parking disc and an ice scraper. Sunglasses live in the door.""")
    note("notes/bike-service.md", """
        Bike service at the shop on Hermannstraße: €60 for the basic check, brake pads and
        chain extra. They keep the bike for two days in spring, so book early.""")
    query("5521 what each changeover costs", t, "mixed")

    t = "work/infra/ci-agent-04.md"
    note("work/notes/runner-inventory.md", """
        Runner inventory: ci-agent-03, ci-agent-04 and ci-agent-05 on bare metal, plus the
        autoscaling pool for pull request builds. Owners and warranty dates are in the CMDB.""")
    query("ci-agent-04 what to do when storage runs out", t, "mixed")

    # closer neighbours in meaning for some of the identifier queries above
    note("notes/sam-laptop-updates.md", """
        Sam's work laptop can't install updates either. Her company's IT says it's their
        update server policy and they'll handle it remotely, so she shouldn't touch anything.""")
    note("notes/dev/socket-handshake-move.md", """
        Moved the socket into the reader thread and then tried to use it for the handshake
        reply - use after move. Fixed with try_clone() before spawning, so the reader and the
        handshake each own a handle.""")
    note("finance/insurance/dental-supplementary.md", """
        Supplementary dental insurance: eight-month waiting period for crowns and implants,
        cleanings are covered from day one, up to €1,000 in the first two years. Claims go through the app.""")
    note("notes/lena-washing-machine.md", """
        Lena's washing machine bangs like a drum kit on the spin because the drum bearings are
        gone. A repair would cost more than a new machine, so they're buying one on Saturday.""")
    note("notes/family/mum-electrician-sunday.md", """
        Electrician emergency visit at Mum's on a Sunday for the tripped breaker: €190
        including the Sunday surcharge. She paid cash and wants me to check the invoice.""")


# ==========================================================================
# Background: the rest of a personal workspace.
# ==========================================================================
RECIPES = [
    ("shakshuka", "Shakshuka", "onion, red pepper, garlic, cumin, smoked paprika, two tins of tomatoes, 6 eggs, feta, parsley",
     "Soften the onion and pepper, add spices and tomatoes, simmer 15 min, make wells and crack in the eggs, lid on until the whites set. Bread for dipping."),
    ("miso-salmon", "Miso salmon traybake", "4 salmon fillets, 2 tbsp white miso, 1 tbsp mirin, 1 tsp honey, broccoli, sesame seeds",
     "Brush the fish with the miso glaze, roast with the broccoli at 200 °C for 12 min. Rice on the side. Ready in 25 minutes, good for weeknights."),
    ("lentil-bolognese", "Lentil bolognese", "brown lentils, onion, carrot, celery, tomato purée, passata, red wine, oregano",
     "Slow soffritto for 15 min, lentils and passata in, simmer 40 min. Tastes like the real thing if you're generous with the parmesan. Freezes well."),
    ("kimchi-fried-rice", "Kimchi fried rice", "day-old rice, a cup of kimchi plus juice, spring onions, gochujang, fried egg, sesame oil",
     "Fry the kimchi first until it caramelises, add rice and a spoon of gochujang, press it into the pan for crispy bits. Egg on top. Uses up leftovers."),
    ("green-curry", "Thai green curry", "green curry paste, coconut milk, chicken thighs, Thai aubergines, green beans, fish sauce, palm sugar, Thai basil",
     "Fry the paste in the coconut cream until it splits, add chicken, then the rest of the coconut milk and vegetables. Season with fish sauce and sugar."),
    ("porridge", "Weekday porridge", "60 g oats, 300 ml milk, pinch of salt, grated apple, cinnamon, walnuts",
     "Soak the oats overnight, cook 5 min in the morning, stir in the apple at the end. Leo wants honey on his."),
    ("pasta-e-ceci", "Pasta e ceci", "chickpeas, garlic, rosemary, tomato purée, ditalini, parmesan rind, olive oil",
     "Half the chickpeas blended with the stock, pasta cooked in the pot. Thick and silky, a proper Roman Tuesday dinner."),
    ("roast-chicken", "Sunday roast chicken", "1.6 kg chicken, lemon, garlic, thyme, butter, potatoes, carrots",
     "Butter under the skin, lemon and garlic inside, 220 °C for 20 min then 190 °C for an hour. Rest 15 min. Gravy from the tray juices."),
    ("bibimbap", "Bibimbap", "rice, spinach, carrots, bean sprouts, shiitake, beef mince, gochujang, eggs",
     "Every vegetable seasoned separately with sesame oil and salt, beef with soy and garlic. Crispy rice in the cast iron pan. A lot of bowls to wash."),
    ("gazpacho", "Gazpacho", "1 kg ripe tomatoes, cucumber, green pepper, garlic, sherry vinegar, olive oil, stale bread",
     "Blend everything, chill for at least two hours, season again cold. Only worth it in August when tomatoes taste of something."),
    ("crepes", "Crêpes", "250 g flour, 4 eggs, 500 ml milk, pinch of salt, melted butter",
     "Rest the batter 30 min. Thin layer in a hot buttered pan. Leo likes lemon and sugar; Sam goes for ham and cheese."),
    ("chili", "Chili for a crowd", "beef mince, kidney beans, black beans, onions, chipotle in adobo, cumin, dark chocolate",
     "Brown the meat well, two hours on low heat, a square of chocolate at the end. Sour cream, lime, coriander on the side. Feeds ten."),
    ("focaccia", "Focaccia", "500 g flour, 400 g water, 10 g salt, 3 g yeast, lots of olive oil, flaky salt, rosemary",
     "Overnight in the fridge, stretch into the oiled tray, dimple hard, 230 °C for 22 min. Best thing to bring to a barbecue."),
    ("pho", "Quick chicken pho", "chicken stock, charred onion and ginger, star anise, cinnamon, fish sauce, rice noodles, herbs, lime",
     "Simmer the aromatics in the stock for 30 min, poach the chicken in it, strain. Lots of herbs and chilli at the table."),
    ("apple-crumble", "Apple crumble", "6 apples, cinnamon, 150 g flour, 100 g butter, 100 g brown sugar, oats",
     "Rub the butter into flour and sugar, add oats. Apples cooked briefly first, crumble on top, 40 min at 180 °C. Custard, obviously."),
    ("tacos", "Fish tacos", "white fish, chipotle mayo, red cabbage slaw, pickled onions, corn tortillas, lime",
     "Dust the fish with spices, fry quickly, flake into warm tortillas. Pickled onions need 30 minutes, make them first."),
]

BOOKS = [
    ("atomic-habits", "Atomic Habits", "James Clear",
     "Make it obvious, attractive, easy, satisfying. Habit stacking (after coffee, 10 min of Spanish) works for me. Identity-based habits: 'I am a runner' beats 'I want to run'."),
    ("deep-work", "Deep Work", "Cal Newport",
     "Schedule every minute, batch shallow work, quit social media for 30 days as an experiment. Tried morning focus blocks until 11; held for two weeks."),
    ("designing-data-intensive", "Designing Data-Intensive Applications", "Martin Kleppmann",
     "Re-read the chapters on replication and consistency. Linearizability vs serializability finally clicked. The log as the source of truth idea is everywhere."),
    ("project-hail-mary", "Project Hail Mary", "Andy Weir",
     "Pure fun. Rocky is the best character of the year. The science is hand-wavy in places but the problem-solving rhythm is addictive. Recommended to Farid."),
    ("the-overstory", "The Overstory", "Richard Powers",
     "Slow start, then overwhelming. Trees communicating through fungal networks. Made me want to walk in the Grunewald more. Too long by a hundred pages."),
    ("staff-engineer", "Staff Engineer", "Will Larson",
     "Four archetypes: tech lead, architect, solver, right hand. Write your own promotion packet before you need it. Useful for my conversations with the team."),
    ("sapiens", "Sapiens", "Yuval Noah Harari",
     "Shared fictions let strangers cooperate at scale. Agricultural revolution as history's biggest fraud - provocative, not sure I buy it."),
    ("the-pragmatic-programmer", "The Pragmatic Programmer", "Hunt & Thomas",
     "DRY is about knowledge, not code. Tracer bullets over prototypes. Keep a engineering daybook - which is what these notes are, sort of."),
    ("educated", "Educated", "Tara Westover",
     "Memoir of growing up off-grid in Idaho and ending up at Cambridge. Hard to read in places. The question of memory and whose version counts stayed with me."),
    ("the-manager-s-path", "The Manager's Path", "Camille Fournier",
     "Chapter on managing managers is the most useful. Don't stop being technical entirely. Skip-level meetings are worth the time."),
    ("klara-and-the-sun", "Klara and the Sun", "Kazuo Ishiguro",
     "Quiet, strange, sad. An artificial friend who worships the sun. Book club was divided, I liked the restraint."),
    ("why-we-sleep", "Why We Sleep", "Matthew Walker",
     "Some claims are overstated, but the basics hold: consistent schedule, dark cool room, alcohol wrecks the second half of the night."),
    ("four-thousand-weeks", "Four Thousand Weeks", "Oliver Burkeman",
     "You will never get everything done; choose what to neglect. Pay yourself first with time. Less productivity porn, more acceptance."),
    ("the-phoenix-project", "The Phoenix Project", "Gene Kim",
     "A novel about IT ops. The three ways: flow, feedback, learning. Brent as the bottleneck everyone depends on - we have a Brent."),
    ("rust-for-rustaceans", "Rust for Rustaceans", "Jon Gjengset",
     "Chapters on variance and drop check were dense but worth it. Good section on designing public APIs: be unsurprising, be flexible, be obvious."),
    ("a-gentleman-in-moscow", "A Gentleman in Moscow", "Amor Towles",
     "A count under house arrest in a hotel for thirty years. Charming, a bit too neat. Perfect holiday book."),
    ("range", "Range", "David Epstein",
     "Generalists often win in wicked learning environments. Late specialisation is fine. Comforting for someone who switched careers twice. Good chapter on analogical thinking."),
    ("crying-in-h-mart", "Crying in H Mart", "Michelle Zauner",
     "Grief and food and a mother-daughter relationship. The kimchi scenes made me cook kimchi fried rice that week."),
]

PEOPLE = [
    ("priya-raman", "Priya Raman - senior SRE on my team. Ran the Kubernetes migration. Tea, no coffee. Trains for triathlons, so no early Monday meetings after race weekends. Two cats."),
    ("mira-kowalczyk", "Mira Kowalczyk - backend engineer, very strong on observability. Vegan. Plays chess online at lunch. Wants more writing and speaking opportunities. Prefers written feedback before a meeting, not surprises in it."),
    ("frau-aydin", "Frau Aydin - Leo's class teacher. Prefers notes in the homework folder over email. Parent evenings on Wednesdays. Very patient with Leo, and she likes the class to read every day."),
    ("my-brother-tim", "Tim - my brother in Munich. Two kids (Emil 4, Frida 2). Fishing and woodworking. We alternate Christmas at Mum's with him. His wife Katrin is a vet."),
    ("mum", "Mum - Hamburg, retired teacher, sings in a choir on Sunday mornings. Doesn't like surprise visits, call first. Allergic to lilies. Birthday 11 April, likes concert tickets and ranunculus."),
    ("dad", "Dad - lives in Lübeck since the divorce, retired engineer. Call on Sundays after his walk. Heart medication, pill organiser refilled weekly. Likes crime novels and smoked eel. Birthday 9 May."),
    ("lucia-tandem", "Lucía - tandem partner from Valencia, works as a nurse in Charité. Wants to pass the B2 German exam in autumn. Loves hiking. Birthday 3 December."),
    ("jens-climbing", "Jens - route setter at the bouldering gym. Knows every crag in Saxon Switzerland; ask him before the Elbsandstein trip. Drinks club mate by the litre."),
    ("dr-lindqvist", "Dr. Lindqvist - dentist on Karl-Marx-Straße, very gentle. Cleaning every six months, booked via the online calendar. Receipts for the supplementary insurance go through the app."),
    ("frau-jansen", "Frau Jansen - physiotherapist, practice near Hermannplatz. Prescription needed for the health insurance; she's booked out four weeks ahead. Cancel at least 24 hours ahead or pay the session."),
]

PROJECTS = [
    ("projects/ironclaw/roadmap.md", "IronClaw roadmap: persistent memory with hybrid search (BM25 + vectors), then tool sandboxing, then the TUI polish. Keep it local-first: no cloud sync unless the user opts in."),
    ("projects/ironclaw/memory-design.md", "Memory design: notes stay Markdown files on disk; the index (tantivy + vectors) is derived and can be rebuilt any time. Chunking later - document level first."),
    ("projects/ironclaw/safety-layer.md", "Safety layer: everything coming from tools goes through injection and secret detection before the model sees it. Hard negatives matter more than positives. Track recall and false positives on the labelled corpus."),
    ("projects/homelab/todo.md", "Homelab todo: move Jellyfin to the GPU box, set up off-site backups for Paperless, replace the noisy switch, document the VLANs. Also: label all the cables in the closet."),
    ("projects/balcony-garden.md", "Balcony garden plan 2026: tomatoes, chillies, herbs, strawberries in the hanging pots. Drip irrigation kit with a timer for the holidays. Buy seedlings at the market in April, not at the supermarket."),
    ("projects/kitchen-renovation.md", "Kitchen renovation ideas: keep the layout, new worktop (oak or compact laminate), tile splashback, under-cabinet lighting. Get two quotes in summer. Budget around €6,000 without appliances."),
    ("projects/photo-book-2025.md", "Photo book 2025 for Mum: pick 80 photos by the end of November, order by 5 December for Christmas. Portugal and the Baltic coast sections."),
    ("projects/side-project-budget-app.md", "Budget app side project: import bank CSVs, categorise with rules, monthly charts. Paused - the spreadsheet does 90% of it. Maybe revisit it when the bank offers a proper API."),
    ("projects/half-marathon.md", "Half marathon in April: 12-week plan, three runs a week plus one strength session. Goal under 1:55. Long runs on Sundays along the canal. Race number pickup on the Saturday."),
    ("projects/climbing-trip.md", "Climbing trip to the Frankenjura in June: campsite near Obertrubach, topo book bought, Farid drives. Bring the 70 m rope. Guidebook is on the shelf in the hallway."),
    ("projects/ironclaw/tui-ideas.md", "TUI ideas: split view with the conversation and the tool log, vim keys, a command palette on Ctrl-K, and a status line showing the model and token usage."),
    ("projects/learning-spanish.md", "Spanish plan: A2 course until June, tandem weekly, podcast on the commute, one novel in easy Spanish by summer. B1 exam in autumn maybe. Review the plan in July."),
]

TRAVEL = [
    ("travel/baltic-coast-2025.md", "Baltic coast, August 2025: Zingst, bikes every day, the beach at Prerow. Leo learned to ride without stabilisers on the dyke path. Book the same flat again."),
    ("travel/packing-list-summer.md", "Packing list summer: swimwear, sun cream 50, hats, two books, chargers, first aid kit, the small cool bag, Leo's bike helmet. Mosquito spray and the travel adapter."),
    ("travel/packing-list-city.md", "Packing list city weekend: carry-on only, one pair of comfortable shoes, power bank, umbrella, tote bag, passport/ID. Headphones, a light jacket and a reusable bottle."),
    ("travel/copenhagen-ideas.md", "Copenhagen ideas: Tivoli with Leo, the harbour baths, smørrebrød at Schønnemann, bikes from the hotel. Train from Berlin takes seven hours. Copenhagen Card is worth it only for museum days."),
    ("travel/elbsandstein.md", "Saxon Switzerland: climbing rules are strict - no chalk, knots and slings for protection. Stay in Bad Schandau, Bastei early in the morning. Bring the guidebook."),
    ("travel/train-vs-flight.md", "Rule of thumb: take the train for anything under six hours. Night trains to Vienna and Zurich are fine with a sleeper compartment. Book early for the cheap sparpreis fares."),
    ("travel/japan-budget.md", "Japan trip budget for three weeks: flights €2,400 for three, rail pass, ryokan twice, otherwise business hotels. Around €6,500 total. Book the ryokan nights four months ahead."),
    ("travel/london-weekend.md", "London weekend with Sam: Tate Modern, Borough Market, a show in the West End, dinner at Dishoom. Eurostar from Brussels. Oyster card still has credit from last time."),
]

HOME = [
    ("home/cleaning-rota.md", "Cleaning rota: bathroom on Saturdays (me), kitchen deep clean every second Sunday (Sam), Leo tidies his room before screen time. Windows twice a year. Leo gets a sticker for every week."),
    ("home/smoke-detectors.md", "Smoke detectors: test all four on the first Sunday of every quarter. The hallway one chirps when the battery is low - spares in the kitchen drawer."),
    ("home/internet-contract.md", "Internet: 250 Mbit cable, €44.99 a month, contract renews monthly since January. Ask for the loyalty discount before cancelling. Speed tests at night show about 230 Mbit, which is fine for us."),
    ("home/bike-storage.md", "Bike storage in the courtyard shed: code 1-9-0-4, our spot is on the left. Lock both bikes to the rail, not just to each other."),
    ("home/spare-keys.md", "Spare keys: one set with Agnieszka, one in the key safe at work, the cellar key is on the red ring. The bike lock key has a spare in the desk drawer. Post box key too."),
    ("home/moving-checklist-old.md", "From the last move: measure doorways before buying furniture, book the parking zone permit two weeks ahead, label boxes per room, pizza for the helpers."),
    ("home/plants-care.md", "Plant care: monstera once a week, the cacti monthly, fiddle leaf fig hates being moved. Repot in spring, fertiliser every two weeks in summer. Leave the watering schedule for whoever looks after them."),
    ("home/paperless-tags.md", "Paperless-ngx tags: tax-2026, insurance, health, car, warranty, utilities. The scanner profile uploads straight into the consume folder. Correspondents are matched automatically, mostly correctly. Review the inbox tag once a week."),
]

DEV = [
    ("notes/dev/git-tricks.md", "Git tricks: `git commit --fixup=<sha>` then `git rebase -i --autosquash`. `git worktree add ../hotfix main` for a second checkout. `git log -S'text'` finds when a string appeared."),
    ("notes/dev/ssh-config.md", "SSH config: ControlMaster auto with ControlPersist 10m makes repeated connections instant. ProxyJump through the bastion instead of agent forwarding. IdentitiesOnly yes stops the agent offering every key and hitting the auth limit."),
    ("notes/dev/jq-snippets.md", "jq snippets: `jq -r '.items[] | [.name, .status] | @tsv'` for tables; `jq 'to_entries | map(select(.value > 10))'` to filter maps; `--slurp` for JSON lines."),
    ("notes/dev/systemd-timers.md", "systemd timers instead of cron: OnCalendar=*-*-* 03:00, Persistent=true to catch up after downtime. `systemctl list-timers` shows the next runs. Logs end up in the journal: `journalctl -u backup.service` shows the last run."),
    ("notes/dev/cargo-tips.md", "Cargo tips: `cargo tree -d` shows duplicate dependencies, `cargo build --timings` finds slow crates, and sccache helps CI more than laptops. `cargo udeps` (nightly) finds unused dependencies worth removing."),
    ("notes/dev/python-venv.md", "Python venvs: one per project in .venv, `python -m pip install -e .[dev]`, and never install into the system Python. uv is much faster for resolving."),
    ("notes/dev/k8s-debug.md", "Kubernetes debugging: `kubectl debug -it pod --image=busybox --target=app` for an ephemeral container; `kubectl get events --sort-by=.lastTimestamp` first. Then `kubectl describe pod` and the previous container's logs with `--previous`."),
    ("notes/dev/sql-window.md", "SQL window functions: running totals with SUM() OVER (ORDER BY day), top-N per group with ROW_NUMBER() OVER (PARTITION BY team ORDER BY score DESC). LAG() for day-over-day differences."),
    ("notes/dev/regex-notes.md", "Regex notes: non-greedy `.*?`, lookahead `(?=...)`, and named groups `(?P<year>\\d{4})` in Python. Test them on regex101 before committing. Anchors matter: `^` and `$` with re.MULTILINE behave per line, `\\A` and `\\Z` don't."),
    ("notes/dev/http-caching.md", "HTTP caching: Cache-Control max-age for static assets with hashed names, ETag plus no-cache for HTML. stale-while-revalidate helps the API docs. Vary: Accept-Encoding on everything compressed, or proxies serve the wrong body."),
    ("notes/dev/rust-error-handling.md", "Rust error handling: thiserror in libraries, anyhow in the binary. Add context at the boundary (`.context(\"reading config\")`), not everywhere. Never `unwrap()` on user input; `expect` with a message for true invariants only."),
    ("notes/dev/bash-strict.md", "Bash strict mode: `set -euo pipefail`, quote every variable, `trap cleanup EXIT`. shellcheck in CI catches most of the rest. Prefer `[[ ]]` over `[ ]` and `$(...)` over backticks. Arrays for argument lists."),
]

IDEAS = [
    ("notes/ideas/gift-ideas-general.md", "Gift ideas that worked before: experience vouchers, good olive oil, a photo calendar for the grandparents, board games for families with kids. Keep a running list in this note whenever someone mentions a wish."),
    ("notes/ideas/blog-posts.md", "Blog post ideas: hybrid search for personal notes, what I learned running on-call for a year, a small guide to Paperless for normal people. Start with the hybrid search one."),
    ("notes/ideas/weekend-ideas.md", "Weekend ideas with Leo: Tierpark, the science centre, kayak on the Spree, a bike ride to the Müggelsee, a pancake morning at home. Check the weather first."),
    ("notes/ideas/habits-to-try.md", "Habits to try: phone charging outside the bedroom, a weekly review on Fridays, cold showers (maybe not), ten minutes of reading with Leo every evening."),
    ("notes/ideas/home-automation.md", "Home automation ideas: hallway light on motion after sunset, a notification when the washing machine finishes, and a button next to the door for all lights off."),
    ("notes/ideas/questions-for-mum.md", "Questions to ask Mum about the family: how her parents met, the flat in Altona, what she remembers of the flood in 1962. Record it on the phone."),
    ("notes/quotes.md", "Quotes I keep coming back to: 'The best time to plant a tree was twenty years ago.' 'Slow is smooth, smooth is fast.' 'You can do anything, but not everything.'"),
    ("notes/podcasts.md", "Podcasts: Oxide and Friends for systems stuff, a Spanish learner podcast on the commute, and a history one for long runs. Unsubscribed from the news ones."),
    ("notes/films-to-watch.md", "Films to watch: Perfect Days, Past Lives, Anatomy of a Fall, the new Miyazaki with Leo when he's a bit older. Sam wants to see the new Wes Anderson too."),
    ("notes/ideas/learning-list.md", "Things to learn this year: basic electronics with the soldering kit, better knife skills, how to read a climbing topo properly, and touch typing in Spanish layout."),
]

WEATHER = [
    "Grey and drizzly all day.", "First properly sunny day of the year, 14 °C.", "Sleet in the morning, cleared up by noon.",
    "Windy - the balcony chairs blew over.", "Foggy and cold, the canal was steaming.", "Bright and frosty, -4 °C at breakfast.",
    "Rain all afternoon.", "Mild and springlike, first coffee outside.", "Snow overnight, all gone by lunch.",
]
EXERCISE = [
    "Easy {km} km run, {mins} min, felt good.", "Bouldering with Farid, finally sent the yellow overhang.",
    "Yoga class in the evening, hips very tight.", "Cycled to the office and back, {bike} km.",
    "Strength session: squats, rows, push-ups, planks.", "Swam 1.5 km before work, lane was crowded.",
    "Rest day, long walk in the Hasenheide instead.", "Intervals on the track: 6 x 800 m, legs heavy.",
    "Climbing gym with Jens, worked on footwork drills.",
]
WORK = [
    "Spent the morning on the {proj}.", "Long planning meeting; scope for the quarter is still too big.",
    "Code review marathon, {n} PRs.", "Wrote most of the design doc for the {proj}.",
    "Interviewed a candidate for the SRE role - strong on Kubernetes, weak on networking.",
    "Pairing with Mira on the flaky integration tests; found a race in the test fixture.",
    "Deploy freeze today, quiet afternoon, caught up on docs.", "Too many meetings, no real work until 16:00.",
    "Demo for the product team went well, they want it in the beta.", "Helped Priya debug a DNS issue in staging for an hour.",
    "Cleared the inbox and the review queue before lunch.", "Worked from home, two focus blocks without chat.",
]
PROJ = ["billing migration", "alerting overhaul", "new CI runners", "logging pipeline", "API rate limiter",
        "on-call tooling", "cost dashboard", "search service", "IronClaw memory index"]
FOOD = [
    "Dinner: {dish}.", "Lunch at the Vietnamese place by the office.", "Cooked {dish}; Leo ate two portions.",
    "Leftovers for lunch, {dish} for dinner.", "Pizza night, homemade.", "Sam cooked {dish}, excellent.",
    "Ate too late again, just a sandwich.",
]
DISHES = ["shakshuka", "miso salmon", "lentil bolognese", "kimchi fried rice", "green curry", "pasta e ceci",
          "roast chicken", "fish tacos", "chili", "pho", "crêpes", "bibimbap", "gnocchi with pesto", "a big salad"]
SOCIAL = [
    "Picked Leo up from school, playground until five.", "Sam worked late, quiet evening with a book.",
    "Video call with Mum, she's planning a choir trip to Riga.", "Drinks with Lena after work at the bar on Weserstraße.",
    "Board games with Jonas and Yuki - Cascadia, I lost twice.", "Leo had a friend over, the flat looks like a storm hit it.",
    "Dinner at Agnieszka's, she made pierogi.", "Took Leo to the library, he picked three dinosaur books.",
    "Family walk in Tempelhofer Feld, kites everywhere.",
]
ERRANDS = [
    "Post office: sent the parcel to Tim.", "Bought new shoes for Leo (size 31 already).",
    "Dropped the winter coat at the dry cleaner.", "Recycling centre run with the old shelves.",
    "Pharmacy for the hay fever tablets.", "Hardware store: picture hooks, drill bits, a new shower head.",
    "Groceries for the week, forgot the milk again.", "Renewed the library card.",
]
MOOD = [
    "Good focus today.", "Tired, in bed by 22:00.", "Productive day overall.", "Slept badly, the flat was too warm.",
    "Restless, too much screen time in the evening.", "Content. Nothing special, just a good ordinary day.",
    "Energetic morning, flat afternoon.",
]

REFLECT = [
    "To do tomorrow: renew the library books, reply to the school about the trip form, order a present for Tim.",
    "Thinking about whether to take the team lead role. More meetings, less code. Talk it through with Sam at the weekend.",
    "Reminder: wash the car before Mum visits, and repot the balcony plants.",
    "Read two chapters of the novel before bed. The middle section drags, but the ending is supposed to be worth it.",
    "Leo asked why the moon follows the car. Tried to explain and ended up drawing diagrams on a napkin.",
    "Budget check: eating out is over again this month. Cook more on weekdays, batch cook on Sunday.",
    "Idea for the IronClaw memory: show which notes were used for an answer, with a link to open them.",
    "Sam and I talked about the summer holiday again - Baltic coast or Portugal. No decision yet, prices go up in March.",
    "Tidied the study for an hour; found the warranty card for the drill and the spare bike keys.",
    "Spent too long reading the news in the evening. Phone stays in the kitchen tomorrow.",
    "Note for the retro: the on-call handover went better with the checklist.",
    "Planned the weekend: market on Saturday morning, a kids' birthday party at 15:00, Sunday free.",
    "Started a new notebook for Spanish vocabulary; twenty new words this week.",
    "The neighbours are renovating again, drilling from 8 sharp. Earplugs for the home-office days.",
    "Wrote a long email to Tim about Christmas logistics. He wants to host this year, which is fine by me.",
    "Looked at flats in Leipzig online just for fun. Half the rent, twice the space. Not moving.",
    "Leo lost his second front tooth at dinner. The tooth fairy rate is apparently two euros now.",
]

MEETING_TYPES = [
    ("sprint-planning", "Sprint planning"), ("retro", "Retro"), ("arch-sync", "Architecture sync"),
    ("product-sync", "Product sync"), ("hiring-sync", "Hiring sync"), ("ops-review", "Ops review"),
]
MEETING_POINTS = {
    "sprint-planning": ["Carry-over: the rate limiter PR and the dashboard migration.", "Capacity is down a person because of the conference.",
                        "Committed to 21 points; stretch goal is the retry budget.", "Product wants the export feature before the trade fair.",
                        "Tech debt slot: upgrade the HTTP client and remove the old feature flags."],
    "retro": ["Went well: pairing on incidents, faster reviews.", "Didn't go well: too many interrupts from the support channel.",
              "Try: a rotating 'shield' person who takes all support questions for a week.", "The standup is drifting to 25 minutes - keep it to 15.",
              "Celebrate: zero pages last weekend."],
    "arch-sync": ["Discussed splitting the notification service into sender and scheduler.", "Agreed on gRPC for internal calls, JSON over HTTP stays for public APIs.",
                  "Rate limiting moves into the gateway, not each service.", "Event schema changes need a compatibility check in CI.",
                  "Feature flags: move to the open-source server, retire the homegrown one."],
    "product-sync": ["Beta feedback: customers love the audit log, want CSV export.", "Pricing page change goes live on the 1st.",
                     "Mobile app release slips a week because of store review.", "Support tickets about login are down 40% since the fix.",
                     "Roadmap review moved to next Thursday."],
    "hiring-sync": ["SRE role: two candidates in the final round, decision by Friday.", "Backend role: the take-home takes too long, cut it to two hours.",
                    "Referral bonus reminder went out.", "Interview training for Mira and Tomasz next week.",
                    "Agency candidates have been weak; pause the agency for a month."],
    "ops-review": ["Two incidents this month, both with customer impact under 30 minutes.", "Cloud bill up 8%, mostly egress from the analytics exports.",
                   "Patch compliance at 96%, the rest are the vendor appliances.", "Runbook coverage: 14 of 20 alerts have one.",
                   "Error budget for the API is at 40% with two weeks to go."],
}
ACTIONS = ["Priya to update the runbook.", "Mira to write the proposal.", "Tomasz to check the costs.", "Jonas to talk to product.",
           "Me to follow up with my manager.", "Everyone to review the doc by Friday.", "Me to book the follow-up.",
           "Mira and Priya to pair on the prototype."]
ATTENDEES = ["Priya", "Mira", "Tomasz", "Jonas", "me", "Anke (PM)", "Ben (design)", "Carla (support)"]


def background(rng: random.Random) -> None:
    import datetime as dt

    for slug, title, ingredients, method in RECIPES:
        note(f"recipes/{slug}.md", f"# {title}\nIngredients: {ingredients}.\n\n{method}")
    for slug, title, author, body in BOOKS:
        note(f"reading/{slug}.md", f"# {title} - {author}\n{body}")
    for slug, body in PEOPLE:
        note(f"people/{slug}.md", body)
    for path, body in PROJECTS + TRAVEL + HOME + DEV + IDEAS:
        note(path, body)

    taken = {p for p, _ in NOTES}
    # Daily notes, January to April 2026.
    day = dt.date(2026, 1, 2)
    while day <= dt.date(2026, 4, 30):
        path = f"daily/{day.isoformat()}.md"
        if path not in taken and rng.random() < 0.85:
            parts = [rng.choice(WEATHER)]
            pools = [EXERCISE, WORK if day.weekday() < 5 else SOCIAL, FOOD, SOCIAL, ERRANDS, MOOD]
            for pool in pools:
                if rng.random() < 0.7:
                    s = rng.choice(pool)
                    if s not in parts:
                        parts.append(s)
            text = " ".join(parts).format(
                km=rng.choice([5, 6, 7, 8, 12]), mins=rng.randint(28, 75), bike=rng.choice([14, 16, 18]),
                proj=rng.choice(PROJ), n=rng.randint(3, 9), dish=rng.choice(DISHES))
            if rng.random() < 0.35:
                text += "\n\n" + " ".join(rng.sample(REFLECT, rng.randint(2, 3)))
            header = f"# {day.strftime('%A')} {day.day} {day.strftime('%B')}\n"
            if len(text.split()) >= MIN_WORDS:
                note(path, header + text)
        day += dt.timedelta(days=1)

    # Work meetings.
    day = dt.date(2026, 1, 6)
    i = 0
    while day <= dt.date(2026, 4, 28):
        kind, title = MEETING_TYPES[i % len(MEETING_TYPES)]
        people = rng.sample(ATTENDEES, 4)
        points = rng.sample(MEETING_POINTS[kind], rng.randint(3, 5))
        actions = rng.sample(ACTIONS, 2)
        text = (f"# {title} - {day.isoformat()}\nAttendees: {', '.join(people)}.\n"
                + "\n".join(f"- {p}" for p in points)
                + f"\nActions: {' '.join(actions)}")
        note(f"work/meetings/{day.isoformat()}-{kind}.md", text)
        i += 1
        day += dt.timedelta(days=rng.choice([3, 4, 4, 5]))

    # Monthly budgets.
    for y, m in [(2025, m) for m in range(1, 13)] + [(2026, m) for m in range(1, 4)]:
        month = dt.date(y, m, 1).strftime("%B %Y")
        income = rng.randint(58, 66) * 100
        groceries, eating = rng.randint(520, 760), rng.randint(90, 260)
        transport, fun = rng.randint(80, 180), rng.randint(60, 300)
        saved = income - 1350 - groceries - eating - transport - fun - 420
        remark = rng.choice([
            "Car service this month.", "Birthday presents pushed the fun budget up.", "Quiet month.",
            "Holiday deposit paid from savings, not from this budget.", "Electricity advance went up by €12.",
            "Annual insurance premiums due.", "Sold the old bike for €150.", "Leo's school trip and new shoes."])
        text = (f"# Budget {month}\nIncome €{income:,}. Rent €1,350, fixed costs €420, groceries €{groceries}, "
                f"eating out €{eating}, transport €{transport}, fun €{fun}. Left over €{saved:,} "
                f"({100 * saved / income:.0f}%). {remark}")
        note(f"finance/budget/{y}-{m:02d}.md", text)

    # Weekly health logs.
    for w in range(2, 16):
        sys_bp, dia_bp = rng.randint(118, 132), rng.randint(74, 86)
        text = (f"# Health log, week {w} of 2026\nBlood pressure average {sys_bp}/{dia_bp}, resting heart rate "
                f"{rng.randint(52, 60)}. Weight {rng.uniform(76.5, 78.6):.1f} kg. Runs: {rng.randint(1, 3)}, "
                f"total {rng.randint(12, 32)} km. Climbing sessions: {rng.randint(0, 2)}. Sleep average "
                f"{rng.randint(6, 7)}h{rng.randint(0, 59):02d}. " + rng.choice([
                    "Hay fever starting.", "Shoulder fine.", "Had a cold midweek.", "Felt strong.",
                    "Too much sugar at the office.", "No alcohol this week."]))
        note(f"health/log/2026-w{w:02d}.md", text)


# ==========================================================================
def build() -> dict:
    NOTES.clear()
    QUERIES.clear()
    rng = random.Random(SEED)
    keyword_pools()
    paraphrase_clusters()
    mixed_clusters()
    background(rng)
    notes = [{"path": p, "text": t} for p, t in NOTES]
    rng.shuffle(notes)  # no ordering hints: targets are not grouped with their distractors
    return {"notes": notes, "queries": list(QUERIES)}


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _reexec_with_venv() -> None:
    if FALLBACK_PYTHON.exists() and not os.environ.get("GEN_MEMORY_QUALITY_REEXEC"):
        print(f"numpy/onnxruntime/tokenizers not importable here; re-running with {FALLBACK_PYTHON}", flush=True)
        env = dict(os.environ, GEN_MEMORY_QUALITY_REEXEC="1")
        os.execve(str(FALLBACK_PYTHON), [str(FALLBACK_PYTHON), *sys.argv], env)
    raise SystemExit("--check needs numpy, onnxruntime and tokenizers (e.g. the venv in "
                     "/work/scratch/minilm/venv-notorch)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="verify the JSON on disk is current and measure recall@5 (needs the venv)")
    ap.add_argument("--model-dir", type=Path, default=DEFAULT_MODEL_DIR,
                    help="folder with model.onnx and tokenizer.json (all-MiniLM-L6-v2)")
    ap.add_argument("--verbose", action="store_true", help="print the ranks of every query's relevant notes")
    ap.add_argument("--analyzer", choices=["tantivy-default", "ironclaw"], default="tantivy-default",
                    help="keyword side of --check: tantivy's default analyzer as specified (the default), "
                         "or an approximation of IronClaw's own (stop words, Snowball stemmer, path field, "
                         "phrases for hyphenated ids, vector similarity floor 0.2; needs snowballstemmer)")
    args = ap.parse_args()

    data = build()
    validate(data["notes"], data["queries"])
    text = dumps(data)
    if not args.check:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(text, encoding="utf-8")
        print(f"wrote {OUT.relative_to(ROOT)} ({len(text.encode('utf-8')):,} bytes)")
        return

    try:
        import numpy  # noqa: F401
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError:
        _reexec_with_venv()
    if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
        raise SystemExit(f"{OUT} is missing or stale: run the script without --check first")
    print(f"{OUT.relative_to(ROOT)} is up to date")
    print(f"keyword analyzer: {args.analyzer}")
    summary = measure(data, args.model_dir, verbose=args.verbose, analyzer=args.analyzer)
    if not report(summary):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
