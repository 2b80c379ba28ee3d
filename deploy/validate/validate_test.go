package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyRepo copies what the validator reads into a temporary folder.
func copyRepo(t *testing.T) string {
	t.Helper()
	source, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	target := t.TempDir()
	paths := []string{"Dockerfile", ".dockerignore", "docker-compose.yml", "deploy/k8s", "deploy/prometheus", "deploy/grafana",
		"packages/core/src/task-types.ts", "test/support/infrastructure.ts"}
	mains, _ := filepath.Glob(filepath.Join(source, "services", "*", "src", "main.ts"))
	for _, main := range mains {
		rel, _ := filepath.Rel(source, main)
		paths = append(paths, rel)
	}
	for _, path := range paths {
		err := filepath.WalkDir(filepath.Join(source, path), func(file string, entry fs.DirEntry, err error) error {
			if err != nil || entry.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(source, file)
			data, err := os.ReadFile(file)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Join(target, filepath.Dir(rel)), 0o755); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(target, rel), data, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return target
}

func TestTheRepositoryPasses(t *testing.T) {
	r := validate(copyRepo(t))
	for _, problem := range r.problems {
		t.Error(problem)
	}
}

// Each case breaks one thing on purpose; the validator must say so.
func TestBrokenFilesFail(t *testing.T) {
	cases := []struct {
		name, file, old, new, want string
	}{
		{"missing readiness probe", "deploy/k8s/base/gateway.yaml",
			"          readinessProbe:\n            httpGet:\n              path: /readyz\n              port: http\n            periodSeconds: 5\n            timeoutSeconds: 5\n            failureThreshold: 2\n", "",
			"Deployment gateway container weft: has no readinessProbe"},
		{"misspelled field", "deploy/k8s/base/gateway.yaml", "readinessProbe:", "readinesProbe:",
			`unknown field "spec.template.spec.containers[0].readinesProbe"`},
		{"probe on an undeclared port", "deploy/k8s/base/gateway.yaml", "path: /healthz\n              port: http\n            periodSeconds: 10",
			"path: /healthz\n              port: 8081\n            periodSeconds: 10", "livenessProbe uses port 8081"},
		{"no resources", "deploy/k8s/base/webhooks.yaml", "            limits:\n              cpu: 500m\n              memory: 256Mi\n", "",
			"has no cpu limit"},
		{"PodDisruptionBudget selecting nothing", "deploy/k8s/base/orchestrator.yaml",
			"  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: weft\n      app.kubernetes.io/component: orchestrator\n",
			"  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: weft\n      app.kubernetes.io/component: orchestrators\n",
			"Deployment orchestrator: no PodDisruptionBudget selects its pods"},
		{"wrong consumer group", "deploy/k8s/components/keda/scaledobjects.yaml",
			"consumerGroup: weft.worker.weft.steps.image_generate", "consumerGroup: weft.workers.image_generate",
			`consumerGroup is "weft.workers.image_generate"`},
		{"unknown ScaledObject field", "deploy/k8s/components/keda/scaledobjects.yaml",
			"  minReplicaCount: 1\n", "  minReplicas: 1\n", `unknown field "minReplicas"`},
		{"unknown kafka trigger parameter", "deploy/k8s/components/keda/scaledobjects.yaml",
			"        lagThreshold: '64'\n", "        lagTreshold: '64'\n", `metadata "lagTreshold" is not a kafka trigger parameter`},
		{"a topic without a trigger", "deploy/k8s/components/keda/scaledobjects.yaml",
			"        topic: weft.steps.emit_webhook\n", "        topic: weft.steps.emit_webhooks\n",
			"has no trigger for weft.steps.emit_webhook"},
		{"more replicas than partitions", "deploy/k8s/components/hpa/hpas.yaml", "maxReplicas: 8", "maxReplicas: 12",
			"maxReplicas 12 is above WEFT_STEP_PARTITIONS (8)"},
		{"two autoscalers on a pool", "deploy/k8s/overlays/keda/kustomization.yaml",
			"  - ../../components/keda\n", "  - ../../components/keda\n  - ../../components/hpa\n", "they would fight over its replicas"},
		{"a worker pool without autoscaler", "deploy/k8s/components/hpa/hpas.yaml", "    name: worker-media\n", "    name: worker-medium\n",
			"not a Deployment of this build"},
		{"a task type no pool serves", "deploy/k8s/base/workers.yaml", "value: image_generate,enrich_image,", "value: enrich_image,",
			`no worker pool serves task type "image_generate"`},
		{"a new task type", "packages/core/src/task-types.ts", "    name: 'core/fail',\n", "    name: 'core/fail',\n  },\n  {\n    name: 'core/sleep',\n",
			`no worker pool serves task type "core/sleep"`},
		{"compose runs a service that does not exist", "docker-compose.yml", "services/webhooks/dist/main.js", "services/hooks/dist/main.js",
			"runs services/hooks, which has no src/main.ts"},
		{"compose pools differ from Kubernetes'", "docker-compose.yml", "STEP_TYPES: core/delay,core/transform,core/fail,store_results,search_similar,emit_webhook",
			"STEP_TYPES: core/delay,core/transform,core/fail,store_results,emit_webhook,search_similar,text_generate", "several global pools"},
		{"compose schema", "docker-compose.yml", "    restart: unless-stopped\n\n  # `--profile grafana`", "    restart: sometimes\n    restrat: no\n\n  # `--profile grafana`",
			"restrat"},
		{"kafka port changed", "docker-compose.yml", "      - '127.0.0.1:9092:9092'", "      - '127.0.0.1:19092:9092'", "service kafka must publish 127.0.0.1:9092:9092"},
		{"Prometheus misses a pool", "deploy/prometheus/prometheus.yml", "worker-core, worker-text, worker-image, worker-media", "worker-core, worker-text, worker-image",
			"does not scrape compose service worker-media"},
		{"dashboard queries an unknown metric", "deploy/grafana/dashboards/weft.json", "weft_outbox_backlog)", "weft_outbox_size)",
			"queries weft_outbox_size, which no Weft service exports"},
		{"alpine image", "Dockerfile", "ARG NODE_IMAGE=node:24-bookworm-slim", "ARG NODE_IMAGE=node:24-alpine", "use a Debian bookworm image"},
		{"root user", "Dockerfile", "USER 1000:1000", "USER node", "use a numeric non-root user"},
		{"a real-looking key in the example", "deploy/k8s/secret.example.yaml", "'<your fal key>'", "'f4a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5'",
			"FAL_KEY looks like a real key"},
		{"a Secret required", "deploy/k8s/base/gateway.yaml", "                name: weft-connections\n                optional: true\n",
			"                name: weft-connections\n", "reads Secret weft-connections without optional: true"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := copyRepo(t)
			path := filepath.Join(root, c.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), c.old) {
				t.Fatalf("%s no longer contains %q: update this case", c.file, c.old)
			}
			if err := os.WriteFile(path, []byte(strings.Replace(string(data), c.old, c.new, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			r := validate(root)
			for _, problem := range r.problems {
				if strings.Contains(problem, c.want) {
					return
				}
			}
			t.Errorf("no problem mentions %q; got:\n  %s", c.want, strings.Join(r.problems, "\n  "))
		})
	}
}

func TestRegionalPoolsMayRepeatGlobalTypes(t *testing.T) {
	repo := &repo{taskTypes: []string{"image_generate", "core/delay"}}
	r := &report{}
	repo.checkPools("pools", []pool{
		{name: "worker-core", types: []string{"core/delay"}},
		{name: "worker-image", types: []string{"image_generate"}},
		{name: "worker-image-eu", types: []string{"image_generate"}, region: "eu"},
	}, r)
	if len(r.problems) > 0 {
		t.Errorf("unexpected: %v", r.problems)
	}
	repo.checkPools("pools", []pool{
		{name: "worker-core", types: []string{"core/delay"}},
		{name: "worker-image-eu", types: []string{"image_generate"}, region: "eu"},
		{name: "worker-all-eu", types: []string{"image_generate"}, region: "eu"},
	}, r)
	want := []string{
		`pools: task type "image_generate" is served by several eu pools (worker-image-eu, worker-all-eu): each type belongs to one pool per region`,
		`pools: no worker pool serves task type "image_generate": its steps would never run`,
	}
	if strings.Join(r.problems, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q", r.problems)
	}
	if got := workerTopics([]string{"fal/text-to-image"}, "eu"); strings.Join(got, " ") != "weft.steps.fal.text-to-image.eu weft.steps.fal.text-to-image" {
		t.Errorf("workerTopics: %v", got)
	}
}
