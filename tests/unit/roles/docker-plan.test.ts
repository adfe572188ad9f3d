import { test } from 'node:test';
import assert from 'node:assert/strict';
import { archFromUname, detectDistro, dockerInstallCommands, dockerPostInstallCommands } from '../../../roles/docker/plan.ts';

const osRelease = (id: string, version: string, codename: string) =>
  `PRETTY_NAME="${id} ${version}"\nID=${id}\nVERSION_ID="${version}"\nVERSION_CODENAME=${codename}\n`;

test('detectDistro: supported systems and clear refusals', () => {
  assert.deepEqual(detectDistro(osRelease('debian', '13', 'trixie')), { family: 'debian', id: 'debian', versionId: '13', codename: 'trixie' });
  assert.deepEqual(detectDistro(osRelease('ubuntu', '24.04', 'noble')), { family: 'debian', id: 'ubuntu', versionId: '24.04', codename: 'noble' });
  assert.deepEqual(detectDistro('NAME="Amazon Linux"\nID="amzn"\nVERSION_ID="2023"\n'), { family: 'amazon', id: 'amzn', versionId: '2023' });
  assert.throws(() => detectDistro(osRelease('ubuntu', '20.04', 'focal')), /Ubuntu 20.04 is not supported: use 22.04 or 24.04/);
  assert.throws(() => detectDistro('ID=alpine\nPRETTY_NAME="Alpine Linux"\n'), /unsupported OS Alpine Linux/);
});

test('Debian 13 installs docker.io and docker-compose from Debian, waiting for the dpkg lock', () => {
  const cmds = dockerInstallCommands(detectDistro(osRelease('debian', '13', 'trixie')), 'amd64');
  assert.deepEqual(cmds.at(-1)!.slice(-3), ['docker.io', 'docker-cli', 'docker-compose']);
  assert.ok(cmds.every((c) => c.includes('DPkg::Lock::Timeout=600')));
});

test('Ubuntu uses Docker\'s repository with a signed-by keyring', () => {
  const cmds = dockerInstallCommands(detectDistro(osRelease('ubuntu', '22.04', 'jammy')), 'arm64');
  const list = cmds.find((c) => c[0] === 'sh')!;
  assert.equal(list.at(-1), 'deb [arch=arm64 signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/ubuntu jammy stable\n');
  assert.ok(cmds.some((c) => c.includes('https://download.docker.com/linux/ubuntu/gpg')));
  assert.ok(cmds.at(-1)!.includes('docker-compose-plugin'));
});

test('Amazon Linux 2023: dnf docker plus the pinned compose plugin', () => {
  const cmds = dockerInstallCommands(detectDistro('ID="amzn"\nVERSION_ID="2023"\n'), 'amd64');
  assert.deepEqual(cmds[0], ['dnf', '-y', '-q', 'install', 'docker']);
  assert.match(cmds[2].at(-1)!, /releases\/download\/v2\.\d+\.\d+\/docker-compose-linux-x86_64$/);
});

test('post-install and arch', () => {
  assert.deepEqual(dockerPostInstallCommands('admin', true), [['systemctl', 'enable', '--now', 'docker'], ['usermod', '-aG', 'docker', 'admin']]);
  assert.deepEqual(dockerPostInstallCommands('admin', false), [['systemctl', 'enable', '--now', 'docker']]);
  assert.equal(archFromUname('aarch64\n'), 'arm64');
  assert.throws(() => archFromUname('riscv64'), /unsupported CPU architecture riscv64/);
});
