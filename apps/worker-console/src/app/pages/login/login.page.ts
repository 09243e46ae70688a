import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Router } from '@angular/router';
import { apiError, CredentialFields, type FieldNote, fieldNote, FieldNoteHint } from '@hivemind/ui';
import { ConsoleSession } from '../../core/console-session';
import { WorkerApi } from '../../core/worker-api';

type Field = 'username' | 'password' | 'otp';

const EMPTY: Record<Field, string> = {
  username: 'Enter your HiveMind username',
  password: 'Enter your password',
  otp: 'Enter the code from your authenticator',
};

/** Sign in with the node owner's (or an admin's) HiveMind account, which the worker checks with the pool. */
@Component({
  selector: 'hm-login-page',
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    CredentialFields,
    FieldNoteHint,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './login.page.html',
})
export class LoginPage {
  private readonly api = inject(WorkerApi);
  private readonly router = inject(Router);
  private readonly session = inject(ConsoleSession);

  /** Query parameters: where to go after signing in, and whether the last session expired. */
  readonly returnUrl = input<string>();
  readonly expired = input<string>();

  private readonly fb = inject(NonNullableFormBuilder);
  protected readonly form = this.fb.group({
    username: ['', [Validators.required]],
    password: ['', [Validators.required]],
  });
  /** Asked for once the worker says the account needs it. */
  protected readonly otp = this.fb.control('');
  /** The account has two-factor sign-in: the worker asked for its code. */
  protected readonly otpNeeded = signal(false);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly fieldErrors = signal<Record<string, string>>({});

  protected note(field: Field): FieldNote {
    const control = field === 'otp' ? this.otp : this.form.controls[field];
    return fieldNote({
      refusal: this.fieldErrors()[field],
      problem: control.touched && control.invalid ? EMPTY[field] : undefined,
    });
  }

  protected submit(): void {
    if (this.form.invalid || this.otp.invalid || this.busy()) {
      this.form.markAllAsTouched();
      this.otp.markAsTouched();
      return;
    }
    this.busy.set(true);
    this.error.set(null);
    this.fieldErrors.set({});
    const { username, password } = this.form.getRawValue();
    const otp = this.otp.value;
    this.api.signIn({ username, password, ...(otp ? { otp } : {}) }).subscribe({
      next: (session) => {
        this.session.start(session);
        const target = this.returnUrl();
        void this.router.navigateByUrl(
          target?.startsWith('/') && !target.startsWith('//') ? target : '/dashboard',
        );
      },
      error: (failure: unknown) => {
        const { message, fields } = apiError(failure, 'The worker');
        if (
          failure instanceof HttpErrorResponse &&
          (failure.error as { otp_required?: boolean })?.otp_required
        ) {
          this.otpNeeded.set(true);
          this.otp.setValidators(Validators.required);
        }
        const retry = failure instanceof HttpErrorResponse ? failure.headers.get('Retry-After') : null;
        this.busy.set(false);
        this.fieldErrors.set(fields);
        this.error.set(
          Object.keys(fields).length ? null : retry ? `${message} Try again in ${retry} s.` : message,
        );
      },
    });
  }
}
