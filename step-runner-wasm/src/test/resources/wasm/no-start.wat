;; A library ("reactor") module with no _start: not a WASI command, so not runnable as a step.
(module
  (memory (export "memory") 1)
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1))))
