import { ChangeDetectionStrategy, Component } from '@angular/core';

/** Admin (being built). */
@Component({
  selector: 'hm-admin-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<h1>Admin</h1>`,
})
export class AdminPage {}
