;; A Mule module in WebAssembly text: reads its input (JSON) from stdin and writes a JSON answer to stdout.
;; It answers {"message": "hello from WAT"}; a step's output is the "message" field.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "{\"message\": \"hello from WAT\"}\n")
  (func (export "_start")
    ;; one iovec at 0: the text at 16, 30 bytes long
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 30))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
