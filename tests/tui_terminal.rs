//! The terminal workstation in a real terminal: tmux runs `ironclaw`
//! against the scripted LLM server; `send-keys` types, `capture-pane` reads
//! the screen.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use support::llm_server::{Reply, ScriptedLlm};

struct Tmux {
    session: String,
}

impl Tmux {
    fn start(script: &Path, width: u16, height: u16) -> Tmux {
        let session = format!("ironclaw-tui-{}-{}", std::process::id(), fastrand::u32(..));
        let out = tmux(&[
            "new-session",
            "-d",
            "-s",
            &session,
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            "bash",
            script.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Tmux { session }
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&tmux(&["capture-pane", "-p", "-t", &self.session]).stdout)
            .into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session.as_str()];
        args.extend_from_slice(keys);
        tmux(&args);
    }

    /// Types literal text (no key-name interpretation).
    fn type_text(&self, text: &str) {
        tmux(&["send-keys", "-t", &self.session, "-l", text]);
    }

    fn resize(&self, width: u16, height: u16) {
        tmux(&[
            "resize-window",
            "-t",
            &self.session,
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
        ]);
    }

    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("`{needle}` never appeared; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = tmux(&["kill-session", "-t", &self.session]);
    }
}

fn tmux(args: &[&str]) -> Output {
    Command::new("tmux")
        .args(args)
        .output()
        .expect("tmux must be installed for terminal tests (apt-get install tmux)")
}

fn script(dir: &Path, home: &Path, work: &Path, env: &[(&str, String)]) -> std::path::PathBuf {
    script_running(dir, home, work, env, "", "run.sh")
}

/// Like [`script`], running `ironclaw ARGS`, written to `name`.
fn script_running(
    dir: &Path,
    home: &Path,
    work: &Path,
    env: &[(&str, String)],
    args: &str,
    name: &str,
) -> std::path::PathBuf {
    let exports: String = env
        .iter()
        .map(|(k, v)| format!("export {k}='{v}'\n"))
        .collect();
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!(
            "cd '{work}'\nexport IRONCLAW_HOME='{home}' LANG=C.UTF-8 TERM=xterm-256color IRONCLAW_DAEMON_AUTOSTART=false\n{exports}\
             '{bin}' {args}\necho EXITED=$?\nexec bash --norc -i\n",
            work = work.display(),
            home = home.display(),
            bin = env!("CARGO_BIN_EXE_ironclaw"),
        ),
    )
    .unwrap();
    path
}

/// A prompt streams its Markdown answer; a tool call asks for approval and
/// runs once approved; panes switch; a resize to a tiny window shows the
/// notice and back; quitting leaves a clean shell.
#[test]
fn chat_approval_panes_resize_and_clean_exit() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let server = ScriptedLlm::start();
    server.push(
        Reply::text("Hello from **the model**.\n\n- item one\n- item two\n")
            .chunk_delay(Duration::from_millis(20)),
    );
    server.push(Reply::tool_calls([(
        "w1",
        "write_file",
        r#"{"path":"hello.txt","content":"hi"}"#,
    )]));
    server.push(Reply::text("Wrote hello.txt for you."));

    let script = script(
        work.path(),
        home.path(),
        work.path(),
        &[
            ("IRONCLAW_LLM_BASE_URL", server.openai_base_url()),
            ("IRONCLAW_LLM_MODEL", "test-model".into()),
            ("IRONCLAW_LLM_MAX_RETRIES", "0".into()),
        ],
    );
    let t = Tmux::start(&script, 100, 30);
    let screen = t.wait_for("Ask anything");
    assert!(screen.contains("openai:test-model"), "{screen}");
    assert!(screen.contains("1 Chat"), "{screen}");

    t.type_text("say hello");
    t.keys(&["Enter"]);
    let screen = t.wait_for("• item two");
    assert!(screen.contains("> say hello"), "{screen}");
    assert!(screen.contains("Hello from the model."), "{screen}");
    assert!(
        !screen.contains("**"),
        "markdown is rendered, not shown raw:\n{screen}"
    );

    t.type_text("write the file");
    t.keys(&["Enter"]);
    let screen = t.wait_for("Approve tool call?");
    assert!(screen.contains("write_file"), "{screen}");
    assert!(screen.contains("hello.txt"), "{screen}");
    assert!(screen.contains(" s  this tool, this session "), "{screen}");
    // Approvals need the request on screen for a moment before they count.
    std::thread::sleep(Duration::from_millis(500));
    t.keys(&["y"]);
    let screen = t.wait_for("Wrote hello.txt for you.");
    assert!(screen.contains("write_file"), "{screen}");
    assert!(screen.contains("approved once"), "{screen}");
    assert!(!screen.contains("Approve tool call?"), "{screen}");
    assert_eq!(
        std::fs::read_to_string(work.path().join("hello.txt")).unwrap(),
        "hi"
    );

    // Pane switching by function key and Alt-number.
    t.keys(&["F5"]);
    let screen = t.wait_for("DESCRIPTION");
    assert!(screen.contains("write_file"), "{screen}");
    t.keys(&["F4"]);
    t.wait_for("level >= DEBUG");
    // Memory: the seeded identity files, a document opened, a live search
    // (keyword-only here: this test has no model, and says so).
    t.keys(&["F3"]);
    let screen = t.wait_for("SOUL.md");
    assert!(screen.contains("AGENTS.md"), "{screen}");
    t.keys(&["Enter"]);
    t.wait_for("how you work");
    t.keys(&["/"]);
    t.type_text("identity");
    let screen = t.wait_for("IDENTITY.md  keyword #1");
    assert!(
        screen.contains("keyword search only") || screen.contains("note:"),
        "{screen}"
    );
    t.keys(&["Escape"]);
    t.keys(&["M-2"]);
    let screen = t.wait_for("Esc stop");
    assert!(screen.contains("write the file"), "{screen}");
    t.keys(&["F1"]);
    t.wait_for("Wrote hello.txt for you.");

    // Tiny, then back.
    t.resize(30, 8);
    t.wait_for("Terminal too small");
    t.resize(100, 30);
    t.wait_for("Wrote hello.txt for you.");

    t.keys(&["C-q"]);
    let screen = t.wait_for("EXITED=");
    assert!(screen.contains("EXITED=0"), "{screen}");
    // The alternate screen is gone: nothing of the UI is left.
    assert!(!screen.contains("Message"), "{screen}");
    assert!(!screen.contains("1 Chat"), "{screen}");
}

/// Without a model the onboarding dialog opens, offers a detected local
/// server, saves the choice and tests it live.
#[test]
fn onboarding_detects_a_local_server_and_tests_it() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let server = ScriptedLlm::start();
    server.push(Reply::text("ok"));
    let script = script(
        work.path(),
        home.path(),
        work.path(),
        &[(
            "IRONCLAW_LOCAL_SERVERS",
            format!("Scripted={}", server.openai_base_url()),
        )],
    );
    let t = Tmux::start(&script, 100, 30);
    let screen = t.wait_for("Set up a model");
    t.wait_for("Scripted at");
    assert!(screen.contains("no model"), "{screen}");
    t.keys(&["Enter"]);
    let screen = t.wait_for("Model: scripted-model");
    assert!(screen.contains("scripted-model"), "{screen}");
    t.keys(&["Enter"]);
    let screen = t.wait_for("answered");
    assert!(
        screen.contains("test-model") || screen.contains("scripted-model"),
        "{screen}"
    );
    t.keys(&["Enter"]);
    let screen = t.wait_for("openai:scripted-model");
    assert!(!screen.contains("Set up a model"), "{screen}");
    let config = std::fs::read_to_string(home.path().join("config.toml")).unwrap();
    assert!(config.contains("model = \"scripted-model\""), "{config}");
    assert!(config.contains(&server.openai_base_url()), "{config}");
    t.keys(&["C-q"]);
    t.wait_for("EXITED=0");
}

/// The onboarding's API key goes to the encrypted secret store, not to
/// `config.toml`, and the provider uses it.
#[test]
fn onboarding_stores_the_api_key_as_a_secret() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let server = ScriptedLlm::start();
    server.push(Reply::text("ok"));
    let master = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    let key = "sk-proj-Onb0ard1ngK3yVh7Kq2Lm9Np4Rs6Tu8Wx1Yz3";
    let script = script(
        work.path(),
        home.path(),
        work.path(),
        &[
            (
                "IRONCLAW_LOCAL_SERVERS",
                "Nothing=http://127.0.0.1:9/v1".into(),
            ),
            ("IRONCLAW_MASTER_KEY", master.into()),
        ],
    );
    let t = Tmux::start(&script, 100, 30);
    t.wait_for("No local server found");
    // "Another OpenAI-compatible server" is the first choice.
    t.keys(&["Enter"]);
    t.wait_for("URL: http://127.0.0.1:8080/v1");
    for _ in 0.."http://127.0.0.1:8080/v1".len() {
        t.keys(&["BSpace"]);
    }
    t.type_text(&server.openai_base_url());
    t.keys(&["Enter"]);
    t.wait_for("Model: _");
    t.type_text("keyed-model");
    t.keys(&["Enter"]);
    t.wait_for("Key: _");
    t.type_text(key);
    let screen = t.wait_for("Key: ****");
    assert!(!screen.contains(key), "the key is masked:\n{screen}");
    t.keys(&["Enter"]);
    t.wait_for("answered");
    t.keys(&["Enter"]);
    t.wait_for("openai:keyed-model");
    t.keys(&["C-q"]);
    t.wait_for("EXITED=0");

    let config = std::fs::read_to_string(home.path().join("config.toml")).unwrap();
    assert!(!config.contains(key), "{config}");
    assert!(config.contains("keyed-model"), "{config}");
    let request = server.requests().pop().expect("the live test request");
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {key}").as_str())
    );
    let list = Command::new(env!("CARGO_BIN_EXE_ironclaw"))
        .args(["secrets", "list"])
        .env("IRONCLAW_HOME", home.path())
        .env("IRONCLAW_MASTER_KEY", master)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&list.stdout);
    // Stored under a name tied to this server, so it is never sent elsewhere.
    assert!(out.contains("LLM_API_KEY_127_0_0_1_"), "{out}");
    assert!(!out.contains(key));
}

/// SIGHUP (an SSH connection dropping) and SIGTERM leave the terminal as
/// the shell expects it.
#[test]
fn signals_restore_the_terminal() {
    for signal in ["HUP", "TERM"] {
        let home = tempfile::tempdir().unwrap();
        let work = tempfile::tempdir().unwrap();
        let script = script(
            work.path(),
            home.path(),
            work.path(),
            &[("IRONCLAW_LLM_MODEL", "m".into())],
        );
        let t = Tmux::start(&script, 90, 25);
        t.wait_for("Ask anything");
        let shell = String::from_utf8_lossy(
            &tmux(&["list-panes", "-t", &t.session, "-F", "#{pane_pid}"]).stdout,
        )
        .trim()
        .to_string();
        let child = Command::new("pgrep").args(["-P", &shell]).output().unwrap();
        let pid = String::from_utf8_lossy(&child.stdout).trim().to_string();
        assert!(!pid.is_empty(), "ironclaw is running under the shell");
        Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .unwrap();
        let screen = t.wait_for("EXITED=");
        assert!(screen.contains("EXITED=0"), "{signal}: {screen}");
        assert!(!screen.contains("Ask anything"), "{signal}: {screen}");
        // Raw mode is off: the shell echoes typed text with a newline again.
        t.type_text("echo cooked-$((40+2))");
        t.keys(&["Enter"]);
        t.wait_for("cooked-42");
    }
}

/// Two terminals attached to one daemon: an approval shows in both and
/// closes in both when one answers; detaching leaves the daemon running and
/// `ironclaw attach` brings the history back; a daemon killed with -9 shows
/// as disconnected, and the screen reconnects when a new daemon starts.
#[test]
fn two_terminals_share_a_daemon_and_survive_its_restart() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let server = ScriptedLlm::start();
    server.push(Reply::tool_calls([(
        "w1",
        "write_file",
        r#"{"path":"shared.txt","content":"ok"}"#,
    )]));
    server.push(Reply::text("Wrote shared.txt."));
    let env = [
        ("IRONCLAW_LLM_BASE_URL", server.openai_base_url()),
        ("IRONCLAW_LLM_MODEL", "test-model".to_string()),
        ("IRONCLAW_LLM_MAX_RETRIES", "0".to_string()),
    ];
    let daemon = |args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ironclaw"));
        c.args(args)
            .env("IRONCLAW_HOME", home.path())
            .current_dir(work.path());
        for (k, v) in &env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    struct StopDaemon<'a>(&'a dyn Fn(&[&str]) -> Output);
    impl Drop for StopDaemon<'_> {
        fn drop(&mut self) {
            let _ = (self.0)(&["daemon", "stop"]);
        }
    }
    let out = daemon(&["daemon", "start"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _stop = StopDaemon(&daemon);

    let s1 = script_running(
        work.path(),
        home.path(),
        work.path(),
        &env,
        "attach",
        "one.sh",
    );
    let s2 = script_running(
        work.path(),
        home.path(),
        work.path(),
        &env,
        "attach",
        "two.sh",
    );
    let one = Tmux::start(&s1, 100, 30);
    let two = Tmux::start(&s2, 100, 30);
    one.wait_for("Ask anything");
    one.wait_for(" daemon ");
    two.wait_for(" daemon ");

    one.type_text("write the shared file");
    one.keys(&["Enter"]);
    one.wait_for("Approve tool call?");
    let screen = two.wait_for("Approve tool call?");
    assert!(
        screen.contains("in thread: write the shared file"),
        "{screen}"
    );
    // Approvals need the request on screen for a moment before they count.
    std::thread::sleep(Duration::from_millis(500));
    two.keys(&["y"]);
    let screen = one.wait_for("Wrote shared.txt.");
    assert!(!screen.contains("Approve tool call?"), "{screen}");
    assert!(screen.contains("approved once"), "{screen}");
    assert!(!two.screen().contains("Approve tool call?"));

    // Detach the second terminal; the daemon keeps running.
    two.keys(&["C-\\"]);
    let screen = two.wait_for("EXITED=0");
    assert!(
        screen.contains("detached: the engine keeps running"),
        "{screen}"
    );
    let status = daemon(&["daemon", "status"]);
    assert!(String::from_utf8_lossy(&status.stdout).contains("clients:  1 attached"));
    // Attach again and open the thread: its history is there.
    two.type_text(&format!(
        "IRONCLAW_HOME='{}' '{}' attach",
        home.path().display(),
        env!("CARGO_BIN_EXE_ironclaw")
    ));
    two.keys(&["Enter"]);
    two.wait_for("Ask anything");
    two.keys(&["C-t"]);
    two.wait_for("write the shared file");
    two.keys(&["Enter"]);
    two.wait_for("Wrote shared.txt.");

    // The daemon dies: both screens say so and stay usable...
    let pid = String::from_utf8_lossy(&daemon(&["daemon", "status"]).stdout)
        .lines()
        .find_map(|l| l.trim().strip_prefix("pid:").map(|p| p.trim().to_string()))
        .unwrap();
    Command::new("kill").args(["-9", &pid]).status().unwrap();
    let screen = one.wait_for("engine disconnected");
    assert!(
        screen.contains("Wrote shared.txt."),
        "the transcript stays: {screen}"
    );
    two.wait_for("engine disconnected");
    // ...and reconnect when a new daemon starts.
    let out = daemon(&["daemon", "start"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    one.wait_for(" daemon ");
    let screen = two.wait_for(" daemon ");
    assert!(screen.contains("Wrote shared.txt."), "{screen}");
    one.keys(&["C-q"]);
    one.wait_for("EXITED=0");
}

/// `E` hands the terminal to `$EDITOR` (here an interactive script that
/// reads a line from the terminal, so every key must reach it, not the
/// workstation), then saves what it wrote.
#[test]
fn memory_document_in_an_external_editor() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let server = ScriptedLlm::start();
    let editor = work.path().join("editor.sh");
    std::fs::write(
        &editor,
        "printf 'EDITOR READY> '\nread -r line\necho \"$line\" >> \"$1\"\n",
    )
    .unwrap();
    let script = script(
        work.path(),
        home.path(),
        work.path(),
        &[
            ("IRONCLAW_LLM_PROVIDER", "openai".into()),
            ("IRONCLAW_LLM_BASE_URL", server.openai_base_url()),
            ("IRONCLAW_LLM_MODEL", "test-model".into()),
            ("VISUAL", format!("bash {}", editor.display())),
        ],
    );
    let t = Tmux::start(&script, 100, 30);
    t.wait_for("Message");
    t.keys(&["F3"]);
    t.wait_for("SOUL.md");
    t.keys(&["Enter"]);
    t.wait_for("how you work");
    t.keys(&["E"]);
    t.wait_for("EDITOR READY>");
    t.type_text("Always answer in haiku.");
    t.keys(&["Enter"]);
    // Back in the workstation, redrawn in full, showing the saved document.
    let screen = t.wait_for("saved AGENTS.md (version 2)");
    assert!(
        screen.contains("3 Memory") && screen.contains("answer in haiku."),
        "{screen}"
    );
    assert!(
        !screen.contains("EDITOR READY") && !screen.contains("Ctrl-S save · Esc close"),
        "{screen}"
    );
    t.keys(&["C-q"]);
    t.wait_for("EXITED=");
    let out = support::ironclaw(
        env!("CARGO_BIN_EXE_ironclaw"),
        home.path(),
        work.path(),
        &["memory", "read", "AGENTS.md"],
    )
    .output()
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.trim_end().ends_with("Always answer in haiku."),
        "{text}"
    );
}
