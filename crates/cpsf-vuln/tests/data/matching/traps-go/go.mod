// Pins against hand-written Go records: major-version module paths, a pseudo-version, +incompatible,
// and the last_affected / versions[] forms vulndb itself does not use (see expected.txt).
module example.com/fixtures/traps-go

go 1.22

require (
	github.com/example/lastaff v1.4.2
	github.com/example/legacy v2.3.0+incompatible
	github.com/example/listed v1.0.3
	github.com/example/mod v1.5.0
	github.com/example/mod/v2 v2.1.0
	github.com/example/pseudo v0.0.0-20230101000000-abcdef123456
)
