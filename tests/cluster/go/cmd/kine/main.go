// SPDX-License-Identifier: Apache-2.0
// Thin entry point: the upstream component, built from Go modules for local test clusters.
// Nothing here changes its behaviour; see tests/cluster/README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/k3s-io/kine/pkg/app"
)

func main() {
	if err := app.New().Run(os.Args); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "kine:", err)
		os.Exit(1)
	}
}
