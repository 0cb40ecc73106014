// Pins at the edges of real Go vulndb records (see expected.txt for the reason of each pin).
// The toolchain line is not a dependency: the standard library (module "stdlib") is out of scope here.
module example.com/fixtures/go-c

go 1.22

require (
	github.com/docker/docker v20.10.23+incompatible
	github.com/nats-io/nats-server/v2 v2.12.0-RC.2
	golang.org/x/net v0.0.0-20220412020605-290c469a71a5
	helm.sh/helm v2.16.0+incompatible
	helm.sh/helm/v3 v3.19.0
	k8s.io/kubernetes v1.13.12
)
