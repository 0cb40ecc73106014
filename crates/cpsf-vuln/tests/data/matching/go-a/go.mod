// Pins at the edges of real Go vulndb records (see expected.txt for the reason of each pin).
// The toolchain line is not a dependency: the standard library (module "stdlib") is out of scope here.
module example.com/fixtures/go-a

go 1.22

require (
	github.com/docker/docker v23.0.2+incompatible
	github.com/nats-io/nats-server/v2 v2.7.1
	golang.org/x/net v0.0.0-20220524220425-1d687d428aca
	helm.sh/helm v2.15.1+incompatible
	helm.sh/helm/v3 v3.18.4
	k8s.io/kubernetes v1.16.0
)
