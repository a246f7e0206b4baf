# SPDX-License-Identifier: Apache-2.0
# The images the [Conformance] specs pull, built offline under the exact names e2e.test asks for
# (its --list-images), into the local clusters' registry storage. Not run by itself: sourced by
# tests/cluster/images/build-images --extra (see tests/conformance/build-images), in its shell,
# so it has its functions (scratch, add_binary, add_busybox, debian_rootfs, tar_dir, image,
# binary_image, file_hash) and variables (cache, stage, BIN, self_hash, debian_packages).
# SUITE is build-suite's directory (e2e.test, agnhost, sample-apiserver).
# See tests/conformance/README.md "Images" for what each upstream image holds and why ours does.
: "${SUITE:?SUITE must be the directory build-suite prints}"
conformance_hash=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)
suite_images=$("$SUITE/e2e.test" --list-images | sort)
# refs REPO: every tag the suite names for registry.k8s.io/REPO, space separated.
refs() { grep -E "^registry\.k8s\.io/$1:" <<<"$suite_images" | tr '\n' ' '; }
[ -n "$(refs e2e-test-images/agnhost)" ] || die "e2e.test --list-images names no agnhost"

# pause: ours (the cluster's pause.tar of this run) under the tag the suite pins.
image e2e-pause "$self_hash-$conformance_hash" '{Entrypoint: ["/pause"], User: "65535:65535"}' \
  "$(refs pause)" "$cache/work/pause.tar"

# nonewprivs: upstream is Alpine with a setuid-root Go program printing its effective uid
# (nnp.go). Ours: nnp.c, static, mode 4755 root:root, on an empty root; the specs run its CMD.
nnp_src="$(dirname "${BASH_SOURCE[0]}")/nnp.c"
nnp_key="$self_hash-$conformance_hash-$(file_hash "$nnp_src")"
if [ "$(cat "$cache/keys/e2e-nonewprivs" 2>/dev/null)" != "$nnp_key" ]; then
  scratch "$stage"
  gcc -static -O2 -o "$stage/usr/local/bin/nnp" "$nnp_src"
  chown 0:0 "$stage/usr/local/bin/nnp" && chmod 4755 "$stage/usr/local/bin/nnp"
  tar_dir "$stage" "$cache/work/e2e-nonewprivs.tar"
  image e2e-nonewprivs "$nnp_key" '{Cmd: ["nnp"]}' "$(refs e2e-test-images/nonewprivs)" \
    "$cache/work/e2e-nonewprivs.tar"
  rm -f "$cache/work/e2e-nonewprivs.tar"
fi

# busybox: upstream is the Docker library's busybox, every applet in /bin (the sysctl spec runs
# /bin/sysctl). Ours: Debian's busybox-static with its applets where it installs them, and
# linked in /bin (usr/bin) as well, under the suite's tags.
scratch "$stage"; add_busybox "$stage"
for applet in $(/bin/busybox --list); do
  [ -e "$stage/usr/bin/$applet" ] || ln -s busybox "$stage/usr/bin/$applet"
done
# sh: busybox 1.37's ash passes on environment variables whose names are not shell identifiers
# (envFrom's "data-1"; the ConfigMap and Secret "via the environment" specs run `sh -c env`);
# 1.35's drops them. Bash passes them on, also as sh.
add_binary "$stage" /bin/bash /usr/bin/bash
ln -sf bash "$stage/usr/bin/sh"
tar_dir "$stage" "$cache/work/e2e-busybox.tar"
image e2e-busybox "$self_hash-$conformance_hash-$(file_hash /bin/busybox)-$(file_hash /bin/bash)" \
  '{Cmd: ["sh"]}' \
  "$(refs e2e-test-images/busybox)" "$cache/work/e2e-busybox.tar"

# agnhost: upstream is Alpine with bind-tools, curl, netcat-openbsd, iproute2, iperf, bash and
# util-linux-misc on busybox, /agnhost (and /agnhost-2), /coredns, /uploads, porter's
# localhost.crt/key, user-defined-in-image (1000) in group-defined-in-image (50000). Ours: the
# same tools from Debian's packages, busybox for the rest, build-suite's agnhost (static),
# build-bins' CoreDNS.
agnhost_packages="bash,curl,bind9-dnsutils,netcat-openbsd,iproute2,iperf,util-linux,ca-certificates,procps"
agnhost_key="$self_hash-$conformance_hash-$(file_hash "$SUITE/agnhost" "$BIN/coredns")"
agnhost_base=$(debian_rootfs agnhost "$agnhost_packages")
agnhost_layer="$cache/agnhost-layer-$agnhost_key.tar"  # kept: kitten and nautilus add to it
if [ ! -s "$agnhost_layer" ]; then
  rm -rf "$stage" && mkdir -p "$stage/etc" "$stage/uploads"
  install -m 0755 "$SUITE/agnhost" "$stage/agnhost"
  ln -s agnhost "$stage/agnhost-2"
  add_binary "$stage" "$BIN/coredns" /coredns
  # Alpine's base is busybox: specs call its applets (the port-forward pod's readiness probe runs
  # `netstat`). Every applet the Debian base lacks links to Debian's static busybox, under
  # usr/ only (a bin/ directory in this layer would hide the base's bin -> usr/bin link).
  mkdir -p "$stage/usr/bin"
  install -m 0755 /bin/busybox "$stage/usr/bin/busybox"
  declare -A in_base=()
  while read -r f; do in_base[${f##*/}]=1; done < <(tar -tf "$agnhost_base" | grep -E '^(\./)?(usr/)?s?bin/[^/]+$')
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || [ -n "${in_base[$applet]:-}" ] || ln -s busybox "$stage/usr/bin/$applet"
  done
  tar -xOf "$agnhost_base" ./etc/passwd >"$stage/etc/passwd"
  tar -xOf "$agnhost_base" ./etc/group >"$stage/etc/group"
  echo "user-defined-in-image:x:1000:1000::/home/user-defined-in-image:/bin/sh" >>"$stage/etc/passwd"
  printf 'user-defined-in-image:x:1000:\ngroup-defined-in-image:x:50000:user-defined-in-image\n' \
    >>"$stage/etc/group"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
    -keyout "$stage/localhost.key" -out "$stage/localhost.crt" 2>/dev/null
  rm -f "$cache"/agnhost-layer-*.tar
  tar_dir "$stage" "$agnhost_layer.tmp" && mv "$agnhost_layer.tmp" "$agnhost_layer"
fi
agnhost_config='{Entrypoint: ["/agnhost"], Cmd: ["pause"],
    ExposedPorts: {"80/tcp": {}, "8080/tcp": {}, "8081/tcp": {}, "9376/tcp": {}, "5000/tcp": {}}}'
image e2e-agnhost "$agnhost_key" "$agnhost_config" "$(refs e2e-test-images/agnhost)" \
  "$agnhost_base" "$agnhost_layer"

# kitten and nautilus: upstream is agnhost plus /NAME.jpg and /data.json ({"image": "NAME.jpg"}),
# served by `agnhost test-webserver` on port 80. kubectl's Update Demo reads data.json through
# pods/proxy; ImageVolume mounts kitten as a volume and reads data.json, and also expects its
# etc/os-release to say "Alpine Linux", which ours (Debian) does not: see README.md.
for demo in kitten nautilus; do
  rm -rf "$stage" && mkdir -p "$stage"
  printf '{\n  "image": "%s.jpg"\n}\n' "$demo" >"$stage/data.json"
  printf 'placeholder for %s.jpg: the specs read only data.json\n' "$demo" >"$stage/$demo.jpg"
  tar_dir "$stage" "$cache/work/$demo.tar"
  image "e2e-$demo" "$agnhost_key" \
    '{Entrypoint: ["/agnhost"], Cmd: ["test-webserver"], ExposedPorts: {"80/tcp": {}}}' \
    "$(refs "e2e-test-images/$demo")" "$agnhost_base" "$agnhost_layer" "$cache/work/$demo.tar"
done

# glibc-dns-testing (formerly jessie-dnsutils): upstream is Debian bookworm-slim with dnsutils;
# the DNS specs run dig, getent and a shell loop in it. agnhost's Debian base has all of them.
image e2e-glibc-dns-testing "$self_hash-$conformance_hash-$agnhost_packages" '{Cmd: ["sh"]}' \
  "$(refs e2e-test-images/glibc-dns-testing)" "$(debian_rootfs agnhost "$agnhost_packages")"

# nginx: the cluster's (Debian's nginx-light, its default page on port 80) under the suite's tags.
if [ "$(cat "$cache/keys/e2e-nginx" 2>/dev/null)" != "$self_hash-$conformance_hash" ]; then
  nginx_base=$(debian_rootfs debian "$debian_packages")
  rm -rf "$stage" && mkdir -p "$stage/var/log/nginx"
  ln -s /dev/stdout "$stage/var/log/nginx/access.log"; ln -s /dev/stderr "$stage/var/log/nginx/error.log"
  tar_dir "$stage" "$cache/work/nginx-logs.tar"
  image e2e-nginx "$self_hash-$conformance_hash" '{Cmd: ["nginx", "-g", "daemon off;"],
      StopSignal: "SIGQUIT", ExposedPorts: {"80/tcp": {}}}' \
    "$(refs e2e-test-images/nginx)" "$nginx_base" "$cache/work/nginx-logs.tar"
fi

# The Aggregator spec: sample-apiserver (build-suite's, the staging release of this Kubernetes)
# beside etcd (build-bins', run as /usr/local/bin/etcd).
binary_image e2e-sample-apiserver "$SUITE/sample-apiserver" /sample-apiserver \
  '{Entrypoint: ["/sample-apiserver"]}' "$(refs e2e-test-images/sample-apiserver)"
binary_image e2e-etcd "$BIN/etcd" /usr/local/bin/etcd '{Entrypoint: ["/usr/local/bin/etcd"]}' \
  "$(refs etcd)"
