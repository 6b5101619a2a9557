//! The terminal workstation: `ironclaw` with no arguments.
//!
//! Layout of this module (each file one concern):
//! - `terminal` — raw mode / alternate screen in and out, panic hook;
//! - `app` — all UI state; turns keys and engine events into state and ops;
//! - `panes/` — Chat (with `composer`), Jobs, Memory, Logs, Extensions;
//! - `overlays/` — approval, help, thread list, onboarding;
//! - `theme`, `keymap`, `markdown`, `text` — looks, keys, and safe text.
//!
//! This file is the loop: it reads terminal input, engine events and
//! signals, hands them to [`App`], carries out the app's [`Effect`]s, and
//! draws. The TUI talks to the engine only through the protocol client.
//! Engine events are drawn at most every [`FRAME`]; a key is drawn at once,
//! so typing stays immediate while a reply streams in.

pub mod app;
pub mod external;
pub mod keymap;
pub mod markdown;
pub mod overlays;
pub mod panes;
pub mod terminal;
pub mod text;
pub mod theme;

use std::io::IsTerminal;
use std::time::Duration;

use crossterm::event::EventStream;
use futures::{FutureExt, StreamExt};
use tokio::sync::mpsc;
use tokio::time::Instant;

pub use app::{App, AppOptions, Effect};

use crate::cli::{CliError, exit};
use crate::config::Loaded;
use crate::daemon::{self, Connection};
use crate::engine::{ClientError, ProviderSource};
use keymap::Keymap;
use overlays::onboarding::{LOCAL_CANDIDATES, detect_local_servers};
use theme::{ColorDepth, Theme};

/// Minimum time between two frames caused by engine events.
pub const FRAME: Duration = Duration::from_millis(16);
/// Animation tick while something runs.
const TICK: Duration = Duration::from_millis(120);
/// How often a client whose daemon went away tries to reconnect.
const RECONNECT: Duration = Duration::from_secs(1);

pub struct TuiOptions {
    /// `--theme`, overriding `tui.theme`.
    pub theme: Option<String>,
    /// Open the onboarding dialog at start.
    pub onboard: bool,
    /// `ironclaw attach`: only connect to a running daemon.
    pub attach: bool,
    /// `--in-process`: run the engine in this process.
    pub in_process: bool,
}

/// The engine the workstation talks to: the running daemon; else a daemon
/// started now (`daemon.autostart`); else one inside this process.
async fn connection(loaded: &Loaded, opts: &TuiOptions) -> Result<Connection, CliError> {
    let paths = &loaded.paths;
    if let Some(client) = daemon::connect(paths, "tui").await? {
        if opts.in_process {
            return Err(CliError::new(
                exit::USAGE,
                "a daemon is running for this IronClaw home; an engine in this process would share its database",
            )
            .hint("`ironclaw attach` connects to it; `ironclaw daemon stop` stops it"));
        }
        return Ok(Connection::Daemon(client));
    }
    if opts.attach {
        return Err(daemon::connect_error(daemon::ConnectError::NotRunning(
            paths.daemon_socket(),
        )));
    }
    if !opts.in_process && loaded.config.daemon.autostart {
        daemon::start(paths).await?;
        return match daemon::connect(paths, "tui").await? {
            Some(client) => Ok(Connection::Daemon(client)),
            None => Err(CliError::new(
                exit::FAILURE,
                "the daemon started but does not accept connections",
            )
            .hint(format!("its log is in {}", paths.logs().display()))),
        };
    }
    let engine = crate::cli::start_engine(loaded, ProviderSource::FromConfig).await?;
    Ok(Connection::in_process(engine).await)
}

/// Builds the theme and keymap the configuration asks for.
pub fn appearance(
    loaded: &Loaded,
    theme_override: Option<&str>,
    env: impl Fn(&str) -> Option<String> + Copy,
) -> Result<(Theme, Keymap), CliError> {
    let cfg = &loaded.config.tui;
    let usage = |m: String| CliError::new(exit::USAGE, m);
    let depth =
        ColorDepth::detect(&cfg.colors, env).map_err(|e| usage(format!("tui.colors: {e}")))?;
    let ascii = theme::ascii_only(&cfg.ascii, env).map_err(|e| usage(format!("tui.ascii: {e}")))?;
    let name = theme_override.unwrap_or(&cfg.theme);
    let theme =
        Theme::load(name, &loaded.paths.home, depth, ascii).map_err(|e| usage(e.to_string()))?;
    let keymap = Keymap::from_config(&cfg.keys).map_err(usage)?;
    Ok((theme, keymap))
}

pub async fn run(loaded: &Loaded, opts: TuiOptions) -> Result<u8, CliError> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(CliError::new(
            exit::USAGE,
            "the terminal workstation needs a terminal on stdin and stdout",
        )
        .hint("for scripts use `ironclaw -m \"…\"` (or pipe the prompt in)"));
    }
    crate::cli::ignore_sigpipe();
    let env = |k: &str| std::env::var(k).ok();
    let (theme, keymap) = appearance(loaded, opts.theme.as_deref(), env)?;
    let mut conn = connection(loaded, &opts).await?;
    let daemon = conn.is_daemon();
    let app = App::new(AppOptions {
        theme,
        keymap,
        home: loaded.paths.home.clone(),
        onboard: opts.onboard,
        daemon,
    });
    let (mut terminal, guard) = terminal::enter(loaded.config.tui.mouse)
        .map_err(|e| CliError::new(exit::FAILURE, format!("cannot set up the terminal: {e}")))?;
    let mouse = loaded.config.tui.mouse;
    let result = event_loop(&mut terminal, app, &mut conn, mouse).await;
    drop(guard);
    // In-process: running turns are interrupted and saved. A daemon keeps
    // running.
    conn.close().await;
    result.map_err(|e| CliError::new(exit::FAILURE, format!("terminal error: {e}")))?;
    if daemon {
        eprintln!(
            "detached: the engine keeps running. `ironclaw attach` comes back; `ironclaw daemon stop` stops it."
        );
    }
    Ok(exit::OK)
}

async fn event_loop(
    terminal: &mut terminal::Term,
    mut app: App,
    client: &mut Connection,
    mouse: bool,
) -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    loop {
        // A fresh key reader each time: the previous one is dropped when
        // `drive` returns, so an external editor gets every key.
        let input = EventStream::new();
        let stop = async {
            tokio::select! {
                _ = sigterm.recv() => {}
                _ = sighup.recv() => {}
                _ = sigint.recv() => {}
            }
        };
        match drive(terminal, app, client, input, stop, |_| {}).await? {
            Outcome::Done => return Ok(()),
            Outcome::EditExternally(mut paused, edit) => {
                let editor = external::editor_command(|k| std::env::var(k).ok());
                terminal::suspend();
                let result = external::run_editor(&editor, &edit).await;
                // The editor shares the terminal: a Ctrl-C meant for it
                // (to abort `code --wait`, say) is not a quit.
                while let Some(Some(())) = sigint.recv().now_or_never() {}
                paused.on_external_edit(edit, result);
                app = *paused;
                // Even if the terminal cannot be taken back, `drive` sends
                // the save before it draws (and then reports the error).
                if let Err(e) = terminal::resume(terminal, mouse) {
                    tracing::error!(error = %e, "cannot take the terminal back after the editor");
                }
            }
        }
    }
}

/// Why [`drive`] returned.
pub enum Outcome {
    /// The app quit, the input ended, or `stop` resolved.
    Done,
    /// The app wants a document edited in the user's editor: the caller
    /// gives up the terminal, runs it, reports to
    /// [`App::on_external_edit`] and drives the app again.
    EditExternally(Box<App>, external::ExternalEdit),
}

/// The loop, for any backend and input stream (the benchmark drives it with
/// a test backend and scripted keys). Returns when the app quits, the input
/// ends, or `stop` resolves, and when the app asks for the external editor
/// (see [`Outcome`]). `after_draw` sees every drawn frame.
pub async fn drive<B, I>(
    terminal: &mut ratatui::Terminal<B>,
    mut app: App,
    client: &mut Connection,
    mut input: I,
    stop: impl std::future::Future<Output = ()>,
    mut after_draw: impl FnMut(&ratatui::Terminal<B>),
) -> std::io::Result<Outcome>
where
    B: ratatui::backend::Backend,
    B::Error: std::fmt::Display,
    I: futures::Stream<Item = std::io::Result<crossterm::event::Event>> + Unpin,
{
    let (found_tx, mut found_rx) = mpsc::channel(1);
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut retry = tokio::time::interval(RECONNECT);
    retry.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut engine_alive = true;
    let mut reconnecting = false;
    let (reconnected_tx, mut reconnected_rx) = mpsc::channel(1);
    let mut dirty = true;
    let mut urgent = true;
    let mut last_draw = Instant::now() - FRAME;
    let mut stop = std::pin::pin!(stop);

    loop {
        let mut external = None;
        for effect in app.take_effects() {
            match effect {
                Effect::Send(op) => {
                    if !engine_alive {
                        app.on_not_sent(op);
                    } else if let Err(e) = client.send(op.clone()).await {
                        engine_alive = false;
                        app.on_disconnected(&e.to_string());
                        app.on_not_sent(op);
                    }
                }
                Effect::Quit => {}
                Effect::EditExternally(edit) => external = Some(edit),
                Effect::DetectLocalServers => {
                    let tx = found_tx.clone();
                    let candidates = local_candidates();
                    tokio::spawn(async move {
                        let _ = tx.send(detect_local_servers(&candidates).await).await;
                    });
                }
            }
            dirty = true;
        }
        if let Some(edit) = external {
            return Ok(Outcome::EditExternally(Box::new(app), edit));
        }
        if app.should_quit() {
            return Ok(Outcome::Done);
        }
        if dirty && (urgent || last_draw.elapsed() >= FRAME) {
            terminal
                .draw(|f| app.render(f))
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            after_draw(terminal);
            last_draw = Instant::now();
            dirty = false;
            urgent = false;
        }
        let draw_at = last_draw + FRAME;
        tokio::select! {
            event = input.next() => match event {
                Some(Ok(event)) => {
                    app.on_terminal(event);
                    dirty = true;
                    urgent = true;
                }
                Some(Err(e)) => return Err(e),
                None => return Ok(Outcome::Done),
            },
            msg = client.recv(), if engine_alive => {
                let mut next = Some(msg);
                // Take every event already waiting before drawing.
                while let Some(msg) = next.take() {
                    match msg {
                        Ok(msg) => app.on_engine(msg),
                        Err(ClientError::Lagged(_)) => app.resync(),
                        Err(ClientError::Closed) => {
                            engine_alive = false;
                            app.on_disconnected("the engine stopped");
                            break;
                        }
                    }
                    next = client.recv().now_or_never();
                }
                dirty = true;
            },
            Some(servers) = found_rx.recv() => {
                app.on_local_servers(servers);
                dirty = true;
            }
            _ = ticker.tick(), if app.wants_ticks() => {
                app.tick();
                dirty = true;
            }
            // Reconnecting runs beside the loop, so the screen stays live
            // even when a daemon accepts but does not answer.
            _ = retry.tick(), if !engine_alive && !reconnecting && client.is_daemon() => {
                if let Some((path, kind)) = client.daemon_address() {
                    reconnecting = true;
                    let tx = reconnected_tx.clone();
                    tokio::spawn(async move {
                        let _ = tx.send(daemon::SocketClient::connect(&path, &kind).await.ok()).await;
                    });
                }
            }
            Some(fresh) = reconnected_rx.recv() => {
                reconnecting = false;
                if let Some(fresh) = fresh {
                    client.replace(fresh);
                    engine_alive = true;
                    app.on_reconnected();
                    dirty = true;
                }
            }
            _ = tokio::time::sleep_until(draw_at), if dirty => {}
            _ = &mut stop => return Ok(Outcome::Done),
        }
    }
}

/// Default local server addresses; `IRONCLAW_LOCAL_SERVERS` replaces them
/// (`name=url,name=url`), e.g. for a server on another port.
fn local_candidates() -> Vec<(String, String)> {
    match std::env::var("IRONCLAW_LOCAL_SERVERS") {
        Ok(list) if !list.trim().is_empty() => list
            .split(',')
            .filter_map(|item| {
                let (name, url) = item.split_once('=')?;
                Some((name.trim().to_string(), url.trim().to_string()))
            })
            .collect(),
        _ => LOCAL_CANDIDATES
            .iter()
            .map(|(n, u)| (n.to_string(), u.to_string()))
            .collect(),
    }
}
