import { ChangeDetectionStrategy, Component, input } from '@angular/core';

/** How saving one field went: in progress, saved, or the server's refusal. */
export type FieldState = { saving: true } | { saved: true } | { error: string };

/** The line next to a control saying how its last change went; announced when it changes. */
@Component({
  selector: 'hm-field-message',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { 'aria-live': 'polite' },
  template: `
    @let s = state();
    @if (s && 'error' in s) {
      <span class="error" data-testid="user-error">{{ s.error }}</span>
    } @else if (s && 'saved' in s) {
      <span class="saved" data-testid="user-saved">✓ Saved</span>
    } @else if (s) {
      <span class="muted">Saving…</span>
    }
  `,
  styles: `
    :host {
      display: block;
      min-height: 1.2em;
      margin-top: 0.2rem;
      font-size: 0.8rem;
      max-width: 16rem;
    }
    .error {
      color: var(--hm-danger);
    }
    .saved {
      color: var(--hm-accent);
    }
    .muted {
      color: var(--hm-muted);
    }
  `,
})
export class FieldMessage {
  readonly state = input<FieldState | undefined>();
}
