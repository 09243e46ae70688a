import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { CpuSampler } from './hardware';

type Sample = ReturnType<CpuSampler['sample']>;

/** This machine's CPU and memory use, sampled every few seconds (CPU % needs two readings). */
@Injectable()
export class MachineMonitor implements OnModuleDestroy {
  private readonly sampler = new CpuSampler();
  private last: Sample;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.last = this.sampler.sample();
    this.timer = setInterval(() => (this.last = this.sampler.sample()), 2000);
    this.timer.unref();
  }

  current(): Sample {
    return this.last;
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}
