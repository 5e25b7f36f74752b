//! Pretty JSON with a trailing newline: the form of every JSON document attestor prints. The lowest
//! room of the house: reports, snapshots, schemas and diagnostics all write through it.

use serde::Serialize;

/// A typed value as pretty JSON. Serialisation can fail for a type (a map with non-string keys,
/// a `Serialize` impl that errs): callers report it, never write an empty document.
pub fn pretty<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}

/// A JSON Schema as pretty JSON, in schemars' canonical key order (`$schema`, `title` first). A
/// schema is a JSON tree, so nothing can fail.
pub fn pretty_schema(schema: &schemars::Schema) -> String {
    match pretty(schema) {
        Ok(text) => text,
        Err(e) => unreachable!("a JSON Schema is a JSON tree and always serialises: {e}"),
    }
}

/// A JSON tree as pretty JSON. A `serde_json::Value` has string keys only and is written to a
/// `String`, so nothing can fail.
pub fn pretty_value(value: &serde_json::Value) -> String {
    match pretty(value) {
        Ok(text) => text,
        Err(e) => unreachable!("a serde_json::Value always serialises: {e}"),
    }
}

/// A JSON value's kind in words ("a string", "an object"), for messages about data of the wrong
/// type.
pub fn type_word(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}
