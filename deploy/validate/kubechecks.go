package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func typed[T any](b *build) []T {
	var out []T
	for _, o := range b.objects {
		if value, ok := o.value.(T); ok {
			out = append(out, value)
		}
	}
	return out
}

func deployments(b *build) []*appsv1.Deployment { return typed[*appsv1.Deployment](b) }

// workerCommand is the command of Weft's own worker pools.
var workerCommand = []string{"node", "services/worker/dist/main.js"}

// isBuiltinPool is true for a Deployment that runs Weft's worker service (services/worker): a pool
// of Weft's own task types, named by its STEP_TYPES.
func isBuiltinPool(d *appsv1.Deployment) bool {
	containers := d.Spec.Template.Spec.Containers
	return len(containers) == 1 && slices.Equal(containers[0].Command, workerCommand)
}

// isCustomPool is true for a Deployment that runs a worker of your own (on the worker SDK): any
// program that is not one of Weft's services. What it serves is in its code; its ScaledObject's
// triggers are what the deployment files say of it.
func isCustomPool(repo *repo, d *appsv1.Deployment) bool {
	containers := d.Spec.Template.Spec.Containers
	if len(containers) != 1 {
		return false
	}
	service, err := repo.runs(containers[0].Command)
	return err == nil && service == ""
}

// isPool is true for a worker pool of either kind: it consumes step topics and is autoscaled.
func isPool(repo *repo, d *appsv1.Deployment) bool {
	return isBuiltinPool(d) || isCustomPool(repo, d)
}

// stepTypesOf is a worker Deployment's STEP_TYPES, from its container's env.
func stepTypesOf(d *appsv1.Deployment) ([]string, bool) {
	for _, env := range d.Spec.Template.Spec.Containers[0].Env {
		if env.Name == "STEP_TYPES" && env.ValueFrom == nil {
			return splitTypes(env.Value), true
		}
	}
	return nil, false
}

// builtinPools are the Deployments of a build running Weft's worker service, with their
// STEP_TYPES.
func builtinPools(b *build) []pool {
	var out []pool
	for _, d := range deployments(b) {
		if !isBuiltinPool(d) {
			continue
		}
		types, _ := stepTypesOf(d)
		region, _ := envValue(b, d.Spec.Template.Spec.Containers[0], "REGION")
		out = append(out, pool{name: d.Name, types: types, region: region})
	}
	return out
}

// configValue is a key of a ConfigMap in the build.
func configValue(b *build, configMap, key string) (string, bool) {
	for _, cm := range typed[*corev1.ConfigMap](b) {
		if cm.Name == configMap {
			value, ok := cm.Data[key]
			return value, ok
		}
	}
	return "", false
}

// envValue is a variable of a container as Kubernetes resolves it from env (a value, or a key of
// a ConfigMap of the build) and envFrom ConfigMaps of the build (Secrets are not in the build, so
// not resolved here).
func envValue(b *build, c corev1.Container, name string) (string, bool) {
	for _, env := range c.Env {
		if env.Name != name {
			continue
		}
		if env.ValueFrom == nil {
			return env.Value, true
		}
		if ref := env.ValueFrom.ConfigMapKeyRef; ref != nil {
			// An optional key that is missing leaves the variable to envFrom.
			if value, ok := configValue(b, ref.Name, ref.Key); ok {
				return value, true
			}
		}
	}
	value, found := "", false
	for _, from := range c.EnvFrom {
		// A later source wins over an earlier one, as in Kubernetes.
		if from.ConfigMapRef != nil && strings.HasPrefix(name, from.Prefix) {
			if v, ok := configValue(b, from.ConfigMapRef.Name, strings.TrimPrefix(name, from.Prefix)); ok {
				value, found = v, true
			}
		}
	}
	return value, found
}

// checkBuild checks one kustomization's output.
func checkBuild(repo *repo, b *build, r *report) {
	if len(b.objects) == 0 {
		return
	}
	where := b.dir
	namespaces := typed[*corev1.Namespace](b)
	for _, o := range b.objects {
		if o.kind == "Namespace" {
			continue
		}
		if o.namespace == "" {
			r.add(where, "%s %s has no namespace", o.kind, o.name)
		} else if len(namespaces) == 1 && o.namespace != namespaces[0].Name {
			r.add(where, "%s %s is in namespace %s, not %s", o.kind, o.name, o.namespace, namespaces[0].Name)
		}
	}

	pdbs := typed[*policyv1.PodDisruptionBudget](b)
	hpas := typed[*autoscalingv2.HorizontalPodAutoscaler](b)
	scaled := typed[*scaledObject](b)
	byName := map[string]*appsv1.Deployment{}
	partitions := 0
	if value, ok := configValue(b, "weft-config", "WEFT_STEP_PARTITIONS"); ok {
		partitions, _ = strconv.Atoi(value)
	}
	if partitions <= 0 {
		partitions = 8 // the engine's default
	}

	for _, d := range deployments(b) {
		byName[d.Name] = d
		checkDeployment(repo, b, d, r)
		selected := 0
		podLabels := labels.Set(d.Spec.Template.Labels)
		for _, pdb := range pdbs {
			if selects(pdb.Spec.Selector, podLabels) && pdb.Namespace == d.Namespace {
				selected++
			}
		}
		if selected == 0 {
			r.add(where, "Deployment %s: no PodDisruptionBudget selects its pods", d.Name)
		}
		if selected > 1 {
			r.add(where, "Deployment %s: %d PodDisruptionBudgets select its pods; the eviction API refuses pods with more than one", d.Name, selected)
		}
	}
	for _, pdb := range pdbs {
		if pdb.Spec.Selector == nil || len(pdb.Spec.Selector.MatchLabels)+len(pdb.Spec.Selector.MatchExpressions) == 0 {
			r.add(where, "PodDisruptionBudget %s selects every pod of the namespace", pdb.Name)
		}
		if pdb.Spec.MinAvailable != nil && pdb.Spec.MaxUnavailable != nil {
			r.add(where, "PodDisruptionBudget %s sets both minAvailable and maxUnavailable", pdb.Name)
		}
	}
	checkServices(b, r)

	// Autoscalers: each names a Deployment of the build; none shares one with another.
	scalers := map[string][]string{}
	for _, hpa := range hpas {
		ref := hpa.Spec.ScaleTargetRef
		if ref.Kind != "Deployment" || ref.APIVersion != "apps/v1" || byName[ref.Name] == nil {
			r.add(where, "HorizontalPodAutoscaler %s scales %s %s %s, not a Deployment of this build", hpa.Name, ref.APIVersion, ref.Kind, ref.Name)
			continue
		}
		scalers[ref.Name] = append(scalers[ref.Name], "HorizontalPodAutoscaler "+hpa.Name)
		checkHPA(repo, b, hpa, byName[ref.Name], partitions, r)
	}
	// A topic of users' types is consumed by one pool per region, as Weft's types are (checkPools).
	customTopics := map[string][]string{} // region/topic → pools
	for _, so := range scaled {
		ref := so.Spec.ScaleTargetRef
		if ref == nil {
			r.add(where, "ScaledObject %s has no scaleTargetRef", so.Metadata.Name)
			continue
		}
		if (ref.Kind != "" && ref.Kind != "Deployment") || (ref.APIVersion != "" && ref.APIVersion != "apps/v1") || byName[ref.Name] == nil {
			r.add(where, "ScaledObject %s scales %q, not a Deployment of this build", so.Metadata.Name, ref.Name)
			continue
		}
		scalers[ref.Name] = append(scalers[ref.Name], "ScaledObject "+so.Metadata.Name)
		region, topics := checkScaledObject(repo, b, so, byName[ref.Name], partitions, r)
		if isCustomPool(repo, byName[ref.Name]) {
			for _, topic := range topics {
				customTopics[region+"/"+topic] = append(customTopics[region+"/"+topic], ref.Name)
			}
		}
	}
	for _, key := range sortedKeys(customTopics) {
		if pools := customTopics[key]; len(pools) > 1 {
			region, topic, _ := strings.Cut(key, "/")
			r.add(where, "topic %q is consumed by several %s pools (%s): each task type belongs to one pool per region", topic, region, strings.Join(pools, ", "))
		}
	}
	for _, d := range deployments(b) {
		list := scalers[d.Name]
		if len(list) > 1 {
			r.add(where, "Deployment %s has %d autoscalers (%s): they would fight over its replicas", d.Name, len(list), strings.Join(list, ", "))
		}
		if len(list) > 0 && d.Spec.Replicas != nil {
			r.add(where, "Deployment %s sets replicas while %s owns them: every apply would reset the count", d.Name, list[0])
		}
		if isPool(repo, d) && b.overlay && len(list) == 0 {
			r.add(where, "worker Deployment %s has neither a ScaledObject nor a HorizontalPodAutoscaler", d.Name)
		}
		if isPool(repo, d) && !b.overlay && len(list) > 0 {
			r.add(where, "the base gives Deployment %s an autoscaler: autoscalers belong to the overlays (components/keda or components/hpa), so that one can be chosen", d.Name)
		}
	}
	repo.checkPools(where, builtinPools(b), r)
	r.note("%s: %d objects (%d Deployments, %d PodDisruptionBudgets, %d ScaledObjects, %d HorizontalPodAutoscalers)",
		where, len(b.objects), len(byName), len(pdbs), len(scaled), len(hpas))
}

func selects(selector *metav1.LabelSelector, set labels.Set) bool {
	if selector == nil {
		return false
	}
	s, err := metav1.LabelSelectorAsSelector(selector)
	return err == nil && !s.Empty() && s.Matches(set)
}

// checkDeployment checks one Deployment's pod template.
func checkDeployment(repo *repo, b *build, d *appsv1.Deployment, r *report) {
	where := fmt.Sprintf("%s: Deployment %s", b.dir, d.Name)
	if !selects(d.Spec.Selector, labels.Set(d.Spec.Template.Labels)) {
		r.add(where, "its selector does not select its own pod template")
	}
	pod := d.Spec.Template.Spec
	if pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot {
		r.add(where, "the pod does not set securityContext.runAsNonRoot: true")
	}
	mounts := map[string]bool{}
	for _, volume := range pod.Volumes {
		mounts[volume.Name] = true
	}
	if len(pod.Containers) != 1 {
		r.add(where, "has %d containers; Weft runs one per pod", len(pod.Containers))
	}
	for _, c := range pod.Containers {
		cw := where + " container " + c.Name
		if c.Image == "" {
			r.add(cw, "has no image")
		}
		service, err := repo.runs(c.Command)
		if err != nil {
			r.add(cw, "%v", err)
		}
		custom := err == nil && service == ""
		if c.ReadinessProbe == nil {
			r.add(cw, "has no readinessProbe")
		} else {
			checkProbe(cw, "readinessProbe", c.ReadinessProbe, "/readyz", c, r)
		}
		if c.LivenessProbe == nil {
			r.add(cw, "has no livenessProbe")
		} else {
			checkProbe(cw, "livenessProbe", c.LivenessProbe, "/healthz", c, r)
		}
		if c.StartupProbe != nil {
			checkProbe(cw, "startupProbe", c.StartupProbe, "/healthz", c, r)
		}
		for _, resource := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			request, hasRequest := c.Resources.Requests[resource]
			limit, hasLimit := c.Resources.Limits[resource]
			if !hasRequest {
				r.add(cw, "has no %s request", resource)
			}
			if !hasLimit {
				r.add(cw, "has no %s limit", resource)
			}
			if hasRequest && hasLimit && request.Cmp(limit) > 0 {
				r.add(cw, "requests more %s (%s) than its limit (%s)", resource, request.String(), limit.String())
			}
		}
		sc := c.SecurityContext
		if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			r.add(cw, "does not set securityContext.allowPrivilegeEscalation: false")
		}
		if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			r.add(cw, "does not set securityContext.readOnlyRootFilesystem: true")
		}
		for _, mount := range c.VolumeMounts {
			if !mounts[mount.Name] {
				r.add(cw, "mounts volume %s, which the pod does not declare", mount.Name)
			}
		}
		for _, env := range c.Env {
			if env.ValueFrom == nil || env.ValueFrom.ConfigMapKeyRef == nil {
				continue
			}
			ref := env.ValueFrom.ConfigMapKeyRef
			if _, ok := configValue(b, ref.Name, ref.Key); !ok && (ref.Optional == nil || !*ref.Optional) {
				r.add(cw, "takes %s from key %s of ConfigMap %s, which this build does not have: the pod would not start", env.Name, ref.Key, ref.Name)
			}
		}
		for _, from := range c.EnvFrom {
			if from.ConfigMapRef != nil && (from.ConfigMapRef.Optional == nil || !*from.ConfigMapRef.Optional) {
				if !hasConfigMap(b, from.ConfigMapRef.Name) {
					r.add(cw, "reads ConfigMap %s, which is not in this build", from.ConfigMapRef.Name)
				}
			}
			if from.SecretRef != nil && (from.SecretRef.Optional == nil || !*from.SecretRef.Optional) {
				r.add(cw, "reads Secret %s without optional: true; the build holds no Secret, so pods would not start until one is made", from.SecretRef.Name)
			}
		}
		required := []string{"KAFKA_BROKERS", "MONGODB_URI"}
		if custom {
			required = []string{"KAFKA_BROKERS"}
		}
		for _, name := range required {
			if _, ok := envValue(b, c, name); !ok {
				r.add(cw, "does not get %s from env or a ConfigMap of this build", name)
			}
		}
		if service == "worker" {
			types, ok := stepTypesOf(d)
			if !ok || len(types) == 0 {
				r.add(cw, "runs the worker without STEP_TYPES: each pool names the task types it serves")
			}
		}
		if custom {
			checkCustomWorker(b, cw, c, r)
		}
	}
}

// connectionsSecret is the Secret holding the services' connection strings with credentials,
// MongoDB's among them (deploy/k8s/secret.example.yaml).
const connectionsSecret = "weft-connections"

// checkCustomWorker checks the container of a worker of your own: it gets Kafka's settings and not
// the database (a worker on the SDK never reaches MongoDB), and serves its health endpoints, which
// the SDK starts only when HEALTH_PORT is set, on the port its probes use.
func checkCustomWorker(b *build, cw string, c corev1.Container, r *report) {
	if _, ok := envValue(b, c, "MONGODB_URI"); ok {
		r.add(cw, "gets MONGODB_URI: a worker of your own (on @weft/worker) needs Kafka only; give it the Kafka settings alone, as components/custom-worker does")
	}
	for _, from := range c.EnvFrom {
		if from.SecretRef != nil && from.SecretRef.Name == connectionsSecret {
			r.add(cw, "reads Secret %s, which holds the database's credentials: a worker of your own needs Kafka only", connectionsSecret)
		}
	}
	for _, env := range c.Env {
		if env.ValueFrom != nil && env.ValueFrom.SecretKeyRef != nil && env.ValueFrom.SecretKeyRef.Name == connectionsSecret {
			r.add(cw, "reads %s from Secret %s, which holds the database's credentials: give a worker of your own a Secret of its own", env.Name, connectionsSecret)
		}
	}
	if _, ok := envValue(b, c, "STEP_TYPES"); ok {
		r.add(cw, "sets STEP_TYPES, which only Weft's worker service reads: a worker of your own serves the task types its code gives createWorker")
	}
	if region, ok := envValue(b, c, "REGION"); ok && region != "" && !slices.Contains(regions, region) {
		r.add(cw, "has REGION %q; a region is global, us or eu", region)
	}
	port, ok := envValue(b, c, "HEALTH_PORT")
	if !ok {
		r.add(cw, "does not set HEALTH_PORT: a worker on @weft/worker serves /healthz, /readyz and /metrics only when it is set")
		return
	}
	if n, err := strconv.Atoi(port); err != nil || !declaresPort(c, intstr.FromInt32(int32(n))) {
		r.add(cw, "HEALTH_PORT is %q, which is not a port the container declares: its probes would find nothing there", port)
	}
}

func hasConfigMap(b *build, name string) bool {
	for _, cm := range typed[*corev1.ConfigMap](b) {
		if cm.Name == name {
			return true
		}
	}
	return false
}

// checkProbe checks a probe is an HTTP GET of path on a port the container declares.
func checkProbe(where, which string, probe *corev1.Probe, path string, c corev1.Container, r *report) {
	if probe.HTTPGet == nil {
		r.add(where, "%s is not an httpGet", which)
		return
	}
	if probe.HTTPGet.Path != path {
		r.add(where, "%s gets %s, not %s", which, probe.HTTPGet.Path, path)
	}
	if !declaresPort(c, probe.HTTPGet.Port) {
		r.add(where, "%s uses port %s, which the container does not declare", which, probe.HTTPGet.Port.String())
	}
}

func declaresPort(c corev1.Container, port intstr.IntOrString) bool {
	for _, p := range c.Ports {
		if (port.Type == intstr.String && p.Name == port.StrVal) || (port.Type == intstr.Int && p.ContainerPort == port.IntVal) {
			return true
		}
	}
	return false
}

// checkServices checks each Service selects the pods of a Deployment and targets their ports.
func checkServices(b *build, r *report) {
	for _, svc := range typed[*corev1.Service](b) {
		where := fmt.Sprintf("%s: Service %s", b.dir, svc.Name)
		if len(svc.Spec.Selector) == 0 {
			r.add(where, "has no selector")
			continue
		}
		var targets []*appsv1.Deployment
		for _, d := range deployments(b) {
			if labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)) {
				targets = append(targets, d)
			}
		}
		if len(targets) == 0 {
			r.add(where, "selects no Deployment's pods")
			continue
		}
		for _, port := range svc.Spec.Ports {
			target := port.TargetPort
			if target.Type == intstr.Int && target.IntVal == 0 {
				target = intstr.FromInt32(port.Port)
			}
			for _, d := range targets {
				if !declaresPort(d.Spec.Template.Spec.Containers[0], target) {
					r.add(where, "port %s targets %s, which Deployment %s does not declare", port.Name, target.String(), d.Name)
				}
			}
		}
	}
}

// checkHPA checks a CPU HorizontalPodAutoscaler on a Deployment.
func checkHPA(repo *repo, b *build, hpa *autoscalingv2.HorizontalPodAutoscaler, d *appsv1.Deployment, partitions int, r *report) {
	where := fmt.Sprintf("%s: HorizontalPodAutoscaler %s", b.dir, hpa.Name)
	if hpa.Spec.MinReplicas != nil && *hpa.Spec.MinReplicas > hpa.Spec.MaxReplicas {
		r.add(where, "minReplicas %d is above maxReplicas %d", *hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas)
	}
	if isPool(repo, d) && int(hpa.Spec.MaxReplicas) > partitions {
		r.add(where, "maxReplicas %d is above WEFT_STEP_PARTITIONS (%d): replicas beyond a topic's partitions stand idle", hpa.Spec.MaxReplicas, partitions)
	}
	if len(hpa.Spec.Metrics) == 0 {
		r.add(where, "has no metrics")
	}
	for _, metric := range hpa.Spec.Metrics {
		if metric.Type == autoscalingv2.ResourceMetricSourceType && metric.Resource != nil &&
			metric.Resource.Target.Type == autoscalingv2.UtilizationMetricType {
			for _, c := range d.Spec.Template.Spec.Containers {
				if _, ok := c.Resources.Requests[metric.Resource.Name]; !ok {
					r.add(where, "scales on %s utilization, but container %s of %s requests no %s", metric.Resource.Name, c.Name, d.Name, metric.Resource.Name)
				}
			}
		}
	}
}

// checkScaledObject checks a KEDA ScaledObject on a Deployment. For a pool of Weft's, one kafka
// trigger per step topic of its STEP_TYPES, on that topic's consumer group. For a worker of your
// own, whose task types are in its code, the triggers say what it serves: each on a step topic of
// a `namespace/name` type that is not Weft's, with that topic's consumer group, and for a regional
// worker on both the region's topic and the global one. It returns the pool's region and the
// topics it watches.
func checkScaledObject(repo *repo, b *build, so *scaledObject, d *appsv1.Deployment, partitions int, r *report) (string, []string) {
	where := fmt.Sprintf("%s: ScaledObject %s", b.dir, so.Metadata.Name)
	spec := so.Spec
	minReplicas, maxReplicas := int32(0), int32(100) // KEDA's defaults
	if spec.MinReplicaCount != nil {
		minReplicas = *spec.MinReplicaCount
	}
	if spec.MaxReplicaCount != nil {
		maxReplicas = *spec.MaxReplicaCount
	}
	if minReplicas > maxReplicas {
		r.add(where, "minReplicaCount %d is above maxReplicaCount %d", minReplicas, maxReplicas)
	}
	builtin, custom := isBuiltinPool(d), isCustomPool(repo, d)
	if (builtin || custom) && int(maxReplicas) > partitions {
		r.add(where, "maxReplicaCount %d is above WEFT_STEP_PARTITIONS (%d): replicas beyond a topic's partitions stand idle", maxReplicas, partitions)
	}
	if len(spec.Triggers) == 0 {
		r.add(where, "has no triggers")
	}
	if !builtin && !custom {
		return "", nil
	}
	container := d.Spec.Template.Spec.Containers[0]
	region, _ := envValue(b, container, "REGION")
	if region == "" {
		region = "global"
	}
	wanted := map[string]bool{}
	if builtin {
		types, _ := stepTypesOf(d)
		for _, topic := range workerTopics(types, region) {
			wanted[topic] = true
		}
	}
	seen := map[string]bool{}
	var topics []string
	for i, trigger := range spec.Triggers {
		tw := fmt.Sprintf("%s trigger %d", where, i)
		if trigger.Type != "kafka" {
			r.add(tw, "is of type %q; worker pools scale on their Kafka lag", trigger.Type)
			continue
		}
		m := trigger.Metadata
		checkKafkaTrigger(b, tw, m, d, container, r)
		topic := m["topic"]
		switch {
		case builtin && !wanted[topic]:
			r.add(tw, "watches topic %q, which is not a step topic of %s's STEP_TYPES", topic, d.Name)
		case custom:
			if problem := repo.customTopicProblem(topic); problem != "" {
				r.add(tw, "%s", problem)
			}
		}
		if seen[topic] {
			r.add(tw, "watches topic %q twice", topic)
		}
		seen[topic] = true
		topics = append(topics, topic)
		if group := m["consumerGroup"]; group != workerGroup(topic) {
			r.add(tw, "consumerGroup is %q; the pool consumes %q with group %q", group, topic, workerGroup(topic))
		}
	}
	if custom {
		// What a worker in region consumes: its region's topic of each type and the global one
		// (workerTopics), so each trigger on one has its twin.
		for _, topic := range topics {
			regional := ""
			for _, other := range regions[1:] {
				if strings.HasSuffix(topic, "."+other) {
					regional = other
				}
			}
			switch {
			case region == "global" && regional != "":
				r.add(where, "watches the %s topic %q, which %s does not consume: it has no REGION", regional, topic, d.Name)
			case region != "global" && regional == "" && !seen[topic+"."+region]:
				wanted[topic+"."+region] = true
			case region != "global" && regional == region && !seen[strings.TrimSuffix(topic, "."+region)]:
				wanted[strings.TrimSuffix(topic, "."+region)] = true
			case region != "global" && regional != "" && regional != region:
				r.add(where, "watches the %s topic %q, which %s (REGION %s) does not consume", regional, topic, d.Name, region)
			}
		}
	}
	for _, topic := range sortedKeys(wanted) {
		if !seen[topic] {
			r.add(where, "has no trigger for %s, which %s consumes: that type's backlog would never scale the pool", topic, d.Name)
		}
	}
	return region, topics
}

// checkKafkaTrigger checks a kafka trigger's metadata other than its topic and group.
func checkKafkaTrigger(b *build, tw string, m map[string]string, d *appsv1.Deployment, container corev1.Container, r *report) {
	for _, key := range sortedKeys(m) {
		if !kafkaTriggerKeys[key] {
			r.add(tw, "metadata %q is not a kafka trigger parameter KEDA reads", key)
		}
	}
	switch {
	case m["bootstrapServers"] != "" && m["bootstrapServersFromEnv"] != "":
		r.add(tw, "sets both bootstrapServers and bootstrapServersFromEnv")
	case m["bootstrapServersFromEnv"] != "":
		if value, ok := envValue(b, container, m["bootstrapServersFromEnv"]); !ok || value == "" {
			r.add(tw, "bootstrapServersFromEnv names %s, which Deployment %s does not set", m["bootstrapServersFromEnv"], d.Name)
		}
	case m["bootstrapServers"] == "":
		r.add(tw, "has neither bootstrapServers nor bootstrapServersFromEnv")
	}
	for _, key := range []string{"lagThreshold", "activationLagThreshold"} {
		if value, ok := m[key]; ok {
			n, err := strconv.Atoi(value)
			if err != nil || n < 0 || (key == "lagThreshold" && n == 0) {
				r.add(tw, "%s %q is not a positive whole number", key, value)
			}
		}
	}
	if _, ok := m["lagThreshold"]; !ok {
		r.add(tw, "has no lagThreshold: KEDA's default (10) is not tuned to the pool; set it (see deploy/k8s/README.md)")
	}
	if policy, ok := m["offsetResetPolicy"]; ok && policy != "earliest" {
		r.add(tw, "offsetResetPolicy is %q; workers read a new group from the earliest offset, so lag must count from there too", policy)
	}
	for _, key := range []string{"allowIdleConsumers", "excludePersistentLag", "scaleToZeroOnInvalidOffset", "limitToPartitionsWithLag", "ensureEvenDistributionOfPartitions", "unsafeSsl"} {
		if value, ok := m[key]; ok && value != "true" && value != "false" {
			r.add(tw, "%s is %q, not true or false", key, value)
		}
	}
}
