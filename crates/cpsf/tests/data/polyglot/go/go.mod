// The service's module file, as `go mod tidy` leaves it (plus a few hand edits).
module example.com/acme/inventory-service

go 1.21

toolchain go1.21.5

require (
	github.com/BurntSushi/toml v1.3.2
	github.com/docker/docker v24.0.7+incompatible
	github.com/go-playground/validator/v10 v10.16.0
	github.com/sirupsen/logrus v1.9.3
	github.com/spf13/cobra v1.8.0 // CLI
	"google.golang.org/grpc" v1.60.1
	gopkg.in/yaml.v3 v3.0.1
)

require (
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/spf13/pflag v1.0.5 // indirect; pulled in by cobra
	golang.org/x/exp v0.0.0-20231206192017-f3f8817b8deb // indirect
	golang.org/x/sys v0.15.0 //indirect
	`golang.org/x/net` v0.19.0 // indirectly needed, says a human: not the marker
)

require github.com/stretchr/testify v1.8.4
