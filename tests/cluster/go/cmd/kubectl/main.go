// SPDX-License-Identifier: Apache-2.0
// Thin entry point: the upstream component, built from Go modules for local test clusters.
// Nothing here changes its behaviour; see tests/cluster/README.md.
package main

import (
	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"
)

func main() {
	if err := cli.RunNoErrOutput(cmd.NewDefaultKubectlCommand()); err != nil {
		util.CheckErr(err)
	}
}
