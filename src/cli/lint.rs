//! `attestor lint`: check policy files (and a person's attestations and scoping) for mistakes.

use super::args::{DiagnosticFormat, LintArgs};
use super::{CliResult, exit, output};
use crate::diagnostics;
use crate::lint;
use crate::policy::load;

pub(super) fn run(args: LintArgs) -> CliResult {
    let (set, parse_diagnostics) = if args.paths.is_empty() {
        load::builtin()
    } else {
        load::from_paths(&args.paths)
    };
    let mut diagnostics = lint::lint(&set, parse_diagnostics);
    // A person's files are checked against the policy set they will be used with. Expiry is
    // judged on today's date here (a lint is a reminder); questionnaires judge it on the report's.
    if let Some(path) = &args.person.attestations {
        let (attestations, parse) = crate::questionnaire::attestations::load(path);
        diagnostics.extend(parse);
        let claims: Vec<&str> = set.manual.iter().map(|m| m.id.value.as_str()).collect();
        let today = jiff::Zoned::now().date();
        diagnostics.extend(attestations.check(&claims, Some(today)));
    }
    if let Some(path) = &args.person.scoping {
        diagnostics.extend(crate::questionnaire::scoping::load(path).1);
    }
    // Waivers are judged on today's date too: a lint is the reminder before they lapse.
    let ids: Vec<&str> = set.policies.iter().map(|p| p.id.value.as_str()).collect();
    for path in &args.waivers {
        let (waivers, parse) = crate::waivers::load(path);
        diagnostics.extend(parse);
        diagnostics.extend(waivers.check(&ids, jiff::Zoned::now().date(), args.allow_long_waivers));
    }
    output::diagnostics(&diagnostics, args.format);
    if matches!(args.format, DiagnosticFormat::Human) {
        let errors = diagnostics
            .iter()
            .filter(|d| d.level == diagnostics::Level::Error)
            .count();
        output::note(format_args!(
            "files: {}, policies: {}, errors: {errors}, warnings: {}",
            set.files.len(),
            set.policies.len(),
            diagnostics.len() - errors
        ));
    }
    Ok(if diagnostics::has_errors(&diagnostics) {
        exit::INVALID
    } else {
        exit::CLEAN
    })
}
