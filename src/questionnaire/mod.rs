//! CAIQ-Lite answers from a scan report: one row per question of the framework, in the framework's
//! order, each answer backed by the policies, resources and counts behind it. One file per output
//! format beside this one.

pub mod csv;
pub mod html;
pub mod markdown;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::controls::{Catalog, Framework, domain_name};
use crate::eval::Status;
use crate::policy::Level;
use crate::report::{PolicyInfo, Report, Summary};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Answer {
    #[serde(rename = "Yes")]
    Yes,
    #[serde(rename = "No")]
    No,
    #[serde(rename = "Unknown")]
    Unknown,
    #[serde(rename = "Manual")]
    Manual,
    #[serde(rename = "Not applicable")]
    NotApplicable,
}

impl Answer {
    pub const ALL: [Answer; 5] = [
        Answer::Yes,
        Answer::No,
        Answer::Unknown,
        Answer::Manual,
        Answer::NotApplicable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Yes => "Yes",
            Answer::No => "No",
            Answer::Unknown => "Unknown",
            Answer::Manual => "Manual",
            Answer::NotApplicable => "Not applicable",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub question_id: String,
    pub control: String,
    pub control_title: String,
    pub domain: String,
    /// attestor's one-line summary of what the question asks.
    pub summary: String,
    pub answer: Answer,
    /// One sentence per mapped policy: what was checked and what was found.
    pub evidence: Vec<String>,
    pub policies: Vec<String>,
    pub counts: Summary,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Questionnaire {
    pub framework: Framework,
    pub rows: Vec<Row>,
}

impl Questionnaire {
    /// Answer counts per domain, in the order domains first appear.
    pub fn by_domain(&self) -> Vec<(String, BTreeMap<Answer, usize>)> {
        let mut out: Vec<(String, BTreeMap<Answer, usize>)> = Vec::new();
        for row in &self.rows {
            if out.last().is_none_or(|(d, _)| *d != row.domain) {
                out.push((row.domain.clone(), BTreeMap::new()));
            }
            if let Some((_, counts)) = out.last_mut() {
                *counts.entry(row.answer).or_default() += 1;
            }
        }
        out
    }

    pub fn totals(&self) -> BTreeMap<Answer, usize> {
        let mut totals = BTreeMap::new();
        for row in &self.rows {
            *totals.entry(row.answer).or_default() += 1;
        }
        totals
    }
}

/// Up to five failing / undecided resource IDs per (policy, status), gathered in one pass over the
/// results rather than once per question.
type Examples<'r> = BTreeMap<(&'r str, Status), Vec<&'r str>>;

fn examples(report: &Report) -> Examples<'_> {
    let mut out: Examples = BTreeMap::new();
    for r in &report.results {
        let f = &r.finding;
        if matches!(f.status, Status::Fail | Status::Error) {
            let ids = out.entry((f.policy_id.as_str(), f.status)).or_default();
            if ids.len() < 5 {
                ids.push(f.resource_id.as_str());
            }
        }
    }
    out
}

/// Answers every question of `framework` from `report`.
pub fn build(report: &Report, framework: Framework) -> Questionnaire {
    let examples = examples(report);
    let key = framework.key();
    let mut by_question: BTreeMap<&str, Vec<&PolicyInfo>> = BTreeMap::new();
    for p in &report.policies {
        for q in p.controls.get(key).into_iter().flatten() {
            by_question.entry(q.as_str()).or_default().push(p);
        }
    }
    let mut manual: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for m in &report.manual_claims {
        for q in m.controls.get(key).into_iter().flatten() {
            manual.entry(q.as_str()).or_default().push(m.claim.as_str());
        }
    }
    let rows = Catalog::get(framework)
        .entries
        .iter()
        .map(|entry| {
            let prefix = entry.control.split('-').next().unwrap_or_default();
            let mapped = by_question
                .get(entry.id.as_str())
                .cloned()
                .unwrap_or_default();
            let claims = manual.get(entry.id.as_str()).cloned().unwrap_or_default();
            let mut row = answer(report, &examples, &mapped, &claims);
            row.question_id = entry.id.clone();
            row.control = entry.control.clone();
            row.control_title = entry.title.clone();
            row.domain = domain_name(prefix);
            row.summary = entry.summary.clone();
            row
        })
        .collect();
    Questionnaire { framework, rows }
}

fn answer(report: &Report, examples: &Examples, mapped: &[&PolicyInfo], claims: &[&str]) -> Row {
    let mut row = Row {
        question_id: String::new(),
        control: String::new(),
        control_title: String::new(),
        domain: String::new(),
        summary: String::new(),
        answer: Answer::Manual,
        evidence: Vec::new(),
        policies: mapped.iter().map(|p| p.id.clone()).collect(),
        counts: Summary::default(),
        notes: claims
            .iter()
            .map(|c| format!("Manual evidence needed: {c}"))
            .collect(),
    };
    if mapped.is_empty() {
        if claims.is_empty() {
            row.notes.push(
                "No automated check can answer this question; supply evidence manually.".into(),
            );
        }
        return row;
    }
    let mut supporting = Summary::default();
    let mut any_fail = false;
    for policy in mapped {
        let counts = policy.summary;
        row.counts.pass += counts.pass;
        row.counts.fail += counts.fail;
        row.counts.error += counts.error;
        row.counts.not_applicable += counts.not_applicable;
        row.counts.waived += counts.waived;
        row.evidence.push(evidence_sentence(policy, examples));
        any_fail |= counts.fail > 0;
        if policy.counts_as_evidence {
            supporting.pass += counts.pass;
            supporting.error += counts.error;
            supporting.not_applicable += counts.not_applicable;
        } else {
            row.notes.push(format!(
                "{} does not count towards Yes: {}",
                policy.id,
                policy.guardrail_violations.join("; ")
            ));
        }
    }
    // A check run with parameters looser than the control requires proves nothing either way when
    // it passes, so it blocks a Yes; when it fails, the strict check would fail too.
    let excluded = mapped
        .iter()
        .any(|p| !p.counts_as_evidence && p.summary.pass + p.summary.error > 0);
    row.answer = if any_fail {
        Answer::No
    } else if supporting.error > 0 || excluded {
        Answer::Unknown
    } else if supporting.pass > 0 {
        Answer::Yes
    } else {
        Answer::NotApplicable
    };
    if row.answer == Answer::NotApplicable {
        row.notes
            .push("The mapped policies found no resources to check.".into());
    }
    if !report.collection_errors.is_empty() && row.answer == Answer::Unknown {
        row.notes
            .push("Some data could not be collected; see the report's collection errors.".into());
    }
    row
}

/// "2 of 3 AWS::RDS::DBInstance pass: RDS instances encrypt storage at rest (rds-storage-encrypted);
/// failing: legacy-db".
fn evidence_sentence(policy: &PolicyInfo, examples: &Examples) -> String {
    let s = policy.summary;
    let applicable = s.pass + s.fail + s.error;
    let subject = match policy.level {
        Level::Account => "accounts".to_string(),
        Level::Resource => policy.resource_type.clone(),
    };
    let mut sentence = if applicable == 0 {
        format!("no {subject} in scope: {} ({})", policy.title, policy.id)
    } else {
        format!(
            "{} of {applicable} {subject} pass: {} ({})",
            s.pass, policy.title, policy.id
        )
    };
    for (status, word, total) in [
        (Status::Fail, "failing", s.fail),
        (Status::Error, "undecided", s.error),
    ] {
        if let Some(shown) = examples.get(&(policy.id.as_str(), status)) {
            let more = if total > shown.len() {
                format!(" and {} more", total - shown.len())
            } else {
                String::new()
            };
            sentence.push_str(&format!("; {word}: {}{more}", shown.join(", ")));
        }
    }
    sentence
}
