import { DatePipe } from '@angular/common';
import { HttpClient, HttpParams } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import {
  UserRole,
  VPN_PEER_NAME_RULE,
  type VpnPeerCreatedView,
  type VpnPeerView,
  type VpnServerView,
} from '@hivemind/contracts';
import { toDataURL } from 'qrcode';
import { apiError, errorNote, FieldNoteHint } from '@hivemind/ui';
import { SessionStore } from '../../core/session.store';

/** A config on show: its text, file name and QR code (a data: URL). */
interface ShownConfig {
  peerId: string;
  fileName: string;
  text: string;
  qr: string | null;
  /** The client keeps the private key: the config has a line to fill in. */
  clientKey: boolean;
}

/**
 * WireGuard access to the pool's VPN: add a device (the pool makes its key pair, or takes your
 * public key), download its config or scan it as a QR code on a phone, revoke devices; admins see
 * every peer and download the server's config.
 */
@Component({
  selector: 'hm-vpn-page',
  imports: [
    DatePipe,
    ReactiveFormsModule,
    MatButtonModule,
    MatCardModule,
    MatCheckboxModule,
    MatFormFieldModule,
    MatInputModule,
    FieldNoteHint,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './vpn.page.html',
  styleUrl: './vpn.page.css',
})
export class VpnPage {
  private readonly http = inject(HttpClient);
  private readonly destroyRef = inject(DestroyRef);
  private readonly session = inject(SessionStore);
  protected readonly isAdmin = computed(() => this.session.user()?.role === UserRole.Admin);

  protected readonly server = signal<VpnServerView | null>(null);
  protected readonly serverSummary = computed(() => {
    const s = this.server();
    return s ? ` (${s.subnet}, server ${s.address} at ${s.endpoint})` : '';
  });
  protected readonly peers = signal<readonly VpnPeerView[] | null>(null);
  protected readonly listError = signal<string | null>(null);
  protected readonly everyone = signal(false);
  protected readonly shown = signal<ShownConfig | null>(null);
  protected readonly creating = signal(false);
  protected readonly createError = signal<string | null>(null);
  protected readonly actionError = signal<string | null>(null);
  protected readonly nameRule = VPN_PEER_NAME_RULE;
  protected readonly errorNote = errorNote;

  protected readonly form = inject(NonNullableFormBuilder).group({
    name: [''],
    ownKey: [false],
    publicKey: [''],
  });

  constructor() {
    this.http
      .get<VpnServerView>('/api/vpn/server')
      .pipe(takeUntilDestroyed())
      .subscribe({ next: (s) => this.server.set(s), error: () => this.server.set(null) });
    this.load();
  }

  protected load(): void {
    const params = new HttpParams().set('all', this.everyone());
    this.http
      .get<{ items: VpnPeerView[] }>('/api/vpn/peers', { params })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (page) => {
          this.peers.set(page.items);
          this.listError.set(null);
        },
        error: (failure: unknown) => this.listError.set(apiError(failure).message),
      });
  }

  protected showEveryone(all: boolean): void {
    this.everyone.set(all);
    this.load();
  }

  protected create(): void {
    if (this.creating()) return;
    const { name, ownKey, publicKey } = this.form.getRawValue();
    const body = {
      ...(name.trim() ? { name: name.trim() } : {}),
      ...(ownKey ? { public_key: publicKey.trim() } : {}),
    };
    this.creating.set(true);
    this.createError.set(null);
    this.http
      .post<VpnPeerCreatedView>('/api/vpn/peers', body)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: ({ peer, config }) => {
          this.creating.set(false);
          this.form.reset();
          void this.show(peer, config);
          this.load();
        },
        error: (failure: unknown) => {
          this.creating.set(false);
          const { message, fields } = apiError(failure);
          const [field, text] = fields['public_key']
            ? (['publicKey', fields['public_key']] as const)
            : fields['name']
              ? (['name', fields['name']] as const)
              : [null, null];
          if (field) {
            this.form.controls[field].setErrors({ message: text });
            this.form.controls[field].markAsTouched();
          } else {
            this.createError.set(message);
          }
        },
      });
  }

  /** Fetches a peer's config (for the list's "Show config"). */
  protected open(peer: VpnPeerView): void {
    this.actionError.set(null);
    this.http
      .get(`/api/vpn/peers/${peer.id}/config`, { responseType: 'text' })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (text) => void this.show(peer, text),
        error: (failure: unknown) => this.actionError.set(apiError(failure).message),
      });
  }

  protected revoke(peer: VpnPeerView): void {
    if (!confirm(`Revoke ${peer.name} (${peer.address})? Its config stops working.`)) return;
    this.actionError.set(null);
    this.http
      .delete<VpnPeerView>(`/api/vpn/peers/${peer.id}`)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: () => {
          if (this.shown()?.peerId === peer.id) this.shown.set(null);
          this.load();
        },
        error: (failure: unknown) => this.actionError.set(apiError(failure).message),
      });
  }

  protected download(config: ShownConfig): void {
    saveText(config.fileName, config.text);
  }

  protected downloadServerConfig(): void {
    this.actionError.set(null);
    this.http
      .get('/api/admin/vpn/server-config', { responseType: 'text' })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (text) => saveText('wg0.conf', text),
        error: (failure: unknown) => this.actionError.set(apiError(failure).message),
      });
  }

  private async show(peer: VpnPeerView, text: string): Promise<void> {
    const clientKey = peer.key_source === 'client';
    const shown: ShownConfig = {
      peerId: peer.id,
      fileName: `hivemind-${peer.name}.conf`,
      text,
      qr: null,
      clientKey,
    };
    this.shown.set(shown);
    // a config without its private key is no use on a phone: no QR code for it
    if (clientKey) return;
    try {
      const qr = await toDataURL(text, { errorCorrectionLevel: 'M', margin: 2, width: 280 });
      if (this.shown()?.peerId === peer.id) this.shown.set({ ...shown, qr });
    } catch {
      // too long for a QR code (many AllowedIPs): the download still works
    }
  }
}

/** Saves text as a file through the browser's download. */
function saveText(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
