// Marathon v2 app definition (RAML `App`, JSON Schema `AppDefinition.json`).
// Optional fields may also arrive as `null`: Marathon 1.4 wrote absent fields that way and
// play-json reads `null` as "not given", so consumers must treat both alike.

export type NetworkProtocol = 'tcp' | 'udp' | 'udp,tcp';

export type HealthCheckProtocol =
  | 'HTTP'
  | 'HTTPS'
  | 'TCP'
  | 'COMMAND'
  | 'MESOS_HTTP'
  | 'MESOS_HTTPS'
  | 'MESOS_TCP';

export type ConstraintOperator = 'UNIQUE' | 'CLUSTER' | 'GROUP_BY' | 'LIKE' | 'UNLIKE' | 'MAX_PER' | 'IS';

/** `[field, OPERATOR]` or `[field, OPERATOR, value]`. */
export type AppConstraint = [string, ConstraintOperator | string] | [string, ConstraintOperator | string, string];

export type KillSelection = 'YOUNGEST_FIRST' | 'OLDEST_FIRST';

export type NetworkMode = 'host' | 'container' | 'container/bridge';

export type ContainerType = 'DOCKER' | 'MESOS';

export type DockerNetwork = 'BRIDGE' | 'HOST' | 'NONE' | 'USER';

export type Labels = Record<string, string>;

export interface EnvSecretRef {
  secret: string;
}

export type EnvValue = string | EnvSecretRef;

export interface PortDefinition {
  port?: number;
  protocol?: NetworkProtocol;
  name?: string;
  labels?: Labels;
}

export interface ContainerPortMapping {
  containerPort?: number;
  hostPort?: number;
  servicePort?: number;
  protocol?: NetworkProtocol;
  name?: string;
  labels?: Labels;
  networkNames?: string[];
}

export interface CommandCheck {
  value: string;
}

export interface HealthCheck {
  protocol?: HealthCheckProtocol;
  path?: string;
  port?: number;
  portIndex?: number;
  command?: CommandCheck;
  gracePeriodSeconds?: number;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  maxConsecutiveFailures?: number;
  delaySeconds?: number;
  ignoreHttp1xx?: boolean;
  ipProtocol?: 'IPv4' | 'IPv6';
}

export interface ReadinessCheck {
  name?: string;
  protocol?: 'HTTP' | 'HTTPS';
  path?: string;
  portName?: string;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  httpStatusCodesForReady?: number[];
  preserveLastResponse?: boolean;
}

export interface UpgradeStrategy {
  minimumHealthCapacity?: number;
  maximumOverCapacity?: number;
}

export interface UnreachableEnabled {
  inactiveAfterSeconds?: number;
  expungeAfterSeconds?: number;
}

export type UnreachableStrategy = 'disabled' | UnreachableEnabled;

export interface FetchUri {
  uri: string;
  extract?: boolean;
  executable?: boolean;
  cache?: boolean;
  destPath?: string;
}

export interface DockerParameter {
  key: string;
  value: string;
}

export interface DockerContainer {
  image: string;
  network?: DockerNetwork;
  portMappings?: ContainerPortMapping[];
  privileged?: boolean;
  parameters?: DockerParameter[];
  forcePullImage?: boolean;
  pullConfig?: { secret: string };
  credential?: { principal: string; secret?: string };
}

/** Host, persistent, external and secret volumes share this loose shape. */
export interface AppVolume {
  containerPath?: string;
  hostPath?: string;
  mode?: 'RO' | 'RW';
  persistent?: { size: number; type?: 'root' | 'path' | 'mount'; maxSize?: number; constraints?: string[][] };
  external?: { name?: string; provider?: string; size?: number; options?: Record<string, string> };
  secret?: string;
  [key: string]: unknown;
}

export interface AppContainer {
  type?: ContainerType;
  docker?: DockerContainer;
  volumes?: AppVolume[];
  portMappings?: ContainerPortMapping[];
  [key: string]: unknown;
}

export interface Network {
  mode?: NetworkMode;
  name?: string;
  labels?: Labels;
}

export interface VersionInfo {
  lastScalingAt: string;
  lastConfigChangeAt: string;
}

export interface AppDefinition {
  id: string;
  cmd?: string | null;
  args?: string[] | null;
  instances?: number;
  cpus?: number;
  mem?: number;
  disk?: number;
  gpus?: number;
  env?: Record<string, EnvValue>;
  labels?: Labels;
  user?: string | null;
  portDefinitions?: PortDefinition[];
  /** Deprecated service-port list; cannot differ from `portDefinitions`. */
  ports?: number[];
  requirePorts?: boolean;
  healthChecks?: HealthCheck[];
  readinessChecks?: ReadinessCheck[];
  upgradeStrategy?: UpgradeStrategy;
  backoffSeconds?: number;
  backoffFactor?: number;
  maxLaunchDelaySeconds?: number;
  constraints?: AppConstraint[];
  fetch?: FetchUri[];
  /** Deprecated; normalised into `fetch`. */
  uris?: string[];
  container?: AppContainer | null;
  networks?: Network[];
  executor?: string;
  taskKillGracePeriodSeconds?: number;
  dependencies?: string[];
  acceptedResourceRoles?: string[] | null;
  killSelection?: KillSelection;
  unreachableStrategy?: UnreachableStrategy;
  version?: string;
  versionInfo?: VersionInfo;
  /** Fields Marathon accepts and echoes (secrets, residency, ipAddress, tty, role, check...). */
  [key: string]: unknown;
}

/** An app after `normalizeApp`: every defaulted field is present. */
export interface NormalizedApp extends AppDefinition {
  cmd: string | null;
  args: string[] | null;
  container: AppContainer | null;
  instances: number;
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
  env: Record<string, EnvValue>;
  labels: Labels;
  portDefinitions: PortDefinition[];
  requirePorts: boolean;
  healthChecks: HealthCheck[];
  readinessChecks: ReadinessCheck[];
  upgradeStrategy: Required<UpgradeStrategy>;
  backoffSeconds: number;
  backoffFactor: number;
  maxLaunchDelaySeconds: number;
  constraints: AppConstraint[];
  fetch: FetchUri[];
  dependencies: string[];
  killSelection: KillSelection;
  unreachableStrategy: 'disabled' | Required<UnreachableEnabled>;
  networks: Network[];
  executor: string;
}

/** One entry of a Marathon 422 body's `details`: all messages for one path. */
export interface ValidationDetail {
  path: string;
  errors: string[];
}
