//! Comparing results with an earlier report (`--baseline`): which failing and undecided results
//! are new, which were already there, and which are gone. Matching is by policy and resource
//! identity (type, ID, account, region), never by position, so reordering changes nothing.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{BaselineState, Finding, Status};

/// A result's identity across runs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ResultKey {
    pub policy_id: String,
    pub resource_type: String,
    pub resource_id: String,
    pub account_id: String,
    pub region: String,
}

impl ResultKey {
    pub fn of(f: &Finding) -> Self {
        ResultKey {
            policy_id: f.policy_id.clone(),
            resource_type: f.resource_type.clone(),
            resource_id: f.resource_id.clone(),
            account_id: f.account_id.clone(),
            region: f.region.clone(),
        }
    }
}

/// Whether a status is one a gate is about: failing, undecided, or waived (a waived failure is
/// still there, so it is not fixed).
pub fn is_open(status: Status) -> bool {
    matches!(status, Status::Fail | Status::Error | Status::Waived)
}

/// The open results of the baseline report, each with what it was, by identity.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    /// Where it was read from, for the report.
    pub path: String,
    open: HashMap<ResultKey, Previous>,
}

/// A baseline result, kept to list it as fixed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Previous {
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
    pub message: String,
}

impl Baseline {
    /// The baseline made of an earlier report's results (identity and what each was); only open
    /// ones are kept.
    pub fn new(path: String, results: impl IntoIterator<Item = (ResultKey, Previous)>) -> Self {
        let open = results
            .into_iter()
            .filter(|(_, p)| is_open(p.status))
            .collect();
        Baseline { path, open }
    }

    pub fn len(&self) -> usize {
        self.open.len()
    }

    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }

    /// `new` or `existing` for a failing or undecided result; `None` for the others. Existing
    /// means the baseline had the same status: an `error` that is a `fail` now (the data became
    /// readable), or a `fail` whose waiver lapsed since the baseline, is new to the gate.
    pub fn state_of(&self, f: &Finding) -> Option<BaselineState> {
        matches!(f.status, Status::Fail | Status::Error).then(|| {
            match self.open.get(&ResultKey::of(f)) {
                Some(previous) if previous.status == f.status => BaselineState::Existing,
                _ => BaselineState::New,
            }
        })
    }

    /// The baseline's open results that are not open now (`seen`: the keys of this run's open
    /// results), in identity order: fixed, or gone with their resource.
    pub fn fixed(&self, seen: &std::collections::HashSet<ResultKey>) -> Vec<Fixed> {
        let mut fixed: Vec<Fixed> = self
            .open
            .iter()
            .filter(|(k, _)| !seen.contains(*k))
            .map(|(k, p)| Fixed {
                key: k.clone(),
                was: p.clone(),
            })
            .collect();
        fixed.sort_by(|a, b| a.key.cmp(&b.key));
        fixed
    }

    /// Whether `key` is among the baseline's open results (so seeing it matters for `fixed`).
    pub fn contains(&self, key: &ResultKey) -> bool {
        self.open.contains_key(key)
    }
}

/// A baseline result that is no longer failing or undecided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fixed {
    #[serde(flatten)]
    pub key: ResultKey,
    pub was: Previous,
}
