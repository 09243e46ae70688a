import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Router, RouterLink } from '@angular/router';
import { PASSWORD_MIN_LENGTH, type SessionView, USERNAME_RULE } from '@hivemind/contracts';
import { apiError, CredentialFields, type FieldNote, fieldNote } from '@hivemind/ui';
import { SessionStore } from '../../core/session.store';

type Mode = 'login' | 'register';
type Field = 'username' | 'password';

const EMPTY: Record<Field, string> = { username: 'Enter your username', password: 'Enter your password' };
const RULES: Record<Field, string> = {
  username: USERNAME_RULE,
  password: `At least ${PASSWORD_MIN_LENGTH} characters, hard to guess`,
};

/** Sign in and create an account: one form, two modes (route data `mode`). */
@Component({
  selector: 'hm-auth-page',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatButtonModule,
    MatCardModule,
    MatProgressBarModule,
    CredentialFields,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './auth.page.html',
  styleUrl: './auth.page.css',
})
export class AuthPage {
  private readonly http = inject(HttpClient);
  private readonly router = inject(Router);
  private readonly session = inject(SessionStore);

  /** Route data. */
  readonly mode = input<Mode>('login');
  /** Query parameters: where to go after signing in, and whether the last session expired. */
  readonly returnUrl = input<string>();
  readonly expired = input<string>();

  protected readonly registering = computed(() => this.mode() === 'register');
  protected readonly form = inject(NonNullableFormBuilder).group({
    username: ['', [Validators.required]],
    password: ['', [Validators.required]],
  });
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly fieldErrors = signal<Record<string, string>>({});

  /** Under a field: the pool's refusal, else a reminder once it was left empty, else (registering) its rule. */
  protected note(field: Field): FieldNote {
    const control = this.form.controls[field];
    return fieldNote({
      refusal: this.fieldErrors()[field],
      problem: control.touched && control.invalid ? EMPTY[field] : undefined,
      hint: this.registering() ? RULES[field] : undefined,
    });
  }

  protected submit(): void {
    if (this.form.invalid || this.busy()) {
      this.form.markAllAsTouched();
      return;
    }
    this.busy.set(true);
    this.error.set(null);
    this.fieldErrors.set({});
    const path = this.registering() ? '/api/auth/register' : '/api/auth/login';
    this.http.post<SessionView>(path, this.form.getRawValue()).subscribe({
      next: (session) => {
        this.session.start(session);
        const target = this.returnUrl();
        void this.router.navigateByUrl(target?.startsWith('/') && !target.startsWith('//') ? target : '/');
      },
      error: (failure: unknown) => {
        const { message, fields } = apiError(failure);
        this.busy.set(false);
        this.fieldErrors.set(fields);
        this.error.set(Object.keys(fields).length ? null : message);
      },
    });
  }
}
