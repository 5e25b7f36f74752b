//! Scoping: the questions a person has decided do not apply, each with a justification. In CAIQ,
//! "not applicable" is a scoping decision, so it comes only from this file, never from a scan that
//! found nothing.
//!
//! ```yaml
//! not-applicable:
//!   - question: DCS-03.1
//!     framework: caiq-lite-v4
//!     justification: We run no offices or facilities; staff work remotely on managed laptops.
//!     by: Dana Smith, Head of Security    # optional
//! ```

use std::sync::Arc;

use serde::Serialize;

use crate::controls::Framework;
use crate::diagnostics::Code;
use crate::diagnostics::{Diagnostic, SourceFile, Span};
use crate::policy::decode::Decoder;

use super::attestations::Subject;

pub const FILE_KEYS: &[&str] = &["not-applicable"];
pub const ENTRY_KEYS: &[&str] = &["question", "framework", "justification", "by"];

#[derive(Debug, Clone, Serialize)]
pub struct Exclusion {
    pub framework: Framework,
    pub question: String,
    pub justification: String,
    pub by: Option<String>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Default)]
pub struct Scoping {
    pub exclusions: Vec<Exclusion>,
    pub file: Option<Arc<SourceFile>>,
}

impl Scoping {
    pub fn get(&self, framework: Framework, question: &str) -> Option<&Exclusion> {
        self.exclusions
            .iter()
            .find(|e| e.framework == framework && e.question == question)
    }
}

pub fn load(path: &std::path::Path) -> (Scoping, Vec<Diagnostic>) {
    match crate::diagnostics::read_source(path) {
        Ok(file) => parse(&file),
        Err(diag) => (Scoping::default(), vec![diag]),
    }
}

pub fn parse(file: &Arc<SourceFile>) -> (Scoping, Vec<Diagnostic>) {
    let mut decoder = Decoder::new(file);
    let root = match crate::policy::decode::parse_yaml(file) {
        Ok(root) => root,
        Err(diag) => return (Scoping::default(), vec![diag]),
    };
    let mut exclusions: Vec<Exclusion> = Vec::new();
    for node in decoder.list_file(&root, "the scoping file", FILE_KEYS, "not-applicable") {
        let before = decoder.error_count();
        let Some(fields) = decoder.fields(node, "a scoping entry", ENTRY_KEYS) else {
            continue;
        };
        let subject = decoder.subject(&fields, "a scoping entry");
        let justification = decoder
            .required(&fields, "justification", "a scoping entry")
            .and_then(|n| decoder.string(n, "`justification`"));
        if let Some(j) = &justification
            && j.value.trim().len() < 10
        {
            decoder.error(
                Code::InvalidValue,
                j.span,
                "a justification says why the question does not apply, in a sentence",
            );
        }
        let by = decoder.opt_string(&fields, "by");
        if decoder.error_count() > before {
            continue;
        }
        let (Some(Subject::Question { framework, id }), Some(justification)) =
            (subject, justification)
        else {
            continue;
        };
        if let Some(first) = exclusions
            .iter()
            .find(|e| e.framework == framework && e.question == id)
        {
            let diag = Diagnostic::error(
                Code::DuplicateKey,
                format!("{id} ({}) is scoped out twice", framework.key()),
            )
            .at(file, fields.head())
            .with_secondary_label(first.span, "first scoped out here");
            decoder.diagnostics.push(diag);
            continue;
        }
        exclusions.push(Exclusion {
            framework,
            question: id,
            justification: justification.value,
            by,
            span: fields.head(),
        });
    }
    (
        Scoping {
            exclusions,
            file: Some(file.clone()),
        },
        decoder.diagnostics,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_exclusions_and_rejects_what_is_not_a_scoping_decision() {
        let text = "not-applicable:
  - question: DCS-03.1
    framework: caiq-lite-v4
    justification: We run no offices; everyone works remotely.
  - question: DCS-03.1
    framework: caiq-lite-v4
    justification: Duplicate entry for the same question.
  - question: DCS-03.2
    framework: caiq-lite-v4
    justification: n/a
  - question: DCS-03.2
    justification: No framework named for this question.
";
        let (s, diags) = parse(&SourceFile::new("scope.yaml", text));
        assert_eq!(s.exclusions.len(), 1);
        assert!(s.get(Framework::CaiqLiteV4, "DCS-03.1").is_some());
        assert!(s.get(Framework::CaiqLiteV3, "DCS-03.1").is_none());
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(diags.len(), 3, "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("twice")));
        assert!(messages.iter().any(|m| m.contains("in a sentence")));
        assert!(messages.iter().any(|m| m.contains("`framework`")));
    }
}
