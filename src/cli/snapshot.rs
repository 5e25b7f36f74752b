//! `attestor snapshot`: read an AWS account live and save it as a snapshot to scan later.

use super::args::SnapshotArgs;
use super::{CliResult, exit, live, output};
use crate::inventory;

pub(super) fn run(args: SnapshotArgs) -> CliResult {
    let policies = if args.policies.is_empty() {
        None
    } else {
        Some(super::common::load_policies(&args.policies)?.0)
    };
    // A snapshot is for later scans, whose --set values are not known yet: every policy given
    // is planned for, configured or not.
    let planned: Option<Vec<&crate::policy::Policy>> =
        policies.as_ref().map(|set| set.policies.iter().collect());
    let inventory = live::collect(&args.aws, planned.as_deref())?;
    let text = inventory::snapshot::to_json(&inventory);
    // Data left out by --policies is recorded, but it is no failure.
    let failed = inventory
        .collection_errors
        .iter()
        .filter(|e| !e.is_not_collected())
        .count();
    output::write(Some(&args.output), &text)?;
    if !args.aws.quiet {
        output::note(format_args!(
            "wrote {} configuration items to {} ({} collection errors)",
            inventory.items.len(),
            args.output.display(),
            failed
        ));
    }
    Ok(if failed == 0 {
        exit::CLEAN
    } else {
        exit::INCOMPLETE
    })
}
