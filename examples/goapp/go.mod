module example.invalid/goapp

go 1.19
