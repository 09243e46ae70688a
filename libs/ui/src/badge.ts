import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

export type Tone = 'waiting' | 'running' | 'checking' | 'done' | 'failed' | 'off';

/**
 * The colour family of a state: a task's, shard's or attempt's (QUEUED … LOST), a result's
 * validation (PENDING … INCONCLUSIVE), a node's status (online, draining, offline) or a trust group
 * (high, normal, low), an audit event's outcome (ok, refused, failed), or an attempt on a worker
 * (waiting for a slot, starting … reporting; stopped by the node's operator).
 */
export function toneOf(value: string): Tone {
  switch (value.toUpperCase()) {
    case 'QUEUED':
    case 'ASSIGNED':
    case 'REFUSED':
    case 'DRAINING':
    case 'LOW':
    case 'INCONCLUSIVE':
    case 'WAITING FOR A SLOT':
    case 'STOPPING':
      return 'waiting';
    case 'RUNNING':
    case 'NORMAL':
    case 'STARTING':
    case 'DOWNLOADING':
    case 'UPLOADING':
    case 'REPORTING':
      return 'running';
    case 'VALIDATING':
    case 'PENDING':
      return 'checking';
    case 'COMPLETED':
    case 'ONLINE':
    case 'HIGH':
    case 'VALID':
    case 'ACCEPTED':
    case 'OK':
      return 'done';
    case 'FAILED':
    case 'LOST':
    case 'INVALID':
    case 'STOPPED':
      return 'failed';
    default:
      return 'off';
  }
}

/** A state as a coloured pill, in lowercase. */
@Component({
  selector: 'hm-badge',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `{{ value() }}`,
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
    :host(.checking) {
      color: #b39ddb;
    }
    :host(.done) {
      color: #81c784;
    }
    :host(.failed) {
      color: var(--hm-danger);
    }
  `,
})
export class Badge {
  readonly value = input.required<string>();
  protected readonly tone = computed(() => toneOf(this.value()));
}
