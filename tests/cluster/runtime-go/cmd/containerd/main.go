// SPDX-License-Identifier: Apache-2.0
// Thin entry point: the upstream component, built from Go modules for real nodes in local test
// clusters. Nothing here changes its behaviour; see tests/cluster/README.md.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/containerd/containerd/v2/cmd/containerd/command"

	_ "github.com/containerd/containerd/v2/cmd/containerd/builtins"
)

func main() {
	if err := command.App().Run(context.Background(), os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "containerd:", err)
		os.Exit(1)
	}
}
