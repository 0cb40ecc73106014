// Pins at the edges of real Go vulndb records (see expected.txt for the reason of each pin).
// The toolchain line is not a dependency: the standard library (module "stdlib") is out of scope here.
module example.com/fixtures/go-b

go 1.22

require (
	github.com/docker/docker v20.10.24+incompatible
	github.com/nats-io/nats-server v1.4.1
	github.com/nats-io/nats-server/v2 v2.7.2
	golang.org/x/net v0.1.1-0.20221104162952-702349b0e862
	helm.sh/helm v2.15.2+incompatible
	helm.sh/helm/v3 v3.18.5
	k8s.io/kubernetes v1.16.2
)
