//! Command-line interface: flag definitions ([`args`]) and dispatch. Each command is a few lines
//! that call the library (policy → inventory → eval → report) and map outcomes to documented exit
//! codes; it lives in its own file, with the helpers several share in `common`.

mod args;
mod common;
mod completions;
mod controls;
mod explain;
mod init;
mod lint;
mod live;
mod output;
mod permissions;
mod policies;
mod questionnaire;
mod report;
mod scan;
mod schema;
mod snapshot;
mod summary;
mod test;

use std::process::ExitCode;

use clap::Parser as _;

pub use args::Cli;
use args::{Command, DiagnosticFormat};

use crate::diagnostics::Diagnostic;

/// Exit codes, documented in README.
pub mod exit {
    /// Nothing fails at or above `--fail-on`, and nothing is undecided.
    pub const CLEAN: i32 = 0;
    /// Failing results at or above `--fail-on`.
    pub const FAILURES: i32 = 1;
    /// Bad usage, or an invalid policy or input: nothing was evaluated.
    pub const INVALID: i32 = 2;
    /// No failures, but some results are `error` (could not be decided).
    pub const INCOMPLETE: i32 = 3;
    /// Interrupted (Ctrl-C, SIGTERM): no report was left behind, whole or partial.
    pub const INTERRUPTED: i32 = 130;
}

/// Runs the CLI and returns the process exit code (one of [`exit`]'s).
pub fn main() -> ExitCode {
    // Interrupted: remove what is being written, then stop. Failing to install the handler only
    // loses this clean-up (the default is to stop at once), so it is not fatal.
    let _ = ctrlc::set_handler(|| {
        output::remove_unfinished();
        std::process::exit(exit::INTERRUPTED);
    });
    let code = match Cli::try_parse() {
        Ok(cli) => match run(cli) {
            Ok(code) => code,
            Err(diagnostics) => {
                output::diagnostics(&diagnostics, DiagnosticFormat::Human);
                exit::INVALID
            }
        },
        Err(e) => {
            let code = if e.use_stderr() {
                exit::INVALID
            } else {
                exit::CLEAN
            };
            let _ = e.print();
            code
        }
    };
    // Every code in `exit` fits a byte; anything else would be a bug, and still a failure.
    u8::try_from(code).map_or(ExitCode::FAILURE, ExitCode::from)
}

/// A command's exit code, or the diagnostics that stopped it (exit 2).
type CliResult = Result<i32, Vec<Diagnostic>>;

fn run(cli: Cli) -> CliResult {
    match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Test(args) => test::run(args),
        Command::Report(args) => report::run(args),
        Command::Questionnaire(args) => questionnaire::run(args),
        Command::Policies(args) => policies::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Init(args) => init::run(args),
        Command::Controls(args) => controls::run(args),
        Command::Snapshot(args) => snapshot::run(args),
        Command::Permissions(args) => permissions::run(&args),
        Command::Schema(args) => schema::run(args),
        Command::Completions { shell } => completions::run(shell),
    }
}
