// SPDX-License-Identifier: Apache-2.0
// kubectl-vc: the kubectl plugin (`kubectl vc ...`). Everything is in src/cmd/.
#include "cmd/commands.h"

int main(int argc, char** argv) { return vc::cli::cmd::Main(argc, argv); }
