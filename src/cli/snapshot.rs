//! `attestor snapshot`: read an AWS account live and save it as a snapshot to scan later.

use super::args::SnapshotArgs;
use super::{CliResult, exit, live, output};
use crate::inventory;

pub(super) fn run(args: SnapshotArgs) -> CliResult {
    let inventory = live::collect(&args.aws)?;
    let text = inventory::snapshot::to_json(&inventory);
    output::write(Some(&args.output), &text)?;
    if !args.aws.quiet {
        output::note(format_args!(
            "wrote {} configuration items to {} ({} collection errors)",
            inventory.items.len(),
            args.output.display(),
            inventory.collection_errors.len()
        ));
    }
    Ok(if inventory.collection_errors.is_empty() {
        exit::CLEAN
    } else {
        exit::INCOMPLETE
    })
}
