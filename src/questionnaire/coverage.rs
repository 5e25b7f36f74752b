//! Which policies and manual claims give evidence for each entry of a framework, before any scan:
//! `attestor controls` lists it so a pack author sees which questions a person must answer.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::controls::{Catalog, CatalogEntry, Framework, Role};
use crate::policy::PolicySet;

/// One catalog entry with what gives evidence for it.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    #[serde(flatten)]
    pub entry: CatalogEntry,
    /// Policies that decide it (a failure alone makes the answer No).
    pub policies: Vec<String>,
    /// Policies that only support it (context for a person).
    pub supporting: Vec<String>,
    /// Manual claims mapped to it (evidence a person must attest).
    pub manual: Vec<String>,
}

impl Coverage {
    /// Whether a check can decide the entry.
    pub fn automated(&self) -> bool {
        !self.policies.is_empty()
    }
}

/// Every entry of `framework`, in the framework's order, with the policies and manual claims of
/// `set` mapped to it.
pub fn coverage(framework: Framework, set: &PolicySet) -> Vec<Coverage> {
    let mut policies: BTreeMap<(&str, Role), Vec<String>> = BTreeMap::new();
    for p in &set.policies {
        for c in p.controls.iter().filter(|c| c.framework == framework) {
            policies
                .entry((&c.id.value, c.role))
                .or_default()
                .push(p.id.value.clone());
        }
    }
    let mut manual: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for m in &set.manual {
        for c in m.controls.iter().filter(|c| c.framework == framework) {
            manual
                .entry(&c.id.value)
                .or_default()
                .push(m.id.value.clone());
        }
    }
    Catalog::get(framework)
        .entries
        .iter()
        .map(|entry| {
            let mut take = |role| {
                let mut v = policies
                    .remove(&(entry.id.as_str(), role))
                    .unwrap_or_default();
                v.sort();
                v.dedup();
                v
            };
            let decides = take(Role::Decides);
            let supports = take(Role::Supports);
            let mut m = manual.remove(entry.id.as_str()).unwrap_or_default();
            m.sort();
            m.dedup();
            Coverage {
                entry: entry.clone(),
                policies: decides,
                supporting: supports,
                manual: m,
            }
        })
        .collect()
}
