(module
  (import "wasi:http/outgoing-handler" "handle" (func (param i32)))
  (func (export "_start")))
