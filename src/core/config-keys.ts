/** Every configuration key dcos knows: its type, default, environment variable and meaning. */

/**
 * `tls`: true, false, or the path of an existing CA bundle file.
 * `mirror`: an existing directory (kept as an absolute path) or an http(s) base URL.
 */
export type ConfigType = 'string' | 'boolean' | 'integer' | 'url' | 'enum' | 'tls' | 'mirror';

export interface ConfigKey {
  key: string;
  type: ConfigType;
  description: string;
  env: string;
  default?: string | number | boolean;
  values?: readonly string[];
  /** Masked in listings. */
  secret?: boolean;
}

export const CONFIG_KEYS: readonly ConfigKey[] = [
  { key: 'core.dcos_url', type: 'url', env: 'DCOS_URL', description: 'URL of the attached cluster' },
  {
    key: 'core.dcos_acs_token',
    type: 'string',
    env: 'DCOS_ACS_TOKEN',
    secret: true,
    description: 'Token sent to the cluster as "Authorization: token=<t>"',
  },
  {
    key: 'core.ssl_verify',
    type: 'tls',
    env: 'DCOS_SSL_VERIFY',
    default: 'true',
    description: 'Verify TLS certificates: "true", "false", or the path of a CA bundle',
  },
  { key: 'core.timeout', type: 'integer', env: 'DCOS_TIMEOUT', default: 180, description: 'Seconds before an HTTP request to a cluster or repository gives up' },
  {
    key: 'core.color',
    type: 'enum',
    env: 'DCOS_COLOR',
    values: ['auto', 'always', 'never'],
    default: 'auto',
    description: 'Colour output: auto (only on a terminal), always or never',
  },
  {
    key: 'package.cache_ttl',
    type: 'integer',
    env: 'DCOS_PACKAGE_CACHE_TTL',
    default: 300,
    description: 'Seconds a downloaded repository index is used before it is revalidated',
  },
  {
    key: 'package.asset_mirror',
    type: 'mirror',
    env: 'DCOS_PACKAGE_ASSET_MIRROR',
    description: 'Directory or http(s) base URL where package assets are looked up by file name (for clusters without internet)',
  },
  {
    key: 'cluster.autostart',
    type: 'boolean',
    env: 'DCOS_CLUSTER_AUTOSTART',
    default: true,
    description: 'Start the local embedded cluster when a command needs one and none is attached',
  },
];

const BY_KEY = new Map(CONFIG_KEYS.map((k) => [k.key, k]));

export function findConfigKey(key: string): ConfigKey | undefined {
  return BY_KEY.get(key);
}
