//go:build tools

// Package tools pins k8s.io/kubernetes so that scripts/install-tools can
// `go build k8s.io/kubernetes/cmd/kube-apiserver` from this module.
// `go install k8s.io/kubernetes/cmd/kube-apiserver@vX` is refused because
// k8s.io/kubernetes's go.mod has replace directives for its staging
// modules; go.mod here replaces each of them with its published v0.x.y.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
