(module
  (import "env" "http_request" (func (param i64) (result i32)))
  (func (export "_start")))
