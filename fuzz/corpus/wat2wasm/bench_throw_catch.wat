;; Benchmark kernel (exceptions): 200,000 throws, each from 8 calls deep (through
;; call_indirect on the way), caught by a try_table at the top with its i32 payload, plus
;; 2,000,000 entries of a try_table whose body does not throw (the non-throwing path's cost).
;; Returns the sum of the payloads and of the non-throwing bodies' results.
(module
  (type $leaf (func (param i32) (result i32)))
  (tag $boom (param i32))
  (table 1 funcref)
  (elem (i32.const 0) $thrower)
  (func $thrower (type $leaf)
    (throw $boom (i32.and (local.get 0) (i32.const 1023))))
  ;; Down `depth` frames, the last one through the table.
  (func $descend (param $x i32) (param $depth i32) (result i32)
    (if (result i32) (i32.eqz (local.get $depth))
      (then (call_indirect (type $leaf) (local.get $x) (i32.const 0)))
      (else (i32.add (i32.const 1)
        (call $descend (local.get $x) (i32.sub (local.get $depth) (i32.const 1)))))))
  (func $quiet (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "run") (result i32)
    (local $i i32) (local $sum i32)
    (loop $throws
      (local.set $sum (i32.add (local.get $sum)
        (block $caught (result i32)
          (try_table (result i32) (catch $boom $caught)
            (call $descend (local.get $i) (i32.const 8))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $throws (i32.lt_u (local.get $i) (i32.const 200000))))
    (local.set $i (i32.const 0))
    (loop $quiet_loop
      (local.set $sum (i32.add (local.get $sum)
        (block $never (result i32)
          (try_table (result i32) (catch $boom $never)
            (call $quiet (local.get $i))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $quiet_loop (i32.lt_u (local.get $i) (i32.const 2000000))))
    (local.get $sum))
)
