//! `attestor permissions`: print the minimal read-only IAM policy for the API calls attestor makes.

use super::{CliResult, live, output};

pub(super) fn run() -> CliResult {
    output::write(None, &live::permissions()?)
}
