import { type Command } from 'commander';
import { toString as qrText } from 'qrcode';
import { type VpnPeerCreatedView, type VpnPeerView } from '@hivemind/contracts';
import { generateKeyPair } from '@hivemind/contracts/wireguard';
import { type ApiClient } from '../api/api-client';
import { type Cli } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { ago } from '../output/format';
import { writePrivateFile } from '../config/private-file';

interface ConfigOptions {
  name?: string;
  peer?: string;
  node?: string;
  ownKey?: boolean;
  out?: string;
  qr?: boolean;
}

/** `vpn config | list | revoke | server-config`: WireGuard access to the pool's network. */
export function registerVpnCommands(program: Command, cli: Cli): void {
  const vpn = program
    .command('vpn')
    .description('WireGuard VPN: get a config for this device, list and revoke peers')
    .addHelpText(
      'after',
      `
Examples:
  hivemind vpn config --name laptop --out hivemind-laptop.conf
  hivemind vpn config --own-key --out wg-hm.conf    the private key is made here and never sent
  hivemind vpn config --name phone --qr             scan it with the WireGuard app
  hivemind vpn config --peer laptop                 the config of a peer you already have`,
    );

  vpn
    .command('config')
    .description('a new peer for this device (or --peer: an existing one) and its WireGuard config')
    .option('--name <name>', "the peer's name (default: the pool picks one)")
    .option('--peer <peer>', 'an existing peer (its name or id): download its config again')
    .option('--node <node>', 'the peer of a worker node you own (its name or id)')
    .option('--own-key', 'make the key pair here: the pool only ever sees the public key')
    .option('-o, --out <file>', 'write the config to this file (mode 0600) instead of printing it')
    .option('--qr', 'also print the config as a QR code, for the WireGuard app on a phone')
    .action(async (o: ConfigOptions) => {
      if (o.peer && (o.name || o.node || o.ownKey)) {
        throw new CliError(
          '--peer downloads an existing peer: leave out --name, --node and --own-key',
          ExitCode.Usage,
        );
      }
      const api = cli.api();
      let peer: VpnPeerView;
      let config: string;
      if (o.peer) {
        peer = await findPeer(api, o.peer);
        config = await (await api.send('GET', `/api/vpn/peers/${peer.id}/config`)).text();
        if (peer.key_source === 'client') {
          cli.io.err(
            `hivemind: ${peer.name} has your own key: put its private key on the PrivateKey line (the pool never had it)\n`,
          );
        }
      } else {
        const keys = o.ownKey ? generateKeyPair() : undefined;
        const created = await api.request<VpnPeerCreatedView>('POST', '/api/vpn/peers', {
          json: { name: o.name, node: o.node, public_key: keys?.publicKey },
        });
        peer = created.peer;
        config = keys
          ? created.config.replace(/^# PrivateKey = .*$/m, `PrivateKey = ${keys.privateKey}`)
          : created.config;
      }
      if (o.out) writePrivateFile(o.out, config);
      if (cli.json) return cli.out.document({ peer, config, ...(o.out ? { file: o.out } : {}) });
      if (o.out) {
        cli.out.line(`Peer ${peer.name} at ${peer.address}: config written to ${o.out} (mode 0600).`);
        cli.out.line(
          cli.out.c.dim(
            `Bring it up: sudo wg-quick up ./${o.out}   (the file name, up to 15 characters, names the interface)`,
          ),
        );
      } else {
        cli.io.out(config);
      }
      if (o.qr)
        cli.io.out(await qrText(config, { type: 'terminal', small: true, errorCorrectionLevel: 'M' }));
    });

  vpn
    .command('list')
    .description('your VPN peers (admins: --all for everyone’s)')
    .option('--all', 'admins: every user’s peers')
    .option('--revoked', 'include revoked peers')
    .action(async (o: { all?: boolean; revoked?: boolean }) => {
      const answer = await cli.api().request<{ items: VpnPeerView[] }>('GET', '/api/vpn/peers', {
        query: { all: o.all ? true : undefined, include_revoked: o.revoked ? true : undefined },
      });
      if (cli.json) return cli.out.document(answer);
      const c = cli.out.c;
      cli.out.table(
        ['NAME', 'ADDRESS', 'OWNER', 'NODE', 'KEY', 'ADDED', 'ID'],
        answer.items.map((p) => [
          p.revoked_at ? c.dim(`${p.name} (revoked)`) : p.name,
          p.address,
          p.owner,
          p.node_name ?? c.dim('-'),
          p.key_source === 'pool' ? 'pool' : 'yours',
          ago(p.created_at),
          p.id,
        ]),
        'No VPN peers: `hivemind vpn config` makes one.',
      );
    });

  vpn
    .command('revoke')
    .description('revoke a peer: its config stops working and its address is free again')
    .argument('<peer>', 'the peer’s name or id')
    .action(async (ref: string) => {
      const api = cli.api();
      const peer = await findPeer(api, ref);
      const revoked = await api.request<VpnPeerView>('DELETE', `/api/vpn/peers/${peer.id}`);
      if (cli.json) return cli.out.document(revoked);
      cli.out.line(`Revoked ${revoked.name} (${revoked.address}).`);
    });

  vpn
    .command('server-config')
    .description("admins: the VPN server's wg0.conf with every active peer")
    .option('-o, --out <file>', 'write it to this file (mode 0600)')
    .action(async (o: { out?: string }) => {
      const text = await (await cli.api().send('GET', '/api/admin/vpn/server-config')).text();
      if (!o.out) return cli.io.out(text);
      writePrivateFile(o.out, text);
      cli.out.line(`Written to ${o.out}; apply it: wg syncconf wg0 <(wg-quick strip ${o.out})`);
    });
}

/** One of the caller's active peers by id or name (admins: anyone's, by id). */
async function findPeer(api: ApiClient, ref: string): Promise<VpnPeerView> {
  const { items } = await api.request<{ items: VpnPeerView[] }>('GET', '/api/vpn/peers');
  const found = items.filter((p) => p.id === ref || p.name === ref);
  if (found.length === 1) return found[0];
  if (found.length > 1) throw new CliError(`${found.length} of your peers are named ${ref}: give its id`);
  if (/^[0-9a-f-]{36}$/i.test(ref)) {
    // an admin may name anyone's peer by its id
    const everyone = await api
      .request<{ items: VpnPeerView[] }>('GET', '/api/vpn/peers', { query: { all: true } })
      .catch(() => ({ items: [] }));
    const peer = everyone.items.find((p) => p.id === ref);
    if (peer) return peer;
  }
  throw new CliError(`no VPN peer ${ref} of yours (\`hivemind vpn list\`)`);
}
