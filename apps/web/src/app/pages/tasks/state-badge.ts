import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

export type StateTone = 'waiting' | 'running' | 'done' | 'failed' | 'off';

/** The colour family of a task, shard or attempt state. */
export function stateTone(state: string): StateTone {
  switch (state.toUpperCase()) {
    case 'QUEUED':
    case 'ASSIGNED':
      return 'waiting';
    case 'RUNNING':
      return 'running';
    case 'COMPLETED':
      return 'done';
    case 'FAILED':
    case 'LOST':
      return 'failed';
    default:
      return 'off';
  }
}

/** A task, shard or attempt state (QUEUED, RUNNING, COMPLETED, …) as a coloured pill. */
@Component({
  selector: 'hm-state-badge',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `{{ state() }}`,
  host: { '[class]': 'tone()' },
  styles: `
    :host {
      display: inline-block;
      padding: 0.05rem 0.55rem;
      border: 1px solid currentColor;
      border-radius: 1rem;
      font-size: 0.8rem;
      line-height: 1.4;
      white-space: nowrap;
      text-transform: lowercase;
      color: var(--hm-muted);
      background: color-mix(in srgb, currentColor 14%, transparent);
    }
    :host(.waiting) {
      color: #ffb74d;
    }
    :host(.running) {
      color: #4dd0e1;
    }
    :host(.done) {
      color: #81c784;
    }
    :host(.failed) {
      color: var(--hm-danger);
    }
  `,
})
export class StateBadge {
  readonly state = input.required<string>();
  protected readonly tone = computed(() => stateTone(this.state()));
}
