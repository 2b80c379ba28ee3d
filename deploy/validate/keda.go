package main

import (
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// scaledObject is KEDA's ScaledObject (keda.sh/v1alpha1), written by hand rather than imported:
// github.com/kedacore/keda/v2/apis/keda/v1alpha1 pulls in controller-runtime and client-go's
// informers and listers, which took a cold build of this tool from about 1.5 minutes to nearly 4
// on two cores. It is decoded strictly, so a field it does not declare is an error: it declares
// the fields of KEDA 2.x's ScaledObjectSpec that a Weft deployment may use. To use another, add
// it here with KEDA's JSON name. keda_types_test.go (`go test -tags kedatypes`) decodes every
// rendered ScaledObject with KEDA's own types too, to keep the two in step.
type scaledObject struct {
	metav1.TypeMeta `json:",inline"`
	Metadata        metav1.ObjectMeta `json:"metadata"`
	Spec            scaledObjectSpec  `json:"spec"`
}

type scaledObjectSpec struct {
	ScaleTargetRef        *scaleTarget    `json:"scaleTargetRef"`
	PollingInterval       *int32          `json:"pollingInterval,omitempty"`
	InitialCooldownPeriod *int32          `json:"initialCooldownPeriod,omitempty"`
	CooldownPeriod        *int32          `json:"cooldownPeriod,omitempty"`
	IdleReplicaCount      *int32          `json:"idleReplicaCount,omitempty"`
	MinReplicaCount       *int32          `json:"minReplicaCount,omitempty"`
	MaxReplicaCount       *int32          `json:"maxReplicaCount,omitempty"`
	Advanced              *scaledAdvanced `json:"advanced,omitempty"`
	Triggers              []scaleTrigger  `json:"triggers"`
	Fallback              *scaledFallback `json:"fallback,omitempty"`
}

type scaleTarget struct {
	APIVersion             string `json:"apiVersion,omitempty"`
	Kind                   string `json:"kind,omitempty"`
	Name                   string `json:"name"`
	EnvSourceContainerName string `json:"envSourceContainerName,omitempty"`
}

type scaledAdvanced struct {
	HorizontalPodAutoscalerConfig *hpaConfig `json:"horizontalPodAutoscalerConfig,omitempty"`
	RestoreToOriginalReplicaCount bool       `json:"restoreToOriginalReplicaCount,omitempty"`
}

type hpaConfig struct {
	Name     string                                         `json:"name,omitempty"`
	Behavior *autoscalingv2.HorizontalPodAutoscalerBehavior `json:"behavior,omitempty"`
}

type scaleTrigger struct {
	Type              string                         `json:"type"`
	Name              string                         `json:"name,omitempty"`
	UseCachedMetrics  bool                           `json:"useCachedMetrics,omitempty"`
	Metadata          map[string]string              `json:"metadata"`
	AuthenticationRef *authenticationRef             `json:"authenticationRef,omitempty"`
	MetricType        autoscalingv2.MetricTargetType `json:"metricType,omitempty"`
}

type authenticationRef struct {
	Name string `json:"name"`
	Kind string `json:"kind,omitempty"`
}

type scaledFallback struct {
	FailureThreshold int32  `json:"failureThreshold"`
	Replicas         int32  `json:"replicas"`
	Behavior         string `json:"behavior,omitempty"`
}

// kafkaTriggerKeys are the metadata keys KEDA 2.x's kafka scaler reads from a trigger (secrets
// such as passwords belong in a TriggerAuthentication, not here). `<name>FromEnv` reads the value
// from the target container's environment.
var kafkaTriggerKeys = map[string]bool{
	"bootstrapServers": true, "bootstrapServersFromEnv": true,
	"consumerGroup": true, "consumerGroupFromEnv": true,
	"topic": true, "topicFromEnv": true,
	"lagThreshold": true, "activationLagThreshold": true,
	"offsetResetPolicy": true, "allowIdleConsumers": true, "excludePersistentLag": true,
	"scaleToZeroOnInvalidOffset": true, "limitToPartitionsWithLag": true,
	"ensureEvenDistributionOfPartitions": true, "partitionLimitation": true,
	"version": true, "tls": true, "sasl": true, "unsafeSsl": true,
}
