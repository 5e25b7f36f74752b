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

    fn merge(&mut self, other: &PathTree) {
        if self.whole {
            return;
        }
        if other.whole {
            self.whole = true;
            self.children.clear();
            return;
        }
        for (key, child) in &other.children {
            self.children.entry(key.clone()).or_default().merge(child);
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
    /// What policies over every type (`resource: "*"`) read, kept for all types.
    every_type: PathTree,
}

impl Keep {
    /// Keep every item whole.
    pub fn everything() -> Self {
        Keep::default()
    }

    /// Keep only the paths added with [`Keep::add`].
    pub fn only_read() -> Self {
        Keep {
            by_type: Some(BTreeMap::new()),
            every_type: PathTree::default(),
        }
    }

    /// Keeps `path` of `resource_type` items (`*`: of every item); `whole` keeps what is below.
    pub fn add(&mut self, resource_type: &str, path: &str, whole: bool) {
        if resource_type == crate::resource_schema::ANY_TYPE {
            self.every_type.add(path, whole);
        } else if let Some(by_type) = &mut self.by_type {
            by_type
                .entry(resource_type.to_string())
                .or_default()
                .add(path, whole);
        }
    }

    /// Prunes one item's document. The item's identity (type, ID, account, region, name, ARN,
    /// capture time, status) is small and always kept.
    pub fn prune(&self, resource_type: &str, doc: &mut Value) {
        let Some(by_type) = &self.by_type else {
            return;
        };
        let mut tree = self.every_type.clone();
        if let Some(own) = by_type.get(resource_type) {
            tree.merge(own);
        }
        let Value::Object(map) = doc else {
            return;
        };
        map.retain(|key, child| match tree.children.get(key) {
            Some(sub) => {
                sub.prune(child);
                true
            }
            // Identity and metadata fields are scalars; bulky parts no policy reads go.
            None => !matches!(child, Value::Object(_) | Value::Array(_)),
        });
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
                "resourceType": "T", "resourceId": "r", "awsRegion": "eu-west-1",
                "configuration": {
                    "rules": [{"enabled": true}, {}, "odd"],
                    "policy": {"Statement": [{"Effect": "Allow"}]}
                },
                "tags": {"env": "prod"}
            })
        );
    }

    #[test]
    fn everything_keeps_everything_and_unread_types_keep_their_identity() {
        let doc = json!({"resourceType": "U", "configuration": {"a": 1}});
        let mut kept = doc.clone();
        Keep::everything().prune("U", &mut kept);
        assert_eq!(kept, doc);
        Keep::only_read().prune("U", &mut kept);
        assert_eq!(kept, json!({"resourceType": "U"}));
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
