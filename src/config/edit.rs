//! Writing `config.toml`: `config init` and `config set`.
//!
//! Edits go through `toml_edit` so the user's comments and layout survive,
//! the result is validated as a whole before it replaces the file, and the
//! file is replaced atomically with mode 0600 (it may hold an API key).

use std::io::Write;
use std::path::Path;

use super::{
    Config, ConfigError, Paths, leaf_keys, lookup, parse_config_text, parse_value_like, to_table,
};

/// Writes a commented default `config.toml`. Refuses to overwrite unless `force`.
pub fn init_file(paths: &Paths, force: bool) -> Result<(), ConfigError> {
    let file = paths.config_file();
    if file.exists() && !force {
        return Err(ConfigError::Other(format!(
            "{} already exists; pass --force to overwrite it",
            file.display()
        )));
    }
    paths.ensure_home()?;
    let body = toml::to_string_pretty(&Config::default())
        .map_err(|e| ConfigError::Other(format!("cannot render defaults: {e}")))?;
    let text = format!(
        "# IronClaw configuration. Every key is documented in docs/configuration.md;\n\
         # every key can be overridden by IRONCLAW_<SECTION>_<KEY> in the environment.\n\n{body}"
    );
    write_atomic(&file, &text)
}

/// Sets one key in the file (creating it if needed) and returns the new text.
pub fn set_key(paths: &Paths, key: &str, raw: &str) -> Result<(), ConfigError> {
    if !leaf_keys().iter().any(|k| k == key) {
        return Err(ConfigError::UnknownKey(key.to_string()));
    }
    let file = paths.config_file();
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => return Err(ConfigError::Read { path: file, source }),
    };
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        ConfigError::Other(format!(
            "{} is not valid TOML ({}); fix it by hand before using `config set`",
            file.display(),
            e.message()
        ))
    })?;
    let defaults = to_table(&Config::default());
    let template = lookup(&defaults, key)
        .cloned()
        .unwrap_or(toml::Value::String(String::new()));
    let value = parse_value_like(&template, raw).map_err(|message| ConfigError::BadValue {
        key: key.to_string(),
        message,
    })?;
    let item = toml_edit::value(to_edit_value(&value)?);
    let (section, leaf) = key.split_once('.').unwrap_or(("", key));
    if section.is_empty() {
        doc[leaf] = item;
    } else {
        if !doc.contains_table(section) {
            doc[section] = toml_edit::table();
        }
        doc[section][leaf] = item;
    }
    let new_text = doc.to_string();
    parse_config_text(&new_text, &file)?;
    paths.ensure_home()?;
    write_atomic(&file, &new_text)
}

fn to_edit_value(value: &toml::Value) -> Result<toml_edit::Value, ConfigError> {
    // Round-trip through text: both crates agree on TOML syntax.
    let text = format!("v = {value}");
    let doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| ConfigError::Other(e.message().to_string()))?;
    doc["v"]
        .as_value()
        .cloned()
        .ok_or_else(|| ConfigError::Other("unexpected value shape".into()))
}

fn write_atomic(file: &Path, text: &str) -> Result<(), ConfigError> {
    let dir = file.parent().unwrap_or(Path::new("."));
    let err = |source| ConfigError::Write {
        path: file.to_path_buf(),
        source,
    };
    let mut tmp = tempfile_in(dir).map_err(err)?;
    tmp.1.write_all(text.as_bytes()).map_err(err)?;
    tmp.1.sync_all().map_err(err)?;
    std::fs::rename(&tmp.0, file).map_err(err)?;
    Ok(())
}

/// A new private file next to the target (same filesystem, so rename is atomic).
fn tempfile_in(dir: &Path) -> std::io::Result<(std::path::PathBuf, std::fs::File)> {
    let path = dir.join(format!(".config.toml.{}.tmp", std::process::id()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let file = opts.open(&path)?;
    Ok((path, file))
}
