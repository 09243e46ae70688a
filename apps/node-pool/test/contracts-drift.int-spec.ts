import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderOpenApi } from '../src/openapi/generate-openapi';

const ROOT = join(__dirname, '..', '..', '..');

describe('generated contracts are up to date (docs/conventions.md "One contract per wire")', () => {
  it('docs/openapi.json matches the controllers (npm run generate:openapi)', async () => {
    const checkedIn: unknown = JSON.parse(readFileSync(join(ROOT, 'docs', 'openapi.json'), 'utf8'));
    expect(JSON.parse(await renderOpenApi())).toEqual(checkedIn);
  });

  it('the gRPC types match nodepool.proto (npm run generate:grpc)', () => {
    const out = mkdtempSync(join(tmpdir(), 'hivemind-grpc-types-'));
    try {
      const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'generate-grpc-types.mjs'), out], {
        encoding: 'utf8',
      });
      expect(result.status).toBe(0);
      const checkedInDir = join(ROOT, 'libs', 'contracts', 'src', 'grpc', 'generated');
      const files = (dir: string) =>
        readdirSync(dir, { recursive: true })
          .map(String)
          .filter((f) => f.endsWith('.ts'))
          .sort();
      expect(files(out)).toEqual(files(checkedInDir));
      for (const file of files(out)) {
        expect({ file, text: readFileSync(join(out, file), 'utf8') }).toEqual({
          file,
          text: readFileSync(join(checkedInDir, file), 'utf8'),
        });
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
