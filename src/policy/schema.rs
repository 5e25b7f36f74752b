//! JSON Schema of the policy file format, for editors (yaml-language-server) and `attestor schema policy`.
//!
//! These types exist only to describe the format; the parser in `parse.rs` is the authority. Tests
//! below fail when the two disagree on any key, and when `schemas/policy.schema.json` is stale.

#![allow(dead_code)] // Fields are read by schemars' derive, never by code.

use std::collections::BTreeMap;

use schemars::JsonSchema;

/// An attestor policy file: one or more policies.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "attestor policy file")]
struct PolicyFile {
    policies: Option<Vec<PolicyDoc>>,
    /// Claims no AWS API can show, mapped to controls so questionnaires list them as manual.
    manual: Option<Vec<ManualDoc>>,
}

/// A claim that needs manual evidence (training, background checks, office security…).
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct ManualDoc {
    id: String,
    /// The claim in the statement's own words.
    claim: String,
    controls: ClaimControlsDoc,
}

#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Level {
    /// One result per resource (the default).
    Resource,
    /// One result per account.
    Account,
}

#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
enum AccountMatch {
    Any,
    All,
    None,
}

#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
enum StatusChoice {
    Pass,
    Fail,
    Error,
    NotApplicable,
}

#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
enum OnMissing {
    Error,
    Pass,
    Fail,
}

/// One policy: a claim checked against every resource of a type (or once per account).
#[derive(JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct PolicyDoc {
    /// Lowercase letters, digits and dashes; unique across the policy set.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    id: String,
    title: String,
    description: Option<String>,
    severity: Severity,
    /// Resource type in CloudFormation / AWS Config naming, e.g. `AWS::RDS::DBInstance`.
    resource: String,
    level: Option<Level>,
    /// Account-level policies: how many resources must satisfy `check` (default `any`).
    #[serde(rename = "match")]
    account_match: Option<AccountMatch>,
    /// Account-level policies: the status when the account has no resource of the type.
    if_none: Option<StatusChoice>,
    /// Which resources the policy applies to; the others are `not_applicable`.
    scope: Option<ConditionDoc>,
    check: ConditionDoc,
    parameters: Option<BTreeMap<String, ParameterDoc>>,
    controls: Option<ControlsDoc>,
    rationale: Option<String>,
    remediation: Option<String>,
    references: Option<Vec<String>>,
    /// Why the checked setting is one AWS enforces anyway: the check cannot fail, so its passes
    /// never make a questionnaire answer Yes on their own.
    aws_enforced: Option<String>,
    /// What a failure means, in words, for human reports: placeholders `{resource}` (name and
    /// ID), `{account}`, `{region}` and `{value}` (the first value the check found).
    message: Option<String>,
}

/// The controls and questions a policy answers, per framework.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct ControlsDoc {
    /// CSA Cloud Controls Matrix v4 control IDs, e.g. `CEK-03`.
    #[serde(rename = "ccm-v4")]
    ccm_v4: Option<Vec<MappingDoc>>,
    /// CAIQ-Lite (CCM v4) question IDs, e.g. `CEK-03.1`.
    #[serde(rename = "caiq-lite-v4")]
    caiq_lite_v4: Option<Vec<MappingDoc>>,
    /// Classic CAIQ-Lite (CCM v3.0.1) question IDs, e.g. `EKM-03.1`.
    #[serde(rename = "caiq-lite-v3")]
    caiq_lite_v3: Option<Vec<MappingDoc>>,
}

/// A control ID (the check decides the answer), or a mapping with its role and reason.
#[derive(JsonSchema)]
#[serde(untagged)]
enum MappingDoc {
    Id(String),
    Mapping(RoleMappingDoc),
}

#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct RoleMappingDoc {
    id: String,
    /// `decides` (default): a failure makes the answer No. `supports`: context; a failure asks
    /// for review and a pass never makes Yes.
    role: Option<Role>,
    /// Why the check answers this control or question.
    reason: Option<String>,
}

#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Role {
    Decides,
    Supports,
}

/// The controls and questions a manual claim answers, per framework.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct ClaimControlsDoc {
    #[serde(rename = "ccm-v4")]
    ccm_v4: Option<Vec<ClaimMappingDoc>>,
    #[serde(rename = "caiq-lite-v4")]
    caiq_lite_v4: Option<Vec<ClaimMappingDoc>>,
    #[serde(rename = "caiq-lite-v3")]
    caiq_lite_v3: Option<Vec<ClaimMappingDoc>>,
}

#[derive(JsonSchema)]
#[serde(untagged)]
enum ClaimMappingDoc {
    Id(String),
    Mapping(ClaimReasonDoc),
}

#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct ClaimReasonDoc {
    id: String,
    reason: Option<String>,
}

use super::ParamType;

#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct ParameterDoc {
    #[serde(rename = "type")]
    kind: ParamType,
    /// Without a default the policy does not run until the value is set (`--set`), and reports
    /// list it as not configured.
    default: Option<serde_json::Value>,
    description: Option<String>,
    /// The loosest value a mapped control accepts; looser values evaluate but are not evidence.
    guardrail: Option<GuardrailDoc>,
}

#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct GuardrailDoc {
    min: Option<NumberOrDuration>,
    max: Option<NumberOrDuration>,
    /// List parameters: values that, all listed together, leave the check unable to fail (every
    /// region, say); such a setting is never evidence.
    #[serde(rename = "vacuous-if-all-of")]
    vacuous_if_all_of: Option<Vec<serde_json::Value>>,
}

#[derive(JsonSchema)]
#[serde(untagged)]
enum NumberOrDuration {
    Number(f64),
    Duration(DurationText),
}

/// A whole number and a unit: `90d`, `12h`, `2w`, `30m`, `45s`.
#[derive(JsonSchema)]
struct DurationText(#[schemars(regex(pattern = r"^[0-9]+[wdhms]$"))] String);

/// `{param: NAME}`: the value of one of the policy's parameters.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct ParamRef {
    param: String,
}

#[derive(JsonSchema)]
#[serde(untagged)]
enum Value {
    Param(ParamRef),
    Literal(serde_json::Value),
}

#[derive(JsonSchema)]
#[serde(untagged)]
enum NumberValue {
    Param(ParamRef),
    Number(f64),
}

#[derive(JsonSchema)]
#[serde(untagged)]
enum ListValue {
    Param(ParamRef),
    List(Vec<serde_json::Value>),
}

#[derive(JsonSchema)]
#[serde(untagged)]
enum DurationValue {
    Param(ParamRef),
    Duration(DurationText),
}

/// A condition: a combination, a comparison, an element quantifier, or a related-resource check.
/// A bare list means `all` of its items.
#[derive(JsonSchema)]
#[serde(untagged)]
enum ConditionDoc {
    List(Vec<ConditionDoc>),
    All(AllDoc),
    Any(AnyDoc),
    Not(NotDoc),
    None(NoneDoc),
    Compare(Box<CompareDoc>),
    Elements(Box<ElementsDoc>),
    Related(Box<RelatedDoc>),
}

/// Every condition holds.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct AllDoc {
    all: Vec<ConditionDoc>,
}

/// At least one condition holds.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct AnyDoc {
    any: Vec<ConditionDoc>,
}

/// The condition does not hold.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct NotDoc {
    not: Box<ConditionDoc>,
}

/// None of the conditions holds.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct NoneDoc {
    none: Vec<ConditionDoc>,
}

/// `path` and exactly one operator.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CompareDoc {
    /// Dotted property path, e.g. `configuration.storageEncrypted`; `@` is the current array element.
    path: String,
    on_missing: Option<OnMissing>,
    equals: Option<Value>,
    not_equals: Option<Value>,
    #[serde(rename = "in")]
    in_: Option<ListValue>,
    not_in: Option<ListValue>,
    gt: Option<NumberValue>,
    gte: Option<NumberValue>,
    lt: Option<NumberValue>,
    lte: Option<NumberValue>,
    exists: Option<bool>,
    absent: Option<bool>,
    /// A regular expression (Rust `regex` syntax) the string must match.
    matches: Option<String>,
    contains: Option<Value>,
    /// The date is no older than this, measured from the evaluation time.
    within: Option<DurationValue>,
    /// The date is older than this, measured from the evaluation time.
    older_than: Option<DurationValue>,
}

/// A condition over each element of the array at `path` (paths inside are relative to the element).
#[derive(JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ElementsDoc {
    path: String,
    on_missing: Option<OnMissing>,
    any: Option<Box<ConditionDoc>>,
    all: Option<Box<ConditionDoc>>,
    none: Option<Box<ConditionDoc>>,
}

/// A condition over the resources this one refers to.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RelatedDoc {
    related: LinkDoc,
    on_missing: Option<OnMissing>,
    any: Option<Box<ConditionDoc>>,
    all: Option<Box<ConditionDoc>>,
    none: Option<Box<ConditionDoc>>,
}

#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct LinkDoc {
    /// The related resource type.
    resource: String,
    /// Path in this resource whose values identify the related resources.
    from: String,
    /// Path in the related resource matched against those values (default `resourceId`).
    to: Option<String>,
    fallback: Option<FallbackDoc>,
}

/// Used when `from`/`to` find nothing (e.g. a VPC's main route table).
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct FallbackDoc {
    from: String,
    to: String,
    #[serde(rename = "where")]
    filter: Option<Box<ConditionDoc>>,
}

/// The JSON Schema of policy files, pretty-printed with a trailing newline.
pub fn policy_schema_json() -> String {
    let schema = schemars::schema_for!(PolicyFile);
    crate::json::pretty_schema(&schema)
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    fn properties(schema: &serde_json::Value, definition: &str) -> Vec<String> {
        let node = if definition.is_empty() {
            schema
        } else {
            &schema["$defs"][definition]
        };
        let mut keys: Vec<String> = node["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{definition} has properties"))
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    }

    fn sorted(keys: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = keys.iter().map(std::string::ToString::to_string).collect();
        v.sort();
        v
    }

    #[test]
    fn schema_and_parser_agree_on_keys() {
        let schema: serde_json::Value = serde_json::from_str(&policy_schema_json()).unwrap();
        assert_eq!(properties(&schema, ""), sorted(parse::FILE_KEYS));
        assert_eq!(properties(&schema, "PolicyDoc"), sorted(parse::POLICY_KEYS));
        assert_eq!(properties(&schema, "ManualDoc"), sorted(parse::MANUAL_KEYS));
        assert_eq!(
            properties(&schema, "RoleMappingDoc"),
            sorted(parse::MAPPING_KEYS)
        );
        assert_eq!(
            properties(&schema, "ClaimReasonDoc"),
            sorted(parse::CLAIM_MAPPING_KEYS)
        );
        assert_eq!(
            properties(&schema, "ParameterDoc"),
            sorted(parse::PARAMETER_KEYS)
        );
        assert_eq!(
            properties(&schema, "GuardrailDoc"),
            sorted(parse::GUARDRAIL_KEYS)
        );
        assert_eq!(properties(&schema, "LinkDoc"), sorted(parse::RELATED_KEYS));
        assert_eq!(
            properties(&schema, "FallbackDoc"),
            sorted(parse::FALLBACK_KEYS)
        );
        let mut compare = sorted(parse::OPERATOR_KEYS);
        compare.extend(["on-missing".to_string(), "path".to_string()]);
        compare.sort();
        assert_eq!(properties(&schema, "CompareDoc"), compare);
        let mut all_condition_keys: Vec<String> = [
            "AllDoc",
            "AnyDoc",
            "NotDoc",
            "NoneDoc",
            "CompareDoc",
            "ElementsDoc",
            "RelatedDoc",
        ]
        .iter()
        .flat_map(|d| properties(&schema, d))
        .collect();
        all_condition_keys.sort();
        all_condition_keys.dedup();
        assert_eq!(all_condition_keys, sorted(parse::CONDITION_KEYS));
    }

    #[test]
    fn committed_schema_is_current() {
        let committed = include_str!("../../schemas/policy.schema.json");
        assert!(
            committed == policy_schema_json(),
            "schemas/policy.schema.json is stale: run `scripts/generate`"
        );
    }
}
