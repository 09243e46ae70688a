import { Worker } from 'node:worker_threads';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { type StrengthEstimate, knownWords, lengthProblem, weaknessOf } from './password-policy';

/** A checker that has had nothing to do this long stops, and its dictionaries with it. */
export const IDLE_MS = 60_000;
/** A check that takes longer stops the checker (and is refused); zxcvbn takes ~0.5 s at 128 characters. */
const CHECK_TIMEOUT_MS = 10_000;
/** Checks waiting at once; past this, a sign-up is refused (503) rather than queued. */
const MAX_WAITING = 32;
/** The checker's heap: its dictionaries take ~28 MB. */
const CHECKER_HEAP_MB = 128;

/**
 * The checker thread's code (CommonJS, evaluated: no file to ship beside the build). It loads
 * zxcvbn with the common and English dictionaries and answers `{ id, password, known }` with the
 * estimate's score and feedback.
 */
const CHECKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { ZxcvbnFactory } = require(workerData.modules.core);
const common = require(workerData.modules.common);
const english = require(workerData.modules.english);
const estimator = new ZxcvbnFactory({
  translations: english.translations,
  graphs: common.adjacencyGraphs,
  dictionary: { ...common.dictionary, ...english.dictionary },
});
parentPort.on('message', ({ id, password, known }) => {
  const result = estimator.check(password, known);
  parentPort.postMessage({
    id,
    score: result.score,
    warning: result.feedback.warning || null,
    suggestions: result.feedback.suggestions,
  });
});`;

interface Waiting {
  resolve(estimate: StrengthEstimate): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Password strength (zxcvbn) in a thread of its own, started on demand and stopped after IDLE_MS
 * without a check. Two reasons: an estimate is CPU-bound and grows fast with the length (~60 ms at
 * 16 characters, ~0.5 s at 128, measured), which on the event loop would hold every heartbeat and
 * request while a sign-up is checked — a cheap way to stall the pool; and the dictionaries take
 * ~28 MB of heap, a quarter of the node pool's, which every full collection would mark although
 * only sign-ups use them. Lengths are refused before any estimate; at most MAX_WAITING checks wait.
 */
@Injectable()
export class PasswordStrength implements OnModuleDestroy {
  private readonly logger = new Logger(PasswordStrength.name);
  private checker?: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private lastId = 0;
  private idleTimer?: NodeJS.Timeout;

  /** Why the password is refused for this user (length, then zxcvbn's estimate), or undefined. */
  async weakness(password: string, username: string): Promise<string | undefined> {
    return lengthProblem(password) ?? weaknessOf(await this.estimate(password, knownWords(username)));
  }

  /** Whether the checker thread runs (tests). */
  get running(): boolean {
    return this.checker !== undefined;
  }

  onModuleDestroy(): Promise<void> {
    return this.stop(new DomainError('unavailable', 'the node pool is shutting down'));
  }

  private estimate(password: string, known: string[]): Promise<StrengthEstimate> {
    if (this.waiting.size >= MAX_WAITING) {
      throw new DomainError(
        'unavailable',
        'too many passwords are being checked: try again in a few seconds',
      );
    }
    const checker = this.start();
    clearTimeout(this.idleTimer);
    const id = ++this.lastId;
    return new Promise<StrengthEstimate>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.logger.warn(`a password check took over ${CHECK_TIMEOUT_MS} ms: the checker is restarted`);
        void this.stop(new DomainError('unavailable', 'the password check took too long: try again'));
      }, CHECK_TIMEOUT_MS);
      timer.unref();
      this.waiting.set(id, { resolve, reject, timer });
      checker.postMessage({ id, password, known });
    });
  }

  private start(): Worker {
    if (this.checker) return this.checker;
    const checker = new Worker(CHECKER_SOURCE, {
      eval: true,
      workerData: {
        modules: {
          core: require.resolve('@zxcvbn-ts/core'),
          common: require.resolve('@zxcvbn-ts/language-common'),
          english: require.resolve('@zxcvbn-ts/language-en'),
        },
      },
      resourceLimits: { maxOldGenerationSizeMb: CHECKER_HEAP_MB },
    });
    checker.unref(); // an idle checker never keeps the process alive
    checker.on('message', (answer: StrengthEstimate & { id: number }) => {
      const waiting = this.waiting.get(answer.id);
      if (!waiting) return;
      this.waiting.delete(answer.id);
      clearTimeout(waiting.timer);
      waiting.resolve({ score: answer.score, warning: answer.warning, suggestions: answer.suggestions });
      if (this.waiting.size === 0) {
        this.idleTimer = setTimeout(() => void this.stop(), IDLE_MS);
        this.idleTimer.unref();
      }
    });
    checker.on('error', (error: Error) => {
      this.logger.error(`the password checker failed: ${error.message}`);
      void this.stop(new DomainError('unavailable', 'the password check failed: try again'));
    });
    checker.on('exit', () => {
      if (this.checker === checker)
        void this.stop(new DomainError('unavailable', 'the password check failed: try again'));
    });
    this.checker = checker;
    return checker;
  }

  /** Stops the checker; the checks waiting for it are refused with `error`. */
  private async stop(error?: Error): Promise<void> {
    const checker = this.checker;
    this.checker = undefined;
    clearTimeout(this.idleTimer);
    for (const waiting of this.waiting.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(error ?? new DomainError('unavailable', 'the password checker stopped'));
    }
    this.waiting.clear();
    await checker?.terminate();
  }
}
