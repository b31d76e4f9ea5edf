//! A test that keeps the layers one way: a module may use `crate::X` only for an `X` in
//! a lower layer (or itself). Sources and sinks share a layer and may not use each other.

/// The top-level modules, lowest layer first; modules on one line share a layer.
const LAYERS: &[&[&str]] = &[
    &["base"],
    &["rules"],
    &["model"],
    &["engine"],
    &["source", "report"],
    &["import"],
    &["app"],
    &["cmd"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The top-level modules a Rust file refers to through `crate::`.
fn uses(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push((n + 1, name));
            }
            rest = after;
        }
        // `use crate::{a, b}` names several modules at once.
        if let Some(i) = code.find("crate::{") {
            let inner = code[i + "crate::{".len()..].split('}').next().unwrap_or("");
            for part in inner.split(',') {
                let name = part.trim().split("::").next().unwrap_or("").trim();
                if !name.is_empty() {
                    out.push((n + 1, name.to_string()));
                }
            }
        }
    }
    out
}

/// Upward or sideways uses in the file of module `module`: `line: crate::X`.
fn violations(module: &str, text: &str) -> Vec<String> {
    let Some(own) = layer(module) else {
        return vec![format!(
            "module `{module}` is in no layer: add it to LAYERS"
        )];
    };
    uses(text)
        .into_iter()
        .filter(|(_, used)| used != module)
        .filter(|(_, used)| layer(used).is_none_or(|l| l >= own))
        .map(|(line, used)| format!("{line}: crate::{used}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).expect("read src") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    #[test]
    fn modules_import_only_lower_layers() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        files.sort();
        let mut bad = Vec::new();
        for f in &files {
            let rel = f.strip_prefix(&src).expect("under src");
            let mut parts = rel.components();
            let first = parts.next().expect("a component");
            if parts.next().is_none() {
                continue; // lib.rs, main.rs and this file
            }
            let module = first.as_os_str().to_string_lossy();
            let text = std::fs::read_to_string(f).expect("read");
            for v in violations(&module, &text) {
                bad.push(format!("src/{}:{v}", rel.display()));
            }
        }
        assert!(
            files.len() > 40,
            "only {} files found under src/",
            files.len()
        );
        assert!(
            bad.is_empty(),
            "uses of a higher layer:\n{}",
            bad.join("\n")
        );
    }

    #[test]
    fn a_planted_upward_import_is_caught() {
        let text = "use crate::base::time::DAY;\nuse crate::engine::Engine;\n";
        assert_eq!(violations("rules", text), ["2: crate::engine"]);
        assert_eq!(
            violations("base", "let x = crate::app::simulate::simulate;"),
            ["1: crate::app"]
        );
        assert_eq!(
            violations("source", "use crate::{model, report::events};"),
            ["1: crate::report"]
        );
        assert!(violations("report", "use crate::engine::RunResult; // crate::app").is_empty());
        assert_eq!(
            violations("nowhere", ""),
            ["module `nowhere` is in no layer: add it to LAYERS"]
        );
    }
}
