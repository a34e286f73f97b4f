use std::process::ExitCode;

use clap::Parser;

// Rendering thousands of pages on all cores is allocation-heavy; mimalloc
// scales across threads where the system allocator contends.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    herald::cli::run(herald::cli::Cli::parse())
}
