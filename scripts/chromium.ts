import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const knownPaths = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** An installed Chromium: CHROME_PATH first, then the usual install locations. */
export function findChromium(): string | undefined {
  const fromEnv = process.env['CHROME_PATH'];
  if (fromEnv !== undefined && fromEnv !== '' && existsSync(fromEnv)) return fromEnv;
  return knownPaths.find((path) => existsSync(path));
}

function isDebianLike(): boolean {
  return existsSync('/etc/debian_version') && existsSync('/usr/bin/apt-get');
}

/**
 * Finds Chromium, installing Debian's package when running as root on Debian or Ubuntu.
 * Never downloads a browser from anywhere else. Exits with one line of advice otherwise.
 */
export function ensureChromium(): string {
  const found = findChromium();
  if (found !== undefined) return found;
  if (process.getuid?.() === 0 && isDebianLike()) {
    console.log('No Chromium found: installing Debian\'s "chromium" package with apt-get.');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    const installed = findChromium();
    if (installed !== undefined) return installed;
  }
  console.error(
    'No Chromium or Chrome found: install one (Debian/Ubuntu: "sudo apt-get install chromium") or set CHROME_PATH to its executable.',
  );
  process.exit(1);
}

/**
 * Flags that keep headless Chromium off the network and able to run WebRTC on loopback
 * (see DESIGN.md, Testing). `--no-sandbox` only when running as root.
 */
export function chromiumArgs(): string[] {
  return [
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    '--use-fake-ui-for-media-stream',
    '--allow-loopback-in-peer-connection',
  ];
}
