//! The JSON report: the complete record, and the input `attestor report` re-renders from.

use serde::Serialize;

use super::{ManualClaimInfo, PolicyInfo, PolicySetInfo, Report, Results, Summary, Tool};
use crate::inventory::{CollectionError, SourceInfo};

/// Streams the report as pretty JSON with a trailing newline. A value serde cannot write comes
/// back as an `InvalidData` error, never as a short file.
pub fn write(report: &Report, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    write_with(report, &Results::Held(&report.results), w)
}

/// [`write`] with the results from `results` (held, or produced as they are written).
pub fn write_with(
    report: &Report,
    results: &Results<'_>,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let view = View {
        schema_version: report.schema_version,
        tool: &report.tool,
        source: &report.source,
        collection_errors: &report.collection_errors,
        not_collected: &report.not_collected,
        evaluated_at: &report.evaluated_at,
        evidence: report.evidence,
        policy_set: &report.policy_set,
        policies: &report.policies,
        manual_claims: &report.manual_claims,
        results: Rows(results),
        summary: &report.summary,
        waivers: &report.waivers,
        baseline: &report.baseline,
        accounts: &report.accounts,
    };
    serde_json::to_writer_pretty(&mut *w, &view)?;
    w.write_all(b"\n")
}

/// [`Report`]'s fields, in its order, with the results from wherever they come. A test checks
/// that it writes what `Report`'s own `Serialize` writes, so the two cannot drift.
#[derive(Serialize)]
struct View<'a> {
    schema_version: u32,
    tool: &'a Tool,
    source: &'a SourceInfo,
    collection_errors: &'a [CollectionError],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    not_collected: &'a [CollectionError],
    evaluated_at: &'a Option<jiff::Timestamp>,
    evidence: crate::eval::EvidenceDetail,
    policy_set: &'a PolicySetInfo,
    policies: &'a [PolicyInfo],
    manual_claims: &'a [ManualClaimInfo],
    results: Rows<'a>,
    summary: &'a Summary,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    waivers: &'a [crate::waivers::WaiverInfo],
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: &'a Option<super::BaselineSummary>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    accounts: &'a [super::AccountSummary],
}

struct Rows<'a>(&'a Results<'a>);

impl Serialize for Rows<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq as _;
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        self.0.for_each(|row| seq.serialize_element(row))?;
        seq.end()
    }
}

/// One compact JSON object per result and line (JSON Lines), in the report's order.
pub fn write_lines(results: &Results<'_>, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    results.for_each(|result| {
        serde_json::to_writer(&mut *w, result)?;
        w.write_all(b"\n")
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_view_writes_what_the_report_writes() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let (set, _) = crate::policy::load::builtin();
        for fixture in ["noncompliant.snapshot.json", "compliant.snapshot.json"] {
            let inventory = crate::inventory::load_snapshot(&root.join("fixtures").join(fixture))
                .unwrap()
                .inventory;
            let evaluation =
                crate::eval::evaluate(&set, &inventory, &crate::eval::Options::default()).unwrap();
            let report = super::Report::new(&set, &inventory, evaluation);
            let mut written = Vec::new();
            super::write(&report, &mut written).unwrap();
            let derived = crate::json::pretty(&report).unwrap();
            assert_eq!(String::from_utf8(written).unwrap(), derived, "{fixture}");
        }
    }

    /// Every fixture and example pack: the streamed JSON, JSON Lines and CSV (results produced a
    /// chunk at a time, chunks of 1, 7 and 8192) are the bytes of the report with every result held.
    #[test]
    fn streamed_reports_are_the_held_reports() {
        use crate::report::{Format, RenderOptions, Report, Results, render_to};
        let cases = crate::testing::fixture_cases();
        let options = RenderOptions {
            color: false,
            max_rows: None,
        };
        for (path, set) in cases {
            let inventory = crate::inventory::load_snapshot(&path).unwrap().inventory;
            let eval_options = crate::eval::Options::default();
            let held = Report::new(
                &set,
                &inventory,
                crate::eval::evaluate(&set, &inventory, &eval_options).unwrap(),
            );
            let prepared = crate::eval::prepare(&set, &inventory, &eval_options).unwrap();
            let counted = Report::counted(&set, &inventory, &prepared, None);
            assert_eq!(counted.summary, held.summary);
            assert_eq!(
                counted.exit_code(crate::policy::Severity::Low, false),
                held.exit_code(crate::policy::Severity::Low, false)
            );
            for format in [Format::Json, Format::Jsonl, Format::Csv] {
                let mut want = Vec::new();
                render_to(&held, format, &options, &mut want).unwrap();
                for chunk in [1, 7, 8192] {
                    let results = Results::produced(&prepared, chunk);
                    let mut got = Vec::new();
                    match format {
                        Format::Json => super::write_with(&counted, &results, &mut got),
                        Format::Jsonl => super::write_lines(&results, &mut got),
                        _ => crate::report::csv::write(&counted, &results, &mut got),
                    }
                    .unwrap();
                    assert!(
                        got == want,
                        "{}: {format:?} in chunks of {chunk}",
                        path.display()
                    );
                }
            }
        }
    }
}
