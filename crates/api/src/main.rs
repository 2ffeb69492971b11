//! The `glassbox` binary: see `glassbox --help`.

use clap::Parser;
use glassbox_api::cli::{Cli, run};

/// mimalloc: the list endpoint spends about a tenth of its CPU in the
/// allocator, and mimalloc's per-thread free lists cut that (measured with
/// scripts/bench_list.py).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
