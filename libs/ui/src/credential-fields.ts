import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { type FormControl, type FormGroup, ReactiveFormsModule } from '@angular/forms';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { type FieldNote, FieldNoteHint } from './field-note';

export type Credentials = FormGroup<{ username: FormControl<string>; password: FormControl<string> }>;

/**
 * The username and password of a sign-in form (both consoles sign in with a HiveMind account):
 * `<hm-credential-fields [group]="form" [notes]="…" />` inside the page's own `<form>`, whose
 * submit Enter in either field triggers.
 */
@Component({
  selector: 'hm-credential-fields',
  imports: [ReactiveFormsModule, MatFormFieldModule, MatInputModule, FieldNoteHint],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="fields" [formGroup]="group()">
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Username</mat-label>
        <input
          matInput
          id="username"
          formControlName="username"
          autocomplete="username"
          autocapitalize="none"
          spellcheck="false"
        />
        <mat-hint [hmFieldNote]="notes().username" />
      </mat-form-field>

      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Password</mat-label>
        <input
          matInput
          id="password"
          type="password"
          formControlName="password"
          [autocomplete]="newPassword() ? 'new-password' : 'current-password'"
        />
        <mat-hint [hmFieldNote]="notes().password" />
      </mat-form-field>
    </div>
  `,
  styles: `
    :host,
    .fields {
      display: contents;
    }
  `,
})
export class CredentialFields {
  readonly group = input.required<Credentials>();
  readonly notes = input.required<{ username: FieldNote; password: FieldNote }>();
  /** Registering: the browser may suggest a new password. */
  readonly newPassword = input(false);
}
