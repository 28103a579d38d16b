;; f32 matrix product C = A · Bᵀ with WebAssembly SIMD (f32x4), for src/forensics/linalg.ts.
;; Layout (row-major, 4-byte floats, in this module's memory):
;;   A: m rows × k, B: n rows × k, C: m rows × n.
;; Preconditions (ensured by the caller, which pads with zeros): m even, n % 4 == 0, k % 4 == 0.
;; Blocking: 2 rows of A × 4 rows of B per step, 8 f32x4 accumulators, horizontal sums at the end.
;; f32 arithmetic only (no relaxed SIMD, no fused multiply-add), so results are bit-identical on
;; every engine that implements the WebAssembly SIMD proposal.
;; Rebuild the embedded binary with `npm run build:wasm` (scripts/build-wasm.ts).
(module
  (memory (export "memory") 1)
  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))
  (func (export "mulABt")
    (param $A i32) (param $B i32) (param $C i32) (param $m i32) (param $n i32) (param $k i32)
    (local $i i32) (local $j i32) (local $p i32) (local $rowBytes i32) (local $o i32)
    (local $a0 i32) (local $a1 i32) (local $b0 i32) (local $b1 i32) (local $b2 i32) (local $b3 i32)
    (local $x0 v128) (local $x1 v128) (local $y0 v128) (local $y1 v128) (local $y2 v128) (local $y3 v128)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128) (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128)
    (local.set $rowBytes (i32.shl (local.get $k) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $doneI
      (loop $loopI
        (br_if $doneI (i32.ge_u (local.get $i) (local.get $m)))
        (local.set $a0 (i32.add (local.get $A) (i32.mul (local.get $i) (local.get $rowBytes))))
        (local.set $a1 (i32.add (local.get $a0) (local.get $rowBytes)))
        (local.set $j (i32.const 0))
        (block $doneJ
          (loop $loopJ
            (br_if $doneJ (i32.ge_u (local.get $j) (local.get $n)))
            (local.set $b0 (i32.add (local.get $B) (i32.mul (local.get $j) (local.get $rowBytes))))
            (local.set $b1 (i32.add (local.get $b0) (local.get $rowBytes)))
            (local.set $b2 (i32.add (local.get $b1) (local.get $rowBytes)))
            (local.set $b3 (i32.add (local.get $b2) (local.get $rowBytes)))
            (local.set $c00 (v128.const i32x4 0 0 0 0))
            (local.set $c01 (v128.const i32x4 0 0 0 0))
            (local.set $c02 (v128.const i32x4 0 0 0 0))
            (local.set $c03 (v128.const i32x4 0 0 0 0))
            (local.set $c10 (v128.const i32x4 0 0 0 0))
            (local.set $c11 (v128.const i32x4 0 0 0 0))
            (local.set $c12 (v128.const i32x4 0 0 0 0))
            (local.set $c13 (v128.const i32x4 0 0 0 0))
            (local.set $p (i32.const 0))
            (block $doneP
              (loop $loopP
                (br_if $doneP (i32.ge_u (local.get $p) (local.get $rowBytes)))
                (local.set $x0 (v128.load (i32.add (local.get $a0) (local.get $p))))
                (local.set $x1 (v128.load (i32.add (local.get $a1) (local.get $p))))
                (local.set $y0 (v128.load (i32.add (local.get $b0) (local.get $p))))
                (local.set $y1 (v128.load (i32.add (local.get $b1) (local.get $p))))
                (local.set $y2 (v128.load (i32.add (local.get $b2) (local.get $p))))
                (local.set $y3 (v128.load (i32.add (local.get $b3) (local.get $p))))
                (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x0) (local.get $y0))))
                (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x0) (local.get $y1))))
                (local.set $c02 (f32x4.add (local.get $c02) (f32x4.mul (local.get $x0) (local.get $y2))))
                (local.set $c03 (f32x4.add (local.get $c03) (f32x4.mul (local.get $x0) (local.get $y3))))
                (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x1) (local.get $y0))))
                (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x1) (local.get $y1))))
                (local.set $c12 (f32x4.add (local.get $c12) (f32x4.mul (local.get $x1) (local.get $y2))))
                (local.set $c13 (f32x4.add (local.get $c13) (f32x4.mul (local.get $x1) (local.get $y3))))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (br $loopP)))
            (local.set $o
              (i32.add (local.get $C)
                (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 2))))
            (f32.store offset=0 (local.get $o) (call $hsum (local.get $c00)))
            (f32.store offset=4 (local.get $o) (call $hsum (local.get $c01)))
            (f32.store offset=8 (local.get $o) (call $hsum (local.get $c02)))
            (f32.store offset=12 (local.get $o) (call $hsum (local.get $c03)))
            (local.set $o (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
            (f32.store offset=0 (local.get $o) (call $hsum (local.get $c10)))
            (f32.store offset=4 (local.get $o) (call $hsum (local.get $c11)))
            (f32.store offset=8 (local.get $o) (call $hsum (local.get $c12)))
            (f32.store offset=12 (local.get $o) (call $hsum (local.get $c13)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $loopJ)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $loopI)))))
