//! The answer model: every combination of kind, scoping, automated outcome and manual state, and
//! end-to-end answers from policies, resources, attestations and scoping.

use serde_json::json;

use super::*;
use crate::eval::{self, Options};
use crate::inventory::{ConfigurationItem, Coverage, Inventory, SourceInfo};
use crate::policy::PolicySet;
use crate::policy::parse::parse_file;

const KINDS: [QuestionKind; 3] = [
    QuestionKind::Technical,
    QuestionKind::Mixed,
    QuestionKind::Governance,
];
const AUTOS: [Automated; 7] = [
    Automated::Fail,
    Automated::Undecided,
    Automated::Loosened,
    Automated::Review,
    Automated::Pass,
    Automated::NoEvidence,
    Automated::NoCheck,
];

fn manual_states() -> Vec<ManualState> {
    vec![
        ManualState {
            needed: false,
            done: true,
        },
        ManualState {
            needed: true,
            done: false,
        },
        ManualState {
            needed: true,
            done: true,
        },
    ]
}

/// The rules that must hold for every input: these are the promises the README makes.
#[test]
fn no_combination_gives_an_answer_it_has_no_ground_for() {
    for kind in KINDS {
        for scoped in [false, true] {
            for auto in AUTOS {
                for manual in manual_states() {
                    let (answer, basis) = decide(kind, scoped, auto, manual);
                    let case = format!(
                        "{kind:?} scoped={scoped} {auto:?} {manual:?} → {answer:?} {basis:?}"
                    );
                    assert_eq!(answer == Answer::NotApplicable, scoped, "{case}");
                    if answer == Answer::Yes {
                        let verified = auto == Automated::Pass
                            && kind != QuestionKind::Governance
                            && (!manual.needed || manual.done);
                        let attested = manual.needed
                            && manual.done
                            && !matches!(auto, Automated::Fail | Automated::Review)
                            && (kind == QuestionKind::Governance || auto == Automated::NoCheck);
                        assert!(verified || attested, "{case}");
                        assert_ne!(basis, Basis::None, "{case}");
                    }
                    if kind != QuestionKind::Governance
                        && matches!(
                            auto,
                            Automated::Fail
                                | Automated::Undecided
                                | Automated::Loosened
                                | Automated::Review
                        )
                    {
                        assert!(!matches!(answer, Answer::Yes | Answer::Partial), "{case}");
                    }
                    if answer == Answer::No {
                        assert_eq!(auto, Automated::Fail, "{case}");
                        assert_ne!(kind, QuestionKind::Governance, "{case}");
                    }
                    if answer == Answer::Partial {
                        assert!(
                            auto == Automated::Pass && manual.needed && !manual.done,
                            "{case}"
                        );
                    }
                    if basis == Basis::Verified && answer == Answer::Yes {
                        assert!(!manual.needed, "{case}");
                    }
                }
            }
        }
    }
}

/// The table README documents, row by row.
#[test]
fn the_documented_table() {
    use Answer::*;
    use QuestionKind::*;
    let none = ManualState {
        needed: false,
        done: true,
    };
    let pending = ManualState {
        needed: true,
        done: false,
    };
    let attested = ManualState {
        needed: true,
        done: true,
    };
    let cases = [
        (Technical, Automated::Pass, none, Yes, Basis::Verified),
        (
            Technical,
            Automated::Pass,
            pending,
            Partial,
            Basis::Verified,
        ),
        (Technical, Automated::Pass, attested, Yes, Basis::Mixed),
        (Mixed, Automated::Pass, pending, Partial, Basis::Verified),
        (Mixed, Automated::Pass, attested, Yes, Basis::Mixed),
        (Technical, Automated::Fail, attested, No, Basis::Verified),
        (Mixed, Automated::Review, attested, Review, Basis::Verified),
        (
            Technical,
            Automated::Undecided,
            none,
            Unknown,
            Basis::Verified,
        ),
        (
            Technical,
            Automated::Loosened,
            none,
            Unknown,
            Basis::Verified,
        ),
        (
            Technical,
            Automated::NoEvidence,
            none,
            NoEvidence,
            Basis::Verified,
        ),
        (Technical, Automated::NoCheck, none, Manual, Basis::None),
        (Mixed, Automated::NoCheck, attested, Yes, Basis::Attested),
        (Governance, Automated::NoCheck, pending, Manual, Basis::None),
        (Governance, Automated::Pass, pending, Manual, Basis::None),
        (
            Governance,
            Automated::NoCheck,
            attested,
            Yes,
            Basis::Attested,
        ),
        (Governance, Automated::Fail, attested, Review, Basis::Mixed),
    ];
    for (kind, auto, manual, answer, basis) in cases {
        assert_eq!(
            decide(kind, false, auto, manual),
            (answer, basis),
            "{kind:?} {auto:?} {manual:?}"
        );
    }
}

fn info(id: &str, pass: usize, fail: usize, error: usize) -> PolicyInfo {
    PolicyInfo {
        id: id.into(),
        title: id.into(),
        severity: crate::policy::Severity::High,
        resource_type: "T".into(),
        level: Level::Resource,
        controls: BTreeMap::new(),
        mappings: Vec::new(),
        parameters: BTreeMap::new(),
        guardrail_violations: Vec::new(),
        counts_as_evidence: true,
        vacuous: None,
        not_configured: None,
        rationale: None,
        remediation: None,
        message: None,
        summary: Summary {
            pass,
            fail,
            error,
            not_applicable: 0,
            waived: 0,
            ..Summary::default()
        },
    }
}

#[test]
fn automated_weighs_roles_and_what_cannot_be_evidence() {
    use Role::{Decides as D, Supports as S};
    let pass = info("pass", 3, 0, 0);
    let fail = info("fail", 2, 1, 0);
    let error = info("error", 2, 0, 1);
    let empty = info("empty", 0, 0, 0);
    let mut vacuous = info("vacuous", 5, 0, 0);
    vacuous.vacuous = Some("AWS enforces it".into());
    let mut loosened = info("loosened", 5, 0, 0);
    loosened.guardrail_violations = vec!["parameter `days`: 400 is looser than 90".into()];
    let mut loosened_failing = loosened.clone();
    loosened_failing.summary.fail = 1;
    let mut unset = info("unset", 0, 0, 0);
    unset.not_configured = Some("not configured".into());
    let cases: Vec<(Vec<(&PolicyInfo, Role)>, Automated)> = vec![
        (vec![(&pass, D)], Automated::Pass),
        (vec![(&pass, D), (&empty, D)], Automated::Pass),
        (vec![(&pass, D), (&fail, D)], Automated::Fail),
        (vec![(&pass, D), (&fail, S)], Automated::Review),
        (vec![(&error, D), (&fail, S)], Automated::Undecided),
        (vec![(&fail, D), (&error, D)], Automated::Fail),
        (vec![(&pass, D), (&error, S)], Automated::Pass),
        (vec![(&pass, S)], Automated::NoCheck),
        (vec![(&fail, S)], Automated::Review),
        (vec![(&empty, D)], Automated::NoEvidence),
        (vec![(&vacuous, D)], Automated::NoCheck),
        (vec![(&vacuous, D), (&empty, D)], Automated::NoEvidence),
        (vec![(&vacuous, D), (&pass, D)], Automated::Pass),
        (vec![(&loosened, D)], Automated::Loosened),
        (vec![(&loosened, D), (&pass, D)], Automated::Loosened),
        (vec![(&loosened_failing, D)], Automated::Fail),
        (vec![(&unset, D)], Automated::NoCheck),
        (vec![(&unset, D), (&pass, D)], Automated::Pass),
        (vec![], Automated::NoCheck),
    ];
    for (mapped, expected) in cases {
        let names: Vec<String> = mapped
            .iter()
            .map(|(p, r)| format!("{}:{}", p.id, r.as_str()))
            .collect();
        assert_eq!(automated(&mapped), expected, "{names:?}");
    }
}

const POLICIES: &str = r"
policies:
  - id: users-mfa
    title: Console users have MFA
    severity: high
    resource: AWS::IAM::User
    check: {path: configuration.mfa, equals: true}
    controls:
      caiq-lite-v4: [IAM-14.1, {id: IAM-14.2, role: supports, reason: MFA is one part of strong authentication}]
  - id: buckets-encrypted
    title: Buckets encrypt by default
    severity: medium
    resource: AWS::S3::Bucket
    aws-enforced: S3 encrypts every new object since January 2023.
    check: {path: configuration.encrypted, equals: true}
    controls: {caiq-lite-v4: [CEK-03.1]}
  - id: in-regions
    title: Data stays in allowed regions
    severity: high
    resource: AWS::S3::Bucket
    parameters:
      allowed_regions: {type: list, guardrail: {vacuous-if-all-of: [eu-west-1, us-east-1]}}
    check: {path: awsRegion, in: {param: allowed_regions}}
    controls: {caiq-lite-v4: [DSP-19.1]}
manual:
  - id: everyone-mfa
    claim: Every employee uses MFA everywhere.
    controls: {caiq-lite-v4: [IAM-14.1]}
";

fn report(users: &[(&str, bool)], overrides: eval::Overrides) -> Report {
    let file = crate::diagnostics::SourceFile::new("p.yaml", POLICIES);
    let (contents, diagnostics) = parse_file(&file);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let set = PolicySet {
        policies: contents.policies,
        manual: contents.manual,
        files: vec![file],
    };
    let item = |t: &str, id: &str, conf: serde_json::Value| ConfigurationItem {
        resource_type: t.into(),
        resource_id: id.into(),
        account_id: "111122223333".into(),
        region: "eu-west-1".into(),
        resource_name: None,
        arn: None,
        doc: json!({"resourceType": t, "resourceId": id, "awsRegion": "eu-west-1", "configuration": conf}),
        unknown: Vec::new(),
    };
    let mut items: Vec<ConfigurationItem> = users
        .iter()
        .map(|(name, mfa)| item("AWS::IAM::User", name, json!({"mfa": mfa})))
        .collect();
    items.push(item("AWS::S3::Bucket", "data", json!({"encrypted": true})));
    let source = SourceInfo::for_tests("111122223333", "eu-west-1");
    let inventory = Inventory::new(source, items, Vec::new(), Coverage::complete());
    let evaluation = eval::evaluate(
        &set,
        &inventory,
        &Options {
            overrides,
            ..Options::default()
        },
    )
    .unwrap();
    Report::new(&set, &inventory, evaluation)
}

fn person(attestations: &str, scoping: &str) -> PersonInput {
    let mut input = PersonInput::default();
    if !attestations.is_empty() {
        let (a, d) =
            attestations::parse(&crate::diagnostics::SourceFile::new("a.yaml", attestations));
        assert!(d.is_empty(), "{d:?}");
        input.attestations = a;
    }
    if !scoping.is_empty() {
        let (s, d) = scoping::parse(&crate::diagnostics::SourceFile::new("s.yaml", scoping));
        assert!(d.is_empty(), "{d:?}");
        input.scoping = s;
    }
    input
}

fn row<'q>(q: &'q Questionnaire, id: &str) -> &'q Row {
    q.rows.iter().find(|r| r.question_id == id).unwrap()
}

#[test]
fn an_open_manual_claim_holds_a_passing_answer_at_partial_until_attested() {
    let r = report(&[("alice", true)], eval::Overrides::new());
    let q = build(&r, Framework::CaiqLiteV4, &PersonInput::default());
    let mfa = row(&q, "IAM-14.1");
    assert_eq!((mfa.answer, mfa.basis), (Answer::Partial, Basis::Verified));
    assert!(
        mfa.notes.iter().any(|n| n.contains("everyone-mfa")),
        "{:?}",
        mfa.notes
    );
    assert_eq!(mfa.scope.accounts, ["111122223333"]);
    assert_eq!(mfa.scope.regions, ["eu-west-1"]);

    let valid = "attestations:\n  - {claim: everyone-mfa, by: Dana, date: 2026-10-01, evidence: docs/mfa.pdf, expires: 2027-10-01}\n";
    let q = build(&r, Framework::CaiqLiteV4, &person(valid, ""));
    let mfa = row(&q, "IAM-14.1");
    assert_eq!((mfa.answer, mfa.basis), (Answer::Yes, Basis::Mixed));
    assert_eq!(mfa.manual[0].status, PartStatus::Attested);

    // Expired on the report's evaluation date (2026-11-01), whatever today is.
    let expired = "attestations:\n  - {claim: everyone-mfa, by: Dana, date: 2025-10-01, evidence: docs/mfa.pdf, expires: 2026-10-31}\n";
    let q = build(&r, Framework::CaiqLiteV4, &person(expired, ""));
    let mfa = row(&q, "IAM-14.1");
    assert_eq!(mfa.answer, Answer::Partial);
    assert_eq!(mfa.manual[0].status, PartStatus::Expired);
}

#[test]
fn an_attestation_never_outweighs_a_failing_check() {
    let r = report(&[("alice", true), ("bob", false)], eval::Overrides::new());
    let valid = "attestations:\n  - {claim: everyone-mfa, by: Dana, date: 2026-10-01, evidence: e, expires: 2027-10-01}\n  - {question: IAM-14.1, framework: caiq-lite-v4, by: Dana, date: 2026-10-01, evidence: e, expires: 2027-10-01}\n";
    let q = build(&r, Framework::CaiqLiteV4, &person(valid, ""));
    let mfa = row(&q, "IAM-14.1");
    assert_eq!(mfa.answer, Answer::No);
    assert!(
        mfa.evidence[0].contains("failing: bob"),
        "{:?}",
        mfa.evidence
    );
    // The same failure only supports IAM-14.2: a person reviews it.
    let strong = row(&q, "IAM-14.2");
    assert_eq!(strong.answer, Answer::Review);
    assert!(
        strong.evidence[0].starts_with("supports (MFA is one part"),
        "{:?}",
        strong.evidence
    );
}

#[test]
fn checks_that_cannot_fail_or_did_not_run_never_make_yes() {
    // Encryption AWS enforces anyway: a pass is context, the question falls back to a person.
    let r = report(&[("alice", true)], eval::Overrides::new());
    let q = build(&r, Framework::CaiqLiteV4, &PersonInput::default());
    let cek = row(&q, "CEK-03.1");
    assert_eq!(cek.answer, Answer::Manual, "{cek:?}");
    assert!(
        cek.evidence[0].contains("not evidence on their own"),
        "{:?}",
        cek.evidence
    );

    // No regions stated: the policy does not run, is listed, and the question is manual.
    let residency = row(&q, "DSP-19.1");
    assert_eq!(residency.answer, Answer::Manual);
    assert!(
        residency.evidence[0].contains("did not run"),
        "{:?}",
        residency.evidence
    );
    let info = r.policies.iter().find(|p| p.id == "in-regions").unwrap();
    assert!(
        info.not_configured
            .as_deref()
            .unwrap()
            .contains("--set 'in-regions.allowed_regions=...'")
    );
    assert!(
        r.results
            .iter()
            .all(|f| f.finding.policy_id != "in-regions")
    );

    // Every region listed: the check runs but cannot fail.
    let all = eval::Overrides::from([(
        "in-regions".to_string(),
        BTreeMap::from([(
            "allowed_regions".to_string(),
            json!(["us-east-1", "eu-west-1"]),
        )]),
    )]);
    let r = report(&[("alice", true)], all);
    let info = r.policies.iter().find(|p| p.id == "in-regions").unwrap();
    assert!(info.vacuous.is_some());
    assert!(!info.counts_as_evidence);
    let q = build(&r, Framework::CaiqLiteV4, &PersonInput::default());
    assert_eq!(row(&q, "DSP-19.1").answer, Answer::Manual);

    // The regions a statement promises: now it is evidence (a mixed question: Partial).
    let eu = eval::Overrides::from([(
        "in-regions".to_string(),
        BTreeMap::from([("allowed_regions".to_string(), json!(["eu-west-1"]))]),
    )]);
    let r = report(&[("alice", true)], eu);
    let q = build(&r, Framework::CaiqLiteV4, &PersonInput::default());
    let residency = row(&q, "DSP-19.1");
    assert!(
        matches!(residency.answer, Answer::Yes | Answer::Partial),
        "{residency:?}"
    );
}

#[test]
fn not_applicable_comes_only_from_scoping() {
    // No users at all: the MFA check has nothing to check. That is "No evidence", never N/A.
    let r = report(&[], eval::Overrides::new());
    let q = build(&r, Framework::CaiqLiteV4, &PersonInput::default());
    assert!(q.rows.iter().all(|row| row.answer != Answer::NotApplicable));
    assert_eq!(row(&q, "IAM-14.1").answer, Answer::NoEvidence);

    let scoping = "not-applicable:\n  - {question: DCS-03.1, framework: caiq-lite-v4, justification: We run no offices; everyone works remotely.}\n";
    let q = build(&r, Framework::CaiqLiteV4, &person("", scoping));
    let dcs = row(&q, "DCS-03.1");
    assert_eq!(
        (dcs.answer, dcs.basis),
        (Answer::NotApplicable, Basis::Scoped)
    );
    assert!(dcs.notes[0].contains("no offices"));
    // Scoping for one framework says nothing about the other.
    let q3 = build(&r, Framework::CaiqLiteV3, &person("", scoping));
    assert!(
        q3.rows
            .iter()
            .all(|row| row.answer != Answer::NotApplicable)
    );
}

#[test]
fn governance_questions_are_answered_by_people() {
    let r = report(&[("alice", true)], eval::Overrides::new());
    let q = build(&r, Framework::CaiqLiteV4, &PersonInput::default());
    let a = row(&q, "A&A-02.1");
    assert_eq!(a.kind, QuestionKind::Governance);
    assert_eq!(a.answer, Answer::Manual);
    let attested = "attestations:\n  - {question: A&A-02.1, framework: caiq-lite-v4, by: Dana, date: 2026-10-01, evidence: audits/2026-soc2.pdf, expires: 2027-10-01}\n";
    let q = build(&r, Framework::CaiqLiteV4, &person(attested, ""));
    let a = row(&q, "A&A-02.1");
    assert_eq!((a.answer, a.basis), (Answer::Yes, Basis::Attested));
    assert!(
        a.manual[0]
            .attestation
            .as_deref()
            .unwrap()
            .contains("audits/2026-soc2.pdf")
    );
}

#[test]
fn every_question_is_answered_in_catalog_order() {
    let r = report(&[("alice", true)], eval::Overrides::new());
    for framework in [Framework::CaiqLiteV4, Framework::CaiqLiteV3] {
        let q = build(&r, framework, &PersonInput::default());
        let ids: Vec<&str> = q.rows.iter().map(|r| r.question_id.as_str()).collect();
        let catalog: Vec<&str> = Catalog::get(framework).ids().collect();
        assert_eq!(ids, catalog);
    }
}
