import {
  BYTES_PER_INODE,
  DEFAULT_QUOTA_MB,
  chooseQuotaMode,
  inodeBudget,
  isFull,
  mkfsArgs,
  mountArgs,
  nextScanDelayMs,
  overQuota,
  quotaBytes,
  quotaFailure,
  quotaMb,
  quotaMessage,
} from './storage-quota';

const MIB = 1024 * 1024;

describe('storage quota', () => {
  describe(quotaMb.name, () => {
    it.each([
      [102, 102],
      [10, 10],
      [0.4, 1], // never rounded down to nothing
      [0, DEFAULT_QUOTA_MB], // a task without storage gets the default, never "no limit"
      [-5, DEFAULT_QUOTA_MB],
    ])('storage_mb %p → %p MB', (storageMb, expected) => {
      expect(quotaMb(storageMb)).toBe(expected);
      expect(quotaBytes(storageMb)).toBe(expected * MIB);
    });
  });

  it('allows one file or folder per 8 KiB of quota', () => {
    expect(inodeBudget(102)).toBe((102 * MIB) / BYTES_PER_INODE);
    expect(inodeBudget(102)).toBe(13_056);
  });

  it('says which limit was reached, in MB', () => {
    expect(quotaMessage(102)).toBe(
      'storage quota reached: the task wrote more than its storage_gb allows (102 MB)',
    );
    expect(quotaMessage(0)).toContain(`(${DEFAULT_QUOTA_MB} MB)`);
  });

  describe(chooseQuotaMode.name, () => {
    it.each([
      ['auto', undefined, 'loop'],
      ['auto', 'the worker is not root', 'accounting'],
      ['loop', undefined, 'loop'],
      ['accounting', undefined, 'accounting'],
      ['accounting', 'mkfs.ext4 not found', 'accounting'],
    ] as const)('%s with probe failure %p → %s', (setting, failure, mode) => {
      expect(chooseQuotaMode(setting, failure).mode).toBe(mode);
    });

    it('says why accounting was chosen', () => {
      expect(chooseQuotaMode('auto', 'no free loop device').why).toBe(
        'cannot loop-mount workspaces (no free loop device)',
      );
    });

    it('refuses loop when the probe failed rather than downgrading silently', () => {
      expect(() => chooseQuotaMode('loop', 'the worker is not root')).toThrow(
        /STORAGE_QUOTA_MODE=loop but workspaces cannot be loop-mounted here: the worker is not root/,
      );
    });
  });

  describe(overQuota.name, () => {
    it.each([
      [{ bytes: 102 * MIB, entries: 10 }, undefined],
      [{ bytes: 102 * MIB + 1, entries: 10 }, 'storage quota reached: the task wrote more than'],
      [{ bytes: 0, entries: 13_056 }, undefined],
      [{ bytes: 0, entries: 13_057 }, 'the task made more than 13056 files and folders'],
    ])('%j', (usage, expected) => {
      const verdict = overQuota(usage, 102);
      if (expected === undefined) expect(verdict).toBeUndefined();
      else expect(verdict).toContain(expected);
    });
  });

  describe(nextScanDelayMs.name, () => {
    it.each([
      [0, 250],
      [10, 250],
      [100, 1000], // a walk never takes more than a tenth of the time
      [5000, 10_000], // capped
    ])('after a walk of %p ms → %p ms', (walkMs, delay) => {
      expect(nextScanDelayMs(walkMs)).toBe(delay);
    });
  });

  describe(isFull.name, () => {
    it.each([
      [{ availBytes: 0, freeInodes: 100 }, true],
      [{ availBytes: MIB - 1, freeInodes: 100 }, true],
      [{ availBytes: MIB, freeInodes: 100 }, false],
      [{ availBytes: 50 * MIB, freeInodes: 0 }, true],
    ])('%j → %p', (stats, full) => {
      expect(isFull(stats)).toBe(full);
    });
  });

  describe(quotaFailure.name, () => {
    it.each([
      [{ exitCode: 1, full: true }, quotaMessage(102)],
      [{ exitCode: 137, full: true }, quotaMessage(102)],
      [{ exitCode: 0, full: true }, undefined], // the task coped with ENOSPC: its business
      [{ exitCode: 1, full: false }, undefined], // it failed for another reason
    ])('%j', (run, expected) => {
      expect(quotaFailure(run, 102)).toBe(expected);
    });
  });

  it('formats a cheap sparse image: no journal, no reserved blocks, lazy inode tables', () => {
    const args = mkfsArgs('/w/ws.img');
    expect(args.at(-1)).toBe('/w/ws.img');
    expect(args.join(' ')).toContain('-m 0 -O ^has_journal,^resize_inode');
    expect(args.join(' ')).toContain(`-i ${BYTES_PER_INODE}`);
    expect(args.join(' ')).toContain('-E lazy_itable_init=1,nodiscard');
  });

  it('mounts it as ext4 without devices, set-uid files or inode-table zeroing', () => {
    expect(mountArgs('/w/ws.img', '/w/ws')).toEqual([
      '-t',
      'ext4',
      '-o',
      'loop,nosuid,nodev,noatime,noinit_itable',
      '/w/ws.img',
      '/w/ws',
    ]);
  });
});
