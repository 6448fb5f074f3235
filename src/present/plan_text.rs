//! The plan for people: one block per changed resource, grouped by region,
//! marked `+` create, `~` update, `-/+` replace, `-` delete, with the changed
//! fields' old and new values, then the summary line; first, a line for each
//! resource AWS says is not well. Colour only if asked.

use std::fmt::Write;

use serde_json::Value;

use crate::plan::routing::NameRouting;
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

/// Who gets what before and after, per routed name the plan changes.
fn write_routing(out: &mut String, routing: &[NameRouting]) -> std::fmt::Result {
    if routing.is_empty() {
        return Ok(());
    }
    writeln!(out, "Routing (who gets what, before -> after):")?;
    for name in routing {
        writeln!(out, "  {} ({})", name.name, name.policy)?;
        for shift in name.shifts.iter().chain(&name.under_failure) {
            let lost = shift.lost.as_ref().map(|l| format!("with {l} lost, ")).unwrap_or_default();
            writeln!(out, "    {lost}{}: {} -> {}", shift.users, shift.before, shift.after)?;
        }
    }
    writeln!(out)
}

fn write_plan(out: &mut String, plan: &Plan, color: bool) -> std::fmt::Result {
    for ailing in &plan.unhealthy {
        writeln!(out, "  ! {}: {}", ailing.address, ailing.unhealthy)?;
    }
    for warning in &plan.warnings {
        writeln!(out, "  ! {}", warning.message)?;
    }
    if !plan.unhealthy.is_empty() || !plan.warnings.is_empty() {
        writeln!(out)?;
    }
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
    write_routing(out, &plan.routing)?;
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
    for why in change.one_way() {
        writeln!(out, "        ! one way: {why}")?;
    }
    let stages = change.stages();
    if !stages.is_empty() {
        writeln!(out, "        in steps: {}", stages.join(", "))?;
    }
    match change.action {
        Action::Create => write_fields(out, change.after.as_ref()),
        Action::Delete => Ok(()),
        Action::Update | Action::Replace if change.changed.is_empty() => Ok(()),
        Action::Update | Action::Replace => {
            let mut lines = Vec::new();
            for field in &change.changed {
                leaves(&field.field, Some(&field.before), Some(&field.after), &mut lines);
            }
            for line in lines {
                writeln!(out, "        {line}")?;
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

/// Each changed leaf of a field, one line each, by its path
/// (`behaviors[1].ttl.default: 60 -> 120`, `tags.team: removed`), so that a
/// change deep inside a large value reads as what changed, not as the whole
/// value twice. Lists are compared by position; a null is an absent value.
fn leaves(path: &str, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<String>) {
    let (before, after) = (before.filter(|v| !v.is_null()), after.filter(|v| !v.is_null()));
    match (before, after) {
        (Some(Value::Object(old)), Some(Value::Object(new))) => {
            let keys: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
            for key in keys {
                leaves(&format!("{path}.{key}"), old.get(key), new.get(key), out);
            }
        }
        (Some(Value::Array(old)), Some(Value::Array(new))) => {
            for i in 0..old.len().max(new.len()) {
                leaves(&format!("{path}[{i}]"), old.get(i), new.get(i), out);
            }
        }
        (None, Some(Value::Object(new))) => {
            for (key, value) in new {
                leaves(&format!("{path}.{key}"), None, Some(value), out);
            }
        }
        (None, Some(Value::Array(new))) if !new.is_empty() => {
            for (i, value) in new.iter().enumerate() {
                leaves(&format!("{path}[{i}]"), None, Some(value), out);
            }
        }
        (Some(_), None) => out.push(format!("{path}: removed")),
        (old, new) if old != new => out.push(format!(
            "{path}: {} -> {}",
            old.map_or_else(|| "(none)".into(), show),
            new.map_or_else(|| "(none)".into(), show)
        )),
        _ => {}
    }
}

/// A value on one line: strings bare, the rest as compact JSON.
fn show(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{s:?}"),
        Value::Null => "(none)".into(),
        other => other.to_string(),
    }
}
