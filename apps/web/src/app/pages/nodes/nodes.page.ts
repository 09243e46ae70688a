import { ChangeDetectionStrategy, Component } from '@angular/core';

/** Nodes (being built). */
@Component({
  selector: 'hm-nodes-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<h1>Nodes</h1>`,
})
export class NodesPage {}
