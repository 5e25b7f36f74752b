//! `negated-on-missing` (warning): `on-missing: pass | fail` states the verdict a missing field
//! gives, but under a negation (`not`, a `none` combination, an element or related quantifier
//! `none`) that verdict is inverted. `on-missing: fail` under an odd number of negations therefore
//! makes missing data a pass of the check — e.g. a security-group rule whose CIDRs sit in another
//! field passes "no rule is open to the world". In a `scope`, the harmful direction is the other
//! one: a verdict that ends up `fail` silently makes the resource not applicable.
//!
//! `on-missing: pass` at even polarity is an explicit choice and is left alone, as is the default
//! (`error`), and `exists`/`absent` comparisons, which decide missing data themselves.

use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::lint::Context;
use crate::lint::polarity::{Negation, Part, Site, visit_sites};
use crate::policy::{OnMissing, Op, PathContext, Policy};

pub fn check(policy: &Policy, _: &Context, out: &mut Vec<Diagnostic>) {
    visit_sites(policy, &mut |part, pctx, site, negations| {
        if negations.len() % 2 == 0 {
            return;
        }
        let (on_missing, path, subject) = match site {
            // `exists`/`absent` decide missing data themselves; `on-missing` has no effect there.
            Site::Compare(cmp) if matches!(cmp.op, Op::Exists | Op::Absent) => return,
            Site::Compare(cmp) => (
                cmp.on_missing,
                &cmp.path,
                missing_path(pctx, &cmp.path.value),
            ),
            Site::Elements(el) => (el.on_missing, &el.path, missing_path(pctx, &el.path.value)),
            Site::Related(rel) => (
                rel.on_missing,
                &rel.link.from,
                format!(
                    "a missing related {} (via `{}`)",
                    rel.link.resource_type.value,
                    pctx.full_path(&rel.link.from.value)
                ),
            ),
        };
        let (written, becomes, outcome, label) = match (part, on_missing) {
            (Part::Check, OnMissing::Fail) => (
                "fail",
                "pass",
                "passes the check",
                "missing data passes here",
            ),
            (Part::Scope, OnMissing::Pass) => (
                "pass",
                "fail",
                "takes the resource out of scope (not applicable)",
                "missing data skips the resource here",
            ),
            _ => return,
        };
        let help = match site {
            Site::Related(_) => "remove `on-missing` so a missing related resource is an error, or state the case positively outside the negation".to_string(),
            _ => format!(
                "remove `on-missing` so missing data is an error, or state the absence positively outside the negation, e.g. `any: [{{path: {}, absent: true}}, ...]`",
                path.value
            ),
        };
        let mut diagnostic = Diagnostic::warning(
            Code::NegatedOnMissing,
            format!(
                "{subject} {outcome}: `on-missing: {written}` under {} becomes a {becomes}",
                describe(policy, negations)
            ),
        )
        .at(&policy.file, path.span)
        .with_label(label)
        .with_help(help);
        for negation in negations {
            diagnostic = diagnostic.with_secondary_label(negation.span, "negated here");
        }
        out.push(diagnostic);
    });
}

fn missing_path(pctx: &PathContext, path: &str) -> String {
    format!("a missing `{}`", pctx.full_path(path))
}

/// "`none` (line 12)", or "`not` (line 8) and `none` (line 12)" for several negations.
fn describe(policy: &Policy, negations: &[Negation]) -> String {
    let named: Vec<String> = negations
        .iter()
        .map(|n| {
            format!(
                "`{}` (line {})",
                n.keyword,
                policy.file.line_col(n.span.start).0
            )
        })
        .collect();
    match named.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => named.join(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::SourceFile;
    use crate::policy::parse::parse_file;
    use crate::resource_schema::ResourceSchema;

    /// Lints one policy (the YAML of its `scope`/`check` keys, indented by four spaces) with this
    /// rule alone; returns (line, column, message) per warning.
    fn lint(resource: &str, body: &str) -> Vec<(usize, usize, String)> {
        let text = format!(
            "policies:\n  - id: p\n    title: t\n    severity: high\n    resource: {resource}\n{body}    controls:\n      ccm-v4: [IVS-03]\n"
        );
        let (contents, diagnostics) = parse_file(&SourceFile::new("p.yaml", text));
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let context = Context {
            schema: ResourceSchema::builtin(),
            gaps: &crate::lint::NO_GAPS,
        };
        let mut out = Vec::new();
        check(&contents.policies[0], &context, &mut out);
        out.iter()
            .map(|d| {
                assert_eq!(d.code, "negated-on-missing");
                assert_eq!(d.level, crate::diagnostics::Level::Warning);
                let (_, line, col) = d.location().unwrap();
                (line, col, d.message.clone())
            })
            .collect()
    }

    const SG: &str = "AWS::EC2::SecurityGroup";

    #[test]
    fn fail_under_a_none_combination_is_a_pass() {
        let found = lint(
            SG,
            "    check:
      none:
        - {path: configuration.groupName, equals: default, on-missing: fail}
",
        );
        assert_eq!(
            found,
            [(
                8,
                18,
                "a missing `configuration.groupName` passes the check: `on-missing: fail` under `none` (line 7) becomes a pass".to_string()
            )]
        );
    }

    #[test]
    fn fail_under_not_is_a_pass() {
        let found = lint(
            SG,
            "    check:
      not: {path: configuration.groupName, equals: default, on-missing: fail}
",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].2.ends_with("under `not` (line 7) becomes a pass"),
            "{found:?}"
        );
    }

    #[test]
    fn fail_under_an_element_none_names_the_full_path() {
        // The shipped security-group policy's shape: a rule with its CIDRs in `ipRanges` has no
        // `ipv4Ranges`, the inner `any` fails, and `none` turns that into a pass.
        let found = lint(
            SG,
            "    check:
      path: configuration.ipPermissions
      none:
        all:
          - path: ipv4Ranges
            on-missing: fail
            any: {path: cidrIp, equals: 0.0.0.0/0}
          - {path: fromPort, lte: 22}
          - {path: toPort, gte: 22, on-missing: fail}
",
        );
        assert_eq!(
            found,
            [
                (
                    10,
                    19,
                    "a missing `configuration.ipPermissions.ipv4Ranges` passes the check: `on-missing: fail` under `none` (line 8) becomes a pass".to_string()
                ),
                (
                    14,
                    20,
                    "a missing `configuration.ipPermissions.toPort` passes the check: `on-missing: fail` under `none` (line 8) becomes a pass".to_string()
                ),
            ]
        );
    }

    #[test]
    fn fail_under_a_related_none_is_a_pass() {
        let found = lint(
            "AWS::RDS::DBInstance",
            "    check:
      related:
        resource: AWS::EC2::Subnet
        from: configuration.dBSubnetGroup.subnets.subnetIdentifier
      none: {path: configuration.mapPublicIpOnLaunch, equals: true, on-missing: fail}
",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].0, found[0].1), (10, 20));
        assert_eq!(
            found[0].2,
            "a missing `configuration.mapPublicIpOnLaunch` passes the check: `on-missing: fail` under `none` (line 10) becomes a pass"
        );
    }

    #[test]
    fn a_related_quantifiers_own_on_missing_is_outside_its_none() {
        let outside = lint(
            "AWS::RDS::DBInstance",
            "    check:
      not:
        related:
          resource: AWS::EC2::Subnet
          from: configuration.dBSubnetGroup.subnets.subnetIdentifier
        any: {path: configuration.mapPublicIpOnLaunch, equals: true}
        on-missing: fail
",
        );
        assert_eq!(
            outside,
            [(
                10,
                17,
                "a missing related AWS::EC2::Subnet (via `configuration.dBSubnetGroup.subnets.subnetIdentifier`) passes the check: `on-missing: fail` under `not` (line 7) becomes a pass".to_string()
            )]
        );
        let own_none_only = lint(
            "AWS::RDS::DBInstance",
            "    check:
      related:
        resource: AWS::EC2::Subnet
        from: configuration.dBSubnetGroup.subnets.subnetIdentifier
      none: {path: configuration.mapPublicIpOnLaunch, equals: true}
      on-missing: fail
",
        );
        assert!(own_none_only.is_empty(), "{own_none_only:?}");
    }

    #[test]
    fn an_element_quantifiers_own_on_missing_is_outside_its_none() {
        // A missing `ipPermissions` list fails the check: not a false pass.
        let own_none_only = lint(
            SG,
            "    check:
      path: configuration.ipPermissions
      on-missing: fail
      none: {path: ipProtocol, equals: \"-1\"}
",
        );
        assert!(own_none_only.is_empty(), "{own_none_only:?}");
        let outside = lint(
            SG,
            "    check:
      not:
        path: configuration.ipPermissions
        on-missing: fail
        none: {path: ipProtocol, equals: \"-1\"}
",
        );
        assert_eq!(outside.len(), 1, "{outside:?}");
        assert_eq!((outside[0].0, outside[0].1), (8, 15));
        assert!(
            outside[0]
                .2
                .starts_with("a missing `configuration.ipPermissions` passes")
        );
    }

    #[test]
    fn double_negation_is_not_flagged() {
        let found = lint(
            SG,
            "    check:
      not:
        none:
          - {path: configuration.groupName, equals: default, on-missing: fail}
",
        );
        assert!(found.is_empty(), "{found:?}");
        let element_and_not = lint(
            SG,
            "    check:
      path: configuration.ipPermissions
      none:
        not: {path: ipProtocol, equals: \"-1\", on-missing: fail}
",
        );
        assert!(element_and_not.is_empty(), "{element_and_not:?}");
    }

    #[test]
    fn three_negations_are_all_named() {
        let found = lint(
            SG,
            "    check:
      not:
        path: configuration.ipPermissions
        none:
          none: [{path: ipProtocol, equals: \"-1\", on-missing: fail}]
",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .2
                .contains("under `not` (line 7), `none` (line 9) and `none` (line 10) becomes"),
            "{found:?}"
        );
    }

    #[test]
    fn pass_is_an_explicit_choice_outside_negations_and_a_fail_inside() {
        let positive = lint(
            "AWS::KMS::Key",
            "    check:
      all:
        - {path: supplementaryConfiguration.KeyRotationStatus, equals: true}
        - {path: supplementaryConfiguration.RotationPeriodInDays, lte: 90, on-missing: pass}
",
        );
        assert!(positive.is_empty(), "{positive:?}");
        let negated = lint(
            SG,
            "    check:
      none: [{path: configuration.groupName, equals: default, on-missing: pass}]
",
        );
        assert!(negated.is_empty(), "{negated:?}");
    }

    #[test]
    fn default_on_missing_and_presence_tests_are_not_flagged() {
        let found = lint(
            SG,
            "    check:
      path: configuration.ipPermissions
      none:
        all:
          - {path: ipv4Ranges, any: {path: cidrIp, equals: 0.0.0.0/0}}
          - {path: fromPort, exists: true, on-missing: fail}
          - {path: toPort, absent: true, on-missing: fail}
          - {path: ipProtocol, equals: tcp, on-missing: error}
",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn scope_flags_missing_data_that_takes_the_resource_out_of_scope() {
        let body = |on_missing: &str| {
            format!(
                "    scope:
      path: configuration.ipPermissions
      none: {{path: ipProtocol, equals: \"-1\", on-missing: {on_missing}}}
    check: {{path: configuration.groupName, not-equals: default}}
"
            )
        };
        assert_eq!(
            lint(SG, &body("pass")),
            [(
                8,
                20,
                "a missing `configuration.ipPermissions.ipProtocol` takes the resource out of scope (not applicable): `on-missing: pass` under `none` (line 8) becomes a fail".to_string()
            )]
        );
        // In a scope, a pass keeps the resource checked: not silent.
        assert!(lint(SG, &body("fail")).is_empty());
    }

    #[test]
    fn the_negation_is_labelled_too() {
        let text = "policies:
  - id: p
    title: t
    severity: high
    resource: AWS::EC2::SecurityGroup
    check:
      not: {path: configuration.groupName, equals: default, on-missing: fail}
";
        let file = SourceFile::new("p.yaml", text);
        let (contents, _) = parse_file(&file);
        let context = Context {
            schema: ResourceSchema::builtin(),
            gaps: &crate::lint::NO_GAPS,
        };
        let mut out = Vec::new();
        check(&contents.policies[0], &context, &mut out);
        let not = text.find("not:").unwrap();
        assert_eq!(out[0].secondary_labels.len(), 1);
        assert_eq!(out[0].secondary_labels[0].0.start, not);
        assert_eq!(
            out[0].help.as_deref(),
            Some(
                "remove `on-missing` so missing data is an error, or state the absence positively outside the negation, e.g. `any: [{path: configuration.groupName, absent: true}, ...]`"
            )
        );
        let rendered = crate::diagnostics::render_human(&out, false);
        assert!(rendered.contains("negated here"), "{rendered}");
        assert!(rendered.contains("missing data passes here"), "{rendered}");
    }
}
