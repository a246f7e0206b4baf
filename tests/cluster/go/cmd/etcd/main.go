// SPDX-License-Identifier: Apache-2.0
// Thin entry point: the upstream component, built from Go modules for local test clusters.
// Nothing here changes its behaviour; see tests/cluster/README.md.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
