//! `confirmation-flow-server [--config PATH] [--listen ADDR]`: see the README.

use std::{io::IsTerminal as _, process::ExitCode};

use clap::Parser;
use confirmation_flow_server::config::{Args, Config};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let args = Args::parse();
    // Logs go to stderr (`RUST_LOG`, default `info`); stdout has the start-up lines only.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours for a terminal only: a log file or journal gets plain text.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let served = Config::from_args(&args).map(|config| {
        let stdin_closes = args.stop_when_stdin_closes;
        runtime.block_on(confirmation_flow_server::run_until(config, stdin_closes))
    });
    match served {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(error)) | Err(error) => {
            eprintln!("confirmation-flow-server: {error}");
            ExitCode::FAILURE
        }
    }
}
