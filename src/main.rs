//! The scansim command: parse the command line and dispatch to `scansim::cmd`.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = scansim::cmd::Cli::parse();
    match cli.command.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => match e.downcast_ref::<scansim::cmd::Exit>() {
            Some(exit) => {
                eprintln!("{}", exit.message);
                ExitCode::from(exit.code)
            }
            None => {
                eprintln!("error: {e:#}");
                ExitCode::from(1)
            }
        },
    }
}
