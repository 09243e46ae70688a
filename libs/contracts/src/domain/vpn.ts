/** A peer's name: its config downloads as hivemind-<name>.conf. */
export const VPN_PEER_NAME_PATTERN = /^[A-Za-z0-9._-]{1,32}$/;
export const VPN_PEER_NAME_RULE = '1 to 32 characters: letters, digits, ".", "_" or "-"';

/** A WireGuard peer of the pool's VPN: a user's device or a worker node. */
export interface VpnPeerView {
  id: string;
  name: string;
  /** The peer's address inside the VPN subnet. */
  address: string;
  public_key: string;
  /** The user the peer belongs to (a node's peer: the node's owner). */
  owner: string;
  node_id: string | null;
  node_name: string | null;
  /** `pool`: the pool made the key pair and its config is complete; `client`: the client keeps the private key. */
  key_source: 'pool' | 'client';
  created_at: string;
  revoked_at: string | null;
}

export interface VpnPeerCreatedView {
  peer: VpnPeerView;
  /** The peer's wg-quick config; without a PrivateKey line when the client supplied its public key. */
  config: string;
}

export interface VpnServerView {
  public_key: string;
  endpoint: string;
  subnet: string;
  address: string;
  dns: string[];
  allowed_ips: string[];
}
