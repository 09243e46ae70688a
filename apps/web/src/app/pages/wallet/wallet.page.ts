import { ChangeDetectionStrategy, Component } from '@angular/core';

/** Wallet (being built). */
@Component({
  selector: 'hm-wallet-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<h1>Wallet</h1>`,
})
export class WalletPage {}
