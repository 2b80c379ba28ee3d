package main

import (
	encjson "encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// repo is what the deployment files are checked against: the services that exist, the task
// types the engine declares, and the npm workspaces the image builds.
type repo struct {
	root string
	// taskTypes are Weft's own task types, the names in packages/core/src/task-types.ts, in their
	// order there. Only they are served by Weft's worker service; users' types (namespace/name, on
	// the worker SDK) run in workers of their own, which no file here has to list.
	taskTypes []string
	// services are the folders under services/ with a src/main.ts, by name.
	services map[string]bool
	// workspaceRoots are the folders of package.json's `workspaces` globs (`packages/*` →
	// packages), in their order there.
	workspaceRoots []string
}

// The task type list in packages/core/src/task-types.ts: `const TASK_TYPE_LIST ... = [` then one
// object per type whose `name: '...'` is indented by exactly four spaces.
var (
	taskListStart = regexp.MustCompile(`(?m)^const TASK_TYPE_LIST\b.*= \[$`)
	taskName      = regexp.MustCompile(`(?m)^    name: '([^']+)',$`)
	taskNameShape = regexp.MustCompile(`^[a-z][a-z0-9_]*(/[a-z0-9][a-z0-9._-]*)?$`)
)

func loadRepo(root string) (*repo, error) {
	source := filepath.Join(root, "packages", "core", "src", "task-types.ts")
	text, err := os.ReadFile(source)
	if err != nil {
		return nil, fmt.Errorf("reading the task types: %w", err)
	}
	start := taskListStart.FindIndex(text)
	if start == nil {
		return nil, fmt.Errorf("%s: no `const TASK_TYPE_LIST ... = [`; update deploy/validate/repo.go", source)
	}
	rest := text[start[1]:]
	if end := strings.Index(string(rest), "\n];"); end >= 0 {
		rest = rest[:end]
	}
	r := &repo{root: root, services: map[string]bool{}}
	seen := map[string]bool{}
	for _, match := range taskName.FindAllSubmatch(rest, -1) {
		name := string(match[1])
		if !taskNameShape.MatchString(name) || seen[name] {
			return nil, fmt.Errorf("%s: %q does not look like a task type name; update deploy/validate/repo.go", source, name)
		}
		seen[name] = true
		r.taskTypes = append(r.taskTypes, name)
	}
	if len(r.taskTypes) < 5 {
		return nil, fmt.Errorf("%s: found only %d task types; update deploy/validate/repo.go", source, len(r.taskTypes))
	}
	if r.workspaceRoots, err = readWorkspaceRoots(root); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(filepath.Join(root, "services"))
	if err != nil {
		return nil, err
	}
	for _, entry := range entries {
		if _, err := os.Stat(filepath.Join(root, "services", entry.Name(), "src", "main.ts")); err == nil {
			r.services[entry.Name()] = true
		}
	}
	return r, nil
}

// readWorkspaceRoots reads the folders of package.json's workspaces, each a `<folder>/*` glob.
func readWorkspaceRoots(root string) ([]string, error) {
	source := filepath.Join(root, "package.json")
	data, err := os.ReadFile(source)
	if err != nil {
		return nil, fmt.Errorf("reading the workspaces: %w", err)
	}
	var manifest struct {
		Workspaces []string `json:"workspaces"`
	}
	if err := encjson.Unmarshal(data, &manifest); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	var out []string
	for _, glob := range manifest.Workspaces {
		folder, ok := strings.CutSuffix(glob, "/*")
		if !ok || folder == "" || strings.ContainsAny(folder, "*/") {
			return nil, fmt.Errorf("%s: workspace %q is not `<folder>/*`; update deploy/validate/repo.go", source, glob)
		}
		out = append(out, folder)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no workspaces; update deploy/validate/repo.go", source)
	}
	return out, nil
}

// stepTopic is the topic steps of task go to in the global region (packages/core/src/topics.ts).
func stepTopic(task string) string {
	return "weft.steps." + strings.ReplaceAll(task, "/", ".")
}

// workerTopics are the topics a worker serving tasks in region consumes: a regional worker takes
// its region's topics and the global ones (packages/core/src/topics.ts).
func workerTopics(tasks []string, region string) []string {
	var out []string
	for _, task := range tasks {
		if region != "" && region != "global" {
			out = append(out, stepTopic(task)+"."+region)
		}
		out = append(out, stepTopic(task))
	}
	return out
}

// workerGroup is the consumer group a worker pool consumes topic with
// (packages/core/src/consumer-groups.ts).
func workerGroup(topic string) string {
	return "weft.worker." + topic
}

// serviceOfCommand is the service a `node services/<name>/dist/main.js` command runs, or an error
// saying what is wrong with the command.
func (repo *repo) serviceOfCommand(command []string) (string, error) {
	if len(command) != 2 || command[0] != "node" {
		return "", fmt.Errorf("command %q is not `node services/<name>/dist/main.js`", command)
	}
	return repo.serviceOfPath(command)
}

// runs is what a container's or compose service's command runs: a Weft service by name (`node
// services/<name>/dist/main.js`), or "" for a worker of your own, which is any other program. A
// program of this repository (`node <workspace>/dist/<file>.js`, e.g. examples/custom-worker)
// must be one the build produces; a program of your own image is taken as it is.
func (repo *repo) runs(command []string) (string, error) {
	if len(command) == 0 {
		return "", fmt.Errorf("has no command: name the service or worker it runs (the image's default is the gateway)")
	}
	if len(command) < 2 || command[0] != "node" {
		return "", nil
	}
	first, _, _ := strings.Cut(command[1], "/")
	if first == "services" {
		if len(command) != 2 {
			return "", fmt.Errorf("command %q is not `node services/<name>/dist/main.js`", command)
		}
		return repo.serviceOfPath(command)
	}
	if !slices.Contains(repo.workspaceRoots, first) {
		return "", nil
	}
	parts := strings.Split(command[1], "/")
	if len(parts) < 4 || parts[2] != "dist" || !strings.HasSuffix(command[1], ".js") {
		return "", fmt.Errorf("command %q runs %s, which is not a built file of a workspace (`%s/<name>/dist/<file>.js`)", command, command[1], first)
	}
	source := filepath.Join(append([]string{repo.root, parts[0], parts[1], "src"}, parts[3:]...)...)
	source = strings.TrimSuffix(source, ".js") + ".ts"
	if _, err := os.Stat(source); err != nil {
		return "", fmt.Errorf("command %q runs %s, which the build does not produce: there is no %s", command, command[1], repo.rel(source))
	}
	return "", nil
}

// serviceOfPath checks command[1] is `services/<name>/dist/main.js` of an existing service.
func (repo *repo) serviceOfPath(command []string) (string, error) {
	parts := strings.Split(command[1], "/")
	if len(parts) != 4 || parts[0] != "services" || parts[2] != "dist" || parts[3] != "main.js" {
		return "", fmt.Errorf("command %q is not `node services/<name>/dist/main.js`", command)
	}
	if !repo.services[parts[1]] {
		return "", fmt.Errorf("command %q runs services/%s, which has no src/main.ts", command, parts[1])
	}
	return parts[1], nil
}

// pool is one worker pool as a deployment file declares it.
type pool struct {
	name   string
	types  []string
	region string // REGION; empty is global
}

// checkPools reports task types served by no global pool, or by more than one pool of a region,
// and unknown types. A regional pool (REGION us or eu) may serve types a global pool serves too.
func (repo *repo) checkPools(where string, pools []pool, r *report) {
	known := map[string]bool{}
	for _, task := range repo.taskTypes {
		known[task] = true
	}
	servedBy := map[string][]string{} // region/task → pools
	regions := map[string]bool{"global": true}
	for _, p := range pools {
		region := p.region
		if region == "" {
			region = "global"
		}
		if region != "global" && region != "us" && region != "eu" {
			r.add(where, "pool %s has REGION %q; a region is global, us or eu", p.name, p.region)
		}
		regions[region] = true
		for _, task := range p.types {
			if task == "*" {
				r.add(where, "pool %s serves `*`: name its task types, so that each type has one pool", p.name)
				continue
			}
			if !known[task] {
				r.add(where, "pool %s serves %q, which is not a task type", p.name, task)
			}
			servedBy[region+"/"+task] = append(servedBy[region+"/"+task], p.name)
		}
	}
	for _, region := range sortedKeys(regions) {
		for _, task := range repo.taskTypes {
			pools := servedBy[region+"/"+task]
			if len(pools) == 0 && region == "global" {
				r.add(where, "no worker pool serves task type %q: its steps would never run", task)
			}
			if len(pools) > 1 {
				r.add(where, "task type %q is served by several %s pools (%s): each type belongs to one pool per region", task, region, strings.Join(pools, ", "))
			}
		}
	}
}

// splitTypes reads a STEP_TYPES value.
func splitTypes(value string) []string {
	var out []string
	for _, part := range strings.Split(value, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}

// regions a worker may be started in (REGION), as packages/core's REGIONS.
var regions = []string{"global", "us", "eu"}

// builtinTopics maps every step topic of Weft's own task types, in every region, to its type.
func (repo *repo) builtinTopics() map[string]string {
	out := map[string]string{}
	for _, task := range repo.taskTypes {
		for _, region := range regions {
			topic := stepTopic(task)
			if region != "global" {
				topic += "." + region
			}
			out[topic] = task
		}
	}
	return out
}

// reservedNamespaces are the task type namespaces a worker of your own cannot serve: `weft`
// (packages/worker/README.md) and those of Weft's own types (core, openai, fal).
func (repo *repo) reservedNamespaces() map[string]bool {
	out := map[string]bool{"weft": true}
	for _, task := range repo.taskTypes {
		if namespace, _, ok := strings.Cut(task, "/"); ok {
			out[namespace] = true
		}
	}
	return out
}

// customTopicProblem says what is wrong with topic as one a worker of your own consumes, or "":
// it must be the step topic of a `namespace/name` type (`weft.steps.<namespace>.<name>`, with a
// region suffix for a regional worker) whose namespace is not Weft's.
func (repo *repo) customTopicProblem(topic string) string {
	rest, ok := strings.CutPrefix(topic, "weft.steps.")
	if !ok {
		return fmt.Sprintf("watches %q, which is not a step topic (weft.steps.<namespace>.<name>)", topic)
	}
	if task, ok := repo.builtinTopics()[topic]; ok {
		return fmt.Sprintf("watches %q, the topic of Weft's task type %q, which Weft's worker pools serve: a worker of your own serves types of its own namespace", topic, task)
	}
	namespace, name, ok := strings.Cut(rest, ".")
	if !ok || name == "" {
		return fmt.Sprintf("watches %q, which is not the topic of a namespace/name task type (weft.steps.<namespace>.<name>)", topic)
	}
	if repo.reservedNamespaces()[namespace] {
		return fmt.Sprintf("watches %q: namespace %q is Weft's own, and a worker of your own cannot serve its types", topic, namespace)
	}
	return ""
}
