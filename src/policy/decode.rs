//! Shared helpers for stage two of YAML decoding: read a spanned [`Node`] tree into typed values,
//! recording every problem as a located [`Diagnostic`] and carrying on. Policy files
//! (`policy::parse`) and policy unit-test files (`policytest`) both decode through [`Decoder`].

use std::sync::Arc;

use jiff::civil::Date;

use super::yaml::{Node, NodeKind};
use crate::diagnostics::Code;
use crate::diagnostics::Spanned;
use crate::diagnostics::{Diagnostic, SourceFile, Span, did_you_mean};

pub(crate) struct Decoder<'f> {
    pub file: &'f Arc<SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The entries of a mapping, with unknown and duplicate keys already reported.
pub(crate) struct Fields<'n> {
    pub entries: Vec<(&'n str, &'n Node, &'n Node)>,
    pub span: Span,
    /// The allowed keys that unknown keys were taken to be misspellings of (already reported), so
    /// the same mistake is not reported again as a missing key.
    pub misspelt: Vec<String>,
}

impl<'n> Fields<'n> {
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, _, v)| *v)
    }

    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.entries
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, k, _)| k.span)
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Where to point for a problem with the mapping as a whole: its first key. Highlighting the
    /// whole mapping buries the message under the snippet.
    pub fn head(&self) -> Span {
        self.entries.first().map_or(self.span, |(_, k, _)| k.span)
    }
}

impl<'f> Decoder<'f> {
    pub fn new(file: &'f Arc<SourceFile>) -> Self {
        Decoder {
            file,
            diagnostics: Vec::new(),
        }
    }

    pub fn error(&mut self, code: Code, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        self.diagnostics
            .push(Diagnostic::error(code, message).at(self.file, span));
        self.diagnostics.last_mut().expect("just pushed")
    }

    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.level == crate::diagnostics::Level::Error)
            .count()
    }

    pub fn wrong_type(&mut self, node: &Node, what: &str, expected: &str) {
        let found = node.kind.type_name();
        self.error(
            Code::WrongType,
            node.span,
            format!("{what} must be {expected}, found {}", article(found)),
        )
        .label = Some(format!("expected {expected}"));
    }

    /// Reads a mapping, reporting unknown keys (with a suggestion) and duplicate keys.
    pub fn fields<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        allowed: &[&str],
    ) -> Option<Fields<'n>> {
        let NodeKind::Map(entries) = &node.kind else {
            self.wrong_type(node, what, "a mapping");
            return None;
        };
        let mut fields = Fields {
            entries: Vec::new(),
            span: node.span,
            misspelt: Vec::new(),
        };
        for (key, value) in entries {
            let Some(name) = key.as_str() else {
                self.wrong_type(key, &format!("a key in {what}"), "a string");
                continue;
            };
            if !allowed.contains(&name) {
                let guess = crate::diagnostics::closest(name, allowed.iter().copied());
                fields.misspelt.extend(guess.map(str::to_string));
                let help = did_you_mean(name, allowed.iter().copied())
                    .unwrap_or_else(|| format!("allowed keys: {}", allowed.join(", ")));
                self.error(
                    Code::UnknownKey,
                    key.span,
                    format!("unknown key `{name}` in {what}"),
                )
                .help = Some(help);
                continue;
            }
            if fields.has(name) {
                self.error(
                    Code::DuplicateKey,
                    key.span,
                    format!("`{name}` appears twice in {what}"),
                );
                continue;
            }
            fields.entries.push((name, key, value));
        }
        Some(fields)
    }

    pub fn required<'n>(&mut self, fields: &Fields<'n>, key: &str, what: &str) -> Option<&'n Node> {
        let node = fields.get(key);
        // A misspelt `severty:` was reported as an unknown key naming `severity`: once is enough.
        if node.is_none() && !fields.misspelt.iter().any(|m| m == key) {
            let at = fields.head();
            self.error(
                Code::MissingKey,
                at,
                format!("{what} is missing required key `{key}`"),
            )
            .label = Some(format!("`{key}` is required in this mapping"));
        }
        node
    }

    pub fn string(&mut self, node: &Node, what: &str) -> Option<Spanned<String>> {
        if let NodeKind::Str(s) = &node.kind {
            Some(Spanned::new(s.clone(), node.span))
        } else {
            self.wrong_type(node, what, "a string");
            None
        }
    }

    pub fn opt_string(&mut self, fields: &Fields, key: &str) -> Option<String> {
        let node = fields.get(key)?;
        self.string(node, &format!("`{key}`")).map(|s| s.value)
    }

    pub fn enum_value<T: Copy>(
        &mut self,
        node: &Node,
        what: &str,
        options: &[(&str, T)],
    ) -> Option<T> {
        let text = self.string(node, what)?;
        if let Some((_, value)) = options.iter().find(|(name, _)| *name == text.value) {
            return Some(*value);
        }
        let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
        let help = did_you_mean(&text.value, names.iter().copied())
            .unwrap_or_else(|| format!("expected one of: {}", names.join(", ")));
        self.error(
            Code::InvalidValue,
            node.span,
            format!("`{}` is not a valid {what}", text.value),
        )
        .help = Some(help);
        None
    }

    pub(crate) fn non_empty(&mut self, node: &Node, what: &str) -> Option<Spanned<String>> {
        let s = self.string(node, what)?;
        if s.value.trim().is_empty() {
            self.error(Code::InvalidValue, node.span, format!("{what} is empty"));
            return None;
        }
        Some(s)
    }

    /// `2026-10-01` (YAML without a timestamp type reads it as a string).
    pub(crate) fn date(&mut self, node: &Node, what: &str) -> Option<Spanned<Date>> {
        let text = self.string(node, what)?;
        if let Ok(d) = text.value.parse::<Date>() {
            Some(Spanned::new(d, node.span))
        } else {
            self.error(
                Code::InvalidValue,
                node.span,
                format!(
                    "{what} must be a date like 2026-10-01, found `{}`",
                    text.value
                ),
            );
            None
        }
    }

    pub fn string_list(&mut self, node: &Node, what: &str) -> Vec<String> {
        let NodeKind::Seq(items) = &node.kind else {
            self.wrong_type(node, what, "a list of strings");
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|n| {
                self.string(n, &format!("an item of {what}"))
                    .map(|s| s.value)
            })
            .collect()
    }
}

/// Stage one for a file a person wrote: its YAML tree, or the located syntax error.
pub(crate) fn parse_yaml(file: &Arc<SourceFile>) -> Result<Node, Diagnostic> {
    crate::policy::yaml::parse(&file.text).map_err(|err| {
        // saphyr rejects repeated keys while parsing; name them as the clearer rule.
        let code = if err.message.contains("duplicated key") {
            Code::DuplicateKey
        } else {
            Code::YamlSyntax
        };
        Diagnostic::error(code, format!("invalid YAML: {}", err.message))
            .at(file, err.span)
            .with_label("here")
    })
}

/// "a list", "an integer": the noun with its article, for messages.
pub(crate) fn article(noun: &str) -> String {
    if noun.starts_with('`') || noun.starts_with("a ") || noun.starts_with("an ") {
        return noun.to_string();
    }
    let vowel = noun.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {noun}", if vowel { "an" } else { "a" })
}
