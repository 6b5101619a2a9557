//! `ironclaw secrets set|list|rm|rotate-master`.
//!
//! Values are read from the terminal without echo (or from stdin when piped),
//! handed to the engine in one op, and never printed.

use clap::Subcommand;

use super::{CliError, connect, exit};
use crate::config::Loaded;
use crate::daemon::Connection;
use crate::engine::ProviderSource;
use crate::protocol::{Event, Op, SecretValue};

#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Store a secret. The value is read from the terminal without echo, or
    /// from stdin when it is piped. Name LLM keys OPENAI_API_KEY or
    /// ANTHROPIC_API_KEY and providers use them when no key is configured.
    Set {
        /// Letters, digits, `_`, `-` and `.`; up to 64 characters.
        name: String,
    },
    /// List stored secrets (names and dates only, never values).
    List,
    /// Delete a secret.
    Rm { name: String },
    /// Re-encrypt every secret under a new master key (kept in the OS keyring).
    RotateMaster,
}

pub async fn run(command: &SecretsCommand, loaded: &Loaded) -> Result<u8, CliError> {
    let op = match command {
        SecretsCommand::Set { name } => {
            crate::secrets::validate_name(name)
                .map_err(|e| CliError::new(exit::USAGE, e.to_string()))?;
            let value = crate::secrets::read_secret_value(&format!("value for {name}: "))
                .map_err(|e| CliError::new(exit::USAGE, e.to_string()))?;
            Op::SecretSet {
                name: name.clone(),
                value: SecretValue(value.to_string()),
            }
        }
        SecretsCommand::List => Op::SecretList,
        SecretsCommand::Rm { name } => Op::SecretRemove { name: name.clone() },
        SecretsCommand::RotateMaster => Op::RotateMasterKey,
    };
    let mut client = connect(loaded, ProviderSource::None, "cli").await?;
    let result = exchange(&mut client, op).await;
    client.close().await;
    result
}

async fn exchange(client: &mut Connection, op: Op) -> Result<u8, CliError> {
    client
        .send(op)
        .await
        .map_err(|e| CliError::new(exit::FAILURE, e.to_string()))?;
    loop {
        let event = client
            .recv()
            .await
            .map_err(|e| CliError::new(exit::FAILURE, e.to_string()))?
            .event;
        match event {
            Event::SecretsUpdated { message } => {
                eprintln!("{message}");
                return Ok(exit::OK);
            }
            Event::Secrets { secrets, backend } => {
                if secrets.is_empty() {
                    println!("no secrets stored (master key store: {backend})");
                }
                for s in secrets {
                    println!(
                        "{}\tupdated {}",
                        s.name,
                        super::threads::local_time(s.updated_at)
                    );
                }
                return Ok(exit::OK);
            }
            Event::Error { message, .. } => return Err(CliError::new(exit::FAILURE, message)),
            _ => {}
        }
    }
}
