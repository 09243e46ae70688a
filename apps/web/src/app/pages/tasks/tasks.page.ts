import { ChangeDetectionStrategy, Component } from '@angular/core';

/** Tasks (being built). */
@Component({
  selector: 'hm-tasks-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<h1>Tasks</h1>`,
})
export class TasksPage {}
