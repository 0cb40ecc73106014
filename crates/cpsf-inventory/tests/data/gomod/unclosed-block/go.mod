module example.com/broken

go 1.21

require (
	github.com/sirupsen/logrus v1.9.3
	golang.org/x/sys v0.15.0 // indirect

replace golang.org/x/sys => golang.org/x/sys v0.16.0
