import { ChangeDetectionStrategy, Component } from '@angular/core';

/** Submit a task (being built). */
@Component({
  selector: 'hm-submit-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<h1>Submit a task</h1>`,
})
export class SubmitPage {}
