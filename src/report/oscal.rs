//! OSCAL assessment-results 1.1.3 (JSON): the reviewed CCM v4 controls, one observation per
//! result, one finding per control (satisfied / not-satisfied), and the assessed resources as
//! inventory items. UUIDs are derived from content, so the same inputs give the same document.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Report, metadata_fields};

pub const OSCAL_VERSION: &str = "1.1.3";

/// A name-based UUID (version 5 layout, SHA-256 based): stable across runs.
fn uuid(name: &str) -> String {
    let h = Sha256::digest(name.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &x[0..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

/// OSCAL control IDs are tokens: `CEK-03` → `cek-03`, `A&A-02` → `a-a-02`.
fn control_id(ccm: &str) -> String {
    ccm.to_ascii_lowercase().replace('&', "-")
}

fn prop(name: &str, value: &str) -> Option<Value> {
    let value = value.trim();
    (!value.is_empty()).then(|| json!({"name": name, "value": value}))
}

pub fn render(report: &Report) -> String {
    let time = report
        .evaluated_at
        .or(report.source.captured_at)
        .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), |t| t.to_string());
    let seed = format!(
        "{}|{}|{}",
        report.policy_set.digest,
        report.source.sha256.clone().unwrap_or_default(),
        time
    );

    let mut inventory: BTreeMap<String, Value> = BTreeMap::new();
    let mut observations = Vec::new();
    let mut observation_of_policy: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for r in &report.results {
        let f = &r.finding;
        let resource = format!(
            "{}/{}/{}/{}",
            f.account_id, f.region, f.resource_type, f.resource_id
        );
        let item_uuid = uuid(&format!("{seed}|item|{resource}"));
        inventory.entry(resource.clone()).or_insert_with(|| {
            json!({
                "uuid": item_uuid,
                "description": format!("{} {} in account {} region {}", f.resource_type, f.resource_id, f.account_id, f.region),
                "props": [
                    {"name": "asset-id", "value": resource},
                    {"name": "asset-type", "value": "other"},
                ],
            })
        });
        let obs_uuid = uuid(&format!("{seed}|obs|{}|{resource}", f.policy_id));
        observation_of_policy
            .entry(f.policy_id.as_str())
            .or_default()
            .push(obs_uuid.clone());
        let evidence: Vec<Value> = f
            .evidence
            .iter()
            .map(|e| json!({"description": format!("{} = {} (expected {})", e.path, e.actual, e.expected)}))
            .collect();
        let mut obs = json!({
            "uuid": obs_uuid,
            "title": format!("{} on {}", f.policy_id, f.resource_id),
            "description": f.message,
            "props": [
                {"name": "policy-id", "value": f.policy_id, "ns": "https://attestor.invalid/ns/oscal"},
                {"name": "result", "value": f.status.as_str(), "ns": "https://attestor.invalid/ns/oscal"},
            ],
            "methods": ["TEST"],
            "subjects": [{"subject-uuid": item_uuid, "type": "inventory-item"}],
            "collected": time,
        });
        if !evidence.is_empty() {
            obs["relevant-evidence"] = Value::Array(evidence);
        }
        observations.push(obs);
    }

    // Findings per CCM v4 control, weighed as the questionnaire weighs answers: satisfied only when
    // every deciding check that had resources passed (and one had some), no supporting check
    // failed, and the passes count as evidence (guardrails met, able to fail, configured).
    let mut per_control: BTreeMap<String, Vec<(&super::PolicyInfo, crate::controls::Role)>> =
        BTreeMap::new();
    for p in &report.policies {
        for id in p.controls.get("ccm-v4").into_iter().flatten() {
            let role = p.role_for("ccm-v4", id).unwrap_or_default();
            per_control.entry(id.clone()).or_default().push((p, role));
        }
    }
    let findings: Vec<Value> = per_control
        .iter()
        .map(|(control, mapped)| {
            use super::evidence::Automated;
            let fail: usize = mapped.iter().map(|(p, _)| p.summary.fail).sum();
            let error: usize = mapped.iter().map(|(p, _)| p.summary.error).sum();
            let pass: usize = mapped.iter().filter(|(p, _)| p.counts_as_evidence).map(|(p, _)| p.summary.pass).sum();
            let verdict = super::evidence::automated(mapped);
            let satisfied = verdict == Automated::Pass;
            let why = match verdict {
                Automated::Fail => format!("{fail} failing results"),
                Automated::Undecided => format!("{error} results could not be decided"),
                Automated::Loosened => "a deciding check passed only with parameters looser than its guardrail".into(),
                Automated::Review => "a supporting check fails; a person must review the control".into(),
                Automated::Pass => format!("{pass} passing results, no failures; the control's process part is outside this automated assessment"),
                Automated::NoEvidence => "no resources in scope for the deciding checks".into(),
                Automated::NoCheck => "no deciding check that can fail ran (not configured, or unable to fail)".into(),
            };
            let policies: Vec<&super::PolicyInfo> = mapped.iter().map(|(p, _)| *p).collect();
            let related: Vec<Value> = policies
                .iter()
                .flat_map(|p| observation_of_policy.get(p.id.as_str()).cloned().unwrap_or_default())
                .map(|u| json!({"observation-uuid": u}))
                .collect();
            let mut finding = json!({
                "uuid": uuid(&format!("{seed}|finding|{control}")),
                "title": format!("CCM {control}"),
                "description": format!(
                    "Policies {}: {why}.",
                    policies.iter().map(|p| p.id.as_str()).collect::<Vec<_>>().join(", ")
                ),
                "target": {
                    "type": "objective-id",
                    "target-id": format!("{}_obj", control_id(control)),
                    "status": {"state": if satisfied { "satisfied" } else { "not-satisfied" }},
                },
            });
            if !related.is_empty() {
                finding["related-observations"] = Value::Array(related);
            }
            finding
        })
        .collect();

    let reviewed: Vec<Value> = per_control
        .keys()
        .map(|c| json!({"control-id": control_id(c)}))
        .collect();
    let meta_props: Vec<Value> = metadata_fields(report)
        .into_iter()
        .filter_map(|(k, v)| prop(&k.replace('_', "-"), &v))
        .map(|mut p| {
            p["ns"] = json!("https://attestor.invalid/ns/oscal");
            p
        })
        .collect();
    let mut result = json!({
        "uuid": uuid(&format!("{seed}|result")),
        "title": "attestor automated assessment",
        "description": format!(
            "{} policies evaluated against {} (SHA-256 {}).",
            report.policy_set.count,
            report.source.path.clone().unwrap_or_else(|| "a live AWS account".into()),
            report.source.sha256.clone().unwrap_or_else(|| "n/a".into())
        ),
        "start": time,
        "end": time,
        "reviewed-controls": {"control-selections": [{"include-controls": reviewed}]},
        "observations": observations,
        "findings": findings,
    });
    if !inventory.is_empty() {
        result["local-definitions"] =
            json!({"inventory-items": inventory.into_values().collect::<Vec<_>>()});
    }
    if report.results.is_empty() {
        result.as_object_mut().map(|o| o.remove("observations"));
    }
    if per_control.is_empty() {
        result.as_object_mut().map(|o| o.remove("findings"));
        result["reviewed-controls"] = json!({"control-selections": [{"include-all": {}}]});
    }
    let document = json!({
        "assessment-results": {
            "uuid": uuid(&format!("{seed}|document")),
            "metadata": {
                "title": "attestor assessment results",
                "last-modified": time,
                "version": report.tool.version,
                "oscal-version": OSCAL_VERSION,
                "props": meta_props,
            },
            "import-ap": {"href": format!("urn:attestor:policy-set:{}", report.policy_set.digest)},
            "results": [result],
        }
    });
    crate::json::pretty_value(&document)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_stable_and_well_formed() {
        let a = uuid("x");
        assert_eq!(a, uuid("x"));
        assert_ne!(a, uuid("y"));
        let re = regex::Regex::new(
            "^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        )
        .unwrap();
        assert!(re.is_match(&a), "{a}");
    }

    #[test]
    fn control_ids_are_tokens() {
        assert_eq!(control_id("A&A-02"), "a-a-02");
        assert_eq!(control_id("CEK-03"), "cek-03");
    }
}
