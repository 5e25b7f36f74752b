//! The compliance frameworks policies map to, and their control / question catalogs (CSA CCM v4 and
//! CAIQ-Lite v4 and v3 identifiers and titles, copied into `data/csa/`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Framework {
    #[serde(rename = "ccm-v4")]
    CcmV4,
    #[serde(rename = "caiq-lite-v4")]
    CaiqLiteV4,
    #[serde(rename = "caiq-lite-v3")]
    CaiqLiteV3,
}

impl Framework {
    pub const ALL: [Framework; 3] = [
        Framework::CcmV4,
        Framework::CaiqLiteV4,
        Framework::CaiqLiteV3,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Framework::CcmV4 => "ccm-v4",
            Framework::CaiqLiteV4 => "caiq-lite-v4",
            Framework::CaiqLiteV3 => "caiq-lite-v3",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Framework::ALL.into_iter().find(|f| f.key() == key)
    }
}

/// What one policy-to-question mapping can do to the answer.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The check alone can make the answer No (the default).
    #[default]
    Decides,
    /// Context: a failure asks a person to review, never a bare No, and a pass never makes Yes.
    Supports,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Decides => "decides",
            Role::Supports => "supports",
        }
    }
}

/// Who can answer a questionnaire question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionKind {
    /// An AWS configuration check can answer it for the scanned scope.
    Technical,
    /// A check covers the technical part; a process part needs a person.
    Mixed,
    /// Policies, plans, training, contracts, reviews: only a person can answer.
    Governance,
}

impl QuestionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Technical => "technical",
            QuestionKind::Mixed => "mixed",
            QuestionKind::Governance => "governance",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [
            QuestionKind::Technical,
            QuestionKind::Mixed,
            QuestionKind::Governance,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// One control or questionnaire question.
#[derive(Debug, Clone, Serialize)]
pub struct CatalogEntry {
    pub id: String,
    /// The CCM control a question belongs to (equal to `id` for CCM controls).
    pub control: String,
    pub title: String,
    /// For CCM controls: whether CAIQ-Lite asks about it. Always true for questionnaire entries.
    pub lite: bool,
    /// attestor's one-line summary of what a questionnaire question asks (the official wording
    /// belongs to the CSA); the control title for CCM controls.
    pub summary: String,
    /// Who can answer the question, with attestor's one-line reason. CCM controls are not asked
    /// one by one, so they are `mixed`: a check shows the technical part, never a whole control.
    pub kind: QuestionKind,
    pub kind_reason: String,
}

#[derive(Debug)]
pub struct Catalog {
    pub framework: Framework,
    /// In the framework's own order.
    pub entries: Vec<CatalogEntry>,
    index: BTreeMap<String, usize>,
}

impl Catalog {
    pub fn get(framework: Framework) -> &'static Catalog {
        static CATALOGS: OnceLock<[Catalog; 3]> = OnceLock::new();
        let all = CATALOGS.get_or_init(|| {
            [
                Catalog::from_csv(
                    Framework::CcmV4,
                    include_str!("../data/csa/ccm-v4-controls.csv"),
                    "",
                    "",
                    |r| (r[0].clone(), r[0].clone(), r[3].clone(), r[4] == "yes"),
                ),
                Catalog::from_csv(
                    Framework::CaiqLiteV4,
                    include_str!("../data/csa/caiq-lite-v4-question-ids.csv"),
                    include_str!("../data/csa/caiq-lite-v4-summaries.csv"),
                    include_str!("../data/csa/caiq-lite-v4-kinds.csv"),
                    |r| (r[0].clone(), r[1].clone(), r[2].clone(), true),
                ),
                Catalog::from_csv(
                    Framework::CaiqLiteV3,
                    include_str!("../data/csa/caiq-lite-v3-question-ids.csv"),
                    include_str!("../data/csa/caiq-lite-v3-summaries.csv"),
                    include_str!("../data/csa/caiq-lite-v3-kinds.csv"),
                    |r| (r[0].clone(), r[1].clone(), r[2].clone(), true),
                ),
            ]
        });
        &all[Framework::ALL
            .iter()
            .position(|f| *f == framework)
            .unwrap_or(0)]
    }

    fn from_csv(
        framework: Framework,
        text: &str,
        summaries: &str,
        kinds: &str,
        fields: impl Fn(&[String]) -> (String, String, String, bool),
    ) -> Catalog {
        // `question_id,kind,reason`: the reason is the rest of the line.
        let kind_of: BTreeMap<&str, (QuestionKind, &str)> = kinds
            .lines()
            .skip(1)
            .filter_map(|l| {
                let (id, rest) = l.split_once(',')?;
                let (kind, reason) = rest.split_once(',')?;
                Some((id, (QuestionKind::parse(kind)?, reason)))
            })
            .collect();
        // `question_id,summary`: the summary is the rest of the line (it may contain commas).
        let summary_of: BTreeMap<&str, &str> = summaries
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(','))
            .collect();
        let entries: Vec<CatalogEntry> = text
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|line| {
                let (id, control, title, lite) = fields(&split_csv_line(line));
                let summary = summary_of
                    .get(id.as_str())
                    .map_or_else(|| title.clone(), std::string::ToString::to_string);
                // A question without a kind is governance: only a person answers what attestor
                // has no reason to believe a check can (a test keeps every question classified).
                let (kind, kind_reason) = match kind_of.get(id.as_str()) {
                    Some((kind, reason)) => (*kind, reason.to_string()),
                    None if framework == Framework::CcmV4 => (
                        QuestionKind::Mixed,
                        "A CCM control is wider than any one configuration check.".to_string(),
                    ),
                    None => (
                        QuestionKind::Governance,
                        "Not classified; only a person can answer it.".to_string(),
                    ),
                };
                CatalogEntry {
                    id,
                    control,
                    title,
                    lite,
                    summary,
                    kind,
                    kind_reason,
                }
            })
            .collect();
        let index = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        Catalog {
            framework,
            entries,
            index,
        }
    }

    pub fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    pub fn entry(&self, id: &str) -> Option<&CatalogEntry> {
        self.index.get(id).map(|&i| &self.entries[i])
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.id.as_str())
    }
}

/// The name of a CCM v4 domain (`CEK` → "Cryptography, Encryption & Key Management"); CAIQ v3
/// domains that v4 renamed keep their code.
pub fn domain_name(prefix: &str) -> String {
    static NAMES: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    NAMES
        .get_or_init(|| {
            include_str!("../data/csa/ccm-v4-controls.csv")
                .lines()
                .skip(1)
                .map(split_csv_line)
                .map(|r| (r[1].clone(), r[2].clone()))
                .collect()
        })
        .get(prefix)
        .cloned()
        .unwrap_or_else(|| prefix.to_string())
}

/// Splits one CSV record with double-quoted fields (the catalogs have commas in titles).
fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    while fields.len() < 5 {
        fields.push(String::new());
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogs_load_with_expected_sizes() {
        assert_eq!(Catalog::get(Framework::CcmV4).entries.len(), 197);
        assert_eq!(Catalog::get(Framework::CaiqLiteV4).entries.len(), 124);
        assert_eq!(Catalog::get(Framework::CaiqLiteV3).entries.len(), 71);
    }

    #[test]
    fn titles_with_commas_and_ampersands_survive() {
        let ccm = Catalog::get(Framework::CcmV4);
        assert!(ccm.contains("A&A-01"));
        assert_eq!(ccm.entry("CEK-03").unwrap().control, "CEK-03");
        let q = Catalog::get(Framework::CaiqLiteV4).entry("CEK-12.1");
        assert!(q.is_none_or(|e| e.control == "CEK-12"));
    }

    #[test]
    fn every_question_has_its_own_summary() {
        for (framework, summaries) in [
            (
                Framework::CaiqLiteV4,
                include_str!("../data/csa/caiq-lite-v4-summaries.csv"),
            ),
            (
                Framework::CaiqLiteV3,
                include_str!("../data/csa/caiq-lite-v3-summaries.csv"),
            ),
        ] {
            let catalog = Catalog::get(framework);
            let summarised: Vec<String> = summaries
                .lines()
                .skip(1)
                .filter_map(|l| l.split_once(',').map(|(id, _)| id.to_string()))
                .collect();
            let ids: Vec<String> = catalog.ids().map(str::to_string).collect();
            assert_eq!(
                summarised,
                ids,
                "{} summaries must list every question once, in order",
                framework.key()
            );
            for entry in &catalog.entries {
                assert!(
                    entry.summary.ends_with('?'),
                    "{}: {}",
                    entry.id,
                    entry.summary
                );
            }
        }
    }

    #[test]
    fn every_question_has_a_kind_with_a_reason() {
        for (framework, kinds) in [
            (
                Framework::CaiqLiteV4,
                include_str!("../data/csa/caiq-lite-v4-kinds.csv"),
            ),
            (
                Framework::CaiqLiteV3,
                include_str!("../data/csa/caiq-lite-v3-kinds.csv"),
            ),
        ] {
            let rows: Vec<(&str, &str, &str)> = kinds
                .lines()
                .skip(1)
                .map(|l| {
                    let (id, rest) = l.split_once(',').unwrap_or((l, ""));
                    let (kind, reason) = rest.split_once(',').unwrap_or((rest, ""));
                    (id, kind, reason)
                })
                .collect();
            let ids: Vec<&str> = Catalog::get(framework).ids().collect();
            let classified: Vec<&str> = rows.iter().map(|r| r.0).collect();
            assert_eq!(
                classified,
                ids,
                "{}: every question once, in order",
                framework.key()
            );
            for (id, kind, reason) in rows {
                assert!(QuestionKind::parse(kind).is_some(), "{id}: kind `{kind}`");
                assert!(reason.trim().len() > 10, "{id}: a reason is needed");
            }
        }
    }

    #[test]
    fn csv_quotes() {
        assert_eq!(split_csv_line(r#"a,"b, c",d"#)[..3], ["a", "b, c", "d"]);
    }
}
