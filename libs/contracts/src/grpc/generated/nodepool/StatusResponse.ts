// Original file: libs/contracts/proto/nodepool.proto

import type { Long } from '@grpc/proto-loader';

export interface StatusResponse {
  'success'?: (boolean);
  'message'?: (string);
  /**
   * HiveMind additions, each set by the rpcs named:
   */
  'node_credential'?: (string);
  /**
   * RegisterWorkerNode: the node's id in the pool
   */
  'node_uuid'?: (string);
  /**
   * attempt reports: the attempt is fenced off; kill its container
   */
  'stop'?: (boolean);
  /**
   * StoreLogs / ReportOutput: the attempt's last stored log sequence number
   */
  'acked_seq'?: (number | string | Long);
  /**
   * RegisterWorkerNode / ReportStatus: the node's credit score and trust group as the pool last read
   * them (at most a minute old)
   */
  'credit_score'?: (number);
  /**
   * high | normal | low
   */
  'trust_group'?: (string);
  /**
   * RegisterWorkerNode (with csr_pem) / RenewNodeCertificate: the node's client certificate (PEM) and
   * when it expires (unix ms); renew it before then
   */
  'client_certificate'?: (string);
  'client_certificate_expires_at'?: (number | string | Long);
  /**
   * RegisterWorkerNode / ReportStatus: heartbeat again after this many seconds (the pool stretches it
   * as the cluster grows, to stay within its heartbeats-per-second budget); 0 from an older pool
   */
  'heartbeat_interval_s'?: (number);
  /**
   * ReportStatus: the node is declared lost after this many seconds without a heartbeat
   */
  'heartbeat_timeout_s'?: (number);
  /**
   * RegisterWorkerNode: the node's owner (the account that registered it), so that the worker's own
   * console can tell its owner from other accounts; set at registration only (heartbeats touch no
   * database)
   */
  'owner_id'?: (string);
  'owner_username'?: (string);
  /**
   * RegisterWorkerNode: CPT the node's attempts have earned its owner so far (whole CPT), read once
   * at registration
   */
  'cpt_earned'?: (number | string | Long);
}

export interface StatusResponse__Output {
  'success': (boolean);
  'message': (string);
  /**
   * HiveMind additions, each set by the rpcs named:
   */
  'node_credential': (string);
  /**
   * RegisterWorkerNode: the node's id in the pool
   */
  'node_uuid': (string);
  /**
   * attempt reports: the attempt is fenced off; kill its container
   */
  'stop': (boolean);
  /**
   * StoreLogs / ReportOutput: the attempt's last stored log sequence number
   */
  'acked_seq': (string);
  /**
   * RegisterWorkerNode / ReportStatus: the node's credit score and trust group as the pool last read
   * them (at most a minute old)
   */
  'credit_score': (number);
  /**
   * high | normal | low
   */
  'trust_group': (string);
  /**
   * RegisterWorkerNode (with csr_pem) / RenewNodeCertificate: the node's client certificate (PEM) and
   * when it expires (unix ms); renew it before then
   */
  'client_certificate': (string);
  'client_certificate_expires_at': (string);
  /**
   * RegisterWorkerNode / ReportStatus: heartbeat again after this many seconds (the pool stretches it
   * as the cluster grows, to stay within its heartbeats-per-second budget); 0 from an older pool
   */
  'heartbeat_interval_s': (number);
  /**
   * ReportStatus: the node is declared lost after this many seconds without a heartbeat
   */
  'heartbeat_timeout_s': (number);
  /**
   * RegisterWorkerNode: the node's owner (the account that registered it), so that the worker's own
   * console can tell its owner from other accounts; set at registration only (heartbeats touch no
   * database)
   */
  'owner_id': (string);
  'owner_username': (string);
  /**
   * RegisterWorkerNode: CPT the node's attempts have earned its owner so far (whole CPT), read once
   * at registration
   */
  'cpt_earned': (string);
}
