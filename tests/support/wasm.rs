//! WebAssembly test tools: hand-written core modules (WAT) that follow the
//! canonical ABI of `wit/tool.wit`, wrapped into components by
//! `wit-component` exactly as `cargo component` wraps a compiled tool.

#![allow(dead_code)]

const WIT: &str = include_str!("../../wit/tool.wit");

/// A bump allocator (`cabi_realloc`) and memory, shared by every guest.
const PRELUDE: &str = r#"
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
    (local $ptr i32)
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.xor (i32.sub (local.get $align) (i32.const 1)) (i32.const -1))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $size)))
    (block $done
      (loop $grow
        (br_if $done (i32.le_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536))))
        (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))
        (br $grow)))
    (if (local.get $old)
      (then (memory.copy (local.get $ptr) (local.get $old) (local.get $old_size))))
    (local.get $ptr))
"#;

/// `run` returns what the result area at 0 holds: `ok`/`err` with a string.
pub fn guest(imports: &str, body: &str) -> String {
    format!(
        r#"(module
  {imports}
  {PRELUDE}
  {body}
)"#
    )
}

pub fn echo() -> String {
    guest(
        r#"(import "ironclaw:tool/host@0.1.0" "log" (func $log (param i32 i32 i32)))"#,
        r#"(data (i32.const 16) "echo called")
  (func (export "run") (param $p i32) (param $l i32) (result i32)
    (call $log (i32.const 1) (i32.const 16) (i32.const 11))
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store (i32.const 4) (local.get $p))
    (i32.store (i32.const 8) (local.get $l))
    (i32.const 0))"#,
    )
}

pub fn spin() -> String {
    guest(
        "",
        r#"(func (export "run") (param i32 i32) (result i32)
    (loop $forever (br $forever))
    unreachable)"#,
    )
}

pub fn hog() -> String {
    guest(
        "",
        r#"(func (export "run") (param i32 i32) (result i32)
    (loop $more
      (br_if $more (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))
    unreachable)"#,
    )
}

/// Requests `METHOD url` and returns the body (ok) or the host's error.
pub fn fetch(method: &str, url: &str) -> String {
    guest(
        r#"(import "ironclaw:tool/host@0.1.0" "http" (func $http (param i32 i32 i32 i32 i32 i32 i32 i32 i32)))"#,
        &format!(
            r#"(data (i32.const 64) "{method}")
  (data (i32.const 128) "{url}")
  (func (export "run") (param i32 i32) (result i32)
    (call $http (i32.const 64) (i32.const {ml}) (i32.const 128) (i32.const {ul})
                (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 1024))
    (if (i32.eqz (i32.load8_u (i32.const 1024)))
      (then
        (i32.store8 (i32.const 0) (i32.const 0))
        (i32.store (i32.const 4) (i32.load (i32.const 1040)))
        (i32.store (i32.const 8) (i32.load (i32.const 1044))))
      (else
        (i32.store8 (i32.const 0) (i32.const 1))
        (i32.store (i32.const 4) (i32.load (i32.const 1028)))
        (i32.store (i32.const 8) (i32.load (i32.const 1032)))))
    (i32.const 0))"#,
            ml = method.len(),
            ul = url.len(),
        ),
    )
}

/// Reads (or writes "new text" to) a note and returns the outcome.
pub fn note(write: bool, path: &str) -> String {
    let (import, call) = if write {
        (
            r#"(import "ironclaw:tool/host@0.1.0" "write-note" (func $note (param i32 i32 i32 i32 i32)))"#,
            format!(
                "(call $note (i32.const 64) (i32.const {}) (i32.const 32) (i32.const 8) (i32.const 1024))",
                path.len()
            ),
        )
    } else {
        (
            r#"(import "ironclaw:tool/host@0.1.0" "read-note" (func $note (param i32 i32 i32)))"#,
            format!(
                "(call $note (i32.const 64) (i32.const {}) (i32.const 1024))",
                path.len()
            ),
        )
    };
    // write-note returns result<_, string>: on ok, "written" is returned.
    guest(
        import,
        &format!(
            r#"(data (i32.const 32) "new text")
  (data (i32.const 48) "written")
  (data (i32.const 64) "{path}")
  (func (export "run") (param i32 i32) (result i32)
    {call}
    (i32.store8 (i32.const 0) (i32.load8_u (i32.const 1024)))
    (if (i32.and (i32.eqz (i32.load8_u (i32.const 1024))) (i32.const {write}))
      (then
        (i32.store (i32.const 4) (i32.const 48))
        (i32.store (i32.const 8) (i32.const 7)))
      (else
        (i32.store (i32.const 4) (i32.load (i32.const 1028)))
        (i32.store (i32.const 8) (i32.load (i32.const 1032)))))
    (i32.const 0))"#,
            write = i32::from(write),
        ),
    )
}

/// A core module in WAT → a component of the `tool` world.
pub fn component(wat: &str) -> Vec<u8> {
    let mut resolve = wit_parser::Resolve::default();
    let pkg = resolve.push_str("tool.wit", WIT).unwrap();
    let world = resolve.select_world(&[pkg], Some("tool")).unwrap();
    let mut module = wat::parse_str(wat).unwrap();
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
    )
    .unwrap();
    wit_component::ComponentEncoder::default()
        .module(&module)
        .unwrap()
        .validate(true)
        .encode()
        .unwrap()
}
