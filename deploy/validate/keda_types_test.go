//go:build kedatypes

// The hand-written ScaledObject struct (keda.go) against KEDA's own API types: every ScaledObject
// the overlays render must decode strictly into both, to the same JSON. Not part of the normal
// build, since KEDA's API package is slow to compile (see keda.go):
//
//	go test -tags kedatypes ./...
package main

import (
	encjson "encoding/json"
	"os"
	"path/filepath"
	"testing"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

func TestScaledObjectsDecodeWithKedasTypes(t *testing.T) {
	overlays, _ := filepath.Glob(filepath.Join("..", "k8s", "overlays", "*"))
	seen := 0
	for _, dir := range overlays {
		if _, err := os.Stat(filepath.Join(dir, "kustomization.yaml")); err != nil {
			continue
		}
		resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		for _, resource := range resources.Resources() {
			if resource.GetKind() != "ScaledObject" {
				continue
			}
			seen++
			data, err := resource.AsYAML()
			if err != nil {
				t.Fatal(err)
			}
			var theirs kedav1alpha1.ScaledObject
			if err := yaml.UnmarshalStrict(data, &theirs); err != nil {
				t.Errorf("%s %s: KEDA's types refuse it: %v", dir, resource.GetName(), err)
				continue
			}
			var ours scaledObject
			if err := yaml.UnmarshalStrict(data, &ours); err != nil {
				t.Errorf("%s %s: keda.go refuses it: %v", dir, resource.GetName(), err)
				continue
			}
			ja, jb := normalized(t, theirs.Spec), normalized(t, ours.Spec)
			if ja != jb {
				t.Errorf("%s %s: decoded differently\nKEDA:    %s\nkeda.go: %s", dir, resource.GetName(), ja, jb)
			}
		}
	}
	if seen == 0 {
		t.Fatal("no overlay renders a ScaledObject")
	}
	t.Logf("%d ScaledObjects decode alike with KEDA's types and keda.go's", seen)
}

// normalized is value's JSON without empty objects (KEDA's types write `scalingModifiers: {}`
// for a field the manifest does not set).
func normalized(t *testing.T, value any) string {
	data, err := encjson.Marshal(value)
	if err != nil {
		t.Fatal(err)
	}
	var tree any
	if err := encjson.Unmarshal(data, &tree); err != nil {
		t.Fatal(err)
	}
	out, _ := encjson.Marshal(prune(tree))
	return string(out)
}

func prune(value any) any {
	switch v := value.(type) {
	case map[string]any:
		for key, child := range v {
			child = prune(child)
			if m, ok := child.(map[string]any); ok && len(m) == 0 {
				delete(v, key)
			} else {
				v[key] = child
			}
		}
		return v
	case []any:
		for i, child := range v {
			v[i] = prune(child)
		}
		return v
	default:
		return value
	}
}
