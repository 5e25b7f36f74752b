//! The JSON report: the complete record, and the input `attestor report` re-renders from.

use super::Report;
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;

/// Streams the report as pretty JSON (the same bytes as [`render`]) with a trailing newline.
pub fn write(report: &Report, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, report)?;
    w.write_all(b"\n")
}

/// One compact JSON object per result and line (JSON Lines), in the report's order.
pub fn write_lines(report: &Report, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    for result in &report.results {
        serde_json::to_writer(&mut *w, result)?;
        w.write_all(b"\n")?;
    }
    Ok(())
}

pub fn render(report: &Report) -> Result<String, Diagnostic> {
    crate::json::pretty(report).map_err(|e| {
        Diagnostic::error(
            Code::Internal,
            format!("the JSON report could not be written: {e}"),
        )
        .with_help("this is a bug in attestor: please report it with the command you ran")
    })
}
