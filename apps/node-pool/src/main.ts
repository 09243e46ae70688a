import { HELLO } from '@hivemind/contracts';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';

@Module({})
class AppModule {}

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  await app.listen(18080, '127.0.0.1');
  console.log('up', HELLO);
  await app.close();
}
void bootstrap();
