;; Grows its memory one page (64 KiB) at a time until memory.grow refuses (-1), then traps the way a
;; C program aborts on a failed malloc. Declares no maximum, so only the runner's ceiling stops it.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $grow
      (br_if $grow (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    unreachable))
