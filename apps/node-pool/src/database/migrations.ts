import { InitialSchema1795392000000 } from './migrations/1795392000000-initial-schema';
import { LedgerSystemAccounts1795478400000 } from './migrations/1795478400000-ledger-system-accounts';
import { ResultValidation1795564800000 } from './migrations/1795564800000-result-validation';
import { TaskSecretEnv1795651200000 } from './migrations/1795651200000-task-secret-env';
import { ValidatorStep1795737600000 } from './migrations/1795737600000-validator-step';
import { AuditEvents1795824000000 } from './migrations/1795824000000-audit-events';
import { NodeChanges1795910400000 } from './migrations/1795910400000-node-changes';
import { TaskClientRefs1795996800000 } from './migrations/1795996800000-task-client-refs';
import { AttemptsByNode1796083200000 } from './migrations/1796083200000-attempts-by-node';

/** Every migration, in order. New ones are appended here (explicit beats a glob over dist/). */
export const MIGRATIONS = [
  InitialSchema1795392000000,
  LedgerSystemAccounts1795478400000,
  ResultValidation1795564800000,
  TaskSecretEnv1795651200000,
  ValidatorStep1795737600000,
  AuditEvents1795824000000,
  NodeChanges1795910400000,
  TaskClientRefs1795996800000,
  AttemptsByNode1796083200000,
];
