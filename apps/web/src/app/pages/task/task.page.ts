import { ChangeDetectionStrategy, Component } from '@angular/core';

/** Task (being built). */
@Component({
  selector: 'hm-task-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<h1>Task</h1>`,
})
export class TaskPage {}
