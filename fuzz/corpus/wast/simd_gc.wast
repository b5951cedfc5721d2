(module
  (type $pt (struct (field (mut i32)) (field f64)))
  (func (export "mk") (param i32) (result i32)
    (struct.get $pt 0 (struct.new $pt (local.get 0) (f64.const 1.5))))
  (func (export "splat") (param i32) (result v128) (i32x4.splat (local.get 0))))
(assert_return (invoke "mk" (i32.const 9)) (i32.const 9))
(assert_return (invoke "splat" (i32.const 1)) (v128.const i32x4 1 1 1 1))
(module binary "\00asm" "\01\00\00\00")
(assert_unlinkable (module (import "nowhere" "f" (func))) "unknown import")
