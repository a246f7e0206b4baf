// SPDX-License-Identifier: Apache-2.0
// kubectl-vc: the kubectl plugin (`kubectl vc ...`). Everything is in src/cmd/.
#include "vc/cli/cmd/run.h"

int main(int argc, char** argv) { return vc::cli::cmd::Main(argc, argv); }
