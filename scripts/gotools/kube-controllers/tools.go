//go:build tools

// Package tools pins k8s.io/kubernetes so that scripts/install-tools can
// `go build` kube-controller-manager and kube-scheduler from this module, at
// the same version as scripts/gotools/kube-apiserver (k8s.io/kubernetes's
// go.mod replaces its staging modules, so `go install …@vX` is refused;
// go.mod here replaces each of them with its published v0.x.y).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
