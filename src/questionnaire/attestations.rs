//! Attestations: what a person vouches for where no AWS API can show it (training, a process, the
//! manual part of a mixed question), each with who, when, the evidence and an expiry.
//!
//! ```yaml
//! attestations:
//!   - claim: b-jwt-validated              # a manual claim of the policy set...
//!     by: Dana Smith, Head of Security
//!     date: 2026-10-01
//!     evidence: https://wiki.example.com/security/jwt-validation
//!     expires: 2027-10-01
//!   - question: IAM-14.1                  # ...or a questionnaire question's manual part
//!     framework: caiq-lite-v4
//!     by: Dana Smith, Head of Security
//!     date: 2026-10-01
//!     evidence: docs/security/mfa-policy.pdf
//!     expires: 2027-04-01
//! ```
//!
//! An attestation counts while the evaluation date (the report's `evaluated_at`) is on or before
//! its expiry; an expired one is reported and does not count. One naming an unknown claim or
//! question is an error: a typo must not leave an answer silently unattested.

use std::sync::Arc;

use jiff::civil::Date;
use serde::Serialize;

use crate::controls::{Catalog, Framework};
use crate::diagnostics::Code;
use crate::diagnostics::{Diagnostic, SourceFile};
use crate::policy::decode::{Decoder, Fields};
use crate::policy::yaml::{Node, NodeKind};

pub const FILE_KEYS: &[&str] = &["attestations"];
pub const ATTESTATION_KEYS: &[&str] = &[
    "claim",
    "question",
    "framework",
    "by",
    "date",
    "evidence",
    "expires",
];

/// What an attestation vouches for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Subject {
    /// A manual claim of the policy set, by ID.
    Claim { id: String },
    /// A question's manual part.
    Question { framework: Framework, id: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct Attestation {
    pub subject: Subject,
    pub by: String,
    pub date: Date,
    pub evidence: String,
    pub expires: Date,
    #[serde(skip)]
    pub span: crate::diagnostics::Span,
}

impl Attestation {
    /// Whether it counts on `day` (the evaluation date): issued on or before it, not expired.
    pub fn status_on(&self, day: Option<Date>) -> AttestationStatus {
        match day {
            None => AttestationStatus::Undated,
            Some(day) if day > self.expires => AttestationStatus::Expired,
            Some(_) => AttestationStatus::Valid,
        }
    }

    /// "attested by Dana Smith on 2026-10-01 (evidence: …; expires 2027-10-01)".
    pub fn describe(&self) -> String {
        format!(
            "attested by {} on {} (evidence: {}; expires {})",
            self.by, self.date, self.evidence, self.expires
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AttestationStatus {
    Valid,
    Expired,
    /// The report has no evaluation time, so the expiry cannot be judged: it does not count.
    Undated,
}

#[derive(Debug, Clone, Default)]
pub struct Attestations {
    pub items: Vec<Attestation>,
    pub file: Option<Arc<SourceFile>>,
}

impl Attestations {
    /// The attestations of one claim, in file order.
    pub fn for_claim<'a>(&'a self, claim: &'a str) -> impl Iterator<Item = &'a Attestation> + 'a {
        self.items
            .iter()
            .filter(move |a| matches!(&a.subject, Subject::Claim { id } if id == claim))
    }

    pub fn for_question<'a>(
        &'a self,
        framework: Framework,
        question: &'a str,
    ) -> impl Iterator<Item = &'a Attestation> + 'a {
        self.items.iter().filter(move |a| {
            matches!(&a.subject, Subject::Question { framework: f, id } if *f == framework && id == question)
        })
    }

    /// Errors for attestations naming claims that are not in `claims` (the policy set's manual
    /// claim IDs), and warnings for expired ones on `day`.
    pub fn check(&self, claims: &[&str], day: Option<Date>) -> Vec<Diagnostic> {
        let mut out = self.unknown_claims(claims);
        out.extend(self.expired(day));
        out
    }

    /// An attestation for a claim the policy set does not declare is an error: a typo must not
    /// leave a claim silently unattested.
    pub fn unknown_claims(&self, claims: &[&str]) -> Vec<Diagnostic> {
        let Some(file) = &self.file else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for a in &self.items {
            if let Subject::Claim { id } = &a.subject
                && !claims.contains(&id.as_str())
            {
                out.push(
                    Diagnostic::error(
                        Code::UnknownClaim,
                        format!("attestation for unknown manual claim `{id}`"),
                    )
                    .at(file, a.span)
                    .with_suggestion(
                        id,
                        claims.iter().copied(),
                        if claims.is_empty() {
                            "the policy set declares no manual claims".to_string()
                        } else {
                            format!("manual claims: {}", claims.join(", "))
                        },
                    ),
                );
            }
        }
        out
    }

    /// Warnings for attestations expired on `day`: they are listed and do not count.
    pub fn expired(&self, day: Option<Date>) -> Vec<Diagnostic> {
        let Some(file) = &self.file else {
            return Vec::new();
        };
        self.items
            .iter()
            .filter(|a| a.status_on(day) == AttestationStatus::Expired)
            .map(|a| {
                Diagnostic::warning(
                    Code::ExpiredAttestation,
                    format!(
                        "attestation by {} expired on {}; it does not count",
                        a.by, a.expires
                    ),
                )
                .at(file, a.span)
                .with_help("renew it with fresh evidence and a new `date` and `expires`")
            })
            .collect()
    }
}

/// Reads and parses an attestations file; every problem is a located diagnostic.
pub fn load(path: &std::path::Path) -> (Attestations, Vec<Diagnostic>) {
    match crate::diagnostics::read_source(path) {
        Ok(file) => parse(&file),
        Err(diag) => (Attestations::default(), vec![diag]),
    }
}

pub fn parse(file: &Arc<SourceFile>) -> (Attestations, Vec<Diagnostic>) {
    let mut decoder = Decoder::new(file);
    let root = match crate::policy::decode::parse_yaml(file) {
        Ok(root) => root,
        Err(diag) => return (Attestations::default(), vec![diag]),
    };
    let items = decoder
        .list_file(&root, "the attestations file", FILE_KEYS, "attestations")
        .iter()
        .filter_map(|node| decoder.attestation(node))
        .collect();
    (
        Attestations {
            items,
            file: Some(file.clone()),
        },
        decoder.diagnostics,
    )
}

impl Decoder<'_> {
    /// The items of a file whose top level is one required list under `key`.
    pub(crate) fn list_file<'n>(
        &mut self,
        root: &'n Node,
        what: &str,
        keys: &[&str],
        key: &str,
    ) -> &'n [Node] {
        if root.kind == NodeKind::Null {
            self.error(Code::MissingKey, root.span, format!("{what} is empty"))
                .help = Some(format!("{what} is a mapping with a `{key}:` list"));
            return &[];
        }
        let Some(fields) = self.fields(root, what, keys) else {
            return &[];
        };
        let Some(list) = self.required(&fields, key, what) else {
            return &[];
        };
        if let NodeKind::Seq(items) = &list.kind {
            items
        } else {
            self.wrong_type(list, &format!("`{key}`"), "a list");
            &[]
        }
    }

    fn attestation(&mut self, node: &Node) -> Option<Attestation> {
        let before = self.error_count();
        let fields = self.fields(node, "an attestation", ATTESTATION_KEYS)?;
        let subject = self.subject(&fields, "an attestation");
        let by = self
            .required(&fields, "by", "an attestation")
            .and_then(|n| self.non_empty(n, "`by`"));
        let evidence = self
            .required(&fields, "evidence", "an attestation")
            .and_then(|n| self.non_empty(n, "`evidence`"));
        let date = self
            .required(&fields, "date", "an attestation")
            .and_then(|n| self.date(n, "`date`"));
        let expires = self
            .required(&fields, "expires", "an attestation")
            .and_then(|n| self.date(n, "`expires`"));
        if let (Some(date), Some(expires)) = (&date, &expires)
            && expires.value < date.value
        {
            self.error(
                Code::InvalidValue,
                expires.span,
                format!(
                    "`expires` ({}) is before `date` ({})",
                    expires.value, date.value
                ),
            );
        }
        if self.error_count() > before {
            return None;
        }
        Some(Attestation {
            subject: subject?,
            by: by?.value,
            date: date?.value,
            evidence: evidence?.value,
            expires: expires?.value,
            span: fields
                .get("claim")
                .or(fields.get("question"))
                .map_or(fields.head(), |n| n.span),
        })
    }

    /// `claim: ID`, or `question: ID` with `framework:` — exactly one of the two.
    pub(crate) fn subject(&mut self, fields: &Fields, what: &str) -> Option<Subject> {
        match (fields.get("claim"), fields.get("question")) {
            (Some(_), Some(q)) => {
                self.error(
                    Code::InvalidValue,
                    q.span,
                    format!("{what} names a `claim` or a `question`, not both"),
                );
                None
            }
            (None, None) => {
                self.error(
                    Code::MissingKey,
                    fields.head(),
                    format!("{what} needs `claim: ID` (a manual claim) or `question: ID` with `framework:`"),
                );
                None
            }
            (Some(c), None) => {
                if let Some(f) = fields.get("framework") {
                    self.error(
                        Code::InvalidValue,
                        f.span,
                        "`framework` goes with `question`, not `claim`",
                    );
                    return None;
                }
                let id = self.non_empty(c, "`claim`")?;
                Some(Subject::Claim { id: id.value })
            }
            (None, Some(q)) => {
                let id = self.non_empty(q, "`question`")?;
                let framework = self.required(fields, "framework", what).and_then(|n| {
                    let options: Vec<(&str, Framework)> =
                        [Framework::CaiqLiteV4, Framework::CaiqLiteV3]
                            .iter()
                            .map(|f| (f.key(), *f))
                            .collect();
                    self.enum_value(n, "questionnaire framework", &options)
                })?;
                let catalog = Catalog::get(framework);
                if !catalog.contains(&id.value) {
                    self.error(
                        Code::UnknownQuestion,
                        id.span,
                        format!("`{}` is not a {} question", id.value, framework.key()),
                    )
                    .help = crate::diagnostics::did_you_mean(&id.value, catalog.ids());
                    return None;
                }
                Some(Subject::Question {
                    framework,
                    id: id.value,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> (Attestations, Vec<Diagnostic>) {
        parse(&SourceFile::new("a.yaml", text))
    }

    const GOOD: &str = "attestations:
  - claim: b-jwt-validated
    by: Dana Smith
    date: 2026-10-01
    evidence: https://wiki.example.com/jwt
    expires: 2027-10-01
  - question: IAM-14.1
    framework: caiq-lite-v4
    by: Dana Smith
    date: 2026-10-01
    evidence: docs/mfa.pdf
    expires: 2026-11-01
";

    #[test]
    fn reads_claims_and_questions() {
        let (a, diags) = parse_text(GOOD);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(a.items.len(), 2);
        assert_eq!(a.for_claim("b-jwt-validated").count(), 1);
        assert_eq!(a.for_question(Framework::CaiqLiteV4, "IAM-14.1").count(), 1);
        assert_eq!(a.for_question(Framework::CaiqLiteV3, "IAM-14.1").count(), 0);
    }

    #[test]
    fn expiry_is_judged_on_the_evaluation_date_and_never_without_one() {
        let (a, _) = parse_text(GOOD);
        let q = &a.items[1];
        let day = |s: &str| Some(s.parse::<Date>().unwrap());
        assert_eq!(q.status_on(day("2026-11-01")), AttestationStatus::Valid);
        assert_eq!(q.status_on(day("2026-11-02")), AttestationStatus::Expired);
        assert_eq!(q.status_on(None), AttestationStatus::Undated);
        let diags = a.check(&["b-jwt-validated"], day("2026-12-01"));
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "expired-attestation");
    }

    #[test]
    fn unknown_claims_are_errors_with_a_suggestion() {
        let (a, _) = parse_text(GOOD);
        let diags = a.check(&["b-jwt-validate"], None);
        assert_eq!(diags[0].code, "unknown-claim");
        assert!(diags[0].help.as_deref().unwrap().contains("b-jwt-validate"));
    }

    #[test]
    fn every_mistake_is_reported_with_its_location() {
        let text = "attestations:
  - claim: x
    question: IAM-14.1
    by: ''
    date: 2026-13-01
    evidence: e
    expires: 2027-01-01
  - question: IAM-99.9
    framework: caiq-lite-v4
    by: a
    date: 2026-10-01
    evidence: e
    expires: 2025-01-01
  - claim: y
    by: a
    date: 2026-10-01
    evidence: e
    expires: 2027-01-01
    signed: yes
";
        let (a, diags) = parse_text(text);
        assert!(a.items.is_empty());
        let codes: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
        assert!(codes.contains(&"unknown-question"), "{codes:?}");
        assert!(codes.contains(&"unknown-key"), "{codes:?}");
        assert!(diags.iter().any(|d| d.message.contains("not both")));
        assert!(diags.iter().any(|d| d.message.contains("2026-13-01")));
        assert!(diags.iter().any(|d| d.message.contains("before `date`")));
        assert!(diags.iter().all(|d| d.location().is_some()));
    }

    #[test]
    fn an_empty_file_is_an_error() {
        let (_, diags) = parse_text("");
        assert_eq!(diags[0].code, "missing-key");
    }
}
