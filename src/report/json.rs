//! The JSON report: the complete record, and the input `attestor report` re-renders from.

use serde::Serialize;

use super::Report;

pub fn render(report: &Report) -> String {
    pretty(report)
}

/// Pretty JSON with a trailing newline: the form of every JSON document attestor prints.
pub fn pretty<T: Serialize + ?Sized>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}
