// Command deploy-validate checks Weft's deployment files without a Docker engine, a cluster or
// the network: it checks the Dockerfile, builds every kustomization under deploy/k8s with kustomize's own library,
// decodes each object strictly into its typed struct (an unknown or misspelled field is an
// error), checks what a deployment of Weft needs (probes, resources, a PodDisruptionBudget and one
// autoscaler per worker pool, KEDA triggers on the right topics and consumer groups, each of
// Weft's task types in one of its pools, workers of your own on Kafka only), and checks
// docker-compose.yml, the Prometheus configuration and the Grafana provisioning against the
// services and metrics that exist.
//
//	go run . -root ../..
//	go run . -render ../k8s/overlays/keda   # the manifests an overlay applies
//
// scripts/validate-deploy.sh builds it once per change of its sources and runs it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// report gathers problems, each prefixed by the file or build it was found in.
type report struct {
	problems []string
	notes    []string
}

func (r *report) add(where, format string, args ...any) {
	r.problems = append(r.problems, where+": "+fmt.Sprintf(format, args...))
}

func (r *report) note(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

func main() {
	root := flag.String("root", "", "the repository's top folder (default: found above the current folder)")
	render := flag.String("render", "", "print the output of the kustomization in this folder, as `kubectl kustomize` would, and stop")
	flag.Parse()
	if *render != "" {
		out, err := renderKustomization(*render)
		if err != nil {
			fmt.Fprintln(os.Stderr, "deploy-validate:", err)
			os.Exit(1)
		}
		os.Stdout.Write(out)
		return
	}
	dir, err := repoRoot(*root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "deploy-validate:", err)
		os.Exit(2)
	}
	r := validate(dir)
	for _, note := range r.notes {
		fmt.Println("deploy-validate:", note)
	}
	if len(r.problems) > 0 {
		sort.Strings(r.problems)
		fmt.Fprintf(os.Stderr, "deploy-validate: %d problem(s):\n", len(r.problems))
		for _, problem := range r.problems {
			fmt.Fprintln(os.Stderr, "  -", problem)
		}
		os.Exit(1)
	}
	fmt.Println("deploy-validate: ok")
}

// validate runs every check on the repository at root.
func validate(root string) *report {
	r := &report{}
	repo, err := loadRepo(root)
	if err != nil {
		r.add("repository", "%v", err)
		return r
	}
	validateDockerfile(repo, r)
	pools := validateKubernetes(repo, r)
	validateCompose(repo, pools, r)
	return r
}

// repoRoot is the given folder, or the nearest one above the current folder holding deploy/k8s.
func repoRoot(given string) (string, error) {
	if given != "" {
		abs, err := filepath.Abs(given)
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(filepath.Join(abs, "deploy", "k8s")); err != nil {
			return "", fmt.Errorf("%s has no deploy/k8s", abs)
		}
		return abs, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "deploy", "k8s")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no deploy/k8s above the current folder: pass -root")
		}
		dir = parent
	}
}

// rel is path relative to the repository, for messages.
func (repo *repo) rel(path string) string {
	if out, err := filepath.Rel(repo.root, path); err == nil && !strings.HasPrefix(out, "..") {
		return filepath.ToSlash(out)
	}
	return path
}
