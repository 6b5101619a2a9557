//! The `ironclaw` binary: everything lives in the library; this only hands
//! over to the command line and turns its result into an exit code.

fn main() -> std::process::ExitCode {
    ironclaw::cli::main()
}
