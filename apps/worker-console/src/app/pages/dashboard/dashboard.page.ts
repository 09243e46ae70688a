import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatCardModule } from '@angular/material/card';
import { RouterLink } from '@angular/router';
import { Badge } from '@hivemind/ui';
import { TrendChart } from '@hivemind/ui/charts';
import { percent, trust } from '../../core/format';
import { HISTORY_SAMPLES, POLL_MS, resourceCharts } from '../../core/resource-history';
import { WorkerLive } from '../../core/worker-live';
import { WorkerTasks } from '../../core/worker-tasks';

/** The node at a glance: the pool connection, trust and earnings, live use of the machine, task counts. */
@Component({
  selector: 'hm-dashboard-page',
  imports: [DatePipe, RouterLink, MatCardModule, Badge, TrendChart],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './dashboard.page.html',
  styleUrl: './dashboard.page.css',
  providers: [WorkerTasks],
})
export class DashboardPage {
  protected readonly live = inject(WorkerLive);
  protected readonly tasks = inject(WorkerTasks);
  protected readonly percent = percent;
  protected readonly trust = trust;
  protected readonly minutes = (HISTORY_SAMPLES * POLL_MS) / 60_000;
  protected readonly pollSeconds = POLL_MS / 1000;

  protected readonly charts = computed(() =>
    resourceCharts(this.live.history(), this.live.resources()?.gpu.map((g) => g.name) ?? []),
  );
  protected readonly gpus = computed(() => this.live.resources()?.gpu ?? []);
  protected readonly diskNow = computed(() => {
    const history = this.live.history();
    return history[history.length - 1]?.disk ?? null;
  });

  constructor() {
    this.tasks.watch();
  }
}
