//! CAIQ-Lite answers from a scan report: one row per question of the framework, in the framework's
//! order, each answer backed by the policies, resources and counts behind it, and by what a person
//! attested or scoped out. One file per output format beside this one.
//!
//! The answer model (README, "Questionnaires", has the table):
//! - each policy-to-question mapping `decides` (a failure alone makes the answer No) or `supports`
//!   (context: a failure asks for review, a pass never makes Yes);
//! - each question is `technical`, `mixed` or `governance` (catalog data, with a reason);
//! - a check that cannot fail (AWS enforces the setting, or its parameters leave nothing to reject)
//!   and a policy that was not configured are never evidence;
//! - manual claims and the process part of mixed and governance questions need an attestation;
//! - "Not applicable" comes only from the user's scoping file.

pub mod attestations;
pub mod coverage;
pub mod csv;
pub mod html;
pub mod markdown;
pub mod scoping;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;

use crate::controls::{Catalog, Framework, QuestionKind, Role, domain_name};
use crate::diagnostics::Diagnostic;
use crate::eval::Status;
use crate::policy::Level;
pub use crate::report::evidence::{Automated, automated};
use crate::report::{PolicyInfo, Report, Summary};

use attestations::{AttestationStatus, Attestations};
use scoping::Scoping;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Answer {
    #[serde(rename = "Yes")]
    Yes,
    #[serde(rename = "Partial")]
    Partial,
    #[serde(rename = "No")]
    No,
    #[serde(rename = "Review")]
    Review,
    #[serde(rename = "Unknown")]
    Unknown,
    #[serde(rename = "No evidence")]
    NoEvidence,
    #[serde(rename = "Manual")]
    Manual,
    #[serde(rename = "Not applicable")]
    NotApplicable,
}

impl Answer {
    pub const ALL: [Answer; 8] = [
        Answer::Yes,
        Answer::Partial,
        Answer::No,
        Answer::Review,
        Answer::Unknown,
        Answer::NoEvidence,
        Answer::Manual,
        Answer::NotApplicable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Yes => "Yes",
            Answer::Partial => "Partial",
            Answer::No => "No",
            Answer::Review => "Review",
            Answer::Unknown => "Unknown",
            Answer::NoEvidence => "No evidence",
            Answer::Manual => "Manual",
            Answer::NotApplicable => "Not applicable",
        }
    }
}

/// What an answer rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// Checks of the scanned accounts.
    Verified,
    /// A person's attestation.
    Attested,
    /// Checks and attestations together.
    Mixed,
    /// A person's scoping decision.
    Scoped,
    /// Nothing yet: a person must answer.
    None,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Verified => "verified",
            Basis::Attested => "attested",
            Basis::Mixed => "mixed",
            Basis::Scoped => "scoped",
            Basis::None => "none",
        }
    }
}

/// The manual side of a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManualState {
    /// A person must vouch for something: a mapped manual claim, or the process part of a mixed
    /// or governance question.
    pub needed: bool,
    /// Every needed part has a valid attestation.
    pub done: bool,
}

/// The answer and its basis from the question's kind, the checks and the manual part. Pure, so
/// every combination is tested.
pub fn decide(
    kind: QuestionKind,
    scoped_out: bool,
    auto: Automated,
    manual: ManualState,
) -> (Answer, Basis) {
    if scoped_out {
        return (Answer::NotApplicable, Basis::Scoped);
    }
    let attested = manual.needed && manual.done;
    if kind == QuestionKind::Governance {
        // Only a person answers; checks are context, but a failing one outweighs a signature.
        return match (attested, auto) {
            (true, Automated::Fail | Automated::Review) => (Answer::Review, Basis::Mixed),
            (true, _) => (Answer::Yes, Basis::Attested),
            (false, _) => (Answer::Manual, Basis::None),
        };
    }
    match auto {
        Automated::Fail => (Answer::No, Basis::Verified),
        Automated::Undecided | Automated::Loosened => (Answer::Unknown, Basis::Verified),
        Automated::Review => (Answer::Review, Basis::Verified),
        Automated::Pass if !manual.needed => (Answer::Yes, Basis::Verified),
        Automated::Pass if manual.done => (Answer::Yes, Basis::Mixed),
        Automated::Pass => (Answer::Partial, Basis::Verified),
        Automated::NoEvidence => (Answer::NoEvidence, Basis::Verified),
        Automated::NoCheck if attested => (Answer::Yes, Basis::Attested),
        Automated::NoCheck => (Answer::Manual, Basis::None),
    }
}

/// One thing a person must vouch for, and whether they have.
#[derive(Debug, Clone, Serialize)]
pub struct ManualPart {
    /// `claim b-jwt-validated` or `question IAM-14.1`.
    pub subject: String,
    pub text: String,
    pub status: PartStatus,
    /// The attestation that counts (or the latest that did not).
    pub attestation: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PartStatus {
    Attested,
    Expired,
    Pending,
}

/// Where the evidence comes from.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Scope {
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub resource_types: Vec<String>,
}

impl Scope {
    pub fn describe(&self) -> String {
        if self.accounts.is_empty() {
            return String::new();
        }
        format!(
            "accounts {}; regions {}; {}",
            self.accounts.join(", "),
            if self.regions.is_empty() {
                "-".to_string()
            } else {
                self.regions.join(", ")
            },
            self.resource_types.join(", ")
        )
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
    pub kind: QuestionKind,
    pub kind_reason: String,
    pub answer: Answer,
    pub basis: Basis,
    pub scope: Scope,
    /// One sentence per mapped policy: its role, what was checked and what was found.
    pub evidence: Vec<String>,
    pub policies: Vec<String>,
    pub counts: Summary,
    pub manual: Vec<ManualPart>,
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

/// What a person supplies beside the report.
#[derive(Debug, Clone, Default)]
pub struct PersonInput {
    pub attestations: Attestations,
    pub scoping: Scoping,
}

impl PersonInput {
    /// Loads the optional attestations and scoping files, checking attestations against the
    /// policy set's manual `claims`. Problems (syntax, unknown claims and questions) are errors;
    /// expiry is judged later, on the report's evaluation date ([`PersonInput::expired`]).
    pub fn load(
        attestations: Option<&Path>,
        scoping: Option<&Path>,
        claims: &[&str],
    ) -> (PersonInput, Vec<Diagnostic>) {
        let mut input = PersonInput::default();
        let mut diagnostics = Vec::new();
        if let Some(path) = attestations {
            let (a, d) = attestations::load(path);
            diagnostics.extend(d);
            diagnostics.extend(a.unknown_claims(claims));
            input.attestations = a;
        }
        if let Some(path) = scoping {
            let (s, d) = scoping::load(path);
            diagnostics.extend(d);
            input.scoping = s;
        }
        (input, diagnostics)
    }

    /// Warnings for attestations that have expired by the report's evaluation date.
    pub fn expired(&self, report: &Report) -> Vec<Diagnostic> {
        self.attestations.expired(evaluation_day(report))
    }
}

/// The day attestations are judged on: the report's evaluation time, else its capture time.
fn evaluation_day(report: &Report) -> Option<jiff::civil::Date> {
    report
        .evaluated_at
        .or(report.source.captured_at)
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
}

/// Up to five failing / undecided resource IDs per (policy, status), and each policy's accounts
/// and regions, gathered in one pass over the results rather than once per question.
struct Index<'r> {
    /// Up to five resources per policy and status, as a person finds them (name and ID).
    examples: BTreeMap<(&'r str, Status), Vec<String>>,
    where_: BTreeMap<&'r str, (BTreeSet<&'r str>, BTreeSet<&'r str>)>,
    /// Per policy, the accounts where it failed (waived failures included) and where it could
    /// not decide: an organisation's answer names the accounts that make it No or Unknown.
    failing: BTreeMap<&'r str, BTreeSet<&'r str>>,
    undecided: BTreeMap<&'r str, BTreeSet<&'r str>>,
}

fn index(report: &Report) -> Index<'_> {
    let mut examples: BTreeMap<(&str, Status), Vec<String>> = BTreeMap::new();
    let mut where_: BTreeMap<&str, (BTreeSet<&str>, BTreeSet<&str>)> = BTreeMap::new();
    let mut failing: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut undecided: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in &report.results {
        let f = &r.finding;
        let was = f.waiver.as_ref().map_or(f.status, |w| w.status);
        match was {
            Status::Fail => {
                failing
                    .entry(&f.policy_id)
                    .or_default()
                    .insert(&f.account_id);
            }
            Status::Error => {
                undecided
                    .entry(&f.policy_id)
                    .or_default()
                    .insert(&f.account_id);
            }
            _ => {}
        }
        if matches!(f.status, Status::Fail | Status::Error | Status::Waived) {
            let ids = examples
                .entry((f.policy_id.as_str(), f.status))
                .or_default();
            if ids.len() < 5 {
                ids.push(f.resource_label());
            }
        }
        let (accounts, regions) = where_.entry(f.policy_id.as_str()).or_default();
        if f.account_id != "*" {
            accounts.insert(f.account_id.as_str());
        }
        if f.region != "*" && f.region != "global" {
            regions.insert(f.region.as_str());
        }
    }
    Index {
        examples,
        where_,
        failing,
        undecided,
    }
}

/// Answers every question of `framework` from `report` and what a person supplied.
pub fn build(report: &Report, framework: Framework, person: &PersonInput) -> Questionnaire {
    let index = index(report);
    let day = evaluation_day(report);
    let key = framework.key();
    let mut by_question: BTreeMap<&str, Vec<(&PolicyInfo, Role)>> = BTreeMap::new();
    for p in &report.policies {
        for q in p.controls.get(key).into_iter().flatten() {
            let role = p.role_for(key, q).unwrap_or(Role::Decides);
            by_question.entry(q.as_str()).or_default().push((p, role));
        }
    }
    let mut claims: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for m in &report.manual_claims {
        for q in m.controls.get(key).into_iter().flatten() {
            claims
                .entry(q.as_str())
                .or_default()
                .push((m.id.as_str(), m.claim.as_str()));
        }
    }
    let rows = Catalog::get(framework)
        .entries
        .iter()
        .map(|entry| {
            let mapped = by_question
                .get(entry.id.as_str())
                .cloned()
                .unwrap_or_default();
            let claims = claims.get(entry.id.as_str()).cloned().unwrap_or_default();
            let prefix = entry.control.split('-').next().unwrap_or_default();
            let mut row = Row {
                question_id: entry.id.clone(),
                control: entry.control.clone(),
                control_title: entry.title.clone(),
                domain: domain_name(prefix),
                summary: entry.summary.clone(),
                kind: entry.kind,
                kind_reason: entry.kind_reason.clone(),
                answer: Answer::Manual,
                basis: Basis::None,
                scope: Scope::default(),
                evidence: Vec::new(),
                policies: mapped.iter().map(|(p, _)| p.id.clone()).collect(),
                counts: Summary::default(),
                manual: Vec::new(),
                notes: Vec::new(),
            };
            answer(
                &mut row, report, &index, &mapped, &claims, person, framework, day,
            );
            row
        })
        .collect();
    Questionnaire { framework, rows }
}

#[allow(clippy::too_many_arguments)]
fn answer(
    row: &mut Row,
    report: &Report,
    index: &Index,
    mapped: &[(&PolicyInfo, Role)],
    claims: &[(&str, &str)],
    person: &PersonInput,
    framework: Framework,
    day: Option<jiff::civil::Date>,
) {
    let mut accounts = BTreeSet::new();
    let mut regions = BTreeSet::new();
    let mut types = BTreeSet::new();
    for (policy, role) in mapped {
        let s = policy.summary;
        row.counts.pass += s.pass;
        row.counts.fail += s.fail;
        row.counts.error += s.error;
        row.counts.not_applicable += s.not_applicable;
        row.counts.waived += s.waived;
        row.evidence.push(evidence_sentence(
            policy,
            *role,
            framework,
            &row.question_id,
            index,
        ));
        if policy.not_configured.is_none() {
            if let Some((a, r)) = index.where_.get(policy.id.as_str()) {
                accounts.extend(a.iter().copied());
                regions.extend(r.iter().copied());
            }
            types.insert(match policy.level {
                Level::Account => format!("{} (account)", policy.resource_type),
                Level::Resource => policy.resource_type.clone(),
            });
        }
    }
    row.scope = Scope {
        accounts: accounts.into_iter().map(str::to_string).collect(),
        regions: regions.into_iter().map(str::to_string).collect(),
        resource_types: types.into_iter().collect(),
    };

    // The manual side: each mapped claim, else the question's own process part.
    let part = |subject: String, text: String, mut found: Vec<&attestations::Attestation>| {
        found.sort_by_key(|a| std::cmp::Reverse(a.expires));
        let valid = found
            .iter()
            .find(|a| a.status_on(day) == AttestationStatus::Valid);
        match (valid, found.first()) {
            (Some(a), _) => ManualPart {
                subject,
                text,
                status: PartStatus::Attested,
                attestation: Some(a.describe()),
            },
            (None, Some(a)) => ManualPart {
                subject,
                text,
                status: PartStatus::Expired,
                attestation: Some(match a.status_on(day) {
                    AttestationStatus::Undated => format!(
                        "{}; the report has no evaluation time to judge its expiry against",
                        a.describe()
                    ),
                    _ => a.describe(),
                }),
            },
            (None, None) => ManualPart {
                subject,
                text,
                status: PartStatus::Pending,
                attestation: None,
            },
        }
    };
    for (id, claim) in claims {
        row.manual.push(part(
            format!("claim {id}"),
            claim.to_string(),
            person.attestations.for_claim(id).collect(),
        ));
    }
    let question_attestations: Vec<_> = person
        .attestations
        .for_question(framework, &row.question_id)
        .collect();
    if row.kind != QuestionKind::Technical || !question_attestations.is_empty() {
        let text = match row.kind {
            QuestionKind::Technical => "the question as a whole".to_string(),
            _ => format!("the part no AWS check shows: {}", row.kind_reason),
        };
        let own = part(
            format!("question {}", row.question_id),
            text,
            question_attestations,
        );
        match (row.kind, own.status) {
            // A technical question needs no person; an attestation of it is extra support.
            (QuestionKind::Technical, PartStatus::Attested) => row.manual.push(own),
            (QuestionKind::Technical, _) => row.notes.push(format!(
                "Attestation does not count ({}): {}",
                own.subject,
                own.attestation.as_deref().unwrap_or_default()
            )),
            // A question attestation answers the question's own part; mapped claims still need
            // theirs, and stand for the process part when none is attested.
            _ if row.manual.is_empty() || own.status != PartStatus::Pending => row.manual.push(own),
            _ => {}
        }
    }
    let manual = ManualState {
        needed: !row.manual.is_empty(),
        done: row.manual.iter().all(|p| p.status == PartStatus::Attested),
    };
    let auto = automated(mapped);
    let exclusion = person.scoping.get(framework, &row.question_id);
    (row.answer, row.basis) = decide(row.kind, exclusion.is_some(), auto, manual);

    // Notes: what a person should do next.
    if let Some(ex) = exclusion {
        row.notes.push(format!(
            "Scoped out{}: {}",
            ex.by
                .as_ref()
                .map(|b| format!(" by {b}"))
                .unwrap_or_default(),
            ex.justification
        ));
        if auto == Automated::Fail {
            row.notes.push(
                "The mapped checks fail although the question is scoped out: review the scoping."
                    .into(),
            );
        }
    }
    for p in &row.manual {
        match p.status {
            PartStatus::Pending => row.notes.push(match p.subject.strip_prefix("claim ") {
                Some(id) => format!(
                    "Needs an attestation of claim {id} (\"{}\"): add `claim: {id}` to --attestations",
                    p.text
                ),
                None => format!(
                    "Needs an attestation of its process part: add `question: {}` with `framework: {}` to --attestations",
                    row.question_id,
                    framework.key()
                ),
            }),
            PartStatus::Expired => row.notes.push(format!(
                "Attestation does not count ({}): {}",
                p.subject,
                p.attestation.as_deref().unwrap_or_default()
            )),
            PartStatus::Attested => {}
        }
    }
    match (row.answer, auto) {
        (Answer::Manual, _) if mapped.is_empty() && row.manual.is_empty() => row
            .notes
            .push("No automated check answers this question; a person must.".into()),
        (Answer::Manual | Answer::Yes, Automated::NoCheck) if !mapped.is_empty() => {
            row.notes.push(
                "No mapped check can fail here (not configured, or unable to fail): the checks are context, not evidence."
                    .into(),
            );
        }
        (Answer::NoEvidence, _) => row
            .notes
            .push("The deciding checks found no resources to check in the scanned scope.".into()),
        (Answer::Unknown, Automated::Loosened) => row
            .notes
            .push("A deciding check passed only with parameters looser than its guardrail.".into()),
        (Answer::Review, _) if row.kind != QuestionKind::Governance || !manual.done => {
            row.notes.push(
                "Only a supporting check failed: a person decides whether the answer holds.".into(),
            );
        }
        (Answer::Review, _) => row
            .notes
            .push("Attested, but a mapped check fails: review the attestation.".into()),
        (Answer::Manual, Automated::Fail) => row
            .notes
            .push("A related check fails: weigh it before answering.".into()),
        _ => {}
    }
    // An organisation's answer says which accounts make it No or Unknown: the deciding checks'
    // accounts with failures (or undecided results), each account once.
    if report.source.account_ids.len() > 1 {
        let accounts_of = |by: &BTreeMap<&str, BTreeSet<&str>>| -> Vec<String> {
            let mut accounts: BTreeSet<String> = BTreeSet::new();
            for (policy, role) in mapped {
                if *role == Role::Decides {
                    let found = by.get(policy.id.as_str()).into_iter().flatten();
                    accounts.extend(found.map(|a| (*a).to_string()));
                }
            }
            accounts.into_iter().collect()
        };
        let (label, accounts) = match row.answer {
            Answer::No => ("No", accounts_of(&index.failing)),
            Answer::Unknown => ("Unknown", accounts_of(&index.undecided)),
            _ => ("", Vec::new()),
        };
        if !accounts.is_empty() {
            let total = report.source.account_ids.len();
            row.notes.push(format!(
                "{label} because of {} of {total} accounts: {}",
                accounts.len(),
                accounts.join(", ")
            ));
        }
    }
    if !report.collection_errors.is_empty() && row.answer == Answer::Unknown {
        row.notes
            .push("Some data could not be collected; see the report's collection errors.".into());
    }
}

/// "decides: 2 of 3 AWS::RDS::DBInstance pass: RDS instances encrypt storage at rest
/// (rds-storage-encrypted); failing: legacy-db".
fn evidence_sentence(
    policy: &PolicyInfo,
    role: Role,
    framework: Framework,
    question: &str,
    index: &Index,
) -> String {
    let role_text = match policy
        .mappings
        .iter()
        .find(|m| m.framework == framework.key() && m.id == question)
        .and_then(|m| m.reason.as_deref())
    {
        Some(reason) if role == Role::Supports => format!("supports ({reason})"),
        _ => role.as_str().to_string(),
    };
    if let Some(why) = &policy.not_configured {
        return format!(
            "{role_text}: {} ({}) did not run: {why}",
            policy.title, policy.id
        );
    }
    let s = policy.summary;
    let applicable = s.pass + s.fail + s.error + s.waived;
    let subject = match policy.level {
        Level::Account => "accounts".to_string(),
        Level::Resource => policy.resource_type.clone(),
    };
    let mut sentence = if applicable == 0 {
        format!(
            "{role_text}: no {subject} in scope: {} ({})",
            policy.title, policy.id
        )
    } else {
        format!(
            "{role_text}: {} of {applicable} {subject} pass: {} ({})",
            s.pass, policy.title, policy.id
        )
    };
    for (status, word, total) in [
        (Status::Fail, "failing", s.fail),
        (Status::Error, "undecided", s.error),
        (Status::Waived, "waived", s.waived),
    ] {
        if let Some(shown) = index.examples.get(&(policy.id.as_str(), status)) {
            let more = if total > shown.len() {
                format!(" and {} more", total - shown.len())
            } else {
                String::new()
            };
            sentence.push_str(&format!("; {word}: {}{more}", shown.join(", ")));
        }
    }
    if let Some(why) = &policy.vacuous {
        sentence.push_str(&format!(
            "; its passes are not evidence on their own: {why}"
        ));
    } else if !policy.guardrail_violations.is_empty() {
        sentence.push_str(&format!(
            "; not evidence: {}",
            policy.guardrail_violations.join("; ")
        ));
    }
    sentence
}

#[cfg(test)]
mod tests;
