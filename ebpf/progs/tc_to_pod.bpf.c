// SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0)
/* tc egress of a pod's host-side veth: packets on their way into the pod, judged by the
 * receiving pod's policy. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "verdict.h"

SEC("tc")
int vc_to_pod(struct __sk_buff* skb) { return vc_verdict(skb, false); }

/* The kernel accepts only GPL-compatible strings; we take the GPL side of the dual licence.
 * Weak: every program file carries it, the linked object keeps one. */
char LICENSE[] SEC("license") __weak = "GPL";
