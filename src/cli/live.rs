//! The CLI side of live collection: a runtime, a progress bar, and a clear message when the binary
//! was built without the `live` feature.

use super::args::AwsArgs;
#[cfg(feature = "live")]
use super::output;
use crate::diagnostics::{Code, Diagnostic};
use crate::inventory::Inventory;
use crate::policy::Policy;

/// Reads AWS live: what `policies` read, or everything without them.
#[cfg(feature = "live")]
pub fn collect(args: &AwsArgs, policies: Option<&[&Policy]>) -> Result<Inventory, Vec<Diagnostic>> {
    use std::io::IsTerminal as _;
    use std::sync::Arc;

    // Narrowing flags say which of several accounts to read: alone they would be ignored.
    let several = args.org_role.is_some() || !args.role_arns.is_empty();
    let narrowing = [
        ("--accounts", !args.accounts.is_empty()),
        ("--exclude-accounts", !args.exclude_accounts.is_empty()),
        ("--external-id", args.external_id.is_some()),
    ];
    if let Some((flag, _)) = narrowing.iter().find(|(_, given)| *given && !several) {
        return Err(vec![
            Diagnostic::error(
                Code::InvalidArgument,
                format!("{flag} applies to several accounts: it needs --org-role or --role-arn"),
            )
            .with_help("add --org-role NAME to read the organisation's accounts, or --role-arn ARN for each account"),
        ]);
    }

    let show_bar = !args.quiet
        && !args.verbose
        && std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none();
    let bar = show_bar.then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} service×region {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let found = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let progress: Option<Arc<dyn Fn(crate::collect::Progress) + Send + Sync>> =
        if let Some(bar) = bar.clone() {
            let found = found.clone();
            Some(Arc::new(move |p: crate::collect::Progress| {
                let total =
                    found.fetch_add(p.resources, std::sync::atomic::Ordering::SeqCst) + p.resources;
                bar.set_length(p.total as u64);
                bar.set_position(p.done as u64);
                bar.set_message(if p.accounts_total > 1 {
                    format!(
                        "{total} resources, accounts {}/{} ({} {} {})",
                        p.accounts_done, p.accounts_total, p.account_id, p.service, p.region
                    )
                } else {
                    format!("{total} resources ({} {})", p.service, p.region)
                });
            }))
        } else if args.verbose {
            Some(Arc::new(|p: crate::collect::Progress| {
                if p.accounts_total > 1 {
                    output::note(format_args!(
                        "[{}/{}] account {} {} {}: {} resources, {} errors (accounts done {}/{})",
                        p.done,
                        p.total,
                        p.account_id,
                        p.service,
                        p.region,
                        p.resources,
                        p.errors,
                        p.accounts_done,
                        p.accounts_total
                    ));
                } else {
                    output::note(format_args!(
                        "[{}/{}] {} {}: {} resources, {} errors",
                        p.done, p.total, p.service, p.region, p.resources, p.errors
                    ));
                }
            }))
        } else {
            None
        };
    let options = crate::collect::Options {
        profile: args.profile.clone(),
        regions: args.regions.clone(),
        all_regions: args.all_regions,
        max_concurrency: args.max_concurrency,
        attempt_timeout: std::time::Duration::from_secs(args.call_timeout.max(1)),
        operation_timeout: std::time::Duration::from_secs(
            args.call_timeout.max(1) * u64::from(args.max_attempts.max(1)) + 10,
        ),
        max_attempts: args.max_attempts.max(1),
        max_concurrency_per_account: args.max_concurrency_per_account.unwrap_or(if several {
            8
        } else {
            args.max_concurrency
        }),
        targets: crate::collect::organization::Targets {
            org_role: args.org_role.clone(),
            role_arns: args.role_arns.clone(),
            only: args.accounts.clone(),
            exclude: args.exclude_accounts.clone(),
            ou: args.ou.clone(),
            external_id: args.external_id.clone(),
            session_name: args.role_session_name.clone(),
            session_duration: std::time::Duration::from_secs(args.role_session_duration),
        },
        plan: plan_for(policies),
        progress,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            vec![Diagnostic::error(
                Code::Runtime,
                format!("cannot start the async runtime: {e}"),
            )]
        })?;
    let result = runtime.block_on(crate::collect::collect(&options));
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let (inventory, log) = result.map_err(|d| vec![d])?;
    let calls = log.calls;
    if let Some(path) = &args.calls_log {
        let text = serde_json::to_string_pretty(&calls).unwrap_or_default();
        std::fs::write(path, text).map_err(|e| {
            vec![Diagnostic::error(
                Code::WriteFailed,
                format!("cannot write {}: {e}", path.display()),
            )]
        })?;
    }
    if args.verbose {
        // The calls made, per service and operation: what a run cost, and where throttling or
        // a denial would bite.
        let mut per_operation: std::collections::BTreeMap<(&str, &str), usize> =
            std::collections::BTreeMap::new();
        for (service, operation) in &calls {
            *per_operation.entry((service, operation)).or_default() += 1;
        }
        let resources = inventory.items.len();
        output::note(format_args!(
            "API calls made: {} for {resources} resources ({:.2} per resource)",
            calls.len(),
            calls.len() as f64 / resources.max(1) as f64
        ));
        for ((service, region), n) in &log.per_region {
            output::note(format_args!("  {service} in {region}: {n}"));
        }
        for ((service, operation), n) in &per_operation {
            output::note(format_args!("  {service} {operation}: {n}"));
        }
        // One line per cause, with the resources it affected.
        for e in &inventory.collection_errors {
            if e.is_not_collected() {
                // This run's own choice, not a stored snapshot's: say why, and how to read it.
                output::note(format_args!(
                    "not read: {}: no policy of this run reads it, so {} ({}) was not called \
                     (scan --collect-all, or snapshot without --policies, reads everything)",
                    e.not_collected_subject(),
                    e.operation,
                    e.iam_action
                ));
            } else {
                output::note(format_args!("could not read: {}", e.describe()));
            }
        }
    }
    Ok(inventory)
}

/// What a run reads: every type and property path the policies (and their `related` lookups)
/// read; everything without policies.
#[cfg(feature = "live")]
fn plan_for(policies: Option<&[&Policy]>) -> crate::collect::Plan {
    let Some(policies) = policies else {
        return crate::collect::Plan::everything();
    };
    let mut plan = crate::collect::Plan::only_read();
    for policy in policies {
        plan.read_type(&policy.resource_type.value);
        policy.read_paths(|resource_type, path, _| plan.read(resource_type, &path));
    }
    plan
}

#[cfg(feature = "live")]
pub fn permissions() -> Result<String, Vec<Diagnostic>> {
    Ok(crate::collect::permissions_policy())
}

#[cfg(feature = "live")]
pub fn organization_permissions() -> Result<String, Vec<Diagnostic>> {
    let member: serde_json::Value = serde_json::from_str(&crate::collect::permissions_policy())
        .map_err(|e| vec![super::common::internal_json_error(e)])?;
    Ok(crate::collect::organization::organization_policies(member))
}

#[cfg(not(feature = "live"))]
pub fn collect(_: &AwsArgs, _: Option<&[&Policy]>) -> Result<Inventory, Vec<Diagnostic>> {
    Err(vec![not_built()])
}

#[cfg(not(feature = "live"))]
pub fn permissions() -> Result<String, Vec<Diagnostic>> {
    Err(vec![not_built()])
}

#[cfg(not(feature = "live"))]
pub fn organization_permissions() -> Result<String, Vec<Diagnostic>> {
    Err(vec![not_built()])
}

#[cfg(not(feature = "live"))]
fn not_built() -> Diagnostic {
    Diagnostic::error(
        Code::FeatureDisabled,
        "this attestor was built without live AWS collection",
    )
    .with_help(
        "rebuild with the default features (`cargo build`), or scan a snapshot with --snapshot",
    )
}
