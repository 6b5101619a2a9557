//! The command line: argument parsing, and one module per command.
//!
//! Every command reaches the engine only through the protocol (an in-process
//! [`EngineHandle`] and its [`crate::engine::Client`]); none opens the
//! database itself. Errors are reported as what went wrong, where, and what
//! to do, with the documented exit codes of [`exit`].

mod config_cmd;
mod daemon_cmd;
mod doctor;
pub mod exit;
mod extensions_cmd;
mod logging;
mod memory_cmd;
mod models_cmd;
mod oneshot;
mod secrets_cmd;
mod threads;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{self, Loaded};
use crate::engine::{EngineHandle, EngineOptions, ProviderSource};
use crate::tools::{Tool, ToolRegistry};

#[derive(Debug, Parser)]
#[command(
    name = "ironclaw",
    version,
    about = "A local-first, security-first personal AI assistant for the terminal",
    after_help = "Exit codes: 0 ok, 1 internal failure, 2 usage error, 3 provider or auth error, \
                  4 a tool call was denied, 5 stopped by a safety limit, 130 interrupted."
)]
pub struct Cli {
    /// Answer one prompt and exit. `-m -` reads the prompt from stdin; with a
    /// prompt given, piped stdin is appended to it as context.
    #[arg(short = 'm', long = "message", value_name = "PROMPT")]
    pub message: Option<String>,
    /// Print every engine event as one JSON object per line on stdout.
    #[arg(long)]
    pub json: bool,
    /// Model to use for this run (overrides llm.model).
    #[arg(long, value_name = "NAME")]
    pub model: Option<String>,
    /// Provider to use for this run: `openai` (any OpenAI-compatible server) or `anthropic`.
    #[arg(long, value_name = "KIND")]
    pub provider: Option<String>,
    /// Continue a thread (`last` for the most recent one) instead of starting a new one.
    #[arg(long, value_name = "ID", conflicts_with = "new")]
    pub thread: Option<String>,
    /// Start a new thread (the default for one-shot prompts).
    #[arg(long)]
    pub new: bool,
    /// Approve low- and medium-risk tool calls without asking. High-risk calls
    /// (shell) still ask, or are denied when nobody can answer.
    #[arg(long)]
    pub auto_approve: bool,
    /// Log debug output (to stderr for one-shot prompts; to the log file and
    /// the Logs pane in the terminal workstation).
    #[arg(short, long)]
    pub verbose: bool,
    /// Theme of the terminal workstation: dark, light, high-contrast, mono,
    /// or a file `themes/<name>.toml` in the IronClaw home.
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
    /// Run the engine inside this process instead of connecting to (or
    /// starting) the background daemon. Quitting then stops the engine.
    #[arg(long)]
    pub in_process: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show or change the configuration (`config.toml` in the IronClaw home).
    Config {
        #[command(subcommand)]
        command: config_cmd::ConfigCommand,
    },
    /// Check the configuration, database and provider, and tell how to fix problems.
    Doctor,
    /// List or show conversation threads.
    Threads {
        #[command(subcommand)]
        command: threads::ThreadsCommand,
    },
    /// The memory workspace: search, read, write, import and export notes.
    Memory {
        #[command(subcommand)]
        command: memory_cmd::MemoryCommand,
    },
    /// The local embedding model: status, install, path.
    Models {
        #[command(subcommand)]
        command: models_cmd::ModelsCommand,
    },
    /// WebAssembly tools: check a capability manifest and see what it grants.
    Extensions {
        #[command(subcommand)]
        command: extensions_cmd::ExtensionsCommand,
    },
    /// Manage encrypted secrets (API keys, tokens). Values are never shown.
    Secrets {
        #[command(subcommand)]
        command: secrets_cmd::SecretsCommand,
    },
    /// Choose the model provider, model and API key (the first-run dialog).
    Onboard,
    /// Open the terminal workstation on the running daemon.
    Attach,
    /// Run the engine in the background: start, stop, status, restart.
    Daemon {
        #[command(subcommand)]
        command: daemon_cmd::DaemonCommand,
    },
    /// Install or remove the systemd user service that runs the daemon.
    Service {
        #[command(subcommand)]
        command: daemon_cmd::ServiceCommand,
    },
}

/// A failure to report: the message, an optional fix, and the exit code.
#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub message: String,
    pub hint: Option<String>,
}

impl CliError {
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            hint: None,
        }
    }
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl From<config::ConfigError> for CliError {
    fn from(e: config::ConfigError) -> Self {
        CliError::new(exit::USAGE, e.to_string())
    }
}

pub fn main() -> ExitCode {
    restore_sigpipe();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            });
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::FAILURE);
        }
    };
    let result = runtime.block_on(run(cli));
    // Blocking work may still be running (an approval prompt reading the
    // terminal, the safety layer compiling in the background); the command
    // is done, so do not wait for it.
    runtime.shutdown_background();
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", e.message);
            if let Some(hint) = e.hint {
                eprintln!("  fix: {hint}");
            }
            e.code
        }
    };
    exit_now(code)
}

/// Ends the process without running C exit handlers. ONNX Runtime's static
/// destructors race its own threads when the process exits while the
/// embedding model is busy in the background (a segfault after the
/// command's work is done); nothing of ours needs exit handlers: logs are
/// flushed when the log guard drops inside `run`, and the terminal is
/// restored by its guard there too.
fn exit_now(code: u8) -> ExitCode {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: `_exit` only ends the process; everything that must be
    // written has been flushed just above.
    unsafe { libc::_exit(i32::from(code)) }
}

async fn run(cli: Cli) -> Result<u8, CliError> {
    // `config` commands must work even when the file is broken.
    if let Some(Command::Config { command }) = &cli.command {
        return config_cmd::run(command);
    }
    let mut loaded = config::load()?;
    let workstation =
        matches!(cli.command, Some(Command::Onboard | Command::Attach)) || wants_workstation(&cli);
    let _log = logging::init(&loaded, cli.verbose, cli.verbose && !workstation);
    tracing::debug!(home = %loaded.paths.home.display(), "configuration loaded");
    if let Some(p) = &cli.provider {
        p.parse::<crate::llm::ProviderKind>()
            .map_err(|e| CliError::new(exit::USAGE, format!("--provider: {e}")))?;
        loaded.config.llm.provider = p.clone();
    }
    if let Some(m) = &cli.model {
        loaded.config.llm.model = m.clone();
    }
    match &cli.command {
        Some(Command::Doctor) => doctor::run(&loaded).await,
        Some(Command::Threads { command }) => threads::run(command, &loaded).await,
        Some(Command::Secrets { command }) => secrets_cmd::run(command, &loaded).await,
        Some(Command::Memory { command }) => memory_cmd::run(command, &loaded).await,
        Some(Command::Models { command }) => models_cmd::run(command, &loaded).await,
        Some(Command::Extensions { command }) => extensions_cmd::run(command, &loaded),
        Some(Command::Config { .. }) => unreachable_config(),
        Some(Command::Onboard) => crate::tui::run(&loaded, tui_options(&cli, true, false)).await,
        Some(Command::Attach) => crate::tui::run(&loaded, tui_options(&cli, false, true)).await,
        Some(Command::Daemon { command }) => daemon_cmd::run_daemon(command, &loaded).await,
        Some(Command::Service { command }) => daemon_cmd::run_service(command, &loaded),
        None if workstation => crate::tui::run(&loaded, tui_options(&cli, false, false)).await,
        None => oneshot::run(&cli, &loaded).await,
    }
}

fn tui_options(cli: &Cli, onboard: bool, attach: bool) -> crate::tui::TuiOptions {
    crate::tui::TuiOptions {
        theme: cli.theme.clone(),
        onboard,
        attach,
        in_process: cli.in_process,
    }
}

/// `ironclaw` alone, in a terminal: the full-screen workstation. With a
/// prompt, or stdin piped in, it is a one-shot command.
fn wants_workstation(cli: &Cli) -> bool {
    use std::io::IsTerminal;
    cli.command.is_none()
        && cli.message.is_none()
        && !cli.json
        && std::io::stdin().is_terminal()
        && std::io::stdout().is_terminal()
}

/// Rust ignores SIGPIPE, which turns `ironclaw threads list | head` into a
/// panic on the next write. Command-line tools conventionally die quietly
/// instead, as ripgrep does.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Long-running processes that talk over sockets (the daemon, the TUI)
/// must not die when a peer hangs up: they get `EPIPE` and handle it.
pub(crate) fn ignore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal disposition to "ignore" has no preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}

fn unreachable_config() -> Result<u8, CliError> {
    Err(CliError::new(
        exit::FAILURE,
        "internal: config command dispatched twice",
    ))
}

/// The engine for a command: the daemon's when one runs (it alone owns the
/// database then), otherwise one started in this process.
pub(crate) async fn connect(
    loaded: &Loaded,
    provider: ProviderSource,
    kind: &str,
) -> Result<crate::daemon::Connection, CliError> {
    if let Some(client) = crate::daemon::connect(&loaded.paths, kind).await? {
        return Ok(crate::daemon::Connection::Daemon(client));
    }
    let engine = start_engine(loaded, provider).await?;
    Ok(crate::daemon::Connection::in_process(engine).await)
}

/// Starts an in-process engine for a command.
pub(crate) async fn start_engine(
    loaded: &Loaded,
    provider: ProviderSource,
) -> Result<EngineHandle, CliError> {
    let config = loaded.config.clone();
    let mut tools = ToolRegistry::with_builtins(&config.tools.disabled)
        .map_err(|e| CliError::new(exit::FAILURE, e))?;
    // Compiling components is CPU work: off the async thread.
    let (dir, allow_private) = (loaded.paths.tools_dir(), config.tools.http_allow_private);
    let wasm = tokio::task::spawn_blocking(move || {
        crate::sandbox::runtime::installed(&dir, allow_private)
    })
    .await
    .unwrap_or_default();
    for tool in wasm {
        let name = tool.name().to_string();
        if config.tools.disabled.contains(&name) {
            continue;
        }
        if let Err(e) = tools.register(std::sync::Arc::new(tool)) {
            tracing::warn!(tool = %name, "WebAssembly tool not loaded: {e}");
        }
    }
    let workdir = if config.tools.workdir.is_empty() {
        std::env::current_dir().map_err(|e| {
            CliError::new(
                exit::FAILURE,
                format!("cannot read the current directory: {e}"),
            )
        })?
    } else {
        std::path::PathBuf::from(&config.tools.workdir)
    };
    EngineHandle::start(EngineOptions {
        config,
        paths: loaded.paths.clone(),
        provider,
        tools,
        workdir,
        embedder: crate::memory::EmbedderSource::Local,
    })
    .await
    .map_err(|e| {
        CliError::new(exit::FAILURE, e.to_string())
            .hint("run `ironclaw doctor`; check that IRONCLAW_HOME is writable")
    })
}
