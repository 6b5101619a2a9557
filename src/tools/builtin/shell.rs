//! `shell`: run a command with `sh -c`.
//!
//! High risk: a command can do anything the user can, so the engine asks
//! for approval; this file makes the run itself contained and predictable:
//!
//! - **Scrubbed environment.** The child starts from an empty environment
//!   plus [`PASSTHROUGH`] variables and `TERM=dumb`, so API keys and tokens
//!   in IronClaw's own environment never reach commands (or their output).
//! - **Own session, no terminal.** The child calls `setsid()` before exec:
//!   it leads a new session and process group with no controlling
//!   terminal, so a password prompt (`sudo`, `ssh`) fails at once instead of
//!   hanging or scribbling over the UI, and the whole tree can be killed
//!   with one `kill(-pgid, SIGKILL)`. stdin is `/dev/null`.
//! - **Timeouts and interrupts kill the group.** The call races the child
//!   against its timeout (`timeout_secs`, default `ctx.shell_timeout`,
//!   capped at [`MAX_TIMEOUT_FACTOR`] × that) and `ctx.cancel`; either
//!   kills the group and returns promptly. A [`GroupKiller`] guard does the
//!   same if the call's future is dropped (e.g. by the engine's own
//!   timeout), since tokio's `kill_on_drop` only reaches `sh` itself.
//! - **No hanging on leftovers.** When `sh` exits, background processes
//!   that still hold stdout/stderr open get [`PIPE_GRACE`] to finish, then
//!   the group is killed (the output says so). Background jobs whose output
//!   is redirected elsewhere keep running.
//! - **Bounded output.** Each stream keeps its first and last `output_cap`
//!   bytes; long output is shown as head + tail (build errors are usually
//!   at the end) within `output_cap`.
//!
//! A non-zero exit is a successful tool result: the model must see it.
//! Output: `exit code: N`, then `--- stdout ---` and `--- stderr ---`
//! sections (empty ones omitted).

use std::collections::VecDeque;
use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt as _;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::safety::shell::{Analysis, ShellRisk, analyze};
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt};

use super::{parse_args, try_args};
use crate::tools::{Risk, Tool, ToolContext, ToolError, ToolOutput, cap_output, paths};

/// Environment variables passed through to commands (when set).
const PASSTHROUGH: &[&str] = &["PATH", "HOME", "USER", "LANG", "LC_ALL", "TZ", "TMPDIR"];
/// `PATH` used when IronClaw itself has none.
const DEFAULT_PATH: &str = "/usr/local/bin:/usr/bin:/bin";
/// `timeout_secs` may ask for at most this many times `ctx.shell_timeout`.
const MAX_TIMEOUT_FACTOR: u32 = 10;
/// How long background processes may keep the output pipes open after
/// `sh` exits before the group is killed.
const PIPE_GRACE: Duration = Duration::from_secs(1);

pub struct Shell;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Args {
    command: String,
    workdir: Option<String>,
    timeout_secs: Option<u64>,
}

#[async_trait]
impl Tool for Shell {
    fn name(&self) -> &str {
        "shell"
    }

    fn description(&self) -> &str {
        "Run a command with sh -c; returns exit code, stdout and stderr."
    }

    fn parameters(&self) -> Value {
        json!({
            "type": "object",
            "properties": {
                "command": {"type": "string"},
                "workdir": {"type": "string"},
                "timeout_secs": {"type": "integer", "minimum": 1}
            },
            "required": ["command"],
            "additionalProperties": false
        })
    }

    /// The whole command line is analysed (pipelines, chains, substitutions,
    /// wrappers such as `env`, `sudo`, `sh -c`): anything dangerous anywhere
    /// in it makes the call high risk, which always asks.
    fn risk(&self, args: &Value) -> Risk {
        match analysis(args) {
            Some(a) if a.risk < ShellRisk::Dangerous => Risk::Medium,
            _ => Risk::High,
        }
    }

    /// "Approve for session" covers commands of the same class only:
    /// approving `ls` never approves a write, a download or `rm -rf`.
    fn approval_scope(&self, args: &Value) -> String {
        match analysis(args) {
            Some(a) => format!("shell:{}", risk_name(a.risk)),
            None => "shell:unparsed".into(),
        }
    }

    fn auto_approvable(&self, args: &Value) -> bool {
        matches!(analysis(args), Some(a) if a.risk == ShellRisk::ReadOnly)
    }

    /// Generous: the tool enforces its own, argument-dependent timeout
    /// (at most 10 × `ctx.shell_timeout`) and kills the process group.
    fn timeout(&self) -> Duration {
        Duration::from_secs(3600)
    }

    fn summarize(&self, args: &Value) -> String {
        match (try_args::<Args>(args), analysis(args)) {
            (Some(a), Some(an)) if an.risk == ShellRisk::Dangerous && !an.reasons.is_empty() => {
                format!("{}  — {}", a.command, an.reasons.join("; "))
            }
            (Some(a), _) => a.command,
            (None, _) => args.to_string(),
        }
    }

    async fn call(&self, args: Value, ctx: &ToolContext) -> Result<ToolOutput, ToolError> {
        let args: Args = parse_args(args)?;
        if args.command.trim().is_empty() {
            return Err(ToolError::InvalidArguments("`command` is empty".into()));
        }
        if args.command.contains('\0') {
            return Err(ToolError::InvalidArguments(
                "`command` contains a NUL byte".into(),
            ));
        }
        let max = ctx.shell_timeout * MAX_TIMEOUT_FACTOR;
        let timeout = match args.timeout_secs {
            Some(0) => {
                return Err(ToolError::InvalidArguments(
                    "`timeout_secs` must be at least 1".into(),
                ));
            }
            Some(s) => Duration::from_secs(s).min(max),
            None => ctx.shell_timeout,
        };
        let dir = match &args.workdir {
            Some(w) => paths::resolve(w, ctx)?,
            None => ctx.workdir.clone(),
        };
        if !dir.is_dir() {
            return Err(ToolError::Failed(format!(
                "workdir {} is not a directory",
                dir.display()
            )));
        }
        run(&args.command, &dir, timeout, ctx).await
    }
}

async fn run(
    command: &str,
    dir: &std::path::Path,
    timeout: Duration,
    ctx: &ToolContext,
) -> Result<ToolOutput, ToolError> {
    let mut cmd = tokio::process::Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .current_dir(dir)
        .env_clear()
        .envs(scrubbed_env(|k| std::env::var_os(k)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    // SAFETY: `setsid` is async-signal-safe and touches no memory of the
    // parent; it is the only thing run between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| ToolError::Failed(format!("cannot start sh: {e}")))?;
    let mut killer = GroupKiller(child.id().and_then(|p| i32::try_from(p).ok()));
    tracing::debug!(command, pgid = ?killer.0, ?timeout, "shell started");

    let cap = ctx.output_cap.max(1);
    let stdout = Arc::new(Mutex::new(Capture::new(cap)));
    let stderr = Arc::new(Mutex::new(Capture::new(cap)));
    let mut pumps = tokio::task::JoinSet::new();
    if let Some(out) = child.stdout.take() {
        pumps.spawn(pump(out, stdout.clone()));
    }
    if let Some(err) = child.stderr.take() {
        pumps.spawn(pump(err, stderr.clone()));
    }

    let status: ExitStatus = tokio::select! {
        biased;
        _ = ctx.cancel.cancelled() => {
            killer.kill();
            let _ = child.wait().await;
            tracing::info!(command, "shell cancelled by the user");
            return Err(ToolError::Cancelled);
        }
        _ = tokio::time::sleep(timeout) => {
            killer.kill();
            let _ = child.wait().await;
            tracing::info!(command, ?timeout, "shell timed out");
            return Err(ToolError::Timeout(timeout));
        }
        status = child.wait() => status
            .map_err(|e| ToolError::Failed(format!("waiting for sh failed: {e}")))?,
    };

    // `sh` is done; wait for the pipes to close, killing lingerers.
    let drained = tokio::time::timeout(PIPE_GRACE, drain(&mut pumps))
        .await
        .is_ok();
    if !drained {
        killer.kill();
        // Processes that escaped the group (their own `setsid`) may still
        // hold a pipe: give up on them after a moment.
        let _ = tokio::time::timeout(Duration::from_millis(200), drain(&mut pumps)).await;
        pumps.abort_all();
    }
    killer.disarm();

    let mut text = match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code: {code}"),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        (None, None) => "exit status unknown".to_string(),
    };
    let (out, err) = (take(&stdout), take(&stderr));
    let both = !out.is_empty() && !err.is_empty();
    // Leave room for the status line, section headers and notices.
    let budget = cap.saturating_sub(256).max(64);
    let share = if both { budget / 2 } else { budget };
    if !out.is_empty() {
        text.push_str("\n--- stdout ---\n");
        text.push_str(&out.render(share));
    }
    if !err.is_empty() {
        text.push_str("\n--- stderr ---\n");
        text.push_str(&err.render(share));
    }
    if out.is_empty() && err.is_empty() {
        text.push_str("\n[no output]");
    }
    if !drained {
        text.push_str(
            "\n[background processes still holding the output open were killed; \
             redirect their output to keep them running]",
        );
    }
    Ok(ToolOutput::text(cap_output(text, cap)))
}

/// The environment commands see: [`PASSTHROUGH`] variables that are set,
/// a default `PATH` if there is none, and `TERM=dumb`. Nothing else.
fn scrubbed_env(get: impl Fn(&str) -> Option<OsString>) -> Vec<(OsString, OsString)> {
    let mut env: Vec<(OsString, OsString)> = PASSTHROUGH
        .iter()
        .filter_map(|k| get(k).map(|v| (OsString::from(k), v)))
        .collect();
    if !env.iter().any(|(k, _)| k == "PATH") {
        env.push(("PATH".into(), DEFAULT_PATH.into()));
    }
    env.push(("TERM".into(), "dumb".into()));
    env
}

/// Kills the command's whole process group (its pgid is the child's pid,
/// thanks to `setsid`) when told to or when dropped while armed.
struct GroupKiller(Option<i32>);

impl GroupKiller {
    fn kill(&mut self) {
        if let Some(pgid) = self.0.take()
            && pgid > 0
        {
            // SAFETY: plain syscall; a negative pid addresses the group.
            let rc = unsafe { libc::kill(-pgid, libc::SIGKILL) };
            tracing::debug!(pgid, rc, "killed shell process group");
        }
    }

    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for GroupKiller {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One stream's output: the first `cap` bytes, the last `cap` bytes and
/// the total count, in bounded memory however much the command prints.
struct Capture {
    cap: usize,
    head: Vec<u8>,
    tail: VecDeque<u8>,
    total: usize,
}

impl Capture {
    fn new(cap: usize) -> Self {
        Self {
            cap,
            head: Vec::new(),
            tail: VecDeque::new(),
            total: 0,
        }
    }

    fn push(&mut self, mut data: &[u8]) {
        self.total += data.len();
        let room = self.cap - self.head.len();
        if room > 0 {
            let n = room.min(data.len());
            self.head.extend_from_slice(&data[..n]);
            data = &data[n..];
        }
        if data.len() >= self.cap {
            data = &data[data.len() - self.cap..];
            self.tail.clear();
        }
        let overflow = (self.tail.len() + data.len()).saturating_sub(self.cap);
        self.tail.drain(..overflow);
        self.tail.extend(data);
    }

    fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The stream in at most about `limit` bytes: whole if it fits, else
    /// its start and end around an omission notice.
    fn render(&self, limit: usize) -> String {
        let complete = self.total == self.head.len() + self.tail.len();
        let whole = || {
            self.head
                .iter()
                .chain(self.tail.iter())
                .copied()
                .collect::<Vec<u8>>()
        };
        if complete && self.total <= limit {
            return String::from_utf8_lossy(&whole())
                .trim_end_matches('\n')
                .to_string();
        }
        let half = limit / 2;
        let head = &self.head[..half.min(self.head.len())];
        // The end of the stream: the tail buffer, or head + tail when
        // nothing was dropped between them.
        let mut end = if complete {
            whole()
        } else {
            self.tail.iter().copied().collect()
        };
        end.drain(..end.len() - half.min(end.len()));
        let omitted = self.total - head.len() - end.len();
        format!(
            "{}\n[… {omitted} bytes omitted …]\n{}",
            String::from_utf8_lossy(head),
            String::from_utf8_lossy(&end).trim_end_matches('\n')
        )
    }
}

fn take(c: &Arc<Mutex<Capture>>) -> std::sync::MutexGuard<'_, Capture> {
    c.lock().unwrap_or_else(|p| p.into_inner())
}

async fn pump(mut reader: impl AsyncRead + Unpin, sink: Arc<Mutex<Capture>>) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match reader.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => take(&sink).push(&buf[..n]),
        }
    }
}

async fn drain(pumps: &mut tokio::task::JoinSet<()>) {
    while pumps.join_next().await.is_some() {}
}

/// The safety layer's analysis of the `command` argument.
fn analysis(args: &Value) -> Option<Analysis> {
    try_args::<Args>(args).map(|a| analyze(&a.command))
}

fn risk_name(risk: ShellRisk) -> &'static str {
    match risk {
        ShellRisk::ReadOnly => "read_only",
        ShellRisk::Write => "write",
        ShellRisk::Network => "network",
        ShellRisk::Dangerous => "dangerous",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::paths::tests::test_ctx;
    use std::time::Instant;

    /// Set once for the whole test process; the name is unique to this test.
    const SECRET_VAR: &str = "IRONCLAW_TEST_SECRET_SHELL_SCRUB";

    async fn sh(cmd: &str, ctx: &ToolContext) -> Result<String, ToolError> {
        Shell
            .call(json!({"command": cmd}), ctx)
            .await
            .map(|o| o.content)
    }

    /// Whether `pid` is gone (or a zombie waiting for its reaper).
    fn dead(pid: i32) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            Ok(stat) => stat
                .rsplit_once(") ")
                .is_some_and(|(_, rest)| rest.starts_with('Z') || rest.starts_with('X')),
        }
    }

    async fn wait_dead(pid: i32) -> bool {
        for _ in 0..50 {
            if dead(pid) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        false
    }

    #[tokio::test]
    async fn reports_exit_code_and_both_streams() {
        let t = test_ctx();
        let out = sh("echo out; echo err >&2; exit 3", &t.ctx).await.unwrap();
        assert_eq!(
            out,
            "exit code: 3\n--- stdout ---\nout\n--- stderr ---\nerr"
        );
        let out = sh("true", &t.ctx).await.unwrap();
        assert_eq!(out, "exit code: 0\n[no output]");
        let out = sh("kill -9 $$", &t.ctx).await.unwrap();
        assert_eq!(out, "killed by signal 9\n[no output]");
    }

    #[tokio::test]
    async fn runs_in_workdir_without_terminal_or_stdin() {
        let t = test_ctx();
        std::fs::create_dir(t.work.path().join("sub")).unwrap();
        let out = sh("pwd", &t.ctx).await.unwrap();
        assert!(out.ends_with(&t.ctx.workdir.display().to_string()), "{out}");
        let out = Shell
            .call(
                json!({"command": "pwd; cat; echo done", "workdir": "sub"}),
                &t.ctx,
            )
            .await
            .unwrap()
            .content;
        assert!(out.contains("/sub\ndone"), "{out}");
        let out = sh(
            "(true </dev/tty) 2>/dev/null && echo has-tty || echo no-tty",
            &t.ctx,
        )
        .await
        .unwrap();
        assert!(out.contains("no-tty"), "{out}");
    }

    #[tokio::test]
    async fn environment_is_scrubbed() {
        // SAFETY: set once, under a name no other code reads; std
        // serialises its own environment access.
        unsafe { std::env::set_var(SECRET_VAR, "sk-should-not-leak") };
        let t = test_ctx();
        let out = sh("env", &t.ctx).await.unwrap();
        assert!(!out.contains("sk-should-not-leak"), "{out}");
        assert!(!out.contains(SECRET_VAR));
        for line in out.lines().skip(2) {
            let key = line.split('=').next().unwrap();
            assert!(
                PASSTHROUGH.contains(&key)
                    || ["TERM", "PWD", "SHLVL", "_", "OLDPWD"].contains(&key),
                "unexpected variable {key} in {out}"
            );
        }
        assert!(out.contains("\nTERM=dumb"), "{out}");
        assert!(out.contains("\nPATH="), "{out}");
    }

    #[test]
    fn scrubbed_env_keeps_only_the_allowlist() {
        let fake = |k: &str| match k {
            "HOME" => Some(OsString::from("/home/u")),
            "OPENAI_API_KEY" | "AWS_SECRET_ACCESS_KEY" => Some(OsString::from("secret")),
            _ => None,
        };
        let env = scrubbed_env(fake);
        let keys: Vec<_> = env
            .iter()
            .map(|(k, _)| k.to_string_lossy().into_owned())
            .collect();
        assert_eq!(keys, ["HOME", "PATH", "TERM"]);
        assert_eq!(env[1].1, DEFAULT_PATH);
    }

    #[tokio::test]
    async fn timeout_kills_the_group() {
        let mut t = test_ctx();
        t.ctx.shell_timeout = Duration::from_millis(100);
        let pidfile = t.work.path().join("pid");
        let start = Instant::now();
        // Asks for 100 s; capped at 10 × 100 ms.
        let r = Shell
            .call(
                json!({"command": "sleep 30 & echo $! > pid; wait", "timeout_secs": 100}),
                &t.ctx,
            )
            .await;
        assert_eq!(r, Err(ToolError::Timeout(Duration::from_secs(1))));
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{:?}",
            start.elapsed()
        );
        let pid: i32 = std::fs::read_to_string(pidfile)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(wait_dead(pid).await, "sleep {pid} survived the timeout");
    }

    #[tokio::test]
    async fn cancel_returns_promptly_and_kills_the_group() {
        let t = test_ctx();
        let pidfile = t.work.path().join("pid");
        let cancel = t.ctx.cancel.clone();
        let watcher = {
            let pidfile = pidfile.clone();
            tokio::spawn(async move {
                for _ in 0..100 {
                    if std::fs::read_to_string(&pidfile).is_ok_and(|s| s.ends_with('\n')) {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                cancel.cancel();
                Instant::now()
            })
        };
        let r = sh("sleep 30 & echo $! > pid; wait", &t.ctx).await;
        let returned = Instant::now();
        let cancelled_at = watcher.await.unwrap();
        assert_eq!(r, Err(ToolError::Cancelled));
        assert!(returned - cancelled_at < Duration::from_secs(1));
        let pid: i32 = std::fs::read_to_string(pidfile)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(wait_dead(pid).await, "sleep {pid} survived the cancel");
    }

    #[tokio::test]
    async fn dropping_the_call_kills_the_group() {
        let t = test_ctx();
        let pidfile = t.work.path().join("pid");
        let call = sh("sleep 30 & echo $! > pid; wait", &t.ctx);
        let _ = tokio::time::timeout(Duration::from_millis(300), call).await;
        let pid: i32 = std::fs::read_to_string(pidfile)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(wait_dead(pid).await, "sleep {pid} survived the drop");
    }

    #[tokio::test]
    async fn lingering_background_output_holders_are_killed() {
        let t = test_ctx();
        let start = Instant::now();
        let out = sh("sleep 30 & echo started", &t.ctx).await.unwrap();
        assert!(start.elapsed() < Duration::from_secs(3));
        assert!(
            out.starts_with("exit code: 0\n--- stdout ---\nstarted\n"),
            "{out}"
        );
        assert!(out.contains("background processes"), "{out}");
        // Redirected background jobs are left alone and do not delay us.
        let start = Instant::now();
        let out = sh("sleep 1 >/dev/null 2>&1 & echo ok", &t.ctx)
            .await
            .unwrap();
        assert!(start.elapsed() < Duration::from_millis(900));
        assert_eq!(out, "exit code: 0\n--- stdout ---\nok");
    }

    #[tokio::test]
    async fn long_output_keeps_head_and_tail() {
        let mut t = test_ctx();
        t.ctx.output_cap = 1000;
        let out = sh("seq 1 100000", &t.ctx).await.unwrap();
        assert!(out.len() <= 1000, "{}", out.len());
        assert!(
            out.starts_with("exit code: 0\n--- stdout ---\n1\n2\n3\n"),
            "{out}"
        );
        assert!(out.ends_with("99999\n100000"), "{out}");
        assert!(out.contains("bytes omitted"), "{out}");
    }

    #[tokio::test]
    async fn bad_arguments() {
        let t = test_ctx();
        for args in [
            json!({"command": "  "}),
            json!({"command": "ls", "timeout_secs": 0}),
            json!({"command": "ls", "timeout_secs": -5}),
            json!({"cmd": "ls"}),
        ] {
            let r = Shell.call(args.clone(), &t.ctx).await;
            assert!(
                matches!(r, Err(ToolError::InvalidArguments(_))),
                "{args}: {r:?}"
            );
        }
        let r = Shell
            .call(json!({"command": "ls", "workdir": "nope"}), &t.ctx)
            .await;
        assert!(matches!(r, Err(ToolError::Failed(_))), "{r:?}");
        assert_eq!(Shell.summarize(&json!({"command": "ls -la"})), "ls -la");
        assert_eq!(Shell.risk(&json!({})), Risk::High);
    }

    #[test]
    fn capture_keeps_bounded_head_and_tail() {
        let mut c = Capture::new(4);
        for chunk in [&b"ab"[..], b"cdef", b"ghijklmn", b"o"] {
            c.push(chunk);
        }
        assert_eq!(c.total, 15);
        assert_eq!(c.head, b"abcd");
        assert_eq!(c.tail.iter().copied().collect::<Vec<_>>(), b"lmno");
        assert_eq!(c.render(100), "abcd\n[… 7 bytes omitted …]\nlmno");
        let mut small = Capture::new(100);
        small.push(b"hello\n");
        assert_eq!(small.render(100), "hello");
        assert_eq!(c.render(4), "ab\n[… 11 bytes omitted …]\nno");
    }
}
