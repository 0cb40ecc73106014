module example.com/broken

go 1.21

require github.com/sirupsen/logrus v1.9.3
)
