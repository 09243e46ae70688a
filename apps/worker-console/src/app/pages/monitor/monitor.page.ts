import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatCardModule } from '@angular/material/card';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Badge } from '@hivemind/ui';
import { percent, vpnLine } from '../../core/format';
import { WorkerLive } from '../../core/worker-live';

/** The machine and its links: CPU, memory, GPU, disk, the Docker engine, the pool connection, the VPN. */
@Component({
  selector: 'hm-monitor-page',
  imports: [DatePipe, MatCardModule, MatProgressBarModule, Badge],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './monitor.page.html',
  styleUrl: './monitor.page.css',
})
export class MonitorPage {
  protected readonly live = inject(WorkerLive);
  protected readonly percent = percent;
  protected readonly vpnLine = vpnLine;
  protected readonly diskUsed = computed(() => {
    const disk = this.live.resources()?.disk;
    return disk?.total_gb && disk.free_gb !== null
      ? ((disk.total_gb - disk.free_gb) / disk.total_gb) * 100
      : null;
  });
}
