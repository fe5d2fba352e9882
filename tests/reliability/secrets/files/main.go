// A tiny program for the secrets part's go_image task.
package main

import "fmt"

func main() { fmt.Println("secrets part") }
