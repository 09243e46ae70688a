import { ChangeDetectionStrategy, Component, input } from '@angular/core';

/** A node's status (online, draining, offline) or trust group (high, normal, low) as a coloured pill. */
@Component({
  selector: 'hm-node-badge',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `{{ value() }}`,
  host: { '[class]': 'value()' },
  styles: `
    :host {
      display: inline-block;
      padding: 0.05rem 0.55rem;
      border: 1px solid currentColor;
      border-radius: 1rem;
      font-size: 0.8rem;
      line-height: 1.4;
      white-space: nowrap;
      color: var(--hm-muted);
      background: color-mix(in srgb, currentColor 14%, transparent);
    }
    :host(.online),
    :host(.high) {
      color: #81c784;
    }
    :host(.normal) {
      color: #4dd0e1;
    }
    :host(.draining),
    :host(.low) {
      color: #ffb74d;
    }
  `,
})
export class NodeBadge {
  readonly value = input.required<string>();
}
