//! The property paths each resource type has, from AWS Config's published resource schema plus
//! attestor's documented extensions (data AWS Config does not record: credential report, trail status…).
//!
//! The linter checks every path in a policy against this; paths are flattened the way AWS Config
//! flattens them, so array levels do not appear (`configuration.routes.gatewayId`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use crate::embedded;

/// The value type AWS Config declares for a leaf property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PropertyType {
    String,
    Integer,
    Float,
    Boolean,
    Date,
    Ip,
    CidrBlock,
}

impl PropertyType {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "string" => PropertyType::String,
            "integer" => PropertyType::Integer,
            "float" => PropertyType::Float,
            "boolean" => PropertyType::Boolean,
            "date" => PropertyType::Date,
            "ip" => PropertyType::Ip,
            "cidr_block" => PropertyType::CidrBlock,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            PropertyType::String => "string",
            PropertyType::Integer => "integer",
            PropertyType::Float => "float",
            PropertyType::Boolean => "boolean",
            PropertyType::Date => "date",
            PropertyType::Ip => "ip",
            PropertyType::CidrBlock => "cidr_block",
        }
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, PropertyType::Integer | PropertyType::Float)
    }

    /// Text-like types that a string literal or regex can be compared with.
    pub fn is_textual(self) -> bool {
        matches!(
            self,
            PropertyType::String | PropertyType::Date | PropertyType::Ip | PropertyType::CidrBlock
        )
    }
}

/// What a path names in a resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    Leaf(PropertyType),
    /// A prefix of leaf paths: an object, or an array of objects.
    Object,
    /// Under a free-form map (`tags.<key>`), where any key is valid.
    FreeForm,
    Unknown,
}

#[derive(Debug, Default)]
pub struct ResourceSchema {
    types: BTreeMap<String, TypeSchema>,
}

#[derive(Debug, Default)]
pub struct TypeSchema {
    leaves: BTreeMap<String, PropertyType>,
    prefixes: BTreeSet<String>,
    /// Whether the type comes only from attestor's extensions (not recorded by AWS Config).
    pub attestor_defined: bool,
    /// Leaves that only attestor's extensions define on an AWS type (AWS Config never writes them).
    attestor_leaves: BTreeSet<String>,
}

/// The resource type that matches every resource (`resource: "*"`), e.g. for "only in these regions".
pub const ANY_TYPE: &str = "*";

/// The configuration-item fields every resource type has: all a `*` policy may look at.
const COMMON_FIELDS: &[(&str, PropertyType)] = &[
    ("accountId", PropertyType::String),
    ("arn", PropertyType::String),
    ("availabilityZone", PropertyType::String),
    ("awsRegion", PropertyType::String),
    ("configurationItemCaptureTime", PropertyType::Date),
    ("configurationItemStatus", PropertyType::String),
    ("relationships.resourceId", PropertyType::String),
    ("relationships.resourceName", PropertyType::String),
    ("relationships.resourceType", PropertyType::String),
    ("resourceCreationTime", PropertyType::Date),
    ("resourceId", PropertyType::String),
    ("resourceName", PropertyType::String),
    ("resourceType", PropertyType::String),
];

/// Maps that hold user-chosen keys: any path below them is valid.
const FREE_FORM_ROOTS: &[&str] = &["tags"];

impl ResourceSchema {
    /// The schema compiled into the binary.
    pub fn builtin() -> &'static ResourceSchema {
        static SCHEMA: OnceLock<ResourceSchema> = OnceLock::new();
        SCHEMA.get_or_init(|| {
            let mut schema = ResourceSchema::default();
            for (path, text) in embedded::RESOURCE_SCHEMA_FILES {
                schema.add_file(path, text, false);
            }
            for (path, text) in embedded::RESOURCE_SCHEMA_EXTENSION_FILES {
                schema.add_file(path, text, true);
            }
            schema
                .types
                .insert(ANY_TYPE.to_string(), TypeSchema::common());
            schema
        })
    }

    fn add_file(&mut self, path: &str, text: &str, extension: bool) {
        let Some(type_name) = path
            .rsplit('/')
            .next()
            .and_then(|f| f.strip_suffix(".properties.json"))
        else {
            return;
        };
        // The files are shipped data checked by a unit test; a malformed one is a build defect.
        let properties: BTreeMap<String, String> = serde_json::from_str(text)
            .unwrap_or_else(|e| panic!("embedded schema {path} is invalid: {e}"));
        let is_new = !self.types.contains_key(type_name);
        let entry = self.types.entry(type_name.to_string()).or_default();
        if is_new {
            entry.attestor_defined = extension;
        }
        for (property, type_text) in properties {
            let property_type = PropertyType::parse(&type_text)
                .unwrap_or_else(|| panic!("embedded schema {path}: unknown type {type_text}"));
            let mut prefix = property.as_str();
            while let Some((parent, _)) = prefix.rsplit_once('.') {
                entry.prefixes.insert(parent.to_string());
                prefix = parent;
            }
            if extension && !entry.leaves.contains_key(&property) {
                entry.attestor_leaves.insert(property.clone());
            }
            entry.leaves.insert(property, property_type);
        }
    }

    pub fn has_type(&self, resource_type: &str) -> bool {
        self.types.contains_key(resource_type)
    }

    pub fn type_names(&self) -> impl Iterator<Item = &str> {
        self.types.keys().map(String::as_str)
    }

    pub fn get(&self, resource_type: &str) -> Option<&TypeSchema> {
        self.types.get(resource_type)
    }
}

impl TypeSchema {
    fn common() -> Self {
        let mut schema = TypeSchema {
            attestor_defined: true,
            ..TypeSchema::default()
        };
        for (path, property_type) in COMMON_FIELDS {
            schema.leaves.insert(path.to_string(), *property_type);
        }
        schema.prefixes.insert("relationships".into());
        schema
    }

    pub fn lookup(&self, path: &str) -> PathKind {
        if let Some(t) = self.leaves.get(path) {
            return PathKind::Leaf(*t);
        }
        if self.prefixes.contains(path) {
            return PathKind::Object;
        }
        if FREE_FORM_ROOTS.iter().any(|root| {
            path.strip_prefix(root)
                .is_some_and(|rest| rest.starts_with('.'))
        }) {
            return PathKind::FreeForm;
        }
        PathKind::Unknown
    }

    /// Whether `path` (a leaf, or an object above leaves) holds only data attestor itself collects —
    /// so a source that records only AWS Config's data can never have it. Every path of an
    /// attestor-defined type counts, except the fields every configuration item has.
    pub fn is_attestor_only(&self, path: &str) -> bool {
        if self.attestor_defined {
            return !COMMON_FIELDS.iter().any(|(p, _)| *p == path) && !path.starts_with("tags.");
        }
        let under = |leaf: &String| {
            leaf == path
                || leaf
                    .strip_prefix(path)
                    .is_some_and(|rest| rest.starts_with('.'))
        };
        self.attestor_leaves.iter().any(under)
            && !self
                .leaves
                .keys()
                .any(|l| under(l) && !self.attestor_leaves.contains(l))
    }

    /// Every known path: leaves and the objects above them.
    pub fn all_paths(&self) -> impl Iterator<Item = &str> {
        self.leaves
            .keys()
            .map(String::as_str)
            .chain(self.prefixes.iter().map(String::as_str))
    }

    pub fn leaves(&self) -> impl Iterator<Item = (&str, PropertyType)> {
        self.leaves.iter().map(|(k, v)| (k.as_str(), *v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_file_loads() {
        let schema = ResourceSchema::builtin();
        assert!(schema.has_type("AWS::RDS::DBInstance"));
        assert!(schema.has_type("AWS::Logs::LogGroup"));
        assert!(schema.get("AWS::Logs::LogGroup").unwrap().attestor_defined);
        assert!(!schema.get("AWS::RDS::DBInstance").unwrap().attestor_defined);
    }

    #[test]
    fn lookups_distinguish_leaves_objects_and_unknowns() {
        let rds = ResourceSchema::builtin()
            .get("AWS::RDS::DBInstance")
            .unwrap();
        assert_eq!(
            rds.lookup("configuration.storageEncrypted"),
            PathKind::Leaf(PropertyType::Boolean)
        );
        assert_eq!(
            rds.lookup("configuration.dBSubnetGroup.subnets"),
            PathKind::Object
        );
        assert_eq!(
            rds.lookup("configuration.storageEncryptd"),
            PathKind::Unknown
        );
        assert_eq!(rds.lookup("tags.Environment"), PathKind::FreeForm);
    }

    #[test]
    fn attestor_only_paths_are_known() {
        let schema = ResourceSchema::builtin();
        let user = schema.get("AWS::IAM::User").unwrap();
        assert!(user.is_attestor_only("supplementaryConfiguration.CredentialReport.mfaActive"));
        assert!(user.is_attestor_only("supplementaryConfiguration.AccessKeys"));
        assert!(!user.is_attestor_only("configuration.userName"));
        assert!(!user.is_attestor_only("configuration"));
        let policy = schema.get("Attestor::IAM::PasswordPolicy").unwrap();
        assert!(policy.is_attestor_only("configuration.minimumPasswordLength"));
        assert!(!policy.is_attestor_only("accountId"));
    }

    #[test]
    fn extensions_merge_into_aws_types() {
        let user = ResourceSchema::builtin().get("AWS::IAM::User").unwrap();
        assert_eq!(
            user.lookup("supplementaryConfiguration.CredentialReport.mfaActive"),
            PathKind::Leaf(PropertyType::Boolean)
        );
        assert_eq!(
            user.lookup("configuration.userName"),
            PathKind::Leaf(PropertyType::String)
        );
    }
}
