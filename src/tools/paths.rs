//! Resolving and guarding the paths that file tools touch.
//!
//! Every path a tool reads, writes, lists or walks goes through [`resolve`]
//! (or [`guard`] for paths found while walking), which:
//!
//! 1. expands a leading `~` to the user's home (`$HOME`); `~user` forms are
//!    rejected rather than guessed at;
//! 2. makes relative paths relative to [`ToolContext::workdir`];
//! 3. normalises `.` and `..` lexically, so `a/../../etc` cannot hide where
//!    it points;
//! 4. resolves symlinks component by component, as far as the path exists.
//!    This is done by hand instead of with `canonicalize` because
//!    `canonicalize` fails on a dangling symlink, and a dangling
//!    `notes.txt -> ~/.ssh/authorized_keys` is exactly what a write could
//!    follow to create a file in a sensitive place;
//! 5. refuses the result (and the lexical form, in case a sensitive
//!    directory is itself a symlink elsewhere) when [`is_sensitive`] says so.
//!
//! The check is a guard against the model wandering (or being steered by a
//! prompt injection) into credentials, not a sandbox: a `shell` call can
//! still read anything, which is why `shell` is high risk and always needs
//! approval. There is an unavoidable window between the check and the use
//! (a symlink swapped in between); tools use the resolved path, which
//! narrows it to a race against a local attacker who could read the files
//! anyway.

use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::path::{Component, Path, PathBuf};

use super::{ToolContext, ToolError};

/// Symlinks followed while resolving one path before giving up (as Linux's
/// `ELOOP` limit).
const MAX_SYMLINK_HOPS: usize = 40;

/// Sensitive locations relative to the home directory, with the reason shown
/// to the model. Directories cover everything inside them.
const HOME_SENSITIVE: &[(&str, &str)] = &[
    (".ssh", "SSH keys"),
    (".aws", "AWS credentials"),
    (".gnupg", "GnuPG keys"),
    (".config/gcloud", "Google Cloud credentials"),
    (".azure", "Azure credentials"),
    (".kube", "Kubernetes credentials"),
    (".docker/config.json", "Docker registry credentials"),
    (".netrc", "network login credentials"),
    (".git-credentials", "Git credentials"),
    (".pgpass", "PostgreSQL passwords"),
];

/// Sensitive system locations (the `-` files are the backups `shadow`
/// tools keep; `sudoers.d` holds the same kind of rules as `sudoers`).
const SYSTEM_SENSITIVE: &[(&str, &str)] = &[
    ("/etc/shadow", "password hashes"),
    ("/etc/shadow-", "password hashes"),
    ("/etc/gshadow", "password hashes"),
    ("/etc/gshadow-", "password hashes"),
    ("/etc/sudoers", "sudo rules"),
    ("/etc/sudoers.d", "sudo rules"),
];

/// File-name prefixes of SSH private keys (their `.pub` halves are public
/// and allowed outside `~/.ssh`).
const KEY_PREFIXES: &[&str] = &["id_rsa", "id_ed25519", "id_ecdsa", "id_dsa"];

/// Extensions (compared case-insensitively) of files that usually hold
/// private keys or certificates with keys.
const KEY_EXTENSIONS: &[&str] = &["pem", "key", "p12", "pfx", "keystore"];

/// The user's home directory: `$HOME`, falling back to what the platform
/// reports for the current user.
pub fn home_dir() -> Option<PathBuf> {
    match std::env::var_os("HOME") {
        Some(h) if !h.is_empty() => Some(PathBuf::from(h)),
        _ => directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf()),
    }
}

/// Turns a tool's `path` argument into an absolute, symlink-resolved path,
/// refusing sensitive locations. See the module docs for the steps.
pub fn resolve(path: &str, ctx: &ToolContext) -> Result<PathBuf, ToolError> {
    if path.is_empty() {
        return Err(ToolError::InvalidArguments("path is empty".into()));
    }
    if path.contains('\0') {
        return Err(ToolError::InvalidArguments(
            "path contains a NUL byte".into(),
        ));
    }
    let expanded = expand_tilde(path)?;
    let absolute = if expanded.is_absolute() {
        expanded
    } else {
        ctx.workdir.join(expanded)
    };
    guard(&normalize(&absolute), ctx)
}

/// Checks an absolute path (for example one met while walking a
/// directory): resolves its symlinks and refuses it when either the given
/// or the resolved form is sensitive. Returns the resolved path.
pub fn guard(path: &Path, ctx: &ToolContext) -> Result<PathBuf, ToolError> {
    guard_with(path, &SensitiveRoots::new(ctx))
}

/// [`guard`] with precomputed roots, for checking many paths.
pub fn guard_with(path: &Path, roots: &SensitiveRoots) -> Result<PathBuf, ToolError> {
    let lexical = normalize(path);
    if let Some(why) = roots.reason(&lexical) {
        return Err(refusal(&lexical, why));
    }
    let real = resolve_symlinks(&lexical)?;
    if let Some(why) = roots.reason(&real) {
        return Err(refusal(&lexical, why));
    }
    Ok(real)
}

fn refusal(path: &Path, why: &str) -> ToolError {
    tracing::info!(path = %path.display(), why, "refused sensitive path");
    ToolError::Refused(format!(
        "{} is a sensitive location ({why}); IronClaw's file tools never read or write it",
        path.display()
    ))
}

/// Why `path` (absolute, normalised) must not be touched by file tools, or
/// `None` when it may be. Builds a [`SensitiveRoots`] for the call; code
/// checking many paths (directory walks) should build one and reuse it.
pub fn is_sensitive(path: &Path, ctx: &ToolContext) -> Option<&'static str> {
    SensitiveRoots::new(ctx).reason(path)
}

/// The sensitive locations of one context, with the home directories in
/// both their given and canonical forms (so a home reached through a
/// symlink, like macOS's `/var` → `/private/var`, still matches). Building
/// it costs a few syscalls; checking a path is then pure string work.
#[derive(Debug, Clone)]
pub struct SensitiveRoots {
    prefixes: Vec<(PathBuf, &'static str)>,
}

impl SensitiveRoots {
    pub fn new(ctx: &ToolContext) -> Self {
        let mut prefixes = Vec::new();
        for home in with_canonical(&ctx.ironclaw_home) {
            prefixes.push((home, "IronClaw's own database, config, secrets and logs"));
        }
        if let Some(home) = home_dir() {
            for home in with_canonical(&home) {
                for (rel, why) in HOME_SENSITIVE {
                    prefixes.push((home.join(rel), *why));
                }
            }
        }
        for (abs, why) in SYSTEM_SENSITIVE {
            prefixes.push((PathBuf::from(abs), *why));
        }
        Self { prefixes }
    }

    /// Why `path` (absolute, normalised) is sensitive, if it is.
    pub fn reason(&self, path: &Path) -> Option<&'static str> {
        self.prefixes
            .iter()
            .find(|(prefix, _)| path.starts_with(prefix))
            .map(|(_, why)| *why)
            .or_else(|| path.file_name().and_then(sensitive_name))
    }
}

/// Sensitivity judged by a file name alone: `.env` files and names that
/// look like private keys.
fn sensitive_name(name: &OsStr) -> Option<&'static str> {
    let name = name.to_string_lossy();
    if name == ".env"
        || (name.starts_with(".env.") && name != ".env.example" && name != ".env.sample")
    {
        return Some("environment file with secrets");
    }
    if KEY_PREFIXES.iter().any(|p| name.starts_with(p)) && !name.ends_with(".pub") {
        return Some("private key");
    }
    if let Some((_, ext)) = name.rsplit_once('.')
        && KEY_EXTENSIONS.iter().any(|k| ext.eq_ignore_ascii_case(k))
    {
        return Some("private key or certificate");
    }
    None
}

/// `p` and, when it differs, its canonical form.
fn with_canonical(p: &Path) -> Vec<PathBuf> {
    let mut out = vec![normalize(p)];
    if let Ok(c) = std::fs::canonicalize(p)
        && c != out[0]
    {
        out.push(c);
    }
    out
}

fn expand_tilde(path: &str) -> Result<PathBuf, ToolError> {
    let Some(rest) = path.strip_prefix('~') else {
        return Ok(PathBuf::from(path));
    };
    if !(rest.is_empty() || rest.starts_with('/')) {
        return Err(ToolError::InvalidArguments(format!(
            "{path}: only `~` and `~/...` are supported, not `~user`"
        )));
    }
    let home = home_dir().ok_or_else(|| {
        ToolError::Failed("cannot expand `~`: the home directory is unknown".into())
    })?;
    Ok(home.join(rest.trim_start_matches('/')))
}

/// Lexical normalisation: drops `.`, applies `..` (never above the root).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() && !path.is_absolute() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Follows symlinks component by component while the path exists; the
/// remainder (a file about to be created) is appended lexically.
fn resolve_symlinks(path: &Path) -> Result<PathBuf, ToolError> {
    let mut pending: VecDeque<OsString> = VecDeque::new();
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::RootDir | Component::Prefix(_) => out.push(c.as_os_str()),
            other => pending.push_back(other.as_os_str().to_owned()),
        }
    }
    let mut hops = 0;
    let mut exists = true;
    while let Some(part) = pending.pop_front() {
        if part == "." {
            continue;
        }
        if part == ".." {
            out.pop();
            continue;
        }
        out.push(&part);
        if !exists {
            continue;
        }
        match std::fs::symlink_metadata(&out) {
            Ok(meta) if meta.file_type().is_symlink() => {
                hops += 1;
                if hops > MAX_SYMLINK_HOPS {
                    return Err(ToolError::Failed(format!(
                        "{}: too many levels of symbolic links",
                        path.display()
                    )));
                }
                let target = std::fs::read_link(&out)
                    .map_err(|e| ToolError::Failed(format!("{}: {e}", out.display())))?;
                out.pop();
                let mut parts: Vec<OsString> = Vec::new();
                for c in target.components() {
                    match c {
                        Component::RootDir | Component::Prefix(_) => {
                            out = PathBuf::from(c.as_os_str());
                            parts.clear();
                        }
                        other => parts.push(other.as_os_str().to_owned()),
                    }
                }
                for p in parts.into_iter().rev() {
                    pending.push_front(p);
                }
            }
            Ok(_) => {}
            Err(_) => exists = false,
        }
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::time::Duration;
    use tokio_util::sync::CancellationToken;

    /// A context whose workdir and IronClaw home are fresh temp dirs.
    pub(crate) struct TestCtx {
        pub ctx: ToolContext,
        pub work: tempfile::TempDir,
        _home: tempfile::TempDir,
    }

    pub(crate) fn test_ctx() -> TestCtx {
        let work = tempfile::tempdir().unwrap();
        let home = tempfile::tempdir().unwrap();
        let ctx = ToolContext {
            workdir: work.path().canonicalize().unwrap(),
            ironclaw_home: home.path().canonicalize().unwrap(),
            cancel: CancellationToken::new(),
            output_cap: 64 * 1024,
            shell_timeout: Duration::from_secs(10),
            http_max_bytes: 1024 * 1024,
            http_allow_private: false,
            workspace: None,
            egress: None,
        };
        TestCtx {
            ctx,
            work,
            _home: home,
        }
    }

    fn assert_refused(r: Result<PathBuf, ToolError>) {
        match r {
            Err(ToolError::Refused(msg)) => {
                assert!(msg.contains("sensitive location"), "{msg}");
                assert!(msg.contains("never read or write it"), "{msg}");
            }
            other => panic!("expected refusal, got {other:?}"),
        }
    }

    #[test]
    fn relative_and_dotdot_paths_resolve_against_workdir() {
        let t = test_ctx();
        let w = &t.ctx.workdir;
        assert_eq!(resolve("a/b.txt", &t.ctx).unwrap(), w.join("a/b.txt"));
        assert_eq!(resolve("./a/../c", &t.ctx).unwrap(), w.join("c"));
        assert_eq!(
            resolve("/../../tmp", &t.ctx).unwrap(),
            PathBuf::from("/tmp")
        );
    }

    #[test]
    fn tilde_expands_to_home() {
        let t = test_ctx();
        let home = home_dir().unwrap();
        let got = resolve("~/some-unlikely-dir/x", &t.ctx).unwrap();
        assert!(got.ends_with("some-unlikely-dir/x"), "{got:?}");
        assert!(
            got.starts_with(&home) || got.starts_with(home.canonicalize().unwrap()),
            "{got:?}"
        );
        assert!(matches!(
            resolve("~root/x", &t.ctx),
            Err(ToolError::InvalidArguments(_))
        ));
    }

    #[test]
    fn bad_paths_are_invalid_arguments() {
        let t = test_ctx();
        assert!(matches!(
            resolve("", &t.ctx),
            Err(ToolError::InvalidArguments(_))
        ));
        assert!(matches!(
            resolve("a\0b", &t.ctx),
            Err(ToolError::InvalidArguments(_))
        ));
    }

    #[test]
    fn sensitive_locations_are_refused() {
        let t = test_ctx();
        assert_refused(resolve("~/.ssh/id_rsa", &t.ctx));
        assert_refused(resolve("~/.ssh", &t.ctx));
        assert_refused(resolve("~/.aws/credentials", &t.ctx));
        assert_refused(resolve("~/.config/gcloud/x.json", &t.ctx));
        assert_refused(resolve("~/.docker/config.json", &t.ctx));
        assert_refused(resolve("~/.netrc", &t.ctx));
        assert_refused(resolve("/etc/shadow", &t.ctx));
        assert_refused(resolve("/etc/sudoers", &t.ctx));
        assert_refused(resolve(".env", &t.ctx));
        assert_refused(resolve("app/.env.production", &t.ctx));
        assert_refused(resolve("certs/server.PEM", &t.ctx));
        assert_refused(resolve("x/id_ed25519", &t.ctx));
        assert_refused(resolve("store.p12", &t.ctx));
        let inside_home = t.ctx.ironclaw_home.join("ironclaw.db");
        assert_refused(resolve(inside_home.to_str().unwrap(), &t.ctx));
        assert_refused(resolve(t.ctx.ironclaw_home.to_str().unwrap(), &t.ctx));
    }

    #[test]
    fn ordinary_lookalikes_are_allowed() {
        let t = test_ctx();
        for ok in [
            ".env.example",
            ".env.sample",
            ".envrc.md",
            "id_rsa.pub",
            "keys.rs",
            "src/key.rs.bak",
            "docs/.sshnotes",
            "/etc/passwd",
            "/etc/shadowsocks.conf",
        ] {
            assert!(resolve(ok, &t.ctx).is_ok(), "{ok} should be allowed");
        }
    }

    #[test]
    fn dotdot_cannot_escape_into_ironclaw_home() {
        let t = test_ctx();
        let home = &t.ctx.ironclaw_home;
        let sneaky = format!(
            "{}/../{}/config.toml",
            home.display(),
            home.file_name().unwrap().to_string_lossy()
        );
        assert_refused(resolve(&sneaky, &t.ctx));
    }

    #[test]
    fn symlinks_into_sensitive_places_are_refused() {
        let t = test_ctx();
        let w = &t.ctx.workdir;
        // A directory symlink into IronClaw's home.
        std::os::unix::fs::symlink(&t.ctx.ironclaw_home, w.join("innocent")).unwrap();
        assert_refused(resolve("innocent/secrets.toml", &t.ctx));
        // A dangling file symlink into ~/.ssh (canonicalize would fail on it).
        let target = home_dir().unwrap().join(".ssh/ironclaw-test-not-there");
        std::os::unix::fs::symlink(&target, w.join("notes.txt")).unwrap();
        assert_refused(resolve("notes.txt", &t.ctx));
        // A relative chain of links ending in a .env file.
        std::fs::create_dir(w.join("real")).unwrap();
        std::fs::write(w.join("real/.env"), "SECRET=1").unwrap();
        std::os::unix::fs::symlink("real/.env", w.join("config.txt")).unwrap();
        std::os::unix::fs::symlink("config.txt", w.join("link2")).unwrap();
        assert_refused(resolve("link2", &t.ctx));
    }

    #[test]
    fn harmless_symlinks_resolve_to_their_target() {
        let t = test_ctx();
        let w = &t.ctx.workdir;
        std::fs::create_dir(w.join("real")).unwrap();
        std::os::unix::fs::symlink("real", w.join("alias")).unwrap();
        assert_eq!(
            resolve("alias/new/file.txt", &t.ctx).unwrap(),
            w.join("real/new/file.txt")
        );
    }

    #[test]
    fn symlink_loops_fail_cleanly() {
        let t = test_ctx();
        let w = &t.ctx.workdir;
        std::os::unix::fs::symlink("b", w.join("a")).unwrap();
        std::os::unix::fs::symlink("a", w.join("b")).unwrap();
        assert!(matches!(resolve("a", &t.ctx), Err(ToolError::Failed(_))));
    }
}
