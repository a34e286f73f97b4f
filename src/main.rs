use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    herald::cli::run(herald::cli::Cli::parse())
}
