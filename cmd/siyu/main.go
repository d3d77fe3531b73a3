// Command siyu is the whole product in one binary: the server (REST API, web
// console, workers), the import CLI and administration.
package main

import (
	"fmt"
	"os"

	_ "time/tzdata" // Asia/Shanghai even where the system has no tz database
)

func main() {
	if err := rootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
