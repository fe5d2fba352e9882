module example.com/gsimgapp

go 1.19
