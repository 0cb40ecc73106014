module example.com/acme/messy

go 1.21

require (
	github.com/sirupsen/logrus v1.9.3
	github.com/spf13/cobra
	github.com/spf13/viper latest
	"github.com/pkg/errors v0.9.1
	github.com/sirupsen/logrus v1.9.3
	localmodule v1.0.0
	github.com/google/uuid v1.5.0 // indirect
)

requires github.com/google/go-cmp v0.6.0

replace github.com/google/uuid => github.com/google/uuid

replace github.com/spf13/cobra v1.8.0 github.com/spf13/cobra v1.7.0
