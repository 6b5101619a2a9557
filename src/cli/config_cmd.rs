//! `ironclaw config init|path|get|set|list`.

use clap::Subcommand;

use super::{CliError, exit};
use crate::config::{self, Paths, Source, is_secret_key};

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Write a default config.toml (with every key) into the IronClaw home.
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Print the path of config.toml.
    Path,
    /// Print the effective value of one key (file and environment applied).
    Get {
        /// Dotted key, e.g. `llm.model`.
        key: String,
        /// Print secret values (API keys) instead of masking them.
        #[arg(long)]
        reveal: bool,
    },
    /// Set one key in config.toml, keeping the file's comments.
    Set {
        /// Dotted key, e.g. `agent.max_tool_iterations`.
        key: String,
        /// The value; strings as-is, others as TOML (`3`, `true`, `["a"]`, `{ shell = "never" }`).
        value: String,
    },
    /// List every key with its effective value and where it came from.
    List,
}

pub fn run(command: &ConfigCommand) -> Result<u8, CliError> {
    let paths = Paths::from_env()?;
    match command {
        ConfigCommand::Init { force } => {
            config::init_file(&paths, *force)?;
            println!("wrote {}", paths.config_file().display());
        }
        ConfigCommand::Path => println!("{}", paths.config_file().display()),
        ConfigCommand::Get { key, reveal } => {
            let loaded = config::load()?;
            let value = loaded.get(key)?;
            if is_secret_key(key) && !reveal && !is_empty(&value) {
                println!("(set; pass --reveal to print it)");
            } else {
                println!("{}", display(&value));
            }
        }
        ConfigCommand::Set { key, value } => {
            config::set_key(&paths, key, value)?;
            let var = config::env_var_name(key);
            if std::env::var_os(&var).is_some() {
                eprintln!("note: {var} is set in the environment and overrides the file");
            }
            eprintln!("set {key} in {}", paths.config_file().display());
        }
        ConfigCommand::List => {
            let loaded = config::load()?;
            for (key, value, source) in loaded.entries() {
                let shown = if is_secret_key(&key) && !is_empty(&value) {
                    "\"********\"".to_string()
                } else {
                    value.to_string()
                };
                let origin = match source {
                    Source::Env => format!("env {}", config::env_var_name(&key)),
                    other => other.to_string(),
                };
                println!("{key} = {shown}  # {origin}");
            }
        }
    }
    Ok(exit::OK)
}

fn is_empty(v: &toml::Value) -> bool {
    match v {
        toml::Value::String(s) => s.is_empty(),
        toml::Value::Array(a) => a.is_empty(),
        toml::Value::Table(t) => t.is_empty(),
        _ => false,
    }
}

fn display(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
