//! What the policies mapped to one control or question say together, weighing each mapping's
//! role. Shared by the questionnaire's answers and the OSCAL findings, so the two never disagree.

use crate::controls::Role;

use super::PolicyInfo;

/// What the mapped checks say, before the question's kind and the manual part are weighed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Automated {
    /// A deciding check failed, or has a waived failure (a documented exception is still one).
    Fail,
    /// A deciding check could not decide (`error`).
    Undecided,
    /// A deciding check passed only with parameters looser than its guardrail.
    Loosened,
    /// Only a supporting check failed.
    Review,
    /// Every deciding check that had resources passed, and at least one had some.
    Pass,
    /// Deciding checks ran and found nothing to check.
    NoEvidence,
    /// No deciding check that can fail ran (none mapped, not configured, or unable to fail).
    NoCheck,
}

/// What the mapped policies say together.
pub fn automated(mapped: &[(&PolicyInfo, Role)]) -> Automated {
    let ran = |p: &PolicyInfo| p.not_configured.is_none();
    let deciding: Vec<&PolicyInfo> = mapped
        .iter()
        .filter(|(p, role)| *role == Role::Decides && ran(p))
        .map(|(p, _)| *p)
        .collect();
    let supporting = mapped
        .iter()
        .filter(|(p, role)| *role == Role::Supports && ran(p));
    // A failure counts whatever the parameters: the strict check would fail too. A waived
    // result is what it was before its waiver (a failure someone decided not to fix, or an
    // undecided result): never evidence for a Yes.
    let fails = |p: &PolicyInfo| p.summary.fail + p.summary.waived - p.summary.waived_error;
    let undecided = |p: &PolicyInfo| p.summary.error + p.summary.waived_error;
    if deciding.iter().any(|p| fails(p) > 0) {
        return Automated::Fail;
    }
    if deciding.iter().any(|p| undecided(p) > 0) {
        return Automated::Undecided;
    }
    let evidence: Vec<&PolicyInfo> = deciding
        .iter()
        .copied()
        .filter(|p| p.vacuous.is_none())
        .collect();
    if evidence
        .iter()
        .any(|p| !p.guardrail_violations.is_empty() && p.summary.pass > 0)
    {
        return Automated::Loosened;
    }
    if supporting.clone().any(|(p, _)| fails(p) > 0) {
        return Automated::Review;
    }
    if evidence.is_empty() {
        return Automated::NoCheck;
    }
    if evidence.iter().any(|p| p.summary.pass > 0) {
        Automated::Pass
    } else {
        Automated::NoEvidence
    }
}
