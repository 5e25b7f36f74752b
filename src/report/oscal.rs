//! OSCAL assessment-results 1.1.3 (JSON): the reviewed CCM v4 controls, one observation per
//! result, one finding per control (satisfied / not-satisfied), and the assessed resources as
//! inventory items. UUIDs are derived from content, so the same inputs give the same document.

use std::collections::BTreeMap;

use serde::Serialize;
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

/// The document's namespace for attestor's own properties.
const NS: &str = "https://attestor.invalid/ns/oscal";

/// Streams the document as pretty JSON with a trailing newline. Observations, their inventory
/// items and each finding's related observations are written one at a time as the writer asks
/// for them, so a report of any size is never built as one tree.
pub fn write(report: &Report, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let time = report
        .evaluated_at
        .or(report.source.captured_at)
        .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), |t| t.to_string());
    let seed = format!(
        "{}|{}|{}",
        report.policy_set.digest,
        report.source.digests().unwrap_or_default(),
        time
    );
    let context = Context {
        report,
        seed: &seed,
        time: &time,
    };

    // Each assessed resource once, at its first result, in resource order.
    let mut inventory: BTreeMap<String, usize> = BTreeMap::new();
    // Each policy's results, in report order: a finding relates the observations of its policies.
    let mut results_of_policy: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, r) in report.results.iter().enumerate() {
        inventory.entry(resource_key(&r.finding)).or_insert(i);
        results_of_policy
            .entry(r.finding.policy_id.as_str())
            .or_default()
            .push(i);
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
    let findings: Vec<Finding> = per_control
        .iter()
        .map(|(control, mapped)| {
            use super::evidence::Automated;
            let fail: usize = mapped.iter().map(|(p, _)| p.summary.fail).sum();
            let error: usize = mapped.iter().map(|(p, _)| p.summary.error).sum();
            let pass: usize = mapped.iter().filter(|(p, _)| p.counts_as_evidence).map(|(p, _)| p.summary.pass).sum();
            let verdict = super::evidence::automated(mapped);
            // A plan shows only the resources it changes: it never satisfies a control.
            let plan = report.source.kind == crate::inventory::SourceKind::TerraformPlan;
            let satisfied = verdict == Automated::Pass && !plan;
            let why = match verdict {
                Automated::Pass if plan => format!("{pass} passing results in the Terraform plan, which shows only the resources it changes: assess the account to satisfy the control"),
                Automated::Fail => format!("{fail} failing results"),
                Automated::Undecided => format!("{error} results could not be decided"),
                Automated::Loosened => "a deciding check passed only with parameters looser than its guardrail".into(),
                Automated::Review => "a supporting check fails; a person must review the control".into(),
                Automated::Pass => format!("{pass} passing results, no failures; the control's process part is outside this automated assessment"),
                Automated::NoEvidence => "no resources in scope for the deciding checks".into(),
                Automated::NoCheck => "no deciding check that can fail ran (not configured, or unable to fail)".into(),
            };
            let policies: Vec<&str> = mapped.iter().map(|(p, _)| p.id.as_str()).collect();
            let related: Vec<usize> = policies
                .iter()
                .flat_map(|p| results_of_policy.get(p).into_iter().flatten().copied())
                .collect();
            Finding {
                uuid: uuid(&format!("{seed}|finding|{control}")),
                title: format!("CCM {control}"),
                description: format!("Policies {}: {why}.", policies.join(", ")),
                target: json!({
                    "type": "objective-id",
                    "target-id": format!("{}_obj", control_id(control)),
                    "status": {"state": if satisfied { "satisfied" } else { "not-satisfied" }},
                }),
                related_observations: (!related.is_empty()).then_some(Related {
                    context: &context,
                    results: related,
                }),
            }
        })
        .collect();

    let reviewed = if per_control.is_empty() {
        json!({"control-selections": [{"include-all": {}}]})
    } else {
        let controls: Vec<Value> = per_control
            .keys()
            .map(|c| json!({"control-id": control_id(c)}))
            .collect();
        json!({"control-selections": [{"include-controls": controls}]})
    };
    let meta_props: Vec<Value> = metadata_fields(report)
        .into_iter()
        .filter_map(|(k, v)| prop(&k.replace('_', "-"), &v))
        .map(|mut p| {
            p["ns"] = json!(NS);
            p
        })
        .collect();
    let result = AssessmentResult {
        uuid: uuid(&format!("{seed}|result")),
        title: "attestor automated assessment",
        description: format!(
            "{} policies evaluated against {} (SHA-256 {}).",
            report.policy_set.count,
            report
                .source
                .paths()
                .unwrap_or_else(|| "a live AWS account".into()),
            report.source.digests().unwrap_or_else(|| "n/a".into())
        ),
        start: &time,
        end: &time,
        reviewed_controls: reviewed,
        observations: (!report.results.is_empty()).then_some(Observations(&context)),
        risks: {
            let risks: Vec<Value> = report
                .results
                .iter()
                .filter_map(|r| context.accepted_risk(&r.finding))
                .collect();
            (!risks.is_empty()).then_some(risks)
        },
        findings: (!findings.is_empty()).then_some(findings),
        local_definitions: (!inventory.is_empty()).then_some(LocalDefinitions {
            inventory_items: InventoryItems {
                context: &context,
                first_results: inventory.into_values().collect(),
            },
        }),
    };
    let document = Document {
        assessment_results: AssessmentResults {
            uuid: uuid(&format!("{seed}|document")),
            metadata: json!({
                "title": "attestor assessment results",
                "last-modified": time,
                "version": report.tool.version,
                "oscal-version": OSCAL_VERSION,
                "props": meta_props,
            }),
            import_ap: json!({"href": format!("urn:attestor:policy-set:{}", report.policy_set.digest)}),
            results: [result],
        },
    };
    serde_json::to_writer_pretty(&mut *w, &document)?;
    w.write_all(b"\n")
}

/// What every lazily written part needs.
struct Context<'a> {
    report: &'a Report,
    seed: &'a str,
    time: &'a str,
}

impl Context<'_> {
    fn finding(&self, index: usize) -> &crate::eval::Finding {
        &self.report.results[index].finding
    }

    fn item_uuid(&self, resource: &str) -> String {
        uuid(&format!("{}|item|{resource}", self.seed))
    }

    fn observation_uuid(&self, f: &crate::eval::Finding) -> String {
        uuid(&format!(
            "{}|obs|{}|{}",
            self.seed,
            f.policy_id,
            resource_key(f)
        ))
    }

    fn observation(&self, f: &crate::eval::Finding) -> Value {
        let resource = resource_key(f);
        let evidence: Vec<Value> = f
            .evidence
            .iter()
            .map(|e| json!({"description": format!("{} = {} (expected {})", e.path, e.actual, e.expected)}))
            .collect();
        let mut obs = json!({
            "uuid": self.observation_uuid(f),
            "title": format!("{} on {}", f.policy_id, f.resource_label()),
            "description": f.message,
            "props": [
                {"name": "policy-id", "value": f.policy_id, "ns": NS},
                {"name": "result", "value": f.status.as_str(), "ns": NS},
            ],
            "methods": ["TEST"],
            "subjects": [{"subject-uuid": self.item_uuid(&resource), "type": "inventory-item"}],
            "collected": self.time,
        });
        if !evidence.is_empty() {
            obs["relevant-evidence"] = Value::Array(evidence);
        }
        if let Some(w) = &f.waiver {
            obs["remarks"] = Value::String(format!(
                "{} waived until {} ({}): {}",
                w.status.as_str(),
                w.expires,
                w.at,
                w.justification
            ));
        }
        obs
    }

    /// A waived result as an OSCAL risk whose deviation was approved (the risk accepted), tied to
    /// its observation.
    fn accepted_risk(&self, f: &crate::eval::Finding) -> Option<Value> {
        let w = f.waiver.as_ref()?;
        let owner = w
            .owner
            .as_deref()
            .map(|o| format!(", owner {o}"))
            .unwrap_or_default();
        Some(json!({
            "uuid": uuid(&format!("{}|risk|{}|{}", self.seed, f.policy_id, resource_key(f))),
            "title": format!("{} on {} (waived)", f.policy_id, f.resource_label()),
            "description": format!("{}: {}", w.status.as_str(), f.message),
            "statement": format!("Accepted until {} by the waiver at {}{owner}: {}", w.expires, w.at, w.justification),
            "status": "deviation-approved",
            "deadline": format!("{}T23:59:59Z", w.expires),
            "related-observations": [{"observation-uuid": self.observation_uuid(f)}],
        }))
    }
}

/// `account/region/type/id`: an inventory item's asset ID.
fn resource_key(f: &crate::eval::Finding) -> String {
    format!(
        "{}/{}/{}/{}",
        f.account_id, f.region, f.resource_type, f.resource_id
    )
}

#[derive(Serialize)]
struct Document<'a> {
    #[serde(rename = "assessment-results")]
    assessment_results: AssessmentResults<'a>,
}

#[derive(Serialize)]
struct AssessmentResults<'a> {
    uuid: String,
    metadata: Value,
    #[serde(rename = "import-ap")]
    import_ap: Value,
    results: [AssessmentResult<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct AssessmentResult<'a> {
    uuid: String,
    title: &'static str,
    description: String,
    start: &'a str,
    end: &'a str,
    reviewed_controls: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    observations: Option<Observations<'a>>,
    /// Waived results: risks whose deviation was approved, with the waiver's justification.
    #[serde(skip_serializing_if = "Option::is_none")]
    risks: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    findings: Option<Vec<Finding<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    local_definitions: Option<LocalDefinitions<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Finding<'a> {
    uuid: String,
    title: String,
    description: String,
    target: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    related_observations: Option<Related<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct LocalDefinitions<'a> {
    inventory_items: InventoryItems<'a>,
}

/// One observation per result, built as it is written.
struct Observations<'a>(&'a Context<'a>);

impl Serialize for Observations<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let results = &self.0.report.results;
        s.collect_seq(results.iter().map(|r| self.0.observation(&r.finding)))
    }
}

/// A finding's related observations: the results of its policies.
struct Related<'a> {
    context: &'a Context<'a>,
    results: Vec<usize>,
}

impl Serialize for Related<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.results.iter().map(|&i| {
            json!({"observation-uuid": self.context.observation_uuid(self.context.finding(i))})
        }))
    }
}

/// The assessed resources, each described from its first result.
struct InventoryItems<'a> {
    context: &'a Context<'a>,
    first_results: Vec<usize>,
}

impl Serialize for InventoryItems<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.first_results.iter().map(|&i| {
            let f = self.context.finding(i);
            let resource = resource_key(f);
            let mut props = vec![
                json!({"name": "asset-id", "value": resource}),
                json!({"name": "asset-type", "value": "other"}),
            ];
            if let Some(name) = f.resource_name.as_deref().filter(|n| !n.is_empty()) {
                props.push(json!({"name": "resource-name", "value": name, "ns": NS}));
            }
            if let Some(arn) = &f.arn {
                props.push(json!({"name": "arn", "value": arn, "ns": NS}));
            }
            json!({
                "uuid": self.context.item_uuid(&resource),
                "description": format!("{} {} in account {} region {}", f.resource_type, f.resource_label(), f.account_id, f.region),
                "props": props,
            })
        }))
    }
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
