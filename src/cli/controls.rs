//! `attestor controls`: list a framework's controls or questions with the policies that give
//! evidence for each.

use super::args::{ControlsArgs, ListFormat};
use super::common::{internal_json_error, load_policies};
use super::{CliResult, output};
use crate::controls::Framework;
use crate::report::listing::{self, ControlRow};

pub(super) fn run(args: ControlsArgs) -> CliResult {
    let (set, _) = load_policies(&args.policies)?;
    let framework: Framework = args.framework.into();
    let rows: Vec<_> = crate::questionnaire::coverage::coverage(framework, &set)
        .into_iter()
        .filter(|row| !args.lite || row.entry.lite)
        .collect();
    let text = match args.format {
        ListFormat::Json => crate::json::pretty(&rows).map_err(|e| vec![internal_json_error(e)])?,
        ListFormat::Table => {
            let rows: Vec<ControlRow> = rows
                .iter()
                .map(|row| ControlRow {
                    entry: &row.entry,
                    automated: row.automated(),
                    policies: &row.policies,
                    supporting: &row.supporting,
                    manual: &row.manual,
                })
                .collect();
            listing::controls_table(framework, &rows)
        }
    };
    output::write(None, &text)
}
