// How the worker console writes figures. Pure.
import { type WorkerNodeView, type VpnView } from '@hivemind/contracts';

/** "1 h 02 min", "3 min 05 s", "42 s" */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
  return `${s} s`;
}

/** "12.5 %" (one decimal at most), "–" when unknown */
export function percent(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value)
    ? '–'
    : `${Math.round(value * 10) / 10} %`;
}

/** A task's share of the node: "0.25 cores · 256 MB memory · 1024 MB disk" */
export function share(r: { cpu_millicores: number; memory_mb: number; storage_mb: number }): string {
  return `${r.cpu_millicores / 1000} cores · ${r.memory_mb} MB memory · ${r.storage_mb} MB disk`;
}

/** The trust score and group as the pool last gave them, or why there is none yet. */
export function trust(node: Pick<WorkerNodeView, 'trust_score' | 'trust_group'>): string {
  if (node.trust_score === null || node.trust_score === undefined) return 'not known yet';
  return `${node.trust_score}${node.trust_group ? ` (${node.trust_group})` : ''}`;
}

/** The VPN's state in one line. */
export function vpnLine(vpn: VpnView | null | undefined): string {
  if (!vpn || vpn.state === 'disabled') return 'not used (VPN_AUTO_JOIN is off)';
  if (vpn.message) return vpn.message;
  const where = vpn.address ? ` — this node ${vpn.address}` : '';
  return `${vpn.state}${where}${vpn.error ? `: ${vpn.error}` : ''}`;
}

/**
 * What the banner says while the node pool cannot be reached, or null while it can: the console
 * then shows the identity the worker cached at its last registration or heartbeat.
 */
export function poolBanner(node: WorkerNodeView | null, offlineSession: boolean): string | null {
  if (node && !node.pool.connected) {
    const why = node.pool.last_error ? `: ${node.pool.last_error}` : '';
    const cached = node.cached_at ? ` as of ${new Date(node.cached_at).toLocaleString()}` : '';
    return `The node pool at ${node.pool.address} cannot be reached${why}. Showing this node as the pool last described it${cached}.`;
  }
  if (offlineSession)
    return 'Signed in while the node pool was unreachable: your account was checked against this worker’s cache.';
  return null;
}
