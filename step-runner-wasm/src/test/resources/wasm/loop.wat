;; Never ends: _start spins in an empty loop. Tests the wall-clock timeout (the runner interrupts it).
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $forever
      (br $forever))))
