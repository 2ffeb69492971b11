//! The `glassbox` binary: see `glassbox --help`.

use clap::Parser;
use glassbox_api::cli::{Cli, run};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("glassbox: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
