//go:build tools

// Package tools pins kustomize-controller so that scripts/install-tools can
// `go build github.com/fluxcd/kustomize-controller` from this module: the
// controller's go.mod has replace directives, so `go install …@v` is refused.
package tools

import _ "github.com/fluxcd/kustomize-controller"
