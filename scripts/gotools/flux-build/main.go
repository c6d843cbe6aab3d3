// Command flux-build is pytest-kustomize's oracle for Flux: it renders a Flux
// Kustomization with fluxcd/pkg/kustomize the way kustomize-controller v1.9.4 and
// `flux build kustomization` do, and prints what `flux build kustomization` prints.
//
//	flux-build build NAME --path DIR --kustomization-file FILE [--root ROOT]
//	    [--namespace NS] [--sources FILE] [--strict-substitute] [--dry-run]
//	    [--ignore-paths P,...] [--recursive --local-sources Kind/ns/name=path,...]
//	flux-build envsubst < cases.json     # [{"text","vars","strict"}] -> [{"out","err"}]
//	flux-build version
//
// The source root is copied to a temporary directory (as the controller untars an
// artifact) and the generator writes kustomization.yaml there; SecureBuild is confined
// to the copy. substituteFrom ConfigMaps/Secrets come from --sources (a multi-document
// YAML file) through controller-runtime's fake client.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/envsubst"
	"github.com/fluxcd/pkg/kustomize"
	"github.com/fluxcd/pkg/sourceignore"
	ssautil "github.com/fluxcd/pkg/ssa/utils"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/kustomize/api/resource"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

const ownerGroup = "kustomize.toolkit.fluxcd.io"

type options struct {
	name, namespace, path, root, kfile, sources, ignore, localSources string
	artifactIgnore                                                     string
	strict, dryRun, recursive, artifact                                bool
}

func main() {
	if len(os.Args) < 2 {
		fail(errors.New("usage: flux-build build NAME ... | flux-build envsubst"))
	}
	var err error
	switch os.Args[1] {
	case "build":
		err = buildCmd(os.Args[2:])
	case "envsubst":
		err = envsubstCmd(os.Stdin, os.Stdout)
	case "version":
		fmt.Println("flux-build v1.9.4 (kustomize-controller v1.9.4: fluxcd/pkg/kustomize v1.35.4, envsubst v1.7.0)")
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "✗", err)
	os.Exit(1)
}

func buildCmd(args []string) error {
	var o options
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.StringVar(&o.path, "path", "", "directory to build")
	fs.StringVar(&o.root, "root", "", "source root (default: --path)")
	fs.StringVar(&o.kfile, "kustomization-file", "", "file holding the Flux Kustomization")
	fs.StringVar(&o.namespace, "namespace", "flux-system", "namespace of the Kustomization")
	fs.StringVar(&o.sources, "sources", "", "YAML file of ConfigMaps/Secrets for substituteFrom")
	fs.StringVar(&o.ignore, "ignore-paths", "", "comma-separated .gitignore patterns")
	fs.StringVar(&o.localSources, "local-sources", "", "Kind/ns/name=path,...")
	fs.BoolVar(&o.strict, "strict-substitute", false, "fail on unset variables")
	fs.BoolVar(&o.dryRun, "dry-run", false, "do not read substituteFrom (as the flux CLI)")
	fs.BoolVar(&o.recursive, "recursive", false, "build child Kustomizations")
	fs.BoolVar(&o.artifact, "artifact", false, "copy the root as source-controller archives a GitRepository (ignore rules, no symlinks)")
	fs.StringVar(&o.artifactIgnore, "artifact-ignore", "", "file holding the GitRepository's spec.ignore (with --artifact)")
	if len(args) < 1 || strings.HasPrefix(args[0], "-") {
		return errors.New("Kustomization name is required")
	}
	o.name = args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	ks, err := readKustomization(o.kfile, o.name, o.namespace)
	if err != nil {
		return err
	}
	kube, err := fakeClient(o.sources)
	if err != nil {
		return err
	}
	if o.root == "" {
		o.root = o.path
	}
	objects, err := buildRecursive(kube, ks, o, o.root, o.path)
	if err != nil {
		return err
	}
	out, err := ssautil.ObjectsToYAML(objects)
	if err != nil {
		return err
	}
	_, err = os.Stdout.WriteString(out)
	return err
}

func readKustomization(file, name, namespace string) (*kustomizev1.Kustomization, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	dec := k8syaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), len(data))
	for {
		k := &kustomizev1.Kustomization{}
		if err := dec.Decode(k); err != nil {
			if err == io.EOF {
				return nil, fmt.Errorf("failed find kustomization with name '%s' and namespace '%s' in file '%s'", name, namespace, file)
			}
			return nil, fmt.Errorf("failed to unmarshall kustomization file %s: %w", file, err)
		}
		if strings.HasPrefix(k.APIVersion, kustomizev1.GroupVersion.Group+"/") &&
			k.Kind == kustomizev1.KustomizationKind && k.Name == name &&
			(k.Namespace == namespace || k.Namespace == "") {
			return k, nil
		}
	}
}

func fakeClient(file string) (client.Client, error) {
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	b := fake.NewClientBuilder().WithScheme(scheme)
	if file == "" {
		return b.Build(), nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	objs, err := ssautil.ReadObjects(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	for _, u := range objs {
		switch u.GetKind() {
		case "ConfigMap":
			cm := &corev1.ConfigMap{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, cm); err != nil {
				return nil, err
			}
			b = b.WithObjects(cm)
		case "Secret":
			s := &corev1.Secret{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, s); err != nil {
				return nil, err
			}
			// The API server merges stringData into data; the fake client does not.
			for k, v := range s.StringData {
				if s.Data == nil {
					s.Data = map[string][]byte{}
				}
				s.Data[k] = []byte(v)
			}
			s.StringData = nil
			b = b.WithObjects(s)
		default:
			return nil, fmt.Errorf("%s: only ConfigMaps and Secrets are served, got %s", file, u.GetKind())
		}
	}
	return b.Build(), nil
}

// buildRecursive builds ks and, with --recursive, every child Kustomization of its
// output from --local-sources, as `flux build kustomization --recursive` does.
func buildRecursive(kube client.Client, ks *kustomizev1.Kustomization, o options, root, path string) ([]*unstructured.Unstructured, error) {
	objects, err := buildOne(kube, ks, o, root, path)
	if err != nil || !o.recursive {
		return objects, err
	}
	sources := map[string]string{}
	for _, kv := range strings.Split(o.localSources, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			sources[k] = v
		}
	}
	var children []*unstructured.Unstructured
	for _, obj := range objects {
		if !strings.HasPrefix(obj.GetAPIVersion(), kustomizev1.GroupVersion.Group+"/") ||
			obj.GetKind() != kustomizev1.KustomizationKind {
			continue
		}
		child := &kustomizev1.Kustomization{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, child); err != nil {
			return nil, err
		}
		if child.Name == ks.Name && child.Namespace == ks.Namespace {
			continue
		}
		ref := child.Spec.SourceRef.DeepCopy()
		if ref.Namespace == "" {
			ref.Namespace = child.Namespace
		}
		local, ok := sources[ref.String()]
		if !ok {
			return nil, fmt.Errorf("cannot get local path for %s of kustomization %s", ref.String(), child.Name)
		}
		sub, err := buildRecursive(kube, child, o, local, filepath.Join(local, child.Spec.Path))
		if err != nil {
			return nil, err
		}
		children = append(children, sub...)
	}
	return append(objects, children...), nil
}

func buildOne(kube client.Client, ks *kustomizev1.Kustomization, o options, root, path string) ([]*unstructured.Unstructured, error) {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	absPath, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(absRoot, absPath)
	if err != nil || strings.HasPrefix(rel, "..") {
		return nil, fmt.Errorf("path %s is not inside the root %s", path, root)
	}
	tmp, err := os.MkdirTemp("", "flux-build-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	work := filepath.Join(tmp, "src")
	var filter func(p string, fi os.FileInfo) bool
	if o.artifact {
		if filter, err = artifactFilter(absRoot, o.artifactIgnore); err != nil {
			return nil, err
		}
	}
	if err := copyTree(absRoot, work, filter); err != nil {
		return nil, err
	}
	dir := filepath.Join(work, rel)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("kustomization path not found: %s", path)
	}

	data, err := runtime.DefaultUnstructuredConverter.ToUnstructured(ks)
	if err != nil {
		return nil, err
	}
	u := unstructured.Unstructured{Object: data}
	ignore := strings.Join(strings.Split(o.ignore, ","), "\n")
	gen := kustomize.NewGeneratorWithIgnore(work, ignore, u)
	if o.artifact {
		gen = kustomize.NewGenerator(work, u) // the controller: the artifact is filtered already
	}
	if _, err := gen.WriteFile(dir); err != nil {
		return nil, fmt.Errorf("failed to generate kustomization.yaml: %w", err)
	}
	m, err := kustomize.SecureBuild(work, dir, false)
	if err != nil {
		return nil, fmt.Errorf("kustomize build failed: %w", err)
	}
	ctx := context.Background()
	for _, res := range m.Resources() {
		if res.GetName() == "" || res.GetKind() == "" || res.GetApiVersion() == "" {
			return nil, fmt.Errorf("failed to decode Kubernetes apiVersion, kind and name from: %v", res.String())
		}
		if ks.Spec.PostBuild != nil {
			out, err := kustomize.SubstituteVariables(ctx, kube, u, res,
				kustomize.SubstituteWithDryRun(o.dryRun),
				kustomize.SubstituteWithStrict(o.strict),
				kustomize.SubstituteWithAlways(ks.GetSubstituteStrategy() == kustomizev1.SubstituteStrategyAlways))
			if err != nil {
				return nil, fmt.Errorf("var substitution failed for '%s': %w", res.GetName(), err)
			}
			if out != nil {
				if _, err := m.Replace(res); err != nil {
					return nil, err
				}
			}
		}
	}
	for _, res := range m.Resources() {
		if err := setOwnerLabels(res, ks); err != nil {
			return nil, err
		}
	}
	yml, err := m.AsYaml()
	if err != nil {
		return nil, fmt.Errorf("kustomize build failed: %w", err)
	}
	objects, err := ssautil.ReadObjects(bytes.NewReader(yml))
	if err != nil {
		return nil, fmt.Errorf("kustomize build failed: %w", err)
	}
	if md := ks.Spec.CommonMetadata; md != nil {
		ssautil.SetCommonMetadata(objects, md.Labels, md.Annotations)
	}
	return objects, nil
}

func setOwnerLabels(res *resource.Resource, ks *kustomizev1.Kustomization) error {
	if err := res.PipeE(kyaml.SetLabel(ownerGroup+"/name", ks.GetName())); err != nil {
		return err
	}
	return res.PipeE(kyaml.SetLabel(ownerGroup+"/namespace", ks.GetNamespace()))
}

// artifactFilter is source-controller's GitRepository archive filter: .sourceignore files,
// spec.ignore, VCS patterns (the default excludes only when there is no other pattern).
func artifactFilter(root, ignoreFile string) (func(string, os.FileInfo) bool, error) {
	domain := strings.Split(root, string(filepath.Separator))
	ps, err := sourceignore.LoadIgnorePatterns(root, domain)
	if err != nil {
		return nil, err
	}
	if ignoreFile != "" {
		data, err := os.ReadFile(ignoreFile)
		if err != nil {
			return nil, err
		}
		ps = append(ps, sourceignore.ReadPatterns(bytes.NewReader(data), domain)...)
	}
	matcher := sourceignore.NewDefaultMatcher(ps, domain)
	if len(ps) > 0 {
		matcher = sourceignore.NewMatcher(append(sourceignore.VCSPatterns(domain), ps...))
	}
	return func(p string, fi os.FileInfo) bool {
		if m := fi.Mode(); !(m.IsRegular() || m.IsDir()) {
			return true // the archive holds no symlinks
		}
		return matcher.Match(strings.Split(p, string(filepath.Separator)), fi.IsDir())
	}, nil
}

// copyTree copies a directory tree, keeping symlinks as symlinks; with a filter, as
// source-controller archives it (a filtered directory is not written, its files are
// still visited).
func copyTree(src, dst string, filter func(string, os.FileInfo) bool) error {
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if filter != nil && p != src && filter(p, info) {
			return nil
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case info.Mode()&os.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case info.IsDir():
			return os.MkdirAll(target, 0o755)
		default:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, data, info.Mode().Perm())
		}
	})
}

type envCase struct {
	Text   string            `json:"text"`
	Vars   map[string]string `json:"vars"`
	Strict bool              `json:"strict"`
}

type envResult struct {
	Out string `json:"out"`
	Err string `json:"err,omitempty"`
}

// envsubstCmd evaluates each case with envsubst.Eval and the lookup
// SubstituteVariables uses (strict: only set variables exist).
func envsubstCmd(in io.Reader, out io.Writer) error {
	var cases []envCase
	if err := json.NewDecoder(in).Decode(&cases); err != nil {
		return err
	}
	results := make([]envResult, len(cases))
	for i, c := range cases {
		vars, strict := c.Vars, c.Strict
		s, err := envsubst.Eval(c.Text, func(name string) (string, bool) {
			if strict {
				v, ok := vars[name]
				return v, ok
			}
			return vars[name], true
		})
		results[i].Out = s
		if err != nil {
			results[i].Err = err.Error()
			results[i].Out = ""
		}
	}
	return json.NewEncoder(out).Encode(results)
}
