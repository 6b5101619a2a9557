//! Running the real binary on a pseudo-terminal, for the benchmarks that
//! time what a user sees (shared by `tui.rs` and `daemon.rs`).

use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn openpty(cols: u16, rows: u16) -> (OwnedFd, OwnedFd) {
    let mut master = 0;
    let mut slave = 0;
    let ws = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two descriptors it opened; we own them after.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &ws,
        )
    };
    assert_eq!(rc, 0, "openpty failed");
    // SAFETY: both descriptors were just opened and are owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}

/// A child on a fresh terminal of `cols`×`rows`, with the master side.
pub fn spawn(mut cmd: Command, cols: u16, rows: u16) -> (Child, OwnedFd, Instant) {
    let (master, slave) = openpty(cols, rows);
    cmd.stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave));
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(|| {
            libc::setsid();
            libc::ioctl(0, libc::TIOCSCTTY as _, 0);
            Ok(())
        });
    }
    let started = Instant::now();
    let child = cmd.spawn().expect("spawn ironclaw");
    // Close our copies of the slave side: reads on the master then end
    // when the child exits.
    drop(cmd);
    (child, master, started)
}

/// Reads the terminal until `needle` was written; the time since `started`.
pub fn wait_for(master: &OwnedFd, needle: &[u8], started: Instant) -> Option<Duration> {
    let mut reader = std::fs::File::from(master.try_clone().ok()?);
    let mut seen = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        match reader.read(&mut buf) {
            Ok(0) | Err(_) => {
                eprintln!("terminal output so far: {}", String::from_utf8_lossy(&seen));
                return None;
            }
            Ok(n) => {
                seen.extend_from_slice(&buf[..n]);
                if seen.windows(needle.len()).any(|w| w == needle) {
                    return Some(started.elapsed());
                }
            }
        }
    }
}

/// Sends Ctrl-Q, drains the terminal and waits for the child (killing it
/// after 10 s).
pub fn quit(mut child: Child, master: OwnedFd) {
    let mut writer = std::fs::File::from(master.try_clone().unwrap());
    let _ = std::io::Write::write_all(&mut writer, b"\x11");
    let drain = std::thread::spawn(move || {
        let mut f = std::fs::File::from(master);
        let mut b = [0u8; 4096];
        while matches!(f.read(&mut b), Ok(n) if n > 0) {}
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    drop(writer);
    let _ = drain.join();
}

/// VmHWM (peak) or VmRSS (now) of `pid` ("self" for this process), in MB.
pub fn rss_mb(pid: &str, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
