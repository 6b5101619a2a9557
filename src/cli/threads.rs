//! `ironclaw threads list|show`: read conversations through the engine.

use clap::Subcommand;

use super::{CliError, connect, exit};
use crate::config::Loaded;
use crate::daemon::Connection;
use crate::engine::ProviderSource;
use crate::protocol::{Event, Op};

#[derive(Debug, Subcommand)]
pub enum ThreadsCommand {
    /// List threads, most recently active first.
    List {
        /// How many to show.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show the messages of one thread (`last` for the most recent).
    Show {
        id: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(command: &ThreadsCommand, loaded: &Loaded) -> Result<u8, CliError> {
    let mut client = connect(loaded, ProviderSource::None, "cli").await?;
    let result = match command {
        ThreadsCommand::List { limit, json } => list(&mut client, *limit, *json).await,
        ThreadsCommand::Show { id, json } => show(&mut client, id, *json).await,
    };
    client.close().await;
    result
}

async fn next(client: &mut Connection) -> Result<Event, CliError> {
    client
        .recv()
        .await
        .map(|m| m.event)
        .map_err(|e| CliError::new(exit::FAILURE, e.to_string()))
}

async fn threads(client: &mut Connection) -> Result<Vec<crate::protocol::ThreadInfo>, CliError> {
    client
        .send(Op::ListThreads)
        .await
        .map_err(|e| CliError::new(exit::FAILURE, e.to_string()))?;
    loop {
        match next(client).await? {
            Event::Threads { threads } => return Ok(threads),
            Event::Error { message, .. } => return Err(CliError::new(exit::FAILURE, message)),
            _ => {}
        }
    }
}

async fn list(client: &mut Connection, limit: usize, json: bool) -> Result<u8, CliError> {
    let mut all = threads(client).await?;
    all.truncate(limit);
    if json {
        println!("{}", serde_json::to_string_pretty(&all).unwrap_or_default());
        return Ok(exit::OK);
    }
    if all.is_empty() {
        println!("no threads yet; start one with `ironclaw -m \"…\"`");
        return Ok(exit::OK);
    }
    println!("{:<36}  {:<16}  {:>5}  TITLE", "ID", "UPDATED", "MSGS");
    for t in all {
        println!(
            "{:<36}  {:<16}  {:>5}  {}",
            t.id,
            local_time(t.updated_at),
            t.message_count,
            t.title
        );
    }
    Ok(exit::OK)
}

async fn show(client: &mut Connection, id: &str, json: bool) -> Result<u8, CliError> {
    let id = if id == "last" {
        threads(client)
            .await?
            .first()
            .map(|t| t.id.clone())
            .ok_or_else(|| CliError::new(exit::USAGE, "there are no threads yet"))?
    } else {
        id.to_string()
    };
    client
        .send(Op::Snapshot { thread_id: id })
        .await
        .map_err(|e| CliError::new(exit::FAILURE, e.to_string()))?;
    loop {
        match next(client).await? {
            Event::Snapshot {
                thread, messages, ..
            } => {
                if json {
                    let value = serde_json::json!({ "thread": thread, "messages": messages });
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&value).unwrap_or_default()
                    );
                    return Ok(exit::OK);
                }
                println!(
                    "# {} ({})",
                    if thread.title.is_empty() {
                        "untitled"
                    } else {
                        &thread.title
                    },
                    thread.id
                );
                for m in messages {
                    println!("\n[{}] {}", m.role, local_time(m.created_at));
                    if !m.content.is_empty() {
                        println!("{}", m.content);
                    }
                    for c in &m.tool_calls {
                        println!("→ {} {}", c.name, c.arguments);
                    }
                }
                return Ok(exit::OK);
            }
            Event::Error { message, .. } => return Err(CliError::new(exit::USAGE, message)),
            _ => {}
        }
    }
}

pub(super) fn local_time(ms: i64) -> String {
    use chrono::TimeZone;
    chrono::Local
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}
