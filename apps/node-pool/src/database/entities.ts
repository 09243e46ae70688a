import { AuditEvent } from '../audit/audit-event.entity';
import { User } from '../accounts/user.entity';
import { LedgerAccount } from '../ledger/ledger-account.entity';
import { LedgerEntry } from '../ledger/ledger-entry.entity';
import { LedgerHold } from '../ledger/ledger-hold.entity';
import { LedgerTransaction } from '../ledger/ledger-transaction.entity';
import { LogChunk } from '../logs/log-chunk.entity';
import { NodeUtilization } from '../nodes/node-utilization.entity';
import { Node } from '../nodes/node.entity';
import { Attempt } from '../scheduling/attempt.entity';
import { Shard } from '../scheduling/shard.entity';
import { Task } from '../scheduling/task.entity';
import { StoredFile } from '../storage/stored-file.entity';
import { VpnPeer } from '../vpn/vpn-peer.entity';
import { VpnServerKey } from '../vpn/vpn-server-key.entity';

export const ENTITIES = [
  User,
  StoredFile,
  Node,
  NodeUtilization,
  Task,
  Shard,
  Attempt,
  LogChunk,
  LedgerAccount,
  LedgerTransaction,
  LedgerEntry,
  LedgerHold,
  VpnServerKey,
  VpnPeer,
  AuditEvent,
];
