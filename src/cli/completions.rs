//! `attestor completions`: print a shell completion script.

use super::args::Cli;
use super::{CliResult, output};

/// Writes the completion script for `shell`, generated from the flag definitions.
pub(super) fn run(shell: clap_complete::Shell) -> CliResult {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut cmd, "attestor", &mut buffer);
    output::write(None, &String::from_utf8_lossy(&buffer))
}
