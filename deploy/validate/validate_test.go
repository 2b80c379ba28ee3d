package main

import (
	"fmt"
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
	paths := []string{"Dockerfile", ".dockerignore", "docker-compose.yml", "package.json", "deploy/k8s", "deploy/prometheus", "deploy/grafana",
		"packages/core/src/task-types.ts", "test/support/infrastructure.ts"}
	// The services' entry points, and the examples' sources (what a worker of your own runs).
	for _, glob := range []string{"services/*/src/main.ts", "examples/*/package.json", "examples/*/src"} {
		matches, _ := filepath.Glob(filepath.Join(source, glob))
		for _, match := range matches {
			rel, _ := filepath.Rel(source, match)
			paths = append(paths, rel)
		}
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

		// Workers of your own: accepted (TestTheRepositoryPasses, TestCustomPoolsAreAccepted), but
		// held to what a pool needs and to Kafka only.
		{"a custom pool's trigger on another topic's group", "deploy/k8s/components/custom-worker/scaledobject.yaml",
			"consumerGroup: weft.worker.weft.steps.acme.word-count", "consumerGroup: weft.worker.weft.steps.acme.slow-echo",
			`ScaledObject worker-acme trigger 0: consumerGroup is "weft.worker.weft.steps.acme.slow-echo"; the pool consumes "weft.steps.acme.word-count" with group "weft.worker.weft.steps.acme.word-count"`},
		{"a custom pool's trigger on a group of no step topic", "deploy/k8s/components/custom-worker/scaledobject.yaml",
			"consumerGroup: weft.worker.weft.steps.acme.slow-echo", "consumerGroup: acme-workers",
			`consumerGroup is "acme-workers"; the pool consumes "weft.steps.acme.slow-echo"`},
		{"a custom pool on a topic that is no step topic", "deploy/k8s/components/custom-worker/scaledobject.yaml",
			"topic: weft.steps.acme.word-count\n", "topic: acme.word-count\n", `watches "acme.word-count", which is not a step topic`},
		{"a custom pool on the topic of a built-in type", "deploy/k8s/components/custom-worker/scaledobject.yaml",
			"topic: weft.steps.acme.word-count\n        consumerGroup: weft.worker.weft.steps.acme.word-count\n",
			"topic: weft.steps.image_generate\n        consumerGroup: weft.worker.weft.steps.image_generate\n",
			`watches "weft.steps.image_generate", the topic of Weft's task type "image_generate"`},
		{"a custom pool in a namespace of Weft's", "deploy/k8s/components/custom-worker/scaledobject.yaml",
			"topic: weft.steps.acme.word-count\n        consumerGroup: weft.worker.weft.steps.acme.word-count\n",
			"topic: weft.steps.fal.word-count\n        consumerGroup: weft.worker.weft.steps.fal.word-count\n",
			`namespace "fal" is Weft's own`},
		{"a custom pool watching one topic twice", "deploy/k8s/components/custom-worker/scaledobject.yaml",
			"topic: weft.steps.acme.slow-echo\n        consumerGroup: weft.worker.weft.steps.acme.slow-echo\n",
			"topic: weft.steps.acme.word-count\n        consumerGroup: weft.worker.weft.steps.acme.word-count\n",
			`watches topic "weft.steps.acme.word-count" twice`},
		{"a regional custom pool without its region's topics", "deploy/k8s/components/custom-worker/worker.yaml",
			"            - name: HEALTH_PORT\n", "            - name: REGION\n              value: eu\n            - name: HEALTH_PORT\n",
			"has no trigger for weft.steps.acme.word-count.eu, which worker-acme consumes"},
		{"a custom pool without an autoscaler", "deploy/k8s/components/custom-worker/kustomization.yaml",
			"  - scaledobject.yaml\n", "", "worker Deployment worker-acme has neither a ScaledObject nor a HorizontalPodAutoscaler"},
		{"a custom pool above the partitions", "deploy/k8s/components/custom-worker/scaledobject.yaml",
			"  maxReplicaCount: 8\n", "  maxReplicaCount: 20\n", "ScaledObject worker-acme: maxReplicaCount 20 is above WEFT_STEP_PARTITIONS (8)"},
		{"a custom pool given the database's Secret", "deploy/k8s/components/custom-worker/worker.yaml",
			"          startupProbe:\n", "          envFrom:\n            - secretRef:\n                name: weft-connections\n                optional: true\n          startupProbe:\n",
			"Deployment worker-acme container weft: reads Secret weft-connections, which holds the database's credentials"},
		{"a custom pool given MONGODB_URI", "deploy/k8s/components/custom-worker/worker.yaml",
			"          startupProbe:\n", "          envFrom:\n            - configMapRef:\n                name: weft-config\n          startupProbe:\n",
			"Deployment worker-acme container weft: gets MONGODB_URI"},
		{"a custom pool reading a key weft-config lacks", "deploy/k8s/components/custom-worker/worker.yaml",
			"                  key: WEFT_RESULT_PARTITIONS\n", "                  key: WEFT_RESULT_PARTITION\n",
			"takes WEFT_RESULT_PARTITIONS from key WEFT_RESULT_PARTITION of ConfigMap weft-config, which this build does not have"},
		{"a custom pool without HEALTH_PORT", "deploy/k8s/components/custom-worker/worker.yaml",
			"            - name: HEALTH_PORT\n              value: '9090'\n", "", "Deployment worker-acme container weft: does not set HEALTH_PORT"},
		{"a custom pool running a file the build does not produce", "deploy/k8s/components/custom-worker/worker.yaml",
			"examples/custom-worker/dist/worker.js", "examples/custom-worker/dist/wroker.js",
			"runs examples/custom-worker/dist/wroker.js, which the build does not produce: there is no examples/custom-worker/src/wroker.ts"},
		{"a custom worker in compose on the shared environment", "docker-compose.yml",
			"      <<: *kafka-environment\n      WORKER_CONCURRENCY: 16\n", "      <<: *weft-environment\n      WORKER_CONCURRENCY: 16\n",
			"service worker-acme: gets MONGODB_URI"},
		{"a custom worker in compose waiting for the database", "docker-compose.yml",
			"    # Kafka only: no database to wait for.\n    depends_on:\n      kafka:\n        condition: service_healthy\n", "",
			"service worker-acme: waits for mongo"},
		{"a custom worker in compose with STEP_TYPES", "docker-compose.yml",
			"      WORKER_CONCURRENCY: 16\n    healthcheck: *health-9090\n\n  # Scrapes", "      WORKER_CONCURRENCY: 16\n      STEP_TYPES: acme/word-count\n    healthcheck: *health-9090\n\n  # Scrapes",
			"service worker-acme: sets STEP_TYPES"},
		{"Prometheus misses the custom worker", "deploy/prometheus/prometheus.yml", ", worker-acme]", "]",
			"does not scrape compose service worker-acme"},
		{"the image without the examples", "Dockerfile", "COPY --from=build /src/examples ./examples\n", "",
			"the runtime stage does not copy examples"},
		{"npm ci without the examples' manifests", "Dockerfile", " examples/*/package.json; do", "; do",
			"no stage gathers examples/*/package.json before npm ci"},
		// Weft's own types still each need a pool of Weft's: a worker of your own does not count.
		{"a built-in type served by no pool, beside a custom pool", "docker-compose.yml",
			"STEP_TYPES: image_generate,enrich_image,", "STEP_TYPES: enrich_image,",
			`docker-compose.yml: no worker pool serves task type "image_generate"`},
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

// A worker of your own is a pool like Weft's, whatever its command, as long as its triggers are
// on its own step topics: here the example overlay as it stands, then the same worker made
// regional with its region's topics beside the global ones.
func TestCustomPoolsAreAccepted(t *testing.T) {
	root := copyRepo(t)
	r := validate(root)
	for _, problem := range r.problems {
		t.Error(problem)
	}
	if !strings.Contains(strings.Join(r.notes, "\n"), "deploy/k8s/overlays/custom-worker: 31 objects (8 Deployments, 8 PodDisruptionBudgets, 5 ScaledObjects") {
		t.Errorf("overlays/custom-worker does not build the worker-acme pool beside Weft's: %v", r.notes)
	}

	edit := func(file, old, new string) {
		t.Helper()
		path := filepath.Join(root, file)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), old) {
			t.Fatalf("%s no longer contains %q: update this test", file, old)
		}
		if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edit("deploy/k8s/components/custom-worker/worker.yaml", "            - name: HEALTH_PORT\n",
		"            - name: REGION\n              value: eu\n            - name: HEALTH_PORT\n")
	const trigger = `    - type: kafka
      metadata:
        bootstrapServersFromEnv: KAFKA_BROKERS
        topic: weft.steps.acme.%[1]s.eu
        consumerGroup: weft.worker.weft.steps.acme.%[1]s.eu
        lagThreshold: '16'
`
	scaled := filepath.Join(root, "deploy/k8s/components/custom-worker/scaledobject.yaml")
	data, err := os.ReadFile(scaled)
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, []byte(fmt.Sprintf(trigger, "word-count")+fmt.Sprintf(trigger, "slow-echo"))...)
	if err := os.WriteFile(scaled, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, problem := range validate(root).problems {
		t.Errorf("regional custom pool: %s", problem)
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

// Two workers of your own on one topic would share its group, each taking the other's steps.
func TestTwoCustomPoolsOnOneTopicFail(t *testing.T) {
	root := copyRepo(t)
	component := filepath.Join(root, "deploy/k8s/components")
	entries, err := os.ReadDir(filepath.Join(component, "custom-worker"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(component, "custom-worker-copy"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, entry := range entries {
		data, err := os.ReadFile(filepath.Join(component, "custom-worker", entry.Name()))
		if err != nil {
			t.Fatal(err)
		}
		renamed := strings.ReplaceAll(string(data), "worker-acme", "worker-acme-copy")
		if err := os.WriteFile(filepath.Join(component, "custom-worker-copy", entry.Name()), []byte(renamed), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	overlay := filepath.Join(root, "deploy/k8s/overlays/custom-worker/kustomization.yaml")
	data, err := os.ReadFile(overlay)
	if err != nil {
		t.Fatal(err)
	}
	data = []byte(strings.Replace(string(data), "  - ../../components/custom-worker\n",
		"  - ../../components/custom-worker\n  - ../../components/custom-worker-copy\n", 1))
	if err := os.WriteFile(overlay, data, 0o644); err != nil {
		t.Fatal(err)
	}
	want := `deploy/k8s/overlays/custom-worker: topic "weft.steps.acme.word-count" is consumed by several global pools (worker-acme, worker-acme-copy)`
	problems := validate(root).problems
	for _, problem := range problems {
		if strings.HasPrefix(problem, want) {
			return
		}
	}
	t.Errorf("no problem is %q; got:\n  %s", want, strings.Join(problems, "\n  "))
}
