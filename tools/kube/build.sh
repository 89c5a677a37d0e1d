#!/usr/bin/env bash
# Builds the pinned upstream binaries (versions.env) from Go modules into
# <repo>/.cache/kube/<versions>/bin. A second run with the binaries present returns at once.
# Prints the bin directory on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
source "$here/versions.env"
key="k8s-${KUBERNETES_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}_helm-${HELM_VERSION}"
out="$repo/.cache/kube/$key/bin"
binaries=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok kwokctl helm)

missing=()
for b in "${binaries[@]}"; do [ -x "$out/$b" ] || missing+=("$b"); done
if [ ${#missing[@]} -eq 0 ]; then echo "$out"; exit 0; fi

command -v go >/dev/null || { echo "tools/kube: go is not installed (needed to build ${missing[*]})" >&2; exit 1; }
mkdir -p "$out"
export CGO_ENABLED=0 GOFLAGS=-mod=mod
tmp="$out/.partial"; mkdir -p "$tmp"

build() { # build MODULE_DIR NAME PACKAGE LDFLAGS
  local dir=$1 name=$2 pkg=$3 ldflags=$4
  [ -x "$out/$name" ] && return 0
  echo "tools/kube: building $name ($pkg)" >&2
  (cd "$here/$dir" && go build -trimpath -ldflags "-s -w $ldflags" -o "$tmp/$name" "$pkg")
  mv "$tmp/$name" "$out/$name"   # only a finished binary lands in bin/
}

major=${KUBERNETES_VERSION#v}; minor=${major#*.}; major=${major%%.*}; minor=${minor%%.*}
kstamp=""
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kstamp+=" -X $p.gitVersion=$KUBERNETES_VERSION -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  kstamp+=" -X $p.buildDate=1970-01-01T00:00:00Z"
done
for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  build kubernetes "$b" "k8s.io/kubernetes/cmd/$b" "$kstamp"
done
build etcd etcd go.etcd.io/etcd/server/v3 "-X go.etcd.io/etcd/api/v3/version.GitSHA=${ETCD_VERSION}"
kwokstamp="-X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v} -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${KUBERNETES_VERSION#v}"
build kwok kwok sigs.k8s.io/kwok/cmd/kwok "$kwokstamp"
build kwok kwokctl sigs.k8s.io/kwok/cmd/kwokctl "$kwokstamp"
build helm helm helm.sh/helm/v3/cmd/helm "-X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}"
rmdir "$tmp"
echo "$out"
