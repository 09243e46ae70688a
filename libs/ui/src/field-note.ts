import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import type { AbstractControl } from '@angular/forms';

/**
 * What a form field says under it: the server's refusal (announced, as an alert), what is wrong
 * with its value (an error), or a hint.
 */
export interface FieldNote {
  tone: 'alert' | 'error' | 'hint';
  text: string;
}

/** The most pressing of what there is to say: a refusal, else a problem, else the hint ('' for none). */
export function fieldNote(say: { refusal?: string; problem?: string; hint?: string }): FieldNote {
  if (say.refusal) return { tone: 'alert', text: say.refusal };
  if (say.problem) return { tone: 'error', text: say.problem };
  return { tone: 'hint', text: say.hint ?? '' };
}

/** For pages that keep the server's word on a field as the control's `message` error. */
export function errorNote(control: AbstractControl, hint = ''): FieldNote {
  return fieldNote({ problem: control.errors?.['message'] as string | undefined, hint });
}

/**
 * A field's note, as the form field's hint: `<mat-hint [hmFieldNote]="note" />` inside a
 * mat-form-field. It is one mat-hint whatever the tone (Material projects its subscript by element,
 * so the element cannot change with the tone); an error looks like Material's mat-error, and the
 * input stays described by it. Hidden when there is nothing to say.
 */
@Component({
  selector: 'mat-hint[hmFieldNote]',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `{{ note().text }}`,
  host: {
    '[class.field-error]': "note().tone === 'alert'",
    '[class.field-problem]': "note().tone === 'error'",
    '[attr.role]': "note().tone === 'alert' ? 'alert' : null",
    '[hidden]': '!note().text',
  },
  styles: `
    :host(.field-error) {
      margin: 0;
      color: var(--hm-danger);
    }
    /* as Material's mat-error */
    :host(.field-problem) {
      display: block;
      color: var(--mat-form-field-error-text-color, var(--mat-sys-error));
    }
  `,
})
export class FieldNoteHint {
  readonly note = input.required<FieldNote>({ alias: 'hmFieldNote' });
}
