//! Stage one of policy parsing: YAML text → a tree of [`Node`]s that remember where they came from.
//!
//! The tree is deliberately untyped: stage two (`policy::parse`) walks it, validates every key and value
//! and collects all problems at once, which serde's first-error-wins deserialisation cannot do.

use saphyr::{LoadableYamlNode, MarkedYamlOwned, ScalarOwned, YamlDataOwned};

use crate::diagnostics::Span;

/// A YAML value with the byte range it occupies in its source file.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Keys keep their own spans so "unknown key" diagnostics point at the key, not the value.
    Map(Vec<(Node, Node)>),
}

impl NodeKind {
    /// The word used in "expected a …, found a …" diagnostics.
    pub fn type_name(&self) -> &'static str {
        match self {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "boolean",
            NodeKind::Int(_) => "integer",
            NodeKind::Float(_) => "number",
            NodeKind::Str(_) => "string",
            NodeKind::Seq(_) => "list",
            NodeKind::Map(_) => "mapping",
        }
    }
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Converts to JSON so literal operands can be compared with resource data.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.kind {
            NodeKind::Null => serde_json::Value::Null,
            NodeKind::Bool(b) => (*b).into(),
            NodeKind::Int(i) => (*i).into(),
            NodeKind::Float(f) => serde_json::Number::from_f64(*f)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            NodeKind::Str(s) => s.clone().into(),
            NodeKind::Seq(items) => items.iter().map(Node::to_json).collect(),
            NodeKind::Map(entries) => entries
                .iter()
                .map(|(k, v)| (key_text(k), v.to_json()))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        }
    }
}

fn key_text(key: &Node) -> String {
    match &key.kind {
        NodeKind::Str(s) => s.clone(),
        NodeKind::Null => "null".into(),
        NodeKind::Bool(b) => b.to_string(),
        NodeKind::Int(i) => i.to_string(),
        NodeKind::Float(f) => f.to_string(),
        // A list or map as a key: named by its type, as in "expected a …, found a …".
        other => format!("a {}", other.type_name()),
    }
}

/// A YAML syntax error with the byte offset where the parser gave up.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
}

/// Guards against pathological input (e.g. alias bombs or enormous files) before parsing.
const MAX_POLICY_FILE_BYTES: usize = 8 * 1024 * 1024;

/// Parses one YAML document. An empty file yields a `Null` node.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    if text.len() > MAX_POLICY_FILE_BYTES {
        return Err(SyntaxError {
            message: format!(
                "file is {} bytes; policy files are limited to {MAX_POLICY_FILE_BYTES} bytes",
                text.len()
            ),
            span: Span::new(0, 0),
        });
    }
    let offsets = CharOffsets::new(text);
    let docs = MarkedYamlOwned::load_from_str(text).map_err(|e| {
        let at = offsets.byte(e.marker().index());
        SyntaxError {
            message: e.info().to_string(),
            span: Span::new(at, at),
        }
    })?;
    let mut docs = docs.into_iter();
    let Some(first) = docs.next() else {
        return Ok(Node {
            span: Span::new(0, 0),
            kind: NodeKind::Null,
        });
    };
    if let Some(second) = docs.next() {
        let at = offsets.byte(second.span.start.index());
        return Err(SyntaxError {
            message: "a policy file holds one YAML document; found a second one".into(),
            span: Span::new(at, at),
        });
    }
    convert(first, &Source { text, offsets })
}

struct Source<'t> {
    text: &'t str,
    offsets: CharOffsets,
}

/// YAML forbids tabs in indentation; the parser takes a tab before a top-level key (`\tpolicies:`)
/// as plain whitespace, so a file PyYAML and yamllint reject would lint clean. A block key or
/// sequence entry whose line starts with a tab before it is rejected here.
fn tab_indented(text: &str, at: usize) -> Option<usize> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..];
    // The key must be the first thing on its line (after indentation and `- ` markers); the
    // parser may place its start on the indentation itself.
    let lead = line.len() - line.trim_start_matches([' ', '\t', '-']).len();
    if line_start + lead < at {
        return None; // inside a flow collection, or after other text on the line
    }
    let indentation = line.len() - line.trim_start_matches([' ', '\t']).len();
    line[..indentation]
        .find('\t')
        .map(|offset| line_start + offset)
}

fn convert(node: MarkedYamlOwned, source: &Source<'_>) -> Result<Node, SyntaxError> {
    let offsets = &source.offsets;
    let span = Span::new(
        offsets.byte(node.span.start.index()),
        offsets.byte(node.span.end.index()),
    );
    let kind = match node.data {
        YamlDataOwned::Value(scalar) => scalar_kind(scalar),
        YamlDataOwned::Representation(text, _, _) => NodeKind::Str(text),
        YamlDataOwned::Sequence(items) => NodeKind::Seq(
            items
                .into_iter()
                .map(|n| convert(n, source))
                .collect::<Result<_, _>>()?,
        ),
        YamlDataOwned::Mapping(entries) => NodeKind::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let key = convert(k, source)?;
                    if let Some(at) = tab_indented(source.text, key.span.start) {
                        return Err(SyntaxError {
                            message: "a tab in indentation: YAML indents with spaces only".into(),
                            span: Span::new(at, at + 1),
                        });
                    }
                    Ok((key, convert(v, source)?))
                })
                .collect::<Result<_, _>>()?,
        ),
        YamlDataOwned::Tagged(_, inner) => return convert(*inner, source),
        YamlDataOwned::Alias(_) => {
            return Err(SyntaxError {
                message: "YAML aliases are not supported in policy files".into(),
                span,
            });
        }
        YamlDataOwned::BadValue => {
            return Err(SyntaxError {
                message: "invalid YAML value".into(),
                span,
            });
        }
    };
    Ok(Node { span, kind })
}

fn scalar_kind(scalar: ScalarOwned) -> NodeKind {
    match scalar {
        ScalarOwned::Null => NodeKind::Null,
        ScalarOwned::Boolean(b) => NodeKind::Bool(b),
        ScalarOwned::Integer(i) => NodeKind::Int(i),
        ScalarOwned::FloatingPoint(f) => NodeKind::Float(f.into_inner()),
        ScalarOwned::String(s) => NodeKind::Str(s),
    }
}

/// saphyr reports positions in characters; diagnostics need byte offsets.
struct CharOffsets {
    /// Byte offset of every character, or `None` when the text is ASCII and the two coincide.
    bytes: Option<Vec<usize>>,
    len: usize,
}

impl CharOffsets {
    fn new(text: &str) -> Self {
        let bytes = (!text.is_ascii()).then(|| text.char_indices().map(|(b, _)| b).collect());
        CharOffsets {
            bytes,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.bytes {
            None => char_index.min(self.len),
            Some(table) => table.get(char_index).copied().unwrap_or(self.len),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_values() {
        let text = "a: 1\nb: [x, \"y\"]\n";
        let node = parse(text).unwrap();
        let NodeKind::Map(entries) = node.kind else {
            panic!("not a map")
        };
        assert_eq!(entries.len(), 2);
        let (key, value) = &entries[1];
        assert_eq!(&text[key.span.start..key.span.end], "b");
        assert_eq!(value.kind.type_name(), "list");
        assert_eq!(text[value.span.start..].chars().next(), Some('['));
    }

    #[test]
    fn non_ascii_offsets_are_bytes() {
        let text = "é: x\nkey: value\n";
        let node = parse(text).unwrap();
        let NodeKind::Map(entries) = node.kind else {
            panic!("not a map")
        };
        let (key, _) = &entries[1];
        assert_eq!(&text[key.span.start..key.span.end], "key");
    }

    #[test]
    fn syntax_errors_are_located() {
        let err = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(!err.message.is_empty());
        assert!(err.span.start > 0);
    }

    #[test]
    fn tabs_in_indentation_are_errors_at_the_tab() {
        // The parser accepts this one; the check beside it does not.
        let text = "\tpolicies:\n  - id: x\n";
        let e = parse(text).expect_err(text);
        assert_eq!(e.span.start, 0, "{e:?}");
        assert!(e.message.contains("tab in indentation"), "{e:?}");
        for text in [
            "policies:\n  - id: x\n \t  title: t\n",
            "a:\n\t- b: 1\n",
            "a:\n  b: 1\n\tc: 2\n",
        ] {
            assert!(parse(text).is_err(), "{text:?}");
        }
        // Tabs elsewhere are fine: inside values, flow collections and block scalars.
        for text in ["a: \"x\\ty\"\n", "a: {b: 1,\tc: 2}\n", "a: |\n  one\ttwo\n"] {
            assert!(parse(text).is_ok(), "{text:?}: {:?}", parse(text));
        }
    }

    #[test]
    fn empty_file_is_null() {
        assert_eq!(parse("").unwrap().kind, NodeKind::Null);
    }
}
