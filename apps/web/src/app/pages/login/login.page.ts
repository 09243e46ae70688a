import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { USERNAME_RULE } from '@hivemind/contracts';

/**
 * Sign-in (placeholder of the foundation): posts to /api/auth/login and shows the server's answer.
 * Accounts, sessions and registration arrive with the users issue.
 */
@Component({
  selector: 'hm-login-page',
  imports: [ReactiveFormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './login.page.html',
  styleUrl: './login.page.css',
})
export class LoginPage {
  private readonly http = inject(HttpClient);
  protected readonly usernameRule = USERNAME_RULE;
  protected readonly form = inject(NonNullableFormBuilder).group({
    username: ['', [Validators.required]],
    password: ['', [Validators.required]],
  });
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  protected submit(): void {
    if (this.form.invalid || this.busy()) {
      this.form.markAllAsTouched();
      return;
    }
    this.busy.set(true);
    this.error.set(null);
    this.http.post('/api/auth/login', this.form.getRawValue()).subscribe({
      next: () => this.busy.set(false),
      error: (response: HttpErrorResponse) => {
        this.busy.set(false);
        this.error.set(
          response.status === 404
            ? 'Sign-in is not available on this node pool yet.'
            : ((response.error as { message?: string } | null)?.message ??
                `Sign-in failed (${response.status}).`),
        );
      },
    });
  }
}
