//! What linking this crate gives rt-core: the back end, found in-process, and the LLVM version
//! `rt --version` names, which rt-core only has as a constant from the build.

/// Linking the `rt` crate is what makes the API compile in-process (rt-core's own tests,
/// which do not link it, see no back end: `aot::tests`).
#[test]
fn the_back_end_is_found_in_process() {
    let linked = rt_core::aot::linked_compiler().expect("the rt crate's back end");
    let ours: rt_core::aot::CompileFn = crate::compile::compile_objects_with;
    assert_eq!(linked as *const (), ours as *const ());
}

#[test]
fn the_version_constant_is_the_linked_llvm() {
    let (major, minor, patch) = inkwell::support::get_llvm_version();
    assert_eq!(crate::cli::LLVM_VERSION, format!("{major}.{minor}.{patch}"));
}
