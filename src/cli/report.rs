//! `attestor report`: re-render a saved JSON report in other formats, without rescanning.

use super::args::ReportArgs;
use super::common::{load_report, write_report};
use super::{CliResult, exit};

pub(super) fn run(args: ReportArgs) -> CliResult {
    let report = load_report(&args.report)?;
    write_report(&report, &args.out)?;
    Ok(exit::CLEAN)
}
