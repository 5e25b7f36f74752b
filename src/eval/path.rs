//! Property paths compiled once per policy and resolved against configuration items.
//!
//! Paths are written flat, the way AWS Config's schema names them (`configuration.routes.gatewayId`):
//! arrays met before the last segment are walked through, so one path can yield several values. The
//! value at the last segment is returned as is, arrays included (for `contains` and quantifiers).

use serde_json::Value;

#[derive(Debug, Clone)]
pub struct PropertyPath {
    pub text: Box<str>,
    segments: Box<[Box<str>]>,
}

/// One value found at a path, with the concrete location (array indices included) for evidence.
#[derive(Debug)]
pub struct Found<'a> {
    pub value: &'a Value,
    pub location: String,
}

impl PropertyPath {
    pub fn new(text: &str) -> Self {
        let segments = if text == "@" {
            Box::default()
        } else {
            text.split('.').map(Box::from).collect()
        };
        PropertyPath {
            text: text.into(),
            segments,
        }
    }

    /// Every non-null value at this path under `root`; `prefix` is the concrete location of `root`.
    pub fn resolve<'a>(&self, root: &'a Value, prefix: &str) -> Vec<Found<'a>> {
        self.resolve_with_holes(root, prefix).found
    }

    /// The values at this path and the holes: places where the path, having crossed an array,
    /// met an element without the next field (or null, or a scalar where an object belongs). A
    /// path that finds some values and some holes resolved only in part: the holes are missing
    /// data, never "no match".
    pub fn resolve_with_holes<'a>(&self, root: &'a Value, prefix: &str) -> Resolved<'a> {
        let mut out = self.resolve_every(root, prefix);
        if out.found.is_empty() {
            // Nothing at all: the whole path is missing, which callers report as such.
            out.holes.clear();
        }
        out
    }

    /// The values and every hole, even where no value was found at all.
    pub fn resolve_every<'a>(&self, root: &'a Value, prefix: &str) -> Resolved<'a> {
        let mut out = Resolved {
            found: Vec::new(),
            holes: Vec::new(),
            mistyped: Vec::new(),
        };
        let start = if prefix.is_empty() || self.segments.is_empty() {
            prefix.trim_end_matches('.').to_string()
        } else {
            prefix.to_string()
        };
        walk(root, &self.segments, start, &mut out);
        out
    }
}

/// What a path resolved to: values, and the locations that had none.
#[derive(Debug)]
pub struct Resolved<'a> {
    pub found: Vec<Found<'a>>,
    pub holes: Vec<String>,
    /// Where a value of another type stood where the path goes on (`tags: "x"` for
    /// `tags.owner`), each with why: the data's shape is not what the policy expects, so these
    /// are `error`, never judged as missing.
    pub mistyped: Vec<(String, String)>,
}

fn walk<'a>(value: &'a Value, segments: &[Box<str>], location: String, out: &mut Resolved<'a>) {
    let Some((first, rest)) = segments.split_first() else {
        if value.is_null() {
            out.holes.push(location);
        } else {
            out.found.push(Found { value, location });
        }
        return;
    };
    let next = |location: &str| {
        if location.is_empty() || location.ends_with(['.', ' ']) {
            format!("{location}{first}")
        } else {
            format!("{location}.{first}")
        }
    };
    match value {
        Value::Object(map) => match map.get(first.as_ref()) {
            Some(child) => walk(child, rest, next(&location), out),
            None => out.holes.push(next(&location)),
        },
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, segments, format!("{location}[{i}]"), out);
            }
        }
        Value::Null => out.holes.push(next(&location)),
        other => {
            let kind = crate::json::type_word(other);
            let at = next(&location);
            let reason = format!(
                "{} is {kind}, not an object with `{first}`",
                if location.is_empty() {
                    "the document"
                } else {
                    location.trim_end_matches(['.', ' '])
                }
            );
            out.mistyped.push((at, reason));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn walks_through_arrays_before_the_last_segment() {
        let doc = json!({"configuration": {"routes": [
            {"gatewayId": "local"}, {"gatewayId": "igw-1"}, {"natGatewayId": "nat-1"}
        ]}});
        let found = PropertyPath::new("configuration.routes.gatewayId").resolve(&doc, "");
        let locations: Vec<&str> = found.iter().map(|f| f.location.as_str()).collect();
        assert_eq!(
            locations,
            [
                "configuration.routes[0].gatewayId",
                "configuration.routes[1].gatewayId"
            ]
        );
    }

    #[test]
    fn elements_without_the_field_are_holes_not_silence() {
        let doc = json!({"subnets": [{"id": "a"}, {}, {"id": null}, "x"]});
        let resolved = PropertyPath::new("subnets.id").resolve_with_holes(&doc, "");
        assert_eq!(resolved.found.len(), 1);
        assert_eq!(resolved.holes, ["subnets[1].id", "subnets[2].id"]);
        // A string where an object belongs is not a missing field: the data has another shape.
        assert_eq!(
            resolved.mistyped,
            [(
                "subnets[3].id".to_string(),
                "subnets[3] is a string, not an object with `id`".to_string()
            )]
        );
        let none = PropertyPath::new("subnets.name").resolve_with_holes(&doc, "");
        assert!(none.found.is_empty() && none.holes.is_empty());
        assert_eq!(none.mistyped.len(), 1, "kept when nothing is found");
    }

    #[test]
    fn last_segment_arrays_are_kept_whole() {
        let doc = json!({"a": {"list": [1, 2]}});
        let found = PropertyPath::new("a.list").resolve(&doc, "");
        assert_eq!(found.len(), 1);
        assert!(found[0].value.is_array());
    }

    #[test]
    fn null_and_missing_yield_nothing() {
        let doc = json!({"a": null});
        assert!(PropertyPath::new("a").resolve(&doc, "").is_empty());
        assert!(PropertyPath::new("b.c").resolve(&doc, "").is_empty());
    }

    #[test]
    fn self_path_and_prefixes() {
        let doc = json!("x");
        let found = PropertyPath::new("@").resolve(&doc, "tags[2].");
        assert_eq!(found[0].location, "tags[2]");
        let doc = json!({"main": true});
        let found = PropertyPath::new("main").resolve(&doc, "associations[0].");
        assert_eq!(found[0].location, "associations[0].main");
    }
}
