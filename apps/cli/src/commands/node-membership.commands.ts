import { type Command } from 'commander';
import { type Cli } from '../context';
import { type JoinOptions, joinPool, leavePool } from '../node/node-membership';
import { withCredentialOptions } from './auth.commands';
import { envPair } from './parsers';

const PREFIX = '--prefix <dir>';
const PREFIX_HELP =
  "root's paths under <dir> (/etc, /var/lib): for packaging and tests; systemctl is not called";

/** `node join <pool>` and `node leave`: this machine as one of the pool's worker nodes. */
export function registerNodeMembershipCommands(program: Command, cli: Cli): void {
  const node = program
    .command('node')
    .description(
      "this machine as a worker node: join a pool (the worker's configuration, a service), leave it",
    );

  withCredentialOptions(node.command('join'))
    .description(
      "sign in, write the worker's configuration (0600) and check Docker; --service installs and starts hivemind-worker.service",
    )
    .argument('<pool>', "the node pool's HTTP address, e.g. https://pool.example.org:8080")
    .option('--name <node>', "this node's name (default: the hostname)")
    .option('--grpc <host:port>', "the pool's gRPC address (default: its host and the gRPC port it reports)")
    .option(
      '--env <NAME=value>',
      'another worker setting, see hivemind-worker --help (repeatable)',
      envPair,
      [],
    )
    .option('--service', 'write, enable and start the systemd unit hivemind-worker.service')
    .option('--insecure', 'allow a plain-HTTP pool on another machine (the password travels in clear text)')
    .option(PREFIX, PREFIX_HELP)
    .action((pool: string, o: JoinOptions) => joinPool(cli, pool, o));

  node
    .command('leave')
    .description("undo join: stop and disable the service, remove its unit and the worker's configuration")
    .option(PREFIX, PREFIX_HELP)
    .action((o: { prefix?: string }) => leavePool(cli, o));
}
