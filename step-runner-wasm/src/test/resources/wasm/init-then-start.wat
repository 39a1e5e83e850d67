;; Exports both _initialize and _start: _start reports whether _initialize ran before it.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $initialized (mut i32) (i32.const 0))
  (data (i32.const 64) "{\"message\":\"initialized\"}")
  (data (i32.const 128) "{\"message\":\"not initialized\"}")
  (func (export "_initialize")
    (global.set $initialized (i32.const 1)))
  (func (export "_start")
    (if (global.get $initialized)
      (then
        (i32.store (i32.const 0) (i32.const 64))
        (i32.store (i32.const 4) (i32.const 25)))
      (else
        (i32.store (i32.const 0) (i32.const 128))
        (i32.store (i32.const 4) (i32.const 29))))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
