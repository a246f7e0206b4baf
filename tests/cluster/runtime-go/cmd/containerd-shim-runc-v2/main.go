// SPDX-License-Identifier: Apache-2.0
// Thin entry point: the upstream component, built from Go modules for real nodes in local test
// clusters. Nothing here changes its behaviour; see tests/cluster/README.md.
package main

import (
	"context"

	"github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2/manager"
	_ "github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2/task/plugin"
	"github.com/containerd/containerd/v2/pkg/shim"
)

func main() {
	shim.RunShim(context.Background(), manager.NewShimManager("io.containerd.runc.v2"))
}
