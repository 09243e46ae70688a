import { ChangeDetectionStrategy, Component } from '@angular/core';

/** Node (being built). */
@Component({
  selector: 'hm-node-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<h1>Node</h1>`,
})
export class NodePage {}
