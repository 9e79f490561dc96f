module hybridflow/test/ovirt-sdk/go

go 1.22

require github.com/ovirt/go-ovirt v4.3.4+incompatible

require github.com/stretchr/testify v1.12.1 // indirect
