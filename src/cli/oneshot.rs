//! `ironclaw -m "…"`: one prompt, one answer, for scripts and quick questions.
//!
//! Contract: stdout carries only the assistant's reply text, streamed as it
//! arrives (or, with `--json`, one protocol event per line). Progress (tool
//! calls, approvals) goes to stderr when stderr is a terminal; errors always
//! go to stderr. A tool call that needs approval is asked on the terminal
//! when a human is there, and denied otherwise: never silently approved.

use std::io::{IsTerminal, Read, Write};

use super::{Cli, CliError, connect, exit};
use crate::config::Loaded;
use crate::daemon::Connection;
use crate::engine::{ProviderSource, new_id};
use crate::protocol::{
    ApprovalDecision, ApprovalMode, Event, EventMsg, Op, ToolStatus, TurnOutcome,
};

pub async fn run(cli: &Cli, loaded: &Loaded) -> Result<u8, CliError> {
    let stdin_tty = std::io::stdin().is_terminal();
    let (prompt, stdin_consumed) = read_prompt(cli.message.as_deref(), stdin_tty)?;
    let interactive = stdin_tty && !stdin_consumed && std::io::stderr().is_terminal();
    let approvals = match (interactive, cli.auto_approve) {
        (true, false) => ApprovalMode::Interactive,
        (true, true) => ApprovalMode::InteractiveAutoApprove,
        (false, false) => ApprovalMode::Unattended,
        (false, true) => ApprovalMode::UnattendedAutoApprove,
    };

    let overrides = cli.model.is_some() || cli.provider.is_some();
    let mut client = connect(loaded, ProviderSource::FromConfig, "oneshot").await?;
    if overrides && client.is_daemon() {
        return Err(CliError::new(
            exit::USAGE,
            "--model and --provider cannot change the model of the running daemon",
        )
        .hint("choose the model with /model in `ironclaw`, or `ironclaw daemon stop` first"));
    }
    let mut out = Output::new(cli.json);
    expect_hello(&mut client, &mut out).await?;

    let thread_id = match cli.thread.as_deref() {
        Some(id) => resolve_thread(&mut client, &mut out, id).await?,
        None => new_id(),
    };
    out.thread = Some(thread_id.clone());
    client
        .send(Op::UserMessage {
            thread_id: thread_id.clone(),
            text: prompt,
            approvals,
        })
        .await
        .map_err(engine_gone)?;

    let code = follow_turn(&mut client, &mut out, &thread_id).await?;
    client.close().await;
    if out.progress && !cli.json {
        eprintln!("thread {thread_id} (continue it with --thread last)");
    }
    Ok(code)
}

/// The prompt, and whether stdin was read for it.
fn read_prompt(message: Option<&str>, stdin_tty: bool) -> Result<(String, bool), CliError> {
    let read_stdin = || {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| CliError::new(exit::USAGE, format!("cannot read stdin: {e}")))?;
        Ok::<_, CliError>(s)
    };
    let (prompt, consumed) = match message {
        Some("-") => (read_stdin()?, true),
        Some(text) if !stdin_tty => {
            let context = read_stdin()?;
            if context.trim().is_empty() {
                (text.to_string(), true)
            } else {
                (
                    format!("{text}\n\n<stdin>\n{}\n</stdin>", context.trim_end()),
                    true,
                )
            }
        }
        Some(text) => (text.to_string(), false),
        None if !stdin_tty => (read_stdin()?, true),
        None => {
            return Err(CliError::new(
                exit::USAGE,
                "no prompt: the terminal workstation needs a terminal on stdout, and --json needs a prompt",
            )
            .hint("ask a question with `ironclaw -m \"…\"`, or pipe one in on stdin"));
        }
    };
    if prompt.trim().is_empty() {
        return Err(CliError::new(exit::USAGE, "the prompt is empty")
            .hint("pass a prompt with -m \"…\" or on stdin"));
    }
    Ok((prompt, consumed))
}

fn engine_gone<E>(_: E) -> CliError {
    CliError::new(
        exit::FAILURE,
        "the engine stopped unexpectedly; see the log in IRONCLAW_HOME/logs",
    )
}

/// Where events go: stdout text or JSON lines, stderr progress.
struct Output {
    json: bool,
    progress: bool,
    stdout: std::io::Stdout,
    /// Whether the last byte written to stdout was a newline.
    at_line_start: bool,
    /// The thread this run is about: with a daemon, other clients' threads
    /// have events too, and `--json` prints only this one's (and those
    /// about no thread).
    thread: Option<String>,
}

impl Output {
    fn new(json: bool) -> Self {
        Self {
            json,
            progress: std::io::stderr().is_terminal(),
            stdout: std::io::stdout(),
            at_line_start: true,
            thread: None,
        }
    }

    fn event(&mut self, msg: &EventMsg) {
        if !self.json {
            return;
        }
        // Replies to this client always; broadcasts only about our thread.
        if let Some(t) = msg.event.thread_id()
            && msg.to.is_none()
            && self.thread.as_deref() != Some(t)
        {
            return;
        }
        if let Ok(line) = serde_json::to_string(msg) {
            let mut lock = self.stdout.lock();
            let _ = writeln!(lock, "{line}");
            let _ = lock.flush();
        }
    }

    fn text(&mut self, delta: &str) {
        if self.json || delta.is_empty() {
            return;
        }
        let mut lock = self.stdout.lock();
        let _ = lock.write_all(delta.as_bytes());
        let _ = lock.flush();
        self.at_line_start = delta.ends_with('\n');
    }

    fn end_text(&mut self) {
        if !self.json && !self.at_line_start {
            self.text("\n");
        }
    }

    fn progress(&mut self, line: &str) {
        if self.progress {
            self.end_text();
            eprintln!("{line}");
        }
    }
}

async fn recv(client: &mut Connection, out: &mut Output) -> Result<EventMsg, CliError> {
    let msg = client.recv().await.map_err(engine_gone)?;
    out.event(&msg);
    Ok(msg)
}

async fn expect_hello(client: &mut Connection, out: &mut Output) -> Result<(), CliError> {
    match recv(client, out).await?.event {
        Event::Hello { .. } => Ok(()),
        other => Err(CliError::new(
            exit::FAILURE,
            format!("unexpected first event from the engine: {other:?}"),
        )),
    }
}

/// Checks that a thread exists (or finds the latest) through the protocol.
async fn resolve_thread(
    client: &mut Connection,
    out: &mut Output,
    id: &str,
) -> Result<String, CliError> {
    if id == "last" {
        client.send(Op::ListThreads).await.map_err(engine_gone)?;
        loop {
            if let Event::Threads { threads } = recv(client, out).await?.event {
                return threads.first().map(|t| t.id.clone()).ok_or_else(|| {
                    CliError::new(exit::USAGE, "--thread last: there are no threads yet")
                });
            }
        }
    }
    client
        .send(Op::Snapshot {
            thread_id: id.to_string(),
        })
        .await
        .map_err(engine_gone)?;
    loop {
        match recv(client, out).await?.event {
            Event::Snapshot { thread, .. } => return Ok(thread.id),
            Event::Error { kind, message, .. } if kind == "no_such_thread" => {
                return Err(CliError::new(exit::USAGE, message));
            }
            _ => {}
        }
    }
}

async fn follow_turn(
    client: &mut Connection,
    out: &mut Output,
    thread_id: &str,
) -> Result<u8, CliError> {
    let mut denied = false;
    let mut interrupts = 0;
    loop {
        let msg = tokio::select! {
            msg = recv(client, out) => msg?,
            _ = tokio::signal::ctrl_c() => {
                interrupts += 1;
                if interrupts > 1 {
                    out.end_text();
                    return Ok(exit::INTERRUPTED);
                }
                out.progress("^C interrupting… (press Ctrl-C again to quit at once)");
                let _ = client.send(Op::Interrupt { thread_id: thread_id.to_string() }).await;
                continue;
            }
        };
        if msg.event.thread_id().is_some_and(|t| t != thread_id) {
            continue;
        }
        match msg.event {
            Event::TextDelta { delta, .. } => out.text(&delta),
            Event::ToolCallStarted {
                tool,
                arguments,
                risk,
                ..
            } => {
                out.progress(&format!(
                    "· {tool} {} [{risk} risk]",
                    one_line(&arguments.to_string(), 100)
                ));
            }
            Event::ApprovalRequested {
                call_id,
                tool,
                summary,
                risk,
                session_allowed,
                ..
            } => {
                out.end_text();
                tokio::select! {
                    decision = ask(&tool, &summary, risk, session_allowed) => {
                        client
                            .send(Op::Approve { call_id, decision })
                            .await
                            .map_err(engine_gone)?;
                    }
                    _ = tokio::signal::ctrl_c() => {
                        // Interrupting resolves the pending approval too.
                        interrupts += 1;
                        eprintln!();
                        out.progress("^C interrupting…");
                        let _ = client.send(Op::Interrupt { thread_id: thread_id.to_string() }).await;
                    }
                }
            }
            Event::ApprovalResolved {
                decision: ApprovalDecision::Deny,
                reason,
                ..
            } => {
                denied = true;
                if let Some(reason) = reason {
                    out.end_text();
                    eprintln!("denied: {reason}");
                }
            }
            Event::ToolCallFinished {
                tool,
                status,
                duration_ms,
                output,
                findings,
                ..
            } => {
                for f in &findings {
                    out.progress(&format!(
                        "  ! {} ({:?}, {:?}): {}",
                        f.rule, f.severity, f.action, f.message
                    ));
                }
                let mark = if status == ToolStatus::Ok {
                    "✓"
                } else {
                    "✗"
                };
                let detail = if status == ToolStatus::Ok {
                    String::new()
                } else {
                    format!(": {}", one_line(&output, 160))
                };
                out.progress(&format!(
                    "{mark} {tool} {} ({duration_ms} ms){detail}",
                    status.as_str()
                ));
            }
            Event::Error { message, hint, .. } => {
                out.end_text();
                eprintln!("error: {message}");
                if let Some(hint) = hint {
                    eprintln!("  fix: {hint}");
                }
            }
            Event::Warning { message, .. } => {
                out.end_text();
                eprintln!("warning: {message}");
            }
            Event::Compacted {
                summarized_messages,
                ..
            } => {
                out.progress(&format!(
                    "· summarised {summarized_messages} older messages to fit the context"
                ));
            }
            Event::TurnFinished { outcome, .. } => {
                out.end_text();
                return Ok(match outcome {
                    TurnOutcome::Completed if denied => exit::DENIED,
                    TurnOutcome::Completed => exit::OK,
                    TurnOutcome::Interrupted => exit::INTERRUPTED,
                    TurnOutcome::Failed { kind, .. } => exit::for_error_kind(&kind),
                });
            }
            _ => {}
        }
    }
}

/// Asks on the terminal; anything but an explicit yes is a denial.
async fn ask(
    tool: &str,
    summary: &str,
    risk: crate::tools::Risk,
    session_allowed: bool,
) -> ApprovalDecision {
    let choices = if session_allowed {
        "[y] once, [s] for this session, [N] deny"
    } else {
        "[y] once, [N] deny"
    };
    eprint!(
        "Allow {tool} ({risk} risk): {}\n  {choices}: ",
        one_line(summary, 300)
    );
    let _ = std::io::stderr().flush();
    let answer = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map(|_| line)
    })
    .await;
    match answer {
        Ok(Ok(line)) => match line.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" => ApprovalDecision::Once,
            "s" | "session" if session_allowed => ApprovalDecision::Session,
            _ => ApprovalDecision::Deny,
        },
        _ => ApprovalDecision::Deny,
    }
}

/// First line of `s`, cut to `max` characters, control characters removed.
fn one_line(s: &str, max: usize) -> String {
    let line: String = s
        .chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect();
    if line.chars().count() > max {
        let cut: String = line.chars().take(max).collect();
        format!("{cut}…")
    } else {
        line
    }
}
