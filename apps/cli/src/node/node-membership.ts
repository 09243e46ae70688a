import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { type SystemStatusView } from '@hivemind/contracts';
import { formatEnvFile } from '@hivemind/config';
import { writePrivateFile } from '../config/private-file';
import { type Cli } from '../context';
import { CliError, UsageError } from '../exit-codes';
import { credentials, type CredentialOptions, startSession, trustIfAsked } from '../commands/auth.commands';
import { checkDocker, systemctl, systemdRunning, workerLauncher } from './worker-host';
import { WORKER_UNIT, type WorkerPaths, grpcAddressOf, workerPaths, workerUnit } from './worker-service';

export interface JoinOptions extends CredentialOptions {
  name?: string;
  grpc?: string;
  env: string[];
  service?: boolean;
  insecure?: boolean;
  prefix?: string;
}

const isRoot = () => process.getuid?.() === 0;
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * `hivemind node join <pool>`: signs in (the login's trust flow), writes the worker's configuration
 * (0600: it holds the password the worker signs in with), checks Docker, and with --service writes,
 * enables and starts hivemind-worker.service.
 */
export async function joinPool(cli: Cli, pool: string, o: JoinOptions): Promise<void> {
  cli.useServer(pool);
  const server = cli.server;
  const url = new URL(server);
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname) && !o.insecure)
    throw new UsageError(
      `${server} is plain HTTP: the worker would send your password in clear text; use the pool's https:// address, or --insecure`,
    );
  await trustIfAsked(cli, o.trust);
  const login = await credentials(cli, o, false);
  await startSession(cli, '/api/auth/login', login);

  const grpc = o.grpc ?? (await poolGrpcAddress(cli, server));
  const paths = workerPaths(cli.io.env, isRoot(), o.prefix);
  const ca = cli.caPem();
  const values: Record<string, string | undefined> = {
    NODE_POOL_ADDRESS: grpc,
    NODE_POOL_TLS: url.protocol === 'https:' ? 'true' : 'false',
    NODE_POOL_CA_FILE: url.protocol === 'https:' && ca ? paths.caFile : undefined,
    NODE_POOL_INSECURE: url.protocol === 'http:' && o.insecure ? 'true' : undefined,
    NODE_ID:
      o.name ??
      hostname()
        .replace(/[^A-Za-z0-9_.-]/g, '-')
        .slice(0, 64),
    HIVEMIND_USERNAME: login.username,
    HIVEMIND_PASSWORD: login.password,
    WORK_DIR: paths.workDir,
    DOCKER_HOST: cli.io.env.DOCKER_HOST,
    ...Object.fromEntries(
      o.env.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    ),
  };
  mkdirSync(dirname(paths.configFile), { recursive: true, mode: 0o700 });
  mkdirSync(paths.workDir, { recursive: true, mode: 0o700 });
  if (values.NODE_POOL_CA_FILE && ca) writeFileSync(paths.caFile, ca, { mode: 0o644 });
  writePrivateFile(
    paths.configFile,
    formatEnvFile(values, [
      `The HiveMind worker's configuration, written by \`hivemind node join ${server}\`.`,
      'It holds the owner account password: keep it readable by its owner only (0600).',
      'Every variable is in `hivemind-worker --help`; the environment wins over this file.',
    ]),
  );
  const out = cli.out;
  out.line(
    `Wrote the worker's configuration to ${paths.configFile} (mode 0600): node ${values.NODE_ID}, pool ${grpc}.`,
  );

  const docker = await checkDocker(values);
  out.line(
    docker.usable
      ? `Docker: usable (${docker.why}).`
      : `Docker: not usable, ${docker.why}; until it is, the worker runs tasks as processes and the node is in the low trust group.`,
  );

  if (!o.service) {
    out.line(`Start the worker: hivemind-worker --config ${paths.configFile}`);
    return;
  }
  installService(cli, paths, server);
}

function installService(cli: Cli, paths: WorkerPaths, server: string): void {
  const launcher = workerLauncher();
  if (!launcher)
    throw new CliError('cannot find bin/hivemind-worker.js next to this CLI to run as a service');
  mkdirSync(dirname(paths.unitFile), { recursive: true });
  writeFileSync(
    paths.unitFile,
    workerUnit({
      scope: paths.scope,
      node: process.execPath,
      launcher,
      configFile: paths.configFile,
      workDir: paths.workDir,
      pool: server,
    }),
    { mode: 0o644 },
  );
  const out = cli.out;
  out.line(`Wrote ${paths.unitFile}.`);
  const how =
    paths.scope === 'user'
      ? `systemctl --user daemon-reload && systemctl --user enable --now ${WORKER_UNIT} (and \`loginctl enable-linger\` to keep it running after you log out)`
      : `systemctl daemon-reload && systemctl enable --now ${WORKER_UNIT}`;
  if (paths.prefixed || !systemdRunning()) {
    out.line(
      `${paths.prefixed ? 'Under --prefix' : 'systemd is not running here'}: not started. On the machine, run: ${how}`,
    );
    return;
  }
  for (const args of [['daemon-reload'], ['enable', '--now', WORKER_UNIT]]) {
    const result = systemctl(paths.scope, args);
    if (!result.ok) throw new CliError(`systemctl ${args.join(' ')} failed: ${result.output}`);
  }
  out.line(
    `Started ${WORKER_UNIT} (enabled at boot). Its log: journalctl ${paths.scope === 'user' ? '--user ' : ''}-u hivemind-worker -f`,
  );
}

/** The gRPC address of the pool: its host as given, and the port of the replica that answered. */
async function poolGrpcAddress(cli: Cli, server: string): Promise<string> {
  const status = await cli.api().request<SystemStatusView>('GET', '/api/system/status');
  const replica = status.replicas.find((r) => r.id === status.replica_id) ?? status.replicas[0];
  if (!replica)
    throw new CliError(
      `${server} did not say its gRPC port (no replica listed): give it with --grpc host:port`,
    );
  return grpcAddressOf(server, replica.grpc_port);
}

/** `hivemind node leave`: stops and disables the service, removes the unit and the configuration. */
export function leavePool(cli: Cli, o: { prefix?: string }): void {
  const paths = workerPaths(cli.io.env, isRoot(), o.prefix);
  const out = cli.out;
  const unit = existsSync(paths.unitFile);
  if (!unit && !existsSync(paths.configFile)) {
    out.line(`This machine has not joined a pool (no ${paths.configFile}).`);
    return;
  }
  if (unit && !paths.prefixed && systemdRunning()) {
    const stopped = systemctl(paths.scope, ['disable', '--now', WORKER_UNIT]);
    if (!stopped.ok) throw new CliError(`systemctl disable --now ${WORKER_UNIT} failed: ${stopped.output}`);
    out.line(`Stopped and disabled ${WORKER_UNIT}.`);
  }
  for (const file of [paths.unitFile, paths.configFile, paths.caFile]) {
    if (!existsSync(file)) continue;
    rmSync(file);
    out.line(`Removed ${file}.`);
  }
  if (unit && !paths.prefixed && systemdRunning()) systemctl(paths.scope, ['daemon-reload']);
  if (existsSync(paths.workDir))
    out.line(`Kept ${paths.workDir} (task workspaces and spooled results); remove it when no task runs.`);
}
