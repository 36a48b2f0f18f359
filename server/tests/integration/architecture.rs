//! The server's parts point one way: `state` below the HTTP modules, middleware, jobs
//! and commands that use it, and no cycles between top-level modules.

use app::testing::architecture::{cycles, module_dependencies};
use std::path::Path;

#[test]
fn top_level_modules_have_no_import_cycles() {
    let graph = module_dependencies(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")));
    assert!(graph.contains_key("router") && graph.contains_key("http"));
    assert_eq!(cycles(&graph), Vec::<String>::new());
}

#[test]
fn http_handlers_do_not_reach_back_into_the_router() {
    let graph = module_dependencies(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")));
    assert!(!graph["http"].contains_key("router"), "{:?}", graph["http"]);
    assert!(!graph["state"].contains_key("http"), "{:?}", graph["state"]);
}
