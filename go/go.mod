module workload-emulator/go

go 1.19
