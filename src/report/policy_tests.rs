//! `attestor test` results: one line per case (`ok` or `FAILED` with each mismatch), then a
//! summary.

use crate::policytest::CaseResult;

/// Whether a case failed (some expectation was not met).
pub fn failed(result: &CaseResult) -> bool {
    !result.mismatches.is_empty()
}

/// The results of the cases of `files` test files, in order, then the counts.
pub fn render(results: &[CaseResult], files: usize) -> String {
    let mut out = String::new();
    let mut failed_cases = 0;
    for r in results {
        if failed(r) {
            failed_cases += 1;
            out.push_str(&format!("FAILED  {}:{} {}\n", r.file, r.line, r.name));
            for m in &r.mismatches {
                out.push_str(&format!("          {m}\n"));
            }
        } else {
            out.push_str(&format!("ok      {}:{} {}\n", r.file, r.line, r.name));
        }
    }
    out.push_str(&format!(
        "\nattestor test: {} cases in {} files, {} ok, {failed_cases} not ok\n",
        results.len(),
        files,
        results.len() - failed_cases
    ));
    out
}
