//! `attestor schema`: print a JSON Schema (policy files, snapshots) or a resource type's properties.

use super::args::{SchemaArgs, SchemaKind};
use super::{CliResult, output};
use crate::diagnostics::Code;
use crate::diagnostics::{self, Diagnostic};
use crate::inventory;
use crate::resource_schema::ResourceSchema;

pub(super) fn run(args: SchemaArgs) -> CliResult {
    let text = match args.what {
        SchemaKind::Policy => crate::policy::schema::policy_schema_json(),
        SchemaKind::Snapshot => inventory::snapshot::schema_json(),
        SchemaKind::Waivers => crate::waivers::schema_json(),
        SchemaKind::Resource => {
            let schema = ResourceSchema::builtin();
            match args.resource_type {
                None => schema.type_names().fold(String::new(), |mut out, t| {
                    out.push_str(t);
                    out.push('\n');
                    out
                }),
                Some(name) => {
                    let Some(t) = schema.get(&name) else {
                        let help = diagnostics::did_you_mean(&name, schema.type_names());
                        return Err(vec![
                            Diagnostic::error(
                                Code::UnknownResourceType,
                                format!("unknown resource type `{name}`"),
                            )
                            .with_help_opt(help),
                        ]);
                    };
                    t.leaves().fold(String::new(), |mut out, (path, ty)| {
                        out.push_str(&format!("{path}\t{}\n", ty.name()));
                        out
                    })
                }
            }
        }
    };
    output::write(None, &text)
}
