//! Waivers: documented, time-limited decisions not to fix a finding.
//!
//! ```yaml
//! waivers:
//!   - policy: s3-bucket-versioning                # a policy ID
//!     resource: "module.legacy.aws_s3_bucket.*"   # resource ID, ARN, Terraform address, or a glob
//!     justification: "Legacy export bucket, replaced in Q2 (JIRA-1234)"
//!     owner: platform-team@example.com            # optional
//!     account: "111122223333"                     # optional: only this account (a glob)
//!     region: eu-west-1                           # optional: only this region (a glob)
//!     expires: 2027-03-31
//! ```
//!
//! A waiver turns the `fail` and `error` results it matches into `waived`, carrying its
//! justification into every format; they are counted apart and never disappear, and never count
//! as evidence for a questionnaire answer. One past its expiry on the evaluation date no longer
//! applies, and the run says so. Waivers are parsed like policies (spans, then a validated model,
//! every problem reported together); matching is pure, so evaluation applies them without I/O.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Code, Diagnostic, SourceFile, Span};
use crate::policy::decode::Decoder;
use crate::policy::yaml::Node;

pub const FILE_KEYS: &[&str] = &["waivers"];
pub const WAIVER_KEYS: &[&str] = &[
    "policy",
    "resource",
    "justification",
    "owner",
    "account",
    "region",
    "expires",
];

/// A waiver expiring within this many days is reported, so it is renewed or fixed in time.
pub const EXPIRY_WARNING_DAYS: i32 = 14;

#[derive(Debug, Clone)]
pub struct Waiver {
    pub policy: String,
    /// An exact resource ID, ARN or Terraform address, or a glob over them (`*`, `?`).
    pub resource: String,
    pub justification: String,
    pub owner: Option<String>,
    /// Only results in accounts (and regions) matching these globs: a resource name such as
    /// `admin` recurs across an organisation's accounts.
    pub account: Option<String>,
    pub region: Option<String>,
    pub expires: Date,
    /// Where it is written (`waivers.yaml:7`), which names it in reports.
    pub at: String,
    pub span: Span,
    pub policy_span: Span,
    pub expires_span: Span,
}

#[derive(Debug, Clone, Default)]
pub struct Waivers {
    pub items: Vec<Waiver>,
    pub file: Option<Arc<SourceFile>>,
}

/// Reads and parses a waivers file; every problem is a located diagnostic.
pub fn load(path: &std::path::Path) -> (Waivers, Vec<Diagnostic>) {
    match crate::diagnostics::read_source(path) {
        Ok(file) => parse(&file),
        Err(diag) => (Waivers::default(), vec![diag]),
    }
}

pub fn parse(file: &Arc<SourceFile>) -> (Waivers, Vec<Diagnostic>) {
    let mut decoder = Decoder::new(file);
    let root = match crate::policy::decode::parse_yaml(file) {
        Ok(root) => root,
        Err(diag) => return (Waivers::default(), vec![diag]),
    };
    let items = decoder
        .list_file(&root, "the waivers file", FILE_KEYS, "waivers")
        .iter()
        .filter_map(|node| waiver(&mut decoder, node))
        .collect();
    (
        Waivers {
            items,
            file: Some(file.clone()),
        },
        decoder.diagnostics,
    )
}

fn waiver(decoder: &mut Decoder<'_>, node: &Node) -> Option<Waiver> {
    let before = decoder.error_count();
    let fields = decoder.fields(node, "a waiver", WAIVER_KEYS)?;
    let policy = decoder
        .required(&fields, "policy", "a waiver")
        .and_then(|n| decoder.non_empty(n, "`policy`"));
    let resource = decoder
        .required(&fields, "resource", "a waiver")
        .and_then(|n| decoder.non_empty(n, "`resource`"));
    let justification = decoder
        .required(&fields, "justification", "a waiver")
        .and_then(|n| decoder.non_empty(n, "`justification`"));
    let mut optional = |key: &str| match fields.get(key) {
        Some(n) => decoder
            .non_empty(n, &format!("`{key}`"))
            .map(|s| Some(s.value))
            .ok_or(()),
        None => Ok(None),
    };
    let (owner, account, region) = (optional("owner"), optional("account"), optional("region"));
    let expires = decoder
        .required(&fields, "expires", "a waiver")
        .and_then(|n| decoder.date(n, "`expires`"));
    if decoder.error_count() > before {
        return None;
    }
    let (policy, expires) = (policy?, expires?);
    // Line and column: two waivers on one line (flow style) are still two.
    let (line, column) = decoder.file.line_col(fields.head().start);
    Some(Waiver {
        at: format!("{}:{line}:{column}", decoder.file.name),
        policy_span: policy.span,
        policy: policy.value,
        resource: resource?.value,
        justification: justification?.value,
        owner: owner.ok()?,
        account: account.ok()?,
        region: region.ok()?,
        expires: expires.value,
        expires_span: expires.span,
        span: fields.head(),
    })
}

impl Waivers {
    /// Problems a person must see before trusting the file on `today`: waivers for policies not
    /// in the set (errors: a typo must not leave a failure unwaived by surprise), expiries more
    /// than a year ahead (errors unless `allow_long`), expired waivers and ones expiring within
    /// [`EXPIRY_WARNING_DAYS`] (warnings).
    pub fn check(&self, policies: &[&str], today: Date, allow_long: bool) -> Vec<Diagnostic> {
        let Some(file) = &self.file else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let year_ahead = today.saturating_add(jiff::Span::new().years(1));
        for w in &self.items {
            if !policies.contains(&w.policy.as_str()) {
                out.push(
                    Diagnostic::error(
                        Code::UnknownPolicy,
                        format!("waiver for unknown policy `{}`", w.policy),
                    )
                    .at(file, w.policy_span)
                    .with_suggestion(
                        &w.policy,
                        policies.iter().copied(),
                        "`attestor policies` lists the policy IDs",
                    ),
                );
            }
            if w.expires > year_ahead && !allow_long {
                out.push(
                    Diagnostic::error(
                        Code::LongWaiver,
                        format!(
                            "waiver expires on {}, more than a year after {today}",
                            w.expires
                        ),
                    )
                    .at(file, w.expires_span)
                    .with_help(
                        "review waivers at least yearly: set an earlier `expires`, or pass --allow-long-waivers",
                    ),
                );
            }
            out.extend(expiry_warning(w, today, file));
        }
        out
    }

    /// The waivers that apply on `day`, ready to match results.
    pub fn active(&self, day: Date) -> ActiveWaivers {
        let mut by_policy: HashMap<String, Vec<usize>> = HashMap::new();
        let mut entries = Vec::new();
        for w in self.items.iter().filter(|w| w.expires >= day) {
            by_policy
                .entry(w.policy.clone())
                .or_default()
                .push(entries.len());
            entries.push(w.clone());
        }
        ActiveWaivers { entries, by_policy }
    }

    /// Each waiver's state on `day` given how many results it matched (by [`Waiver::at`]), for
    /// the report.
    pub fn states(&self, day: Date, matched: &HashMap<String, usize>) -> Vec<WaiverInfo> {
        self.items
            .iter()
            .map(|w| {
                let matched = matched.get(&w.at).copied().unwrap_or(0);
                let state = if w.expires < day {
                    WaiverState::Expired
                } else if matched == 0 {
                    WaiverState::Unmatched
                } else {
                    WaiverState::Applied
                };
                WaiverInfo {
                    policy: w.policy.clone(),
                    resource: w.resource.clone(),
                    justification: w.justification.clone(),
                    owner: w.owner.clone(),
                    expires: w.expires,
                    at: w.at.clone(),
                    state,
                    matched,
                }
            })
            .collect()
    }

    /// What a run says about its waivers on `day`: expired ones (they no longer apply), ones
    /// about to expire, and ones that matched nothing.
    pub fn run_diagnostics(&self, day: Date, matched: &HashMap<String, usize>) -> Vec<Diagnostic> {
        let Some(file) = &self.file else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for w in &self.items {
            if let Some(d) = expiry_warning(w, day, file) {
                out.push(d);
            } else if matched.get(&w.at).copied().unwrap_or(0) == 0 {
                out.push(
                    Diagnostic::warning(
                        Code::UnmatchedWaiver,
                        format!(
                            "waiver for `{}` on `{}` matched no failing or undecided result",
                            w.policy, w.resource
                        ),
                    )
                    .at(file, w.span)
                    .with_help(
                        "the resources it names pass now or do not exist: remove the waiver, or correct `resource`",
                    ),
                );
            }
        }
        out
    }
}

fn expiry_warning(w: &Waiver, day: Date, file: &Arc<SourceFile>) -> Option<Diagnostic> {
    if w.expires < day {
        return Some(
            Diagnostic::warning(
                Code::ExpiredWaiver,
                format!(
                    "waiver for `{}` on `{}` expired on {}; the results it covered count again",
                    w.policy, w.resource, w.expires
                ),
            )
            .at(file, w.expires_span)
            .with_help(
                "fix the finding, or renew the waiver with a fresh justification and `expires`",
            ),
        );
    }
    let soon = day.saturating_add(jiff::Span::new().days(EXPIRY_WARNING_DAYS));
    (w.expires <= soon).then(|| {
        Diagnostic::warning(
            Code::ExpiringWaiver,
            format!(
                "waiver for `{}` on `{}` expires on {} (within {EXPIRY_WARNING_DAYS} days)",
                w.policy, w.resource, w.expires
            ),
        )
        .at(file, w.expires_span)
        .with_help("fix the finding before then, or renew the waiver")
    })
}

/// The waivers in force, indexed by policy.
#[derive(Debug, Clone, Default)]
pub struct ActiveWaivers {
    entries: Vec<Waiver>,
    by_policy: HashMap<String, Vec<usize>>,
}

impl ActiveWaivers {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The first waiver (in file order) of `policy` whose pattern matches one of the resource's
    /// names (its ID, ARN, or name) in `account` and `region`, where the waiver names them.
    pub fn find(
        &self,
        policy: &str,
        names: &[Option<&str>],
        account: &str,
        region: &str,
    ) -> Option<&Waiver> {
        let within = |pattern: &Option<String>, value: &str| {
            pattern.as_deref().is_none_or(|p| glob_match(p, value))
        };
        self.by_policy
            .get(policy)?
            .iter()
            .map(|&i| &self.entries[i])
            .find(|w| {
                within(&w.account, account)
                    && within(&w.region, region)
                    && names
                        .iter()
                        .flatten()
                        .any(|name| glob_match(&w.resource, name))
            })
    }
}

/// A waiver as a report records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverInfo {
    pub policy: String,
    pub resource: String,
    pub justification: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub expires: Date,
    pub at: String,
    pub state: WaiverState,
    /// How many results it waived.
    pub matched: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverState {
    Applied,
    /// Past its expiry on the evaluation date: it waived nothing.
    Expired,
    /// In force, but no failing or undecided result matched it.
    Unmatched,
}

/// `*` matches any run of characters (including none), `?` any one; everything else matches
/// itself. Terraform addresses' `[`, `]` and quotes are ordinary characters here.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matching with one backtrack point: linear in practice, never exponential.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        // `*` first: a literal `*` in the text must not be taken as matching it.
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// The waivers file's JSON Schema (`attestor schema waivers`, `schemas/waivers.schema.json`),
/// for editors. The parser above is the authority; a test fails when the two disagree on a key.
pub fn schema_json() -> String {
    crate::json::pretty_schema(&schemars::schema_for!(schema::WaiversFile))
}

#[allow(dead_code)] // Fields are read by schemars' derive, never by code.
mod schema {
    use schemars::JsonSchema;

    /// An attestor waivers file: documented, time-limited decisions not to fix a finding.
    #[derive(JsonSchema)]
    #[serde(deny_unknown_fields)]
    #[schemars(title = "attestor waivers file")]
    pub(super) struct WaiversFile {
        pub waivers: Vec<WaiverDoc>,
    }

    /// One waiver: a `fail` or `error` of `policy` on a resource matching `resource` is `waived`
    /// until `expires`.
    #[derive(JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub(super) struct WaiverDoc {
        /// A policy ID (`attestor policies` lists them).
        #[schemars(length(min = 1))]
        pub policy: String,
        /// An exact resource ID, ARN or Terraform address, or a glob over them (`*` any run of
        /// characters, `?` one).
        #[schemars(length(min = 1))]
        pub resource: String,
        /// Why the finding is not fixed (a ticket, a decision, a date).
        #[schemars(length(min = 1))]
        pub justification: String,
        /// Who answers for the waiver.
        #[serde(default)]
        #[schemars(length(min = 1))]
        pub owner: String,
        /// Only results in accounts matching this (an ID, or a glob): names recur across an
        /// organisation's accounts.
        #[serde(default)]
        #[schemars(length(min = 1))]
        pub account: String,
        /// Only results in regions matching this (a region, `global`, or a glob).
        #[serde(default)]
        #[schemars(length(min = 1))]
        pub region: String,
        /// The last day the waiver applies (YYYY-MM-DD), at most a year ahead unless
        /// `--allow-long-waivers`.
        #[schemars(regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
        pub expires: String,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_names_every_key_the_parser_reads_and_is_committed() {
        let schema: serde_json::Value = serde_json::from_str(&schema_json()).unwrap();
        let keys = |v: &serde_json::Value| -> Vec<String> {
            let mut k: Vec<String> = v["properties"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect();
            k.sort();
            k
        };
        let sorted = |k: &[&str]| -> Vec<String> {
            let mut k: Vec<String> = k.iter().map(ToString::to_string).collect();
            k.sort();
            k
        };
        assert_eq!(keys(&schema), sorted(FILE_KEYS));
        assert_eq!(keys(&schema["$defs"]["WaiverDoc"]), sorted(WAIVER_KEYS));
        assert!(
            include_str!("../schemas/waivers.schema.json") == schema_json(),
            "schemas/waivers.schema.json is stale: run `scripts/generate`"
        );
    }

    fn parse_text(text: &str) -> (Waivers, Vec<Diagnostic>) {
        parse(&SourceFile::new("waivers.yaml", text))
    }

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    const ONE: &str = "waivers:
  - policy: rds-storage-encrypted
    resource: module.legacy.aws_db_instance.*
    justification: Legacy reporting DB, replaced in Q2 (JIRA-1234)
    owner: data-team@example.com
    expires: 2027-03-31
";

    #[test]
    fn a_waiver_file_parses_with_its_location() {
        let (w, d) = parse_text(ONE);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(w.items.len(), 1);
        let w = &w.items[0];
        assert_eq!(w.policy, "rds-storage-encrypted");
        assert_eq!(w.expires, day("2027-03-31"));
        assert_eq!(w.owner.as_deref(), Some("data-team@example.com"));
        assert_eq!(w.at, "waivers.yaml:2:5");
    }

    #[test]
    fn every_problem_is_reported_together_and_located() {
        let text = "waivers:
  - policy: a
    resource: r
    expires: 2027-01-01
  - policy: b
    resource: r
    justification: '  '
    expires: next week
  - policy: c
    resource: r
    justification: ok
    expires: 2027-01-01
    expiry: 2027-01-01
";
        let (w, d) = parse_text(text);
        assert!(w.items.is_empty(), "no invalid waiver is half-used");
        let messages: Vec<String> = d.iter().map(|d| d.message.clone()).collect();
        assert!(
            messages.iter().any(|m| m.contains("justification")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("`justification` is empty")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("date like")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("expiry")),
            "{messages:?}"
        );
        assert!(d.iter().all(|d| d.location().is_some()), "{d:?}");
        for (text, what) in [
            ("", "empty"),
            ("waivers: {}", "a list"),
            ("- policy: a", "mapping"),
            ("waivers:\n\t- policy: a", "tab"),
        ] {
            let (_, d) = parse_text(text);
            assert!(!d.is_empty(), "{what}: {text:?}");
        }
    }

    #[test]
    fn checks_name_unknown_policies_long_and_expiring_waivers() {
        let (w, _) = parse_text(ONE);
        let today = day("2026-12-01");
        assert!(w.check(&["rds-storage-encrypted"], today, false).is_empty());
        let d = w.check(&["rds-storage-encrypted-at-rest"], today, false);
        assert_eq!(d[0].code, Code::UnknownPolicy);
        // More than a year ahead.
        let d = w.check(&["rds-storage-encrypted"], day("2026-03-30"), false);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, Code::LongWaiver);
        assert!(
            w.check(&["rds-storage-encrypted"], day("2026-03-30"), true)
                .is_empty()
        );
        // Within 14 days, and past.
        let d = w.check(&["rds-storage-encrypted"], day("2027-03-20"), false);
        assert_eq!(d[0].code, Code::ExpiringWaiver);
        let d = w.check(&["rds-storage-encrypted"], day("2027-04-01"), false);
        assert_eq!(d[0].code, Code::ExpiredWaiver);
    }

    #[test]
    fn an_expired_waiver_applies_to_nothing() {
        let (w, _) = parse_text(ONE);
        let name = Some("module.legacy.aws_db_instance.main");
        assert!(
            w.active(day("2027-03-31"))
                .find("rds-storage-encrypted", &[name], "1", "eu-west-1")
                .is_some(),
            "in force on its expiry day"
        );
        assert!(
            w.active(day("2027-04-01"))
                .find("rds-storage-encrypted", &[name], "1", "eu-west-1")
                .is_none()
        );
        assert!(
            w.active(day("2027-01-01"))
                .find("another-policy", &[name], "1", "eu-west-1")
                .is_none(),
            "a waiver is for its policy only"
        );
    }

    #[test]
    fn a_waiver_naming_an_account_or_region_applies_only_there() {
        let (w, d) = parse_text(
            "waivers:\n  - {policy: p, resource: admin, justification: sandbox only, account: '2222*', region: eu-*, expires: 2027-01-01}\n  - {policy: p, resource: admin, justification: second on the line, expires: 2027-01-01}\n",
        );
        assert!(d.is_empty(), "{d:?}");
        assert_ne!(
            w.items[0].at, w.items[1].at,
            "two waivers on one line are two"
        );
        let only_first = Waivers {
            items: vec![w.items[0].clone()],
            file: None,
        };
        let active = only_first.active(day("2026-12-01"));
        let admin = [Some("admin")];
        assert!(
            active
                .find("p", &admin, "222233334444", "eu-west-1")
                .is_some()
        );
        assert!(
            active
                .find("p", &admin, "111122223333", "eu-west-1")
                .is_none()
        );
        assert!(
            active
                .find("p", &admin, "222233334444", "us-east-1")
                .is_none()
        );
    }

    #[test]
    fn globs() {
        assert!(glob_match("*", ""));
        assert!(glob_match("*", "anything"));
        assert!(glob_match("db-?", "db-1"));
        assert!(!glob_match("db-?", "db-12"));
        assert!(glob_match(
            "module.*.aws_s3_bucket.logs[\"eu\"]",
            "module.a.module.b.aws_s3_bucket.logs[\"eu\"]"
        ));
        assert!(glob_match("arn:aws:s3:::logs-*", "arn:aws:s3:::logs-2026"));
        assert!(!glob_match("arn:aws:s3:::logs-*", "arn:aws:s3:::other"));
        assert!(glob_match("a*b*c", "aXbYbZc"));
        assert!(!glob_match("a*b*c", "aXbYbZ"));
        assert!(glob_match("a*c", "a*bc"), "a literal * in the text");
        assert!(glob_match("*", "*"));
        assert!(glob_match("exact", "exact"));
        assert!(!glob_match("exact", "exactly"));
        // No exponential blow-up on many stars.
        let text = "a".repeat(10_000);
        assert!(!glob_match(&format!("{}b", "*a".repeat(50)), &text));
    }
}
