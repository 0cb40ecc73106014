module github.com/acme/edge-gateway

go 1.22.1

godebug (
	default=go1.21
	panicnil=1
)

require (
	github.com/gorilla/mux v1.8.1
	github.com/prometheus/client_golang v1.18.0
	github.com/acme/shared-auth v0.4.2
	github.com/golang/protobuf v1.5.3 // indirect
	golang.org/x/crypto v0.17.0
	golang.org/x/text v0.14.0 // indirect
	github.com/hashicorp/go-version v1.6.0
	example.com/internal/tracing v0.0.0-00010101000000-000000000000
)

// Every version of mux comes from the fork.
replace github.com/gorilla/mux => github.com/acme-forks/mux v1.8.2-0.20240110093012-5bd7a1f3c9e2

// Only this exact version is swapped; a version-specific replacement beats a general one.
replace golang.org/x/crypto v0.17.0 => golang.org/x/crypto v0.18.0

replace golang.org/x/crypto => golang.org/x/crypto v0.16.0

replace (
	github.com/acme/shared-auth => ../shared-auth
	example.com/internal/tracing => ./third_party/tracing
	github.com/golang/protobuf v1.4.0 => github.com/golang/protobuf v1.4.3
)

exclude github.com/hashicorp/go-version v1.6.0

exclude (
	golang.org/x/text v0.13.0
)

retract (
	[v1.0.0, v1.0.5] // published with a broken proto package
	v1.1.0 // tagged by mistake
)

retract v0.9.0

tool golang.org/x/tools/cmd/stringer
