//! Configuration: where IronClaw keeps its files, and what `config.toml`
//! (overlaid by `IRONCLAW_…` environment variables) says.
//!
//! Every key has a default, so an absent file is a valid configuration. Every
//! leaf key `section.name` can be overridden by the environment variable
//! `IRONCLAW_SECTION_NAME`; the list of keys is derived from the defaults, so
//! adding a field here adds its variable, its `config get/set` support and its
//! line in `config list` with no second registry to keep in sync.
//!
//! This module only reads and validates; it never opens the database or
//! talks to a provider.

mod edit;
mod paths;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::llm::{HttpOptions, ProviderConfig, ProviderKind};
use crate::tools::Risk;

pub use edit::{init_file, set_key};
pub use paths::Paths;

/// Prefix of every environment override.
pub const ENV_PREFIX: &str = "IRONCLAW_";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}:{line}:{column}: {message}{key}", key = key_suffix(.key))]
    Invalid {
        file: PathBuf,
        line: usize,
        column: usize,
        key: Option<String>,
        message: String,
    },
    #[error("environment variable {var}: {message}")]
    Env { var: String, message: String },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("unknown configuration key `{0}`; `ironclaw config list` shows every key")]
    UnknownKey(String),
    #[error("invalid value for `{key}`: {message}")]
    BadValue { key: String, message: String },
    #[error("{0}")]
    Other(String),
}

fn key_suffix(key: &Option<String>) -> String {
    key.as_ref()
        .map(|k| format!(" (key `{k}`)"))
        .unwrap_or_default()
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub llm: LlmConfig,
    pub agent: AgentConfig,
    pub tools: ToolsConfig,
    pub safety: crate::safety::SafetyConfig,
    pub logging: LoggingConfig,
    pub tui: TuiConfig,
    pub daemon: DaemonConfig,
    pub memory: MemoryConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmConfig {
    /// `openai` (any OpenAI-compatible server) or `anthropic`.
    pub provider: String,
    /// Empty: the provider's public endpoint.
    pub base_url: String,
    /// Empty: `OPENAI_API_KEY` / `ANTHROPIC_API_KEY` from the environment.
    pub api_key: String,
    pub model: String,
    pub extra_headers: BTreeMap<String, String>,
    pub connect_timeout_secs: u64,
    pub request_timeout_secs: u64,
    pub stream_idle_timeout_secs: u64,
    pub max_retries: u32,
    /// 0: the provider's default.
    pub max_tokens: u32,
    /// Providers tried in order when the main one is down or rate limited.
    pub fallback: Vec<FallbackProvider>,
}

impl Default for LlmConfig {
    fn default() -> Self {
        Self {
            provider: "openai".into(),
            base_url: String::new(),
            api_key: String::new(),
            model: String::new(),
            extra_headers: BTreeMap::new(),
            connect_timeout_secs: 10,
            request_timeout_secs: 120,
            stream_idle_timeout_secs: 90,
            max_retries: 3,
            max_tokens: 0,
            fallback: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FallbackProvider {
    pub provider: String,
    pub base_url: String,
    pub api_key: String,
    pub model: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgentConfig {
    /// Model calls allowed in one turn before it is stopped.
    pub max_tool_iterations: u32,
    /// The same tool with the same arguments this many times in a turn stops it.
    pub repetition_limit: u32,
    /// Upper bound on any single tool call.
    pub tool_timeout_secs: u64,
    /// The model's context window, in tokens.
    pub context_window_tokens: u64,
    /// Fraction of the window above which older turns are summarised.
    pub compaction_threshold: f64,
    /// Messages always kept verbatim at the end of the context.
    pub keep_recent_messages: u32,
    /// Appended to the built-in system prompt.
    pub system_prompt_extra: String,
}

impl Default for AgentConfig {
    fn default() -> Self {
        Self {
            max_tool_iterations: 50,
            repetition_limit: 3,
            tool_timeout_secs: 300,
            context_window_tokens: 128_000,
            compaction_threshold: 0.75,
            keep_recent_messages: 12,
            system_prompt_extra: String::new(),
        }
    }
}

/// Per-tool approval policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApprovalPolicy {
    /// Run without asking.
    Never,
    /// Ask, unless approved for the session.
    Ask,
    /// Ask every time.
    AlwaysAsk,
}

impl ApprovalPolicy {
    /// The policy a tool gets when the configuration names none.
    pub fn default_for(risk: Risk) -> Self {
        match risk {
            Risk::Low => Self::Never,
            Risk::Medium => Self::Ask,
            Risk::High => Self::AlwaysAsk,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ToolsConfig {
    /// Working directory of file tools and the shell; empty: where the engine started.
    pub workdir: String,
    pub output_cap_bytes: usize,
    pub shell_timeout_secs: u64,
    pub http_max_bytes: usize,
    /// Let `http_fetch` reach loopback, private and link-local addresses.
    pub http_allow_private: bool,
    /// `tool = "never" | "ask" | "always-ask"`; unnamed tools follow their risk.
    pub policy: BTreeMap<String, ApprovalPolicy>,
    /// Tools not offered to the model at all.
    pub disabled: Vec<String>,
}

impl Default for ToolsConfig {
    fn default() -> Self {
        Self {
            workdir: String::new(),
            output_cap_bytes: 30_000,
            shell_timeout_secs: 120,
            http_max_bytes: 1_000_000,
            http_allow_private: false,
            policy: BTreeMap::new(),
            disabled: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoggingConfig {
    /// A tracing filter: `info`, `debug`, `ironclaw=debug,warn`, …
    pub level: String,
    /// Daily log files kept in the log directory.
    pub max_files: usize,
}

impl Default for LoggingConfig {
    fn default() -> Self {
        Self {
            level: "info".into(),
            max_files: 7,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TuiConfig {
    /// A built-in theme (`dark`, `light`, `high-contrast`, `mono`) or the
    /// name of a file `themes/<name>.toml` in the IronClaw home.
    pub theme: String,
    /// `auto` (from COLORTERM), `truecolor`, `16` or `none`.
    pub colors: String,
    /// `auto` (box drawing when the locale is UTF-8), `always` or `never`.
    pub ascii: String,
    /// Capture the mouse for wheel scrolling (hold Shift to select text).
    pub mouse: bool,
    /// Extra or replacement key bindings: `action = ["ctrl-t", "f6"]`.
    /// `ironclaw` shows every action and its keys in the help overlay (`?`).
    pub keys: BTreeMap<String, Vec<String>>,
}

impl Default for TuiConfig {
    fn default() -> Self {
        Self {
            theme: "dark".into(),
            colors: "auto".into(),
            ascii: "auto".into(),
            mouse: true,
            keys: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DaemonConfig {
    /// `ironclaw` starts the background daemon when none runs (otherwise
    /// the engine runs inside the TUI's process, as with `--in-process`).
    pub autostart: bool,
}

impl Default for DaemonConfig {
    fn default() -> Self {
        Self { autostart: true }
    }
}

/// The memory workspace and its search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MemoryConfig {
    /// Compute vectors with the local model (false: keyword search only).
    pub embeddings: bool,
    /// Empty: `<home>/models/all-minilm-l6-v2` (`ironclaw models install`).
    pub model_dir: String,
    /// `int8` (quantised: twice as fast, same recall on our labelled set)
    /// or `fp32` (exact).
    pub model_variant: String,
    /// Empty: the newest `<home>/lib/libonnxruntime.so.*`.
    pub ort_library: String,
    /// Threads the model uses; 0: every core.
    pub embed_threads: u32,
    /// Seconds without use after which the model's memory is released (it
    /// reloads in ~0.1 s when needed).
    pub model_idle_secs: u64,
    /// Words per search chunk (the model reads ~190 English words at most).
    pub chunk_words: u32,
    /// Words repeated from the previous chunk.
    pub chunk_overlap_words: u32,
    /// Reciprocal Rank Fusion constant.
    pub rrf_k: u32,
    /// Most characters of each identity file in the system prompt.
    pub prompt_file_max_chars: u32,
}

impl Default for MemoryConfig {
    fn default() -> Self {
        Self {
            embeddings: true,
            model_dir: String::new(),
            model_variant: "int8".into(),
            ort_library: String::new(),
            embed_threads: 0,
            model_idle_secs: 120,
            chunk_words: 160,
            chunk_overlap_words: 24,
            rrf_k: 60,
            prompt_file_max_chars: 4000,
        }
    }
}

/// Where a value in the effective configuration came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Default,
    File,
    Env,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Source::Default => "default",
            Source::File => "file",
            Source::Env => "env",
        })
    }
}

/// The effective configuration and how it was assembled.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    pub paths: Paths,
    /// Whether `config.toml` existed.
    pub file_exists: bool,
    sources: BTreeMap<String, Source>,
}

impl Loaded {
    pub fn source(&self, key: &str) -> Source {
        self.sources.get(key).copied().unwrap_or(Source::Default)
    }

    /// Every leaf key with its effective value (as TOML) and source.
    pub fn entries(&self) -> Vec<(String, toml::Value, Source)> {
        let table = to_table(&self.config);
        leaf_keys()
            .into_iter()
            .filter_map(|k| {
                let v = lookup(&table, &k)?.clone();
                let s = self.source(&k);
                Some((k, v, s))
            })
            .collect()
    }

    pub fn get(&self, key: &str) -> Result<toml::Value, ConfigError> {
        if !leaf_keys().iter().any(|k| k == key) {
            return Err(ConfigError::UnknownKey(key.to_string()));
        }
        let table = to_table(&self.config);
        lookup(&table, key)
            .cloned()
            .ok_or_else(|| ConfigError::UnknownKey(key.to_string()))
    }
}

/// Loads `config.toml` from the IronClaw home and applies the environment.
pub fn load() -> Result<Loaded, ConfigError> {
    load_from(Paths::from_env()?, |k| std::env::var(k).ok())
}

/// Like [`load`], with explicit paths and environment (for tests).
pub fn load_from(
    paths: Paths,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Loaded, ConfigError> {
    let file = paths.config_file();
    let (mut table, file_exists) = match std::fs::read_to_string(&file) {
        Ok(text) => {
            // Validate the file on its own first, so errors point at its lines.
            parse_config_text(&text, &file)?;
            let table: toml::Table =
                toml::from_str(&text).map_err(|e| invalid_from_toml(&e, &text, &file, None))?;
            (table, true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (toml::Table::new(), false),
        Err(source) => return Err(ConfigError::Read { path: file, source }),
    };

    let mut sources = BTreeMap::new();
    for key in leaf_keys() {
        if lookup(&table, &key).is_some() {
            sources.insert(key.clone(), Source::File);
        }
    }

    let defaults = to_table(&Config::default());
    for key in leaf_keys() {
        let var = env_var_name(&key);
        let Some(raw) = env(&var) else { continue };
        let template = lookup(&defaults, &key)
            .cloned()
            .unwrap_or(toml::Value::String(String::new()));
        let value = parse_value_like(&template, &raw).map_err(|message| ConfigError::Env {
            var: var.clone(),
            message,
        })?;
        insert(&mut table, &key, value);
        sources.insert(key, Source::Env);
    }

    let config: Config =
        serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
            ConfigError::Other(format!(
                "invalid configuration after applying environment overrides at `{}`: {}",
                e.path(),
                e.inner()
            ))
        })?;
    validate(&config)?;
    Ok(Loaded {
        config,
        paths,
        file_exists,
        sources,
    })
}

/// Parses and validates the text of a config file, reporting line and key.
pub fn parse_config_text(text: &str, file: &Path) -> Result<Config, ConfigError> {
    let de =
        toml::Deserializer::parse(text).map_err(|e| invalid_from_toml(&e, text, file, None))?;
    let config: Config = serde_path_to_error::deserialize(de).map_err(|e| {
        let key = e.path().to_string();
        invalid_from_toml(e.inner(), text, file, (key != ".").then_some(key))
    })?;
    validate(&config).map_err(|e| match e {
        ConfigError::BadValue { key, message } => {
            let (line, column) = locate_key(text, &key);
            ConfigError::Invalid {
                file: file.to_path_buf(),
                line,
                column,
                key: Some(key),
                message,
            }
        }
        other => other,
    })?;
    Ok(config)
}

fn invalid_from_toml(
    e: &toml::de::Error,
    text: &str,
    file: &Path,
    key: Option<String>,
) -> ConfigError {
    let (line, column) = match e.span() {
        Some(span) => line_col(text, span.start),
        None => key
            .as_deref()
            .map(|k| locate_key(text, k))
            .unwrap_or((1, 1)),
    };
    ConfigError::Invalid {
        file: file.to_path_buf(),
        line,
        column,
        key,
        message: e.message().trim().to_string(),
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Best-effort position of `section.key` in the file, for semantic errors.
fn locate_key(text: &str, key: &str) -> (usize, usize) {
    let leaf = key.rsplit('.').next().unwrap_or(key);
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with(leaf) && t[leaf.len()..].trim_start().starts_with('=') {
            return (i + 1, line.len() - t.len() + 1);
        }
    }
    (1, 1)
}

/// Checks that need more than a type: known provider names, sane ranges.
fn validate(config: &Config) -> Result<(), ConfigError> {
    let bad = |key: &str, message: String| ConfigError::BadValue {
        key: key.to_string(),
        message,
    };
    crate::tui::theme::ColorDepth::detect(&config.tui.colors, |_| None)
        .map_err(|e| bad("tui.colors", e.to_string()))?;
    crate::tui::theme::ascii_only(&config.tui.ascii, |_| None)
        .map_err(|e| bad("tui.ascii", e.to_string()))?;
    crate::tui::keymap::Keymap::from_config(&config.tui.keys).map_err(|e| {
        let e = e.strip_prefix("tui.keys: ").unwrap_or(&e).to_string();
        bad("tui.keys", e)
    })?;
    config
        .llm
        .provider
        .parse::<ProviderKind>()
        .map_err(|e| bad("llm.provider", e.to_string()))?;
    for (i, f) in config.llm.fallback.iter().enumerate() {
        f.provider
            .parse::<ProviderKind>()
            .map_err(|e| bad(&format!("llm.fallback[{i}].provider"), e.to_string()))?;
    }
    let m = &config.memory;
    crate::memory::embed::Variant::parse(&m.model_variant)
        .map_err(|e| bad("memory.model_variant", e))?;
    if !(20..=2000).contains(&m.chunk_words) {
        return Err(bad(
            "memory.chunk_words",
            format!("{} is outside 20..=2000", m.chunk_words),
        ));
    }
    if m.chunk_overlap_words >= m.chunk_words / 2 {
        return Err(bad(
            "memory.chunk_overlap_words",
            format!(
                "{} must be less than half of memory.chunk_words ({})",
                m.chunk_overlap_words, m.chunk_words
            ),
        ));
    }
    if m.rrf_k == 0 {
        return Err(bad(
            "memory.rrf_k",
            "must be at least 1 (60 is usual)".into(),
        ));
    }
    let t = config.agent.compaction_threshold;
    if !(0.1..=1.0).contains(&t) {
        return Err(bad(
            "agent.compaction_threshold",
            format!("{t} is outside 0.1..=1.0 (a fraction of the context window)"),
        ));
    }
    if config.agent.max_tool_iterations == 0 {
        return Err(bad(
            "agent.max_tool_iterations",
            "must be at least 1".into(),
        ));
    }
    if config.agent.repetition_limit < 2 {
        return Err(bad("agent.repetition_limit", "must be at least 2".into()));
    }
    if config.tools.output_cap_bytes < 256 {
        return Err(bad("tools.output_cap_bytes", "must be at least 256".into()));
    }
    Ok(())
}

impl Config {
    /// The configured main provider followed by the fallbacks, ready to build.
    pub fn provider_chain(&self) -> Result<Vec<ProviderConfig>, ConfigError> {
        let http = HttpOptions {
            connect_timeout: Duration::from_secs(self.llm.connect_timeout_secs),
            request_timeout: Duration::from_secs(self.llm.request_timeout_secs),
            stream_idle_timeout: Duration::from_secs(self.llm.stream_idle_timeout_secs),
            max_retries: self.llm.max_retries,
            ..HttpOptions::default()
        };
        let headers: Vec<(String, String)> = self
            .llm
            .extra_headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut chain = vec![provider_config(
            &self.llm.provider,
            &self.llm.base_url,
            &self.llm.api_key,
            &self.llm.model,
            headers.clone(),
            http.clone(),
        )?];
        for f in &self.llm.fallback {
            chain.push(provider_config(
                &f.provider,
                &f.base_url,
                &f.api_key,
                &f.model,
                headers.clone(),
                http.clone(),
            )?);
        }
        Ok(chain)
    }

    pub fn model_configured(&self) -> bool {
        !self.llm.model.trim().is_empty()
    }

    pub fn approval_policy(&self, tool: &str, risk: Risk) -> ApprovalPolicy {
        self.tools
            .policy
            .get(tool)
            .copied()
            .unwrap_or_else(|| ApprovalPolicy::default_for(risk))
    }
}

fn provider_config(
    provider: &str,
    base_url: &str,
    api_key: &str,
    model: &str,
    extra_headers: Vec<(String, String)>,
    http: HttpOptions,
) -> Result<ProviderConfig, ConfigError> {
    let kind: ProviderKind = provider
        .parse()
        .map_err(|e: crate::llm::ParseProviderKindError| ConfigError::Other(e.to_string()))?;
    if model.trim().is_empty() {
        return Err(ConfigError::Other(
            "no model is configured: set IRONCLAW_LLM_MODEL or run `ironclaw config set llm.model <name>`"
                .into(),
        ));
    }
    let api_key = if api_key.is_empty() {
        let conventional = match kind {
            ProviderKind::OpenAi => "OPENAI_API_KEY",
            ProviderKind::Anthropic => "ANTHROPIC_API_KEY",
        };
        std::env::var(conventional).ok().filter(|k| !k.is_empty())
    } else {
        Some(api_key.to_string())
    };
    Ok(ProviderConfig {
        kind,
        base_url: base_url.trim_end_matches('/').to_string(),
        api_key,
        model: model.to_string(),
        extra_headers,
        http,
    })
}

/// `llm.max_retries` → `IRONCLAW_LLM_MAX_RETRIES`.
pub fn env_var_name(key: &str) -> String {
    format!("{ENV_PREFIX}{}", key.replace('.', "_").to_ascii_uppercase())
}

fn to_table(config: &Config) -> toml::Table {
    match toml::Value::try_from(config) {
        Ok(toml::Value::Table(t)) => t,
        // Serialising plain structs of strings and numbers cannot fail.
        _ => toml::Table::new(),
    }
}

/// Dotted names of every settable value: the leaves of the default config.
/// Maps and arrays count as one leaf (set as a whole).
pub fn leaf_keys() -> Vec<String> {
    fn walk(prefix: &str, table: &toml::Table, out: &mut Vec<String>, depth: usize) {
        for (k, v) in table {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                toml::Value::Table(t) if depth == 0 => walk(&key, t, out, depth + 1),
                _ => out.push(key),
            }
        }
    }
    let mut out = Vec::new();
    walk("", &to_table(&Config::default()), &mut out, 0);
    out
}

fn lookup<'a>(table: &'a toml::Table, key: &str) -> Option<&'a toml::Value> {
    let mut parts = key.split('.');
    let mut value = table.get(parts.next()?)?;
    for part in parts {
        value = value.as_table()?.get(part)?;
    }
    Some(value)
}

fn insert(table: &mut toml::Table, key: &str, value: toml::Value) {
    let parts: Vec<&str> = key.split('.').collect();
    let mut current = table;
    for part in &parts[..parts.len() - 1] {
        let entry = current
            .entry(part.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !entry.is_table() {
            *entry = toml::Value::Table(toml::Table::new());
        }
        let toml::Value::Table(next) = entry else {
            return;
        };
        current = next;
    }
    current.insert(parts[parts.len() - 1].to_string(), value);
}

/// Parses `raw` into a value of the same TOML type as `template`. Strings are
/// taken verbatim; anything else is read as a TOML value (`3`, `true`,
/// `["a"]`, `{ shell = "never" }`).
pub(crate) fn parse_value_like(template: &toml::Value, raw: &str) -> Result<toml::Value, String> {
    if let toml::Value::String(_) = template {
        return Ok(toml::Value::String(raw.to_string()));
    }
    let doc: toml::Table = toml::from_str(&format!("v = {raw}"))
        .map_err(|_| format!("`{raw}` is not a valid {}", type_name(template)))?;
    let value = doc
        .get("v")
        .cloned()
        .ok_or_else(|| format!("`{raw}` is not a valid {}", type_name(template)))?;
    let same = std::mem::discriminant(&value) == std::mem::discriminant(template)
        || matches!(
            (template, &value),
            (toml::Value::Float(_), toml::Value::Integer(_))
        );
    if !same {
        return Err(format!("expected {}, got `{raw}`", type_name(template)));
    }
    if let (toml::Value::Float(_), toml::Value::Integer(i)) = (template, &value) {
        return Ok(toml::Value::Float(*i as f64));
    }
    Ok(value)
}

fn type_name(v: &toml::Value) -> &'static str {
    match v {
        toml::Value::String(_) => "string",
        toml::Value::Integer(_) => "integer",
        toml::Value::Float(_) => "number",
        toml::Value::Boolean(_) => "boolean (true or false)",
        toml::Value::Datetime(_) => "date-time",
        toml::Value::Array(_) => "array (e.g. [\"a\", \"b\"])",
        toml::Value::Table(_) => "inline table (e.g. { key = \"value\" })",
    }
}

/// Values that must never be printed in full.
pub fn is_secret_key(key: &str) -> bool {
    key.ends_with("api_key") || key == "llm.fallback" || key == "llm.extra_headers"
}

#[cfg(test)]
mod tests;
