import { DestroyRef, type Signal, inject, signal } from '@angular/core';

/** The time, ticking every `periodMs` while the component that asked lives (an injection context). */
export function clock(periodMs = 1000): Signal<number> {
  const now = signal(Date.now());
  const timer = setInterval(() => now.set(Date.now()), periodMs);
  inject(DestroyRef).onDestroy(() => clearInterval(timer));
  return now.asReadonly();
}
