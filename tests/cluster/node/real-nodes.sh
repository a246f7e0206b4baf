# SPDX-License-Identifier: Apache-2.0
# Real nodes for local-cluster (sourced by it; uses its dir, BIN, start, stop, ours, wait_for,
# kctl, sign, log and die). Every real node is an upstream kubelet over its own containerd 2.x
# (runc from Debian, CNI bridge + host-local + portmap from Debian's containernetworking-plugins);
# the cluster gets one kube-proxy and CoreDNS as kube-dns. Design and findings:
# tests/cluster/README.md "Real nodes".
#
# Layout, for cluster number K (1..40, the first free one):
#   network namespace vc-lc-K         every real-node process, bridge and pod sandbox; its own
#                                     iptables, so two clusters never share a chain
#   veth vclc-K <-> eth0              root side 172.30.K.1 (the apiserver's advertise address),
#                                     namespace side 172.30.K.2, node I at 172.30.K.(10+I)
#   pods                              10.(200+K).I.0/24 on bridge vcbr<I>; the root namespace
#                                     routes 10.(200+K).0.0/16 to 172.30.K.2
#   a registry on the namespace's 127.0.0.1:5000, read-only over the images build-images made;
#   containerd sends every registry there (node/hosts.toml), so no pull leaves the machine
#   /run/vc-lc/K/nodeI                containerd's sockets and state (socket paths must be short)
#   DIR/nodes/I                       kubelet root, pod logs, containerd root, CNI config
#   cgroup /vc-lc-K-I                 the node's cgroup root in every v1 hierarchy

# The cgroup v1 hierarchies (with --all, also the hybrid layout's cgroup2, where runc makes
# cgroups too).
rn_cgroup_hierarchies() {
  local h t
  for h in /sys/fs/cgroup/*/; do
    h=${h%/}
    t=$(stat -fc %T "$h" 2>/dev/null || true)
    if [ "$t" = cgroupfs ] || { [ "${1:-}" = --all ] && [ "$t" = cgroup2fs ]; }; then echo "$h"; fi
  done
}

rn_prereqs() {
  [ "$(id -u)" = 0 ] || die "up: --real-nodes needs root (kubelet, containerd, network namespaces); run it with sudo"
  [ "$(stat -fc %T /sys/fs/cgroup)" = tmpfs ] && [ -d /sys/fs/cgroup/memory ] ||
    die "up: --real-nodes needs the cgroup v1 hierarchies (memory, cpu, pids, ...) under /sys/fs/cgroup; see tests/cluster/README.md 'cgroups'"
  local c
  for c in runc iptables nsenter ip conntrack; do
    command -v "$c" >/dev/null || die "up: --real-nodes needs $c; run 'make deps'"
  done
  [ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] && [ -x /usr/lib/cni/portmap ] ||
    die "up: --real-nodes needs Debian's containernetworking-plugins in /usr/lib/cni; run 'make deps'"
  for c in containerd containerd-shim-runc-v2 kubelet kube-proxy coredns; do
    [ -x "$BIN/$c" ] || die "up: $BIN/$c is missing; run tests/cluster/build-bins"
  done
}

# Picks K: the first number whose namespace, veth and addresses nobody uses. Written to
# DIR/real.env before anything is made, so `down` (and the next `up`) can undo a crashed run.
rn_alloc() {
  local k
  for k in $(seq 1 40); do
    ip netns list 2>/dev/null | grep -qw "vc-lc-$k" && continue
    ip link show "vclc-$k" >/dev/null 2>&1 && continue
    ip -4 addr show 2>/dev/null | grep -q "inet 172\.30\.$k\." && continue
    [ -e "/run/vc-lc/$k" ] && continue
    mkdir -p "/run/vc-lc/$k" && echo "$dir" >"/run/vc-lc/$k/owner"
    cat >"$dir/real.env" <<EOF
REAL_K=$k
REAL_NETNS=vc-lc-$k
REAL_VETH=vclc-$k
REAL_GW=172.30.$k.1
REAL_NS_IP=172.30.$k.2
REAL_POD_RANGE=10.$((200 + k)).0.0/16
REAL_RUN=/run/vc-lc/$k
REAL_NODES=$real_nodes
EOF
    # shellcheck disable=SC1091
    source "$dir/real.env"
    return 0
  done
  die "up: no free cluster number for real nodes (namespaces vc-lc-1..40 all in use); run 'local-cluster down' on old clusters"
}

# Machine-wide things kubelet and CNI change or make whatever their configuration says: three
# sysctls kubelet sets (vm.overcommit_memory=1, kernel.panic=10, kernel.panic_on_oops=1; with
# protectKernelDefaults it refuses to start instead), its device-plugin socket under
# /var/lib/kubelet, the links in /var/log/containers, the flex-volume directory under
# /usr/libexec/kubernetes, and libcni's cache in /var/lib/cni; and where vc-node-agent's
# DaemonSet keeps pins and state (/sys/fs/bpf/vc, /var/lib/vc-node-agent). Also what a systemd
# host has and these machines lack: bpffs mounted at /sys/fs/bpf with shared propagation (a
# DaemonSet's HostToContainer mount of it is refused on a private mount). The first real-node
# cluster records how they were (/run/vc-lc/machine.env); the last one to go puts them back.
rn_machine_save() {
  [ -f /run/vc-lc/machine.env ] && return 0
  mkdir -p /run/vc-lc
  local s d
  {
    if [ "$(findmnt -no FSTYPE /sys/fs/bpf 2>/dev/null)" != bpf ]; then
      mount -t bpf bpffs /sys/fs/bpf && echo "mounted /sys/fs/bpf"
    fi
    if [ "$(findmnt -no PROPAGATION /sys/fs/bpf 2>/dev/null)" = private ]; then
      mount --make-shared /sys/fs/bpf && echo "shared /sys/fs/bpf"
    fi
    for s in vm.overcommit_memory kernel.panic kernel.panic_on_oops; do echo "sysctl $s $(sysctl -n "$s")"; done
    for d in /var/lib/kubelet /var/log/containers /usr/libexec/kubernetes /var/lib/cni \
        /var/lib/vc-node-agent /sys/fs/bpf/vc; do
      [ -e "$d" ] || echo "made $d"
    done
  } >/run/vc-lc/machine.env.tmp
  mv /run/vc-lc/machine.env.tmp /run/vc-lc/machine.env
}

rn_machine_restore() {
  local kind a b
  # Another cluster's real nodes still run (its /run/vc-lc/K): they still need them. An entry
  # whose owner no longer records it (its DIR deleted after a `down` that failed half-way) and
  # whose network namespace is gone is stale: it would keep the machine changed for good.
  local k owner
  for k in /run/vc-lc/[0-9]*; do
    [ -d "$k" ] || continue
    owner=$(cat "$k/owner" 2>/dev/null || true)
    if ! grep -qx "REAL_K=${k##*/}" "$owner/real.env" 2>/dev/null &&
        ! ip netns list 2>/dev/null | grep -qw "vc-lc-${k##*/}"; then
      log "down: removing $k, left by a cluster in $owner that is gone"
      rm -rf "$k"
    fi
  done
  compgen -G '/run/vc-lc/[0-9]*' >/dev/null && return 0
  [ -f /run/vc-lc/machine.env ] || { rmdir /run/vc-lc 2>/dev/null || true; return 0; }
  while read -r kind a b; do  # last made, first undone
    case "$kind" in
      sysctl) sysctl -qw "$a=$b" || log "down: could not put back sysctl $a=$b" ;;
      made) rm -rf "$a" || log "down: could not remove $a (something still writes there)" ;;
      shared) mount --make-private "$a" || log "down: could not make $a private again" ;;
      mounted) umount "$a" || log "down: could not unmount $a" ;;
    esac
  done < <(tac /run/vc-lc/machine.env)
  rm -f /run/vc-lc/machine.env
  rmdir /run/vc-lc 2>/dev/null || true
}

rn_node_name() { local n; n="$(cat "$dir/name")-node"; [ "$1" -gt 1 ] && n="$n$1"; echo "$n"; }
rn_node_ip() { echo "172.30.$REAL_K.$((10 + $1))"; }
rn_in() { nsenter --net="/run/netns/$REAL_NETNS" "$@"; }

rn_network_up() {
  ip netns add "$REAL_NETNS"
  ip link add "$REAL_VETH" type veth peer name eth0 netns "$REAL_NETNS"
  ip addr add "$REAL_GW/24" dev "$REAL_VETH"
  ip link set "$REAL_VETH" up
  rn_in ip link set lo up
  rn_in ip addr add "$REAL_NS_IP/24" dev eth0
  local i
  for i in $(seq 1 "$real_nodes"); do rn_in ip addr add "$(rn_node_ip "$i")/32" dev eth0; done
  rn_in ip link set eth0 up
  rn_in ip route add default via "$REAL_GW"
  ip route add "$REAL_POD_RANGE" via "$REAL_NS_IP" dev "$REAL_VETH"
  # The namespace routes between its nodes' bridges and to the root side; bridged pod traffic
  # goes through iptables (kube-proxy's Service rules, hairpin included).
  rn_in sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 \
    net.ipv4.conf.all.route_localnet=1
}

rn_registry_up() {
  # Warm, this builds nothing; --project-build adds our own images from a CMake build.
  local store
  store=$("$here/images/build-images" ${project_build:+--project "$project_build"}) ||
    die "up: building the images failed (tests/cluster/images/build-images)"
  cat >"$dir/registry.yml" <<EOF
version: 0.1
log: {level: info, accesslog: {disabled: false}}
storage:
  filesystem: {rootdirectory: $store}
  maintenance: {readonly: {enabled: true}, uploadpurging: {enabled: false}}
http: {addr: 127.0.0.1:5000}
EOF
  start registry nsenter --net="/run/netns/$REAL_NETNS" docker-registry serve "$dir/registry.yml"
  wait_running registry "the image registry on the cluster's loopback" 30 rn_in curl -sf http://127.0.0.1:5000/v2/
  # Every registry goes to it, each under its own name; one we have no images for (or an
  # unknown one, _default) gets a "not found" from it, never the network.
  local reg
  rm -rf "$dir/certs.d"
  for reg in docker.io registry.k8s.io ghcr.io quay.io gcr.io registry-1.docker.io _default; do
    mkdir -p "$dir/certs.d/$reg"
    sed "s|@PATH@|${reg/_default/unknown-registry}|" "$here/node/hosts.toml" >"$dir/certs.d/$reg/hosts.toml"
  done
}

rn_cgroups() {  # I: the node's cgroup root in every v1 hierarchy (kubelet's cgroupRoot)
  local cg="vc-lc-$REAL_K-$1" h
  for h in $(rn_cgroup_hierarchies); do
    mkdir -p "$h/$cg"
    if [ -f "$h/cpuset.cpus" ]; then
      cat "$h/cpuset.cpus" >"$h/$cg/cpuset.cpus"; cat "$h/cpuset.mems" >"$h/$cg/cpuset.mems"
    fi
  done
  echo "/$cg"
}

rn_node_up() {  # I
  local i=$1 node ip nd run cg
  node=$(rn_node_name "$i"); ip=$(rn_node_ip "$i"); nd="$dir/nodes/$i"; run="$REAL_RUN/node$i"
  mkdir -p "$nd/cni" "$nd/kubelet" "$nd/pod-logs" "$run"
  cg=$(rn_cgroups "$i")
  sed -e "s|@ROOT@|$nd/containerd|; s|@STATE@|$run/state|; s|@RUN@|$run|g" \
      -e "s|@CERTS@|$dir/certs.d|; s|@CNI@|$nd/cni|; s|@CGROUP@|$cg/containerd|" \
    "$here/node/containerd.toml" >"$nd/containerd.toml"
  sed -e "s|@NAME@|vc-lc-$REAL_K-$i|; s|@BRIDGE@|vcbr$i|; s|@SUBNET@|10.$((200 + REAL_K)).$i.0/24|" \
      -e "s|@IPAM@|$nd/ipam|" "$here/node/cni.conflist" >"$nd/cni/10-bridge.conflist"
  PATH="$BIN:$PATH" start "containerd-$i" nsenter --net="/run/netns/$REAL_NETNS" \
    "$BIN/containerd" --config "$nd/containerd.toml"
  wait_running "containerd-$i" "containerd of $node" 30 test -S "$run/containerd.sock"

  sign "node-$i" "/O=system:nodes/CN=system:node:$node" ""
  sign "node-$i-serving" "/CN=$node" "IP:$ip,DNS:$node"
  kubeconfig "$nd/kubeconfig" "node-$i" cert "" "https://$REAL_GW:$APISERVER_PORT" "node-$i"
  sed -e "s|@IP@|$ip|g; s|@PKI@|$dir/pki|g; s|@NODE@|node-$i|g; s|@CGROUP@|$cg|" \
      -e "s|@RUN@|$run|; s|@LOGS@|$nd/pod-logs|; s|@DNS@|$CLUSTER_DNS|; s|@RESOLV@|$dir/resolv.conf|" \
    "$here/node/kubelet.yaml" >"$nd/kubelet.yaml"
  start "kubelet-$i" nsenter --net="/run/netns/$REAL_NETNS" "$BIN/kubelet" \
    --config="$nd/kubelet.yaml" --kubeconfig="$nd/kubeconfig" --root-dir="$nd/kubelet" \
    --hostname-override="$node" --node-ip="$ip" --node-labels="type=real" --v=1
}

rn_proxy_up() {
  sign kube-proxy "/CN=system:kube-proxy" ""
  kubeconfig "$dir/kube-proxy.kubeconfig" kube-proxy cert "" "https://$REAL_GW:$APISERVER_PORT" kube-proxy
  sed -e "s|@KUBECONFIG@|$dir/kube-proxy.kubeconfig|; s|@PODS@|$REAL_POD_RANGE|" \
      -e "s|@NODE@|$(rn_node_name 1)|" "$here/node/kube-proxy.yaml" >"$dir/kube-proxy.yaml"
  start kube-proxy nsenter --net="/run/netns/$REAL_NETNS" "$BIN/kube-proxy" --config="$dir/kube-proxy.yaml" --v=1
}

rn_nodes_ready() {
  local i
  for i in $(seq 1 "$real_nodes"); do
    [ "$(kctl get node "$(rn_node_name "$i")" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ] || return 1
  done
}

# kube-dns: CoreDNS answering the cluster domain, forwarding nothing off the machine.
rn_dns_up() {
  local version; version=$(awk '$1=="github.com/coredns/coredns"{print $2}' "$here/runtime-go/go.mod")
  sed -e "s|@DNS@|$CLUSTER_DNS|; s|@VERSION@|$version|" "$here/node/coredns.yaml" | kctl apply -f - >/dev/null
}

# The default StorageClass "standard": a directory per claim on the node of its pod.
rn_storage_up() {
  local i paths="" version
  for i in $(seq 1 "$real_nodes"); do
    mkdir -p "$dir/nodes/$i/storage"
    paths+="{\"node\": \"$(rn_node_name "$i")\", \"paths\": [\"$dir/nodes/$i/storage\"]}, "
  done
  paths="[$paths{\"node\": \"DEFAULT_PATH_FOR_NON_LISTED_NODES\", \"paths\": [\"$dir/nodes/1/storage\"]}]"
  version=$(awk '$1=="github.com/rancher/local-path-provisioner"{print $2}' "$here/runtime-go/go.mod")
  sed -e "s|@PATHS@|$paths|; s|@VERSION@|$version|" "$here/node/local-path.yaml" | kctl apply -f - >/dev/null
}

# The shared ingress controller: Traefik, the default IngressClass "traefik".
rn_ingress_up() {
  local version; version=$(awk '$1=="github.com/traefik/traefik/v3"{print $2}' "$here/ingress-go/go.mod")
  sed -e "s|@VERSION@|$version|" "$here/node/ingress.yaml" | kctl apply -f - >/dev/null
}

# Every real node runs a pod from the local registry; CoreDNS answers.
rn_check() {
  local i node
  # The API server refuses a pod until the controller manager has made its namespace's
  # ServiceAccount "default"; on a fast up the check pods came first (CI of 2026-12-05).
  wait_for "the ServiceAccount default/default" 60 kctl -n default get serviceaccount default
  for i in $(seq 1 "$real_nodes"); do
    node=$(rn_node_name "$i")
    kctl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: local-cluster-check-$i, namespace: default}
spec:
  nodeName: $node
  tolerations: [{operator: Exists}]
  terminationGracePeriodSeconds: 0
  containers: [{name: check, image: registry.k8s.io/pause:3.10}]
EOF
  done
  local pods; pods=$(seq -f 'pod/local-cluster-check-%g' 1 "$real_nodes")
  # shellcheck disable=SC2086
  wait_for "a pod Ready on every real node (see $dir/logs/kubelet-*.log)" 120 \
    kctl -n default wait --for=condition=Ready --timeout=5s $pods
  # shellcheck disable=SC2086
  kctl -n default delete --wait=false $pods >/dev/null
  wait_for "CoreDNS (kube-system/coredns) to be Ready" 120 \
    kctl -n kube-system rollout status deployment/coredns --timeout=5s
  wait_for "local-path-provisioner to be Ready" 120 \
    kctl -n local-path-storage rollout status deployment/local-path-provisioner --timeout=5s
  wait_for "the ingress controller (traefik/traefik) to be Ready" 120 \
    kctl -n traefik rollout status deployment/traefik --timeout=5s
}

rn_up() {  # after rn_prereqs, rn_alloc and rn_machine_save, which run before the PKI is made
  rn_machine_save  # (a no-op once saved)
  printf 'nameserver 127.0.0.1\noptions ndots:1\n' >"$dir/resolv.conf"
  rn_network_up
  rn_registry_up
  local i
  for i in $(seq 1 "$real_nodes"); do rn_node_up "$i"; done
  rn_proxy_up
  wait_for "$real_nodes real nodes Ready (see $dir/logs/kubelet-*.log)" 120 rn_nodes_ready
  rn_dns_up
  rn_storage_up
  rn_ingress_up
  rn_check
}

# Undoes rn_up, also half of one from a crashed run: processes, mounts, cgroups, the network
# namespace (with its bridges, veths and iptables), the routes, CNI's cache, the pod log links
# and /run/vc-lc/K. What rn_machine_save recorded is the caller's to put back
# (rn_machine_restore), once the control plane is down too: kube-controller-manager makes the
# flex-volume directory again while it runs (its plugin prober), so removing it under a live
# one fails with "Directory not empty".
rn_down() {
  [ -f "$dir/real.env" ] || return 0
  # shellcheck disable=SC1091
  source "$dir/real.env"
  local i h pid cg
  stop kube-proxy $(seq -f 'kubelet-%g' 1 "$REAL_NODES")
  # The containers: every process in each node's cgroups (frozen, so none forks meanwhile),
  # then the shims of our containerds.
  for i in $(seq 1 "$REAL_NODES"); do
    cg="vc-lc-$REAL_K-$i"
    [ -d "/sys/fs/cgroup/freezer/$cg" ] && find "/sys/fs/cgroup/freezer/$cg" -name freezer.state \
      -exec sh -c 'echo FROZEN > "$1"' _ {} \; 2>/dev/null || true
    for _ in 1 2 3; do
      for pid in $(cat $(find "/sys/fs/cgroup/pids/$cg" -name cgroup.procs 2>/dev/null) /dev/null 2>/dev/null); do
        kill -KILL "$pid" 2>/dev/null || true
      done
      [ -d "/sys/fs/cgroup/freezer/$cg" ] && find "/sys/fs/cgroup/freezer/$cg" -name freezer.state \
        -exec sh -c 'echo THAWED > "$1"' _ {} \; 2>/dev/null || true
    done
    pkill -KILL -f "containerd-shim-runc-v2 .*-address $REAL_RUN/node$i/containerd.sock" 2>/dev/null || true
  done
  stop registry $(seq -f 'containerd-%g' 1 "$REAL_NODES")
  # Mounts under DIR and /run/vc-lc/K, deepest first.
  awk -v a="$dir/" -v b="$REAL_RUN/" 'index($5, a) == 1 || index($5, b) == 1 {print $5}' /proc/self/mountinfo |
    sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  # cgroups, children before parents; a cgroup still holding a process stays and is reported.
  for i in $(seq 1 "$REAL_NODES"); do
    for h in $(rn_cgroup_hierarchies --all); do
      [ -d "$h/vc-lc-$REAL_K-$i" ] || continue
      find "$h/vc-lc-$REAL_K-$i" -depth -type d -exec rmdir {} \; 2>/dev/null ||
        log "down: could not remove cgroup $h/vc-lc-$REAL_K-$i"
    done
  done
  ip netns del "$REAL_NETNS" 2>/dev/null || true
  ip link del "$REAL_VETH" 2>/dev/null || true
  ip route del "$REAL_POD_RANGE" 2>/dev/null || true
  # libcni's cache entries of our sandboxes (they name the network namespace under REAL_RUN).
  # (No entry, or no cache yet, is no error: set -e with pipefail would end `down` here.)
  { grep -rlF "$REAL_RUN/" /var/lib/cni/results 2>/dev/null || true; } | xargs -r rm -f
  find /var/log/containers -maxdepth 1 -lname "$dir/*" -delete 2>/dev/null || true
  # What vc-node-agent's DaemonSet keeps on the machine for our nodes, named by the node.
  for i in $(seq 1 "$REAL_NODES"); do
    rm -rf "/sys/fs/bpf/vc/$(rn_node_name "$i")" "/var/lib/vc-node-agent/$(rn_node_name "$i")"
  done
  rm -rf "$REAL_RUN" "$dir/nodes" "$dir/real.env"
}
