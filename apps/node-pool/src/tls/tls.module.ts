import { type DynamicModule, Global, Module, type OnModuleDestroy } from '@nestjs/common';
import { type ServerTls } from './server-tls';

/** The pool's TLS material for whoever needs it (node certificates); `tls` absent on a plain-text pool. */
export class PoolTls implements OnModuleDestroy {
  constructor(readonly tls: ServerTls | undefined) {}

  onModuleDestroy(): void {
    this.tls?.stop();
  }
}

@Global()
@Module({})
export class TlsModule {
  static forRoot(tls: ServerTls | undefined): DynamicModule {
    return {
      module: TlsModule,
      providers: [{ provide: PoolTls, useValue: new PoolTls(tls) }],
      exports: [PoolTls],
    };
  }
}
