//! One daemon per IronClaw home: an exclusive `flock` on `daemon.lock`,
//! held for the daemon's life, with its pid written inside. The kernel
//! drops the lock when the process dies (even by `kill -9`), so a stale
//! file never blocks a new daemon.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Held while the daemon runs.
pub struct Lock {
    _file: File,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("a daemon is already running for this IronClaw home (pid {pid})")]
    Held { pid: String },
    #[error("cannot open {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

pub fn acquire(path: &Path) -> Result<Lock, LockError> {
    let io = |source| LockError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(io)?;
    // A `holder` probe takes the lock for an instant: retry briefly before
    // concluding another daemon has it.
    let mut rc = -1;
    for _ in 0..20 {
        // SAFETY: flock on a descriptor we own; no memory is involved.
        rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    if rc != 0 {
        let mut pid = String::new();
        let _ = file.read_to_string(&mut pid);
        return Err(LockError::Held {
            pid: pid.trim().to_string(),
        });
    }
    file.set_len(0).map_err(io)?;
    file.rewind().map_err(io)?;
    write!(file, "{}", std::process::id()).map_err(io)?;
    file.flush().map_err(io)?;
    Ok(Lock { _file: file })
}

/// The pid in the lock file, if a daemon holds it now.
pub fn holder(path: &Path) -> Option<u32> {
    // A daemon killed a moment ago still holds the lock while the kernel
    // tears it down (its socket may already be closed); wait for that
    // rather than report a dead daemon as running.
    for _ in 0..40 {
        let pid = held_by(path)?;
        if !exiting(pid) {
            return Some(pid);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    held_by(path)
}

fn held_by(path: &Path) -> Option<u32> {
    let file = File::open(path).ok()?;
    // SAFETY: as above; a probe that is released at once (`acquire` retries
    // briefly, so this instant never refuses a starting daemon).
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        // Nobody holds it: no daemon.
        // SAFETY: unlocking the lock we just took.
        unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_UN) };
        return None;
    }
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// Whether `pid` is gone or being torn down (Linux: zombie or dead state).
fn exiting(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name in parentheses.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.trim_start().chars().next())
            .is_some_and(|state| matches!(state, 'Z' | 'X' | 'x')),
        Err(_) => {
            !std::path::Path::new("/proc/self").exists() && {
                // No procfs: ask the kernel whether the pid exists.
                // SAFETY: signal 0 only checks for existence.
                unsafe { libc::kill(pid as libc::pid_t, 0) != 0 }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_acquire_is_refused_with_the_pid_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("daemon.lock");
        let lock = acquire(&path).unwrap();
        assert_eq!(holder(&path), Some(std::process::id()));
        match acquire(&path) {
            Err(LockError::Held { pid }) => assert_eq!(pid, std::process::id().to_string()),
            other => panic!("{:?}", other.err()),
        }
        drop(lock);
        assert_eq!(holder(&path), None);
        let _again = acquire(&path).unwrap();
    }
}
