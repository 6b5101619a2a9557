//! Background mode with real processes: `ironclaw daemon …` runs the
//! engine; clients speak the protocol over its Unix socket.

mod support;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use ironclaw::config::Paths;
use ironclaw::daemon::{ConnectError, SocketClient};
use ironclaw::protocol::{ApprovalDecision, ApprovalMode, Event, Op, TurnOutcome};
use support::llm_server::{Reply, ScriptedLlm};

struct Daemon {
    home: tempfile::TempDir,
    work: tempfile::TempDir,
    server: ScriptedLlm,
}

impl Daemon {
    fn new() -> Daemon {
        Daemon {
            home: tempfile::tempdir().unwrap(),
            work: tempfile::tempdir().unwrap(),
            server: ScriptedLlm::start(),
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = support::ironclaw(
            env!("CARGO_BIN_EXE_ironclaw"),
            self.home.path(),
            self.work.path(),
            args,
        );
        c.env("IRONCLAW_LLM_BASE_URL", self.server.openai_base_url())
            .env("IRONCLAW_LLM_MODEL", "test-model")
            .env("IRONCLAW_LLM_MAX_RETRIES", "0");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    fn start(&self) -> u32 {
        let out = self.run(&["daemon", "start"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        text.split("pid ")
            .nth(1)
            .and_then(|s| s.split(',').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no pid in {text}"))
    }

    fn socket(&self) -> std::path::PathBuf {
        Paths::new(self.home.path().to_path_buf()).daemon_socket()
    }

    async fn client(&self) -> SocketClient {
        let mut c = SocketClient::connect(&self.socket(), "test").await.unwrap();
        match next(&mut c).await {
            Event::Hello { model, .. } => assert_eq!(model, "test-model"),
            other => panic!("{other:?}"),
        }
        c
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if std::thread::panicking() {
            for entry in std::fs::read_dir(self.home.path().join("logs"))
                .into_iter()
                .flatten()
                .flatten()
            {
                eprintln!(
                    "--- {}\n{}",
                    entry.path().display(),
                    std::fs::read_to_string(entry.path()).unwrap_or_default()
                );
            }
        }
        let _ = self.run(&["daemon", "stop"]);
    }
}

async fn next(c: &mut SocketClient) -> Event {
    tokio::time::timeout(Duration::from_secs(20), c.recv())
        .await
        .expect("no event within 20 s")
        .expect("daemon closed")
        .event
}

/// Events until `stop` matches (inclusive).
async fn until(c: &mut SocketClient, stop: impl Fn(&Event) -> bool) -> Vec<Event> {
    let mut out = Vec::new();
    loop {
        let e = next(c).await;
        let done = stop(&e);
        out.push(e);
        if done {
            return out;
        }
    }
}

fn text_of(events: &[Event]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            Event::TextDelta { delta, .. } => Some(delta.as_str()),
            _ => None,
        })
        .collect()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// One daemon, several clients: a turn streams to both, an approval
/// answered in one closes in the other, a client that leaves and comes back
/// sees the history, one-shot commands share the daemon's threads, and a
/// second daemon is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_share_one_engine() {
    let d = Daemon::new();
    let pid = d.start();

    let again = d.run(&["daemon", "start"]);
    assert_eq!(again.status.code(), Some(2));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        err.contains("already running") && err.contains(&pid.to_string()),
        "{err}"
    );

    let mut a = d.client().await;
    let mut b = d.client().await;
    let status = stdout(&d.run(&["daemon", "status"]));
    assert!(status.contains(&format!("pid:      {pid}")), "{status}");
    assert!(status.contains("clients:  2 attached"), "{status}");

    d.server
        .push(Reply::text("Hello to both of you.").chunk_delay(Duration::from_millis(5)));
    let thread = ironclaw::engine::new_id();
    a.send(Op::UserMessage {
        thread_id: thread.clone(),
        text: "hi".into(),
        approvals: ApprovalMode::Interactive,
    })
    .await
    .unwrap();
    let finished = |e: &Event| matches!(e, Event::TurnFinished { .. });
    let seen_a = until(&mut a, finished).await;
    let seen_b = until(&mut b, finished).await;
    assert_eq!(text_of(&seen_a), "Hello to both of you.");
    assert_eq!(text_of(&seen_b), "Hello to both of you.");

    // An approval asked of everyone, answered by B.
    d.server.push(Reply::tool_calls([(
        "w1",
        "write_file",
        r#"{"path":"x.txt","content":"x"}"#,
    )]));
    d.server.push(Reply::text("Done."));
    a.send(Op::UserMessage {
        thread_id: thread.clone(),
        text: "write x".into(),
        approvals: ApprovalMode::Interactive,
    })
    .await
    .unwrap();
    let asked = |e: &Event| matches!(e, Event::ApprovalRequested { .. });
    until(&mut a, asked).await;
    let call_id = match until(&mut b, asked).await.pop() {
        Some(Event::ApprovalRequested { call_id, .. }) => call_id,
        other => panic!("{other:?}"),
    };
    b.send(Op::Approve {
        call_id: call_id.clone(),
        decision: ApprovalDecision::Once,
    })
    .await
    .unwrap();
    until(&mut b, finished).await;
    let seen_a = until(&mut a, finished).await;
    assert!(seen_a.iter().any(|e| matches!(e,
        Event::ApprovalResolved { call_id: c, decision: ApprovalDecision::Once, .. } if *c == call_id)));
    assert!(matches!(
        seen_a.last(),
        Some(Event::TurnFinished {
            outcome: TurnOutcome::Completed,
            ..
        })
    ));
    assert_eq!(
        std::fs::read_to_string(d.work.path().join("x.txt")).unwrap(),
        "x"
    );

    // A leaves; a new connection sees the whole thread.
    drop(a);
    let mut a = d.client().await;
    a.send(Op::Snapshot {
        thread_id: thread.clone(),
    })
    .await
    .unwrap();
    let snap = until(&mut a, |e| matches!(e, Event::Snapshot { .. }))
        .await
        .pop();
    match snap {
        Some(Event::Snapshot { messages, .. }) => {
            let users: Vec<&str> = messages
                .iter()
                .filter(|m| m.role == "user")
                .map(|m| m.content.as_str())
                .collect();
            assert_eq!(users, ["hi", "write x"]);
        }
        other => panic!("{other:?}"),
    }

    // One-shot commands go through the daemon (it alone owns the database);
    // `--json` shows its own thread's events only.
    d.server.push(Reply::text("json answer"));
    let out = d.run(&["--json", "-m", "json question"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json_thread = stdout(&out)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            v.get("thread_id")
                .and_then(|t| t.as_str())
                .map(str::to_string)
        })
        .collect::<std::collections::HashSet<_>>();
    assert_eq!(json_thread.len(), 1, "{json_thread:?}");
    until(&mut b, |e| matches!(e, Event::TurnFinished { .. })).await;
    d.server.push(Reply::text("from one-shot"));
    let out = d.run(&["-m", "one-shot question"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout(&out), "from one-shot\n");
    let list = stdout(&d.run(&["threads", "list"]));
    assert!(
        list.contains("one-shot question") && list.contains("hi"),
        "{list}"
    );
    // B saw the one-shot's turn too.
    let seen_b = until(
        &mut b,
        |e| matches!(e, Event::TurnFinished { thread_id, .. } if *thread_id != thread),
    )
    .await;
    assert_eq!(text_of(&seen_b), "from one-shot");

    let out = d.run(&["daemon", "stop"]);
    assert!(stdout(&out).contains("daemon stopped"), "{}", stdout(&out));
    let mut saw_shutdown = false;
    while let Ok(msg) = b.recv().await {
        saw_shutdown |= matches!(msg.event, Event::ShuttingDown);
    }
    assert!(saw_shutdown, "clients are told the engine is shutting down");
    assert!(stdout(&d.run(&["daemon", "status"])).contains("not running"));
}

/// `kill -9` mid-turn: clients see the connection end, a new daemon starts
/// (the lock died with the old one), and every committed message is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_daemon_loses_no_committed_message() {
    let d = Daemon::new();
    let pid = d.start();
    let mut a = d.client().await;
    d.server
        .push(Reply::text("a slow answer ".repeat(200)).chunk_delay(Duration::from_millis(20)));
    let thread = ironclaw::engine::new_id();
    a.send(Op::UserMessage {
        thread_id: thread.clone(),
        text: "tell me slowly".into(),
        approvals: ApprovalMode::Interactive,
    })
    .await
    .unwrap();
    until(&mut a, |e| matches!(e, Event::TextDelta { .. })).await;
    Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    let end = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if a.recv().await.is_err() {
                break;
            }
        }
    })
    .await;
    assert!(end.is_ok(), "the client noticed the daemon died");

    let pid2 = d.start();
    assert_ne!(pid, pid2);
    let mut a = d.client().await;
    a.send(Op::Snapshot { thread_id: thread }).await.unwrap();
    match until(&mut a, |e| matches!(e, Event::Snapshot { .. }))
        .await
        .pop()
    {
        Some(Event::Snapshot { messages, .. }) => {
            assert!(
                messages
                    .iter()
                    .any(|m| m.role == "user" && m.content == "tell me slowly")
            );
        }
        other => panic!("{other:?}"),
    }
}

/// A client of another protocol version, or one that says nothing
/// sensible, is refused with a message; so is another user.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_handshakes_and_other_users_are_refused() {
    let d = Daemon::new();
    d.start();
    let socket = d.socket();

    let refusal = |hello: &[u8]| -> String {
        let mut s = std::os::unix::net::UnixStream::connect(&socket).unwrap();
        s.write_all(&(hello.len() as u32).to_be_bytes()).unwrap();
        s.write_all(hello).unwrap();
        let mut len = [0u8; 4];
        s.read_exact(&mut len).unwrap();
        let mut body = vec![0u8; u32::from_be_bytes(len) as usize];
        s.read_exact(&mut body).unwrap();
        String::from_utf8(body).unwrap()
    };
    let old = refusal(br#"{"protocol_version":999,"client":"old"}"#);
    assert!(
        old.contains("protocol_mismatch") && old.contains("ironclaw daemon restart"),
        "{old}"
    );
    let junk = refusal(b"GET / HTTP/1.1");
    assert!(junk.contains("bad_handshake"), "{junk}");
    match SocketClient::connect(&socket, "test").await {
        Ok(_) => {}
        Err(e) => panic!("a good client is accepted: {e}"),
    }

    // Another user: even with the modes loosened, the daemon checks the
    // caller's uid (SO_PEERCRED) and refuses.
    if unsafe_geteuid() == 0 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(d.home.path(), std::fs::Permissions::from_mode(0o711)).unwrap();
        std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o666)).unwrap();
        // The binary must be reachable by that user: copy it out of /root.
        let bin_dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(bin_dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let bin = bin_dir.path().join("ironclaw");
        std::fs::copy(env!("CARGO_BIN_EXE_ironclaw"), &bin).unwrap();
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
        let out = Command::new("setpriv")
            .args(["--reuid", "65534", "--regid", "65534", "--clear-groups"])
            .arg(&bin)
            .args(["daemon", "status"])
            .env_clear()
            .env("IRONCLAW_HOME", d.home.path())
            .env("HOME", bin_dir.path())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr);
        assert!(
            text.contains("belongs to another user"),
            "{:?} {text} {}",
            out.status,
            String::from_utf8_lossy(&out.stdout)
        );
        assert_ne!(out.status.code(), Some(0));
    }
    // Not running: a clear error.
    let _ = d.run(&["daemon", "stop"]);
    match SocketClient::connect(&socket, "test").await {
        Err(ConnectError::NotRunning(p)) => assert_eq!(p, socket),
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("connected to a stopped daemon"),
    }
    let out = d.run(&["attach"]);
    assert_ne!(out.status.code(), Some(0));
}

fn unsafe_geteuid() -> u32 {
    // Integration tests cannot call libc without the crate; read it from /proc.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2))
                .and_then(|u| u.parse().ok())
        })
        .unwrap_or(u32::MAX)
}

#[test]
fn service_unit_is_written_and_removed() {
    let d = Daemon::new();
    let mut c = d.cmd(&["service", "install"]);
    c.env("XDG_CONFIG_HOME", d.work.path().join("config"));
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let unit = d.work.path().join("config/systemd/user/ironclaw.service");
    let text = std::fs::read_to_string(&unit).unwrap();
    assert!(text.contains("daemon run"), "{text}");
    assert!(text.contains(&format!("\"IRONCLAW_HOME={}\"", d.home.path().display())));
    assert!(stdout(&out).contains("loginctl enable-linger"));
    let mut c = d.cmd(&["service", "uninstall"]);
    c.env("XDG_CONFIG_HOME", d.work.path().join("config"));
    assert!(c.output().unwrap().status.success());
    assert!(!Path::new(&unit).exists());
}

/// A client that stops reading is dropped after the write deadline; the
/// engine and the other clients never wait for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_dropped() {
    let d = Daemon::new();
    d.start();
    let mut good = d.client().await;
    // Says hello, then never reads.
    let mut stuck = std::os::unix::net::UnixStream::connect(d.socket()).unwrap();
    let hello = br#"{"protocol_version":1,"client":"stuck"}"#;
    stuck
        .write_all(&(hello.len() as u32).to_be_bytes())
        .unwrap();
    stuck.write_all(hello).unwrap();
    let sender = d.client().await;
    let title = "x".repeat(20_000);
    let started = std::time::Instant::now();
    for _ in 0..200 {
        sender
            .send(Op::NewThread {
                thread_id: None,
                title: Some(title.clone()),
            })
            .await
            .unwrap();
    }
    let mut created = 0;
    while created < 200 {
        if let Event::ThreadCreated { .. } = next(&mut good).await {
            created += 1;
        }
    }
    // 4 MB of events reached the reading client while the other was stuck.
    assert!(started.elapsed() < Duration::from_secs(15));
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let status = stdout(&d.run(&["daemon", "status"]));
        if status.contains("clients:  2 attached") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the stuck client was never dropped: {status}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    drop(stuck);
}

/// SIGTERM stops the daemon cleanly: clients are told, the socket and the
/// lock are released.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_daemon_cleanly() {
    let d = Daemon::new();
    let pid = d.start();
    let mut a = d.client().await;
    Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    let mut saw_shutdown = false;
    while let Ok(Ok(msg)) = tokio::time::timeout(Duration::from_secs(10), a.recv()).await {
        saw_shutdown |= matches!(msg.event, Event::ShuttingDown);
    }
    assert!(saw_shutdown);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while d.socket().exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the socket was not removed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(stdout(&d.run(&["daemon", "status"])).contains("not running"));
}
