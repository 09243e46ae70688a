import { grpcAddressOf, workerPaths, workerUnit } from './worker-service';

describe(workerPaths.name, () => {
  it('root: /etc and /var/lib, under --prefix when given', () => {
    expect(workerPaths({}, true)).toEqual({
      scope: 'system',
      configFile: '/etc/hivemind/worker.env',
      caFile: '/etc/hivemind/pool-ca.pem',
      unitFile: '/etc/systemd/system/hivemind-worker.service',
      workDir: '/var/lib/hivemind-worker',
      prefixed: false,
    });
    expect(workerPaths({}, true, '/tmp/p')).toMatchObject({
      configFile: '/tmp/p/etc/hivemind/worker.env',
      unitFile: '/tmp/p/etc/systemd/system/hivemind-worker.service',
      prefixed: true,
    });
  });

  it("a user: the CLI's config folder, a user unit, the user's data folder", () => {
    expect(workerPaths({ HOME: '/home/al' }, false)).toEqual({
      scope: 'user',
      configFile: '/home/al/.config/hivemind/worker.env',
      caFile: '/home/al/.config/hivemind/pool-ca.pem',
      unitFile: '/home/al/.config/systemd/user/hivemind-worker.service',
      workDir: '/home/al/.local/share/hivemind/worker',
      prefixed: false,
    });
    expect(workerPaths({ HOME: '/home/al', HIVEMIND_CONFIG_DIR: '/c' }, false).configFile).toBe(
      '/c/worker.env',
    );
  });
});

describe(workerUnit.name, () => {
  const base = {
    node: '/usr/bin/node',
    launcher: '/opt/my tools/bin/hivemind-worker.js',
    configFile: '/etc/hivemind/worker.env',
    workDir: '/var/lib/hivemind-worker',
    pool: 'https://pool.example:8080',
  };

  it('runs the launcher with the config file, quoting words with spaces, hardened without a mount namespace', () => {
    const unit = workerUnit({ ...base, scope: 'system' });
    expect(unit).toContain(
      'ExecStart=/usr/bin/node "/opt/my tools/bin/hivemind-worker.js" --config /etc/hivemind/worker.env\n',
    );
    expect(unit).toContain('After=network-online.target docker.service\n');
    expect(unit).toContain('NoNewPrivileges=yes\n');
    expect(unit).toContain('WantedBy=multi-user.target\n');
    expect(unit).not.toMatch(/^(ProtectSystem|PrivateTmp|PrivateDevices|ProtectHome|RestrictNamespaces)=/m);
  });

  it('a user unit starts with the session and asks for nothing a user manager cannot do', () => {
    const unit = workerUnit({ ...base, scope: 'user' });
    expect(unit).toContain('WantedBy=default.target\n');
    expect(unit).not.toContain('ProtectHostname');
  });
});

describe(grpcAddressOf.name, () => {
  it.each([
    ['https://pool.example.org:8080', 50051, 'pool.example.org:50051'],
    ['http://127.0.0.1:8080', 4000, '127.0.0.1:4000'],
    ['https://[::1]:8080', 50051, '[::1]:50051'],
  ])('%s, port %d: %s', (server, port, address) => {
    expect(grpcAddressOf(server, port)).toBe(address);
  });
});
