//! A small HCL document model and a writer that formats it as `terraform fmt`
//! does: two-space indents, the `=` of consecutive one-line attributes
//! aligned (a multi-line value or a block ends the run), object keys quoted
//! only where an identifier cannot stand. Deterministic: the same document
//! gives the same bytes.

/// A value.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Str(String),
    Num(i64),
    Bool(bool),
    /// A reference or a function call, written as it is (`aws_vpc.main.id`).
    Raw(String),
    List(Vec<Expr>),
    /// An object, written one entry per line (`{}` when empty).
    Map(Vec<(String, Expr)>),
}

impl Expr {
    pub fn str(text: impl Into<String>) -> Expr {
        Expr::Str(text.into())
    }

    pub fn raw(text: impl Into<String>) -> Expr {
        Expr::Raw(text.into())
    }

    /// A path relative to the module's folder: `"${path.module}/<relative>"`.
    pub fn module_path(relative: &str) -> Expr {
        let escaped = quote(relative);
        Expr::Raw(format!("\"${{path.module}}/{}", &escaped[1..]))
    }

    pub fn strs<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Expr {
        Expr::List(items.into_iter().map(|s| Expr::str(s.as_ref())).collect())
    }

    fn is_multi_line(&self) -> bool {
        matches!(self, Expr::Map(entries) if !entries.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Attr(String, Expr),
    Block(Block),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    pub body: Vec<Item>,
}

impl Block {
    pub fn new(kind: &str, labels: &[&str]) -> Block {
        Block {
            kind: kind.into(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            body: Vec::new(),
        }
    }

    pub fn attr(mut self, key: &str, value: Expr) -> Block {
        self.body.push(Item::Attr(key.into(), value));
        self
    }

    pub fn block(mut self, block: Block) -> Block {
        self.body.push(Item::Block(block));
        self
    }

    /// Adds each block of `blocks`.
    pub fn blocks(mut self, blocks: impl IntoIterator<Item = Block>) -> Block {
        self.body.extend(blocks.into_iter().map(Item::Block));
        self
    }
}

/// Top-level blocks, separated by blank lines.
pub fn document(blocks: &[Block]) -> String {
    let mut out = String::new();
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        write_block(&mut out, block, 0);
    }
    out
}

fn indent(out: &mut String, depth: usize) {
    out.extend(std::iter::repeat_n("  ", depth));
}

fn write_block(out: &mut String, block: &Block, depth: usize) {
    indent(out, depth);
    out.push_str(&block.kind);
    for label in &block.labels {
        out.push(' ');
        out.push_str(&quote(label));
    }
    if block.body.is_empty() {
        out.push_str(" {}\n");
        return;
    }
    out.push_str(" {\n");
    // Runs of attributes between blocks, in order.
    let mut run: Vec<(String, &Expr)> = Vec::new();
    for item in &block.body {
        match item {
            Item::Attr(key, value) => run.push((key.clone(), value)),
            Item::Block(inner) => {
                write_entries(out, &std::mem::take(&mut run), depth + 1);
                write_block(out, inner, depth + 1);
            }
        }
    }
    write_entries(out, &run, depth + 1);
    indent(out, depth);
    out.push_str("}\n");
}

/// Attributes or object entries, `=` aligned over each run of one-line ones.
fn write_entries(out: &mut String, entries: &[(String, &Expr)], depth: usize) {
    let mut start = 0;
    while start < entries.len() {
        let end = entries[start..]
            .iter()
            .position(|(_, v)| v.is_multi_line())
            .map_or(entries.len(), |p| start + p);
        let width = entries[start..end].iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
        for (key, value) in &entries[start..end] {
            indent(out, depth);
            out.push_str(&format!("{key:width$} = "));
            write_expr(out, value, depth);
            out.push('\n');
        }
        if let Some((key, value)) = entries.get(end) {
            indent(out, depth);
            out.push_str(&format!("{key} = "));
            write_expr(out, value, depth);
            out.push('\n');
        }
        start = end + 1;
    }
}

fn write_expr(out: &mut String, expr: &Expr, depth: usize) {
    match expr {
        Expr::Str(text) => out.push_str(&quote(text)),
        Expr::Num(n) => out.push_str(&n.to_string()),
        Expr::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Expr::Raw(text) => out.push_str(text),
        Expr::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(out, item, depth);
            }
            out.push(']');
        }
        Expr::Map(entries) if entries.is_empty() => out.push_str("{}"),
        Expr::Map(entries) => {
            out.push_str("{\n");
            let keyed: Vec<(String, &Expr)> = entries.iter().map(|(k, v)| (key(k), v)).collect();
            write_entries(out, &keyed, depth + 1);
            indent(out, depth);
            out.push('}');
        }
    }
}

/// An object key: bare where it is an identifier, else quoted.
fn key(text: &str) -> String {
    let mut chars = text.chars();
    let identifier = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if identifier { text.to_string() } else { quote(text) }
}

/// A quoted string, with HCL's escapes (and template sequences escaped).
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Terraform identifier in snake case from any text: letters (lowered)
/// and digits kept, the rest `_`; a leading digit gets a `_` before it.
pub fn identifier(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_align_in_runs_that_multi_line_values_and_blocks_end() {
        let tags = Expr::Map(vec![
            ("Name".into(), Expr::str("main")),
            ("wway:id".into(), Expr::str("a/b")),
        ]);
        let block = Block::new("resource", &["aws_vpc", "main"])
            .attr("cidr_block", Expr::str("10.0.0.0/16"))
            .attr("enable_dns_hostnames", Expr::Bool(true))
            .attr("tags", tags)
            .attr("id", Expr::raw("var.x"))
            .block(
                Block::new("lifecycle", &[])
                    .attr("ignore_changes", Expr::List(vec![Expr::raw("tags")])),
            )
            .attr("count", Expr::Num(1));
        assert_eq!(
            document(&[block]),
            r#"resource "aws_vpc" "main" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_hostnames = true
  tags = {
    Name      = "main"
    "wway:id" = "a/b"
  }
  id = var.x
  lifecycle {
    ignore_changes = [tags]
  }
  count = 1
}
"#
        );
    }

    #[test]
    fn strings_escape_quotes_and_templates() {
        assert_eq!(quote(r#"a"b\c ${x} %{y} $z"#), r#""a\"b\\c $${x} %%{y} $z""#);
        assert_eq!(identifier("geo.api/geo-VN"), "geo_api_geo_vn");
        assert_eq!(identifier("1a"), "_1a");
    }
}
