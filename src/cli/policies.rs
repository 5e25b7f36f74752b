//! `attestor policies`: list policies with their severity, resource type and controls.

use super::args::{ListFormat, PoliciesArgs};
use super::common::{internal_json_error, load_policies};
use super::{CliResult, output};
use crate::report::listing;

pub(super) fn run(args: PoliciesArgs) -> CliResult {
    let (set, _) = load_policies(&args.policies)?;
    let text = match args.format {
        ListFormat::Json => {
            listing::policies_json(&set).map_err(|e| vec![internal_json_error(e)])?
        }
        ListFormat::Table => listing::policies_table(&set),
    };
    output::write(None, &text)
}
