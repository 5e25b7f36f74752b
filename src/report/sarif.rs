//! SARIF 2.1.0, the subset code-scanning tools read: rules are policies (with help text), results
//! are failures (`kind: fail`) and undecided results (`kind: open`), located logically at the AWS
//! resource.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Report, metadata_fields};
use crate::eval::Status;
use crate::policy::Severity;

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

pub fn render(report: &Report) -> String {
    let rules: Vec<Value> = report
        .policies
        .iter()
        .map(|p| {
            let mut tags: Vec<String> = p.controls.iter().flat_map(|(f, ids)| ids.iter().map(move |id| format!("{f}:{id}"))).collect();
            tags.sort();
            json!({
                "id": p.id,
                "shortDescription": {"text": p.title},
                "fullDescription": {"text": p.rationale.clone().unwrap_or_else(|| p.title.clone())},
                "help": {"text": p.remediation.clone().unwrap_or_else(|| format!("See policy {}.", p.id))},
                "defaultConfiguration": {"level": level(p.severity)},
                "properties": {
                    "severity": p.severity.as_str(),
                    "resourceType": p.resource_type,
                    "tags": tags,
                },
            })
        })
        .collect();
    let index_of = |id: &str| report.policies.iter().position(|p| p.id == id);
    let plan = report.source.kind == crate::inventory::SourceKind::TerraformPlan;
    let artifact = report.source.path.as_deref().map(artifact_uri);
    let results: Vec<Value> = report
        .results
        .iter()
        .filter(|r| matches!(r.finding.status, Status::Fail | Status::Error | Status::Waived))
        .map(|r| {
            let f = &r.finding;
            let fqn = format!("aws://{}/{}/{}/{}", f.account_id, f.region, f.resource_type, f.resource_id);
            // Snapshots give no position per resource, so results are located logically only; a
            // source with positions (a Terraform plan) adds a physical location.
            // Named as a person finds the resource; its ARN where the source records one. The
            // fingerprint stays on the account/region/type/ID path, so it never changes when a
            // name or ARN appears.
            // A planned resource is found by its Terraform address (its ID here), which is what
            // the team's code names.
            let qualified = if plan { f.resource_id.clone() } else { f.arn.clone().unwrap_or_else(|| fqn.clone()) };
            let mut location = json!({
                "logicalLocations": [{
                    "name": f.resource_label(),
                    "fullyQualifiedName": qualified,
                    "kind": "resource",
                }],
            });
            // Code scanning (GitHub) needs a file per result: the input the result came from.
            if let Some(uri) = &artifact {
                location["physicalLocation"] = json!({"artifactLocation": {"uri": uri}});
            }
            let fingerprint = hex::encode(Sha256::digest(format!("{}\n{fqn}", f.policy_id)));
            // A waived result is reported as what it was, suppressed with the waiver's
            // justification: viewers hide it, and it never disappears.
            let was = f.waiver.as_ref().map_or(f.status, |w| w.status);
            let (kind, level) = if was == Status::Fail { ("fail", level(r.severity)) } else { ("open", "none") };
            let mut result = json!({
                "ruleId": f.policy_id,
                "kind": kind,
                "level": level,
                "message": {"text": f.message},
                "locations": [location],
                "partialFingerprints": {"attestorResource/v1": fingerprint},
                "properties": {"status": f.status.as_str(), "severity": r.severity.as_str(), "evidence": f.evidence},
            });
            if let Some(i) = index_of(&f.policy_id) {
                result["ruleIndex"] = json!(i);
            }
            if let Some(w) = &f.waiver {
                let mut justification = format!("{} (waived until {}; {})", w.justification, w.expires, w.at);
                if let Some(owner) = &w.owner {
                    justification.push_str(&format!("; owner {owner}"));
                }
                result["suppressions"] = json!([{"kind": "external", "status": "accepted", "justification": justification}]);
            }
            if let Some(state) = f.baseline {
                result["baselineState"] = json!(match state {
                    crate::eval::BaselineState::New => "new",
                    crate::eval::BaselineState::Existing => "unchanged",
                });
            }
            result
        })
        .collect();
    let properties: serde_json::Map<String, Value> = metadata_fields(report)
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::String(v)))
        .collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "rules": rules,
            }},
            "invocations": [{"executionSuccessful": true}],
            "results": results,
            "properties": properties,
        }],
    });
    crate::json::pretty_value(&sarif)
}

/// The input file as a SARIF artifact URI: a relative path as given (forward slashes), which code
/// scanning resolves against the repository; an absolute path as a `file://` URI.
fn artifact_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    if path.starts_with('/') {
        format!("file://{path}")
    } else {
        path.trim_start_matches("./").to_string()
    }
}
