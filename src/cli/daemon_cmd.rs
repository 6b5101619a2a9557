//! `ironclaw daemon start|stop|status|restart|run` and
//! `ironclaw service install|uninstall`.

use clap::Subcommand;

use super::{CliError, exit};
use crate::config::Loaded;
use crate::daemon::{self, service};

#[derive(Debug, Subcommand)]
pub enum DaemonCommand {
    /// Start the engine in the background (it keeps running after you log out of the shell).
    Start,
    /// Stop it: running turns are interrupted and saved first.
    Stop,
    /// Show pid, version, uptime, socket, attached clients and running turns.
    Status,
    /// Stop it if it runs, then start it.
    Restart,
    /// Run the daemon in the foreground (what `start` and the systemd unit run).
    Run,
}

#[derive(Debug, Subcommand)]
pub enum ServiceCommand {
    /// Write a systemd user unit that runs the daemon, and print how to enable it.
    Install,
    /// Remove the unit.
    Uninstall,
}

pub async fn run_daemon(command: &DaemonCommand, loaded: &Loaded) -> Result<u8, CliError> {
    let paths = &loaded.paths;
    match command {
        DaemonCommand::Run => daemon::run(loaded).await,
        DaemonCommand::Start => {
            let pid = daemon::start(paths).await?;
            println!(
                "daemon started: pid {pid}, socket {}",
                paths.daemon_socket().display()
            );
            println!(
                "`ironclaw` or `ironclaw attach` connects to it; `ironclaw daemon stop` stops it"
            );
            Ok(exit::OK)
        }
        DaemonCommand::Stop => {
            if daemon::stop(paths).await? {
                println!("daemon stopped");
            } else {
                println!("no daemon is running");
            }
            Ok(exit::OK)
        }
        DaemonCommand::Restart => {
            daemon::stop(paths).await?;
            let pid = daemon::start(paths).await?;
            println!(
                "daemon restarted: pid {pid}, socket {}",
                paths.daemon_socket().display()
            );
            Ok(exit::OK)
        }
        DaemonCommand::Status => match daemon::status(paths).await? {
            Some(s) => {
                println!("running");
                println!("  pid:      {}", s.pid);
                println!("  version:  {}", s.version);
                println!("  uptime:   {}", uptime(s.uptime_secs));
                println!("  socket:   {}", paths.daemon_socket().display());
                println!("  clients:  {} attached", s.clients);
                println!("  running:  {} turn(s)", s.running_turns);
                Ok(exit::OK)
            }
            None => {
                println!("not running (start it with `ironclaw daemon start`)");
                Ok(3)
            }
        },
    }
}

pub fn run_service(command: &ServiceCommand, loaded: &Loaded) -> Result<u8, CliError> {
    match command {
        ServiceCommand::Install => {
            let path = service::install(&loaded.paths)?;
            println!("wrote {}", path.display());
            println!("enable and start it:");
            println!("  systemctl --user daemon-reload");
            println!("  systemctl --user enable --now {}", service::UNIT_NAME);
            println!("keep it running after you log out (lingering):");
            println!("  loginctl enable-linger \"$USER\"");
            if std::env::var_os(crate::secrets::master::ENV_VAR).is_some() {
                println!(
                    "note: your master key comes from {}; add it to the unit with `systemctl --user edit {}` (Environment=…), or use the keyring",
                    crate::secrets::master::ENV_VAR,
                    service::UNIT_NAME
                );
            }
            Ok(exit::OK)
        }
        ServiceCommand::Uninstall => {
            let (path, removed) = service::uninstall()?;
            if removed {
                println!("removed {}", path.display());
                println!("  systemctl --user disable --now {}", service::UNIT_NAME);
                println!("  systemctl --user daemon-reload");
            } else {
                println!("no unit at {}", path.display());
            }
            Ok(exit::OK)
        }
    }
}

fn uptime(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m{:02}s", secs / 60, secs % 60),
        _ => format!("{}h{:02}m", secs / 3600, (secs / 60) % 60),
    }
}
