//! The JSON report: the complete record, and the input `attestor report` re-renders from.

use super::Report;
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;

pub fn render(report: &Report) -> Result<String, Diagnostic> {
    crate::json::pretty(report).map_err(|e| {
        Diagnostic::error(
            Code::Internal,
            format!("the JSON report could not be written: {e}"),
        )
        .with_help("this is a bug in attestor: please report it with the command you ran")
    })
}
