//! Listings before any scan: `attestor policies` (a table or JSON) and `attestor controls` (a
//! table of a framework's entries with what gives evidence for each).

use std::collections::BTreeMap;

use crate::controls::{CatalogEntry, Framework};
use crate::policy::{Policy, PolicySet};

/// The policies of `set`, by id.
fn by_id(set: &PolicySet) -> Vec<&Policy> {
    let mut policies: Vec<_> = set.policies.iter().collect();
    policies.sort_by(|a, b| a.id.value.cmp(&b.id.value));
    policies
}

/// `attestor policies --format json`: one object per policy, by id.
pub fn policies_json(set: &PolicySet) -> Result<String, serde_json::Error> {
    let rows: Vec<serde_json::Value> = by_id(set)
        .iter()
        .map(|p| {
            let controls: BTreeMap<&str, Vec<String>> = p
                .controls_by_framework()
                .into_iter()
                .map(|(f, ids)| (f.key(), ids))
                .collect();
            serde_json::json!({
                "id": p.id.value,
                "title": p.title,
                "severity": p.severity,
                "resource_type": p.resource_type.value,
                "level": p.level,
                "controls": controls,
                "file": p.file.name,
            })
        })
        .collect();
    crate::json::pretty(&rows)
}

/// `attestor explain POLICY`: the policy in words a person acts on — what it checks and where,
/// why, how to fix a failure, its parameters, its references, and each question or control it
/// answers with its role and reason.
pub fn explain(policy: &Policy) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", policy.id.value, policy.title);
    let _ = writeln!(
        out,
        "severity {}; checks each {} ({} level); defined in {}",
        policy.severity.as_str(),
        policy.resource_type.value,
        match policy.level {
            crate::policy::Level::Resource => "resource",
            crate::policy::Level::Account => "account",
        },
        policy.file.name
    );
    let section = |out: &mut String, heading: &str, text: Option<&str>| {
        if let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) {
            let _ = writeln!(out, "\n{heading}:");
            for line in text.lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
    };
    section(&mut out, "What it checks", policy.description.as_deref());
    section(&mut out, "Why", policy.rationale.as_deref());
    section(
        &mut out,
        "How to fix a failure",
        policy.remediation.as_deref(),
    );
    section(
        &mut out,
        "AWS enforces it anyway",
        policy.aws_enforced.as_deref(),
    );
    if !policy.parameters.is_empty() {
        let _ = writeln!(
            out,
            "\nParameters (change with --set {}.NAME=VALUE):",
            policy.id.value
        );
        for p in &policy.parameters {
            let default = p.default.as_ref().map_or_else(
                || "no default: the policy runs once a value is set".to_string(),
                |d| format!("default {}", d.value),
            );
            let _ = writeln!(
                out,
                "  {} ({}; {default}){}",
                p.name.value,
                p.kind.name(),
                p.description
                    .as_deref()
                    .map_or_else(String::new, |d| format!(": {d}"))
            );
        }
    }
    if !policy.references.is_empty() {
        let _ = writeln!(out, "\nReferences:");
        for r in &policy.references {
            let _ = writeln!(out, "  {r}");
        }
    }
    if !policy.controls.is_empty() {
        let _ = writeln!(out, "\nAnswers:");
        for c in &policy.controls {
            let catalog = crate::controls::Catalog::get(c.framework);
            let summary = catalog
                .entry(&c.id.value)
                .map_or_else(String::new, |e| format!(" {}", e.summary));
            let _ = writeln!(
                out,
                "  {} {} ({}){summary}",
                c.framework.key(),
                c.id.value,
                c.role.as_str()
            );
            if let Some(reason) = c.reason.as_deref() {
                let _ = writeln!(out, "    {reason}");
            }
        }
    }
    out
}

/// `attestor policies`: a table of policy, severity, resource type and controls, by id, then the
/// count.
pub fn policies_table(set: &PolicySet) -> String {
    let policies = by_id(set);
    let mut table = comfy_table::Table::new();
    table.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    table.set_header(["Policy", "Severity", "Resource type", "Controls"]);
    for p in &policies {
        let controls: Vec<String> = Framework::ALL
            .iter()
            .filter_map(|f| {
                let ids = p.controls_by_framework().remove(f)?;
                Some(format!("{}: {}", f.key(), ids.join(", ")))
            })
            .collect();
        table.add_row(vec![
            p.id.value.clone(),
            p.severity.as_str().to_string(),
            p.resource_type.value.clone(),
            controls.join("\n"),
        ]);
    }
    format!("{table}\n{} policies\n", policies.len())
}

/// One row of `attestor controls`: a catalog entry with what gives evidence for it (the
/// questionnaire layer's coverage, borrowed: reports sit below questionnaires).
pub struct ControlRow<'a> {
    pub entry: &'a CatalogEntry,
    /// Whether a check can decide the entry.
    pub automated: bool,
    /// Policies that decide it.
    pub policies: &'a [String],
    /// Policies that only support it.
    pub supporting: &'a [String],
    /// Manual claims mapped to it.
    pub manual: &'a [String],
}

/// `attestor controls`: a table of `framework`'s entries with their evidence, then how many have
/// automated evidence.
pub fn controls_table(framework: Framework, rows: &[ControlRow<'_>]) -> String {
    let mut table = comfy_table::Table::new();
    table.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    table.set_header([
        "ID",
        "Title",
        "Kind",
        "Evidence",
        "Policies / manual claims",
    ]);
    for row in rows {
        let evidence = if row.automated {
            "automated"
        } else if !row.supporting.is_empty() {
            "context only"
        } else if !row.manual.is_empty() {
            "manual"
        } else {
            "no automated check"
        };
        let mut sources = row.policies.to_vec();
        sources.extend(row.supporting.iter().map(|p| format!("{p} (supports)")));
        sources.extend(row.manual.iter().map(|m| format!("{m} (manual)")));
        table.add_row(vec![
            row.entry.id.clone(),
            row.entry.title.clone(),
            if framework == Framework::CcmV4 {
                String::new()
            } else {
                row.entry.kind.as_str().to_string()
            },
            evidence.to_string(),
            sources.join("\n"),
        ]);
    }
    let automated = rows.iter().filter(|r| r.automated).count();
    format!(
        "{table}\n{} of {} {} entries have automated evidence\n",
        automated,
        rows.len(),
        framework.key()
    )
}
