(module
  (type $t (struct (field $l (ref null $t)) (field $r (ref null $t))))
  (func $make (param $d i32) (result (ref $t))
    (if (result (ref $t)) (i32.eqz (local.get $d))
      (then (struct.new $t (ref.null $t) (ref.null $t)))
      (else (struct.new $t
        (call $make (i32.sub (local.get $d) (i32.const 1)))
        (call $make (i32.sub (local.get $d) (i32.const 1)))))))
  (func $check (param $n (ref $t)) (result i32)
    (local $l (ref null $t))
    (local.set $l (struct.get $t $l (local.get $n)))
    (if (result i32) (ref.is_null (local.get $l)) (then (i32.const 1))
      (else (i32.add (i32.const 1)
        (i32.add (call $check (ref.as_non_null (local.get $l)))
                 (call $check (ref.as_non_null (struct.get $t $r (local.get $n)))))))))
  ;; binary-trees: a long-lived tree of depth $max, then for each depth d = 4, 6, ..
  ;; $max, 2^($max - d + 4) short-lived trees of depth d are built and checked.
  (func (export "run") (param $max i32) (result i32)
    (local $long (ref $t)) (local $sum i32) (local $d i32) (local $i i32) (local $n i32)
    (local.set $long (call $make (local.get $max)))
    (local.set $d (i32.const 4))
    (loop $depths
      (local.set $n (i32.shl (i32.const 1) (i32.add (i32.sub (local.get $max) (local.get $d)) (i32.const 4))))
      (local.set $i (i32.const 0))
      (loop $iters
        (local.set $sum (i32.add (local.get $sum) (call $check (call $make (local.get $d)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $iters (i32.lt_u (local.get $i) (local.get $n))))
      (local.set $d (i32.add (local.get $d) (i32.const 2)))
      (br_if $depths (i32.le_u (local.get $d) (local.get $max))))
    (i32.add (local.get $sum) (call $check (local.get $long))))
)
