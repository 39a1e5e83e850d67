;; The smallest Mule module, in WebAssembly text: ignores its input and answers a fixed message.
;; {} -> "hello from WebAssembly text"
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "{\"message\":\"hello from WebAssembly text\"}\n")
  (func (export "_start")
    ;; one iovec at 0: {buf = 64, len = 42}; the count written goes to 8
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 42))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
