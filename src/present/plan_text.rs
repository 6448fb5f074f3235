//! The plan for people: one block per changed resource, grouped by region,
//! marked `+` create, `~` update, `-/+` replace, `-` delete, with the changed
//! fields' old and new values, then the summary line. Colour only if asked.

use std::fmt::Write;

use serde_json::Value;

use crate::plan::{Action, Change, Plan};
use crate::state::Fields;

pub fn render(plan: &Plan, color: bool) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = write_plan(&mut out, plan, color);
    out
}

fn paint(text: &str, action: Action, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    let code = match action {
        Action::Create => "32",
        Action::Update => "33",
        Action::Replace => "35",
        Action::Delete => "31",
    };
    format!("\u{1b}[{code}m{text}\u{1b}[0m")
}

fn write_plan(out: &mut String, plan: &Plan, color: bool) -> std::fmt::Result {
    if plan.is_empty() {
        writeln!(out, "No changes. The account matches topology `{}`.", plan.topology)?;
        return Ok(());
    }
    let mut scopes: Vec<&str> = plan.changes.iter().map(|c| c.address.scope()).collect();
    scopes.sort();
    scopes.dedup();
    for scope in scopes {
        writeln!(out, "{scope}")?;
        for change in plan.changes.iter().filter(|c| c.address.scope() == scope) {
            write_change(out, change, color)?;
        }
        writeln!(out)?;
    }
    let s = plan.summary();
    writeln!(
        out,
        "Plan: {} to create, {} to update, {} to replace, {} to delete.",
        s.create, s.update, s.replace, s.delete
    )
}

fn write_change(out: &mut String, change: &Change, color: bool) -> std::fmt::Result {
    let sign = paint(&format!("{:>3}", change.action.sign()), change.action, color);
    let mut note = String::new();
    if change.action == Action::Replace {
        let order = if change.create_before_destroy {
            "create before destroy"
        } else {
            "destroy before create"
        };
        note = format!("  (replace: {}; {order})", change.replace_because.join(", "));
    }
    writeln!(out, "  {sign} {}{note}", change.address)?;
    match change.action {
        Action::Create => write_fields(out, change.after.as_ref()),
        Action::Delete => Ok(()),
        Action::Update | Action::Replace if change.changed.is_empty() => Ok(()),
        Action::Update | Action::Replace => {
            for field in &change.changed {
                writeln!(
                    out,
                    "        {}: {} -> {}",
                    field.field,
                    show(&field.before),
                    show(&field.after)
                )?;
            }
            Ok(())
        }
    }
}

fn write_fields(out: &mut String, fields: Option<&Fields>) -> std::fmt::Result {
    for (name, value) in fields.into_iter().flatten() {
        if name != "tags" && !value.is_null() {
            writeln!(out, "        {name}: {}", show(value))?;
        }
    }
    Ok(())
}

/// A value on one line: strings bare, the rest as compact JSON.
fn show(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{s:?}"),
        Value::Null => "(none)".into(),
        other => other.to_string(),
    }
}
