//! The JSON report: the complete record, and the input `attestor report` re-renders from.

use super::Report;

/// Streams the report as pretty JSON with a trailing newline. A value serde cannot write comes
/// back as an `InvalidData` error, never as a short file.
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
