// SPDX-License-Identifier: Apache-2.0
// nonewprivs: installed setuid root; prints the effective uid it runs with. The
// AllowPrivilegeEscalation specs run it as uid 1000: 0 when the setuid bit took effect
// (escalation allowed), 1000 when no_new_privs stopped it. Our own, for the image the suite
// names registry.k8s.io/e2e-test-images/nonewprivs.
#include <stdio.h>
#include <unistd.h>

int main(void) {
  printf("Effective uid: %d\n", (int)geteuid());
  return 0;
}
