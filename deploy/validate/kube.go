package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// object is one decoded Kubernetes object: a typed struct from client-go's scheme (every
// built-in kind), or a *scaledObject.
type object struct {
	kind      string
	name      string
	namespace string
	value     any
}

// strictCodec decodes YAML into the typed struct of its apiVersion and kind, and fails on
// fields the struct does not have and on duplicate fields.
var strictCodec = json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme.Scheme, scheme.Scheme,
	json.SerializerOptions{Yaml: true, Strict: true})

// decodeObject decodes one object strictly.
func decodeObject(data []byte) (*object, error) {
	var meta metav1.TypeMeta
	if err := yaml.Unmarshal(data, &meta); err != nil {
		return nil, err
	}
	if meta.APIVersion == "keda.sh/v1alpha1" && meta.Kind == "ScaledObject" {
		var so scaledObject
		if err := yaml.UnmarshalStrict(data, &so); err != nil {
			return nil, fmt.Errorf("ScaledObject: %w", err)
		}
		return &object{kind: meta.Kind, name: so.Metadata.Name, namespace: so.Metadata.Namespace, value: &so}, nil
	}
	decoded, gvk, err := strictCodec.Decode(data, nil, nil)
	if err != nil {
		if runtime.IsNotRegisteredError(err) {
			return nil, fmt.Errorf("%s %s is not a kind this validator knows: add its types to deploy/validate/kube.go", meta.APIVersion, meta.Kind)
		}
		return nil, fmt.Errorf("%s %s: %w", meta.APIVersion, meta.Kind, err)
	}
	accessor, ok := decoded.(metav1.Object)
	if !ok {
		return nil, fmt.Errorf("%s has no metadata", gvk)
	}
	return &object{kind: gvk.Kind, name: accessor.GetName(), namespace: accessor.GetNamespace(), value: decoded}, nil
}

// build is the output of one kustomization, decoded.
type build struct {
	dir     string // relative to the repository
	overlay bool   // an overlay must give every worker pool an autoscaler; the base has none
	objects []*object
}

// buildKustomization runs kustomize on dir, as `kubectl kustomize dir` would, and decodes each
// resulting object strictly.
func buildKustomization(repo *repo, dir string, r *report) *build {
	b := &build{dir: repo.rel(dir)}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		r.add(b.dir, "kustomize build failed: %v", err)
		return b
	}
	for _, resource := range resources.Resources() {
		data, err := resource.AsYAML()
		if err != nil {
			r.add(b.dir, "%s: %v", resource.CurId(), err)
			continue
		}
		decoded, err := decodeObject(data)
		if err != nil {
			r.add(b.dir, "%s %s: %v", resource.GetKind(), resource.GetName(), err)
			continue
		}
		b.objects = append(b.objects, decoded)
	}
	return b
}

// renderKustomization is the YAML of a kustomization's output.
func renderKustomization(dir string) ([]byte, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, err
	}
	return resources.AsYaml()
}

// decodeFile decodes every document of a plain manifest file strictly.
func decodeFile(path string) ([]*object, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var out []*object
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		decoded, err := decodeObject(doc)
		if err != nil {
			return nil, err
		}
		out = append(out, decoded)
	}
}

func stripComments(doc []byte) []byte {
	var out bytes.Buffer
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if trimmed := bytes.TrimSpace(line); len(trimmed) > 0 && trimmed[0] != '#' {
			out.Write(line)
			out.WriteByte('\n')
		}
	}
	return out.Bytes()
}

// validateKubernetes builds deploy/k8s/base and every overlay, checks them, and returns Weft's own
// worker pools of the base (for the comparison with docker-compose.yml).
func validateKubernetes(repo *repo, r *report) []pool {
	k8s := filepath.Join(repo.root, "deploy", "k8s")
	base := buildKustomization(repo, filepath.Join(k8s, "base"), r)
	checkBuild(repo, base, r)
	overlays, _ := filepath.Glob(filepath.Join(k8s, "overlays", "*", "kustomization.yaml"))
	if len(overlays) == 0 {
		r.add("deploy/k8s/overlays", "no overlay: the base has no autoscaler, so at least one overlay must add them")
	}
	for _, file := range overlays {
		b := buildKustomization(repo, filepath.Dir(file), r)
		b.overlay = true
		checkBuild(repo, b, r)
	}
	checkSecretExample(repo, filepath.Join(k8s, "secret.example.yaml"), base, r)
	return builtinPools(base)
}

// checkSecretExample decodes the example Secret and checks it names the Secrets the Deployments
// read, with placeholders only.
func checkSecretExample(repo *repo, path string, base *build, r *report) {
	where := repo.rel(path)
	objects, err := decodeFile(path)
	if err != nil {
		r.add(where, "%v", err)
		return
	}
	referenced := map[string]bool{}
	for _, d := range deployments(base) {
		for _, c := range d.Spec.Template.Spec.Containers {
			for _, from := range c.EnvFrom {
				if from.SecretRef != nil {
					referenced[from.SecretRef.Name] = true
				}
			}
		}
	}
	for _, o := range objects {
		secret, ok := o.value.(*corev1.Secret)
		if !ok {
			r.add(where, "%s %s: only Secrets belong in the example", o.kind, o.name)
			continue
		}
		if !referenced[secret.Name] {
			r.add(where, "Secret %s is read by no Deployment", secret.Name)
		}
		delete(referenced, secret.Name)
		for key, value := range secret.StringData {
			if looksLikeRealKey(value) {
				r.add(where, "Secret %s: %s looks like a real key; the example holds placeholders only", secret.Name, key)
			}
		}
		if len(secret.Data) > 0 {
			r.add(where, "Secret %s: use stringData with readable placeholders, not data", secret.Name)
		}
	}
	for _, name := range sortedKeys(referenced) {
		r.add(where, "the Deployments read Secret %s, which the example does not show", name)
	}
	r.note("%s: %d Secrets, placeholders only", where, len(objects))
}

// looksLikeRealKey is true for long values without placeholder markers.
func looksLikeRealKey(value string) bool {
	if bytes.ContainsAny([]byte(value), "<>") || value == "" {
		return false
	}
	return len(value) >= 20 && !bytes.ContainsAny([]byte(value), " /:")
}
