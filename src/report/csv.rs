//! CSV: one row per result, with the evidence metadata repeated in trailing columns so every row
//! stands on its own when filtered or pasted elsewhere. Opens in any spreadsheet (RFC 4180).

use super::{Report, Results, metadata_fields};

/// Quotes a field when it holds a separator, quote or line break (RFC 4180).
pub fn field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// One CSV record with its CRLF terminator.
pub fn line<S: AsRef<str>>(fields: impl IntoIterator<Item = S>) -> String {
    let fields: Vec<String> = fields.into_iter().map(|f| field(f.as_ref())).collect();
    format!("{}\r\n", fields.join(","))
}

/// Streams the CSV, one record at a time, the results from `results`.
pub fn write(
    report: &Report,
    results: &Results<'_>,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let meta = metadata_fields(report);
    let mut header = vec![
        "policy_id",
        "severity",
        "status",
        "resource_type",
        "resource_id",
        "resource_name",
        "arn",
        "account_id",
        "region",
        "message",
        "evidence",
        "baseline",
        "waiver",
    ];
    header.extend(meta.iter().map(|(k, _)| *k));
    w.write_all(line(header).as_bytes())?;
    results.for_each(|r| {
        let f = &r.finding;
        let evidence: Vec<String> = f
            .evidence
            .iter()
            .map(|e| format!("{} = {} (expected {})", e.path, e.actual, e.expected))
            .collect();
        let mut row = vec![
            f.policy_id.as_str(),
            r.severity.as_str(),
            f.status.as_str(),
            f.resource_type.as_str(),
            f.resource_id.as_str(),
            f.resource_name.as_deref().unwrap_or_default(),
            f.arn.as_deref().unwrap_or_default(),
            f.account_id.as_str(),
            f.region.as_str(),
            f.message.as_str(),
        ];
        let evidence = evidence.join("\n");
        row.push(&evidence);
        row.push(f.baseline.map_or("", |b| b.as_str()));
        let waiver = f.waiver.as_ref().map_or_else(String::new, |w| {
            format!(
                "{} waived until {} ({}{}): {}",
                w.status.as_str(),
                w.expires,
                w.at,
                w.owner
                    .as_deref()
                    .map(|o| format!(", owner {o}"))
                    .unwrap_or_default(),
                w.justification
            )
        });
        row.push(&waiver);
        row.extend(meta.iter().map(|(_, v)| v.as_str()));
        w.write_all(line(row).as_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(line(["a", "b\nc"]), "a,\"b\nc\"\r\n");
    }
}
