import { DatePipe, DecimalPipe } from '@angular/common';
import { HttpClient, HttpErrorResponse, HttpParams } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import {
  type LedgerMovementView,
  type Page,
  type TaskEvent,
  type TransferResultView,
  USERNAME_RULE,
  type WalletView,
} from '@hivemind/contracts';
import { type Subscription, debounceTime, filter } from 'rxjs';
import { apiError, errorNote, FieldNoteHint } from '@hivemind/ui';
import { SessionStore } from '../../core/session.store';
import { Telemetry } from '../../core/telemetry';
import {
  MEMO_MAX_LENGTH,
  type PendingTransfer,
  checkTransfer,
  counterpartyOf,
  keyFor,
  mayHaveHappened,
  movementKind,
  newIdempotencyKey,
  signedAmount,
} from './transfer';

const HISTORY_PAGE = 25;
/** Task events that move CPT in or out of escrow. */
const MONEY_EVENTS = new Set<TaskEvent>(['submitted', 'finished', 'cancelled']);
type Field = 'to' | 'amount' | 'memo';

/** The user's CPT: balance, escrow and what is free; sending CPT to another user; the ledger. */
@Component({
  selector: 'hm-wallet-page',
  imports: [
    DatePipe,
    DecimalPipe,
    ReactiveFormsModule,
    RouterLink,
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    FieldNoteHint,
    MatProgressBarModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './wallet.page.html',
  styleUrl: './wallet.page.css',
})
export class WalletPage {
  private readonly http = inject(HttpClient);
  private readonly session = inject(SessionStore);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly wallet = signal<WalletView | null>(null);
  protected readonly walletError = signal<string | null>(null);
  protected readonly movements = signal<readonly LedgerMovementView[]>([]);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly historyLoading = signal(false);
  protected readonly historyLoaded = signal(false);
  protected readonly historyError = signal<string | null>(null);

  protected readonly form = inject(NonNullableFormBuilder).group({
    to: [''],
    amount: [null as number | null],
    memo: [''],
  });
  protected readonly sending = signal(false);
  protected readonly result = signal<string | null>(null);
  protected readonly transferError = signal<string | null>(null);
  protected readonly usernameRule = USERNAME_RULE;
  protected readonly errorNote = errorNote;
  protected readonly memoMax = MEMO_MAX_LENGTH;
  protected readonly kind = movementKind;
  protected readonly signed = signedAmount;
  protected readonly counterparty = counterpartyOf;

  /** The transfer being attempted: a retry of the same one reuses its Idempotency-Key. */
  private pending: PendingTransfer | null = null;
  private historyRequest?: Subscription;

  constructor() {
    this.loadWallet();
    this.loadHistory();
    const telemetry = inject(Telemetry);
    telemetry
      .events()
      .pipe(
        filter((f) => f.type === 'task' && MONEY_EVENTS.has(f.event)),
        debounceTime(1000),
        takeUntilDestroyed(),
      )
      .subscribe(() => this.loadWallet());
    telemetry.reconnected.pipe(takeUntilDestroyed()).subscribe(() => {
      this.loadWallet();
      this.loadHistory();
    });
    this.destroyRef.onDestroy(() => this.historyRequest?.unsubscribe());
  }

  protected loadWallet(): void {
    this.http
      .get<WalletView>('/api/wallet')
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (wallet) => {
          this.wallet.set(wallet);
          this.walletError.set(null);
        },
        error: (failure: unknown) => this.walletError.set(apiError(failure).message),
      });
  }

  /** The newest movements, or (more) the page after those shown. */
  protected loadHistory(more = false): void {
    const cursor = more ? this.nextCursor() : null;
    if (more && !cursor) return;
    this.historyRequest?.unsubscribe();
    let params = new HttpParams().set('limit', HISTORY_PAGE);
    if (cursor) params = params.set('cursor', cursor);
    this.historyLoading.set(true);
    this.historyRequest = this.http
      .get<Page<LedgerMovementView>>('/api/wallet/history', { params })
      .subscribe({
        next: (page) => {
          this.movements.update((old) => (more ? [...old, ...page.items] : page.items));
          this.nextCursor.set(page.next_cursor);
          this.historyError.set(null);
          this.historyLoading.set(false);
          this.historyLoaded.set(true);
        },
        error: (failure: unknown) => {
          this.historyError.set(apiError(failure).message);
          this.historyLoading.set(false);
        },
      });
  }

  protected send(): void {
    if (this.sending()) return;
    this.result.set(null);
    this.transferError.set(null);
    const check = checkTransfer(this.form.getRawValue(), this.session.user()?.username);
    if (check.fields) {
      this.showFieldErrors(check.fields);
      return;
    }
    const attempt = keyFor(this.pending, check.request, newIdempotencyKey);
    this.pending = attempt;
    this.sending.set(true);
    this.http
      .post<TransferResultView>('/api/wallet/transfer', check.request, {
        headers: { 'Idempotency-Key': attempt.key },
      })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (done) => {
          const { to, amount } = check.request;
          this.pending = null;
          this.sending.set(false);
          this.wallet.set(done.wallet);
          this.result.set(
            done.created
              ? `Sent ${amount.toLocaleString('en-US')} CPT to ${to}.`
              : `Already sent: ${amount.toLocaleString('en-US')} CPT to ${to} went through on the first try, and was not sent twice.`,
          );
          this.form.reset();
          this.loadHistory();
        },
        error: (failure: unknown) => {
          const status = failure instanceof HttpErrorResponse ? failure.status : 0;
          const uncertain = mayHaveHappened(status);
          if (!uncertain) this.pending = null;
          this.sending.set(false);
          const { message, fields } = apiError(failure);
          const shown = this.showFieldErrors(fields);
          if (!shown || uncertain)
            this.transferError.set(
              uncertain ? `${message} Send again to retry: the CPT cannot be sent twice.` : message,
            );
        },
      });
  }

  /** Puts each message at its field; whether every field named was one of the form's. */
  private showFieldErrors(fields: Record<string, string>): boolean {
    const names = Object.keys(fields);
    for (const name of names) {
      const control = this.form.controls[name as Field] as (typeof this.form.controls)[Field] | undefined;
      control?.setErrors({ message: fields[name] });
      control?.markAsTouched();
    }
    return names.length > 0 && names.every((name) => name in this.form.controls);
  }
}
