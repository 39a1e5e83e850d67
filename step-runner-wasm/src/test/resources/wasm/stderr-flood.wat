;; Writes 4 KiB of 'x' to stderr (fd 2) forever. Tests the stderr size cap.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    ;; the iovec at 0 points at 4096 bytes of 'x' from offset 16; fd_write stores the count at 8
    (memory.fill (i32.const 16) (i32.const 120) (i32.const 4096))
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 4096))
    (loop $flood
      (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))
      (br $flood))))
