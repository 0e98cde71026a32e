/**
 * The subset of Kubernetes objects the translation produces, as plain data. Field names and
 * shapes are the Kubernetes API's own (apps/v1, v1, policy/v1); only what we set is declared.
 * Kept free of `@kubernetes/client-node` so that nothing heavy loads to build them.
 */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export type IntOrString = number | string;

export interface LabelSelector {
  matchLabels: Record<string, string>;
}

export interface ResourceRequirements {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

export interface EnvVarSource {
  fieldRef?: { fieldPath: string };
  secretKeyRef?: { name: string; key: string };
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: EnvVarSource;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol: 'TCP' | 'UDP';
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  subPath?: string;
  readOnly?: boolean;
}

export interface HTTPGetAction {
  path: string;
  port: IntOrString;
  scheme: 'HTTP' | 'HTTPS';
}

export interface Probe {
  exec?: { command: string[] };
  httpGet?: HTTPGetAction;
  tcpSocket?: { port: IntOrString };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

export interface SecurityContext {
  privileged?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
}

export interface Container {
  name: string;
  image: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVar[];
  ports?: ContainerPort[];
  resources?: ResourceRequirements;
  volumeMounts?: VolumeMount[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  securityContext?: SecurityContext;
}

export interface Volume {
  name: string;
  emptyDir?: Record<string, never>;
  hostPath?: { path: string };
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
}

export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution: {
    nodeSelectorTerms: Array<{ matchExpressions: NodeSelectorRequirement[] }>;
  };
}

export interface PodAffinityTerm {
  labelSelector: LabelSelector;
  topologyKey: string;
}

export interface Affinity {
  nodeAffinity?: NodeAffinity;
  podAffinity?: { requiredDuringSchedulingIgnoredDuringExecution: PodAffinityTerm[] };
  podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution: PodAffinityTerm[] };
}

export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  labelSelector: LabelSelector;
}

export interface PodSpec {
  enableServiceLinks: boolean;
  automountServiceAccountToken: boolean;
  terminationGracePeriodSeconds?: number;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  topologySpreadConstraints?: TopologySpreadConstraint[];
  initContainers?: Container[];
  containers: Container[];
  volumes?: Volume[];
}

export interface PodTemplateSpec {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

export interface Deployment {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: ObjectMeta;
  spec: {
    replicas: number;
    selector: LabelSelector;
    strategy: { type: 'Recreate' } | { type: 'RollingUpdate'; rollingUpdate: { maxUnavailable: IntOrString; maxSurge: IntOrString } };
    template: PodTemplateSpec;
  };
}

export interface PersistentVolumeClaimTemplate {
  apiVersion: 'v1';
  kind: 'PersistentVolumeClaim';
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    accessModes: ['ReadWriteOnce'];
    storageClassName?: string;
    resources: { requests: { storage: string } };
  };
}

export interface StatefulSet {
  apiVersion: 'apps/v1';
  kind: 'StatefulSet';
  metadata: ObjectMeta;
  spec: {
    replicas: number;
    selector: LabelSelector;
    serviceName: string;
    podManagementPolicy: 'Parallel' | 'OrderedReady';
    updateStrategy: { type: 'RollingUpdate' };
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' | 'Retain'; whenScaled: 'Delete' | 'Retain' };
    template: PodTemplateSpec;
    volumeClaimTemplates: PersistentVolumeClaimTemplate[];
  };
}

export interface ServicePort {
  name: string;
  port: number;
  targetPort: IntOrString;
  protocol: 'TCP' | 'UDP';
}

export interface Service {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: ObjectMeta;
  spec: {
    type: 'ClusterIP';
    selector: Record<string, string>;
    ports: ServicePort[];
  };
}

export interface PodDisruptionBudget {
  apiVersion: 'policy/v1' | 'policy/v1beta1';
  kind: 'PodDisruptionBudget';
  metadata: ObjectMeta;
  spec: {
    minAvailable: IntOrString;
    selector: LabelSelector;
  };
}

export type Workload = Deployment | StatefulSet;
