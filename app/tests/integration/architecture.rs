//! The dependency rule of `app/src`: pages → capability → kernel, and the staff area a
//! client of the capabilities, never the reverse.

use app::testing::architecture::{cycles, module_dependencies, users_of};
use std::path::Path;

fn source() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))
}

#[test]
fn top_level_modules_have_no_import_cycles() {
    let graph = module_dependencies(source());
    assert!(graph.contains_key("kernel") && graph.contains_key("checkout"));
    assert_eq!(cycles(&graph), Vec::<String>::new());
}

#[test]
fn nothing_outside_the_staff_area_imports_it() {
    assert_eq!(users_of(source(), "admin", "admin"), Vec::<String>::new());
}

#[test]
fn the_kernel_uses_no_capability() {
    let graph = module_dependencies(source());
    assert_eq!(
        graph["kernel"].keys().collect::<Vec<_>>(),
        Vec::<&String>::new()
    );
}

#[test]
fn shared_components_use_only_the_kernel() {
    let graph = module_dependencies(source());
    let used: Vec<&String> = graph["components"].keys().collect();
    assert_eq!(used, ["kernel"]);
}
