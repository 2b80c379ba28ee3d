package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// repo is what the deployment files are checked against: the services that exist and the task
// types the engine declares.
type repo struct {
	root string
	// taskTypes are the names in packages/core/src/task-types.ts, in their order there.
	taskTypes []string
	// services are the folders under services/ with a src/main.ts, by name.
	services map[string]bool
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
