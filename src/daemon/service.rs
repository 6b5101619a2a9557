//! `ironclaw service install|uninstall`: a systemd user unit that runs the
//! daemon at login (and, with lingering enabled, without one). Writing the
//! unit is all this does; enabling it is left to `systemctl`, which the
//! command prints, so nothing changes on the system without the user seeing
//! the command that did it.

use std::path::{Path, PathBuf};

use crate::cli::{CliError, exit};
use crate::config::Paths;

pub const UNIT_NAME: &str = "ironclaw.service";

/// `~/.config/systemd/user/ironclaw.service` (honours `XDG_CONFIG_HOME`).
pub fn unit_path() -> Result<PathBuf, CliError> {
    let base = directories::BaseDirs::new()
        .ok_or_else(|| CliError::new(exit::FAILURE, "cannot find your home directory"))?;
    Ok(base.config_dir().join("systemd/user").join(UNIT_NAME))
}

pub fn unit_text(exe: &Path, paths: &Paths) -> String {
    format!(
        "[Unit]\n\
         Description=IronClaw engine (daemon): ironclaw attach connects to it\n\
         After=network-online.target\n\
         \n\
         [Service]\n\
         Type=simple\n\
         ExecStart=\"{exe}\" daemon run\n\
         Environment=\"IRONCLAW_HOME={home}\"\n\
         Restart=on-failure\n\
         RestartSec=2\n\
         \n\
         [Install]\n\
         WantedBy=default.target\n",
        exe = exe.display(),
        home = paths.home.display(),
    )
}

/// Writes the unit; returns its path.
pub fn install(paths: &Paths) -> Result<PathBuf, CliError> {
    let exe = std::env::current_exe()
        .map_err(|e| CliError::new(exit::FAILURE, format!("cannot find this program: {e}")))?;
    let path = unit_path()?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| {
            CliError::new(
                exit::FAILURE,
                format!("cannot create {}: {e}", dir.display()),
            )
        })?;
    }
    std::fs::write(&path, unit_text(&exe, paths)).map_err(|e| {
        CliError::new(
            exit::FAILURE,
            format!("cannot write {}: {e}", path.display()),
        )
    })?;
    Ok(path)
}

/// Removes the unit; `false` when there was none.
pub fn uninstall() -> Result<(PathBuf, bool), CliError> {
    let path = unit_path()?;
    match std::fs::remove_file(&path) {
        Ok(()) => Ok((path, true)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((path, false)),
        Err(e) => Err(CliError::new(
            exit::FAILURE,
            format!("cannot remove {}: {e}", path.display()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_runs_the_daemon_for_this_home() {
        let paths = Paths::new(PathBuf::from("/home/ada/.ironclaw"));
        let unit = unit_text(Path::new("/home/ada/.local/bin/ironclaw"), &paths);
        // Quoted, so spaces in paths survive.
        assert!(unit.contains("ExecStart=\"/home/ada/.local/bin/ironclaw\" daemon run\n"));
        assert!(unit.contains("Environment=\"IRONCLAW_HOME=/home/ada/.ironclaw\"\n"));
        assert!(unit.contains("WantedBy=default.target"));
    }
}
