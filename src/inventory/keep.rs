//! Which parts of each configuration item to keep: the property paths the loaded policies read
//! (their own and their `related` lookups'), and nothing else. A large account's items are mostly
//! properties no policy reads; dropping them while loading keeps memory near what evaluation needs.
//!
//! Pruning never changes a verdict or its evidence: every path a policy reads survives whole (a
//! value read as a leaf keeps its entire subtree, so "exists" on an object still shows it all), an
//! object or list on the way to one keeps its place (an element without the field is still there,
//! still without it), and a value of an unexpected type on the way is kept as it is.

use std::collections::BTreeMap;

use serde_json::Value;

/// The kept paths below one point of an item.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PathTree {
    /// Keep everything below this point.
    whole: bool,
    children: BTreeMap<String, PathTree>,
}

impl PathTree {
    /// Adds a dot-separated path; `whole` keeps everything below it.
    pub fn add(&mut self, path: &str, whole: bool) {
        let mut node = self;
        for segment in path.split('.').filter(|s| !s.is_empty()) {
            if node.whole {
                return;
            }
            node = node.children.entry(segment.to_string()).or_default();
        }
        if whole {
            node.whole = true;
            node.children.clear();
        }
    }

    /// Drops from `value` what no kept path reaches. Lists are crossed: each element is pruned
    /// with the same tree, as paths cross lists when they are read.
    fn prune(&self, value: &mut Value) {
        if self.whole {
            return;
        }
        match value {
            Value::Object(map) => {
                map.retain(|key, child| match self.children.get(key) {
                    Some(tree) => {
                        tree.prune(child);
                        true
                    }
                    None => false,
                });
            }
            Value::Array(items) => {
                for item in items {
                    self.prune(item);
                }
            }
            // A scalar where an object was expected stays: reading it gives the same answer.
            _ => {}
        }
    }
}

/// What to keep of each item, by resource type.
#[derive(Debug, Clone, Default)]
pub struct Keep {
    /// None: keep every item whole (no policy set to judge by: snapshots, policy tests).
    by_type: Option<BTreeMap<String, PathTree>>,
    /// What policies over every type (`resource: "*"`) read, kept for all types. Each entry of
    /// `by_type` holds it too, so loading never merges trees per item.
    every_type: PathTree,
}

/// What the shape normaliser (`shapes.rs`) reads to rewrite older AWS Config shapes: kept too, so
/// it sees what it always saw.
const SHAPE_INPUTS: &[(&str, &str)] = &[
    (
        "AWS::EC2::SecurityGroup",
        "configuration.ipPermissions.ipv4Ranges",
    ),
    (
        "AWS::EC2::SecurityGroup",
        "configuration.ipPermissions.ipRanges",
    ),
    (
        "AWS::EC2::SecurityGroup",
        "configuration.ipPermissions.ipv6Ranges",
    ),
    (
        "AWS::EC2::SecurityGroup",
        "configuration.ipPermissionsEgress.ipv4Ranges",
    ),
    (
        "AWS::EC2::SecurityGroup",
        "configuration.ipPermissionsEgress.ipRanges",
    ),
    (
        "AWS::EC2::SecurityGroup",
        "configuration.ipPermissionsEgress.ipv6Ranges",
    ),
    ("AWS::KMS::Key", "configuration.keySpec"),
    ("AWS::KMS::Key", "configuration.customerMasterKeySpec"),
];

impl Keep {
    /// Keep every item whole.
    pub fn everything() -> Self {
        Keep::default()
    }

    /// Keep only the paths added with [`Keep::add`] (and what the shape normaliser reads).
    pub fn only_read() -> Self {
        let mut keep = Keep {
            by_type: Some(BTreeMap::new()),
            every_type: PathTree::default(),
        };
        for (resource_type, path) in SHAPE_INPUTS {
            keep.add(resource_type, path, true);
        }
        keep
    }

    /// Keeps `path` of `resource_type` items (`*`: of every item); `whole` keeps what is below.
    pub fn add(&mut self, resource_type: &str, path: &str, whole: bool) {
        let Some(by_type) = &mut self.by_type else {
            return;
        };
        if resource_type == crate::resource_schema::ANY_TYPE {
            self.every_type.add(path, whole);
            for tree in by_type.values_mut() {
                tree.add(path, whole);
            }
        } else {
            by_type
                .entry(resource_type.to_string())
                .or_insert_with(|| self.every_type.clone())
                .add(path, whole);
        }
    }

    /// The tree for one type's items, when only some of each item is kept.
    fn tree(&self, resource_type: &str) -> Option<&PathTree> {
        let by_type = self.by_type.as_ref()?;
        Some(by_type.get(resource_type).unwrap_or(&self.every_type))
    }

    /// Parses one top-level property of an item (`configuration`), building only the parts kept:
    /// the rest is skipped while parsing, never allocated. An embedded JSON string is a scalar
    /// here; it is decoded whole and pruned with the rest of the item.
    pub fn parse_property(
        &self,
        resource_type: &str,
        property: &str,
        raw: &serde_json::value::RawValue,
    ) -> serde_json::Result<Value> {
        use serde::de::DeserializeSeed as _;
        let mut de = serde_json::Deserializer::from_str(raw.get());
        let value = match self.tree(resource_type).map(|t| t.children.get(property)) {
            None => serde::Deserialize::deserialize(&mut de)?,
            Some(Some(sub)) => Pruned(sub).deserialize(&mut de)?,
            Some(None) => {
                <serde::de::IgnoredAny as serde::Deserialize>::deserialize(&mut de)?;
                Value::Null
            }
        };
        de.end()?;
        Ok(value)
    }

    /// Prunes one item's document to what the policies read. The item's identity (type, ID,
    /// account, region) and names (name, ARN) live in its fields, so the document keeps them only
    /// where a policy reads them (a lookup by `resourceId`, a condition on `arn`).
    pub fn prune(&self, resource_type: &str, doc: &mut Value) {
        let Some(tree) = self.tree(resource_type) else {
            return;
        };
        let Value::Object(map) = doc else {
            return;
        };
        map.retain(|key, child| match tree.children.get(key) {
            Some(sub) => {
                sub.prune(child);
                true
            }
            None => false,
        });
        // Rebuilt at its size: the map was built for every top-level field (a million items'
        // spare capacity is hundreds of megabytes).
        *map = std::mem::take(map).into_iter().collect();
    }
}

/// Deserialises a value keeping only what a [`PathTree`] reaches, skipping the rest unallocated.
/// Lists are crossed with the same tree, as when paths are read.
struct Pruned<'t>(&'t PathTree);

impl<'de> serde::de::DeserializeSeed<'de> for Pruned<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, de: D) -> Result<Value, D::Error> {
        if self.0.whole {
            return serde::Deserialize::deserialize(de);
        }
        de.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Pruned<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        // Gathered first so the map is built at its size (kept items live to the end of a scan).
        let mut kept: Vec<(String, Value)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            match self.0.children.get(&key) {
                Some(sub) => {
                    let value = map.next_value_seed(Pruned(sub))?;
                    kept.push((key, value));
                }
                None => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(kept.into_iter().collect()))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(Pruned(self.0))? {
            out.push(item);
        }
        Ok(Value::Array(out))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keeps_what_is_read_and_the_shape_on_the_way() {
        let mut keep = Keep::only_read();
        keep.add("T", "configuration.rules.enabled", false);
        keep.add("T", "configuration.policy", true);
        keep.add("*", "tags.env", false);
        let mut doc = json!({
            "resourceType": "T", "resourceId": "r", "awsRegion": "eu-west-1",
            "relationships": [{"resourceId": "x"}],
            "configuration": {
                "rules": [{"enabled": true, "name": "a"}, {"name": "b"}, "odd"],
                "policy": {"Statement": [{"Effect": "Allow"}]},
                "big": {"x": 1}
            },
            "supplementaryConfiguration": {"a": 1},
            "tags": {"env": "prod", "team": "x"}
        });
        keep.prune("T", &mut doc);
        assert_eq!(
            doc,
            json!({
                "configuration": {
                    "rules": [{"enabled": true}, {}, "odd"],
                    "policy": {"Statement": [{"Effect": "Allow"}]}
                },
                "tags": {"env": "prod"}
            })
        );
    }

    #[test]
    fn everything_keeps_everything_and_unread_types_keep_nothing() {
        let doc = json!({"resourceType": "U", "configuration": {"a": 1}});
        let mut kept = doc.clone();
        Keep::everything().prune("U", &mut kept);
        assert_eq!(kept, doc);
        Keep::only_read().prune("U", &mut kept);
        assert_eq!(kept, json!({}));
        // A lookup by ID keeps the ID in the document.
        let mut keep = Keep::only_read();
        keep.add("U", "resourceId", true);
        let mut kept = json!({"resourceType": "U", "resourceId": "u-1"});
        keep.prune("U", &mut kept);
        assert_eq!(kept, json!({"resourceId": "u-1"}));
    }

    #[test]
    fn parsing_only_what_is_kept_equals_pruning_the_whole() {
        let mut keep = Keep::only_read();
        keep.add("T", "configuration.rules.enabled", false);
        keep.add("T", "configuration.policy", true);
        let text = r#"{"rules": [{"enabled": true, "name": "a"}, {"name": "b"}, "odd", 1.5, null],
            "policy": {"Statement": [{"Effect": "Allow"}]}, "big": {"x": [1, 2, {"y": 3}]}}"#;
        let raw: Box<serde_json::value::RawValue> = serde_json::from_str(text).unwrap();
        let parsed = keep.parse_property("T", "configuration", &raw).unwrap();
        let mut doc = json!({"configuration": serde_json::from_str::<Value>(text).unwrap()});
        keep.prune("T", &mut doc);
        assert_eq!(parsed, doc["configuration"]);
        // An unread type's configuration is skipped entirely; Keep::everything parses it all.
        assert_eq!(
            keep.parse_property("U", "configuration", &raw).unwrap(),
            Value::Null
        );
        assert_eq!(
            Keep::everything()
                .parse_property("U", "configuration", &raw)
                .unwrap(),
            serde_json::from_str::<Value>(text).unwrap()
        );
    }

    #[test]
    fn a_whole_path_absorbs_deeper_ones() {
        let mut tree = PathTree::default();
        tree.add("a.b", false);
        tree.add("a", true);
        tree.add("a.c", false);
        let mut v = json!({"a": {"b": 1, "z": 2}, "q": 3});
        tree.prune(&mut v);
        assert_eq!(v, json!({"a": {"b": 1, "z": 2}}));
    }
}
