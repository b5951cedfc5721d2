(module
  (memory 1)
  (func (export "dot") (param i32 i32) (result i32)
    (i32x4.extract_lane 0
      (i32x4.dot_i16x8_s (v128.load (local.get 0)) (v128.load offset=16 (local.get 1)))))
  (func (export "trunc") (param f32) (result i32) (i32.trunc_sat_f32_s (local.get 0)))
  (func (export "div") (param i64 i64) (result i64) (i64.div_s (local.get 0) (local.get 1))))
