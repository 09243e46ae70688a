import { DatePipe } from '@angular/common';
import { HttpClient } from '@angular/common/http';
import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  computed,
  inject,
  input,
  linkedSignal,
  signal,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { type UserView, UserRole } from '@hivemind/contracts';
import { apiError } from '@hivemind/ui';
import { FieldMessage, type FieldState } from './field-message';
import {
  TRUST_SCORE_MAX,
  TRUST_SCORE_MIN,
  type UserChange,
  type UserField,
  fieldOf,
  parseTrustScore,
  refusalFor,
  withField,
} from './user-edits';

/**
 * One user in the admin table, with their role, trust score and disabled flag editable. Each
 * change is saved on its own (role and disabled at once, trust with Save or Enter); the server's
 * answer or refusal shows next to the control, and a refused change goes back to the saved value.
 */
@Component({
  selector: 'tr[hmUserRow]',
  imports: [DatePipe, MatButtonModule, FieldMessage],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './user-row.html',
  styleUrl: './user-row.css',
})
export class UserRow {
  private readonly http = inject(HttpClient);
  private readonly destroyRef = inject(DestroyRef);

  readonly user = input.required<UserView>();
  /** The signed-in admin's own row. */
  readonly self = input(false);

  protected readonly roles = [UserRole.User, UserRole.Admin];
  protected readonly trustMin = TRUST_SCORE_MIN;
  protected readonly trustMax = TRUST_SCORE_MAX;
  protected readonly current = linkedSignal(() => this.user());
  protected readonly trustText = linkedSignal(() => String(this.current().trust_score));
  /** A choice being saved, shown until the server answers. */
  private readonly roleDraft = signal<UserRole | null>(null);
  private readonly disabledDraft = signal<boolean | null>(null);
  protected readonly role = computed(() => this.roleDraft() ?? this.current().role);
  protected readonly disabled = computed(() => this.disabledDraft() ?? this.current().disabled);
  protected readonly states = signal<Partial<Record<UserField, FieldState>>>({});
  /** The latest request per field: an older answer arriving late is ignored. */
  private readonly latest: Record<UserField, number> = { role: 0, trust_score: 0, disabled: 0 };

  protected messageId(field: UserField): string {
    return `user-${this.current().id}-${field}`;
  }

  protected changeRole(event: Event): void {
    const role = (event.target as HTMLSelectElement).value as UserRole;
    this.roleDraft.set(role);
    this.save({ role });
  }

  protected changeDisabled(event: Event): void {
    const disabled = (event.target as HTMLInputElement).checked;
    this.disabledDraft.set(disabled);
    this.save({ disabled });
  }

  /** Typing a new score puts away how the last one went. */
  protected editTrust(text: string): void {
    this.trustText.set(text);
    const state = this.states()['trust_score'];
    if (state && !('saving' in state)) this.states.update(({ trust_score: _, ...rest }) => rest);
  }

  protected saveTrust(event: Event): void {
    event.preventDefault();
    const parsed = parseTrustScore(this.trustText());
    if ('error' in parsed) this.setState('trust_score', { error: parsed.error });
    else this.save({ trust_score: parsed.value });
  }

  private save(change: UserChange): void {
    const field = fieldOf(change);
    const request = ++this.latest[field];
    this.setState(field, { saving: true });
    this.http
      .patch<UserView>(`/api/admin/users/${this.current().id}`, change)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (answer) => {
          if (request !== this.latest[field]) return;
          this.current.update((shown) => withField(shown, answer, field));
          this.clearDraft(field);
          this.setState(field, { saved: true });
        },
        error: (failure: unknown) => {
          if (request !== this.latest[field]) return;
          this.clearDraft(field);
          this.setState(field, { error: refusalFor(field, apiError(failure)) });
        },
      });
  }

  private clearDraft(field: UserField): void {
    if (field === 'role') this.roleDraft.set(null);
    if (field === 'disabled') this.disabledDraft.set(null);
  }

  private setState(field: UserField, state: FieldState): void {
    this.states.update((states) => ({ ...states, [field]: state }));
  }
}
