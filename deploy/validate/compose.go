package main

import (
	"context"
	encjson "encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"sigs.k8s.io/yaml"
)

// The images the integration tests start with testcontainers (test/support/infrastructure.ts);
// docker-compose.yml's kafka and mongo, which `npm run infra:up` starts, must be the same.
var containerImage = regexp.MustCompile(`new GenericContainer\('([^']+)'\)`)

// validateCompose loads docker-compose.yml with the Compose specification's own loader (schema
// validation, interpolation, merges, every profile enabled) and checks its services against the
// repository, the Kubernetes worker pools, Prometheus and Grafana.
func validateCompose(repo *repo, k8sPools []pool, r *report) {
	file := filepath.Join(repo.root, "docker-compose.yml")
	where := "docker-compose.yml"
	details := types.ConfigDetails{
		WorkingDir:  repo.root,
		ConfigFiles: []types.ConfigFile{{Filename: file}},
		// No variables: every ${VAR:-default} takes its default, whatever the machine has set.
		Environment: types.Mapping{},
	}
	project, err := loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName("weft", true)
		o.Profiles = []string{"*"}
	})
	if err != nil {
		r.add(where, "%v", err)
		return
	}

	// The broker and database the local infrastructure and the tests rely on.
	for name, port := range map[string]string{"kafka": "9092", "mongo": "27017"} {
		service, ok := project.Services[name]
		if !ok {
			r.add(where, "service %s is missing: `npm run infra:up` starts kafka and mongo from this file", name)
			continue
		}
		published := false
		for _, p := range service.Ports {
			if p.Published == port && fmt.Sprint(p.Target) == port && p.HostIP == "127.0.0.1" {
				published = true
			}
		}
		if !published {
			r.add(where, "service %s must publish 127.0.0.1:%s:%s: packages/infra connects there", name, port, port)
		}
		if service.HealthCheck == nil {
			r.add(where, "service %s has no healthcheck; the Weft services wait for it to be healthy", name)
		}
	}
	if source, err := os.ReadFile(filepath.Join(repo.root, "test", "support", "infrastructure.ts")); err == nil {
		images := map[string]bool{project.Services["kafka"].Image: true, project.Services["mongo"].Image: true}
		for _, match := range containerImage.FindAllSubmatch(source, -1) {
			if !images[string(match[1])] {
				r.add(where, "the tests' testcontainers start %s, which neither kafka nor mongo here uses: keep them the same", match[1])
			}
		}
	}

	// Weft's own services and workers of your own: built from the repository's Dockerfile, each
	// running a real service or a program the build produces.
	var pools []pool
	custom := 0
	metricsPorts := map[string]uint32{}
	for _, name := range sortedKeys(project.Services) {
		service := project.Services[name]
		if service.Build == nil {
			continue
		}
		sw := where + ": service " + name
		if filepath.Clean(service.Build.Context) != filepath.Clean(repo.root) {
			r.add(sw, "builds from %s, not the repository's top folder", service.Build.Context)
		}
		dockerfile := service.Build.Dockerfile
		if dockerfile == "" {
			dockerfile = "Dockerfile"
		}
		if _, err := os.Stat(filepath.Join(repo.root, dockerfile)); err != nil {
			r.add(sw, "builds with %s, which does not exist", dockerfile)
		}
		command := []string(service.Command)
		svc, err := repo.runs(command)
		if err != nil {
			r.add(sw, "%v", err)
			continue
		}
		// A worker of your own (on @weft/worker) needs Kafka and nothing of the database.
		ownWorker := svc == ""
		dependencies := []string{"kafka", "mongo"}
		if ownWorker {
			custom++
			dependencies = []string{"kafka"}
			if _, ok := service.DependsOn["mongo"]; ok {
				r.add(sw, "waits for mongo: a worker of your own needs Kafka only (give it a depends_on of its own)")
			}
		}
		for _, dependency := range dependencies {
			if dep, ok := service.DependsOn[dependency]; !ok || dep.Condition != types.ServiceConditionHealthy {
				r.add(sw, "does not wait for %s to be healthy (depends_on with condition service_healthy)", dependency)
			}
		}
		if service.HealthCheck == nil || len(service.HealthCheck.Test) == 0 {
			r.add(sw, "has no healthcheck")
		}
		env := func(key string) string {
			if value, ok := service.Environment[key]; ok && value != nil {
				return *value
			}
			return ""
		}
		required := []string{"KAFKA_BROKERS", "MONGODB_URI"}
		if ownWorker {
			required = []string{"KAFKA_BROKERS", "HEALTH_PORT"}
			if _, ok := service.Environment["MONGODB_URI"]; ok {
				r.add(sw, "gets MONGODB_URI: a worker of your own needs Kafka only; give it the Kafka variables alone (x-kafka-environment), not x-weft-environment")
			}
			if _, ok := service.Environment["STEP_TYPES"]; ok {
				r.add(sw, "sets STEP_TYPES, which only Weft's worker service reads: a worker of your own serves the task types its code gives createWorker")
			}
		}
		for _, name := range required {
			if env(name) == "" {
				r.add(sw, "does not set %s", name)
			}
		}
		if env("KAFKA_BROKERS") != "" && env("KAFKA_BROKERS") != "kafka:29092" {
			r.add(sw, "KAFKA_BROKERS is %q; inside compose the broker is kafka:29092 (its INTERNAL listener)", env("KAFKA_BROKERS"))
		}
		port := uint32(9090)
		key := "HEALTH_PORT"
		if svc == "gateway" {
			port, key = 8080, "PORT"
		}
		if value := env(key); value != "" {
			fmt.Sscan(value, &port)
		}
		metricsPorts[name] = port
		if svc == "worker" {
			types := splitTypes(env("STEP_TYPES"))
			if len(types) == 0 {
				r.add(sw, "runs the worker without STEP_TYPES: each pool names the task types it serves")
			}
			pools = append(pools, pool{name: name, types: types, region: env("REGION")})
		}
		if svc == "worker" || ownWorker {
			for _, p := range service.Ports {
				if p.Published != "" {
					r.add(sw, "publishes host port %s: a pool with a fixed host port cannot be scaled with --scale", p.Published)
				}
			}
		}
	}
	repo.checkPools(where, pools, r)
	comparePools(where, pools, k8sPools, r)
	validatePrometheus(repo, project, metricsPorts, r)
	validateGrafana(repo, project, r)
	r.note("%s: %d services (%d built from the Dockerfile, %d of Weft's worker pools, %d worker(s) of your own)", where, len(project.Services), len(metricsPorts), len(pools), custom)
}

// comparePools checks compose and Kubernetes declare the same pools of Weft's, serving the same
// types. Workers of your own are not compared: the base has none (components/custom-worker is
// added by an overlay).
func comparePools(where string, compose, k8s []pool, r *report) {
	if len(k8s) == 0 {
		return
	}
	index := func(pools []pool) map[string][]string {
		out := map[string][]string{}
		for _, p := range pools {
			types := slices.Clone(p.types)
			slices.Sort(types)
			out[p.name] = append(types, "region="+p.region)
		}
		return out
	}
	c, k := index(compose), index(k8s)
	for _, name := range sortedKeys(c) {
		if types, ok := k[name]; !ok {
			r.add(where, "worker pool %s is not a Deployment in deploy/k8s/base", name)
		} else if !slices.Equal(types, c[name]) {
			r.add(where, "worker pool %s serves %s here and %s in deploy/k8s/base", name, strings.Join(c[name], ","), strings.Join(types, ","))
		}
	}
	for _, name := range sortedKeys(k) {
		if _, ok := c[name]; !ok {
			r.add(where, "deploy/k8s/base has worker pool %s, which is not a service here", name)
		}
	}
}

// prometheusConfig declares the parts of Prometheus' configuration file this repository uses;
// it is decoded strictly, so another field must be added here first.
type prometheusConfig struct {
	Global struct {
		ScrapeInterval     string `json:"scrape_interval,omitempty"`
		ScrapeTimeout      string `json:"scrape_timeout,omitempty"`
		EvaluationInterval string `json:"evaluation_interval,omitempty"`
	} `json:"global"`
	ScrapeConfigs []struct {
		JobName       string `json:"job_name"`
		MetricsPath   string `json:"metrics_path,omitempty"`
		StaticConfigs []struct {
			Targets []string          `json:"targets"`
			Labels  map[string]string `json:"labels,omitempty"`
		} `json:"static_configs,omitempty"`
		DNSSDConfigs []struct {
			Names           []string `json:"names"`
			Type            string   `json:"type,omitempty"`
			Port            uint32   `json:"port,omitempty"`
			RefreshInterval string   `json:"refresh_interval,omitempty"`
		} `json:"dns_sd_configs,omitempty"`
		RelabelConfigs []struct {
			SourceLabels []string `json:"source_labels,omitempty"`
			TargetLabel  string   `json:"target_label,omitempty"`
			Regex        string   `json:"regex,omitempty"`
			Replacement  string   `json:"replacement,omitempty"`
			Action       string   `json:"action,omitempty"`
		} `json:"relabel_configs,omitempty"`
	} `json:"scrape_configs"`
}

// validatePrometheus checks compose's Prometheus mounts deploy/prometheus/prometheus.yml and that
// it scrapes every Weft service on its metrics port.
func validatePrometheus(repo *repo, project *types.Project, metricsPorts map[string]uint32, r *report) {
	file := filepath.Join(repo.root, "deploy", "prometheus", "prometheus.yml")
	where := repo.rel(file)
	service, ok := project.Services["prometheus"]
	if !ok {
		r.add("docker-compose.yml", "has no prometheus service")
	} else if !mounts(service, file, "/etc/prometheus/prometheus.yml") {
		r.add("docker-compose.yml", "service prometheus does not mount %s at /etc/prometheus/prometheus.yml", where)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		r.add(where, "%v", err)
		return
	}
	var config prometheusConfig
	if err := yaml.UnmarshalStrict(data, &config); err != nil {
		r.add(where, "%v", err)
		return
	}
	scraped := map[string]uint32{}
	jobs := map[string]bool{}
	for _, job := range config.ScrapeConfigs {
		if jobs[job.JobName] {
			r.add(where, "job %s is declared twice", job.JobName)
		}
		jobs[job.JobName] = true
		if job.MetricsPath != "" && job.MetricsPath != "/metrics" {
			r.add(where, "job %s scrapes %s; Weft serves /metrics", job.JobName, job.MetricsPath)
		}
		for _, sd := range job.DNSSDConfigs {
			if sd.Type != "A" {
				r.add(where, "job %s: dns_sd_configs type %q; compose's DNS answers A records", job.JobName, sd.Type)
			}
			for _, name := range sd.Names {
				scraped[name] = sd.Port
			}
		}
	}
	for _, name := range sortedKeys(metricsPorts) {
		port, ok := scraped[name]
		switch {
		case !ok:
			r.add(where, "does not scrape compose service %s", name)
		case port != metricsPorts[name]:
			r.add(where, "scrapes %s on port %d; it serves /metrics on %d", name, port, metricsPorts[name])
		}
	}
	for _, name := range sortedKeys(scraped) {
		if _, ok := project.Services[name]; !ok {
			r.add(where, "scrapes %s, which is not a compose service", name)
		}
	}
}

// mounts is true when service bind-mounts the file or folder source at target.
func mounts(service types.ServiceConfig, source, target string) bool {
	for _, volume := range service.Volumes {
		if volume.Type == types.VolumeTypeBind && filepath.Clean(volume.Source) == filepath.Clean(source) && volume.Target == target {
			return true
		}
	}
	return false
}

// The metrics the services export (packages/observability/src/metrics.ts): the dashboard uses
// each, and no other weft_ metric.
var weftMetrics = []string{
	"weft_runs_started_total", "weft_runs_finished_total", "weft_step_attempts_total",
	"weft_step_failures_total", "weft_step_duration_seconds", "weft_step_queue_seconds",
	"weft_consumer_lag", "weft_outbox_backlog", "weft_worker_in_flight",
	"weft_webhook_deliveries_total", "weft_webhook_delivery_seconds", "weft_http_requests_total",
	"weft_http_request_duration_seconds",
}

var (
	metricName     = regexp.MustCompile(`\bweft_[a-z0-9_]+`)
	histogramParts = regexp.MustCompile(`_(bucket|sum|count)$`)
)

type grafanaProvisioning struct {
	APIVersion  int `json:"apiVersion"`
	Datasources []struct {
		Name      string         `json:"name"`
		UID       string         `json:"uid"`
		Type      string         `json:"type"`
		Access    string         `json:"access,omitempty"`
		URL       string         `json:"url"`
		IsDefault bool           `json:"isDefault,omitempty"`
		Editable  bool           `json:"editable,omitempty"`
		JSONData  map[string]any `json:"jsonData,omitempty"`
	} `json:"datasources,omitempty"`
	Providers []struct {
		Name                  string `json:"name"`
		Folder                string `json:"folder,omitempty"`
		Type                  string `json:"type"`
		DisableDeletion       bool   `json:"disableDeletion,omitempty"`
		AllowUIUpdates        bool   `json:"allowUiUpdates,omitempty"`
		UpdateIntervalSeconds int    `json:"updateIntervalSeconds,omitempty"`
		Options               struct {
			Path                      string `json:"path"`
			FoldersFromFilesStructure bool   `json:"foldersFromFilesStructure,omitempty"`
		} `json:"options"`
	} `json:"providers,omitempty"`
}

type dashboardPanel struct {
	Type       string           `json:"type"`
	Title      string           `json:"title"`
	Datasource *dashboardRef    `json:"datasource"`
	Targets    []dashboardQuery `json:"targets"`
	Panels     []dashboardPanel `json:"panels"`
}

type dashboardRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type dashboardQuery struct {
	Expr string `json:"expr"`
}

// validateGrafana checks the grafana profile's provisioning and the dashboard's queries.
func validateGrafana(repo *repo, project *types.Project, r *report) {
	grafanaDir := filepath.Join(repo.root, "deploy", "grafana")
	service, ok := project.Services["grafana"]
	if !ok {
		r.add("docker-compose.yml", "has no grafana service (profile grafana)")
		return
	}
	if !slices.Contains(service.Profiles, "grafana") {
		r.add("docker-compose.yml", "service grafana is not in the grafana profile")
	}
	if !mounts(service, filepath.Join(grafanaDir, "provisioning"), "/etc/grafana/provisioning") {
		r.add("docker-compose.yml", "service grafana does not mount deploy/grafana/provisioning at /etc/grafana/provisioning")
	}
	datasourceUIDs := map[string]bool{}
	files, _ := filepath.Glob(filepath.Join(grafanaDir, "provisioning", "*", "*.yml"))
	dashboardPaths := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			r.add(repo.rel(file), "%v", err)
			continue
		}
		var p grafanaProvisioning
		if err := yaml.UnmarshalStrict(data, &p); err != nil {
			r.add(repo.rel(file), "%v", err)
			continue
		}
		for _, ds := range p.Datasources {
			datasourceUIDs[ds.UID] = true
			if ds.Type == "prometheus" && ds.URL != "http://prometheus:9090" {
				r.add(repo.rel(file), "datasource %s points at %s, not compose's http://prometheus:9090", ds.Name, ds.URL)
			}
		}
		for _, provider := range p.Providers {
			if !mounts(service, filepath.Join(grafanaDir, "dashboards"), provider.Options.Path) {
				r.add(repo.rel(file), "provider %s loads %s, where service grafana does not mount deploy/grafana/dashboards", provider.Name, provider.Options.Path)
			}
			dashboardPaths++
		}
	}
	if len(datasourceUIDs) == 0 || dashboardPaths == 0 {
		r.add("deploy/grafana/provisioning", "needs a datasource and a dashboard provider")
	}
	dashboards, _ := filepath.Glob(filepath.Join(grafanaDir, "dashboards", "*.json"))
	used := map[string]bool{}
	for _, file := range dashboards {
		where := repo.rel(file)
		data, err := os.ReadFile(file)
		if err != nil {
			r.add(where, "%v", err)
			continue
		}
		var dashboard struct {
			UID        string           `json:"uid"`
			Title      string           `json:"title"`
			Panels     []dashboardPanel `json:"panels"`
			Templating struct {
				List []struct {
					Name    string `json:"name"`
					Type    string `json:"type"`
					Current struct {
						Value any `json:"value"`
					} `json:"current"`
				} `json:"list"`
			} `json:"templating"`
		}
		if err := encjson.Unmarshal(data, &dashboard); err != nil {
			r.add(where, "not valid JSON: %v", err)
			continue
		}
		if dashboard.UID == "" || dashboard.Title == "" {
			r.add(where, "has no uid or title")
		}
		variables := map[string]bool{}
		for _, v := range dashboard.Templating.List {
			variables[v.Name] = true
			if v.Type == "datasource" {
				if uid, _ := v.Current.Value.(string); !datasourceUIDs[uid] {
					r.add(where, "variable %s defaults to datasource %q, which is not provisioned", v.Name, uid)
				}
			}
		}
		var walk func([]dashboardPanel)
		queries := 0
		walk = func(panels []dashboardPanel) {
			for _, panel := range panels {
				walk(panel.Panels)
				if panel.Type == "row" {
					continue
				}
				if len(panel.Targets) == 0 {
					r.add(where, "panel %q has no query", panel.Title)
				}
				if panel.Datasource != nil && strings.HasPrefix(panel.Datasource.UID, "$") && !variables[strings.Trim(panel.Datasource.UID, "${}")] {
					r.add(where, "panel %q uses datasource %s, which is not a variable", panel.Title, panel.Datasource.UID)
				}
				for _, target := range panel.Targets {
					queries++
					if strings.Count(target.Expr, "(") != strings.Count(target.Expr, ")") {
						r.add(where, "panel %q: unbalanced parentheses in %s", panel.Title, target.Expr)
					}
					for _, name := range metricName.FindAllString(target.Expr, -1) {
						base := name
						if !slices.Contains(weftMetrics, base) {
							base = histogramParts.ReplaceAllString(name, "")
						}
						if !slices.Contains(weftMetrics, base) {
							r.add(where, "panel %q queries %s, which no Weft service exports", panel.Title, name)
						}
						used[base] = true
					}
				}
			}
		}
		walk(dashboard.Panels)
		r.note("%s: %d queries", where, queries)
	}
	if len(dashboards) == 0 {
		r.add("deploy/grafana/dashboards", "has no dashboard")
	}
	for _, metric := range weftMetrics {
		if !used[metric] {
			r.add("deploy/grafana/dashboards", "no panel shows %s", metric)
		}
	}
}
