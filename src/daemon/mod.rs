//! Background mode: the engine in its own process, reached over a Unix
//! socket by any number of clients (TUIs, one-shot commands), like tmux.
//!
//! - `frame` — the wire format (length-prefixed JSON of protocol types);
//! - `server` — accept, authorise (same uid), handshake, pump frames;
//! - `client` — [`SocketClient`], and [`Connection`], which frontends hold
//!   without knowing whether the engine is in-process or the daemon's;
//! - `lock` — one daemon per IronClaw home;
//! - `service` — the systemd user unit.
//!
//! The daemon alone opens the database and will own the schedulers; it
//! never reads stdin or writes to a terminal (logs go to the log files).

pub mod client;
pub mod frame;
pub mod lock;
pub mod server;
pub mod service;

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tokio::net::UnixListener;
use tokio_util::sync::CancellationToken;

pub use client::{ConnectError, Connection, SocketClient};

use crate::cli::{CliError, exit};
use crate::config::{Loaded, Paths};
use crate::engine::ProviderSource;
use crate::protocol::{Event, Op};

/// Unix socket paths are limited to 108 bytes on Linux.
const MAX_SOCKET_PATH: usize = 100;

fn socket_problem(paths: &Paths) -> Option<CliError> {
    let socket = paths.daemon_socket();
    (socket.as_os_str().len() > MAX_SOCKET_PATH).then(|| {
        CliError::new(
            exit::USAGE,
            format!(
                "the daemon's socket path is too long for a Unix socket: {}",
                socket.display()
            ),
        )
        .hint("set IRONCLAW_HOME to a shorter directory")
    })
}

/// Connects to the running daemon, if there is one.
pub async fn connect(paths: &Paths, kind: &str) -> Result<Option<SocketClient>, CliError> {
    match SocketClient::connect(&paths.daemon_socket(), kind).await {
        Ok(c) => Ok(Some(c)),
        Err(ConnectError::NotRunning(_)) => Ok(None),
        Err(e) => Err(connect_error(e)),
    }
}

pub fn connect_error(e: ConnectError) -> CliError {
    match e {
        ConnectError::Refused { message, hint, .. } => {
            let err = CliError::new(exit::FAILURE, message);
            match hint {
                Some(h) => err.hint(h),
                None => err,
            }
        }
        ConnectError::NotRunning(path) => CliError::new(
            exit::FAILURE,
            format!("no daemon is running (no socket at {})", path.display()),
        )
        .hint("start one with `ironclaw daemon start`, or run `ironclaw`"),
        other => CliError::new(exit::FAILURE, other.to_string()).hint(
            "`ironclaw daemon status` says whether it runs; the log is in IRONCLAW_HOME/logs",
        ),
    }
}

/// `ironclaw daemon run`: the daemon itself, in the foreground (systemd
/// runs this; `daemon start` runs it detached).
pub async fn run(loaded: &Loaded) -> Result<u8, CliError> {
    // A client hanging up mid-write must not kill the daemon.
    crate::cli::ignore_sigpipe();
    let paths = &loaded.paths;
    if let Some(e) = socket_problem(paths) {
        return Err(e);
    }
    paths.ensure_home()?;
    let _lock = lock::acquire(&paths.daemon_lock()).map_err(|e| match e {
        lock::LockError::Held { pid } => CliError::new(
            exit::USAGE,
            format!(
                "a daemon is already running for {} (pid {pid}, socket {})",
                paths.home.display(),
                paths.daemon_socket().display()
            ),
        )
        .hint("`ironclaw attach` connects to it; `ironclaw daemon stop` stops it"),
        other => CliError::new(exit::FAILURE, other.to_string()),
    })?;
    // The engine first: a client that can connect finds it ready.
    let engine = crate::cli::start_engine(loaded, ProviderSource::FromConfig).await?;
    let socket = paths.daemon_socket();
    // We hold the lock, so a socket file left here is from a dead daemon.
    let _ = std::fs::remove_file(&socket);
    let listener = UnixListener::bind(&socket).map_err(|e| {
        CliError::new(
            exit::FAILURE,
            format!("cannot listen on {}: {e}", socket.display()),
        )
    })?;
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600)).map_err(|e| {
        CliError::new(
            exit::FAILURE,
            format!("cannot restrict {}: {e}", socket.display()),
        )
    })?;
    tracing::info!(pid = std::process::id(), socket = %socket.display(), "daemon started");
    let stop = CancellationToken::new();
    tokio::spawn(server::serve(engine.clone(), listener, stop.clone()));

    use tokio::signal::unix::{SignalKind, signal};
    let signal_err = |e: std::io::Error| CliError::new(exit::FAILURE, format!("signals: {e}"));
    let mut sigterm = signal(SignalKind::terminate()).map_err(signal_err)?;
    let mut sigint = signal(SignalKind::interrupt()).map_err(signal_err)?;
    // Detached from any terminal, a hangup means nothing to the daemon.
    let mut sighup = signal(SignalKind::hangup()).map_err(signal_err)?;
    loop {
        tokio::select! {
            _ = engine.stopped() => break,
            _ = sigterm.recv() => {
                tracing::info!("SIGTERM: stopping (running turns are interrupted and saved)");
                let client = engine.connect().await;
                let _ = client.send(Op::Shutdown).await;
            }
            _ = sigint.recv() => {
                let client = engine.connect().await;
                let _ = client.send(Op::Shutdown).await;
            }
            _ = sighup.recv() => tracing::info!("ignored SIGHUP"),
        }
    }
    stop.cancel();
    let _ = std::fs::remove_file(&socket);
    tracing::info!("daemon stopped");
    Ok(exit::OK)
}

/// Starts the daemon in the background and waits until it accepts
/// connections. Returns its pid.
pub async fn start(paths: &Paths) -> Result<u32, CliError> {
    if let Some(e) = socket_problem(paths) {
        return Err(e);
    }
    if let Some(pid) = lock::holder(&paths.daemon_lock()) {
        return Err(CliError::new(
            exit::USAGE,
            format!(
                "a daemon is already running (pid {pid}, socket {})",
                paths.daemon_socket().display()
            ),
        )
        .hint("`ironclaw attach` connects to it; `ironclaw daemon restart` restarts it"));
    }
    let exe = std::env::current_exe()
        .map_err(|e| CliError::new(exit::FAILURE, format!("cannot find this program: {e}")))?;
    let mut cmd = Command::new(exe);
    cmd.args(["daemon", "run"])
        .env("IRONCLAW_HOME", &paths.home)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: setsid is async-signal-safe; it detaches the daemon from this
    // terminal's session so a closing terminal does not signal it.
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| CliError::new(exit::FAILURE, format!("cannot start the daemon: {e}")))?;
    let pid = child.id();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if std::os::unix::net::UnixStream::connect(paths.daemon_socket()).is_ok() {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(CliError::new(
                exit::FAILURE,
                format!("the daemon exited while starting ({status})"),
            )
            .hint(format!(
                "its log is in {}; `ironclaw daemon run` shows the error in this terminal",
                paths.logs().display()
            )));
        }
        if Instant::now() > deadline {
            return Err(CliError::new(
                exit::FAILURE,
                "the daemon did not accept connections within 10 s",
            )
            .hint(format!("its log is in {}", paths.logs().display())));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Reap it when it exits, so it never lingers as a zombie of ours.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(pid)
}

/// Asks the daemon to stop and waits until it has.
pub async fn stop(paths: &Paths) -> Result<bool, CliError> {
    let Some(client) = connect(paths, "cli").await? else {
        return Ok(false);
    };
    client
        .send(Op::Shutdown)
        .await
        .map_err(|_| CliError::new(exit::FAILURE, "the daemon closed the connection"))?;
    let deadline = Instant::now() + Duration::from_secs(15);
    while lock::holder(&paths.daemon_lock()).is_some() {
        if Instant::now() > deadline {
            return Err(
                CliError::new(exit::FAILURE, "the daemon did not stop within 15 s")
                    .hint("`kill` its pid (see `ironclaw daemon status`)"),
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(true)
}

/// What `ironclaw daemon status` prints.
pub struct Status {
    pub pid: u32,
    pub version: String,
    pub uptime_secs: u64,
    pub clients: u64,
    pub running_turns: u64,
}

pub async fn status(paths: &Paths) -> Result<Option<Status>, CliError> {
    let Some(mut client) = connect(paths, "cli").await? else {
        return Ok(None);
    };
    let closed = |_| CliError::new(exit::FAILURE, "the daemon closed the connection");
    client.send(Op::Status).await.map_err(closed)?;
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), client.recv())
            .await
            .map_err(|_| CliError::new(exit::FAILURE, "the daemon did not answer within 10 s"))?
            .map_err(closed)?;
        if let Event::Status {
            pid,
            engine_version,
            uptime_secs,
            clients,
            running_turns,
        } = msg.event
        {
            return Ok(Some(Status {
                pid,
                version: engine_version,
                uptime_secs,
                // This status request is itself a client.
                clients: clients.saturating_sub(1),
                running_turns,
            }));
        }
    }
}
