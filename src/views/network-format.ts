import type { LinkRoute, MeshSnapshot } from '../core/mesh/mesh-types.ts';

const byteUnits = ['KiB', 'MiB', 'GiB', 'TiB'] as const;

/** A byte count for people: `512 B`, `1.5 KiB`, `20 KiB`, `3.2 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.max(0, Math.round(bytes))} B`;
  let value = bytes;
  let unit: string = byteUnits[0];
  for (const next of byteUnits) {
    value /= 1024;
    unit = next;
    if (value < 1024) break;
  }
  // One decimal only where it says something (1.5 KiB, not 120.3 KiB), and never "1.0".
  const shown = value < 10 ? value.toFixed(1).replace(/\.0$/, '') : String(Math.round(value));
  return `${shown} ${unit}`;
}

/** How long something has lasted, to the largest whole unit: `40 s`, `2 min`, `3 h`, `2 d`. */
export function formatAge(ageMs: number): string {
  const seconds = Math.max(0, Math.floor(ageMs / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

/** A round trip, or `unknown` before the first keepalive answer. */
export function formatRtt(rttMs: number | undefined): string {
  return rttMs === undefined ? 'unknown' : `${Math.round(rttMs)} ms`;
}

/** How a link's signalling travelled, in words. */
export function formatRoute(route: LinkRoute): string {
  return route === 'broker' ? 'Broker' : 'Mesh';
}

/** `1 neighbour`, `2 neighbours`. */
export function countOf(count: number, singular: string, plural: string): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

/** One sentence on where this node stands in the mesh. */
export function meshStatusLine(mesh: MeshSnapshot | undefined): string {
  switch (mesh?.status) {
    case undefined:
    case 'stopped':
      return 'Not running';
    case 'listening':
      return 'Waiting for peers';
    case 'has-connections':
      return `Connected to ${countOf(mesh.neighbors.length, 'neighbour', 'neighbours')}`;
    case 'isolated':
      return 'Isolated: reconnecting through the broker';
  }
}

/** Rejection reasons, most frequent first; equal counts in reason order so rows do not jump. */
export function sortedRejections(
  rejections: Readonly<Record<string, number>>,
): readonly { readonly reason: string; readonly count: number }[] {
  return Object.entries(rejections)
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}
