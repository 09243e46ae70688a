import {
  ChangeDetectionStrategy,
  Component,
  type ElementRef,
  type OnDestroy,
  effect,
  input,
  viewChild,
} from '@angular/core';
import {
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  CategoryScale,
  Filler,
  Legend,
  Tooltip,
);

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
}

/** A line chart (chart.js) of one or more series over shared labels; redraws when its inputs change. */
@Component({
  selector: 'hm-line-chart',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<div class="frame"><canvas #canvas role="img" [attr.aria-label]="label()"></canvas></div>`,
  styles: `
    .frame {
      position: relative;
      height: var(--hm-chart-height, 12rem);
    }
  `,
})
export class LineChart implements OnDestroy {
  readonly labels = input.required<string[]>();
  readonly series = input.required<Series[]>();
  /** What the chart shows, for screen readers. */
  readonly label = input('chart');
  readonly max = input<number>();
  private readonly canvas = viewChild.required<ElementRef<HTMLCanvasElement>>('canvas');
  private chart?: Chart;

  constructor() {
    effect(() => {
      const data = {
        labels: this.labels(),
        datasets: this.series().map((s) => ({
          label: s.label,
          data: s.values,
          borderColor: s.color,
          backgroundColor: `${s.color}33`,
          fill: true,
          // a lone point would not show as a line
          pointRadius: s.values.filter((v) => v !== null).length === 1 ? 3 : 0,
          tension: 0.25,
          // a gap (no data: the node was offline) stays a gap
          spanGaps: false,
        })),
      };
      if (this.chart) {
        this.chart.data = data;
        this.chart.update('none');
        return;
      }
      this.chart = new Chart(this.canvas().nativeElement, {
        type: 'line',
        data,
        options: {
          animation: false,
          maintainAspectRatio: false,
          interaction: { mode: 'index', intersect: false },
          scales: {
            x: { ticks: { color: '#9aa3b2', maxTicksLimit: 8 }, grid: { color: '#2a2f3a' } },
            y: {
              beginAtZero: true,
              max: this.max(),
              ticks: { color: '#9aa3b2' },
              grid: { color: '#2a2f3a' },
            },
          },
          plugins: { legend: { labels: { color: '#e6e8eb' } } },
        },
      });
    });
  }

  ngOnDestroy(): void {
    this.chart?.destroy();
  }
}
