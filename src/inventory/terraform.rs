//! Terraform plans (`terraform show -json PLAN`): the planned AWS resources as configuration
//! items, so the same policies judge a change before apply.

use std::path::Path;

use super::Loaded;
use crate::diagnostics::Diagnostic;

/// Reads a plan file (UTF-8 with or without BOM, or UTF-16 with BOM).
pub fn load_terraform_plan(path: &Path) -> Result<Loaded, Diagnostic> {
    let _ = path;
    todo!("issue 13: Terraform plans")
}

/// Parses plan JSON already read; `name` is the file name for diagnostics.
pub fn parse_terraform_plan(name: &str, bytes: &[u8]) -> Result<Loaded, Diagnostic> {
    let _ = (name, bytes);
    todo!("issue 13: Terraform plans")
}
