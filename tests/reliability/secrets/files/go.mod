module example.com/gssecrets

go 1.19
