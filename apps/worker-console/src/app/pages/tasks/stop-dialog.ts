import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule } from '@angular/material/dialog';

export interface StopDialogData {
  taskId: string;
  attemptId: string;
}

/** Asks before the operator's stop: what it costs the node, and that the task runs on elsewhere. */
@Component({
  selector: 'hm-stop-dialog',
  imports: [MatDialogModule, MatButtonModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>Stop this task?</h2>
    <mat-dialog-content>
      <p>
        Task <code>{{ data.taskId }}</code> is stopped on this node at once. The node pool counts it as this
        node's failure and runs the shard again, on another node or on this one.
      </p>
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" [mat-dialog-close]="false" cdkFocusInitial>Keep it running</button>
      <button mat-flat-button type="button" class="danger" [mat-dialog-close]="true">Stop the task</button>
    </mat-dialog-actions>
  `,
  styles: `
    code {
      overflow-wrap: anywhere;
    }
    .danger {
      --mat-button-filled-container-color: var(--hm-danger);
    }
  `,
})
export class StopDialog {
  protected readonly data = inject<StopDialogData>(MAT_DIALOG_DATA);
}
