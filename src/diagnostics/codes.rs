//! Every diagnostic code attestor gives, once: its stable string (what users grep and configure
//! against), its level, and what it finds. The lint rule registry, README's rule table and every
//! loader and command draw their codes from here (ruff's `codes.rs`, cargo-deny's `diags.rs`).

use super::Level;

macro_rules! codes {
    ($($variant:ident = $text:literal, $level:ident, $summary:literal;)*) => {
        /// A diagnostic code. Its string form is stable and documented.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in the order of the table.
            pub const ALL: &[Code] = &[$(Code::$variant,)*];

            /// The stable string, e.g. `unknown-key`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }

            /// The level a diagnostic with this code has.
            pub fn level(self) -> Level {
                match self {
                    $(Code::$variant => Level::$level,)*
                }
            }

            /// What it finds, in a few words (README's rule table).
            pub fn summary(self) -> &'static str {
                match self {
                    $(Code::$variant => $summary,)*
                }
            }
        }
    };
}

codes! {
    // Reading YAML and JSON files (policies, tests, attestations, scoping, snapshots, reports).
    YamlSyntax = "yaml-syntax", Error, "the file is not valid YAML";
    UnknownKey = "unknown-key", Error, "a key the format does not define (with a suggestion)";
    DuplicateKey = "duplicate-key", Error, "a key given twice in one mapping";
    MissingKey = "missing-key", Error, "a required key is absent";
    WrongType = "wrong-type", Error, "a value of the wrong type (string for a list, …)";
    InvalidValue = "invalid-value", Error, "a value outside the allowed set (severity, level, policy id form)";
    InvalidCondition = "invalid-condition", Error, "a condition that mixes or lacks operators";
    InvalidDuration = "invalid-duration", Error, "an age window that is not a number and unit (`90d`)";
    InvalidRegex = "invalid-regex", Error, "a `matches` pattern that does not compile";
    // Semantic lint rules over the policy model.
    UnknownResourceType = "unknown-resource-type", Error, "a resource type not in the resource schema";
    UnknownPropertyPath = "unknown-property-path", Error, "a property path the resource type does not have";
    TypeMismatch = "type-mismatch", Error, "a comparison whose value can never match the property's type";
    NegatedOnMissing = "negated-on-missing", Warning, "`on-missing` under a negation (`not`, `none`) that turns missing data into a pass";
    UnknownParameter = "unknown-parameter", Error, "`{param: NAME}` names no parameter of the policy";
    UnusedParameter = "unused-parameter", Warning, "a parameter no condition uses";
    UnknownControl = "unknown-control", Error, "a control or question ID not in the CSA catalog";
    LoosenedDefault = "loosened-default", Warning, "a parameter default looser than its guardrail: results would never count as evidence";
    UnmappedPolicy = "unmapped-policy", Warning, "a policy mapped to no control";
    DuplicatePolicyId = "duplicate-policy-id", Error, "two policies (or manual claims) share an ID";
    // Attestations and scoping.
    UnknownClaim = "unknown-claim", Error, "an attestation for a manual claim the policy set does not declare";
    UnknownQuestion = "unknown-question", Error, "a question ID not in the questionnaire";
    ExpiredAttestation = "expired-attestation", Warning, "an attestation past its expiry on the evaluation date";
    // Waivers.
    ExpiredWaiver = "expired-waiver", Warning, "a waiver past its expiry: the results it covered count again";
    ExpiringWaiver = "expiring-waiver", Warning, "a waiver that expires within 14 days";
    LongWaiver = "long-waiver", Error, "a waiver expiring more than a year ahead (allowed with --allow-long-waivers)";
    UnmatchedWaiver = "unmatched-waiver", Warning, "a waiver that matched no failing or undecided result";
    // Inputs, usage and output.
    InvalidInput = "invalid-input", Error, "a snapshot or report that cannot be read as one";
    InvalidItem = "invalid-item", Error, "one configuration item that cannot be read (the rest is evaluated)";
    InvalidUtf8 = "invalid-utf8", Error, "a file that is not UTF-8 text";
    UnreadableFile = "unreadable-file", Error, "a file or directory that cannot be read";
    UnreadableInput = "unreadable-input", Error, "an input file that cannot be opened";
    InvalidArgument = "invalid-argument", Error, "a command-line value that cannot be used";
    UnknownPolicy = "unknown-policy", Error, "`--set` or a test names a policy not in the set";
    NoPolicies = "no-policies", Error, "a directory without policy files";
    NoTests = "no-tests", Error, "no policy test files under the paths given";
    FeatureDisabled = "feature-disabled", Error, "a command that needs a feature this build lacks";
    WriteFailed = "write-failed", Error, "an output that could not be written";
    AwsCredentials = "aws-credentials", Error, "no usable AWS credentials";
    AwsUnreachable = "aws-unreachable", Error, "the AWS endpoint cannot be reached (refused, DNS, TLS, timeout)";
    AwsAccessDenied = "aws-access-denied", Error, "the credentials may not make the call";
    AwsRegion = "aws-region", Error, "no region, or a region that cannot be used";
    Runtime = "runtime", Error, "the async runtime could not start";
    Internal = "internal", Error, "a bug in attestor (please report it)";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_summarised() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "`{text}` is listed twice");
            assert!(
                text.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "`{text}`"
            );
            assert!(!code.summary().is_empty(), "`{text}` needs a summary");
        }
    }
}
