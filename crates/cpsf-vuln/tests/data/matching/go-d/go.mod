// Pins at the edges of real Go vulndb records (see expected.txt for the reason of each pin).
// The toolchain line is not a dependency: the standard library (module "stdlib") is out of scope here.
module example.com/fixtures/go-d

go 1.22

require (
	github.com/docker/docker v1.11.2
	github.com/nats-io/nats-server/v2 v2.1.0
	golang.org/x/net v0.7.0
	k8s.io/kubernetes v1.0.0
)
