import { randomUUID } from 'node:crypto';
import { type Command } from 'commander';
import { type TransferResultView, type WalletView } from '@hivemind/contracts';
import { type Cli } from '../context';
import { walletLine } from '../output/format';
import { numberParser } from './parsers';

/** `balance`, `transfer`. */
export function registerWalletCommands(program: Command, cli: Cli): void {
  program
    .command('balance')
    .description('your CPT: balance, held in escrow for unfinished tasks, available')
    .action(async () => {
      const wallet = await cli.api().request<WalletView>('GET', '/api/wallet');
      if (cli.json) return cli.out.document(wallet);
      cli.out.line(walletLine(wallet));
    });

  program
    .command('transfer')
    .description('send CPT to another user')
    .argument('<user>', "the receiver's username")
    .argument('<amount>', 'whole CPT, at least 1', numberParser({ integer: true, min: 1 }))
    .option('--memo <text>', 'a note the receiver sees')
    .option('--idempotency-key <key>', 'a retry with the same key transfers once (default: a new key)')
    .action(async (user: string, amount: number, o: { memo?: string; idempotencyKey?: string }) => {
      const result = await cli.api().request<TransferResultView>('POST', '/api/wallet/transfer', {
        json: { to: user, amount, memo: o.memo },
        headers: { 'idempotency-key': o.idempotencyKey ?? randomUUID() },
      });
      if (cli.json) return cli.out.document(result);
      cli.out.line(
        `${result.created ? 'Sent' : 'Already sent'} ${amount} CPT to ${user} (transaction ${result.transaction_id}).`,
      );
      cli.out.line(walletLine(result.wallet));
    });
}
