//! One file per lint rule; each exposes `check`, registered in `lint::RULES`.

pub mod duplicate_policy_id;
pub mod loosened_default;
pub mod negated_on_missing;
pub mod type_mismatch;
pub mod unknown_control;
pub mod unknown_parameter;
pub mod unknown_property_path;
pub mod unknown_resource_type;
pub mod unmapped_policy;
pub mod unused_parameter;
