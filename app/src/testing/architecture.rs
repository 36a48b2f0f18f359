//! The dependency rule, checked on the source: which top-level modules of a crate use
//! which (`crate::x` paths, grouped `crate::{x, y}` imports included), and the cycles
//! between them. Used by the architecture tests of `app` and `server`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// For each top-level module of the crate whose sources are in `src`, the other
/// top-level modules it names, with the files that name them. The crate root (`lib.rs`,
/// `main.rs`) composes the modules and is left out.
pub fn module_dependencies(src: &Path) -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let mut graph: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for file in rust_files(src) {
        let relative = file
            .strip_prefix(src)
            .unwrap_or(&file)
            .to_string_lossy()
            .into_owned();
        let top = relative
            .split('/')
            .next()
            .unwrap_or_default()
            .trim_end_matches(".rs")
            .to_owned();
        if top == "lib" || top == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let entry = graph.entry(top.clone()).or_default();
        for used in crate_paths(&text) {
            if used != top {
                entry.entry(used).or_default().insert(relative.clone());
            }
        }
    }
    graph
}

/// Every cycle between top-level modules, each as the modules along it
/// (`["a", "b", "a"]`), with the files that close it; empty when dependencies point one way.
pub fn cycles(graph: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>) -> Vec<String> {
    let mut found = Vec::new();
    for start in graph.keys() {
        // A path from each neighbour back to `start` closes a cycle through it.
        for next in graph[start].keys() {
            if let Some(path) = path_between(graph, next, start) {
                if path.iter().all(|module| module >= start) {
                    let mut cycle = vec![start.clone()];
                    cycle.extend(path);
                    let files = &graph[start][next];
                    found.push(format!("{} (via {:?})", cycle.join(" -> "), files));
                }
            }
        }
    }
    found
}

/// Files outside `allowed_folder` that name `crate::{module}`.
pub fn users_of(src: &Path, module: &str, allowed_folder: &str) -> Vec<String> {
    rust_files(src)
        .into_iter()
        .filter(|file| !file.starts_with(src.join(allowed_folder)))
        .filter(|file| {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            crate_paths(&text).contains(module)
        })
        .map(|file| file.display().to_string())
        .collect()
}

fn path_between(
    graph: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
    from: &str,
    to: &str,
) -> Option<Vec<String>> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![vec![from.to_owned()]];
    while let Some(path) = stack.pop() {
        let last = path.last().cloned().unwrap_or_default();
        if last == to {
            return Some(path);
        }
        if !seen.insert(last.clone()) {
            continue;
        }
        for next in graph.get(&last).map(|m| m.keys()).into_iter().flatten() {
            let mut longer = path.clone();
            longer.push(next.clone());
            stack.push(longer);
        }
    }
    None
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The top-level modules named after `crate::` in `text`.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let mut modules = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inside = group.split('}').next().unwrap_or_default();
            for part in inside.split(',') {
                modules.insert(leading_identifier(part.trim()));
            }
        } else {
            modules.insert(leading_identifier(rest));
        }
    }
    modules.remove("");
    modules
}

fn leading_identifier(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_paths_include_grouped_imports() {
        let found = crate_paths("use crate::a::B;\nuse crate::{c::D, e};\nlet x = crate::f::g();");
        assert_eq!(found.into_iter().collect::<Vec<_>>(), ["a", "c", "e", "f"]);
    }

    #[test]
    fn a_cycle_between_two_modules_is_reported_once() {
        let mut graph: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
        graph
            .entry("a".into())
            .or_default()
            .entry("b".into())
            .or_default();
        graph
            .entry("b".into())
            .or_default()
            .entry("a".into())
            .or_default();
        graph
            .entry("c".into())
            .or_default()
            .entry("a".into())
            .or_default();
        let found = cycles(&graph);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("a -> b -> a"), "{found:?}");
    }
}
