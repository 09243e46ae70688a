import { DecimalPipe, NgTemplateOutlet } from '@angular/common';
import { HttpClient, type HttpEvent, HttpEventType } from '@angular/common/http';
import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  Injector,
  afterNextRender,
  computed,
  effect,
  inject,
  signal,
} from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import {
  type AbstractControl,
  FormControl,
  NonNullableFormBuilder,
  ReactiveFormsModule,
  type ValidationErrors,
  Validators,
} from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { Router } from '@angular/router';
import {
  HIGH_TRUST_MIN,
  SplitKind,
  type SubmitTaskResultView,
  TASK_TEXT_LIMITS,
  UserRole,
  ValidationMode,
  type WalletView,
  formatBytes,
} from '@hivemind/contracts';
import { type Observable, type Subscription, map, startWith } from 'rxjs';
import { apiError, type FieldNote, fieldNote, FieldNoteHint } from '@hivemind/ui';
import { SessionStore } from '../../core/session.store';
import { estimateMaxCost } from './cost';
import {
  HINTS,
  IMAGE_PATTERN,
  INVALID,
  type NumberField,
  RESOURCE_FIELDS,
  SCHEDULING_FIELDS,
  SHARDS_FIELD,
  SPLITS,
  VALIDATIONS,
  VALIDATION_FIELDS,
  limitText,
  numberValidators,
} from './submit-fields';
import { zipFolder } from './folder-zip';
import { buildSpec, envNameError, parseJsonObject, placeRefusal, shardCount } from './task-spec';
import { UploadClient } from './upload-client';

const NUMBER_FIELDS = [...RESOURCE_FIELDS, ...SCHEDULING_FIELDS, SHARDS_FIELD, ...VALIDATION_FIELDS];

/** Fields a refusal can name that the form shows; any other goes above the button. */
const SHOWN_FIELDS = new Set([
  'name',
  'image',
  'command',
  'input',
  'env',
  'secret_env',
  'gpu_name',
  'location',
  'network_allowed',
  'split',
  'split_params',
  'aggregate_command',
  'validator_command',
  'validation',
  ...NUMBER_FIELDS.map((f) => f.key),
]);

type Upload = { state: 'sending'; percent: number | null } | { state: 'processing' };

/** Submit a task: what to run, the resources per shard, how to split it, and what it may cost. */
@Component({
  selector: 'hm-submit-page',
  imports: [
    DecimalPipe,
    NgTemplateOutlet,
    ReactiveFormsModule,
    MatButtonModule,
    MatCardModule,
    MatCheckboxModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    MatSelectModule,
    FieldNoteHint,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './submit.page.html',
  styleUrl: './submit.page.css',
})
export class SubmitPage {
  private readonly http = inject(HttpClient);
  private readonly upload = inject(UploadClient);
  private readonly router = inject(Router);
  private readonly injector = inject(Injector);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private readonly fb = inject(NonNullableFormBuilder);
  private readonly session = inject(SessionStore);
  /** One key per visit: a submission retried after a lost answer creates one task. */
  private readonly idempotencyKey = newKey();
  private sending?: Subscription;

  protected readonly resourceFields = RESOURCE_FIELDS;
  protected readonly schedulingFields = SCHEDULING_FIELDS;
  protected readonly shardFields = [SHARDS_FIELD];
  protected readonly splits = SPLITS;
  protected readonly validations = VALIDATIONS;
  protected readonly validationFields = VALIDATION_FIELDS;
  protected readonly highTrust = HIGH_TRUST_MIN;
  protected readonly mayUseNetwork = computed(() => {
    const user = this.session.user();
    return user?.role === UserRole.Admin || (user?.trust_score ?? 0) >= HIGH_TRUST_MIN;
  });

  protected readonly form = this.fb.group({
    name: ['', Validators.maxLength(TASK_TEXT_LIMITS.name)],
    image: ['', Validators.pattern(IMAGE_PATTERN)],
    command: [''],
    ...numberControls(NUMBER_FIELDS),
    gpu_name: ['', Validators.maxLength(TASK_TEXT_LIMITS.gpu_name)],
    location: ['', Validators.maxLength(TASK_TEXT_LIMITS.location)],
    network_allowed: [false],
    validation: [ValidationMode.Adaptive as ValidationMode],
    split: [SplitKind.None as SplitKind],
    split_params: ['', jsonObject],
    aggregate_command: [''],
    validator_command: [''],
    env: this.fb.array([this.envRow()]),
  });

  protected readonly file = signal<File | null>(null);
  protected readonly zipping = signal(false);
  protected readonly dragging = signal(false);
  protected readonly wallet = signal<WalletView | null>(null);
  protected readonly walletError = signal<string | null>(null);
  protected readonly submission = signal<Upload | null>(null);
  protected readonly busy = computed(() => this.submission() !== null);
  /** Messages at the fields they concern: the pool's refusals and the checks made before sending. */
  protected readonly refusals = signal<Record<string, string>>({});
  protected readonly error = signal<string | null>(null);

  private readonly value = toSignal(
    this.form.valueChanges.pipe(
      startWith(null),
      map(() => this.form.getRawValue()),
    ),
    { requireSync: true },
  );
  protected readonly split = computed(() => SPLITS.find((s) => s.kind === this.value().split) ?? SPLITS[0]);
  protected readonly validated = computed(() => this.value().validation !== ValidationMode.None);
  protected readonly shards = computed(() => {
    const v = this.value();
    return shardCount(v.split, v.shards, v.split_params);
  });
  protected readonly estimate = computed(() => {
    const v = this.value();
    const shards = this.shards();
    if (shards === null) return null;
    return estimateMaxCost({
      cpuCores: v.cpu_cores,
      memoryGb: v.memory_gb,
      gpuScore: v.gpu_score,
      gpuName: v.gpu_name.trim() || null,
      timeoutS: v.timeout_s,
      shards,
      aggregate: !!v.aggregate_command.trim(),
      validator: v.validation !== ValidationMode.None && !!v.validator_command.trim(),
      validation: v.validation,
      quorum: v.quorum,
      maxReplicas: v.max_replicas,
    });
  });
  protected readonly overBudget = computed(() => {
    const estimate = this.estimate();
    const wallet = this.wallet();
    return !!estimate && !!wallet && estimate.maxCost > wallet.available;
  });

  constructor() {
    this.loadWallet();
    effect(() => {
      const network = this.form.controls.network_allowed;
      if (this.mayUseNetwork()) network.enable({ emitEvent: false });
      else network.disable({ emitEvent: false });
    });
    // quorum and max replicas mean nothing without validation
    effect(() => {
      const { quorum, max_replicas } = this.form.controls;
      for (const control of [quorum, max_replicas]) {
        if (this.validated()) control.enable({ emitEvent: false });
        else control.disable({ emitEvent: false });
      }
    });
    const destroyRef = inject(DestroyRef);
    destroyRef.onDestroy(() => this.sending?.unsubscribe());
    // a field's message goes when the field changes
    for (const [key, control] of Object.entries(this.form.controls) as [string, AbstractControl][]) {
      control.valueChanges.pipe(takeUntilDestroyed(destroyRef)).subscribe(() => this.clearRefusal(key));
    }
    // the pool names secret_env for the secret rows, shown with the others
    this.form.controls.env.valueChanges
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe(() => this.clearRefusal('secret_env'));
  }

  /** What to say under a field: the refusal, else what is wrong with its value once touched, else a hint. */
  protected message(key: string): FieldNote {
    const control = this.form.get(key);
    const number = NUMBER_FIELDS.find((f) => f.key === key);
    const json = control?.errors?.['json'] as string | undefined;
    return fieldNote({
      refusal: this.refusals()[key],
      problem:
        control?.invalid && control.touched
          ? (INVALID[key] ?? (number ? limitText(number) : (json ?? 'Not accepted')))
          : undefined,
      hint: this.hint(key, number),
    });
  }

  /** What a field says under it while nothing is wrong: the split's and the validation's follow the choice. */
  private hint(key: string, number: NumberField | undefined): string {
    const split = this.split();
    switch (key) {
      case 'split':
        return split.hint;
      case 'split_params':
        return split.example ? `e.g. ${split.example}` : 'Optional';
      case 'validation':
        return VALIDATIONS.find((m) => m.mode === this.value().validation)?.hint ?? '';
      default:
        return HINTS[key] ?? number?.hint ?? '';
    }
  }

  protected get envRows() {
    return this.form.controls.env.controls;
  }

  protected envNameProblem(control: AbstractControl<string>): string | null {
    return control.value.trim() ? envNameError(control.value.trim()) : null;
  }

  protected addEnv(): void {
    this.form.controls.env.push(this.envRow());
    afterNextRender(
      () => {
        const names = this.host.nativeElement.querySelectorAll<HTMLInputElement>('[data-testid="env-name"]');
        names[names.length - 1]?.focus();
      },
      { injector: this.injector },
    );
  }

  protected removeEnv(index: number): void {
    this.form.controls.env.removeAt(index);
    if (this.form.controls.env.length === 0) this.form.controls.env.push(this.envRow());
  }

  protected chooseFile(event: Event): void {
    const input = event.target as HTMLInputElement;
    this.setFile(input.files?.[0] ?? null);
    input.value = '';
  }

  /** A folder picked: zipped here, then uploaded like a zip. */
  protected async chooseFolder(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    input.value = '';
    if (!files.length) return;
    this.zipping.set(true);
    try {
      this.setFile(await zipFolder(files));
    } catch (error) {
      this.refusals.update((r) => ({ ...r, input: `The folder could not be zipped: ${String(error)}` }));
    } finally {
      this.zipping.set(false);
    }
  }

  protected dropFile(event: DragEvent): void {
    event.preventDefault();
    this.dragging.set(false);
    const file = event.dataTransfer?.files[0];
    if (file) this.setFile(file);
  }

  protected dragOver(event: DragEvent): void {
    event.preventDefault();
    this.dragging.set(true);
  }

  protected setFile(file: File | null): void {
    this.file.set(file);
    this.clearRefusal('input');
    this.clearRefusal('image');
    if (file && !/\.zip$/i.test(file.name)) {
      this.refusals.update((r) => ({ ...r, input: 'Choose a .zip file, or a folder' }));
    }
  }

  protected size(bytes: number): string {
    return formatBytes(bytes).replace(/ \(.*\)$/, '');
  }

  protected submit(): void {
    if (this.busy()) return;
    this.form.markAllAsTouched();
    this.error.set(null);
    const value = this.form.getRawValue();
    const built = buildSpec(value);
    const problems: Record<string, string> = { ...built.errors };
    const file = this.file();
    if (!value.image.trim() && !file) problems['image'] = 'Give a Docker image, an input zip, or both';
    if (file && !/\.zip$/i.test(file.name)) problems['input'] = 'Choose a .zip file';
    if (value.split === SplitKind.DataProcessing && !file) {
      problems['input'] = 'Data processing splits the files of an input zip: choose one';
    }
    if (this.form.invalid || !built.spec || Object.keys(problems).length) {
      this.refusals.set(problems);
      this.focusFirstProblem();
      return;
    }
    this.refusals.set({});
    const headers = { 'Idempotency-Key': this.idempotencyKey };
    let request: Observable<HttpEvent<SubmitTaskResultView>>;
    if (file) {
      const body = new FormData();
      body.append('spec', JSON.stringify(built.spec));
      body.append('input', file, file.name);
      request = this.upload.post<SubmitTaskResultView>('/api/tasks', body, {
        headers,
        reportProgress: true,
        observe: 'events',
      });
    } else {
      request = this.http.post<SubmitTaskResultView>('/api/tasks', built.spec, {
        headers,
        observe: 'events',
      });
    }
    this.submission.set(file ? { state: 'sending', percent: 0 } : { state: 'processing' });
    this.sending = request.subscribe({
      next: (event) => {
        if (event.type === HttpEventType.UploadProgress) {
          const percent = event.total ? Math.round((100 * event.loaded) / event.total) : null;
          this.submission.set(
            event.total && event.loaded >= event.total
              ? { state: 'processing' }
              : { state: 'sending', percent },
          );
        } else if (event.type === HttpEventType.Response && event.body) {
          void this.router.navigate(['/tasks', event.body.task.id]);
        }
      },
      error: (failure: unknown) => {
        this.submission.set(null);
        const placed = placeRefusal(apiError(failure), SHOWN_FIELDS);
        this.refusals.set(placed.fields);
        this.error.set(placed.general);
        if ((failure as { status?: number }).status === 402) this.loadWallet();
        this.focusFirstProblem();
      },
    });
  }

  protected cancelUpload(): void {
    this.sending?.unsubscribe();
    this.submission.set(null);
    this.error.set('Upload cancelled: nothing was submitted.');
  }

  private loadWallet(): void {
    this.http.get<WalletView>('/api/wallet').subscribe({
      next: (wallet) => {
        this.wallet.set(wallet);
        this.walletError.set(null);
      },
      error: (failure: unknown) => this.walletError.set(apiError(failure).message),
    });
  }

  private envRow() {
    return this.fb.group({
      name: ['', Validators.maxLength(128)],
      value: ['', Validators.maxLength(TASK_TEXT_LIMITS.envValueChars)],
      secret: [false],
    });
  }

  private clearRefusal(key: string): void {
    if (!(key in this.refusals())) return;
    this.refusals.update(({ [key]: _gone, ...rest }) => rest);
  }

  /** Takes the keyboard (and the eye) to the first field with something to fix. */
  private focusFirstProblem(): void {
    afterNextRender(
      () => {
        const root = this.host.nativeElement;
        const first =
          root.querySelector<HTMLElement>('.field-error, .mat-form-field-invalid') ??
          root.querySelector<HTMLElement>('[data-testid="submit-error"]');
        const target =
          first
            ?.closest('mat-form-field, .zone, .env')
            ?.querySelector<HTMLElement>('input, textarea, [role="combobox"], button') ?? first;
        target?.focus();
      },
      { injector: this.injector },
    );
  }
}

function numberControls(fields: readonly NumberField[]) {
  return Object.fromEntries(
    fields.map((f) => [f.key, new FormControl<number | null>(f.initial, numberValidators(f))]),
  ) as Record<NumberField['key'], FormControl<number | null>>;
}

function jsonObject(control: AbstractControl<string>): ValidationErrors | null {
  const { error } = parseJsonObject(control.value);
  return error ? { json: error } : null;
}

/** An Idempotency-Key; crypto.randomUUID needs a secure context, getRandomValues does not. */
function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `console-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
