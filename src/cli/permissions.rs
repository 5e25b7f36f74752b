//! `attestor permissions`: print the minimal read-only IAM policy for the API calls attestor makes,
//! and with `--organization` what organisation mode needs besides.

use super::args::PermissionsArgs;
use super::{CliResult, live, output};

pub(super) fn run(args: &PermissionsArgs) -> CliResult {
    let text = if args.organization {
        live::organization_permissions()?
    } else {
        live::permissions()?
    };
    output::write(None, &text)
}
