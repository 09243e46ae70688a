import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import {
  type Env,
  bool,
  int,
  logLevel,
  nodeEnv,
  oneOf,
  parseEnv,
  port,
  positiveNumber,
  url,
} from '@hivemind/config';
import { PASSWORD_MIN_LENGTH, USERNAME_PATTERN, USERNAME_RULE } from '@hivemind/contracts';
import { INTERFACE_NAME, type Ipv4Subnet, parseSubnet } from '@hivemind/contracts/wireguard';
import { type TrustProxy, parseTrustProxy } from '../common/client-address';

export const SCHEDULER_STRATEGIES = ['trust-aware', 'round-robin'] as const;
export const STORAGE_BACKENDS = ['local', 's3'] as const;

const DEVELOPMENT_JWT_SECRET = 'hivemind-development-only-secret-do-not-use-in-production';

const schema = z.object({
  NODE_ENV: nodeEnv(),
  LOG_LEVEL: logLevel(),
  GRPC_SERVER_HOST: z.string().default('0.0.0.0'),
  GRPC_SERVER_PORT: port(50051),
  HTTP_HOST: z.string().default('0.0.0.0'),
  HTTP_PORT: port(8080),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const trust = parseTrustProxy(v);
      if (typeof trust === 'string') {
        ctx.addIssue({ code: 'custom', message: trust });
        return z.NEVER;
      }
      return trust;
    }),
  CORS_ORIGINS: list(
    /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9a-fA-F:]+\](:\d{1,5})?$/,
    'must be a comma-separated list of origins (scheme://host[:port], e.g. https://console.example.org)',
  ),
  RATE_LIMIT_WINDOW_S: int(60, { min: 1, max: 86400 }),
  RATE_LIMIT_READS_PER_USER: int(1200, { min: 1, max: 100_000_000 }),
  RATE_LIMIT_WRITES_PER_USER: int(300, { min: 1, max: 100_000_000 }),
  RATE_LIMIT_READS_PER_ADDRESS: int(3000, { min: 1, max: 100_000_000 }),
  RATE_LIMIT_WRITES_PER_ADDRESS: int(900, { min: 1, max: 100_000_000 }),
  RATE_LIMIT_RPCS_PER_CREDENTIAL: int(3000, { min: 1, max: 100_000_000 }),
  RATE_LIMIT_RPCS_PER_ADDRESS: int(12000, { min: 1, max: 100_000_000 }),
  RATE_LIMIT_WS_UPGRADES_PER_USER: int(60, { min: 1, max: 100_000_000 }),
  RATE_LIMIT_WS_UPGRADES_PER_ADDRESS: int(120, { min: 1, max: 100_000_000 }),
  UPLOAD_BYTES_PER_USER: int(10 * 1024 ** 3, { min: 1024, max: 2 ** 50 }),
  UPLOAD_BYTES_PER_ADDRESS: int(20 * 1024 ** 3, { min: 1024, max: 2 ** 50 }),
  UPLOAD_BYTES_WINDOW_S: int(3600, { min: 1, max: 604800 }),
  LOG_BYTES_PER_NODE: int(256 * 1024 ** 2, { min: 1024, max: 2 ** 50 }),
  LOG_BYTES_WINDOW_S: int(60, { min: 1, max: 86400 }),
  DATABASE_URL: url(['postgres:', 'postgresql:'], 'postgres://user:password@host:5432/hivemind'),
  DATABASE_POOL_SIZE: int(20, { min: 1, max: 500 }),
  MIGRATIONS_RUN: bool(true),
  REDIS_URL: url(['redis:', 'rediss:'], 'redis://host:6379'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be 1-64 letters, digits, "_" or "-"' })
    .default('hivemind'),
  JWT_SECRET: z
    .string()
    .min(32, { message: 'must be at least 32 characters (e.g. `openssl rand -hex 32`)' })
    .optional(),
  TOKEN_EXPIRATION_HOURS: positiveNumber(24),
  REFRESH_TOKEN_DAYS: positiveNumber(30),
  ADMIN_USERNAME: z
    .string()
    .transform((v) => v.trim().toLowerCase())
    .pipe(z.string().regex(USERNAME_PATTERN, { message: `must be ${USERNAME_RULE}` }))
    .optional(),
  ADMIN_PASSWORD: z
    .string()
    .min(PASSWORD_MIN_LENGTH, { message: `must be at least ${PASSWORD_MIN_LENGTH} characters` })
    .optional(),
  SIGNUP_GRANT_CPT: int(1000, { min: 0, max: 1_000_000_000 }),
  LOGIN_ATTEMPTS_PER_USERNAME: int(10, { min: 1, max: 100000 }),
  LOGIN_ATTEMPTS_PER_ADDRESS: int(50, { min: 1, max: 1000000 }),
  LOGIN_RATE_WINDOW_S: int(300, { min: 1, max: 86400 }),
  LEDGER_AUDIT_INTERVAL_S: int(300, { min: 5, max: 86400 }),
  AUDIT_RETENTION_DAYS: int(365, { min: 1, max: 36500 }),
  STORAGE_PATH: z.string().default('./.hivemind/storage'),
  MAX_FILE_SIZE: int(104857600, { min: 1024, max: 1099511627776 }),
  STORAGE_BACKEND: oneOf(STORAGE_BACKENDS, 'local'),
  S3_ENDPOINT: url(['http:', 'https:'], 'https://s3.example.org:9000').optional(),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
      message: 'must be an S3 bucket name: 3-63 lower-case letters, digits, "." or "-"',
    })
    .optional(),
  S3_REGION: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/, { message: 'must be a region name such as us-east-1' })
    .default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: bool(false),
  HEARTBEAT_TIMEOUT_S: int(15, { min: 1, max: 3600 }),
  HEARTBEAT_INTERVAL_S: int(5, { min: 1, max: 3600 }),
  HEARTBEAT_INTERVAL_MAX_S: int(120, { min: 1, max: 3600 }),
  HEARTBEAT_BUDGET_PER_S: int(2000, { min: 1, max: 1_000_000 }),
  RATE_LIMIT_HEARTBEATS_PER_NODE: int(60, { min: 1, max: 100_000_000 }),
  HEAP_GROWING_PERCENT: int(25, { min: 0, max: 1000 }),
  SCHEDULER_STRATEGY: oneOf(SCHEDULER_STRATEGIES, 'trust-aware'),
  PLACEMENT_CANDIDATES: int(16, { min: 0, max: 100_000 }),
  TASK_SECRETS_KEY: z
    .string()
    .min(32, { message: 'must be at least 32 characters (e.g. `openssl rand -hex 32`)' })
    .optional(),
  WEB_ROOT: z.string().default('./dist/apps/web/browser'),
  VPN_SUBNET: z
    .string()
    .default('10.128.0.0/16')
    .transform((v, ctx) => {
      const subnet = parseSubnet(v);
      if (typeof subnet === 'string') {
        ctx.addIssue({ code: 'custom', message: subnet });
        return z.NEVER;
      }
      return subnet;
    }),
  VPN_ENDPOINT: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const endpoint = (v ?? '').trim() || hostname();
      const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(endpoint);
      const listenPort = Number(match?.[2] ?? 51820);
      if (!match || listenPort < 1 || listenPort > 65535) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be host:port, the address peers dial (e.g. vpn.example.org:51820)',
        });
        return z.NEVER;
      }
      return { endpoint: `${match[1]}:${listenPort}`, listenPort };
    }),
  VPN_DNS: list(/^[0-9a-fA-F.:]+$/, 'must be a comma-separated list of DNS server addresses (e.g. 10.0.0.1)'),
  VPN_ALLOWED_IPS: list(
    /^[0-9a-fA-F.:]+\/\d{1,3}$/,
    'must be a comma-separated list of networks (e.g. 10.0.0.0/24)',
  ),
  VPN_KEY_SECRET: z
    .string()
    .min(32, { message: 'must be at least 32 characters (e.g. `openssl rand -hex 32`)' })
    .optional(),
  VPN_MAX_PEERS_PER_USER: int(10, { min: 1, max: 100000 }),
  VPN_NEW_ACCOUNT_PEERS: int(2, { min: 0, max: 100000 }),
  VPN_ESTABLISHED_AFTER_DAYS: int(7, { min: 0, max: 3650 }),
  VPN_RESERVE_PERCENT: int(10, { min: 0, max: 90 }),
  VPN_PEER_RATE_PER_ADDRESS: int(20, { min: 1, max: 1000000 }),
  VPN_PEER_RATE_PER_USER: int(10, { min: 1, max: 1000000 }),
  VPN_PEER_RATE_WINDOW_S: int(3600, { min: 1, max: 604800 }),
  VPN_APPLY: oneOf(['off', 'live'] as const, 'off'),
  VPN_SERVER_INTERFACE: z
    .string()
    .regex(INTERFACE_NAME, { message: 'must be an interface name of 1-15 letters, digits, "_=+.-"' })
    .default('wg0'),
  VPN_SYNC_INTERVAL_S: int(30, { min: 1, max: 3600 }),
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  TLS_CA_FILE: z.string().min(1).optional(),
  TLS_CA_KEY_FILE: z.string().min(1).optional(),
  TLS_RELOAD_INTERVAL_S: int(10, { min: 1, max: 86400 }),
  GRPC_REQUIRE_CLIENT_CERT: bool(false),
  NODE_CERT_VALID_HOURS: int(24, { min: 1, max: 8760 }),
  INSECURE_PLAINTEXT: bool(false),
});

const NOT_LOOPBACK_WITHOUT_TLS =
  'is not a loopback address and there is no TLS: set TLS_CERT_FILE and TLS_KEY_FILE (npm run up makes them under .hivemind/tls), or INSECURE_PLAINTEXT=true to listen in plain text';

/** Whether a listen address stays on this machine (plain text is allowed there by default). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** A comma-separated list whose items all match `item`; empty when unset. */
function list(item: RegExp, message: string) {
  return z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((items) => items.every((i) => item.test(i)), { message });
}

/** The bucket of STORAGE_BACKEND=s3 and how to reach it (S3_*). */
export interface S3StorageConfig {
  bucket: string;
  region: string;
  /** Another S3-compatible service (MinIO, Ceph, …); AWS itself when absent. */
  endpoint?: string;
  /** `endpoint/bucket/key` rather than `bucket.endpoint/key` (MinIO and most self-hosted ones). */
  forcePathStyle: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** The node pool's validated configuration; also its injection token. */
export class NodePoolConfig {
  readonly env: 'production' | 'development' | 'test';
  readonly logLevel: z.output<typeof schema>['LOG_LEVEL'];
  readonly grpc: { host: string; port: number };
  readonly http: {
    host: string;
    port: number;
    /** Which proxies' X-Forwarded-For / X-Forwarded-Proto are believed (TRUST_PROXY). */
    trustProxy: TrustProxy;
    /** Origins besides the pool's own that browsers may call the API from (CORS_ORIGINS). */
    corsOrigins: string[];
  };
  /**
   * TLS on both listeners (HTTPS, wss, gRPC-TLS) from PEM files re-read every `reloadIntervalS`;
   * absent only on loopback listeners or with INSECURE_PLAINTEXT=true. `nodeCa` signs and checks
   * nodes' client certificates (mTLS), required on node rpcs when `requireClientCert`.
   */
  readonly tls?: {
    certFile: string;
    keyFile: string;
    reloadIntervalS: number;
    nodeCa?: { certFile: string; keyFile: string };
    requireClientCert: boolean;
    nodeCertValidHours: number;
  };
  /**
   * Rate limits on every route, rpc and WebSocket upgrade, counted in Redis across replicas
   * (docs/security.md "Rate limits"): counts per window, bytes per their own windows.
   */
  readonly limits: {
    windowS: number;
    rest: { readsPerUser: number; writesPerUser: number; readsPerAddress: number; writesPerAddress: number };
    rpc: { perCredential: number; perAddress: number };
    upgrades: { perUser: number; perAddress: number };
    uploadBytes: { perUser: number; perAddress: number; windowS: number };
    logBytes: { perNode: number; windowS: number };
  };
  readonly database: { url: string; poolSize: number; migrationsRun: boolean };
  readonly redis: { url: string; queuePrefix: string };
  readonly auth: {
    jwtSecret: string;
    tokenExpirationHours: number;
    refreshTokenDays: number;
    /** The first admin, created (or promoted) at start-up when both are set. */
    admin?: { username: string; password: string };
    signupGrantCpt: number;
    /** Login (and registration) attempts allowed per LOGIN_RATE_WINDOW_S. */
    loginRateLimit: { perUsername: number; perAddress: number; windowS: number };
  };
  readonly ledger: { auditIntervalS: number };
  /** How long audit events are kept (docs/security.md "Audit trail"). */
  readonly audit: { retentionDays: number };
  /**
   * Where task inputs and outputs are kept (docs/ARCHITECTURE.md "Files and storage"): a local
   * folder (`path`), or with `backend: 's3'` an S3-compatible bucket that every replica shares.
   */
  readonly storage: {
    path: string;
    maxFileSize: number;
    backend: (typeof STORAGE_BACKENDS)[number];
    /** With STORAGE_BACKEND=s3; no credentials = the AWS SDK's default chain (AWS_*, a role). */
    s3?: S3StorageConfig;
  };
  readonly scheduling: {
    heartbeatTimeoutS: number;
    strategy: (typeof SCHEDULER_STRATEGIES)[number];
    /** Fitting nodes scored per shard (docs/scheduling.md "Placement at scale"); 0: every node. */
    placementCandidates: number;
  };
  /**
   * Heartbeat pacing (docs/scheduling.md "Heartbeats"): each replica tells its nodes an interval
   * of at least `minIntervalS` that keeps its share of the cluster within `budgetPerS` heartbeats a
   * second, at most `maxIntervalS`; the timeout grows with the interval (HEARTBEAT_TIMEOUT_S at
   * `minIntervalS`).
   * `perNodeLimit` heartbeats per node per RATE_LIMIT_WINDOW_S, counted in memory per replica.
   */
  readonly heartbeats: {
    minIntervalS: number;
    maxIntervalS: number;
    budgetPerS: number;
    perNodeLimit: number;
  };
  /**
   * How far past what stays live V8 lets the heap grow before it collects (HEAP_GROWING_PERCENT;
   * 0: V8's own factor, up to 4×). Set by main.ts: see heap-policy.ts.
   */
  readonly heapGrowingPercent: number;
  readonly tasks: {
    /**
     * Seals tasks' secret env at rest: TASK_SECRETS_KEY, else VPN_KEY_SECRET, else JWT_SECRET (under
     * its own HKDF purpose, so the key differs from the VPN's even when the secret is the same).
     */
    secretEnvKey: string;
  };
  /** The built web console (index.html), served at /. */
  readonly webRoot: string;
  readonly vpn: {
    subnet: Ipv4Subnet;
    /** host:port peers dial; the server listens on its port. */
    endpoint: string;
    listenPort: number;
    dns: string[];
    /** What a client routes through the tunnel: the VPN subnet unless VPN_ALLOWED_IPS says more. */
    allowedIps: string[];
    /** Encrypts the private keys the database keeps (VPN_KEY_SECRET, else JWT_SECRET). */
    keySecret: string;
    /** Quotas by standing and the reserve (see vpn/vpn-peer-policy.ts). */
    maxPeersPerUser: number;
    newAccountPeers: number;
    establishedAfterDays: number;
    reservePercent: number;
    /** Peer creations per address (IPv6: per /64) and per user in a window (admins: none). */
    rateLimit: { perAddress: number; perUser: number; windowS: number };
    /** live: keep `interface` (on this machine) holding the active peers (vpn/vpn-live-sync.service.ts). */
    apply: 'off' | 'live';
    interface: string;
    syncIntervalS: number;
  };

  constructor(values: NodePoolConfig) {
    Object.assign(this, values);
  }
}

/**
 * Reads and validates the node pool's environment (see .env.example). Throws a ConfigError whose
 * message names every bad variable. JWT_SECRET may only be omitted when NODE_ENV=development.
 */
export function parseNodePoolConfig(env: Env): NodePoolConfig {
  const e = parseEnv(
    schema
      .refine((v) => v.JWT_SECRET !== undefined || v.NODE_ENV === 'development', {
        message: 'is required outside NODE_ENV=development (e.g. `openssl rand -hex 32`)',
        path: ['JWT_SECRET'],
      })
      .refine((v) => (v.ADMIN_USERNAME === undefined) === (v.ADMIN_PASSWORD === undefined), {
        message: 'and ADMIN_USERNAME must be given together',
        path: ['ADMIN_PASSWORD'],
      })
      .refine((v) => (v.TLS_CERT_FILE === undefined) === (v.TLS_KEY_FILE === undefined), {
        message: 'and TLS_CERT_FILE must be given together',
        path: ['TLS_KEY_FILE'],
      })
      .refine((v) => (v.TLS_CA_FILE === undefined) === (v.TLS_CA_KEY_FILE === undefined), {
        message: 'and TLS_CA_FILE must be given together (the CA that signs node certificates)',
        path: ['TLS_CA_KEY_FILE'],
      })
      .refine((v) => v.HEARTBEAT_INTERVAL_MAX_S >= v.HEARTBEAT_INTERVAL_S, {
        message: 'must be at least HEARTBEAT_INTERVAL_S',
        path: ['HEARTBEAT_INTERVAL_MAX_S'],
      })
      .refine((v) => !v.GRPC_REQUIRE_CLIENT_CERT || (v.TLS_CERT_FILE && v.TLS_CA_FILE), {
        message: 'needs TLS_CERT_FILE/TLS_KEY_FILE and TLS_CA_FILE/TLS_CA_KEY_FILE (node certificates)',
        path: ['GRPC_REQUIRE_CLIENT_CERT'],
      })
      .refine((v) => v.STORAGE_BACKEND !== 's3' || v.S3_BUCKET !== undefined, {
        message: 'is required with STORAGE_BACKEND=s3 (the bucket every replica shares)',
        path: ['S3_BUCKET'],
      })
      .refine(
        (v) =>
          v.STORAGE_BACKEND !== 's3' ||
          (v.S3_ACCESS_KEY_ID === undefined) === (v.S3_SECRET_ACCESS_KEY === undefined),
        {
          message: 'and S3_ACCESS_KEY_ID must be given together (or neither: the AWS default credentials)',
          path: ['S3_SECRET_ACCESS_KEY'],
        },
      )
      .refine((v) => v.TLS_CERT_FILE || v.INSECURE_PLAINTEXT || isLoopbackHost(v.HTTP_HOST), {
        message: NOT_LOOPBACK_WITHOUT_TLS,
        path: ['HTTP_HOST'],
      })
      .refine((v) => v.TLS_CERT_FILE || v.INSECURE_PLAINTEXT || isLoopbackHost(v.GRPC_SERVER_HOST), {
        message: NOT_LOOPBACK_WITHOUT_TLS,
        path: ['GRPC_SERVER_HOST'],
      }),
    env,
  );
  return new NodePoolConfig({
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    grpc: { host: e.GRPC_SERVER_HOST, port: e.GRPC_SERVER_PORT },
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT, trustProxy: e.TRUST_PROXY, corsOrigins: e.CORS_ORIGINS },
    limits: {
      windowS: e.RATE_LIMIT_WINDOW_S,
      rest: {
        readsPerUser: e.RATE_LIMIT_READS_PER_USER,
        writesPerUser: e.RATE_LIMIT_WRITES_PER_USER,
        readsPerAddress: e.RATE_LIMIT_READS_PER_ADDRESS,
        writesPerAddress: e.RATE_LIMIT_WRITES_PER_ADDRESS,
      },
      rpc: { perCredential: e.RATE_LIMIT_RPCS_PER_CREDENTIAL, perAddress: e.RATE_LIMIT_RPCS_PER_ADDRESS },
      upgrades: {
        perUser: e.RATE_LIMIT_WS_UPGRADES_PER_USER,
        perAddress: e.RATE_LIMIT_WS_UPGRADES_PER_ADDRESS,
      },
      uploadBytes: {
        perUser: e.UPLOAD_BYTES_PER_USER,
        perAddress: e.UPLOAD_BYTES_PER_ADDRESS,
        windowS: e.UPLOAD_BYTES_WINDOW_S,
      },
      logBytes: { perNode: e.LOG_BYTES_PER_NODE, windowS: e.LOG_BYTES_WINDOW_S },
    },
    ...(e.TLS_CERT_FILE && e.TLS_KEY_FILE
      ? {
          tls: {
            certFile: resolve(e.TLS_CERT_FILE),
            keyFile: resolve(e.TLS_KEY_FILE),
            reloadIntervalS: e.TLS_RELOAD_INTERVAL_S,
            ...(e.TLS_CA_FILE && e.TLS_CA_KEY_FILE
              ? { nodeCa: { certFile: resolve(e.TLS_CA_FILE), keyFile: resolve(e.TLS_CA_KEY_FILE) } }
              : {}),
            requireClientCert: e.GRPC_REQUIRE_CLIENT_CERT,
            nodeCertValidHours: e.NODE_CERT_VALID_HOURS,
          },
        }
      : {}),
    database: { url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE, migrationsRun: e.MIGRATIONS_RUN },
    redis: { url: e.REDIS_URL, queuePrefix: e.QUEUE_PREFIX },
    auth: {
      jwtSecret: e.JWT_SECRET ?? DEVELOPMENT_JWT_SECRET,
      tokenExpirationHours: e.TOKEN_EXPIRATION_HOURS,
      refreshTokenDays: e.REFRESH_TOKEN_DAYS,
      ...(e.ADMIN_USERNAME && e.ADMIN_PASSWORD
        ? { admin: { username: e.ADMIN_USERNAME, password: e.ADMIN_PASSWORD } }
        : {}),
      signupGrantCpt: e.SIGNUP_GRANT_CPT,
      loginRateLimit: {
        perUsername: e.LOGIN_ATTEMPTS_PER_USERNAME,
        perAddress: e.LOGIN_ATTEMPTS_PER_ADDRESS,
        windowS: e.LOGIN_RATE_WINDOW_S,
      },
    },
    ledger: { auditIntervalS: e.LEDGER_AUDIT_INTERVAL_S },
    audit: { retentionDays: e.AUDIT_RETENTION_DAYS },
    storage: {
      path: resolve(e.STORAGE_PATH),
      maxFileSize: e.MAX_FILE_SIZE,
      backend: e.STORAGE_BACKEND,
      ...(e.STORAGE_BACKEND === 's3' && e.S3_BUCKET
        ? {
            s3: {
              bucket: e.S3_BUCKET,
              region: e.S3_REGION,
              ...(e.S3_ENDPOINT ? { endpoint: e.S3_ENDPOINT } : {}),
              forcePathStyle: e.S3_FORCE_PATH_STYLE,
              ...(e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
                ? {
                    credentials: { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY },
                  }
                : {}),
            },
          }
        : {}),
    },
    scheduling: {
      heartbeatTimeoutS: e.HEARTBEAT_TIMEOUT_S,
      strategy: e.SCHEDULER_STRATEGY,
      placementCandidates: e.PLACEMENT_CANDIDATES,
    },
    heartbeats: {
      minIntervalS: e.HEARTBEAT_INTERVAL_S,
      maxIntervalS: e.HEARTBEAT_INTERVAL_MAX_S,
      budgetPerS: e.HEARTBEAT_BUDGET_PER_S,
      perNodeLimit: e.RATE_LIMIT_HEARTBEATS_PER_NODE,
    },
    heapGrowingPercent: e.HEAP_GROWING_PERCENT,
    tasks: { secretEnvKey: e.TASK_SECRETS_KEY ?? e.VPN_KEY_SECRET ?? e.JWT_SECRET ?? DEVELOPMENT_JWT_SECRET },
    webRoot: resolve(e.WEB_ROOT),
    vpn: {
      subnet: e.VPN_SUBNET,
      endpoint: e.VPN_ENDPOINT.endpoint,
      listenPort: e.VPN_ENDPOINT.listenPort,
      dns: e.VPN_DNS,
      allowedIps: e.VPN_ALLOWED_IPS.length ? e.VPN_ALLOWED_IPS : [e.VPN_SUBNET.cidr],
      keySecret: e.VPN_KEY_SECRET ?? e.JWT_SECRET ?? DEVELOPMENT_JWT_SECRET,
      maxPeersPerUser: e.VPN_MAX_PEERS_PER_USER,
      newAccountPeers: e.VPN_NEW_ACCOUNT_PEERS,
      establishedAfterDays: e.VPN_ESTABLISHED_AFTER_DAYS,
      reservePercent: e.VPN_RESERVE_PERCENT,
      rateLimit: {
        perAddress: e.VPN_PEER_RATE_PER_ADDRESS,
        perUser: e.VPN_PEER_RATE_PER_USER,
        windowS: e.VPN_PEER_RATE_WINDOW_S,
      },
      apply: e.VPN_APPLY,
      interface: e.VPN_SERVER_INTERFACE,
      syncIntervalS: e.VPN_SYNC_INTERVAL_S,
    },
  });
}
