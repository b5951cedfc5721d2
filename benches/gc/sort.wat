(module
  (type $item (struct (field $key i32) (field $val i32)))
  (type $arr (array (mut (ref null $item))))
  ;; $n structs with pseudo-random keys, shell-sorted by key (gaps n/2, n/4, ...; each
  ;; pass an insertion sort), then checked sorted; the checksum is a position-weighted sum.
  (func (export "run") (param $n i32) (result i32)
    (local $a (ref $arr)) (local $i i32) (local $j i32) (local $gap i32) (local $x i32)
    (local $t (ref null $item)) (local $sum i32)
    (local.set $a (array.new_default $arr (local.get $n)))
    (local.set $x (i32.const 12345))
    (loop $fill
      (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 1103515245)) (i32.const 12345)))
      (array.set $arr (local.get $a) (local.get $i)
        (struct.new $item (i32.shr_u (local.get $x) (i32.const 8)) (local.get $i)))
      (local.tee $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $n))))
    (local.set $gap (i32.shr_u (local.get $n) (i32.const 1)))
    (block $sorted (loop $gaps
      (br_if $sorted (i32.eqz (local.get $gap)))
      (local.set $i (local.get $gap))
      (block $pass_done (loop $pass
        (br_if $pass_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $t (array.get $arr (local.get $a) (local.get $i)))
        (local.set $j (local.get $i))
        (block $placed (loop $shift
          (br_if $placed (i32.lt_u (local.get $j) (local.get $gap)))
          (br_if $placed (i32.le_u
            (struct.get $item $key (array.get $arr (local.get $a) (i32.sub (local.get $j) (local.get $gap))))
            (struct.get $item $key (local.get $t))))
          (array.set $arr (local.get $a) (local.get $j)
            (array.get $arr (local.get $a) (i32.sub (local.get $j) (local.get $gap))))
          (local.set $j (i32.sub (local.get $j) (local.get $gap)))
          (br $shift)))
        (array.set $arr (local.get $a) (local.get $j) (local.get $t))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $pass)))
      (local.set $gap (i32.shr_u (local.get $gap) (i32.const 1)))
      (br $gaps)))
    (local.set $i (i32.const 1))
    (loop $check
      (if (i32.gt_u
            (struct.get $item $key (array.get $arr (local.get $a) (i32.sub (local.get $i) (i32.const 1))))
            (struct.get $item $key (array.get $arr (local.get $a) (local.get $i))))
        (then unreachable))
      (local.set $sum (i32.add (local.get $sum)
        (i32.mul (local.get $i) (struct.get $item $val (array.get $arr (local.get $a) (local.get $i))))))
      (local.tee $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $check (i32.lt_u (local.get $n))))
    (local.get $sum))
)
