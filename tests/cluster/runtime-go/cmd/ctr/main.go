// SPDX-License-Identifier: Apache-2.0
// Thin entry point: the upstream component, built from Go modules for real nodes in local test
// clusters. Nothing here changes its behaviour; see tests/cluster/README.md.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/containerd/containerd/v2/cmd/ctr/app"
)

func main() {
	if err := app.New().Run(context.Background(), os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "ctr:", err)
		os.Exit(1)
	}
}
