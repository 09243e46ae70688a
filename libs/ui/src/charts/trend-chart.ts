import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatCardModule } from '@angular/material/card';
import { LineChart, type Series } from './line-chart';

/** One trend of the dashboard: a titled card with a line chart and a one-line summary. */
@Component({
  selector: 'hm-trend-chart',
  imports: [MatCardModule, LineChart],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-card appearance="outlined">
      <mat-card-header>
        <mat-card-title>{{ heading() }}</mat-card-title>
        <mat-card-subtitle>{{ summary() }}</mat-card-subtitle>
      </mat-card-header>
      <mat-card-content>
        <hm-line-chart
          [labels]="labels()"
          [series]="series()"
          [label]="heading() + ': ' + summary()"
          [max]="max()"
        />
      </mat-card-content>
    </mat-card>
  `,
  styles: `
    :host {
      display: block;
      --hm-chart-height: 11rem;
    }
  `,
})
export class TrendChart {
  readonly heading = input.required<string>();
  readonly summary = input('');
  readonly labels = input.required<string[]>();
  readonly series = input.required<Series[]>();
  /** The y axis' top (100 for percentages); by default, chart.js picks it from the data. */
  readonly max = input<number>();
}
